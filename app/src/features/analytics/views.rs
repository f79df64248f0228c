//! The analytics page: totals, the funnel, a daily time series (server-rendered SVG, each chart
//! with its table), and tables by company and by document; everything narrows to one company
//! or document.

use super::{
    api::analytics_summary,
    charts::{share, Funnel, TimeSeries},
    model::{Counts, Scope},
};
use crate::paths::query_value as enc;
use crate::{components::ErrorPanel, features::accounts::views::AdminLayout, types::IsoDate};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// A table of names and their figures; each name narrows the page to it (`key` is the query
/// field: company or document).
fn table(title: &'static str, key: &'static str, rows: Vec<(String, Counts)>, base: String) -> impl IntoView {
    let empty = rows.is_empty();
    let body: Vec<_> = rows
        .into_iter()
        .map(|(name, c)| {
            let href = format!("{base}&{key}={}", enc(&name));
            view! { <tr><th scope="row"><a href=href>{name}</a></th><td>{c.visits}</td><td>{c.requests}</td><td>{c.approvals}</td><td>{c.downloads}</td><td>{share(c.downloads, c.requests)}</td></tr> }
        })
        .collect();
    view! {
        <h2>{title}</h2>
        {if empty {
            view! { <p class="empty">"Nothing in this period."</p> }.into_any()
        } else {
            view! { <div class="table-scroll"><table class="table numbers">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Visits"</th><th scope="col">"Requests"</th><th scope="col">"Approvals"</th><th scope="col">"Downloads"</th><th scope="col">"Downloads per request"</th></tr></thead>
                <tbody>{body}</tbody>
            </table></div> }.into_any()
        }}
    }
}

fn choice(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    all: &'static str,
    options: Vec<String>,
    selected: String,
) -> impl IntoView {
    let options: Vec<_> = options
        .into_iter()
        .map(|o| {
            let is = o == selected;
            let value = o.clone();
            view! { <option value=value selected=is>{o}</option> }
        })
        .collect();
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=name><option value="">{all}</option>{options}</select>
        </div>
    }
}

/// `/admin/analytics` (sales): the figures for a period (by default the last 30 days), for
/// everyone or one company or document: the funnel, a daily chart, tables by company and by
/// document, and the same as CSV.
#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let (from, to, scope) = use_query_map().with_untracked(|q| {
        let text = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        (
            q.get("from").and_then(|d| IsoDate::parse(&d).ok()),
            q.get("to").and_then(|d| IsoDate::parse(&d).ok()),
            Scope { company: text("company"), document: text("document") },
        )
    });
    let scope = StoredValue::new(scope);
    view! {
        <AdminLayout title="Analytics">
            {move || Suspend::new(async move {
                match analytics_summary(from, to, scope.get_value()).await {
                    Ok(s) => {
                        let period = format!("from={}&to={}", s.from, s.to);
                        let narrowed = format!("{period}&company={}&document={}", enc(&s.scope.company), enc(&s.scope.document));
                        let csv = format!("/admin/analytics.csv?{narrowed}");
                        let t = s.totals;
                        let heading = match (s.scope.company.is_empty(), s.scope.document.is_empty()) {
                            (true, true) => "Everyone, every document".to_string(),
                            (false, true) => s.scope.company.clone(),
                            (true, false) => s.scope.document.clone(),
                            (false, false) => format!("{} · {}", s.scope.company, s.scope.document),
                        };
                        let clear = (!s.scope.company.is_empty() || !s.scope.document.is_empty())
                            .then(|| view! { " " <a href=format!("/admin/analytics?{period}")>"Show everyone"</a> });
                        let by_company = format!("/admin/analytics?{period}&document={}", enc(&s.scope.document));
                        let by_document = format!("/admin/analytics?{period}&company={}", enc(&s.scope.company));
                        view! {
                            <h1>"Analytics"</h1>
                            <form method="get" action="/admin/analytics" class="filters">
                                <div class="field"><label for="a-from">"From"</label><input id="a-from" type="date" name="from" value=s.from.to_string() /></div>
                                <div class="field"><label for="a-to">"To"</label><input id="a-to" type="date" name="to" value=s.to.to_string() /></div>
                                {choice("a-company", "company", "Company", "Every company", s.companies.clone(), s.scope.company.clone())}
                                {choice("a-document", "document", "Document", "Every document", s.documents.clone(), s.scope.document.clone())}
                                <button type="submit" class="button">"Show"</button>
                            </form>
                            <p><strong data-test="scope">{heading}</strong>{format!(" · {} to {} (UTC days)", s.from, s.to)}{clear}" · "<a href=csv>"Export CSV"</a></p>
                            <ul class="stat-row" data-test="totals">
                                <li><strong>{t.visits}</strong>" visits"</li>
                                <li><strong>{t.requests}</strong>" requests"</li>
                                <li><strong>{t.approvals}</strong>" approvals"</li>
                                <li><strong>{t.downloads}</strong>" downloads"</li>
                            </ul>
                            <h2>"Funnel"</h2>
                            <Funnel totals=t />
                            <h2>"Day by day"</h2>
                            <TimeSeries summary=s.clone() />
                            {table("By company", "company", s.by_company.clone(), by_company)}
                            {table("By document", "document", s.by_document.clone(), by_document)}
                            <p class="small muted">"Visits count views of the public page and of the request pages; a visitor's company is known once they have signed in. Narrowed to a document, visits are those of its request page."</p>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}
