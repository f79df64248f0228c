//! Staff sign-in pages: password, second factor, enrolment, recovery codes, reset, invitation.

use crate::{
    components::BrandedPage,
    features::accounts::api::{
        recovery_codes, sso_option, staff_token_info, two_factor_setup, AcceptInvitation, ConfirmTwoFactorSetup,
        RequestPasswordReset, ResetPassword, StaffLink, StaffSignIn, VerifySecondFactor,
    },
    forms::{load_flash, Field, FlashMessages},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;

/// `/staff/sign-in`: e-mail and password, the first of the two factors.
#[component]
pub fn StaffSignInPage() -> impl IntoView {
    view! {
        <BrandedPage title="Staff sign-in">
            {move || Suspend::new(async move {
                let flash = load_flash("staff_sign_in").await;
                let sso = sso_option().await.ok().flatten();
                let required = sso.as_ref().is_some_and(|o| o.required);
                view! {
                    <h1>"Staff sign-in"</h1>
                    <FlashMessages flash=flash.clone() />
                    {sso.map(|o| view! {
                        <p>
                            <a class="button" href=crate::paths::SSO_START rel="nofollow">
                                {format!("Sign in with {}", o.name)}
                            </a>
                        </p>
                    })}
                    {required.then(|| view! {
                        <h2>"Break-glass sign-in"</h2>
                        <p class="muted small">"Password sign-in is for the listed break-glass administrators only."</p>
                    })}
                    <form method="post" action=StaffSignIn::url() class="form" novalidate>
                        <Field name="email" label="E-mail" kind="email" autocomplete="username" value=flash.value("email") />
                        <Field name="password" label="Password" kind="password" autocomplete="current-password" />
                        <button type="submit" class="button">"Continue"</button>
                    </form>
                    <p class="muted small"><a href="/staff/reset">"Forgot your password?"</a></p>
                }
            })}
        </BrandedPage>
    }
}

/// `/staff/two-factor`: the code from the authenticator app, or a recovery code.
#[component]
pub fn TwoFactorPage() -> impl IntoView {
    view! {
        <BrandedPage title="Two-factor authentication">
            {move || Suspend::new(async move {
                let flash = load_flash("two_factor").await;
                view! {
                    <h1>"Enter your code"</h1>
                    <p>"Open your authenticator app and enter the 6-digit code for this trust center."</p>
                    <FlashMessages flash=flash.clone() />
                    <form method="post" action=VerifySecondFactor::url() class="form" novalidate>
                        <Field
                            name="code"
                            label="Code"
                            autocomplete="one-time-code"
                            error=flash.field_error("code")
                            hint="Lost your phone? Enter one of your recovery codes instead (like abcd-efgh-jkmn)."
                        />
                        <button type="submit" class="button">"Sign in"</button>
                    </form>
                }
            })}
        </BrandedPage>
    }
}

/// `/staff/two-factor/setup`: enrolment with a QR code or the key typed by hand, confirmed by a
/// first code; for a staff member already enrolled, a link to the code page instead.
#[component]
pub fn TwoFactorSetupPage() -> impl IntoView {
    view! {
        <BrandedPage title="Set up two-factor authentication">
            {move || Suspend::new(async move {
                let flash = load_flash("two_factor_setup").await;
                match two_factor_setup().await {
                    Ok(material) => {
                        view! {
                            <h1>"Set up two-factor authentication"</h1>
                            <p>
                                "Staff accounts need a second factor. Scan this code with an authenticator app (1Password, Google Authenticator, Authy, …), then enter the code it shows."
                            </p>
                            <FlashMessages flash=flash.clone() />
                            <div class="qr">
                                <img src=material.qr_data_uri alt="QR code for your authenticator app" width="200" height="200" />
                            </div>
                            <p class="small">
                                "Cannot scan? Enter this key by hand: "
                                <code class="secret" data-test="totp-secret">{material.secret}</code>
                            </p>
                            <form method="post" action=ConfirmTwoFactorSetup::url() class="form" novalidate>
                                <Field name="code" label="Code from the app" autocomplete="one-time-code" error=flash.field_error("code") />
                                <button type="submit" class="button">"Turn on two-factor"</button>
                            </form>
                        }
                            .into_any()
                    }
                    Err(crate::error::AppError::Forbidden) => view! {
                        <h1>"Two-factor authentication is already set up"</h1>
                        <p><a class="button" href="/staff/two-factor">"Enter your code"</a></p>
                    }
                    .into_any(),
                    Err(error) => view! { <crate::components::ErrorPanel error /> }.into_any(),
                }
            })}
        </BrandedPage>
    }
}

/// `/staff/recovery-codes`: the ten recovery codes, on the one view right after enrolment; later
/// visits only say they were shown.
#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    view! {
        <BrandedPage title="Recovery codes">
            {move || Suspend::new(async move {
                let codes = recovery_codes().await.unwrap_or_default();
                if codes.is_empty() {
                    view! {
                        <h1>"Recovery codes"</h1>
                        <p>"Recovery codes are shown only once, right after you set up two-factor authentication."</p>
                        <p><a class="button" href="/admin">"Continue"</a></p>
                    }
                        .into_any()
                } else {
                    let items: Vec<_> = codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect();
                    view! {
                        <h1>"Save your recovery codes"</h1>
                        <p>
                            "Each code signs you in once if you lose your authenticator. Store them somewhere safe, such as your password manager. They will not be shown again."
                        </p>
                        <ul class="codes" data-test="recovery-codes">{items}</ul>
                        <p><a class="button" href="/admin">"I have saved them"</a></p>
                    }
                        .into_any()
                }
            })}
        </BrandedPage>
    }
}

