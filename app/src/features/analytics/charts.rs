//! The analytics charts, drawn on the server as SVG (readable without JavaScript), each with the
//! same figures as a table beside it for screen readers and for reading exact values.

use super::model::{Counts, Summary};
use leptos::prelude::*;

/// The four series: name, colour, dash pattern (so they differ without colour too).
const SERIES: [(&str, &str, &str); 4] = [
    ("Visits", "#5f6b78", ""),
    ("Requests", "#1d5c8f", "7 4"),
    ("Approvals", "#1b7a43", "2 3"),
    ("Downloads", "#b4530b", "12 3 3 3"),
];

fn value(c: &Counts, i: usize) -> i64 {
    [c.visits, c.requests, c.approvals, c.downloads][i]
}

/// A round step for about four grid lines up to `max` (1, 2 or 5 times a power of ten).
pub fn nice_step(max: i64) -> i64 {
    let rough = (max.max(1) as f64 / 4.0).max(1.0);
    let power = 10_f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * power).find(|s| *s >= rough).unwrap_or(10.0 * power);
    step as i64
}

/// "42%" of `part` in `whole`, or a dash when there is no whole.
pub fn share(part: i64, whole: i64) -> String {
    if whole <= 0 {
        "–".into()
    } else {
        format!("{}%", (part as f64 * 100.0 / whole as f64).round() as i64)
    }
}

/// Visits, then requests, approvals and downloads: a bar each, with the share of the step before.
#[component]
pub fn Funnel(totals: Counts) -> impl IntoView {
    let steps = [
        ("Visits", totals.visits, None),
        ("Requests", totals.requests, Some(totals.visits)),
        ("Approvals", totals.approvals, Some(totals.requests)),
        ("Downloads", totals.downloads, Some(totals.approvals)),
    ];
    let (w, row, label_w) = (640.0_f64, 40.0_f64, 110.0_f64);
    let max = steps.iter().map(|s| s.1).max().unwrap_or(0).max(1) as f64;
    let bars: Vec<_> = steps
        .iter()
        .enumerate()
        .map(|(i, (name, n, before))| {
            let y = i as f64 * row + 6.0;
            let width = ((w - label_w - 240.0) * (*n as f64) / max).max(2.0);
            let note =
                before.map(|b| format!("{n} · {} of the step before", share(*n, b))).unwrap_or_else(|| n.to_string());
            view! {
                <text x=label_w - 10.0 y=y + 19.0 text-anchor="end" font-size="13" fill="#15202b">{*name}</text>
                <rect x=label_w y=y width=format!("{width:.1}") height=row - 14.0 rx="3" fill=SERIES[i].1 />
                <text x=label_w + width + 8.0 y=y + 19.0 font-size="13" fill="#15202b">{note}</text>
            }
        })
        .collect();
    let rows: Vec<_> = steps
        .iter()
        .map(|(name, n, before)| view! { <tr><th scope="row">{*name}</th><td>{*n}</td><td>{before.map(|b| share(*n, b)).unwrap_or_else(|| "–".into())}</td></tr> })
        .collect();
    view! {
        <figure class="chart" aria-labelledby="funnel-caption">
            <svg viewBox=format!("0 0 {w} {}", row * 4.0 + 4.0) role="img" aria-labelledby="funnel-caption" data-test="funnel">
                {bars}
            </svg>
            <figcaption id="funnel-caption">"From visit to download: how many people reached each step in the period."</figcaption>
            <table class="table numbers compact data-table" data-test="funnel-table">
                <caption class="visually-hidden">"The funnel as a table"</caption>
                <thead><tr><th scope="col">"Step"</th><th scope="col">"People"</th><th scope="col">"Of the step before"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </figure>
    }
}

