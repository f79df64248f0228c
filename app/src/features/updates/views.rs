//! The public updates section (with the subscribe form), the confirmation and unsubscribe pages,
//! and the staff page for writing and publishing updates.

use super::{
    api::{updates_admin, ConfirmSubscription, PublishUpdate, SaveUpdate, Subscribe, Unsubscribe},
    model::{UpdateItem, UpdateKind},
};
use crate::{
    components::{Badge, BrandedPage, ErrorPanel},
    features::{accounts::views::AdminLayout, trust_center::model::PublicUpdate},
    forms::{load_flash, Flash, FlashMessages, TextArea},
    types::Timestamp,
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;

/// The public page's updates: the newest first, the Atom feed, and the subscribe form.
#[component]
pub fn UpdatesSection(updates: Vec<PublicUpdate>) -> impl IntoView {
    let items: Vec<_> = updates
        .iter()
        .map(|u| {
            let paragraphs: Vec<_> = u.body.split("\n\n").map(|p| view! { <p>{p.trim().to_string()}</p> }).collect();
            view! {
                <li class="update" id=format!("update-{}", u.id)>
                    <h3>{u.title.clone()}</h3>
                    <p class="small muted"><time datetime=u.published_at.rfc3339()>{u.published_at.long()}</time> " · " {u.kind_label.clone()}</p>
                    {paragraphs}
                </li>
            }
        })
        .collect();
    let topics: Vec<_> = UpdateKind::ALL
        .iter()
        .map(|k| {
            let id = format!("topic-{}", k.code());
            view! {
                <div class="field checkbox">
                    <input type="checkbox" id=id.clone() name=format!("topic_{}", k.code()) value="yes" checked=true />
                    <label for=id>{k.label()}</label>
                </div>
            }
        })
        .collect();
    view! {
        <section class="section" id="updates" aria-labelledby="updates-title">
            <h2 id="updates-title">"Updates"</h2>
            <p class="small"><a href=crate::paths::UPDATES_ATOM type="application/atom+xml">"Atom feed"</a></p>
            {if items.is_empty() { view! { <p class="muted">"No updates yet."</p> }.into_any() } else { view! { <ul class="updates">{items}</ul> }.into_any() }}
            <details class="subscribe">
                <summary>"Get updates by e-mail"</summary>
                <form method="post" action=Subscribe::url() class="form">
                    <div class="field">
                        <label for="subscribe-email">"Work e-mail"</label>
                        <input id="subscribe-email" type="email" name="email" autocomplete="email" required />
                    </div>
                    <fieldset class="topics"><legend>"About"</legend>{topics}</fieldset>
                    <button type="submit" class="button">"Subscribe"</button>
                    <p class="small muted">"We send a confirmation link first; every mail has a one-click unsubscribe."</p>
                </form>
            </details>
        </section>
    }
}

fn token_param() -> StoredValue<String> {
    StoredValue::new(use_query_map().with_untracked(|q| q.get("token").unwrap_or_default()))
}

/// `/updates/confirm?token=…`: a button, so opening the link alone confirms nothing.
#[component]
pub fn ConfirmSubscriptionPage() -> impl IntoView {
    let token = token_param();
    view! {
        <BrandedPage title="Confirm your subscription">
                <h1>"Confirm your subscription"</h1>
                <p>"Press the button to start receiving trust center updates by e-mail."</p>
                <form method="post" action=ConfirmSubscription::url()>
                    <input type="hidden" name="token" value=token.get_value() />
                    <button type="submit" class="button">"Confirm subscription"</button>
                </form>
        </BrandedPage>
    }
}

/// `/updates/unsubscribe?token=…`: one button.
#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let token = token_param();
    view! {
        <BrandedPage title="Unsubscribe">
                <h1>"Stop trust center updates"</h1>
                <form method="post" action=Unsubscribe::url()>
                    <input type="hidden" name="token" value=token.get_value() />
                    <button type="submit" class="button">"Unsubscribe"</button>
                </form>
        </BrandedPage>
    }
}

/// Where the subscription forms land.
#[component]
pub fn SubscriptionResultPage() -> impl IntoView {
    let state = StoredValue::new(use_query_map().with_untracked(|q| q.get("state").unwrap_or_default()));
    view! {
        <BrandedPage title="Trust center updates">
                {move || {
                    let state = state.get_value();
                    Suspend::new(async move {
                        let flash = load_flash("subscribe").await;
                        let (title, text) = match state.as_str() {
                            "check" => ("Check your e-mail", "If the address can receive mail, a confirmation link is on its way. Updates start once you confirm."),
                            "confirmed" => ("Subscribed", "You will receive trust center updates on the topics you chose. Every mail has a link to stop them."),
                            "unsubscribed" => ("Unsubscribed", "You will not receive further trust center updates."),
                            _ => ("That did not work", "The link or the form was not valid."),
                        };
                        view! {
                            <h1>{title}</h1>
                            {flash.fields.iter().map(|f| view! { <p class="field-error" role="alert">{f.message.clone()}</p> }).collect::<Vec<_>>()}
                            <FlashMessages flash=flash.clone() />
                            <p role="status">{text}</p>
                            <p><a href="/">"Back to the trust center"</a></p>
                        }
                    })
                }}
        </BrandedPage>
    }
}