/// `/staff/reset`: asks for a password-reset link by e-mail address.
#[component]
pub fn ResetRequestPage() -> impl IntoView {
    view! {
        <BrandedPage title="Reset your password">
            {move || Suspend::new(async move {
                let flash = load_flash("reset").await;
                view! {
                    <h1>"Reset your password"</h1>
                    <p>"Enter your staff e-mail address. If it belongs to an account, we send a link to choose a new password."</p>
                    <FlashMessages flash=flash.clone() />
                    <form method="post" action=RequestPasswordReset::url() class="form" novalidate>
                        <Field name="email" label="E-mail" kind="email" autocomplete="username" value=flash.value("email") />
                        <button type="submit" class="button">"Send the link"</button>
                    </form>
                }
            })}
        </BrandedPage>
    }
}

/// `/staff/reset/check-email`: where a reset request lands, whether or not the address exists.
#[component]
pub fn ResetCheckEmailPage() -> impl IntoView {
    view! {
        <BrandedPage title="Check your e-mail">
            <h1>"Check your e-mail"</h1>
            <p>"If the address belongs to a staff account, a link to reset its password is on its way. It expires in 30 minutes."</p>
        </BrandedPage>
    }
}

/// A form to choose a password from a mailed link (reset or invitation).
#[component]
fn PasswordFromLink(link: StaffLink) -> impl IntoView {
    let token = use_query_map().with_untracked(|q| q.get("token").unwrap_or_default());
    let (form, heading, action) = match link {
        StaffLink::Reset => ("reset_confirm", "Choose a new password", ResetPassword::url()),
        StaffLink::Invitation => ("invitation", "Welcome: choose your password", AcceptInvitation::url()),
    };
    move || {
        let token = token.clone();
        Suspend::new(async move {
            let flash = load_flash(form).await;
            match staff_token_info(token.clone(), link).await.ok().flatten() {
                Some(email) => view! {
                    <h1>{heading}</h1>
                    <p>"For " <strong>{email.clone()}</strong> "."</p>
                    <FlashMessages flash=flash.clone() />
                    <form method="post" action=action class="form" novalidate>
                        <input type="hidden" name="token" value=token />
                        <input type="hidden" name="username" value=email autocomplete="username" />
                        <Field
                            name="password"
                            label="New password"
                            kind="password"
                            autocomplete="new-password"
                            error=flash.field_error("password")
                            hint="At least 12 characters. A few unrelated words make a strong, memorable password."
                        />
                        <button type="submit" class="button">"Save password"</button>
                    </form>
                }
                .into_any(),
                None => view! {
                    <h1>"This link cannot be used"</h1>
                    <p>"It has expired or has already been used."</p>
                    <FlashMessages flash=flash />
                    <p><a href="/staff/reset">"Ask for a new reset link"</a> " or ask an admin to invite you again."</p>
                }
                .into_any(),
            }
        })
    }
}

/// `/staff/reset/confirm?token=…`: choose a new password from a reset link.
#[component]
pub fn ResetConfirmPage() -> impl IntoView {
    view! {
        <BrandedPage title="Choose a new password">
            <PasswordFromLink link=StaffLink::Reset />
        </BrandedPage>
    }
}

/// `/staff/invite/accept?token=…`: an invited staff member chooses their first password.
#[component]
pub fn InviteAcceptPage() -> impl IntoView {
    view! {
        <BrandedPage title="Accept your invitation">
            <PasswordFromLink link=StaffLink::Invitation />
        </BrandedPage>
    }
}
