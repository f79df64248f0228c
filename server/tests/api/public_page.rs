use crate::helpers::{spawn_app, spawn_empty_app};

fn nonce_in_csp(csp: &str) -> String {
    let start = csp.find("'nonce-").expect("nonce in CSP") + "'nonce-".len();
    csp[start..].split('\'').next().unwrap().to_string()
}

#[tokio::test]
async fn the_public_page_shows_every_section_of_the_demo() {
    let app = spawn_app().await;
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    for expected in [
        "<title>Northwind Analytics Trust Center</title>",
        "security@northwind-analytics.example",
        "Last updated",
        // SOC 2 as data
        "SOC 2 Type II",
        "Examination period",
        "Calder &amp; Whitlock LLP",
        "Unqualified",
        "Current until",
        "Processing Integrity",
        "Not in scope",
        "Subservice organizations (2)",
        "Carve-out",
        "Complementary user entity controls (5)",
        // other frameworks
        "ISO/IEC 27001:2022",
        "Annual penetration test",
        // controls with criteria
        "Access control",
        "Endpoint security",
        "CC6.1",
        "A1.2",
        // subprocessors, FAQ, documents
        "Amazon Web Services, Inc.",
        "eu-west-1",
        "Frequently asked questions",
        "SOC 2 Type II Report",
        "/documents/soc2-type-ii-report/request",
        "/documents/soc3-report/download",
        "Request all restricted documents",
    ] {
        assert!(html.contains(expected), "public page lacks {expected:?}");
    }
    for section in ["compliance", "documents", "controls", "subprocessors", "faq"] {
        assert!(html.contains(&format!("id=\"{section}\"")), "missing section {section}");
    }
}

#[tokio::test]
async fn the_public_page_has_search_and_social_metadata() {
    let app = spawn_app().await;
    let (_, html) = app.get_text("/").await;
    assert!(
        html.contains("<meta name=\"description\" content=\"Security, compliance and privacy at Northwind Analytics")
    );
    assert!(html.contains("<meta property=\"og:title\" content=\"Northwind Analytics Trust Center\">"));
    assert!(html.contains(&format!("<meta property=\"og:url\" content=\"http://{}/\">", app.addr)));
    assert!(html.contains("property=\"og:image\""));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<main id=\"main\""));
    assert!(html.contains("<a href=\"#main\" class=\"skip-link\">Skip to content</a>"));
}

#[tokio::test]
async fn every_response_gets_its_own_nonce_even_from_the_cache() {
    let app = spawn_app().await;
    let mut nonces = Vec::new();
    for _ in 0..3 {
        let res = app.get("/").await;
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"), "scripts must not be allowed inline: {csp}");
        let nonce = nonce_in_csp(&csp);
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&format!("<script type=\"module\" nonce=\"{nonce}\">")),
            "hydration script carries the header's nonce"
        );
        nonces.push(nonce);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "a nonce is never reused");
}

/// Browsers ask for gzip: a cached page is sent compressed without compressing per response
/// (its pieces were deflated once; the nonce is spliced in), and it inflates to the very page a
/// client without compression gets, with this response's nonce. A client that refuses gzip gets
/// the page as it is (or brotli, compressed per response).
#[tokio::test]
async fn the_cached_page_is_sent_gzipped_with_its_own_nonce() {
    use std::io::Read;
    let app = spawn_app().await;
    let plain = app.get("/").await.text().await.unwrap(); // fills the cache
    let get = |encoding: &'static str| {
        let url = app.url("/");
        let client = app.client.clone();
        async move { client.get(url).header("accept-encoding", encoding).send().await.unwrap() }
    };
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let res = get("gzip, deflate, br, zstd").await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-encoding"], "gzip");
        assert_eq!(res.headers()["vary"], "accept-encoding");
        assert!(res.headers().contains_key("x-request-id"));
        let nonce = nonce_in_csp(res.headers()["content-security-policy"].to_str().unwrap());
        let compressed = res.bytes().await.unwrap();
        let mut html = String::new();
        flate2::read::GzDecoder::new(&compressed[..]).read_to_string(&mut html).expect("valid gzip");
        assert!(compressed.len() < html.len() / 3, "compressed: {} of {}", compressed.len(), html.len());
        let old = nonce_in_html(&plain);
        assert_eq!(html, plain.replace(&old, &nonce), "the same page, with this response's nonce");
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1]);
    let refused = get("gzip;q=0, identity").await;
    assert!(refused.headers().get("content-encoding").is_none());
    assert!(refused.text().await.unwrap().contains("Northwind Analytics Trust Center"));
    let brotli = get("br").await;
    assert_eq!(brotli.headers()["content-encoding"], "br");
}

