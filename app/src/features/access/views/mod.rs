//! Access pages.

mod company;
mod prospect;
mod staff;

pub use company::CompanyAccessPanels;
pub use prospect::AccountPage;
pub use staff::{CompaniesPage, GrantsPage, RequestDetailPage, RequestsPage, RulesPage};
