//! The ask page (`/ask`, complete without JavaScript), the box on the public page, and the staff
//! gap queue (`/admin/kb/gaps`).

use super::{
    api::{ask_entry, ask_gaps, ask_question, AskAnswerGap, AskConfirmEmail, AskDismissGap, AskLeaveEmail},
    model::{AskMatch, AskResult, Gap, MAX_QUESTION},
};
use crate::{
    components::{Badge, BrandedPage, ErrorPanel},
    features::{accounts::views::AdminLayout, knowledge::model::SHORT_ANSWERS},
    forms::{load_flash, Field, Flash, FlashMessages, TextArea},
    types::Timestamp,
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;

/// The question form: a plain GET to `/ask`.
#[component]
pub fn AskForm(#[prop(into)] value: String) -> impl IntoView {
    view! {
        <form method="get" action="/ask" class="ask-form" role="search" aria-label="Ask a security question">
            <label for="ask-q">"Your question"</label>
            <div class="ask-row">
                <input id="ask-q" name="q" type="search" required maxlength=MAX_QUESTION.to_string() value=value
                    placeholder="e.g. Do you encrypt customer data at rest?" />
                <button type="submit" class="button">"Ask"</button>
            </div>
        </form>
    }
}

/// The public page's box: answers come from the security team's approved answers.
#[component]
pub fn AskSection() -> impl IntoView {
    view! {
        <section id="ask" class="section" aria-labelledby="ask-title">
            <div class="wrap narrow">
                <h2 id="ask-title">"Ask a security question"</h2>
                <p class="muted">"Answers are quoted from the security team's approved answers, never generated."</p>
                <AskForm value="" />
            </div>
        </section>
    }
}

fn quote(m: AskMatch, lead: bool) -> impl IntoView {
    // A published FAQ item (its id has a space, which no entry's id has) is on the public page.
    let link = if m.external_id.contains(' ') {
        "/#faq".to_string()
    } else {
        format!("/ask?entry={}", crate::paths::query_value(&m.external_id))
    };
    let short = (!m.short_answer.is_empty())
        .then(|| view! { <p><strong class="short-answer">{m.short_answer.clone()}</strong></p> });
    view! {
        <article class=if lead { "ask-answer lead-answer" } else { "ask-answer" } data-test="ask-match" data-entry=m.external_id.clone()>
            <h3>{m.question}</h3>
            {short}
            <p class="explanation">{m.explanation}</p>
            <p class="muted small">{m.category} " · " <a href=link>"Link to this answer"</a></p>
        </article>
    }
}

fn result_view(result: AskResult, flash: Flash) -> AnyView {
    let hint = (!result.under_nda).then(|| view! {
        <p class="muted small">"Customers and prospects with access who have accepted the NDA see more answers once signed in."</p>
    });
    if result.answered {
        let best = result.matches.into_iter().next();
        return view! {
            <section aria-labelledby="ask-result" data-test="ask-answered" aria-live="polite">
                <h2 id="ask-result">"Our approved answer"</h2>
                {best.map(|m| quote(m, true))}
                {hint}
            </section>
        }
        .into_any();
    }
    let related = (!result.matches.is_empty()).then(|| {
        let items: Vec<_> = result.matches.into_iter().map(|m| quote(m, false)).collect();
        view! { <h3>"Approved answers that may be related"</h3> {items} }
    });
    view! {
        <section aria-labelledby="ask-result" data-test="ask-no-answer" aria-live="polite">
            <h2 id="ask-result">"No approved answer yet"</h2>
            <p>"The security team has not approved an answer to this question. Leave your e-mail and we will send you their answer once it is approved."</p>
            <FlashMessages flash=flash.clone() />
            <form method="post" action=AskLeaveEmail::url() class="form" novalidate>
                <input type="hidden" name="q" value=result.question.clone() />
                <Field name="email" label="Your e-mail" kind="email" autocomplete="email" value=flash.value("email") error=flash.field_error("email") />
                <button type="submit" class="button secondary">"E-mail me the answer"</button>
            </form>
            {related}
            {hint}
        </section>
    }
    .into_any()
}

/// `/ask?q=…`: the answer to a question; `/ask?entry=KB-001`: one approved answer.
#[component]
pub fn AskPage() -> impl IntoView {
    let (q, entry) =
        use_query_map().with_untracked(|m| (m.get("q").unwrap_or_default(), m.get("entry").unwrap_or_default()));
    view! {
        <BrandedPage title="Ask a security question">
            {
                let (q, entry) = (q.clone(), entry.clone());
                move || {
                    let (q, entry) = (q.clone(), entry.clone());
                    Suspend::new(async move {
                        let flash = load_flash("ask").await;
                        let body = if !entry.trim().is_empty() {
                            match ask_entry(entry.trim().to_string()).await {
                                Ok(m) => quote(m, true).into_any(),
                                Err(error) => view! { <ErrorPanel error /> }.into_any(),
                            }
                        } else if q.trim().is_empty() {
                            view! { <FlashMessages flash /> }.into_any()
                        } else {
                            match ask_question(q.clone()).await {
                                Ok(result) => result_view(result, flash),
                                Err(error) => view! { <ErrorPanel error /> }.into_any(),
                            }
                        };
                        view! {
                            <div class="wrap narrow ask-page">
                                <p class="crumbs"><a href="/">"← Trust center"</a></p>
                                <h1>"Ask a security question"</h1>
                                <p class="lead-small">"Answers are quoted from the security team's approved answers, never generated."</p>
                                <AskForm value=q />
                                {body}
                            </div>
                        }
                    })
                }
            }
        </BrandedPage>
    }
}

fn gap_row(g: Gap) -> impl IntoView {
    let open = g.status != "answered";
    let entry = g.entry.clone().map(|(id, x, status)| view! {
        <a href=format!("/admin/kb/{id}")>{x}</a> " " <Badge tone=if status == "approved" { "good" } else { "neutral" } text=status />
    });
    let asked = format!("{} × · last {}", g.asked_count, Timestamp(g.last_asked_at).long());
    let visibility_options: Vec<_> = [("public", "Public"), ("nda", "Under NDA"), ("internal", "Internal")]
        .iter()
        .map(|(c, l)| view! { <option value=*c>{*l}</option> })
        .collect();
    let shorts: Vec<_> = SHORT_ANSWERS.iter().map(|s| view! { <option value=*s>{*s}</option> }).collect();
    let id = g.id.to_string();
    view! {
        <li class="gap" data-test="gap" data-status=g.status.clone()>
            <p><strong>{g.question.clone()}</strong></p>
            <p class="muted small">{asked} {format!(" · {} waiting for an e-mail", g.askers)} " · " {g.status.clone()} " " {entry}</p>
            {open.then(|| view! {
                <details>
                    <summary>"Answer it"</summary>
                    <form method="post" action=AskAnswerGap::url() class="form">
                        <input type="hidden" name="id" value=id.clone() />
                        <input type="hidden" name="mode" value="draft" />
                        <p class="muted small">"A new draft entry with the visitor's question; approve it on its page to tell whoever asked."</p>
                        <label for=format!("short-{id}")>"Short answer"</label>
                        <select id=format!("short-{id}") name="short_answer">{shorts}</select>
                        <label for=format!("explanation-{id}")>"Answer"</label>
                        <TextArea id=format!("explanation-{id}") name="explanation" rows=4 required=true value="" />
                        <label for=format!("visibility-{id}")>"Who may see it"</label>
                        <select id=format!("visibility-{id}") name="visibility">{visibility_options}</select>
                        <button type="submit" class="button">"Create the draft entry"</button>
                    </form>
                    <form method="post" action=AskAnswerGap::url() class="form inline">
                        <input type="hidden" name="id" value=id.clone() />
                        <input type="hidden" name="mode" value="existing" />
                        <label for=format!("existing-{id}")>"Or answer with the entry"</label>
                        <input id=format!("existing-{id}") name="external_id" placeholder="KB-012" required />
                        <button type="submit" class="button secondary">"Link it"</button>
                    </form>
                    <form method="post" action=AskDismissGap::url() class="form inline">
                        <input type="hidden" name="id" value=id.clone() />
                        <button type="submit" class="button link">"Dismiss"</button>
                    </form>
                </details>
            })}
        </li>
    }
}

/// `/admin/kb/gaps`: questions visitors asked that no approved entry they could see answered.
#[component]
pub fn GapQueuePage() -> impl IntoView {
    view! {
        <AdminLayout title="Questions without an answer">
            {move || Suspend::new(async move {
                let flash = load_flash("gaps").await;
                match ask_gaps().await {
                    Ok(gaps) => {
                        let (open, done): (Vec<Gap>, Vec<Gap>) = gaps.into_iter().partition(|g| g.status == "open");
                        let n = open.len();
                        let open_rows: Vec<_> = open.into_iter().map(gap_row).collect();
                        let done_rows: Vec<_> = done.into_iter().map(gap_row).collect();
                        view! {
                            <p class="crumbs"><a href="/admin/kb">"← Knowledge base"</a></p>
                            <h1>"Questions without an answer"</h1>
                            <p class="muted">"Asked on the public page, with no approved answer the visitor could see. Most asked first."</p>
                            <FlashMessages flash />
                            <section class="panel" aria-labelledby="open-gaps">
                                <h2 id="open-gaps">{format!("Open ({n})")}</h2>
                                {if n == 0 { view! { <p>"None: every question asked had an approved answer."</p> }.into_any() } else { view! { <ul class="gaps" data-test="open-gaps">{open_rows}</ul> }.into_any() }}
                            </section>
                            <section class="panel" aria-labelledby="done-gaps">
                                <h2 id="done-gaps">"Recently answered or dismissed"</h2>
                                <ul class="gaps">{done_rows}</ul>
                            </section>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}

/// `/ask/confirm?token=…`: one button that confirms the address (a GET changes nothing).
#[component]
pub fn AskConfirmPage() -> impl IntoView {
    let token = use_query_map().with_untracked(|q| q.get("token").unwrap_or_default());
    view! {
        <BrandedPage title="Confirm your address">
            <div class="wrap narrow">
                <h1>"Confirm your address"</h1>
                <p>"Press the button to be e-mailed the security team's answer to the question you asked on the trust center."</p>
                <form method="post" action=AskConfirmEmail::url()>
                    <input type="hidden" name="token" value=token.clone() />
                    <button type="submit" class="button">"Confirm"</button>
                </form>
            </div>
        </BrandedPage>
    }
}