/// The cached page is served to everyone, so it must never be a signed-in render: a session
/// cookie the cache's check does not recognise as one (a spaced or percent-encoded name) but the
/// session layer might still read must not put a prospect's name on the public page.
#[tokio::test]
async fn a_disguised_session_cookie_cannot_put_a_signed_in_page_in_the_cache() {
    let app = spawn_app().await;
    let pat = app.prospect_browser("pat@contoso.example").await;
    let session = pat.session_cookie().expect("a session");
    let (_, signed_in) = pat.get_text("/").await;
    assert!(signed_in.contains("Pat Prospect"), "the signed-in page names the prospect");
    for disguised in [
        format!("vouchsafe_session ={session}"),
        format!("vouchsafe%5Fsession={session}"),
        format!(" vouchsafe_session={session}; x=\u{e9}"),
    ] {
        app.state.page_cache.invalidate();
        let res = app.client.get(app.url("/")).header("cookie", disguised.as_bytes()).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let (_, public) = app.get_text("/").await;
        assert!(!public.contains("Pat Prospect"), "cached after {disguised:?}: the public page names the prospect");
    }
}

fn nonce_in_html(html: &str) -> String {
    html.split("<script type=\"module\" nonce=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn publishing_invalidates_the_cached_page() {
    let app = spawn_app().await;
    let (_, before) = app.get_text("/").await;
    assert!(before.contains("Northwind Analytics Trust Center"));
    sqlx::query("update company_profile set name = 'Southwind Analytics'").execute(app.state.db.pool()).await.unwrap();
    // Working edits are drafts: the public page does not change until a publish.
    let (_, cached) = app.get_text("/").await;
    assert!(cached.contains("Northwind Analytics Trust Center"));
    app::features::trust_center::server::publish(&app.state.db, None, app::types::IsoDate::today_utc()).await.unwrap();
    app.state.page_cache.invalidate();
    let (_, after) = app.get_text("/").await;
    assert!(after.contains("Southwind Analytics Trust Center"));
}

#[tokio::test]
async fn security_headers_are_on_pages_and_errors() {
    let app = spawn_app().await;
    for path in ["/", "/no-such-page", "/healthz", "/trust.json", "/documents/nope/download"] {
        let res = app.get(path).await;
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.contains_key("content-security-policy"), "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(!h.contains_key("strict-transport-security"), "no HSTS over plain http ({path})");
    }
}

#[tokio::test]
async fn unknown_pages_answer_404_with_a_page() {
    let app = spawn_app().await;
    let (status, html) = app.get_text("/no-such-page").await;
    assert_eq!(status, 404);
    assert!(html.contains("Page not found"));
}

#[tokio::test]
async fn before_anything_is_published_the_page_says_so_with_404() {
    let app = spawn_empty_app().await;
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 404);
    assert!(html.contains("We could not find that."));
    assert!(!html.contains("database"), "no internal detail leaks");
}

#[tokio::test]
async fn alive_while_it_answers_and_ready_only_with_a_migrated_database_that_answers() {
    let app = spawn_app().await;
    assert_eq!(app.get_text("/healthz").await, (200, "ok".to_string()));
    assert_eq!(app.get_text("/readyz").await, (200, "ready".to_string()));
    // A database an older build migrated (the newest migration missing) is not ready for this one.
    sqlx::query("delete from _sqlx_migrations where version = (select max(version) from _sqlx_migrations)")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(app.get_text("/readyz").await, (503, "database not migrated".to_string()));
    app.state.db.pool().close().await;
    assert_eq!(app.get_text("/readyz").await, (503, "database unavailable".to_string()));
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200, "still alive");
}

#[tokio::test]
async fn public_documents_download_and_restricted_ones_do_not() {
    let app = spawn_app().await;
    let res = app.get("/documents/soc3-report/download").await;
    assert_eq!(res.status().as_u16(), 200);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["content-disposition"], "attachment; filename=\"soc3-report.pdf\"");
    assert_eq!(h["cache-control"], "no-store");
    let bytes = res.bytes().await.unwrap();
    let pdf = lopdf::Document::load_mem(&bytes).expect("a real PDF");
    assert!(!pdf.get_pages().is_empty());

    let res = app.get("/documents/soc2-type-ii-report/download").await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/documents/soc2-type-ii-report/request");
    assert_eq!(app.get("/documents/no-such-doc/download").await.status().as_u16(), 404);
}

#[tokio::test]
async fn the_request_page_explains_access_is_by_request() {
    let app = spawn_app().await;
    let (status, html) = app.get_text("/documents/soc2-type-ii-report/request").await;
    assert_eq!(status, 200);
    assert!(html.contains("Request access: SOC 2 Type II Report"));
    assert!(html.contains("Access is by request"));
    let (status, html) = app.get_text("/documents/all/request").await;
    assert_eq!(status, 200);
    assert!(html.contains("Penetration Test Letter of Attestation"));
    // Public documents are not requested.
    assert_eq!(app.get_text("/documents/soc3-report/request").await.0, 404);
}

#[tokio::test]
async fn robots_and_favicon_are_served() {
    let app = spawn_app().await;
    let (status, robots) = app.get_text("/robots.txt").await;
    assert_eq!(status, 200);
    assert!(robots.contains("Disallow: /api/"));
}
