//! SCIM 2.0 for the identity provider: tokens made by an admin (shown once, stored hashed,
//! revocable), users listed, created, deactivated (a live session ends at its next request) and
//! deleted; everything logged; refusals for bad tokens.

use crate::helpers::{spawn_app, TestApp};
use app::features::accounts::model::StaffRole;
use serde_json::{json, Value};

/// An admin makes a token through the staff page's form; the notice shows it once.
async fn token(app: &TestApp) -> String {
    let admin = app.staff_browser("root@northwind-analytics.example", &[StaffRole::Admin]).await;
    let res = admin.post_form("/api/create_scim_token", &[("label", "Okta")]).await;
    assert_eq!(crate::helpers::location(&res), "/admin/staff");
    let page = admin.get_text("/admin/staff").await.1;
    let found = page.split("it is not shown again: ").nth(1);
    let token = found.unwrap_or_else(|| panic!("the token, once: {page}")).chars().take(43).collect::<String>();
    assert!(!admin.get_text("/admin/staff").await.1.contains(&token), "shown once");
    let (stored,): (String,) =
        sqlx::query_as("select token_sha256 from scim_tokens").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(stored, app::ssr::tokens::sha256_hex(token.as_bytes()), "kept as its hash");
    token
}

struct Scim<'a> {
    app: &'a TestApp,
    token: String,
}

