//! A company's access on its page (sales): its people, requests, grants, downloads and NDA
//! acceptances, each table saying so when it is empty.

use crate::{
    components::Badge,
    features::access::model::{CompanyAccess, GrantState},
};
use leptos::prelude::*;

fn when(t: crate::types::Timestamp) -> impl IntoView {
    view! { <time datetime=t.rfc3339()>{t.date().long()}</time> }
}

/// A panel with a heading and a table, or the sentence for an empty one.
fn section(
    id: &'static str,
    title: &'static str,
    head: &'static [&'static str],
    rows: Vec<AnyView>,
    empty: &'static str,
) -> impl IntoView {
    let heading = format!("{id}-title");
    let labelled = heading.clone();
    let body = if rows.is_empty() {
        view! { <p class="empty">{empty}</p> }.into_any()
    } else {
        let head: Vec<_> = head.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect();
        view! { <div class="table-scroll"><table class="table" data-test=id><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div> }.into_any()
    };
    view! {
        <section class="panel" aria-labelledby=labelled>
            <h2 id=heading>{title}</h2>
            {body}
        </section>
    }
}

/// The access panels of a company's page.
#[component]
pub fn CompanyAccessPanels(access: CompanyAccess) -> impl IntoView {
    let standing = if access.personal {
        "Individuals with free-mail or disposable addresses: each is handled on their own and accepts the NDA; the company each typed is shown.".to_string()
    } else {
        match (access.is_customer, access.mnda_expires_on) {
            (true, Some(until)) => format!("Customer with an MNDA until {}.", until.long()),
            (true, None) => "Customer; no MNDA on record, so each person accepts the NDA.".into(),
            _ => "Not a customer: each person accepts the NDA.".into(),
        }
    };
    let people: Vec<AnyView> = access.people.into_iter().map(|p| view! {
        <tr><td>{p.name}</td><td>{p.email}</td><td>{p.typed_company}</td><td>{when(p.joined)}</td><td>{p.last_sign_in.map(|t| when(t).into_any()).unwrap_or_else(|| "never".into_any())}</td></tr>
    }.into_any()).collect();
    let requests: Vec<AnyView> = access.requests.into_iter().map(|(who, r)| view! {
        <tr><td>{when(r.created_at)}</td><td><a href=format!("/admin/requests/{}", r.id)>{who}</a></td><td>{r.documents.join(", ")}</td><td><Badge tone=r.tone() text=r.standing() /></td></tr>
    }.into_any()).collect();
    let grants: Vec<AnyView> = access.grants.into_iter().map(|g| {
        let tone = match g.grant.state { GrantState::Active => "good", GrantState::Expired => "neutral", GrantState::Revoked => "bad" };
        view! {
            <tr><td>{g.prospect_email}</td><td>{g.grant.documents.iter().map(|d| d.title.clone()).collect::<Vec<_>>().join(", ")}</td><td><Badge tone text=g.grant.state.label() /></td><td>{when(g.grant.expires_at)}</td></tr>
        }.into_any()
    }).collect();
    let downloads: Vec<AnyView> = access.downloads.into_iter().map(|(who, d)| view! {
        <tr><td>{when(d.at)}</td><td>{who}</td><td>{format!("{} (version {})", d.document, d.version)}</td><td><code class="id">{d.download_id}</code></td></tr>
    }.into_any()).collect();
    let acceptances: Vec<AnyView> = access.acceptances.into_iter().map(|a| view! {
        <tr><td>{when(a.accepted_at)}</td><td>{format!("{}, {}", a.typed_name, a.typed_title)}<br /><span class="small">{a.email}</span></td><td>{format!("{} v{}", a.title, a.version)}</td><td>{a.status}</td></tr>
    }.into_any()).collect();
    view! {
        <p data-test="standing">{standing}</p>
        {section("people", "People", &["Name", "E-mail", "Company they typed", "Joined", "Last sign-in"], people, "Nobody from this company has signed in yet.")}
        {section("requests", "Access requests", &["Asked", "By", "Documents", "State"], requests, "No requests yet.")}
        {section("grants", "Grants", &["Person", "Documents", "State", "Until"], grants, "No access granted yet.")}
        {section("downloads", "Downloads", &["When", "Who", "Document", "Download ID"], downloads, "Nothing downloaded yet.")}
        {section("acceptances", "NDA acceptances", &["Accepted", "Signed by", "NDA", "State"], acceptances, "No NDA accepted yet.")}
    }
}
