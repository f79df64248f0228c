//! `/admin/integrations` (admins): API tokens, and the webhooks that carry events out.

use super::{
    api::{list_api_tokens, CreateApiToken, RevokeApiToken},
    model::{ApiScope, ApiTokenSummary, TOKEN_DAYS},
};
use crate::{
    components::{Badge, ErrorPanel},
    features::accounts::views::AdminLayout,
    forms::{field_error, load_flash, Field, Flash, FlashMessages},
};
use leptos::{prelude::*, server_fn::ServerFn};

/// The integrations page.
#[component]
pub fn IntegrationsPage() -> impl IntoView {
    view! {
        <AdminLayout title="Integrations">
            {move || Suspend::new(async move {
                let flash = load_flash("api").await;
                match list_api_tokens().await {
                    Ok(tokens) => view! {
                        <h1>"Integrations"</h1>
                        <ApiTokens flash tokens />
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
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
