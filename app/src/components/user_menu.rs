//! The signed-in person's corner of the header.

use crate::features::accounts::{
    api::{current_user, SignOut},
    model::Principal,
};
use leptos::{prelude::*, server_fn::ServerFn};

/// A sign-out button: a real form, so it works without JavaScript and is a POST.
#[component]
pub fn SignOutButton() -> impl IntoView {
    view! {
        <form method="post" action=SignOut::url() class="inline-form">
            <button type="submit" class="link-button">"Sign out"</button>
        </form>
    }
}

/// The header's account link: the prospect's or staff member's name with a sign-out button, or a
/// "Sign in" link for anyone else (including staff between password and second factor).
#[component]
pub fn UserMenu() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match current_user().await.unwrap_or(Principal::Anonymous) {
                    Principal::Prospect(p) => {
                        view! {
                            <div class="user-menu">
                                <a href="/account">{p.name}</a>
                                <SignOutButton />
                            </div>
                        }
                            .into_any()
                    }
                    Principal::Staff(s) => {
                        view! {
                            <div class="user-menu">
                                <a href="/admin">{s.name}</a>
                                <SignOutButton />
                            </div>
                        }
                            .into_any()
                    }
                    _ => {
                        view! {
                            <div class="user-menu">
                                <a href="/sign-in">"Sign in"</a>
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
