//! Who reaches what. Every page, server function and plain route is enumerated from the running
//! code and must appear in `EXPECTED`, which says, independently of the server's own table, who
//! may reach it. A new route without an entry here fails this test.

use crate::helpers::{location, spawn_app, Browser};
use app::features::accounts::model::StaffRole::*;

/// Who may reach each path: a = anonymous, p = prospect, f = staff between password and second
/// factor, A = admin, S = sales, Y = security.
const EXPECTED: &[(&str, &str)] = &[
    ("/", "apfASY"),
    ("/documents/{slug}/request", "apfASY"),
    ("/documents/{slug}/download", "apfASY"),
    ("/trust.json", "apfASY"),
    ("/trust.json.jws", "apfASY"),
    ("/.well-known/jwks.json", "apfASY"),
    ("/.well-known/security.txt", "apfASY"),
    ("/vulnerability-disclosure", "apfASY"),
    ("/api/disclosure_policy", "apfASY"),
    ("/audit/checkpoint.json", "apfASY"),
    ("/healthz", "apfASY"),
    ("/readyz", "apfASY"),
    ("/robots.txt", "apfASY"),
    ("/branding/logo/{hash}", "apfASY"),
    ("/pkg/{*file}", "apfASY"),
    ("/sign-in", "apfASY"),
    ("/sign-in/check-email", "apfASY"),
    ("/sign-in/confirm", "apfASY"),
    ("/account", "p"),
    ("/staff/sign-in", "apfASY"),
    ("/staff/reset", "apfASY"),
    ("/staff/reset/check-email", "apfASY"),
    ("/staff/reset/confirm", "apfASY"),
    ("/staff/invite/accept", "apfASY"),
    ("/staff/two-factor", "f"),
    ("/staff/two-factor/setup", "f"),
    ("/staff/recovery-codes", "ASY"),
    ("/admin", "ASY"),
    ("/admin/sessions", "ASY"),
    ("/admin/staff", "A"),
    ("/api/trust_page", "apfASY"),
    ("/api/branding", "apfASY"),
    ("/api/request_info", "apfASY"),
    ("/api/current_user", "apfASY"),
    ("/api/flash", "apfASY"),
    ("/api/request_sign_in_link", "apfASY"),
    ("/api/sign_in_link_info", "apfASY"),
    ("/api/confirm_sign_in", "apfASY"),
    ("/api/sign_out", "apfASY"),
    ("/api/prospect_account", "p"),
    ("/api/staff_sign_in", "apfASY"),
    ("/api/request_password_reset", "apfASY"),
    ("/api/reset_password", "apfASY"),
    ("/api/accept_invitation", "apfASY"),
    ("/api/staff_token_info", "apfASY"),
    ("/api/verify_second_factor", "f"),
    ("/api/two_factor_setup", "f"),
    ("/api/confirm_two_factor_setup", "f"),
    ("/api/recovery_codes", "ASY"),
    ("/api/my_sessions", "ASY"),
    ("/api/work_waiting", "ASY"),
    ("/api/end_session", "ASY"),
    ("/api/end_other_sessions", "ASY"),
    ("/api/list_staff", "A"),
    ("/api/invite_staff", "A"),
    ("/api/set_staff_roles", "A"),
    ("/api/set_staff_active", "A"),
    ("/api/list_scim_tokens", "A"),
    ("/admin/integrations", "A"),
    ("/api/list_api_tokens", "A"),
    ("/api/create_api_token", "A"),
    ("/api/revoke_api_token", "A"),
    ("/admin/integrations/webhooks/{id}", "A"),
    ("/api/list_webhooks", "A"),
    ("/api/create_webhook", "A"),
    ("/api/change_webhook", "A"),
    ("/api/webhook_deliveries", "A"),
    ("/api/redeliver_webhook", "A"),
    ("/api/create_scim_token", "A"),
    ("/api/revoke_scim_token", "A"),
    ("/api/sso_option", "apfASY"),
    // Without SSO configured these answer 404 to everyone; with it, anyone may start a sign-in.
    ("/staff/sso/start", "apfASY"),
    ("/staff/sso/callback", "apfASY"),
    // Only the identity provider, with a bearer token: no browser session reaches them.
    ("/scim/v2/Users", ""),
    ("/scim/v2/Users/{id}", ""),
    ("/api/v1/companies", ""),
    ("/api/v1/companies/{id}", ""),
    ("/api/v1/grants", ""),
    ("/api/v1/access-log", ""),
    ("/api/v1/kb/entries", ""),
    ("/api/v1/openapi.json", "apfASY"),
    // NDA-gated access
    ("/nda", "p"),
    ("/api/request_form", "p"),
    ("/api/submit_access_request", "p"),
    ("/api/prospect_dashboard", "p"),
    ("/api/request_extension", "p"),
    ("/api/current_nda", "p"),
    ("/api/accept_nda", "p"),
    ("/admin/requests", "AS"),
    ("/admin/requests/{id}", "AS"),
    ("/admin/grants", "AS"),
    ("/admin/companies", "AS"),
    ("/api/access_queue", "AS"),
    ("/api/access_request_detail", "AS"),
    ("/api/decide_access_request", "AS"),
    ("/api/list_grants", "AS"),
    ("/api/revoke_grant", "AS"),
    ("/api/extend_grant", "AS"),
    ("/api/list_companies", "AS"),
    ("/api/company_access_detail", "AS"),
    ("/api/update_company", "AS"),
    ("/admin/documents", "AY"),
    ("/admin/documents/upload", "AY"),
    ("/api/list_documents_for_staff", "AY"),
    ("/api/update_document", "AY"),
    ("/admin/rules", "AS"),
    ("/admin/nda", "AY"),
    ("/admin/nda/{id}", "AY"),
    ("/api/list_rules", "AS"),
    ("/api/save_rule", "AS"),
    ("/api/set_default_access_days", "AS"),
    ("/api/nda_versions", "AY"),
    ("/api/nda_version", "AY"),
    ("/api/save_nda_draft", "AY"),
    ("/api/publish_nda", "AY"),
    // Downloads, the access log, analytics, leak tracing
    ("/documents/{slug}/get", "p"),
    ("/account/nda/{id}/record.pdf", "p"),
    ("/download/{token}", "apfASY"),
    ("/admin/audit", "AS"),
    ("/admin/audit.csv", "AS"),
    ("/admin/audit/checkpoints.json", "AS"),
    ("/api/search_access_log", "AS"),
    ("/admin/analytics", "AS"),
    ("/admin/analytics.csv", "AS"),
    ("/api/analytics_summary", "AS"),
    ("/admin/leak-trace", "A"),
    ("/admin/leak-trace/upload", "A"),
    ("/admin/kb", "AY"),
    ("/admin/kb/hygiene", "AY"),
    ("/admin/kb/gaps", "AY"),
    ("/admin/kb/learn/upload", "AY"),
    ("/admin/kb/learn/{id}", "AY"),
    ("/api/kb_learn_batch", "AY"),
    ("/api/kb_learn_decide", "AY"),
    ("/api/kb_remove_phrasing", "AY"),
    ("/api/ask_gaps", "AY"),
    ("/api/ask_answer_gap", "AY"),
    ("/api/ask_dismiss_gap", "AY"),
    ("/ask", "apfASY"),
    ("/account/questionnaires/upload", "p"),
    ("/account/questionnaires/{id}/download", "p"),
    ("/api/my_questionnaires", "p"),
    ("/api/qn_complete", "AY"),
    ("/api/ask_question", "apfASY"),
    ("/api/ask_entry", "apfASY"),
    ("/api/ask_leave_email", "apfASY"),
    ("/ask/confirm", "apfASY"),
    ("/api/ask_confirm_email", "apfASY"),
    ("/admin/kb/{id}", "AY"),
    ("/admin/kb/upload", "AY"),
    ("/admin/kb/export.csv", "AY"),
    ("/admin/kb/export.xlsx", "AY"),
    ("/updates.atom", "apfASY"),
    ("/updates/confirm", "apfASY"),
    ("/updates/unsubscribe", "apfASY"),
    ("/updates/unsubscribe/one-click", "apfASY"),
    ("/updates/subscription", "apfASY"),
    ("/api/subscribe", "apfASY"),
    ("/api/confirm_subscription", "apfASY"),
    ("/api/unsubscribe", "apfASY"),
    ("/admin/updates", "AY"),
    ("/api/updates_admin", "AY"),
    ("/api/save_update", "AY"),
    ("/api/publish_update", "AY"),
    ("/admin/content", "AY"),
    ("/admin/content/preview", "AY"),
    ("/admin/content/controls/new", "AY"),
    ("/admin/content/controls/{id}", "AY"),
    ("/admin/content/subprocessors/new", "AY"),
    ("/admin/content/faq/new", "AY"),
    ("/admin/content/faq/{id}", "AY"),
    ("/api/faq_edit", "AY"),
    ("/api/save_faq", "AY"),
    ("/admin/content/subprocessors/{id}", "AY"),
    ("/api/content_list", "AY"),
    ("/api/control_edit", "AY"),
    ("/api/subprocessor_edit", "AY"),
    ("/api/save_control", "AY"),
    ("/api/save_subprocessor", "AY"),
    ("/api/content_preview", "AY"),
    ("/api/publish_content", "AY"),
    ("/admin/content/profile", "AY"),
    ("/admin/content/logo/upload", "AY"),
    ("/admin/content/soc2/new", "AY"),
    ("/admin/content/soc2/{id}", "AY"),
    ("/admin/content/frameworks/new", "AY"),
    ("/admin/content/frameworks/{id}", "AY"),
    ("/api/profile_edit", "AY"),
    ("/api/save_profile", "AY"),
    ("/api/report_edit", "AY"),
    ("/api/save_report", "AY"),
    ("/api/save_bridge_letter", "AY"),
    ("/api/framework_edit", "AY"),
    ("/api/save_framework", "AY"),
    ("/admin/questionnaires", "AY"),
    ("/admin/questionnaires/upload", "AY"),
    ("/admin/questionnaires/sample.xlsx", "AY"),
    ("/admin/questionnaires/{id}", "AY"),
    ("/admin/questionnaires/{id}/export", "AY"),
    ("/admin/companies/{id}", "ASY"),
    ("/api/qn_list", "AY"),
    ("/api/qn_page", "AY"),
    ("/api/qn_accept", "AY"),
    ("/api/qn_write", "AY"),
    ("/api/qn_row_state", "AY"),
    ("/api/qn_mapping", "AY"),
    ("/api/qn_update", "AY"),
    ("/api/company_detail", "ASY"),
    ("/api/kb_list", "AY"),
    ("/api/kb_entry", "AY"),
    ("/api/kb_save", "AY"),
    ("/api/kb_set_state", "AY"),
    ("/api/kb_hygiene", "AY"),
    ("/api/kb_try", "AY"),
];

