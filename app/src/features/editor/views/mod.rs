//! The editor's pages: plain forms that work without JavaScript, each message next to its
//! field; the overview with what is unpublished; the preview of the public page.

mod attestations;
mod overview;
mod profile;
mod records;

pub use attestations::{FrameworkEditPage, ReportEditPage};
pub use overview::{ContentAdminPage, ContentPreviewPage};
pub use profile::ProfileEditPage;
pub use records::{ControlEditPage, FaqEditPage, SubprocessorEditPage};

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The `:id` of an editor's path (`None` on a `/new` page).
pub(crate) fn id_param() -> Option<i64> {
    use_params_map().with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()))
}

/// An editor's remove button, shown once the item exists.
pub(crate) fn delete_button(exists: bool, label: &'static str) -> impl IntoView {
    exists.then(|| view! { <button type="submit" class="button secondary" name="delete" value="yes" formnovalidate>{label}</button> })
}
