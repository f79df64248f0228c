//! The access-log page for sales and admins: one line per event, newest first, a page at a time.

use super::{
    api::search_access_log,
    model::{LogEntry, LogFilter, PER_PAGE},
};
use crate::{
    components::{Badge, ErrorPanel},
    features::accounts::views::AdminLayout,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The staff page an object of the log is seen on, if it has one: `access_request:12` is
/// `/admin/requests/12`.
pub fn object_link(object: &str) -> Option<String> {
    let (kind, id) = object.split_once(':')?;
    let numeric = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
    match kind {
        "access_request" if numeric => Some(format!("/admin/requests/{id}")),
        "company" if numeric => Some(format!("/admin/companies/{id}")),
        "questionnaire" if numeric => Some(format!("/admin/questionnaires/{id}")),
        "kb" if numeric => Some(format!("/admin/kb/{id}")),
        "nda_version" if numeric => Some(format!("/admin/nda/{id}")),
        "grant" => Some("/admin/grants".into()),
        "access_rule" => Some("/admin/rules".into()),
        "document" | "bridge_letter" => Some("/admin/documents".into()),
        "staff" => Some("/admin/staff".into()),
        "update" | "subscriber" => Some("/admin/updates".into()),
        _ => None,
    }
}

/// An event's details as key–value pairs people read: strings unquoted, nested values as JSON;
/// details that are not a JSON object are one pair named "details".
pub fn detail_pairs(details: &str) -> Vec<(String, String)> {
    match serde_json::from_str::<serde_json::Value>(details) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Null => "none".into(),
                    other => other.to_string(),
                };
                (k.replace('_', " "), text)
            })
            .collect(),
        _ if details.trim().is_empty() || details.trim() == "{}" => Vec::new(),
        _ => vec![("details".into(), details.to_string())],
    }
}

/// `access.revoked` as people say it: "access revoked".
fn event_words(event: &str) -> String {
    event.replace(['.', '_'], " ")
}

fn log_line(e: LogEntry) -> impl IntoView {
    let tone = match e.outcome.as_str() {
        "success" => "good",
        "denied" => "bad",
        _ => "warn",
    };
    let object = match object_link(&e.object) {
        Some(href) => view! { <a href=href>{e.object.clone()}</a> }.into_any(),
        None => view! { <span>{e.object.clone()}</span> }.into_any(),
    };
    let pairs = detail_pairs(&e.details);
    let summary = pairs
        .iter()
        .take(2)
        .map(|(k, v)| format!("{k}: {}", v.chars().take(40).collect::<String>()))
        .collect::<Vec<_>>()
        .join(" · ");
    let mut all = pairs;
    all.extend([
        ("actor kind".to_string(), e.actor_kind.clone()),
        ("IP address".to_string(), e.ip.clone()),
        ("browser".to_string(), e.user_agent.clone()),
        ("request id".to_string(), e.request_id.clone()),
        ("entry".to_string(), format!("#{}", e.seq)),
    ]);
    let rows: Vec<_> =
        all.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect();
    let role = (!e.role.is_empty()).then(|| format!(" ({})", e.role));
    view! {
        <li class="log-line" data-test-event=e.event.clone()>
            <time datetime=e.at.rfc3339()>{e.at.rfc3339().replace('T', " ").trim_end_matches('Z').to_string()}</time>
            <span class="log-actor">{e.actor}{role}</span>
            <span class="log-event">{event_words(&e.event)}</span>
            <span class="log-object">{object}</span>
            <Badge tone text=e.outcome />
            <details class="log-details">
                <summary>{if summary.is_empty() { "Details".to_string() } else { summary }}</summary>
                <dl class="pairs">{rows}</dl>
            </details>
        </li>
    }
}

