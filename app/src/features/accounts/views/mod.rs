//! Account pages.

mod admin;
mod prospect;
mod staff;

pub use admin::{AdminLayout, SessionsPage, StaffAdminPage};
pub use prospect::{CheckEmailPage, ConfirmSignInPage, SignInPage};
pub use staff::{
    InviteAcceptPage, RecoveryCodesPage, ResetCheckEmailPage, ResetConfirmPage, ResetRequestPage, StaffSignInPage,
    TwoFactorPage, TwoFactorSetupPage,
};
