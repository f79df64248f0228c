//! Documents, subprocessors and FAQ sections.

use crate::{
    components::LockIcon,
    features::{
        documents::model::{PublicDocument, Visibility},
        trust_center::model::{Faq, Subprocessor},
    },
};
use leptos::prelude::*;

/// The documents section: each document with its kind, version, date and size, a download link
/// for public ones and a request link for restricted ones.
#[component]
pub fn DocumentList(documents: Vec<PublicDocument>) -> impl IntoView {
    let any_restricted = documents.iter().any(|d| d.visibility == Visibility::Restricted);
    let rows: Vec<_> = documents.into_iter().map(|doc| view! { <DocumentRow doc /> }).collect();
    view! {
        <section id="documents" class="section alt" aria-labelledby="documents-title">
            <div class="wrap">
                <div class="section-head">
                    <h2 id="documents-title">"Documents"</h2>
                    {any_restricted
                        .then(|| {
                            view! {
                                <a class="button secondary" href="/documents/all/request">
                                    "Request all restricted documents"
                                </a>
                            }
                        })}
                </div>
                <p class="muted">
                    "Public documents download directly. Restricted documents are shared under NDA after we verify your work e-mail and approve the request."
                </p>
                <ul class="doc-list">{rows}</ul>
            </div>
        </section>
    }
}

#[component]
fn DocumentRow(doc: PublicDocument) -> impl IntoView {
    let restricted = doc.visibility == Visibility::Restricted;
    let meta = format!(
        "{} · version {} · updated {} · PDF, {}",
        doc.kind.label(),
        doc.version,
        doc.updated_on.long(),
        doc.size_label()
    );
    let action = if restricted { "Request access" } else { "Download" };
    view! {
        <li class=if restricted { "doc restricted" } else { "doc public" } data-test-document=doc.slug.clone()>
            <div class="doc-text">
                <h3 class="doc-title">
                    {restricted.then(|| view! { <LockIcon /> })} {doc.title.clone()}
                </h3>
                <p class="doc-meta">
                    {restricted.then(|| view! { <span class="restricted-label">"Restricted · "</span> })} {meta}
                </p>
                <p class="doc-desc">{doc.description.clone()}</p>
            </div>
            <a class=if restricted { "button secondary" } else { "button" } href=doc.href()>
                {action}
                <span class="visually-hidden">{format!(": {}", doc.title)}</span>
            </a>
        </li>
    }
}

/// The subprocessors section: a table of name (linked to its website), purpose, location and
/// data processed.
#[component]
pub fn SubprocessorList(subprocessors: Vec<Subprocessor>) -> impl IntoView {
    let count = subprocessors.len();
    let rows: Vec<_> = subprocessors
        .into_iter()
        .map(|s| {
            let name = match s.website_url.clone() {
                Some(url) => view! { <a href=url rel="noopener nofollow">{s.name.clone()}</a> }.into_any(),
                None => s.name.clone().into_any(),
            };
            view! {
                <tr>
                    <th scope="row">{name}</th>
                    <td>{s.purpose}</td>
                    <td>{s.location}</td>
                    <td>{s.data_processed}</td>
                </tr>
            }
        })
        .collect();
    view! {
        <section id="subprocessors" class="section" aria-labelledby="subprocessors-title">
            <div class="wrap">
                <h2 id="subprocessors-title">"Subprocessors"</h2>
                <p class="muted">
                    {format!(
                        "{count} third parties process customer data on our behalf. We give at least 30 days' notice before adding one.",
                    )}
                </p>
                <div class="table-scroll" tabindex="0" role="region" aria-label="Subprocessors table">
                    <table class="table">
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Purpose"</th>
                                <th scope="col">"Location"</th>
                                <th scope="col">"Data processed"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </div>
        </section>
    }
}

/// The FAQ section: each question opens to its answer, without JavaScript.
#[component]
pub fn FaqList(faqs: Vec<Faq>) -> impl IntoView {
    let items: Vec<_> = faqs
        .into_iter()
        .map(|f| {
            view! {
                <details class="faq">
                    <summary>{f.question}</summary>
                    <p>{f.answer}</p>
                </details>
            }
        })
        .collect();
    view! {
        <section id="faq" class="section alt" aria-labelledby="faq-title">
            <div class="wrap narrow">
                <h2 id="faq-title">"Frequently asked questions"</h2>
                {items}
            </div>
        </section>
    }
}
