//! Prospect pages: ask for a link, check your mail, confirm, your account.

use crate::{
    components::BrandedPage,
    features::accounts::api::{sign_in_link_info, ConfirmSignIn, RequestSignInLink},
    forms::{load_flash, Field, FlashMessages},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;

/// `/sign-in`: a prospect's work e-mail, name and company; mails a sign-in link, which also
/// creates the account. A local `?next=` path is where the confirmed link leads.
#[component]
pub fn SignInPage() -> impl IntoView {
    let next = use_query_map().with_untracked(|q| q.get("next").unwrap_or_default());
    view! {
        <BrandedPage title="Sign in">
            {
                let next = next.clone();
                move || {
                    let next = next.clone();
                    Suspend::new(async move {
                        let flash = load_flash("sign_in").await;
                        let next = if flash.value("next").is_empty() { next } else { flash.value("next") };
                        view! {
                            <h1>"Sign in with your work e-mail"</h1>
                            <p class="lead-small">
                                "No password needed: we e-mail you a link that signs you in. New here? The same form creates your access."
                            </p>
                            <FlashMessages flash=flash.clone() />
                            <form method="post" action=RequestSignInLink::url() class="form" novalidate>
                                <Field
                                    name="email"
                                    label="Work e-mail"
                                    kind="email"
                                    autocomplete="email"
                                    value=flash.value("email")
                                    error=flash.field_error("email")
                                    hint="Your company address: access is decided for your company. A personal address (Gmail, Outlook.com…) works, but a person reviews every request from one."
                                />
                                <Field
                                    name="name"
                                    label="Full name"
                                    autocomplete="name"
                                    value=flash.value("name")
                                    error=flash.field_error("name")
                                />
                                <Field
                                    name="company"
                                    label="Company"
                                    autocomplete="organization"
                                    value=flash.value("company")
                                    error=flash.field_error("company")
                                />
                                <input type="hidden" name="next" value=next />
                                <button type="submit" class="button">"E-mail me a sign-in link"</button>
                            </form>
                            <p class="muted small">"Staff? " <a href="/staff/sign-in">"Sign in with your password"</a></p>
                        }
                    })
                }
            }
        </BrandedPage>
    }
}

/// `/sign-in/check-email`: where a sign-in request lands, whether or not the address exists.
#[component]
pub fn CheckEmailPage() -> impl IntoView {
    let personal = use_query_map().with_untracked(|q| q.get("personal").is_some());
    view! {
        <BrandedPage title="Check your e-mail">
            <h1>"Check your e-mail"</h1>
            <p>
                "If the address can receive mail, a sign-in link is on its way. It works once and expires in 15 minutes."
            </p>
            {personal.then(|| view! {
                <div class="alert alert-notice" role="status" data-test="personal-address">
                    "You used a personal address (a free-mail or disposable provider). You can go on, but we cannot tell which company you are with, so a person reviews each of your requests and they take longer. If you have a work address, "
                    <a href="/sign-in">"sign in with it instead"</a> "."
                </div>
            })}
            <p class="muted">
                "Nothing arrived after a few minutes? Check your spam folder, or "
                <a href="/sign-in">"ask for a new link"</a> "."
            </p>
        </BrandedPage>
    }
}

/// What a mailed link opens. Mail scanners fetch links with GET, so this page only shows a
/// button; the POST behind it consumes the link.
#[component]
pub fn ConfirmSignInPage() -> impl IntoView {
    let token = use_query_map().with_untracked(|q| q.get("token").unwrap_or_default());
    view! {
        <BrandedPage title="Confirm sign-in">
            {
                let token = token.clone();
                move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        match sign_in_link_info(token.clone()).await.ok().flatten() {
                            Some(email) => {
                                view! {
                                    <h1>"Confirm sign-in"</h1>
                                    <p>"You are signing in as " <strong>{email}</strong> "."</p>
                                    <form method="post" action=ConfirmSignIn::url() class="form">
                                        <input type="hidden" name="token" value=token />
                                        <button type="submit" class="button">"Sign in"</button>
                                    </form>
                                }
                                    .into_any()
                            }
                            None => {
                                view! {
                                    <h1>"This link cannot be used"</h1>
                                    <p>"It has expired or has already been used. Links work once, for 15 minutes."</p>
                                    <p>
                                        <a class="button" href="/sign-in">"Get a new link"</a>
                                    </p>
                                }
                                    .into_any()
                            }
                        }
                    })
                }
            }
        </BrandedPage>
    }
}
