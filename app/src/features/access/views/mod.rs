//! Access pages.

mod prospect;
mod staff;

pub use prospect::AccountPage;
pub use staff::{CompaniesPage, GrantsPage, RequestDetailPage, RequestsPage, RulesPage};
