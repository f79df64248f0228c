//! Leak tracing: which download did a copy found in the wild come from?

use crate::{
    features::accounts::views::AdminLayout,
    forms::{load_flash, FlashMessages},
};
use leptos::prelude::*;

/// `/admin/leak-trace` (admins): upload a leaked copy of a restricted document to find the
/// download it came from, and the recipient, document, time and address of that download.
#[component]
pub fn LeakTracePage() -> impl IntoView {
    view! {
        <AdminLayout title="Leak tracing">
            {move || Suspend::new(async move {
                let flash = load_flash("leak_trace").await;
                let found = (!flash.value("download_id").is_empty()).then(|| {
                    let row = |label: &'static str, key: &str| view! { <div><dt>{label}</dt><dd>{flash.value(key)}</dd></div> };
                    view! {
                        <section class="panel" data-test="trace-result">
                            <h2>{format!("Download {}", flash.value("download_id"))}</h2>
                            <dl class="kv">
                                {row("Recipient", "person")}
                                {row("E-mail", "email")}
                                {row("Company", "company")}
                                {row("Document", "document")}
                                {row("Downloaded", "at")}
                                {row("From IP", "ip")}
                                {row("Matched by", "matched_by")}
                            </dl>
                        </section>
                    }
                });
                view! {
                    <h1>"Leak tracing"</h1>
                    <p class="muted">"Upload a copy of a restricted document found outside the company. It is matched to the download it came from by its exact fingerprint, or, if it was altered, by the download id stamped on its pages."</p>
                    <FlashMessages flash=flash.clone() />
                    {found}
                    <form method="post" action=crate::paths::LEAK_TRACE_UPLOAD enctype="multipart/form-data" class="form">
                        <div class="field">
                            <label for="trace-file">"The copy you found (PDF)"</label>
                            <input id="trace-file" type="file" name="file" accept="application/pdf,.pdf" required />
                        </div>
                        <button type="submit" class="button">"Find its download"</button>
                    </form>
                }
            })}
        </AdminLayout>
    }
}
