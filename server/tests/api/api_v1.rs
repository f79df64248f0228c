//! `/api/v1`: tokens made by an admin (shown once, stored hashed), scopes, expiry, revocation,
//! personal tokens following their owner, problem details, the companies a CRM writes, the
//! access-log feed's cursor, and the OpenAPI document.

use crate::helpers::{location, spawn_app, Browser, TestApp};
use app::features::accounts::model::StaffRole;
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

/// Makes a token on `/admin/integrations` and reads it from the notice shown once.
async fn make_token(admin: &Browser, label: &str, kind: &str, scopes: &[&str]) -> String {
    let fields: Vec<String> = scopes.iter().map(|s| format!("scope_{}", s.replace(':', "_"))).collect();
    let mut form = vec![("label", label), ("kind", kind), ("days", "90")];
    form.extend(fields.iter().map(|f| (f.as_str(), "yes")));
    let res = admin.post_form("/api/create_api_token", &form).await;
    assert_eq!(location(&res), "/admin/integrations");
    let page = admin.get_text("/admin/integrations").await.1;
    let at =
        page.find("it is not shown again: vsk_").expect("the token is shown once") + "it is not shown again: ".len();
    let token = page[at..at + 47].to_string();
    let again = admin.get_text("/admin/integrations").await.1;
    assert!(!again.contains(&token), "shown once only");
    assert!(again.contains(label));
    token
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut req = reqwest::Client::new().request(method, app.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.text().await.unwrap())
}

async fn get(app: &TestApp, path: &str, token: &str) -> (StatusCode, String) {
    let (status, _, body) = call(app, reqwest::Method::GET, path, Some(token), None).await;
    (status, body)
}

fn assert_problem(status: StatusCode, headers: &reqwest::header::HeaderMap, body: &str, expected: u16) -> Value {
    assert_eq!(status.as_u16(), expected, "{body}");
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    let problem: Value = serde_json::from_str(body).unwrap();
    assert_eq!(problem["status"], expected);
    assert_eq!(problem["type"], "about:blank");
    assert!(problem["title"].as_str().is_some_and(|t| !t.is_empty()) && problem["detail"].is_string());
    problem
}

