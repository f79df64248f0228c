use crate::helpers::{spawn_app, spawn_empty_app};
use serde_json::Value;

#[tokio::test]
async fn trust_json_carries_the_same_public_data_as_the_page() {
    let app = spawn_app().await;
    let res = app.get("/trust.json").await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    let json: Value = res.json().await.unwrap();
    let content = &json["content"];
    assert_eq!(content["company"]["name"], "Northwind Analytics");
    let soc2 = &content["soc2"];
    assert_eq!(soc2["report_type"], "type_ii");
    assert_eq!(soc2["opinion"], "unqualified");
    assert_eq!(soc2["tsc_in_scope"], serde_json::json!(["security", "availability", "confidentiality"]));
    assert_eq!(soc2["subservice_organizations"][0]["treatment"], "carve_out");
    assert_eq!(json["soc2_freshness"]["status"], "current");
    assert!(json["soc2_freshness"]["months_since_period_end"].as_u64().unwrap() <= 12);
    let controls = content["controls"].as_array().unwrap();
    assert!(controls.len() >= 36);
    assert!(controls.iter().all(|c| !c["tsc_points"].as_array().unwrap().is_empty()));
    assert_eq!(content["subprocessors"].as_array().unwrap().len(), 6);
    let docs = json["documents"].as_array().unwrap();
    assert!(docs.iter().any(|d| d["slug"] == "soc2-type-ii-report" && d["visibility"] == "restricted"));
    assert!(docs.iter().any(|d| d["slug"] == "soc3-report" && d["visibility"] == "public"));
    assert_eq!(json["framework_statuses"].as_array().unwrap().len(), content["frameworks"].as_array().unwrap().len());
}

#[tokio::test]
async fn trust_json_reveals_no_storage_details() {
    let app = spawn_app().await;
    let (_, body) = app.get_text("/trust.json").await;
    for forbidden in ["sha256", "file_name", "document_id", "published_by"] {
        assert!(!body.contains(forbidden), "trust.json must not expose {forbidden}");
    }
}

#[tokio::test]
async fn trust_json_is_404_until_something_is_published() {
    let app = spawn_empty_app().await;
    let (status, body) = app.get_text("/trust.json").await;
    assert_eq!(status, 404);
    assert_eq!(body, "We could not find that.");
}

/// Runs the independent verifier (Python `cryptography`) over what the server served.
fn python_verifies(jwks: &str, payload: &[u8], jws: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let (k, p, s) = (dir.path().join("jwks.json"), dir.path().join("payload"), dir.path().join("jws"));
    std::fs::write(&k, jwks).unwrap();
    std::fs::write(&p, payload).unwrap();
    std::fs::write(&s, jws).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/verify_jws.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .args([&k, &p, &s])
        .output()
        .expect("python3 with `cryptography` (scripts/install installs it)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("Traceback"), "the verifier itself failed: {stderr}");
    out.status.success()
}

#[tokio::test]
async fn the_signed_posture_verifies_independently_and_fails_on_one_changed_byte() {
    let app = spawn_app().await;
    let res = app.get("/trust.json").await;
    assert_eq!(res.status().as_u16(), 200);
    let in_header = res.headers()["x-jws-signature"].to_str().unwrap().to_string();
    let payload = res.bytes().await.unwrap().to_vec();
    let res = app.get("/trust.json.jws").await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "application/jose");
    let jws = res.text().await.unwrap();
    assert_eq!(jws, in_header, "Ed25519 is deterministic: the same bytes, the same signature");
    let (parts, detached) = (jws.split('.').count(), jws.split('.').nth(1).unwrap());
    assert_eq!((parts, detached), (3, ""), "compact serialization with the payload left out");
    let res = app.get("/.well-known/jwks.json").await;
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    let jwks = res.text().await.unwrap();
    let keys: Value = serde_json::from_str(&jwks).unwrap();
    assert_eq!(keys["keys"][0]["kty"], "OKP");
    assert_eq!(keys["keys"][0]["crv"], "Ed25519");
    assert!(!jwks.contains("\"d\""), "the JWK Set holds the public key only");

    assert!(python_verifies(&jwks, &payload, &jws));
    for at in [0, payload.len() / 2, payload.len() - 1] {
        let mut changed = payload.clone();
        changed[at] ^= 0x01;
        assert!(!python_verifies(&jwks, &changed, &jws), "one changed byte at {at} must not verify");
    }
    let mut shorter = payload.clone();
    shorter.pop();
    assert!(!python_verifies(&jwks, &shorter, &jws), "a truncated payload must not verify");
    // The access-log key does not check it: the posture key is a different one.
    let (_, checkpoint) = app.get_text("/audit/checkpoint.json").await;
    let audit: Value = serde_json::from_str(&checkpoint).unwrap();
    let audit_hex = audit["public_key"].as_str().expect("the checkpoint names its key");
    let x = keys["keys"][0]["x"].as_str().unwrap();
    use base64::Engine;
    let posture_hex: String = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(x)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_ne!(posture_hex, audit_hex);
}