/// One line per series over the period's days, with labelled axes, grid lines and a legend
/// drawn in the same picture; the days as a table below.
#[component]
pub fn TimeSeries(summary: Summary) -> impl IntoView {
    let (w, h, left, right, top, bottom) = (760.0_f64, 280.0_f64, 56.0_f64, 12.0_f64, 36.0_f64, 44.0_f64);
    let days = summary.daily.len().max(1);
    let top_value = summary.daily.iter().flat_map(|(_, c)| (0..4).map(move |i| value(c, i))).max().unwrap_or(0);
    let step = nice_step(top_value);
    let max = ((top_value.max(1) + step - 1) / step * step).max(step);
    let x = move |i: usize| left + (w - left - right) * (i as f64) / ((days - 1).max(1) as f64);
    let y = move |v: i64| top + (h - top - bottom) * (1.0 - v as f64 / max as f64);
    let grid: Vec<_> = (0..=max / step)
        .map(|k| {
            let v = k * step;
            view! {
                <line x1=left y1=y(v) x2=w - right y2=y(v) stroke="#e3e8ee" />
                <text x=left - 8.0 y=y(v) + 4.0 font-size="11" text-anchor="end" fill="#4a5866">{v}</text>
            }
        })
        .collect();
    let lines: Vec<_> = SERIES
        .iter()
        .enumerate()
        .map(|(s, (name, color, dash))| {
            let points: Vec<String> =
                summary.daily.iter().enumerate().map(|(i, (_, c))| format!("{:.1},{:.1}", x(i), y(value(c, s)))).collect();
            view! { <polyline points=points.join(" ") fill="none" stroke=*color stroke-width="2.5" stroke-dasharray=*dash><title>{*name}</title></polyline> }
        })
        .collect();
    let label_every = days.div_ceil(7).max(1);
    let labels: Vec<_> = summary
        .daily
        .iter()
        .enumerate()
        .filter(|(i, _)| i % label_every == 0)
        .map(|(i, (day, _))| view! { <text x=format!("{:.1}", x(i)) y=h - bottom + 16.0 font-size="11" text-anchor="middle" fill="#4a5866">{day.to_string()[5..].to_string()}</text> })
        .collect();
    let legend: Vec<_> = SERIES
        .iter()
        .enumerate()
        .map(|(i, (name, color, dash))| {
            let lx = left + i as f64 * 130.0;
            view! {
                <line x1=lx y1="14" x2=lx + 28.0 y2="14" stroke=*color stroke-width="3" stroke-dasharray=*dash />
                <text x=lx + 34.0 y="18" font-size="12" fill="#15202b">{*name}</text>
            }
        })
        .collect();
    let rows: Vec<_> = summary
        .daily
        .iter()
        .map(|(day, c)| view! { <tr><th scope="row"><time datetime=day.to_string()>{day.to_string()}</time></th><td>{c.visits}</td><td>{c.requests}</td><td>{c.approvals}</td><td>{c.downloads}</td></tr> })
        .collect();
    view! {
        <figure class="chart" aria-labelledby="series-caption">
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-labelledby="series-caption" data-test="analytics-chart">
                {legend}
                {grid}
                <line x1=left y1=y(0) x2=w - right y2=y(0) stroke="#9aa6b2" />
                {lines}
                {labels}
                <text x=(left + w - right) / 2.0 y=h - 6.0 font-size="12" text-anchor="middle" fill="#15202b">"Day (UTC)"</text>
                <text transform=format!("translate(14 {}) rotate(-90)", (top + h - bottom) / 2.0) font-size="12" text-anchor="middle" fill="#15202b">"Per day"</text>
            </svg>
            <figcaption id="series-caption">{format!("Visits, requests, approvals and downloads per day, {} to {}.", summary.from, summary.to)}</figcaption>
            <details class="data-table">
                <summary>"The days as a table"</summary>
                <div class="table-scroll"><table class="table numbers compact" data-test="daily-table">
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"Visits"</th><th scope="col">"Requests"</th><th scope="col">"Approvals"</th><th scope="col">"Downloads"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            </details>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_steps_are_round_and_cover_the_top() {
        assert_eq!(nice_step(0), 1);
        assert_eq!(nice_step(3), 1);
        assert_eq!(nice_step(9), 5);
        assert_eq!(nice_step(40), 10);
        assert_eq!(nice_step(170), 50);
        assert_eq!(nice_step(1_234), 500);
    }

    #[test]
    fn shares_are_whole_percentages() {
        assert_eq!(share(1, 3), "33%");
        assert_eq!(share(2, 3), "67%");
        assert_eq!(share(5, 0), "–");
    }
}
