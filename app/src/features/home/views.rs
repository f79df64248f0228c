//! `/admin`: the staff home, one panel per kind of waiting work, each saying so when nothing waits.

use super::{
    api::work_waiting,
    model::{StaffHome, Waiting},
};
use crate::{components::ErrorPanel, features::accounts::views::AdminLayout};
use leptos::prelude::*;

/// One panel: a heading with the count, the first items, a link to the whole list, and what it
/// means when the list is empty.
fn panel<T>(
    id: &'static str,
    title: &'static str,
    list: Waiting<T>,
    all: (&'static str, &'static str),
    empty: &'static str,
    item: impl Fn(T) -> AnyView,
) -> impl IntoView {
    let heading = format!("{id}-title");
    let labelled_by = heading.clone();
    let count = list.total;
    let shown = list.items.len() as i64;
    let body = if list.items.is_empty() {
        view! { <p class="muted empty">{empty}</p> }.into_any()
    } else {
        let items: Vec<_> = list.items.into_iter().map(item).collect();
        view! { <ul class="work-list">{items}</ul> }.into_any()
    };
    let more = (count > shown).then(|| format!(" ({} more)", count - shown));
    view! {
        <section class="panel work" aria-labelledby=labelled_by data-test=id>
            <h2 id=heading>{title} " " <span class="count">{count}</span></h2>
            {body}
            <p class="small"><a href=all.0>{all.1}</a>{more}</p>
        </section>
    }
}

fn panels(home: StaffHome) -> impl IntoView {
    let roles: Vec<_> = home
        .roles
        .iter()
        .map(|r| view! { <li><strong>{r.label()}</strong>{format!(": {}", r.describe())}</li> })
        .collect();
    let requests = home.requests.map(|list| {
        panel("waiting-requests", "Requests to decide", list, ("/admin/requests", "All requests"), "No request is waiting for a decision.", |r| {
            view! { <li><a href=format!("/admin/requests/{}", r.id)>{r.requester}</a>{format!(" · {} · ", r.company)}<time datetime=r.since.rfc3339()>{format!("waiting since {}", r.since.long())}</time></li> }.into_any()
        })
    });
    let expiring = home.expiring.map(|list| {
        panel("expiring-grants", "Access ending this week", list, ("/admin/grants", "All grants"), "No access ends in the next seven days.", |g| {
            view! { <li><a href=format!("/admin/requests/{}", g.request_id)>{g.prospect}</a>{format!(" · {} · ", g.company)}<time datetime=g.ends.rfc3339()>{format!("ends {}", g.ends.long())}</time></li> }.into_any()
        })
    });
    let stale = home.stale_entries.map(|list| {
        panel("stale-entries", "Answers past their review date", list, ("/admin/kb?stale=yes", "All stale entries"), "Every approved answer is within its review date.", |e| {
            let due = e.due_on.map(|d| format!(" · review was due {d}")).unwrap_or_else(|| " · never reviewed".into());
            let owner = e.owner.map(|o| format!(" · {o}")).unwrap_or_default();
            view! { <li><a href=format!("/admin/kb/{}", e.id)>{e.external_id}</a>{format!(" {}{due}{owner}", e.question)}</li> }.into_any()
        })
    });
    let questionnaires = home.questionnaires.map(|list| {
        panel("questionnaires-due", "Questionnaires due this week", list, ("/admin/questionnaires", "All questionnaires"), "No questionnaire of yours, or unassigned, is due this week.", |q| {
            let due = if q.overdue { format!("overdue since {}", q.due_on) } else { format!("due {}", q.due_on) };
            view! { <li><a href=format!("/admin/questionnaires/{}", q.id)>{q.title}</a>{format!(" · {} · {due} · {} to review", q.company, q.remaining)}</li> }.into_any()
        })
    });
    let mail = home.failed_mail.map(|list| {
        panel("failed-mail", "Mail that could not be delivered", list, ("/admin/audit", "Access log"), "Every mail was delivered.", |m| {
            view! { <li>{format!("{} · to {} · {} attempts · queued ", m.subject, m.to, m.attempts)}<time datetime=m.queued.rfc3339()>{m.queued.long()}</time></li> }.into_any()
        })
    });
    view! {
        <h1>{format!("Welcome, {}", home.name)}</h1>
        <p class="muted">"What is waiting for you."</p>
        <div class="work-grid">{requests}{expiring}{questionnaires}{stale}{mail}</div>
        <details class="roles">
            <summary>"What your roles allow"</summary>
            <ul class="bullets">{roles}</ul>
        </details>
    }
}

/// `/admin`: what is waiting for the person signed in.
#[component]
pub fn AdminHomePage() -> impl IntoView {
    view! {
        <AdminLayout title="Overview">
            {move || Suspend::new(async move {
                match work_waiting().await {
                    Ok(home) => panels(home).into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}
