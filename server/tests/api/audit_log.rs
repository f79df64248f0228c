//! The access log resists tampering: triggers refuse changes, and `vouchsafe audit verify` finds
//! edits, deletions, truncation, reordering and a chain recomputed without the signing key.

use crate::helpers::{spawn_app, TestApp};
use app::{
    features::{accounts::model::StaffRole, audit::server::checkpoint_now},
    ssr::audit::LogRow,
};

/// Runs `vouchsafe audit verify` on the app's data: (exit success, stdout).
fn verify(app: &TestApp) -> (bool, String) {
    let out = app.cli().args(["audit", "verify"]).env_remove("VOUCHSAFE_AUDIT_KEY").output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string())
}

/// Some history: sign-ins, a failure, a role change; then a checkpoint; then more events.
async fn with_history() -> TestApp {
    let app = spawn_app().await;
    app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    app.browser().post_form("/api/staff_sign_in", &[("email", "x@y.example"), ("password", "no no no no no")]).await;
    checkpoint_now(&app.state.db, &app.state.audit_key).await.unwrap().expect("a checkpoint");
    app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    checkpoint_now(&app.state.db, &app.state.audit_key).await.unwrap().expect("a second checkpoint");
    app.browser().post_form("/api/staff_sign_in", &[("email", "z@y.example"), ("password", "no no no no no")]).await;
    app
}

async fn count(app: &TestApp) -> i64 {
    sqlx::query_as::<_, (i64,)>("select count(*) from access_log").fetch_one(app.state.db.pool()).await.unwrap().0
}

/// What an attacker with database access does first.
async fn drop_triggers(app: &TestApp) {
    let statements: &[&str] = match app.state.db.backend() {
        app::ssr::db::Backend::Sqlite => &["drop trigger access_log_no_update", "drop trigger access_log_no_delete"],
        app::ssr::db::Backend::Postgres => &["drop trigger access_log_no_update on access_log"],
    };
    for statement in statements {
        sqlx::query(statement).execute(app.state.db.pool()).await.unwrap();
    }
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_log_rows() {
    let app = with_history().await;
    assert!(sqlx::query("update access_log set outcome = 'success'").execute(app.state.db.pool()).await.is_err());
    assert!(sqlx::query("delete from access_log where seq = 1").execute(app.state.db.pool()).await.is_err());
    assert!(sqlx::query("delete from audit_checkpoints").execute(app.state.db.pool()).await.is_err());
}

#[tokio::test]
async fn an_intact_log_verifies_with_its_counts() {
    let app = with_history().await;
    let n = count(&app).await;
    let (ok, out) = verify(&app);
    assert!(ok, "{out}");
    assert_eq!(out.trim(), format!("ok: {n} entries and 2 checkpoints verified"));
}

#[tokio::test]
async fn an_edited_row_is_named() {
    let app = with_history().await;
    drop_triggers(&app).await;
    sqlx::query("update access_log set actor_label = actor_label || ' (edited)' where seq = 3")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(out.contains("sequence number 3"), "{out}");
}

#[tokio::test]
async fn a_deleted_row_is_named() {
    let app = with_history().await;
    drop_triggers(&app).await;
    sqlx::query("delete from access_log where seq = 4").execute(app.state.db.pool()).await.unwrap();
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(out.contains("sequence number 4"), "{out}");
}

#[tokio::test]
async fn a_truncated_tail_is_caught_by_the_checkpoint() {
    let app = with_history().await;
    let checkpointed: (i64,) =
        sqlx::query_as("select max(seq) from audit_checkpoints").fetch_one(app.state.db.pool()).await.unwrap();
    drop_triggers(&app).await;
    // The attacker removes everything after an early point, checkpointed rows included.
    let keep = checkpointed.0 - 2;
    sqlx::query("delete from access_log where seq > $1").bind(keep).execute(app.state.db.pool()).await.unwrap();
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(out.contains(&format!("sequence number {}", keep + 1)) && out.contains("truncated"), "{out}");
}

#[tokio::test]
async fn reordered_rows_are_caught() {
    let app = with_history().await;
    drop_triggers(&app).await;
    // Swap rows 2 and 3 by renumbering them.
    for (from, to) in [(2, -2), (3, 2), (-2, 3)] {
        sqlx::query("update access_log set seq = $1 where seq = $2")
            .bind(to)
            .bind(from)
            .execute(app.state.db.pool())
            .await
            .unwrap();
    }
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(out.contains("sequence number 2"), "{out}");
}

#[tokio::test]
async fn a_chain_recomputed_without_the_key_is_caught_by_the_signed_checkpoint() {
    let app = with_history().await;
    drop_triggers(&app).await;
    // Rewrite row 2 and re-hash everything after it, as someone with the code but not the key.
    sqlx::query("update access_log set actor_label = 'someone-else@example.com' where seq = 2")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let rows: Vec<LogRow> = sqlx::query_as(
        "select seq, at, actor_kind, actor_id, actor_label, role, event, object, outcome, ip, user_agent, request_id, details, \
         prev_hash, hash from access_log order by seq",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    let mut prev = app::ssr::audit::GENESIS.to_string();
    for mut row in rows {
        row.prev_hash = prev.clone();
        let hash = row.expected_hash(&prev);
        sqlx::query("update access_log set prev_hash = $1, hash = $2 where seq = $3")
            .bind(&prev)
            .bind(&hash)
            .bind(row.seq)
            .execute(app.state.db.pool())
            .await
            .unwrap();
        prev = hash;
    }
    assert!(app::ssr::audit::verify_chain(&app.state.db).await.unwrap().is_ok(), "the chain itself links up again");
    let first_checkpoint: (i64,) =
        sqlx::query_as("select min(seq) from audit_checkpoints").fetch_one(app.state.db.pool()).await.unwrap();
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(
        out.contains(&format!("sequence number {}", first_checkpoint.0)) && out.contains("differ from what was signed"),
        "{out}"
    );
}

#[tokio::test]
async fn checkpoints_are_exported_and_a_missing_key_is_reported() {
    let app = with_history().await;
    let file = app.state.config.data_dir.join("checkpoints.json");
    let out = app.cli().args(["audit", "export-checkpoints", file.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success());
    let exported: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(exported.as_array().unwrap().len(), 2);
    assert_eq!(exported[0]["public_key"], app.state.audit_key.public_hex());
    let out = app
        .cli()
        .args(["audit", "verify"])
        .env("VOUCHSAFE_AUDIT_KEY", app.state.config.data_dir.join("nope.key"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("VOUCHSAFE_AUDIT_KEY"));
}
