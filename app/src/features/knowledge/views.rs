//! Staff pages of the knowledge base: the list with search, filters, import/export and a
//! "try a question" box; one entry's form and history; the hygiene view.

use super::{
    api::{kb_entry, kb_hygiene, kb_list, kb_try, KbSave, KbSetState},
    model::{KbEntry, KbFilter, KbPair, KbStatus, KbVisibility, SHORT_ANSWERS},
};
use crate::features::questionnaires::views::ToldCompanies;
use crate::{
    components::{rows_or, Badge, ErrorPanel},
    features::accounts::views::AdminLayout,
    forms::{load_flash, Field, FlashMessages, TextArea},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::{use_params_map, use_query_map};

fn status_badge(e: &KbEntry) -> impl IntoView {
    let (tone, text) = match (e.status, e.stale) {
        (KbStatus::Approved, true) => ("warn", "Stale"),
        (KbStatus::Approved, false) => ("good", "Approved"),
        (KbStatus::Draft, _) => ("neutral", "Draft"),
        (KbStatus::Retired, _) => ("bad", "Retired"),
    };
    view! { <Badge tone text=text /> }
}

fn options(all: &[(&'static str, &'static str)], selected: &str) -> impl IntoView {
    all.iter()
        .map(|(code, label)| view! { <option value=*code selected=*code == selected>{*label}</option> })
        .collect::<Vec<_>>()
}

/// `/admin/kb`: the entries with search and filters (from the query string), "try a question"
/// (`?try=`), and import and export; its data needs the security role.
#[component]
pub fn KnowledgeBasePage() -> impl IntoView {
    let query = StoredValue::new(use_query_map().with_untracked(|q| {
        let get = |k: &str| q.get(k).unwrap_or_default();
        (
            KbFilter {
                q: get("q"),
                status: get("status"),
                category: get("category"),
                visibility: get("visibility"),
                stale: get("stale"),
            },
            get("try"),
        )
    }));
    view! {
        <AdminLayout title="Knowledge base">
            {move || {
                let (filter, try_question) = query.get_value();
                Suspend::new(async move {
                    let flash = load_flash("kb").await;
                    let tried = if try_question.trim().is_empty() { None } else { Some(kb_try(try_question.clone()).await) };
                    match kb_list(filter.clone()).await {
                        Ok(page) => {
                            let shown = page.entries.len();
                            let rows: Vec<_> = page.entries.into_iter().map(|e| {
                                let href = format!("/admin/kb/{}", e.id);
                                let badge = status_badge(&e);
                                view! {
                                    <tr data-test-kb=e.external_id.clone()>
                                        <td class="id"><a href=href>{e.external_id.clone()}</a></td>
                                        <td>{e.question.clone()}</td>
                                        <td>{e.short_answer.clone()}</td>
                                        <td>{e.category.clone()}</td>
                                        <td>{badge}</td>
                                        <td>{e.visibility.label()}</td>
                                        <td class="small">{e.review_due_on.clone().unwrap_or_else(|| "never reviewed".into())}</td>
                                        <td class="small">{e.owner_name.clone().unwrap_or_default()}</td>
                                    </tr>
                                }
                            }).collect();
                            let categories: Vec<_> = page.categories.iter().map(|c| {
                                view! { <option value=c.clone() selected=*c == filter.category>{c.clone()}</option> }
                            }).collect();
                            let statuses = [("", "Any"), ("draft", "Draft"), ("approved", "Approved"), ("retired", "Retired")];
                            let visibilities = [("", "Any"), ("internal", "Internal"), ("nda", "Under NDA"), ("public", "Public")];
                            let counts = page.counts.clone();
                            let engine_note = if page.semantic {
                                "Suggestions combine keyword ranking (with an acronym and synonym table) and a local language model; nothing leaves this server."
                            } else {
                                "Suggestions use keyword ranking with an acronym and synonym table (the local language model is not installed)."
                            };
                            view! {
                                <h1>"Knowledge base"</h1>
                                <FlashMessages flash=flash.clone() />
                                <p class="muted">{format!("{} approved · {} drafts · {} retired · {} stale (past their review date: never auto-filled)", counts.approved, counts.draft, counts.retired, counts.stale)}</p>
                                <p><a class="button" href="/admin/kb/new">"New entry"</a> " " <a class="button secondary" href="/admin/kb/hygiene">"Hygiene: duplicates, conflicts, stale"</a></p>
                                <div class="work-grid">
                                <section class="panel" aria-labelledby="try-title">
                                    <h2 id="try-title">"Try a question"</h2>
                                    <p class="muted">{engine_note}</p>
                                    <form method="get" action="/admin/kb" class="form-inline">
                                        <label class="visually-hidden" for="try">"Question"</label>
                                        <input id="try" type="text" name="try" class="wide-input" value=try_question.clone() placeholder="e.g. IAM-04: Is 2FA enforced for admins?" />
                                        <button type="submit" class="button secondary">"Suggest"</button>
                                    </form>
                                    {tried.map(|result| match result {
                                        Ok(t) => {
                                            let tone = match t.decision.as_str() { "auto" => "good", "review" => "warn", _ => "neutral" };
                                            let label = match t.decision.as_str() { "auto" => "Auto: safe to fill", "review" => "Review: a person should check", _ => "None: no approved answer fits" };
                                            let items: Vec<_> = t.suggestions.into_iter().map(|s| view! {
                                                <li><a href=format!("/admin/kb/{}", s.id)>{s.external_id}</a> {format!(" ({:.2}) ", s.score)} <strong>{s.short_answer}</strong> " · " {s.question}</li>
                                            }).collect();
                                            view! { <div class="try-result" data-test-decision=t.decision.clone()><p><Badge tone text=label /></p><ol>{items}</ol></div> }.into_any()
                                        }
                                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                                    })}
                                </section>
                                <section class="panel" aria-labelledby="io-title">
                                    <h2 id="io-title">"Import and export"</h2>
                                    <p class="muted">"CSV or xlsx with the columns id, category, question, answer, short_answer (Yes, No or N/A), tags (separated by ;) and optionally alternatives (one phrasing per line). Known ids are updated, new ids created; imported entries are approved and reviewed today. A file with any bad row is refused whole, each problem named by its line."</p>
                                    <form method="post" action=crate::paths::KB_UPLOAD enctype="multipart/form-data" class="form-inline">
                                        <label for="kb-file">"File"</label>
                                        <input id="kb-file" type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required />
                                        <button type="submit" class="button secondary">"Import"</button>
                                    </form>
                                    <p>"Export approved entries: " <a href=crate::paths::KB_EXPORT_CSV>"CSV"</a> " · " <a href=crate::paths::KB_EXPORT_XLSX>"xlsx"</a></p>
                                </section>
                                <super::learn_views::LearnForm />
                                </div>
                                <h2>"Entries"</h2>
                                <form method="get" action="/admin/kb" class="filters" role="search">
                                    <div class="field"><label for="f-q">"Search"</label><input id="f-q" type="search" name="q" value=filter.q.clone() placeholder="e.g. 2FA, backups, KB-012" /></div>
                                    <div class="field"><label for="f-status">"Status"</label><select id="f-status" name="status">{options(&statuses, &filter.status)}</select></div>
                                    <div class="field"><label for="f-category">"Category"</label><select id="f-category" name="category"><option value="">"Any"</option>{categories}</select></div>
                                    <div class="field"><label for="f-visibility">"Visibility"</label><select id="f-visibility" name="visibility">{options(&visibilities, &filter.visibility)}</select></div>
                                    <div class="field checkbox"><input id="f-stale" type="checkbox" name="stale" value="yes" checked=filter.stale == "yes" /><label for="f-stale">"Stale only"</label></div>
                                    <button type="submit" class="button">"Show"</button>
                                </form>
                                <p>{format!("{shown} entries")}</p>
                                <div class="table-scroll"><table class="table">
                                    <thead><tr><th scope="col">"Id"</th><th scope="col">"Question"</th><th scope="col">"Answer"</th><th scope="col">"Category"</th><th scope="col">"Status"</th><th scope="col">"Visibility"</th><th scope="col">"Review due"</th><th scope="col">"Owner"</th></tr></thead>
                                    <tbody>{rows_or(rows, 8, "No entry matches.")}</tbody>
                                </table></div>
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

/// `/admin/kb/:id` (or `new`): one entry's form, its review and approval actions, the companies
/// told its answer, and its history; its data needs the security role.
#[component]
pub fn KnowledgeEntryPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    view! {
        <AdminLayout title="Knowledge-base entry">
            {move || Suspend::new(async move {
                let flash = load_flash("kb_entry").await;
                match kb_entry(id).await {
                    Ok(page) => {
                        let e = page.entry.clone();
                        let get = |f: fn(&KbEntry) -> String, default: &str| e.as_ref().map(f).unwrap_or_else(|| default.to_string());
                        let external_id = flash.typed_or("external_id", get(|e| e.external_id.clone(), ""));
                        let question = flash.typed_or("question", get(|e| e.question.clone(), ""));
                        let alternatives = flash.typed_or("alternatives", get(|e| e.alternatives.join("\n"), ""));
                        let short = flash.typed_or("short_answer", get(|e| e.short_answer.clone(), "Yes"));
                        let explanation = flash.typed_or("explanation", get(|e| e.explanation.clone(), ""));
                        let category = flash.typed_or("category", get(|e| e.category.clone(), ""));
                        let tags = flash.typed_or("tags", get(|e| e.tags.join("; "), ""));
                        let owner = flash.typed_or("owner_id", get(|e| e.owner_id.map(|o| o.to_string()).unwrap_or_default(), ""));
                        let status = flash.typed_or("status", get(|e| e.status.code().to_string(), "draft"));
                        let visibility = flash.typed_or("visibility", get(|e| e.visibility.code().to_string(), "nda"));
                        let reviewed = flash.typed_or("last_reviewed_on", get(|e| e.last_reviewed_on.clone().unwrap_or_default(), ""));
                        let interval = flash.typed_or("review_interval_days", get(|e| e.review_interval_days.to_string(), "365"));
                        let title = e.as_ref().map(|e| format!("{}: {}", e.external_id, e.question)).unwrap_or_else(|| "New entry".into());
                        let err = |f: &str| flash.field_error(f);
                        let err_view = move |m: Option<String>| m.map(|m| view! { <p class="field-error">{m}</p> });
                        let owners: Vec<_> = page.owners.iter().map(|(oid, name)| {
                            view! { <option value=oid.to_string() selected=oid.to_string() == owner>{name.clone()}</option> }
                        }).collect();
                        let shorts: Vec<_> = SHORT_ANSWERS.iter().map(|s| view! { <option value=*s selected=*s == short>{*s}</option> }).collect();
                        let statuses: Vec<_> = KbStatus::ALL.iter().map(|s| view! { <option value=s.code() selected=s.code() == status>{s.label()}</option> }).collect();
                        let visibilities: Vec<_> = KbVisibility::ALL.iter().map(|v| view! { <option value=v.code() selected=v.code() == visibility>{v.label()}</option> }).collect();
                        let categories: Vec<_> = page.categories.iter().map(|c| view! { <option value=c.clone()></option> }).collect();
                        let history: Vec<_> = page.history.iter().map(|h| view! {
                            <tr><td>{h.version}</td><td><time datetime=crate::types::Timestamp(h.at).rfc3339()>{crate::types::Timestamp(h.at).long()}</time></td><td>{h.actor.clone()}</td><td>{h.change.clone()}</td></tr>
                        }).collect();
                        let entry_id = e.as_ref().map(|e| e.id.to_string());
                        let actions = e.as_ref().map(|e| {
                            let id = e.id.to_string();
                            let approve = (e.status == KbStatus::Draft).then(|| view! {
                                <form method="post" action=KbSetState::url() class="inline-form"><input type="hidden" name="id" value=id.clone() /><input type="hidden" name="action" value="approve" /><button type="submit" class="button small">"Approve"</button></form>
                            });
                            let retire = (e.status != KbStatus::Retired).then(|| view! {
                                <form method="post" action=KbSetState::url() class="inline-form"><input type="hidden" name="id" value=id.clone() /><input type="hidden" name="action" value="retire" /><button type="submit" class="button secondary small">"Retire"</button></form>
                            });
                            let stale_note = e.stale.then(|| view! { <p role="note" class="notice warn">"This entry is past its review date: it is never auto-filled until someone marks it reviewed."</p> });
                            view! {
                                {stale_note}
                                <div class="actions">
                                    <form method="post" action=KbSetState::url() class="inline-form"><input type="hidden" name="id" value=id.clone() /><input type="hidden" name="action" value="reviewed" /><button type="submit" class="button secondary small">"Mark reviewed today"</button></form>
                                    {approve}
                                    {retire}
                                </div>
                            }
                        });
                        view! {
                            <p class="crumbs"><a href="/admin/kb">"← Knowledge base"</a></p>
                            <h1>{title}</h1>
                            <FlashMessages flash=flash.clone() />
                            {e.as_ref().map(|e| view! { <p>{status_badge(e)} {format!(" version {} · review due {}", e.version, e.review_due_on.clone().unwrap_or_else(|| "now (never reviewed)".into()))}</p> })}
                            {actions}
                            <form method="post" action=KbSave::url() class="form" novalidate>
                                {entry_id.map(|id| view! { <input type="hidden" name="id" value=id /> })}
                                <Field name="external_id" label="Id" value=external_id error=err("external_id") hint="Kept in imports and exports, e.g. KB-081." />
                                <div class="field" class:has-error=err("question").is_some()>
                                    <label for="field-question">"Question"</label>
                                    <TextArea id="field-question" name="question" rows=2 required=true value=question />
                                    {err_view(err("question"))}
                                </div>
                                <div class="field" class:has-error=err("alternatives").is_some()>
                                    <label for="field-alternatives">"Other phrasings (one per line)"</label>
                                    <TextArea id="field-alternatives" name="alternatives" rows=3 value=alternatives />
                                    {err_view(err("alternatives"))}
                                </div>
                                <div class="field" class:has-error=err("short_answer").is_some()>
                                    <label for="field-short">"Answer"</label>
                                    <select id="field-short" name="short_answer">{shorts}</select>
                                    {err_view(err("short_answer"))}
                                </div>
                                <div class="field" class:has-error=err("explanation").is_some()>
                                    <label for="field-explanation">"Explanation"</label>
                                    <TextArea id="field-explanation" name="explanation" rows=6 required=true value=explanation />
                                    {err_view(err("explanation"))}
                                </div>
                                <div class="field" class:has-error=err("category").is_some()>
                                    <label for="field-category">"Category"</label>
                                    <input id="field-category" name="category" list="categories" value=category required />
                                    <datalist id="categories">{categories}</datalist>
                                    {err_view(err("category"))}
                                </div>
                                <Field name="tags" label="Tags" value=tags error=err("tags") required=false hint="Separated by semicolons." />
                                <div class="field" class:has-error=err("owner_id").is_some()>
                                    <label for="field-owner">"Owner"</label>
                                    <select id="field-owner" name="owner_id"><option value="">"Nobody yet"</option>{owners}</select>
                                    {err_view(err("owner_id"))}
                                </div>
                                <div class="field"><label for="field-status">"Status"</label><select id="field-status" name="status">{statuses}</select>{err_view(err("status"))}</div>
                                <div class="field"><label for="field-visibility">"Visibility"</label><select id="field-visibility" name="visibility">{visibilities}</select>{err_view(err("visibility"))}</div>
                                <Field name="last_reviewed_on" label="Last reviewed" kind="date" value=reviewed error=err("last_reviewed_on") required=false />
                                <Field name="review_interval_days" label="Review every (days)" kind="number" value=interval error=err("review_interval_days") />
                                <button type="submit" class="button">"Save"</button>
                            </form>
                            {e.is_some().then(|| view! { <ToldCompanies told=page.told.clone() /> })}
                            {e.as_ref().map(|e| view! { <super::learn_views::Phrasings entry=e.id phrasings=page.phrasings.clone() /> })}
                            {(!history.is_empty()).then(|| view! {
                                <section class="panel" aria-labelledby="history-title">
                                    <h2 id="history-title">"History"</h2>
                                    <table class="table"><thead><tr><th scope="col">"Version"</th><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th><th scope="col">"What"</th></tr></thead><tbody>{history}</tbody></table>
                                </section>
                            })}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}

fn pair_rows(pairs: Vec<KbPair>) -> impl IntoView {
    pairs
        .into_iter()
        .map(|p| {
            view! {
                <tr>
                    <td><a href=format!("/admin/kb/{}", p.a.id)>{p.a.external_id}</a> " " {p.a.question} " " <strong>{p.a.short_answer}</strong></td>
                    <td><a href=format!("/admin/kb/{}", p.b.id)>{p.b.external_id}</a> " " {p.b.question} " " <strong>{p.b.short_answer}</strong></td>
                    <td>{format!("{:.2}", p.similarity)}</td>
                </tr>
            }
        })
        .collect::<Vec<_>>()
}

/// `/admin/kb/hygiene`: conflicting answers, near-duplicates and stale entries, each linked to its
/// entry; its data needs the security role.
#[component]
pub fn KnowledgeHygienePage() -> impl IntoView {
    view! {
        <AdminLayout title="Knowledge-base hygiene">
            {move || Suspend::new(async move {
                match kb_hygiene().await {
                    Ok(report) => {
                        let stale: Vec<_> = report.stale.iter().map(|e| view! {
                            <li><a href=format!("/admin/kb/{}", e.id)>{e.external_id.clone()}</a> " " {e.question.clone()} {format!(" (review was due {})", e.review_due_on.clone().unwrap_or_else(|| "at creation".into()))}</li>
                        }).collect();
                        let misfits: Vec<_> = report.misfits.iter().map(|e| view! {
                            <li><a href=format!("/admin/kb/{}", e.id)>{e.external_id.clone()}</a> " " {e.question.clone()} " → " <strong>{e.short_answer.clone()}</strong></li>
                        }).collect();
                        let (nd, nc, ns, nm) = (report.duplicates.len(), report.conflicts.len(), report.stale.len(), report.misfits.len());
                        view! {
                            <p class="crumbs"><a href="/admin/kb">"← Knowledge base"</a></p>
                            <h1>"Knowledge-base hygiene"</h1>
                            <section class="panel" aria-labelledby="conflicts">
                                <h2 id="conflicts">{format!("Conflicting answers ({nc})")}</h2>
                                <p class="muted">"Similar questions answered Yes in one entry and No in the other."</p>
                                {if nc == 0 { view! { <p>"None found."</p> }.into_any() } else { view! { <table class="table" data-test="conflicts"><thead><tr><th scope="col">"Entry"</th><th scope="col">"Entry"</th><th scope="col">"Similarity"</th></tr></thead><tbody>{pair_rows(report.conflicts)}</tbody></table> }.into_any() }}
                            </section>
                            <section class="panel" aria-labelledby="duplicates">
                                <h2 id="duplicates">{format!("Near-duplicates ({nd})")}</h2>
                                <p class="muted">"Entries that answer nearly the same question: merge them, or add the other wording as a phrasing."</p>
                                {if nd == 0 { view! { <p>"None found."</p> }.into_any() } else { view! { <table class="table" data-test="duplicates"><thead><tr><th scope="col">"Entry"</th><th scope="col">"Entry"</th><th scope="col">"Similarity"</th></tr></thead><tbody>{pair_rows(report.duplicates)}</tbody></table> }.into_any() }}
                            </section>
                            <section class="panel" aria-labelledby="stale">
                                <h2 id="stale">{format!("Stale entries ({ns})")}</h2>
                                <p class="muted">"Approved entries past their review date. They are never auto-filled."</p>
                                {if ns == 0 { view! { <p>"None."</p> }.into_any() } else { view! { <ul data-test="stale">{stale}</ul> }.into_any() }}
                            </section>
                            <section class="panel" aria-labelledby="misfits">
                                <h2 id="misfits">{format!("Short answers that do not answer the question ({nm})")}</h2>
                                <p class="muted">"A Yes or No given to a what/how question. Filled automatically, such an entry gives its explanation only and never a Yes in a Yes/No cell; rephrase the question as a yes/no one, or add a yes/no phrasing, if Yes is what you mean."</p>
                                {if nm == 0 { view! { <p>"None."</p> }.into_any() } else { view! { <ul data-test="misfits">{misfits}</ul> }.into_any() }}
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
