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
