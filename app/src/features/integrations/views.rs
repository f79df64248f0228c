//! `/admin/integrations` (admins): API tokens, and the webhooks that carry events out.

use super::{
    api::{
        event_field, list_api_tokens, list_webhooks, webhook_deliveries, webhook_page, ChangeWebhook, CreateApiToken,
        CreateWebhook, RedeliverWebhook, RevokeApiToken,
    },
    model::{ApiScope, ApiTokenSummary, DeliveryRow, WebhookSummary, EVENTS, TOKEN_DAYS},
};
use crate::types::Timestamp;
use crate::{
    components::{Badge, ErrorPanel},
    features::accounts::views::AdminLayout,
    forms::{field_error, load_flash, Field, Flash, FlashMessages},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_params_map;

/// The integrations page.
#[component]
pub fn IntegrationsPage() -> impl IntoView {
    view! {
        <AdminLayout title="Integrations">
            {move || Suspend::new(async move {
                let flash = load_flash("api").await;
                let hook_flash = load_flash("webhook").await;
                match (list_api_tokens().await, list_webhooks().await) {
                    (Ok(tokens), Ok(hooks)) => view! {
                        <h1>"Integrations"</h1>
                        <Webhooks flash=hook_flash hooks />
                        <ApiTokens flash tokens />
                    }
                    .into_any(),
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}

#[component]
fn ApiTokens(flash: Flash, tokens: Vec<ApiTokenSummary>) -> impl IntoView {
    let rows: Vec<_> = tokens.into_iter().map(|t| view! { <TokenRow t /> }).collect();
    let empty = rows.is_empty();
    let kind = flash.value("kind");
    let days = flash.value("days");
    let day_options: Vec<_> = TOKEN_DAYS
        .iter()
        .map(|d| {
            let selected = if days.is_empty() { *d == 90 } else { days == d.to_string() };
            view! { <option value=d.to_string() selected=selected>{format!("{d} days")}</option> }
        })
        .collect();
    let scope_boxes: Vec<_> = ApiScope::ALL
        .into_iter()
        .map(|s| {
            let id = format!("field-{}", s.field());
            view! {
                <label class="check" for=id.clone()>
                    <input type="checkbox" id=id.clone() name=s.field() value="yes" checked=!flash.value(s.field()).is_empty() />
                    <code>{s.code()}</code> " " {s.label()}
                </label>
            }
        })
        .collect();
    let scope_invalid = flash.field_error(ApiScope::ALL[0].field()).is_some();
    let scope_error = field_error(&flash, ApiScope::ALL[0].field());
    view! {
        <section class="panel" aria-labelledby="api-title">
            <h2 id="api-title">"API tokens"</h2>
            <p class="small">
                "Tokens for " <code>"/api/v1"</code> " (described at " <a href="/api/v1/openapi.json">"/api/v1/openapi.json"</a>
                "), sent as " <code>"Authorization: Bearer …"</code> ". A personal token acts for you and stops when you lose the role a scope needs; a service token belongs to no one. Every use is in the access log."
            </p>
            <FlashMessages flash=flash.clone() />
            {(!empty).then(|| view! {
                <div class="table-scroll">
                    <table class="table">
                        <thead><tr><th scope="col">"Token"</th><th scope="col">"Scopes"</th><th scope="col">"Expires"</th><th scope="col">"Last used"</th><th scope="col">"Action"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            })}
            <form method="post" action=CreateApiToken::url() class="form" novalidate>
                <Field name="label" label="Label (what uses it)" value=flash.value("label") error=flash.field_error("label") />
                <fieldset class="field">
                    <legend>"Kind"</legend>
                    <label class="check" for="kind-service"><input type="radio" id="kind-service" name="kind" value="service" checked=kind != "personal" /> "Service (a CRM, a SIEM)"</label>
                    <label class="check" for="kind-personal"><input type="radio" id="kind-personal" name="kind" value="personal" checked=kind == "personal" /> "Personal (acts as you)"</label>
                    {field_error(&flash, "kind")}
                </fieldset>
                <fieldset class="field" class:has-error=scope_invalid>
                    <legend>"Scopes"</legend>
                    {scope_boxes}
                    {scope_error}
                </fieldset>
                <div class="field">
                    <label for="field-days">"Expires after"</label>
                    <select id="field-days" name="days">{day_options}</select>
                    {field_error(&flash, "days")}
                </div>
                <button type="submit" class="button">"Create token"</button>
            </form>
        </section>
    }
}

#[component]
fn TokenRow(t: ApiTokenSummary) -> impl IntoView {
    let used = t.last_used_at.map(|at| at.long()).unwrap_or_else(|| "Never".into());
    let who = match &t.owner {
        Some(owner) => format!("Personal ({owner})"),
        None => "Service".to_string(),
    };
    let state = match (t.revoked, t.expired) {
        (true, _) => Some("Revoked"),
        (false, true) => Some("Expired"),
        _ => None,
    };
    view! {
        <tr>
            <td>
                {t.label.clone()}<br />
                <span class="small muted">{format!("{who} · created by {} {}", t.created_by, t.created_at.long())}</span>
            </td>
            <td>{t.scopes.join(", ")}</td>
            <td>{t.expires_at.long()}</td>
            <td>{used}</td>
            <td>
                {match state {
                    Some(text) => view! { <Badge tone="neutral" text=text /> }.into_any(),
                    None => view! {
                        <form method="post" action=RevokeApiToken::url() class="inline-form">
                            <input type="hidden" name="token_id" value=t.id.to_string() />
                            <button type="submit" class="button secondary small">"Revoke"</button>
                        </form>
                    }
                    .into_any(),
                }}
            </td>
        </tr>
    }
}

#[component]
fn Webhooks(flash: Flash, hooks: Vec<WebhookSummary>) -> impl IntoView {
    let rows: Vec<_> = hooks.into_iter().map(|h| view! { <WebhookRow h /> }).collect();
    let empty = rows.is_empty();
    let format = flash.value("format");
    let event_boxes: Vec<_> = EVENTS
        .into_iter()
        .map(|(code, label)| {
            let field = event_field(code);
            let id = format!("field-{field}");
            let checked = !flash.value(&field).is_empty();
            view! {
                <label class="check" for=id.clone()>
                    <input type="checkbox" id=id.clone() name=field value="yes" checked=checked />
                    <code>{code}</code> " " {label}
                </label>
            }
        })
        .collect();
    let events_invalid = flash.field_error("events").is_some();
    let events_error = field_error(&flash, "events");
    view! {
        <section class="panel" aria-labelledby="webhooks-title">
            <h2 id="webhooks-title">"Webhooks"</h2>
            <p class="small">
                "Events are sent as they happen, signed per the Standard Webhooks specification (" <code>"webhook-id"</code> ", "
                <code>"webhook-timestamp"</code> ", " <code>"webhook-signature"</code> "), retried with back-off for a day. Only "
                <code>"https://"</code> " to public addresses, unless the host is listed in " <code>"VOUCHSAFE_WEBHOOK_ALLOWED_HOSTS"</code>
                ". A chat message never approves anything: decisions are made here, signed in."
            </p>
            <FlashMessages flash=flash.clone() />
            {(!empty).then(|| view! {
                <div class="table-scroll">
                    <table class="table">
                        <thead><tr><th scope="col">"Address"</th><th scope="col">"Events"</th><th scope="col">"Deliveries"</th><th scope="col">"Action"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            })}
            <form method="post" action=CreateWebhook::url() class="form" novalidate>
                <Field name="url" label="Address (https://…)" kind="url" value=flash.value("url") error=flash.field_error("url") />
                <fieldset class="field">
                    <legend>"Format"</legend>
                    <label class="check" for="format-standard"><input type="radio" id="format-standard" name="format" value="standard" checked=format != "chat" /> "Standard Webhooks (JSON, signed)"</label>
                    <label class="check" for="format-chat"><input type="radio" id="format-chat" name="format" value="chat" /> "Chat: a Slack or Mattermost incoming webhook"</label>
                    {field_error(&flash, "format")}
                </fieldset>
                <fieldset class="field" class:has-error=events_invalid>
                    <legend>"Events"</legend>
                    {event_boxes}
                    {events_error}
                </fieldset>
                <button type="submit" class="button">"Add webhook"</button>
            </form>
        </section>
    }
}

#[component]
fn WebhookRow(h: WebhookSummary) -> impl IntoView {
    let (action, label) = if h.enabled { ("disable", "Disable") } else { ("enable", "Enable") };
    let counts = format!("{} delivered · {} waiting · {} failed", h.delivered, h.pending, h.failed);
    view! {
        <tr>
            <td>
                <span class="break">{h.url.clone()}</span><br />
                <span class="small muted">{format!("{} · added {}", if h.format == "chat" { "Chat" } else { "Standard Webhooks" }, Timestamp(h.created_at).long())}</span>
                {(!h.enabled).then(|| view! { " " <Badge tone="neutral" text="Disabled" /> })}
            </td>
            <td class="small">{h.events.join(", ")}</td>
            <td class="small">{counts}<br /><a href=webhook_page(h.id)>"Delivery log"</a></td>
            <td>
                <form method="post" action=ChangeWebhook::url() class="inline-form">
                    <input type="hidden" name="webhook_id" value=h.id.to_string() />
                    <button type="submit" class="button secondary small" name="action" value=action>{label}</button>
                    " "
                    <button type="submit" class="button secondary small" name="action" value="remove">"Remove"</button>
                </form>
            </td>
        </tr>
    }
}

/// `/admin/integrations/webhooks/:id`: a webhook's newest deliveries, each with its status,
/// attempts and response time, and a button to send it again.
#[component]
pub fn WebhookDeliveriesPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    view! {
        <AdminLayout title="Webhook deliveries">
            {move || Suspend::new(async move {
                let flash = load_flash("delivery").await;
                match webhook_deliveries(id).await {
                    Ok((hook, rows)) => {
                        let empty = rows.is_empty();
                        let rows: Vec<_> = rows.into_iter().map(|d| view! { <DeliveryLine d /> }).collect();
                        view! {
                            <p class="crumbs"><a href="/admin/integrations">"← Integrations"</a></p>
                            <h1>"Deliveries"</h1>
                            <p class="break">{hook.url}</p>
                            <FlashMessages flash />
                            {if empty {
                                view! { <p class="muted">"Nothing sent yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-scroll">
                                        <table class="table">
                                            <thead><tr><th scope="col">"Event"</th><th scope="col">"Status"</th><th scope="col">"Attempts"</th><th scope="col">"Last answer"</th><th scope="col">"Action"</th></tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    </div>
                                }
                                .into_any()
                            }}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}

#[component]
fn DeliveryLine(d: DeliveryRow) -> impl IntoView {
    let tone = match d.status.as_str() {
        "delivered" => "good",
        "failed" => "bad",
        _ => "neutral",
    };
    let answer = match (d.last_status, &d.last_error, d.last_duration_ms) {
        (Some(status), None, Some(ms)) => format!("{status} in {ms} ms"),
        (status, Some(error), ms) => format!(
            "{}{error}{}",
            status.map(|s| format!("{s}: ")).unwrap_or_default(),
            ms.map(|m| format!(" ({m} ms)")).unwrap_or_default()
        ),
        _ => "Not tried yet".into(),
    };
    let next = (d.status == "pending").then(|| format!("next try {}", Timestamp(d.next_attempt_at).long()));
    view! {
        <tr>
            <td><code>{d.event.clone()}</code><br /><span class="small muted">{Timestamp(d.created_at).long()}</span></td>
            <td><Badge tone=tone text=d.status.clone() />{next.map(|n| view! { <br /><span class="small muted">{n}</span> })}</td>
            <td>{d.attempts}</td>
            <td class="small">{answer}</td>
            <td>
                <form method="post" action=RedeliverWebhook::url() class="inline-form">
                    <input type="hidden" name="delivery_id" value=d.id.to_string() />
                    <button type="submit" class="button secondary small">"Redeliver"</button>
                </form>
            </td>
        </tr>
    }
}
