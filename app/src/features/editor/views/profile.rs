//! The profile and branding editor: text fields with messages next to each, the logo (its own
//! upload form, which works without JavaScript) and the public page's sections.

use crate::{
    components::ErrorPanel,
    features::{
        accounts::views::AdminLayout,
        editor::api::{profile_edit, SaveProfile},
    },
    forms::{field_error, load_flash, text_area, Field, FlashMessages},
};
use leptos::{prelude::*, server_fn::ServerFn};

use crate::paths::LOGO_UPLOAD;

/// `/admin/content/profile`: the company's name, description, contact and accent colour, the
/// order of the public page's sections, and the logo's own upload form.
#[component]
pub fn ProfileEditPage() -> impl IntoView {
    view! {
        <AdminLayout title="Company profile">
            {move || Suspend::new(async move {
                let flash = load_flash("profile").await;
                let logo_flash = load_flash("logo").await;
                match profile_edit().await {
                    Ok(page) => {
                        let places = page.sections.len();
                        let sections: Vec<_> = page.sections.iter().map(|s| {
                            let field = format!("section_{}", s.anchor);
                            let chosen = flash.typed_or(&field, s.position.map_or("hidden".to_string(), |p| p.to_string()));
                            let options: Vec<_> = (1..=places).map(|p| {
                                let value = p.to_string();
                                view! { <option value=value.clone() selected=chosen == value>{format!("Place {p}")}</option> }
                            }).collect();
                            let error = flash.field_error(&field);
                            view! {
                                <tr data-test-section=s.anchor.clone()>
                                    <th scope="row"><label for=format!("field-{field}")>{s.label.clone()}</label></th>
                                    <td>
                                        <select id=format!("field-{field}") name=field.clone() aria-invalid=error.is_some().then_some("true")>
                                            {options}
                                            <option value="hidden" selected=chosen == "hidden">"Hidden"</option>
                                        </select>
                                        {error.map(|m| view! { <p class="field-error">{m}</p> })}
                                    </td>
                                </tr>
                            }
                        }).collect();
                        let logo = page.logo_url.clone();
                        view! {
                            <p class="crumbs"><a href="/admin/content">"← Trust center content"</a></p>
                            <h1>"Company profile and branding"</h1>
                            <FlashMessages flash=flash.clone() />
                            <form method="post" action=SaveProfile::url() class="form" novalidate>
                                <Field name="name" label="Company name" value=flash.typed_or("name", page.name.clone()) error=flash.field_error("name") />
                                {text_area(&flash, "description", "Description", page.description.clone(), 4, Some("The paragraph under the company name on the public page."))}
                                <Field name="website_url" label="Website" kind="url" value=flash.typed_or("website_url", page.website_url.clone()) error=flash.field_error("website_url") />
                                <Field name="security_contact_email" label="Security contact" kind="email" value=flash.typed_or("security_contact_email", page.security_contact_email.clone()) error=flash.field_error("security_contact_email") hint="Where researchers and customers report security issues." />
                                <Field name="accent_color" label="Accent colour" value=flash.typed_or("accent_color", page.accent_color.clone()) error=flash.field_error("accent_color") hint="As #rrggbb. Links and buttons use it, so it needs 4.5:1 contrast with white." />
                                <fieldset class="field">
                                    <legend>"Vulnerability disclosure and security.txt"</legend>
                                    {text_area(&flash, "disclosure_policy", "Vulnerability disclosure policy", page.disclosure_policy.clone(), 10, Some("Markdown, shown at /vulnerability-disclosure and named as the policy in /.well-known/security.txt. Leave empty for the standard policy (scope, how to report, safe harbour)."))}
                                    <Field name="security_txt_expires" label="security.txt expires" kind="date" value=flash.typed_or("security_txt_expires", page.security_txt_expires.clone()) error=flash.field_error("security_txt_expires") hint="Within a year. Leave empty to expire a year after each publish." />
                                    <Field name="preferred_languages" label="Languages for reports" value=flash.typed_or("preferred_languages", page.preferred_languages.clone()) error=flash.field_error("preferred_languages") hint="Language tags, comma-separated, e.g. en, de. Empty: en." />
                                </fieldset>
                                <fieldset class="field">
                                    <legend>"Sections of the public page"</legend>
                                    <p class="hint">"Choose each section's place, or hide it."</p>
                                    <table class="table compact"><tbody>{sections}</tbody></table>
                                </fieldset>
                                <button type="submit" class="button">"Save draft"</button>
                            </form>
                            <section class="panel" aria-labelledby="logo-title">
                                <h2 id="logo-title">"Logo"</h2>
                                <FlashMessages flash=logo_flash.clone() />
                                {match logo {
                                    Some(url) => view! { <p><img src=url alt="Current logo" class="logo-preview" height="48" /></p> }.into_any(),
                                    None => view! { <p class="muted">"No logo: the page shows the company name."</p> }.into_any(),
                                }}
                                <form method="post" action=LOGO_UPLOAD enctype="multipart/form-data" class="form">
                                    <div class="field" class:has-error=logo_flash.field_error("logo").is_some()>
                                        <label for="field-logo">"New logo"</label>
                                        <p class="hint" id="field-logo-hint">"PNG, JPEG, WebP, GIF or SVG, up to 512 KB. A wide logo about 48 pixels high looks best."</p>
                                        <input id="field-logo" type="file" name="logo" accept="image/png,image/jpeg,image/webp,image/gif,image/svg+xml" aria-describedby="field-logo-hint" />
                                        {field_error(&logo_flash, "logo")}
                                    </div>
                                    <button type="submit" class="button secondary">"Upload logo"</button> " "
                                    {page.logo_url.is_some().then(|| view! { <button type="submit" class="button secondary" name="remove" value="yes">"Remove logo"</button> })}
                                </form>
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