fn kind_options(selected: &str) -> Vec<impl IntoView> {
    UpdateKind::ALL
        .iter()
        .map(|k| view! { <option value=k.code() selected=k.code() == selected>{k.label()}</option> })
        .collect()
}

fn update_form(item: Option<&UpdateItem>, flash: &Flash) -> impl IntoView {
    let id = item.map(|i| i.id.to_string()).unwrap_or_default();
    let mine = flash.values.get("id").is_some_and(|v| *v == id);
    let pick = |field: &str, stored: String| if mine { flash.value(field) } else { stored };
    let kind = pick("kind", item.map_or("general".into(), |i| i.kind.clone()));
    let title = pick("title", item.map(|i| i.title.clone()).unwrap_or_default());
    let body = pick("body", item.map(|i| i.body.clone()).unwrap_or_default());
    let err =
        move |f: &str| if mine { flash.field_error(f).map(|m| view! { <p class="field-error">{m}</p> }) } else { None };
    let key = if id.is_empty() { "new".to_string() } else { id.clone() };
    view! {
        <form method="post" action=SaveUpdate::url() class="form">
            {(!id.is_empty()).then(|| view! { <input type="hidden" name="id" value=id.clone() /> })}
            <div class="field"><label for=format!("kind-{key}")>"Kind"</label><select id=format!("kind-{key}") name="kind">{kind_options(&kind)}</select>{err("kind")}</div>
            <div class="field"><label for=format!("title-{key}")>"Title"</label><input id=format!("title-{key}") name="title" value=title />{err("title")}</div>
            <div class="field"><label for=format!("body-{key}")>"Text"</label><TextArea id=format!("body-{key}") name="body" rows=4 value=body />{err("body")}</div>
            <button type="submit" class="button secondary small">"Save draft"</button>
            {(!id.is_empty()).then(|| view! { " " <button type="submit" class="button secondary small" name="delete" value="yes">"Delete draft"</button> })}
        </form>
    }
}

/// `/admin/updates`: subscriber counts per topic, a form for a new update, and every update,
/// each draft editable in place with its publish and delete buttons.
#[component]
pub fn UpdatesAdminPage() -> impl IntoView {
    view! {
        <AdminLayout title="Updates">
            {move || Suspend::new(async move {
                let flash = load_flash("updates").await;
                match updates_admin().await {
                    Ok(page) => {
                        let counts = page.subscribers.iter().map(|(k, n)| format!("{}: {n}", UpdateKind::parse(k).map(|k| k.label()).unwrap_or("?"))).collect::<Vec<_>>().join(" · ");
                        let items: Vec<_> = page.items.iter().map(|u| {
                            let when = u.published_at.map(|at| Timestamp(at).long());
                            view! {
                                <article class="panel" data-test-update=u.title.clone()>
                                    <p>
                                        {if u.published { view! { <Badge tone="good" text="Published" /> }.into_any() } else { view! { <Badge tone="warn" text="Draft" /> }.into_any() }}
                                        {u.proposed.then(|| view! { " " <Badge tone="neutral" text="Proposed automatically" /> })}
                                        {when.map(|w| format!(" {w}"))}
                                    </p>
                                    {if u.published {
                                        view! { <h2>{u.title.clone()}</h2><p>{u.body.clone()}</p> }.into_any()
                                    } else {
                                        view! {
                                            {update_form(Some(u), &flash)}
                                            <form method="post" action=PublishUpdate::url() class="inline-form">
                                                <input type="hidden" name="id" value=u.id.to_string() />
                                                <button type="submit" class="button small">"Publish and notify subscribers"</button>
                                            </form>
                                        }.into_any()
                                    }}
                                </article>
                            }
                        }).collect();
                        view! {
                            <h1>"Updates"</h1>
                            <FlashMessages flash=flash.clone() />
                            <p class="muted">{format!("Confirmed subscribers by topic: {counts}.")}</p>
                            <section class="panel" aria-labelledby="new-update">
                                <h2 id="new-update">"Write an update"</h2>
                                {update_form(None, &flash)}
                            </section>
                            {items}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}