/// Every route the running code registers: Leptos pages, server functions, plain routes.
fn registered_routes() -> Vec<(String, &'static str)> {
    let mut routes: Vec<(String, &'static str)> = Vec::new();
    for listing in leptos_axum::generate_route_list(app::App) {
        routes.push((listing.path().to_string(), "GET"));
    }
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        routes.push((path.to_string(), if method == axum::http::Method::GET { "GET" } else { "POST" }));
    }
    for path in server::routes::PATHS {
        routes.push((path.to_string(), if path.ends_with("/upload") { "POST" } else { "GET" }));
    }
    routes.sort();
    routes.dedup();
    routes
}

fn sample(path: &str) -> String {
    path.replace("{slug}", "soc3-report")
        .replace("{hash}", "0000000000000000")
        .replace("{*file}", "missing.js")
        .replace("{id}", "1")
        .replace("{token}", "not-a-token")
}

fn is_sign_in_redirect(res: &reqwest::Response) -> bool {
    let to = location(res);
    res.status().is_redirection()
        && (to.starts_with("/sign-in") || to.starts_with("/staff/sign-in") || to.starts_with("/staff/two-factor"))
}

#[test]
fn every_registered_route_has_an_expectation_and_a_server_rule() {
    let routes = registered_routes();
    assert!(routes.len() > 40, "enumeration found {} routes", routes.len());
    for (path, _) in &routes {
        assert!(EXPECTED.iter().any(|(p, _)| p == path), "{path} is registered but has no expectation in access.rs");
        let concrete = sample(path);
        assert!(
            app::features::accounts::policy::rule_for(&concrete).is_some(),
            "{path} has no rule in app/src/features/accounts/policy.rs"
        );
    }
    for (path, _) in EXPECTED {
        assert!(routes.iter().any(|(p, _)| p == path), "{path} is expected but no longer registered");
    }
}