/// "Entries 51–100 of 812" and the links to newer and older pages, keeping the filter.
fn pager(filter: &LogFilter, total: usize, offset: usize, shown: usize) -> impl IntoView {
    let query = filter.to_query();
    let page = filter.page.max(1);
    let newer = (page > 1)
        .then(|| view! { <a rel="prev" href=format!("/admin/audit?{query}&page={}", page - 1)>"← Newer"</a> });
    let older = (offset + shown < total)
        .then(|| view! { <a rel="next" href=format!("/admin/audit?{query}&page={}", page + 1)>"Older →"</a> });
    let range = if shown == 0 {
        "No entries".to_string()
    } else {
        format!("Entries {}–{} of {total}", offset + 1, offset + shown)
    };
    view! {
        <nav class="pager" aria-label="Access log pages">
            {newer}<span>{range}</span>{older}
        </nav>
    }
}

/// `/admin/audit` (sales): the access log searched by person, company, document, event and
/// dates from the query string, [`PER_PAGE`] lines a page, with the same search as CSV and the
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
                            let shown = page.entries.len();
                            let lines: Vec<_> = page.entries.into_iter().map(log_line).collect();
                            let csv = format!("/admin/audit.csv?{}", filter.to_query());
                            let from = filter.from.map(|d| d.to_string()).unwrap_or_default();
                            let to = filter.to.map(|d| d.to_string()).unwrap_or_default();
                            let body = if shown == 0 {
                                view! { <p class="empty">"No entry matches this search."</p> }.into_any()
                            } else {
                                view! { <ol class="log-lines" aria-label="Log entries, newest first">{lines}</ol> }.into_any()
                            };
                            view! {
                                <h1>"Access log"</h1>
                                <p class="muted">"Every sign-in, request, NDA acceptance, decision, download and change, in an append-only, hash-chained log with signed checkpoints. Times are UTC."</p>
                                <form method="get" action="/admin/audit" class="filters">
                                    <div class="field"><label for="f-person">"Person"</label><input id="f-person" name="person" value=filter.person.clone() /></div>
                                    <div class="field"><label for="f-company">"Company"</label><input id="f-company" name="company" value=filter.company.clone() /></div>
                                    <div class="field"><label for="f-document">"Document"</label><input id="f-document" name="document" value=filter.document.clone() /></div>
                                    <div class="field"><label for="f-event">"Event"</label><input id="f-event" name="event" value=filter.event.clone() placeholder="e.g. download" /></div>
                                    <div class="field"><label for="f-from">"From"</label><input id="f-from" type="date" name="from" value=from /></div>
                                    <div class="field"><label for="f-to">"To"</label><input id="f-to" type="date" name="to" value=to /></div>
                                    <button type="submit" class="button">"Filter"</button>
                                </form>
                                <p><a href=csv>"Export this search as CSV"</a> " · " <a href="/admin/audit/checkpoints.json">"Signed checkpoints (JSON)"</a></p>
                                {pager(&filter, page.total, page.offset, shown)}
                                {body}
                                {(shown > PER_PAGE / 2).then(|| pager(&filter, page.total, page.offset, shown))}
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_link_to_their_pages_and_nothing_else() {
        assert_eq!(object_link("access_request:12").as_deref(), Some("/admin/requests/12"));
        assert_eq!(object_link("company:3").as_deref(), Some("/admin/companies/3"));
        assert_eq!(object_link("company:3/../../x"), None, "only a number makes a path");
        assert_eq!(object_link("email:pat@contoso.example"), None);
        assert_eq!(object_link("nothing"), None);
    }

    #[test]
    fn details_read_as_pairs() {
        let pairs = detail_pairs(r#"{"note":"Deal lost","documents":["SOC 2"],"expires_at":null}"#);
        assert!(pairs.contains(&("note".into(), "Deal lost".into())));
        assert!(pairs.contains(&("documents".into(), r#"["SOC 2"]"#.into())));
        assert!(pairs.contains(&("expires at".into(), "none".into())));
        assert_eq!(detail_pairs("{}"), vec![]);
        assert_eq!(detail_pairs("not json"), vec![("details".to_string(), "not json".to_string())]);
    }
}