#[tokio::test]
async fn tokens_are_shown_once_stored_hashed_scoped_expiring_and_revocable() {
    let app = spawn_app().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let reader = make_token(&admin, "CRM (read)", "service", &["companies:read"]).await;
    assert!(reader.starts_with("vsk_"));

    // Stored as SHA-256 only.
    let rows: Vec<(String, String)> =
        sqlx::query_as("select token_sha256, scopes from api_tokens").fetch_all(app.state.db.pool()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, app::ssr::tokens::sha256_hex(reader.trim_start_matches("vsk_").as_bytes()));
    assert_eq!(rows[0].1, "companies:read");
    let dump: Vec<(String,)> =
        sqlx::query_as("select details from access_log").fetch_all(app.state.db.pool()).await.unwrap();
    assert!(dump.iter().all(|(d,)| !d.contains(&reader[4..])), "the token never reaches the log");

    // The scope it carries, and no other.
    let (status, body) = get(&app, "/api/v1/companies", &reader).await;
    assert_eq!(status, 200, "{body}");
    let page: Value = serde_json::from_str(&body).unwrap();
    assert!(page["items"].as_array().unwrap().iter().any(|c| c["domain"].is_string()));
    for (method, path) in [
        (reqwest::Method::POST, "/api/v1/companies"),
        (reqwest::Method::GET, "/api/v1/grants"),
        (reqwest::Method::GET, "/api/v1/access-log"),
        (reqwest::Method::GET, "/api/v1/kb/entries"),
    ] {
        let (status, headers, body) = call(&app, method, path, Some(&reader), Some(json!({}))).await;
        let problem = assert_problem(status, &headers, &body, 403);
        assert!(problem["detail"].as_str().unwrap().contains("scope"), "{path}");
        assert!(headers[header::WWW_AUTHENTICATE].to_str().unwrap().contains("insufficient_scope"));
    }

    // No token, a made-up one, a malformed header: 401 with the challenge.
    for token in [None, Some("vsk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), Some("not-a-token")] {
        let (status, headers, body) = call(&app, reqwest::Method::GET, "/api/v1/companies", token, None).await;
        assert_problem(status, &headers, &body, 401);
        assert!(headers[header::WWW_AUTHENTICATE].to_str().unwrap().starts_with("Bearer"));
    }
    // A signed-in admin's browser session is not a token.
    assert_eq!(admin.get("/api/v1/companies").await.status().as_u16(), 401);

    // Expired: refused.
    let expiring = make_token(&admin, "Short-lived", "service", &["companies:read"]).await;
    assert_eq!(get(&app, "/api/v1/companies", &expiring).await.0, 200);
    sqlx::query("update api_tokens set expires_at = 1 where label = 'Short-lived'")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(get(&app, "/api/v1/companies", &expiring).await.0, 401);
    assert!(admin.get_text("/admin/integrations").await.1.contains("Expired"));

    // Revoked: refused from the next request on.
    let (id,): (i64,) = sqlx::query_as("select id from api_tokens where label = 'CRM (read)'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    admin.post_form("/api/revoke_api_token", &[("token_id", &id.to_string())]).await;
    assert_eq!(get(&app, "/api/v1/companies", &reader).await.0, 401);

    // Every use is in the access log: successes with the token, refusals with the reason.
    let used: Vec<(String, String, String)> =
        sqlx::query_as("select outcome, object, details from access_log where event = 'api.request' order by seq")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert!(used
        .iter()
        .any(|(o, p, d)| o == "success" && p == "/api/v1/companies" && d.contains(&format!("\"token\":{id}"))));
    assert!(used.iter().any(|(o, p, d)| o == "denied" && p == "/api/v1/grants" && d.contains("scope missing")));
    let created: Vec<(String,)> = sqlx::query_as("select event from access_log where event like 'api.token_%'")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(created.len(), 3, "two made, one revoked: {created:?}");

    // Only admins make tokens.
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    let res = sales
        .post_form(
            "/api/create_api_token",
            &[("label", "x"), ("kind", "service"), ("days", "90"), ("scope_audit_read", "yes")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    // A form without scopes or with a made-up lifetime is refused with the fields named.
    let res = admin.post_form("/api/create_api_token", &[("label", "x"), ("kind", "service"), ("days", "9999")]).await;
    let page = admin.get_text(&location(&res)).await.1;
    assert!(page.contains("Choose at least one scope.") && page.contains("Choose how long the token lasts."));
}

#[tokio::test]
async fn a_personal_token_follows_its_owner() {
    let app = spawn_app().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let token = make_token(&admin, "My script", "personal", &["grants:read", "kb:read"]).await;
    assert_eq!(get(&app, "/api/v1/grants", &token).await.0, 200);
    let (status, all) = get(&app, "/api/v1/grants?status=all&limit=2", &token).await;
    assert_eq!(status, 200, "{all}");
    assert!(serde_json::from_str::<Value>(&all).unwrap()["items"].is_array());
    let (owner,): (i64,) =
        sqlx::query_as("select owner_id from api_tokens").fetch_one(app.state.db.pool()).await.unwrap();
    // The owner loses the roles the scopes need: the token loses them too.
    sqlx::query("delete from staff_roles where staff_id = $1").bind(owner).execute(app.state.db.pool()).await.unwrap();
    sqlx::query("insert into staff_roles (staff_id, role, created_at) values ($1, 'security', 1)")
        .bind(owner)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(get(&app, "/api/v1/grants", &token).await.0, 403, "grants are sales' work");
    assert_eq!(get(&app, "/api/v1/kb/entries", &token).await.0, 200, "the knowledge base is security's");
    // Deactivated: nothing.
    sqlx::query("update staff_users set active = 0 where id = $1")
        .bind(owner)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(get(&app, "/api/v1/kb/entries", &token).await.0, 401);
    // Its uses were logged as the owner.
    let (label,): (String,) = sqlx::query_as(
        "select actor_label from access_log where event = 'api.request' and outcome = 'success' order by seq limit 1",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(label, "ada@northwind-analytics.example");
}

#[tokio::test]
async fn a_crm_marks_customers_and_bad_input_gets_a_problem() {
    let app = spawn_app().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let crm = make_token(&admin, "CRM", "service", &["companies:read", "companies:write"]).await;
    let post = |body: Value| {
        let (app, crm) = (&app, crm.clone());
        async move { call(app, reqwest::Method::POST, "/api/v1/companies", Some(&crm), Some(body)).await }
    };
    let (status, headers, body) = post(
        json!({ "domain": "Wingtip-CRM.example", "name": "Wingtip", "mnda_until": "2099-01-31", "auto_approve": true }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let company: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(headers[header::LOCATION], format!("/api/v1/companies/{}", company["id"]));
    assert_eq!(company["domain"], "wingtip-crm.example");
    assert_eq!(company["mnda_until"], "2099-01-31");
    assert_eq!((company["auto_approve"].as_bool(), company["decision"].as_str()), (Some(true), Some("auto_approve")));
    let path = format!("/api/v1/companies/{}", company["id"]);

    // Fields left out are kept; null ends the MNDA; auto-approval off removes the rule.
    let (status, _, body) = call(
        &app,
        reqwest::Method::PATCH,
        &path,
        Some(&crm),
        Some(json!({ "mnda_until": null, "auto_approve": false })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let changed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(changed["name"], "Wingtip");
    assert_eq!(changed["mnda_until"], Value::Null);
    assert_eq!(changed["auto_approve"], false);
    let (rules,): (i64,) = sqlx::query_as("select count(*) from access_rules where pattern = 'wingtip-crm.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(rules, 0);
    let (status, body) = get(&app, "/api/v1/companies?domain=wingtip-crm.example", &crm).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["items"][0]["id"], company["id"]);
    let logged: Vec<(String, String)> = sqlx::query_as(
        "select event, actor_label from access_log where event in ('company.created', 'company.updated') order by seq",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(logged.iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>(), ["company.created", "company.updated"]);
    assert!(logged[0].1.starts_with("api token"), "{logged:?}");

    // Refusals: each a problem naming what is wrong, nothing stored.
    let (s, h, b) = post(json!({ "domain": "gmail.com", "name": "Gmail", "auto_approve": true })).await;
    assert!(assert_problem(s, &h, &b, 422)["detail"].as_str().unwrap().contains("free-mail"));
    let (s, h, b) = post(json!({ "domain": "wingtip-crm.example", "name": "Again" })).await;
    assert!(assert_problem(s, &h, &b, 422)["detail"].as_str().unwrap().contains("exists"));
    let (s, h, b) = post(json!({ "domain": "*.evil.example", "name": "Wildcard" })).await;
    assert_eq!(assert_problem(s, &h, &b, 422)["errors"][0]["field"], "domain");
    let (s, h, b) = post(json!({ "domain": "x.example", "name": "X", "mnda_until": "soon" })).await;
    assert_eq!(assert_problem(s, &h, &b, 422)["errors"][0]["field"], "mnda_until");
    let (s, h, b) = post(json!({ "domain": "y.example", "name": "Y", "is_admin": true })).await;
    assert!(assert_problem(s, &h, &b, 400)["detail"].as_str().unwrap().contains("is_admin"));
    let (s, h, b) =
        call(&app, reqwest::Method::PATCH, &path, Some(&crm), Some(json!({ "domain": "other.example" }))).await;
    assert_problem(s, &h, &b, 422);
    let (s, h, b) =
        call(&app, reqwest::Method::PATCH, "/api/v1/companies/999999", Some(&crm), Some(json!({ "name": "Z" }))).await;
    assert_problem(s, &h, &b, 404);
    let (s, h, b) = call(&app, reqwest::Method::GET, "/api/v1/companies/abc", Some(&crm), None).await;
    assert_problem(s, &h, &b, 404);
    let (s, h, b) = call(&app, reqwest::Method::GET, "/api/v1/companies?limit=5000", Some(&crm), None).await;
    assert_problem(s, &h, &b, 422);
    let raw = reqwest::Client::new()
        .post(app.url("/api/v1/companies"))
        .bearer_auth(&crm)
        .header(header::CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 400);
    let (count,): (i64,) =
        sqlx::query_as("select count(*) from companies where domain in ('gmail.com', 'x.example', 'y.example')")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn the_access_log_feed_returns_every_row_exactly_once_across_pages() {
    let app = spawn_app().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let siem = make_token(&admin, "SIEM", "service", &["audit:read"]).await;
    // Enough rows for several pages: every pull is logged.
    for _ in 0..12 {
        assert_eq!(get(&app, "/api/v1/access-log?limit=1", &siem).await.0, 200);
    }
    let mut seen: Vec<i64> = Vec::new();
    let mut after = 0;
    let mut pages = 0;
    loop {
        let res = reqwest::Client::new()
            .get(app.url(&format!("/api/v1/access-log?after={after}&limit=3")))
            .bearer_auth(&siem)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/x-ndjson");
        let next: i64 = res.headers()["x-next-cursor"].to_str().unwrap().parse().unwrap();
        let body = res.text().await.unwrap();
        let lines: Vec<Value> = body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        seen.extend(lines.iter().map(|l| l["seq"].as_i64().unwrap()));
        pages += 1;
        // Rows keep arriving while the SIEM pages: new ones, from other actors, mid-way.
        if pages == 2 {
            admin.get("/admin/audit").await;
            make_token(&admin, "Another", "service", &["kb:read"]).await;
        }
        if lines.is_empty() {
            assert_eq!(next, after, "nothing new: the same cursor");
            break;
        }
        assert_eq!(next, *seen.last().unwrap());
        after = next;
        // Each pull is logged too, so there is always one row more: a short page means caught up.
        if lines.len() < 3 {
            break;
        }
        assert!(pages < 1_000);
    }
    let all: Vec<(i64,)> = sqlx::query_as("select seq from access_log where seq <= $1 order by seq")
        .bind(after)
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    let all: Vec<i64> = all.into_iter().map(|(s,)| s).collect();
    assert_eq!(seen, all, "every row exactly once, in order");
    assert!(seen.windows(2).all(|w| w[1] == w[0] + 1));
    assert!(pages > 3);
    // A line is the stored row: its hash checks out against the chain.
    let res = reqwest::Client::new()
        .get(app.url("/api/v1/access-log?after=0&limit=1"))
        .bearer_auth(&siem)
        .send()
        .await
        .unwrap();
    let first: Value = serde_json::from_str(res.text().await.unwrap().trim()).unwrap();
    assert_eq!(first["seq"], 1);
    assert!(first["hash"].as_str().unwrap().len() == 64 && first["details"].is_object());
}

#[tokio::test]
async fn the_knowledge_base_feed_never_carries_an_internal_entry() {
    let app = spawn_app().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let token = make_token(&admin, "Wiki", "service", &["kb:read"]).await;
    let today = app::types::IsoDate::today_utc().to_string();
    sqlx::query(
        "insert into kb_entries (external_id, question, short_answer, explanation, category, status, visibility, \
         last_reviewed_on, created_at, updated_at) values \
         ('KB-SECRET', 'Which HSM vendor?', 'N/A', 'INTERNAL-ONLY-TEXT', 'Crypto', 'approved', 'internal', $1, 1, 1), \
         ('KB-OPEN', 'Is there a bug bounty?', 'Yes', 'PUBLIC-TEXT', 'Program', 'approved', 'public', $1, 1, 1), \
         ('KB-DRAFT', 'Draft?', 'Yes', 'DRAFT-TEXT', 'Program', 'draft', 'public', $1, 1, 1)",
    )
    .bind(&today)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    let mut ids = Vec::new();
    let mut after = 0;
    loop {
        let (status, body) = get(&app, &format!("/api/v1/kb/entries?after={after}&limit=13"), &token).await;
        assert_eq!(status, 200);
        assert!(!body.contains("INTERNAL-ONLY-TEXT") && !body.contains("DRAFT-TEXT"));
        let page: Value = serde_json::from_str(&body).unwrap();
        ids.extend(page["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_i64() {
            Some(next) => after = next,
            None => break,
        }
    }
    assert!(ids.contains(&"KB-OPEN".to_string()));
    assert!(!ids.contains(&"KB-SECRET".to_string()));
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no entry twice across pages");
    let (_, public) = get(&app, "/api/v1/kb/entries?visibility=public", &token).await;
    let public: Value = serde_json::from_str(&public).unwrap();
    assert!(public["items"].as_array().unwrap().iter().all(|e| e["visibility"] == "public"));
    let (s, h, b) =
        call(&app, reqwest::Method::GET, "/api/v1/kb/entries?visibility=internal", Some(&token), None).await;
    assert_problem(s, &h, &b, 422);
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_with_its_scope() {
    let app = spawn_app().await;
    let (status, body) = app.get_text("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    let paths = doc["paths"].as_object().unwrap();
    for route in server::routes::api_v1::PATHS.iter().filter(|p| !p.ends_with("openapi.json")) {
        let entry = paths.get(*route).unwrap_or_else(|| panic!("{route} is not in the OpenAPI document"));
        for (method, op) in entry.as_object().unwrap() {
            let scopes =
                op["security"][0]["bearer"].as_array().unwrap_or_else(|| panic!("{method} {route} names no scope"));
            assert_eq!(scopes.len(), 1);
            assert!(app::features::integrations::model::ApiScope::parse(scopes[0].as_str().unwrap()).is_some());
            assert!(op["responses"]["401"].is_object(), "{method} {route} documents the 401");
        }
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, 7, "list, get, create and change companies; grants; the log; the knowledge base");
}

#[tokio::test]
async fn a_write_decides_against_the_token_as_it_is_when_it_commits() {
    use app::features::integrations::server::{tokens, v1};
    let app = spawn_app().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let crm = make_token(&admin, "CRM", "personal", &["companies:write"]).await;
    // The request was authenticated while the token was good ...
    let caller = tokens::authenticate(&app.state, Some(&crm)).await.unwrap().unwrap();
    let meta = app::ssr::request_meta::RequestMeta::system("test");
    let input = || serde_json::from_value(json!({ "domain": "late.example", "name": "Late" })).unwrap();
    // ... and the owner lost the role the scope needs before the write: nothing is written.
    let (owner,): (i64,) =
        sqlx::query_as("select owner_id from api_tokens").fetch_one(app.state.db.pool()).await.unwrap();
    sqlx::query("update staff_roles set role = 'security' where staff_id = $1")
        .bind(owner)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let refused = v1::save_company(&app.state, &meta, &caller, None, input()).await;
    assert!(matches!(refused, Err(app::error::AppError::Unauthenticated)), "{refused:?}");
    sqlx::query("update staff_roles set role = 'admin' where staff_id = $1")
        .bind(owner)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    // Revoked in between: refused too.
    sqlx::query("update api_tokens set revoked_at = 1").execute(app.state.db.pool()).await.unwrap();
    let refused = v1::save_company(&app.state, &meta, &caller, None, input()).await;
    assert!(matches!(refused, Err(app::error::AppError::Unauthenticated)), "{refused:?}");
    let (count,): (i64,) = sqlx::query_as("select count(*) from companies where domain = 'late.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(count, 0);
    // Still good: written, with the token named in the log.
    sqlx::query("update api_tokens set revoked_at = null").execute(app.state.db.pool()).await.unwrap();
    v1::save_company(&app.state, &meta, &caller, None, input()).await.unwrap();
    let (details,): (String,) = sqlx::query_as("select details from access_log where event = 'company.created'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(details.contains(&format!("\"token\":{}", caller.token_id)), "{details}");
}
