//! The analytics page: totals, a daily chart (server-rendered SVG), and tables by company and
//! by document.

use super::{
    api::analytics_summary,
    model::{Counts, Summary},
};
use crate::{components::ErrorPanel, features::accounts::views::AdminLayout, types::IsoDate};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const SERIES: [(&str, &str); 4] =
    [("Visits", "#8a97a5"), ("Requests", "#1d5c8f"), ("Approvals", "#1b7a43"), ("Downloads", "#c2570c")];

fn value(c: &Counts, i: usize) -> i64 {
    [c.visits, c.requests, c.approvals, c.downloads][i]
}

/// One line per series over the period's days.
#[component]
fn Chart(summary: Summary) -> impl IntoView {
    let (w, h, pad_l, pad_b, pad_t) = (760.0_f64, 220.0_f64, 40.0, 26.0, 10.0);
    let days = summary.daily.len().max(1);
    let max = summary.daily.iter().flat_map(|(_, c)| (0..4).map(move |i| value(c, i))).max().unwrap_or(0).max(1);
    let x = move |i: usize| pad_l + (w - pad_l - 10.0) * (i as f64) / ((days - 1).max(1) as f64);
    let y = move |v: i64| pad_t + (h - pad_t - pad_b) * (1.0 - v as f64 / max as f64);
    let lines: Vec<_> = SERIES
        .iter()
        .enumerate()
        .map(|(s, (name, color))| {
            let points: Vec<String> =
                summary.daily.iter().enumerate().map(|(i, (_, c))| format!("{:.1},{:.1}", x(i), y(value(c, s)))).collect();
            view! { <polyline points=points.join(" ") fill="none" stroke=*color stroke-width="2"><title>{*name}</title></polyline> }
        })
        .collect();
    let label_every = (days / 6).max(1);
    let labels: Vec<_> = summary
        .daily
        .iter()
        .enumerate()
        .filter(|(i, _)| i % label_every == 0)
        .map(|(i, (day, _))| view! { <text x=format!("{:.1}", x(i)) y=format!("{:.1}", h - 8.0) font-size="11" text-anchor="middle" fill="#4a5866">{day.to_string()[5..].to_string()}</text> })
        .collect();
    let legend: Vec<_> = SERIES
        .iter()
        .map(|(name, color)| view! { <li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill=*color /></svg>" "{*name}</li> })
        .collect();
    let description = format!(
        "Daily figures from {} to {}: {} visits, {} requests, {} approvals, {} downloads.",
        summary.from,
        summary.to,
        summary.totals.visits,
        summary.totals.requests,
        summary.totals.approvals,
        summary.totals.downloads
    );
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=description.clone() data-test="analytics-chart">
                <line x1=pad_l y1=y(0) x2=w - 10.0 y2=y(0) stroke="#d9e0e7" />
                <line x1=pad_l y1=y(max) x2=w - 10.0 y2=y(max) stroke="#eef2f5" />
                <text x=pad_l - 6.0 y=y(max) + 4.0 font-size="11" text-anchor="end" fill="#4a5866">{max}</text>
                <text x=pad_l - 6.0 y=y(0) + 4.0 font-size="11" text-anchor="end" fill="#4a5866">"0"</text>
                {lines}
                {labels}
            </svg>
            <figcaption><ul class="legend">{legend}</ul></figcaption>
        </figure>
    }
}

fn table(title: &'static str, rows: Vec<(String, Counts)>) -> impl IntoView {
    let empty = rows.is_empty();
    let body: Vec<_> = rows
        .into_iter()
        .map(|(name, c)| view! { <tr><th scope="row">{name}</th><td>{c.visits}</td><td>{c.requests}</td><td>{c.approvals}</td><td>{c.downloads}</td></tr> })
        .collect();
    view! {
        <h2>{title}</h2>
        {if empty {
            view! { <p class="muted">"Nothing in this period."</p> }.into_any()
        } else {
            view! { <div class="table-scroll"><table class="table numbers">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Visits"</th><th scope="col">"Requests"</th><th scope="col">"Approvals"</th><th scope="col">"Downloads"</th></tr></thead>
                <tbody>{body}</tbody>
            </table></div> }.into_any()
        }}
    }
}

/// `/admin/analytics` (sales): the figures for a period (by default the last 30 days), a daily
/// chart, tables by company and by document, and the same as CSV.
#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let (from, to) = use_query_map().with_untracked(|q| {
        (q.get("from").and_then(|d| IsoDate::parse(&d).ok()), q.get("to").and_then(|d| IsoDate::parse(&d).ok()))
    });
    view! {
        <AdminLayout title="Analytics">
            {move || Suspend::new(async move {
                match analytics_summary(from, to).await {
                    Ok(s) => {
                        let csv = format!("/admin/analytics.csv?from={}&to={}", s.from, s.to);
                        let t = s.totals;
                        view! {
                            <h1>"Analytics"</h1>
                            <form method="get" action="/admin/analytics" class="filters">
                                <div class="field"><label for="a-from">"From"</label><input id="a-from" type="date" name="from" value=s.from.to_string() /></div>
                                <div class="field"><label for="a-to">"To"</label><input id="a-to" type="date" name="to" value=s.to.to_string() /></div>
                                <button type="submit" class="button">"Show"</button>
                                <a href=csv>"Export CSV"</a>
                            </form>
                            <ul class="stat-row" data-test="totals">
                                <li><strong>{t.visits}</strong>" visits"</li>
                                <li><strong>{t.requests}</strong>" requests"</li>
                                <li><strong>{t.approvals}</strong>" approvals"</li>
                                <li><strong>{t.downloads}</strong>" downloads"</li>
                            </ul>
                            <Chart summary=s.clone() />
                            {table("By company", s.by_company.clone())}
                            {table("By document", s.by_document.clone())}
                            <p class="small muted">"Visits count views of the public page and of the request pages; a visitor's company is known once they have signed in."</p>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}