#[tokio::test]
async fn each_kind_of_user_reaches_exactly_what_they_should() {
    let app = spawn_app().await;
    let pending = {
        app.create_staff("pending@northwind-analytics.example", &[Admin], true).await;
        let b = app.browser();
        b.post_form(
            "/api/staff_sign_in",
            &[("email", "pending@northwind-analytics.example"), ("password", crate::helpers::PASSWORD)],
        )
        .await;
        b
    };
    let principals: Vec<(char, Browser)> = vec![
        ('a', app.browser()),
        ('p', app.prospect_browser("pat@contoso.example").await),
        ('f', pending),
        ('A', app.staff_browser("admin@northwind-analytics.example", &[Admin]).await),
        ('S', app.staff_browser("sales@northwind-analytics.example", &[Sales]).await),
        ('Y', app.staff_browser("security@northwind-analytics.example", &[Security]).await),
    ];
    let mut routes = registered_routes();
    // Signing out last, so it does not end the sessions the other checks use.
    routes.sort_by_key(|(p, _)| p == "/api/sign_out");
    let mut failures = Vec::new();
    for (path, method) in &routes {
        let who = EXPECTED.iter().find(|(p, _)| p == path).map(|(_, w)| *w).unwrap_or_default();
        for (code, browser) in &principals {
            let res =
                if *method == "GET" { browser.get(&sample(path)).await } else { browser.post_form(path, &[]).await };
            let status = res.status().as_u16();
            let refused = status == 401 || status == 403 || is_sign_in_redirect(&res);
            let should_reach = who.contains(*code);
            if refused == should_reach {
                failures.push(format!("{method} {path} as {code}: status {status} -> {}", location(&res)));
            }
        }
    }
    assert!(failures.is_empty(), "access differs from expectations:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn a_refused_or_unknown_staff_page_is_a_real_page() {
    let app = spawn_app().await;
    let sales = app.staff_browser("sales@northwind-analytics.example", &[Sales]).await;
    for (path, status, says) in [
        ("/admin/kb", 403, "You do not have permission to open this page"),
        ("/admin/no-such-page", 404, "Page not found"),
    ] {
        let res = sales.get(path).await;
        assert_eq!(res.status().as_u16(), status, "{path}");
        assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8", "{path}");
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        let html = res.text().await.unwrap();
        assert!(html.starts_with("<!DOCTYPE html><html lang=\"en\">") && html.contains("<title>"), "{html}");
        assert!(html.contains(says), "{html}");
        // Styled under this response's nonce, so the CSP lets the style apply.
        let nonce = html.split("<style nonce=\"").nth(1).and_then(|s| s.split('"').next()).unwrap();
        assert!(!nonce.is_empty() && csp.contains(&format!("'nonce-{nonce}'")), "{csp}");
    }
    // A server function still answers in plain words.
    let res = sales.post_form("/api/kb_list", &[]).await;
    assert_eq!(res.status().as_u16(), 403);
}