impl Scim<'_> {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.app.client.request(method, self.app.url(path)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.header("content-type", "application/scim+json").body(body.to_string());
        }
        let res = request.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn the_identity_provider_creates_lists_deactivates_and_deletes_staff() {
    let app = spawn_app().await;
    let scim = Scim { app: &app, token: token(&app).await };
    let (status, created) = scim
        .send(
            reqwest::Method::POST,
            "/scim/v2/Users",
            Some(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "Grace@Northwind-Analytics.example",
                "name": { "givenName": "Grace", "familyName": "Hopper" },
                "emails": [{ "value": "grace@northwind-analytics.example", "primary": true }],
                "active": true,
                "unknownAttribute": { "ignored": true }
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["userName"], "grace@northwind-analytics.example");
    assert_eq!(created["name"]["formatted"], "Grace Hopper");
    let id = created["id"].as_str().unwrap().to_string();
    let (status, again) = scim
        .send(reqwest::Method::POST, "/scim/v2/Users", Some(json!({ "userName": "grace@northwind-analytics.example" })))
        .await;
    assert_eq!((status, again["scimType"].as_str()), (409, Some("uniqueness")));

    let (status, found) = scim
        .send(
            reqwest::Method::GET,
            "/scim/v2/Users?filter=userName%20eq%20%22grace%40northwind-analytics.example%22",
            None,
        )
        .await;
    assert_eq!((status, found["totalResults"].as_i64()), (200, Some(1)));
    assert_eq!(found["Resources"][0]["id"], id.as_str());
    let (status, _) = scim.send(reqwest::Method::GET, "/scim/v2/Users?filter=title%20co%20%22x%22", None).await;
    assert_eq!(status, 400);

    // A live session of someone the provider deactivates ends at its next request.
    let ada = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Security]).await;
    assert_eq!(ada.get("/admin").await.status(), 200);
    let (ada_id,): (i64,) =
        sqlx::query_as("select id from staff_users where email = 'ada@northwind-analytics.example'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    let patch = json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{ "op": "Replace", "path": "active", "value": "False" }] });
    let (status, user) = scim.send(reqwest::Method::PATCH, &format!("/scim/v2/Users/{ada_id}"), Some(patch)).await;
    assert_eq!((status, user["active"].as_bool()), (200, Some(false)));
    let res = ada.get("/admin").await;
    assert!(res.status() == 303 && crate::helpers::location(&res).starts_with("/staff/sign-in"), "signed out at once");
    let okta = json!({ "Operations": [{ "op": "replace", "value": { "active": true } }] });
    let (_, user) = scim.send(reqwest::Method::PATCH, &format!("/scim/v2/Users/{ada_id}"), Some(okta)).await;
    assert_eq!(user["active"], true);

    let (status, _) = scim.send(reqwest::Method::DELETE, &format!("/scim/v2/Users/{id}"), None).await;
    assert_eq!(status, 204);
    let (status, _) = scim.send(reqwest::Method::GET, &format!("/scim/v2/Users/{id}"), None).await;
    assert_eq!(status, 404);
    let (status, _) = scim.send(reqwest::Method::DELETE, &format!("/scim/v2/Users/{id}"), None).await;
    assert_eq!(status, 404);
    // A leaver who comes back: the same account again, without roles.
    let (status, back) = scim
        .send(reqwest::Method::POST, "/scim/v2/Users", Some(json!({ "userName": "grace@northwind-analytics.example" })))
        .await;
    assert_eq!((status, back["id"].as_str()), (201, Some(id.as_str())), "{back}");

    // The last active admin cannot be deactivated or deleted by the provider.
    let (root_id,): (i64,) =
        sqlx::query_as("select id from staff_users where email = 'root@northwind-analytics.example'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    let off = json!({ "Operations": [{ "op": "replace", "path": "active", "value": false }] });
    let (status, body) = scim.send(reqwest::Method::PATCH, &format!("/scim/v2/Users/{root_id}"), Some(off)).await;
    assert_eq!((status, body["scimType"].as_str()), (409, Some("mutability")));
    let (status, _) = scim.send(reqwest::Method::DELETE, &format!("/scim/v2/Users/{root_id}"), None).await;
    assert_eq!(status, 409);
    let (_, root) = scim.send(reqwest::Method::GET, &format!("/scim/v2/Users/{root_id}"), None).await;
    assert_eq!(root["active"], true);

    let events: Vec<String> = app.audit_events().await.into_iter().map(|(e, _, _)| e).collect();
    for expected in
        ["scim.token_created", "staff.provisioned", "staff.deactivated", "staff.reactivated", "staff.deleted"]
    {
        assert!(events.iter().any(|e| e == expected), "{expected} in {events:?}");
    }
}

#[tokio::test]
async fn bad_and_revoked_tokens_are_refused() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let scim = Scim { app: &app, token: token.clone() };
    assert_eq!(scim.send(reqwest::Method::GET, "/scim/v2/Users", None).await.0, 200);
    for bad in ["", "not-a-token", &"A".repeat(43)] {
        let other = Scim { app: &app, token: bad.to_string() };
        assert_eq!(other.send(reqwest::Method::GET, "/scim/v2/Users", None).await.0, 401, "{bad:?}");
    }
    for (method, path) in [
        (reqwest::Method::GET, "/scim/v2/Users"),
        (reqwest::Method::POST, "/scim/v2/Users"),
        (reqwest::Method::GET, "/scim/v2/Users/1"),
        (reqwest::Method::PATCH, "/scim/v2/Users/1"),
        (reqwest::Method::DELETE, "/scim/v2/Users/1"),
    ] {
        let res = app.client.request(method.clone(), app.url(path)).body("{}").send().await.unwrap();
        assert_eq!(res.status(), 401, "{method} {path} without a token");
    }
    let (n,): (i64,) = sqlx::query_as("select count(*) from staff_users where active = 0")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing changed");
    let (status, body) = scim.send(reqwest::Method::POST, "/scim/v2/Users", Some(json!("[1,2]"))).await;
    assert_eq!((status, body["scimType"].as_str()), (400, Some("invalidSyntax")));

    let admin = app.staff_browser("root2@northwind-analytics.example", &[StaffRole::Admin]).await;
    let (id,): (i64,) = sqlx::query_as("select id from scim_tokens").fetch_one(app.state.db.pool()).await.unwrap();
    admin.post_form("/api/revoke_scim_token", &[("token_id", &id.to_string())]).await;
    assert_eq!(scim.send(reqwest::Method::GET, "/scim/v2/Users", None).await.0, 401, "revoked");
    let prospect = app.prospect_browser("pat@contoso.example").await;
    let res = prospect.post_form("/api/create_scim_token", &[("label", "mine")]).await;
    let refused =
        matches!(res.status().as_u16(), 401 | 403) || crate::helpers::location(&res).starts_with("/staff/sign-in");
    assert!(refused, "a prospect: {}", res.status());
    let (n,): (i64,) = sqlx::query_as("select count(*) from scim_tokens").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(n, 1, "only admins make tokens");
}
