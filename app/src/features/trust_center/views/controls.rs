//! Controls grouped by category, with a filter that appears once the page is interactive.
//!
//! An island: the server renders every control (complete without JavaScript); in the browser the
//! same view hydrates and the filter box and category picker narrow the list as you type.

use crate::features::trust_center::{
    domain::{ControlCategory, ControlStatus},
    model::Control,
};
use leptos::prelude::*;

/// The controls section, grouped by category; once the WASM runs, a text filter and a category
/// picker narrow it.
#[island]
pub fn ControlsExplorer(groups: Vec<(ControlCategory, Vec<Control>)>) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    // The filter only works with the WASM running; without it, it is not shown at all.
    let interactive = RwSignal::new(false);
    Effect::new(move |_| interactive.set(true));

    let total: usize = groups.iter().map(|(_, items)| items.len()).sum();
    let category_count = groups.len();
    let searchable: Vec<(ControlCategory, Vec<(Control, String)>)> = groups
        .into_iter()
        .map(|(cat, items)| {
            let items = items
                .into_iter()
                .map(|c| {
                    let tsc: Vec<String> = c.tsc_points.iter().map(ToString::to_string).collect();
                    let haystack =
                        format!("{} {} {} {}", c.title, c.description, cat.label(), tsc.join(" ")).to_lowercase();
                    (c, haystack)
                })
                .collect();
            (cat, items)
        })
        .collect();
    let searchable = StoredValue::new(searchable);

    let matches = move |cat: ControlCategory, haystack: &str| {
        let wanted = category.get();
        let q = query.get().trim().to_lowercase();
        (wanted.is_empty() || wanted == cat.code()) && q.split_whitespace().all(|word| haystack.contains(word))
    };
    let shown = move || {
        searchable.with_value(|groups| {
            groups.iter().map(|(cat, items)| items.iter().filter(|(_, h)| matches(*cat, h)).count()).sum::<usize>()
        })
    };

    let options: Vec<_> = searchable.with_value(|groups| {
        groups.iter().map(|(cat, _)| view! { <option value=cat.code()>{cat.label()}</option> }).collect()
    });
    let group_views: Vec<_> =
        searchable.with_value(|groups| {
            groups
            .iter()
            .map(|(cat, items)| {
                let cat = *cat;
                let slug = cat.code();
                let rows: Vec<_> = items
                    .iter()
                    .map(|(control, haystack)| {
                        let haystack = haystack.clone();
                        view! { <ControlItem control=control.clone() hidden=move || !matches(cat, &haystack) /> }
                    })
                    .collect();
                let any_shown = move || searchable.with_value(|g| {
                    g.iter().any(|(c, items)| *c == cat && items.iter().any(|(_, h)| matches(cat, h)))
                });
                view! {
                    <section class="control-group" aria-labelledby=format!("cat-{slug}") hidden=move || !any_shown()>
                        <h3 id=format!("cat-{slug}")>{cat.label()}</h3>
                        <ul class="control-list">{rows}</ul>
                    </section>
                }
            })
            .collect()
        });

    view! {
        <section id="controls" class="section" aria-labelledby="controls-title">
            <div class="wrap">
                <h2 id="controls-title">"Controls"</h2>
                <p class="muted">
                    {format!(
                        "{total} controls in {category_count} areas. Each lists the SOC 2 Trust Services Criteria it supports.",
                    )}
                </p>
                <div class="filters" hidden=move || !interactive.get() data-test="control-filters">
                    <div class="field">
                        <label for="control-filter">"Filter controls"</label>
                        <input
                            id="control-filter"
                            type="search"
                            placeholder="e.g. encryption, MFA, CC6.1"
                            autocomplete="off"
                            prop:value=move || query.get()
                            on:input=move |ev| query.set(event_target_value(&ev))
                        />
                    </div>
                    <div class="field">
                        <label for="control-category">"Area"</label>
                        <select
                            id="control-category"
                            on:change=move |ev| category.set(event_target_value(&ev))
                        >
                            <option value="">"All areas"</option>
                            {options}
                        </select>
                    </div>
                    <p class="filter-count" role="status" aria-live="polite">
                        {move || format!("Showing {} of {total}", shown())}
                    </p>
                </div>
                <div class="control-groups">{group_views}</div>
            </div>
        </section>
    }
}

#[component]
fn ControlItem(control: Control, #[prop(into)] hidden: Signal<bool>) -> impl IntoView {
    let tone = match control.status {
        ControlStatus::Implemented => "good",
        ControlStatus::InProgress => "warn",
        ControlStatus::Planned => "neutral",
    };
    let points: Vec<_> = control.tsc_points.iter().map(|p| view! { <li class="chip">{p.to_string()}</li> }).collect();
    view! {
        <li class="control" hidden=hidden>
            <div class="control-head">
                <h4>{control.title.clone()}</h4>
                <span class=format!("badge badge-{tone}")>{control.status.label()}</span>
            </div>
            <p>{control.description.clone()}</p>
            <ul class="chips" aria-label="Trust Services Criteria">{points}</ul>
        </li>
    }
}