#[tokio::test]
async fn security_txt_and_the_disclosure_policy_follow_the_published_profile() {
    let app = spawn_app().await;
    let (status, text) = app.get_text("/.well-known/security.txt").await;
    assert_eq!(status, 200);
    let field = |text: &str, name: &str| {
        text.lines().find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_string)).unwrap_or_default()
    };
    assert_eq!(field(&text, "Contact"), "mailto:security@northwind-analytics.example");
    assert!(field(&text, "Policy").ends_with("/vulnerability-disclosure"));
    assert!(field(&text, "Canonical").ends_with("/.well-known/security.txt"));
    assert_eq!(field(&text, "Preferred-Languages"), "en");
    let expires = field(&text, "Expires");
    let year_ahead = app::types::IsoDate::today_utc().add_days(300).to_string();
    assert!(expires.ends_with("T00:00:00Z") && expires[..10] > *year_ahead.as_str(), "{expires}");
    let (status, page) = app.get_text("/vulnerability-disclosure").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Vulnerability disclosure policy")
            && page.contains("mailto:security@northwind-analytics.example")
    );
    assert!(page.contains("How to report"), "the standard policy when staff wrote none");

    // Staff set a policy, languages and an expiry: a draft until published.
    let sec = app
        .staff_browser("sam@northwind-analytics.example", &[app::features::accounts::model::StaffRole::Security])
        .await;
    let expiry = app::types::IsoDate::today_utc().add_days(90).to_string();
    let form = [
        ("name", "Northwind Analytics"),
        ("description", "Analytics."),
        ("website_url", "https://northwind.example"),
        ("security_contact_email", "psirt@northwind.example"),
        ("accent_color", "#1d5c8f"),
        ("section_compliance", "1"),
        ("section_documents", "2"),
        ("section_controls", "3"),
        ("section_subprocessors", "4"),
        ("section_faq", "5"),
        ("disclosure_policy", "We answer within **five** days.\n\n<script>alert(1)</script>"),
        ("security_txt_expires", expiry.as_str()),
        ("preferred_languages", "en, de"),
    ];
    let bad =
        [("preferred_languages", "en\r\nContact: mailto:evil@example.com"), ("security_txt_expires", "2001-01-01")];
    let mut refused: Vec<(&str, &str)> =
        form.iter().filter(|(k, _)| !bad.iter().any(|(b, _)| b == k)).copied().collect();
    refused.extend(bad);
    let res = sec.post_form("/api/save_profile", &refused).await;
    let html = sec.get_text(&crate::helpers::location(&res)).await.1;
    assert!(html.contains("is not a language tag") && html.contains("Choose a date after today"), "{html}");
    sec.post_form("/api/save_profile", &form).await;
    assert_eq!(field(&app.get_text("/.well-known/security.txt").await.1, "Preferred-Languages"), "en");
    sec.post_form("/api/publish_content", &[]).await;
    let text = app.get_text("/.well-known/security.txt").await.1;
    assert_eq!(field(&text, "Contact"), "mailto:psirt@northwind.example");
    assert_eq!(field(&text, "Preferred-Languages"), "en, de");
    assert_eq!(field(&text, "Expires"), format!("{expiry}T00:00:00Z"));
    assert_eq!(text.lines().count(), 5, "no injected line: {text}");
    let page = app.get_text("/vulnerability-disclosure").await.1;
    assert!(page.contains("<strong>five</strong>") && !page.contains("<script>alert"), "rendered and sanitised");
    assert!(!page.contains("How to report"));
}

#[tokio::test]
async fn posture_files_are_404_until_something_is_published() {
    let app = spawn_empty_app().await;
    for path in ["/trust.json.jws", "/.well-known/security.txt", "/vulnerability-disclosure"] {
        assert_eq!(app.get_text(path).await.0, 404, "{path}");
    }
    assert_eq!(app.get_text("/.well-known/jwks.json").await.0, 200, "the key is there before any publish");
}
