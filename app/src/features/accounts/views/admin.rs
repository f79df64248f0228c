//! The staff area's frame, its home, a person's sessions, and staff administration.

use crate::{
    components::{Badge, ErrorPanel, HydrationMarker, SignOutButton},
    features::accounts::{
        api::{
            current_user, list_staff, my_sessions, EndOtherSessions, EndSession, InviteStaff, SetStaffActive,
            SetStaffRoles,
        },
        model::{Principal, ScimTokenSummary, StaffRole, StaffSummary, StaffUser},
        scim_api::{list_scim_tokens, CreateScimToken, RevokeScimToken},
    },
    forms::{load_flash, Field, FlashMessages},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;

/// The staff area's frame: who is signed in, what they may open.
#[component]
pub fn AdminLayout(#[prop(into)] title: String, children: ChildrenFn) -> impl IntoView {
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let title = title.clone();
                Suspend::new(async move {
                    match current_user().await {
                        Ok(Principal::Staff(staff)) => {
                            view! {
                                <Title text=format!("{title} · Staff") />
                                <AdminFrame staff>{children.with_value(|c| c())}</AdminFrame>
                            }
                                .into_any()
                        }
                        _ => view! { <main id="main" class="wrap narrow"><ErrorPanel error=crate::error::AppError::Unauthenticated /></main> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn AdminFrame(staff: StaffUser, children: Children) -> impl IntoView {
    let mut groups: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
    if staff.has(StaffRole::Sales) {
        groups.push((
            "Access",
            vec![
                ("/admin/requests", "Requests"),
                ("/admin/grants", "Grants"),
                ("/admin/companies", "Companies"),
                ("/admin/rules", "Rules"),
            ],
        ));
        groups.push(("Insight", vec![("/admin/analytics", "Analytics"), ("/admin/audit", "Access log")]));
    }
    if staff.has(StaffRole::Security) {
        groups.push((
            "Trust center",
            vec![
                ("/admin/content", "Content"),
                ("/admin/updates", "Updates"),
                ("/admin/documents", "Documents"),
                ("/admin/nda", "NDA"),
            ],
        ));
        groups.push(("Answers", vec![("/admin/kb", "Knowledge base"), ("/admin/questionnaires", "Questionnaires")]));
    }
    if staff.has(StaffRole::Admin) {
        groups.push((
            "Admin",
            vec![
                ("/admin/leak-trace", "Leak tracing"),
                ("/admin/staff", "Staff"),
                ("/admin/integrations", "Integrations"),
            ],
        ));
    }
    // Menus that open without JavaScript (a disclosure each), so the header stays one line.
    let nav: Vec<_> = groups
        .into_iter()
        .map(|(label, links)| {
            let items: Vec<_> =
                links.into_iter().map(|(href, text)| view! { <li><a href=href>{text}</a></li> }).collect();
            view! {
                <li class="nav-group">
                    <details>
                        <summary>{label}</summary>
                        <ul class="nav-menu">{items}</ul>
                    </details>
                </li>
            }
        })
        .collect();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header staff-header">
            <div class="wrap header-inner">
                <a class="brand" href="/admin"><span class="brand-name">"Trust Center"</span><span class="brand-sub">"Staff"</span></a>
                <nav aria-label="Staff area"><ul class="nav-list"><li><a href="/admin">"Overview"</a></li>{nav}</ul></nav>
                <div class="user-menu">
                    <a href="/admin/sessions" title="Your sessions">{staff.name.clone()}</a>
                    <SignOutButton />
                </div>
            </div>
        </header>
        <main id="main" class="wrap page" tabindex="-1">
            <Suspense fallback=|| ()>{children()}</Suspense>
        </main>
        <footer class="site-footer"><div class="wrap"><a href="/">"View the public trust center"</a></div><HydrationMarker /></footer>
    }
}

/// `/admin/sessions`: every browser signed in to the staff member's account; end one, or all but
/// this one.
#[component]
pub fn SessionsPage() -> impl IntoView {
    view! {
        <AdminLayout title="Your sessions">
            {move || Suspend::new(async move {
                let flash = load_flash("sessions").await;
                match my_sessions().await {
                    Ok(sessions) => {
                        let others = sessions.iter().filter(|s| !s.current).count();
                        let rows: Vec<_> = sessions
                            .into_iter()
                            .map(|s| {
                                let action = if s.current {
                                    view! { <Badge tone="good" text="This session" /> }.into_any()
                                } else {
                                    view! {
                                        <form method="post" action=EndSession::url() class="inline-form">
                                            <input type="hidden" name="handle" value=s.handle.clone() />
                                            <button type="submit" class="button secondary small">"End"</button>
                                        </form>
                                    }
                                    .into_any()
                                };
                                view! {
                                    <tr data-test-session=s.handle.clone()>
                                        <td>{s.user_agent}</td>
                                        <td>{s.ip}</td>
                                        <td><time datetime=s.created_at.rfc3339()>{s.created_at.long()}</time></td>
                                        <td><time datetime=s.last_seen_at.rfc3339()>{s.last_seen_at.long()}</time></td>
                                        <td>{action}</td>
                                    </tr>
                                }
                            })
                            .collect();
                        view! {
                            <h1>"Your sessions"</h1>
                            <FlashMessages flash />
                            <p class="muted">"Every browser signed in to your staff account. End any you do not recognise."</p>
                            <div class="table-scroll">
                                <table class="table">
                                    <thead><tr><th scope="col">"Browser"</th><th scope="col">"IP address"</th><th scope="col">"Signed in"</th><th scope="col">"Last active"</th><th scope="col"><span class="visually-hidden">"Action"</span></th></tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </div>
                            {(others > 0).then(|| view! {
                                <form method="post" action=EndOtherSessions::url() class="form-inline">
                                    <button type="submit" class="button secondary">"Sign out everywhere else"</button>
                                </form>
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

/// `/admin/staff` (admins): every staff member, with their roles and access changeable in place,
/// and the invitation form.
#[component]
pub fn StaffAdminPage() -> impl IntoView {
    view! {
        <AdminLayout title="Staff">
            {move || Suspend::new(async move {
                let flash = load_flash("invite").await;
                let scim_flash = load_flash("scim").await;
                let tokens = list_scim_tokens().await.unwrap_or_default();
                match list_staff().await {
                    Ok(staff) => {
                        let rows: Vec<_> = staff.into_iter().map(|s| view! { <StaffRow s /> }).collect();
                        view! {
                            <h1>"Staff"</h1>
                            <FlashMessages flash=flash.clone() />
                            <div class="table-scroll">
                                <table class="table">
                                    <thead><tr><th scope="col">"Person"</th><th scope="col">"Status"</th><th scope="col">"Roles"</th><th scope="col">"Access"</th></tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </div>
                            <ScimTokens flash=scim_flash tokens />
                            <section class="panel" aria-labelledby="invite-title">
                                <h2 id="invite-title">"Invite a staff member"</h2>
                                <form method="post" action=InviteStaff::url() class="form" novalidate>
                                    <Field name="email" label="E-mail" kind="email" value=flash.value("email") error=flash.field_error("email") />
                                    <Field name="name" label="Name" value=flash.value("name") error=flash.field_error("name") />
                                    <RoleChecks prefix="invite" roles=vec![] />
                                    {flash.field_error("roles").map(|e| view! { <p class="field-error">{e}</p> })}
                                    <button type="submit" class="button">"Send invitation"</button>
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

#[component]
fn RoleChecks(#[prop(into)] prefix: String, roles: Vec<StaffRole>) -> impl IntoView {
    let boxes: Vec<_> = StaffRole::ALL
        .into_iter()
        .map(|role| {
            let id = format!("{prefix}-{}", role.code());
            view! {
                <label class="check" for=id.clone()>
                    <input type="checkbox" id=id.clone() name=role.code() value="on" checked=roles.contains(&role) />
                    {role.label()}
                </label>
            }
        })
        .collect();
    view! { <fieldset class="roles"><legend>"Roles"</legend>{boxes}</fieldset> }
}

#[component]
fn StaffRow(s: StaffSummary) -> impl IntoView {
    let status = match (s.active, s.invitation_pending, s.two_factor) {
        (false, _, _) => view! { <Badge tone="bad" text="Deactivated" /> },
        (true, true, _) => view! { <Badge tone="neutral" text="Invited" /> },
        (true, false, false) => view! { <Badge tone="warn" text="No second factor yet" /> },
        (true, false, true) => view! { <Badge tone="good" text="Active" /> },
    };
    let last =
        s.last_sign_in_at.map(|t| format!("Last sign-in {}", t.long())).unwrap_or_else(|| "Never signed in".into());
    let prefix = format!("staff-{}", s.id);
    view! {
        <tr data-test-staff=s.email.clone()>
            <td><strong>{s.name.clone()}</strong><br /><span class="small">{s.email.clone()}</span><br /><span class="small muted">{last}</span></td>
            <td>{status}</td>
            <td>
                <form method="post" action=SetStaffRoles::url() class="form-inline">
                    <input type="hidden" name="staff_id" value=s.id.to_string() />
                    <RoleChecks prefix roles=s.roles.clone() />
                    <button type="submit" class="button secondary small">"Save roles"</button>
                </form>
            </td>
            <td>
                <form method="post" action=SetStaffActive::url() class="inline-form">
                    <input type="hidden" name="staff_id" value=s.id.to_string() />
                    <input type="hidden" name="active" value=if s.active { "false" } else { "true" } />
                    <button type="submit" class="button secondary small">{if s.active { "Deactivate" } else { "Reactivate" }}</button>
                </form>
            </td>
        </tr>
    }
}

/// The identity provider's SCIM tokens: make one (shown once), see when each was last used,
/// revoke.
#[component]
fn ScimTokens(flash: crate::forms::Flash, tokens: Vec<ScimTokenSummary>) -> impl IntoView {
    let rows: Vec<_> = tokens.into_iter().map(|t| view! { <ScimTokenRow t /> }).collect();
    let empty = rows.is_empty();
    view! {
        <section class="panel" aria-labelledby="scim-title">
            <h2 id="scim-title">"Provisioning (SCIM)"</h2>
            <p class="small">
                "Your identity provider creates and deactivates staff accounts at "<code>"/scim/v2/Users"</code>
                " with a bearer token made here. Deactivated people's sessions end at once."
            </p>
            <FlashMessages flash=flash.clone() />
            {(!empty).then(|| view! {
                <div class="table-scroll">
                    <table class="table">
                        <thead><tr><th scope="col">"Token"</th><th scope="col">"Last used"</th><th scope="col">"Action"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            })}
            <form method="post" action=CreateScimToken::url() class="form" novalidate>
                <Field name="label" label="Label (which provider uses it)" value=flash.value("label") error=flash.field_error("label") />
                <button type="submit" class="button">"Create token"</button>
            </form>
        </section>
    }
}

#[component]
fn ScimTokenRow(t: ScimTokenSummary) -> impl IntoView {
    let used = t.last_used_at.map(|at| at.long()).unwrap_or_else(|| "Never".into());
    view! {
        <tr>
            <td>{t.label.clone()}<br /><span class="small muted">{format!("Created {}", t.created_at.long())}</span></td>
            <td>{used}</td>
            <td>
                {if t.revoked {
                    view! { <Badge tone="neutral" text="Revoked" /> }.into_any()
                } else {
                    view! {
                        <form method="post" action=RevokeScimToken::url() class="inline-form">
                            <input type="hidden" name="token_id" value=t.id.to_string() />
                            <button type="submit" class="button secondary small">"Revoke"</button>
                        </form>
                    }
                        .into_any()
                }}
            </td>
        </tr>
    }
}
