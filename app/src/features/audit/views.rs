//! The access-log page for sales and admins.

use super::{api::search_access_log, model::LogFilter};
use crate::{
    components::{Badge, ErrorPanel},
    features::accounts::views::AdminLayout,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/admin/audit` (sales): the access log searched by person, company, document, event and
/// dates from the query string (the newest 500 shown), with the same search as CSV and the
/// signed checkpoints as JSON.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    // Children of the staff frame may render more than once: keep the filter in a stored value.
    let filter = StoredValue::new(use_query_map().with_untracked(|q| LogFilter::from_query(|k| q.get(k))));
    view! {
        <AdminLayout title="Access log">
            {move || {
                let filter = filter.get_value();
                Suspend::new(async move {
                    match search_access_log(filter.clone()).await {
                        Ok(page) => {
                            let rows: Vec<_> = page.entries.into_iter().map(|e| {
                                let tone = match e.outcome.as_str() { "success" => "good", "denied" => "bad", _ => "warn" };
                                let event_attr = e.event.clone();
                                view! {
                                    <tr data-test-event=event_attr>
                                        <td>{e.seq}</td>
                                        <td><time datetime=e.at.rfc3339()>{e.at.long()}</time></td>
                                        <td>{e.actor}<br /><span class="small muted">{format!("{} {}", e.actor_kind, e.role)}</span></td>
                                        <td><code>{e.event}</code></td>
                                        <td>{e.object}</td>
                                        <td><Badge tone text=e.outcome /></td>
                                        <td class="small">{e.ip}</td>
                                        <td class="small details">{e.details}</td>
                                    </tr>
                                }
                            }).collect();
                            let csv = format!("/admin/audit.csv?{}", filter.to_query());
                            let from = filter.from.map(|d| d.to_string()).unwrap_or_default();
                            let to = filter.to.map(|d| d.to_string()).unwrap_or_default();
                            view! {
                                <h1>"Access log"</h1>
                                <p class="muted">"Every sign-in, request, NDA acceptance, decision, download and change, in an append-only, hash-chained log with signed checkpoints."</p>
                                <form method="get" action="/admin/audit" class="filters">
                                    <div class="field"><label for="f-person">"Person"</label><input id="f-person" name="person" value=filter.person.clone() /></div>
                                    <div class="field"><label for="f-company">"Company"</label><input id="f-company" name="company" value=filter.company.clone() /></div>
                                    <div class="field"><label for="f-document">"Document"</label><input id="f-document" name="document" value=filter.document.clone() /></div>
                                    <div class="field"><label for="f-event">"Event"</label><input id="f-event" name="event" value=filter.event.clone() placeholder="e.g. download" /></div>
                                    <div class="field"><label for="f-from">"From"</label><input id="f-from" type="date" name="from" value=from /></div>
                                    <div class="field"><label for="f-to">"To"</label><input id="f-to" type="date" name="to" value=to /></div>
                                    <button type="submit" class="button">"Filter"</button>
                                </form>
                                <p>{format!("{} matching entries{}", page.total, if page.total > 500 { " (newest 500 shown)" } else { "" })} " · " <a href=csv>"Export CSV"</a> " · " <a href="/admin/audit/checkpoints.json">"Signed checkpoints (JSON)"</a></p>
                                <div class="table-scroll"><table class="table log">
                                    <thead><tr><th scope="col">"#"</th><th scope="col">"Time (UTC)"</th><th scope="col">"Actor"</th><th scope="col">"Event"</th><th scope="col">"Object"</th><th scope="col">"Outcome"</th><th scope="col">"IP"</th><th scope="col">"Details"</th></tr></thead>
                                    <tbody>{rows}</tbody>
                                </table></div>
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })
            }}
        </AdminLayout>
    }
}
