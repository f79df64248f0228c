//! Sales and admin pages: the request queue, a decision, grants, companies, rules.

use crate::{
    components::{rows_or, Badge, ErrorPanel},
    features::{
        access::{
            api::{
                access_queue, access_request_detail, list_companies, list_grants, list_rules, DecideAccessRequest,
                ExtendGrant, RevokeGrant, SaveRule, SetDefaultAccessDays, UpdateCompany,
            },
            domain::RuleAction,
            model::{GrantRow, GrantState, NdaState, QueueItem, RequestStatus, RequestSummary},
        },
        accounts::views::AdminLayout,
    },
    forms::{load_flash, Field, Flash, FlashMessages, TextArea},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_params_map;

fn nda_badge(nda: &NdaState) -> impl IntoView {
    let tone = if nda.is_satisfied() { "good" } else { "warn" };
    view! { <Badge tone text=nda.label() /> }
}

fn status_badge(request: &RequestSummary) -> impl IntoView {
    view! { <Badge tone=request.tone() text=request.standing() /> }
}

fn queue_rows(items: Vec<QueueItem>) -> Vec<impl IntoView> {
    items
        .into_iter()
        .map(|q| {
            view! {
                <tr data-test-request=q.request.id.to_string()>
                    <td><a href=format!("/admin/requests/{}", q.request.id)>{q.requester_name.clone()}</a><br /><span class="small">{q.requester_email.clone()}</span></td>
                    <td>{q.company_name.clone()}{q.free_mail.then(|| view! { " " <Badge tone="warn" text="Free-mail" /> })}</td>
                    <td>{q.request.documents.join(", ")}{(q.request.kind == "extension").then_some(" (extension)")}</td>
                    <td>{nda_badge(&q.nda)}</td>
                    <td>{status_badge(&q.request)}</td>
                    <td>{q.request.created_at.long()}</td>
                </tr>
            }
        })
        .collect()
}

/// `/admin/requests`: the requests waiting (in review first, then those waiting for the NDA,
/// oldest first) and the 20 latest decisions.
#[component]
pub fn RequestsPage() -> impl IntoView {
    view! {
        <AdminLayout title="Access requests">
            {move || Suspend::new(async move {
                let flash = load_flash("queue").await;
                match access_queue().await {
                    Ok((open, recent)) => {
                        let empty = open.is_empty();
                        let head = || view! { <thead><tr><th scope="col">"Person"</th><th scope="col">"Company"</th><th scope="col">"Documents"</th><th scope="col">"NDA"</th><th scope="col">"Status"</th><th scope="col">"Asked"</th></tr></thead> };
                        view! {
                            <h1>"Access requests"</h1>
                            <FlashMessages flash />
                            <h2>"Waiting"</h2>
                            {if empty { view! { <p class="muted">"Nothing is waiting."</p> }.into_any() } else {
                                view! { <div class="table-scroll"><table class="table">{head()}<tbody>{queue_rows(open)}</tbody></table></div> }.into_any()
                            }}
                            <h2>"Recently decided"</h2>
                            <div class="table-scroll"><table class="table">{head()}<tbody>{rows_or(queue_rows(recent), 7, "Nothing decided yet.")}</tbody></table></div>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}

/// `/admin/requests/:id`: one request with the requester, their NDA standing and their
/// company's history; approve (while in review) or deny it while it is open.
#[component]
pub fn RequestDetailPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or_default());
    view! {
        <AdminLayout title="Access request">
            {move || Suspend::new(async move {
                let flash = load_flash("decide").await;
                match access_request_detail(id).await {
                    Ok(detail) => {
                        let q = detail.item.clone();
                        let open = matches!(q.request.status, RequestStatus::PendingReview | RequestStatus::PendingNda);
                        let can_approve = q.request.status == RequestStatus::PendingReview;
                        // After a refusal, what was ticked; otherwise every requested document.
                        let ticked: Option<Vec<String>> =
                            flash.values.get("documents").map(|t| t.lines().map(str::to_owned).collect());
                        let boxes: Vec<_> = detail.documents.iter().enumerate().map(|(i, d)| {
                            let id = format!("approve-doc-{i}");
                            let checked = ticked.as_ref().is_none_or(|t| t.contains(&d.slug));
                            view! { <label class="check" for=id.clone()><input type="checkbox" id=id.clone() name=format!("documents[{i}]") value=d.slug.clone() checked=checked />{d.title.clone()}</label> }
                        }).collect();
                        let history: Vec<_> = detail.company_requests.iter().map(|(who, r)| view! {
                            <li>{format!("{} — {}: {} ", r.created_at.date().long(), who, r.documents.join(", "))}{status_badge(r)}</li>
                        }).collect();
                        let downloads: Vec<_> = detail.company_downloads.iter().map(|(who, d)| view! {
                            <li>{format!("{} — {} downloaded {} (v{})", d.at.long(), who, d.document, d.version)}</li>
                        }).collect();
                        let (no_history, no_downloads) = (history.is_empty(), downloads.is_empty());
                        view! {
                            <p class="crumbs"><a href="/admin/requests">"← All requests"</a></p>
                            <h1>{format!("{} ({})", q.requester_name, q.company_name)}</h1>
                            <FlashMessages flash=flash.clone() />
                            <dl class="kv">
                                <div><dt>"E-mail"</dt><dd>{q.requester_email.clone()}{q.free_mail.then(|| view! { " " <Badge tone="warn" text="Free-mail address" /> })}</dd></div>
                                <div><dt>"Company domain"</dt><dd>{q.company_domain.clone()}</dd></div>
                                <div><dt>"Role"</dt><dd>{q.request.requester_role.clone()}</dd></div>
                                <div><dt>"Reason"</dt><dd>{q.request.reason.clone()}</dd></div>
                                <div><dt>"NDA"</dt><dd>{nda_badge(&q.nda)}</dd></div>
                                <div><dt>"Status"</dt><dd>{status_badge(&q.request)}</dd></div>
                                <div><dt>"Documents"</dt><dd>{q.request.documents.join(", ")}</dd></div>
                                <div><dt>"Asked"</dt><dd>{q.request.created_at.long()}</dd></div>
                            </dl>
                            {(!q.request.decision_note.is_empty()).then(|| view! { <p><strong>"Decision note: "</strong>{q.request.decision_note.clone()}</p> })}
                            {open.then(|| view! {
                                <div class="decisions">
                                    {can_approve.then(|| view! {
                                        <section class="panel" aria-labelledby="approve-title">
                                            <h2 id="approve-title">"Approve"</h2>
                                            <form method="post" action=DecideAccessRequest::url() class="form" novalidate>
                                                <input type="hidden" name="id" value=id.to_string() />
                                                <input type="hidden" name="decision" value="approve" />
                                                <fieldset class="docs"><legend>"Documents to grant"</legend>{boxes}</fieldset>
                                                {flash.field_error("documents").map(|e| view! { <p class="field-error">{e}</p> })}
                                                <Field name="expires_on" label="Access until" kind="date" value=flash.typed_or("expires_on", detail.default_expiry.to_string()) error=flash.field_error("expires_on") />
                                                <div class="field"><label for="approve-note">"Note to the requester (optional)"</label><TextArea id="approve-note" name="note" rows=2 value=flash.value("note") /></div>
                                                <button type="submit" class="button">"Approve"</button>
                                            </form>
                                        </section>
                                    })}
                                    <section class="panel" aria-labelledby="deny-title">
                                        <h2 id="deny-title">"Deny"</h2>
                                        <form method="post" action=DecideAccessRequest::url() class="form" novalidate>
                                            <input type="hidden" name="id" value=id.to_string() />
                                            <input type="hidden" name="decision" value="deny" />
                                            <div class="field"><label for="deny-note">"Note to the requester"</label><TextArea id="deny-note" name="note" rows=2 value=flash.value("note") /></div>
                                            <button type="submit" class="button secondary">"Deny"</button>
                                        </form>
                                    </section>
                                </div>
                            })}
                            <h2>"This company's history"</h2>
                            {if no_history { view! { <p class="muted">"No earlier requests."</p> }.into_any() } else { view! { <ul class="bullets">{history}</ul> }.into_any() }}
                            <h3>"Downloads"</h3>
                            {if no_downloads { view! { <p class="muted">"No downloads yet."</p> }.into_any() } else { view! { <ul class="bullets">{downloads}</ul> }.into_any() }}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}

/// One grant's row: an active grant can be revoked (with a reason and a confirmation) or
/// extended, an expired one extended; after a refusal the row that was acted on is open again
/// with what was typed.
fn grant_row(g: GrantRow, flash: &Flash) -> impl IntoView {
    let id = g.grant.id;
    let state = g.grant.state;
    let tone = match state {
        GrantState::Active => "good",
        GrantState::Expired => "neutral",
        GrantState::Revoked => "bad",
    };
    let mine = flash.value("grant_id") == id.to_string();
    let typed = |field: &str| if mine { flash.value(field) } else { String::new() };
    let error = |field: &str| {
        if mine {
            flash.field_error(field).map(|e| view! { <p class="field-error">{e}</p> })
        } else {
            None
        }
    };
    let revoke = (state == GrantState::Active).then(|| view! {
        <form method="post" action=RevokeGrant::url() class="stack-form" data-test="revoke">
            <input type="hidden" name="grant_id" value=id.to_string() />
            <label for=format!("revoke-note-{id}")>"Reason (sent to them)"</label>
            <input type="text" id=format!("revoke-note-{id}") name="note" required maxlength="1000" value=typed("note") />
            {error("note")}
            <label class="check" for=format!("revoke-confirm-{id}")><input type="checkbox" id=format!("revoke-confirm-{id}") name="confirm" value="yes" required />"End their access now"</label>
            {error("confirm")}
            <button type="submit" class="button danger small">"Revoke access"</button>
        </form>
    });
    let extend = (state != GrantState::Revoked).then(|| {
        view! {
            <form method="post" action=ExtendGrant::url() class="stack-form" data-test="extend">
                <input type="hidden" name="grant_id" value=id.to_string() />
                <label for=format!("extend-until-{id}")>"New end date"</label>
                <input type="date" id=format!("extend-until-{id}") name="until" required value=typed("until") />
                {error("until")}
                <button type="submit" class="button secondary small">"Extend"</button>
            </form>
        }
    });
    let actions = (state != GrantState::Revoked).then(|| {
        view! {
            <details class="row-actions" open=mine>
                <summary>{if state == GrantState::Active { "Extend or revoke" } else { "Extend" }}</summary>
                {extend}
                {revoke}
            </details>
        }
    });
    view! {
        <tr data-test-grant=id.to_string()>
            <td>{g.prospect_name}<br /><span class="small">{g.prospect_email}</span></td>
            <td>{g.company_name}</td>
            <td>{g.grant.documents.iter().map(|d| d.title.clone()).collect::<Vec<_>>().join(", ")}</td>
            <td><Badge tone text=state.label() /></td>
            <td><time datetime=g.grant.expires_at.rfc3339()>{g.grant.expires_at.date().long()}</time></td>
            <td>{actions}</td>
        </tr>
    }
}

/// `/admin/grants`: every grant with its holder, documents, state and end date; an active one
/// can be revoked with a reason sent to its holder.
#[component]
pub fn GrantsPage() -> impl IntoView {
    view! {
        <AdminLayout title="Grants">
            {move || Suspend::new(async move {
                let flash = load_flash("grants").await;
                match list_grants().await {
                    Ok(grants) => {
                        let rows: Vec<_> = grants.into_iter().map(|g| grant_row(g, &flash)).collect();
                        view! {
                            <h1>"Grants"</h1>
                            <FlashMessages flash=flash.clone() />
                            <div class="table-scroll"><table class="table">
                                <thead><tr><th scope="col">"Person"</th><th scope="col">"Company"</th><th scope="col">"Documents"</th><th scope="col">"State"</th><th scope="col">"Until"</th><th scope="col"><span class="visually-hidden">"Action"</span></th></tr></thead>
                                <tbody>{rows_or(rows, 6, "No access granted yet.")}</tbody>
                            </table></div>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}

/// `/admin/companies`: every company by domain, with its name and MNDA standing editable in
/// place and its counts.
#[component]
pub fn CompaniesPage() -> impl IntoView {
    view! {
        <AdminLayout title="Companies">
            {move || Suspend::new(async move {
                let flash = load_flash("companies").await;
                match list_companies().await {
                    Ok(companies) => {
                        let rows: Vec<_> = companies.into_iter().map(|c| {
                            let id = c.id.to_string();
                            // After a refusal, the row acted on shows what was typed and why.
                            let mine = flash.value("id") == id;
                            let name = if mine { flash.value("name") } else { c.name.clone() };
                            let is_customer = if mine { flash.value("is_customer") == "yes" } else { c.is_customer };
                            let mnda = if mine { flash.value("mnda_expires_on") } else { c.mnda_expires_on.map(|d| d.to_string()).unwrap_or_default() };
                            let errors: Vec<_> = ["name", "is_customer", "mnda_expires_on"].into_iter().filter(|_| mine).filter_map(|f| flash.field_error(f)).map(|e| view! { <p class="field-error">{e}</p> }).collect();
                            view! {
                                <tr data-test-company=c.domain.clone()>
                                    <td><a href=format!("/admin/companies/{}", c.id)>{c.domain.clone()}</a></td>
                                    <td colspan="2">
                                        <form method="post" action=UpdateCompany::url() class="form-inline">
                                            <input type="hidden" name="id" value=id.clone() />
                                            <label class="visually-hidden" for=format!("name-{id}")>"Name"</label>
                                            <input type="text" id=format!("name-{id}") name="name" value=name />
                                            {if c.personal {
                                                view! { <span class="small muted">"Individuals (free-mail or disposable addresses): each accepts the NDA; never a customer with an MNDA."</span> }.into_any()
                                            } else {
                                                view! {
                                                    <label class="check" for=format!("customer-{id}")><input type="checkbox" id=format!("customer-{id}") name="is_customer" value="yes" checked=is_customer />"Customer with MNDA until"</label>
                                                    <label class="visually-hidden" for=format!("mnda-{id}")>"MNDA expires on"</label>
                                                    <input type="date" id=format!("mnda-{id}") name="mnda_expires_on" value=mnda.clone() />
                                                }.into_any()
                                            }}
                                            <button type="submit" class="button secondary small">"Save"</button>
                                        </form>
                                        {errors}
                                    </td>
                                    <td>{c.prospects}</td>
                                    <td>{c.open_requests}</td>
                                    <td>{c.active_grants}</td>
                                </tr>
                            }
                        }).collect();
                        view! {
                            <h1>"Companies"</h1>
                            <FlashMessages flash />
                            <p class="muted">"Requesters are grouped by e-mail domain. A customer whose mutual NDA is on file skips the click-through NDA until the MNDA expires."</p>
                            <div class="table-scroll"><table class="table">
                                <thead><tr><th scope="col">"Domain"</th><th scope="col" colspan="2">"Name and MNDA"</th><th scope="col">"People"</th><th scope="col">"Open requests"</th><th scope="col">"Active grants"</th></tr></thead>
                                <tbody>{rows_or(rows, 6, "No company yet: one appears when someone from it signs in.")}</tbody>
                            </table></div>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}

fn action_options(selected: RuleAction) -> Vec<impl IntoView> {
    RuleAction::ALL
        .into_iter()
        .map(|a| view! { <option value=a.code() selected=a == selected>{a.label()}</option> })
        .collect()
}

/// `/admin/rules` (admins): the access rules, editable in place, a form to add one, and the
/// default access period.
#[component]
pub fn RulesPage() -> impl IntoView {
    view! {
        <AdminLayout title="Access rules">
            {move || Suspend::new(async move {
                let flash = load_flash("rules").await;
                match list_rules().await {
                    Ok(page) => {
                        let rows: Vec<_> = page.rules.into_iter().map(|r| {
                            let id = r.id.to_string();
                            view! {
                                <tr data-test-rule=r.pattern.clone()>
                                    <td colspan="4">
                                        <form method="post" action=SaveRule::url() class="form-inline">
                                            <input type="hidden" name="id" value=id.clone() />
                                            <label class="visually-hidden" for=format!("prio-{id}")>"Priority"</label>
                                            <input class="narrow-input" type="number" id=format!("prio-{id}") name="priority" value=r.priority.to_string() />
                                            <label class="visually-hidden" for=format!("pattern-{id}")>"Domain pattern"</label>
                                            <input type="text" id=format!("pattern-{id}") name="pattern" value=r.pattern.clone() />
                                            <label class="visually-hidden" for=format!("action-{id}")>"Action"</label>
                                            <select id=format!("action-{id}") name="action">{action_options(r.action)}</select>
                                            <label class="visually-hidden" for=format!("note-{id}")>"Note"</label>
                                            <input type="text" id=format!("note-{id}") name="note" value=r.note.clone() placeholder="Note" />
                                            <button type="submit" class="button secondary small">"Save"</button>
                                            <button type="submit" class="button secondary small" name="delete" value="yes">"Delete"</button>
                                        </form>
                                    </td>
                                </tr>
                            }
                        }).collect();
                        view! {
                            <h1>"Access rules"</h1>
                            <FlashMessages flash=flash.clone() />
                            <p class="muted">"Rules run by priority (lowest first); the first whose domain pattern matches the requester decides. Without a match a request goes to review. Free-mail addresses (gmail.com, outlook.com, …) go to review even under a catch-all * rule, unless a rule names their domain."</p>
                            <table class="table"><thead><tr><th scope="col" colspan="4">"Priority · pattern · action · note"</th></tr></thead><tbody>{rows_or(rows, 4, "No rule yet: every request goes to review.")}</tbody></table>
                            <section class="panel" aria-labelledby="new-rule">
                                <h2 id="new-rule">"Add a rule"</h2>
                                <form method="post" action=SaveRule::url() class="form" novalidate>
                                    <Field name="priority" label="Priority" kind="number" value=flash.value("priority") error=flash.field_error("priority") hint="Lower runs first, e.g. 10." />
                                    <Field name="pattern" label="Domain pattern" value=flash.value("pattern") error=flash.field_error("pattern") hint="contoso.com, *.contoso.com, or * for everyone." />
                                    <div class="field"><label for="new-action">"Action"</label><select id="new-action" name="action">{action_options(RuleAction::Review)}</select></div>
                                    <Field name="note" label="Note" value=flash.value("note") required=false />
                                    <button type="submit" class="button">"Add rule"</button>
                                </form>
                            </section>
                            <section class="panel" aria-labelledby="period-title">
                                <h2 id="period-title">"Default access period"</h2>
                                <form method="post" action=SetDefaultAccessDays::url() class="form-inline">
                                    <label for="days">"Days"</label>
                                    <input class="narrow-input" type="number" id="days" name="default_access_days" value=flash.typed_or("default_access_days", page.default_access_days.to_string()) />
                                    <button type="submit" class="button secondary small">"Save"</button>
                                </form>
                                {flash.field_error("default_access_days").map(|e| view! { <p class="field-error">{e}</p> })}
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
