//! The access log resists tampering: triggers refuse changes, and `vouchsafe audit verify` finds
//! edits, deletions, truncation, reordering and a chain recomputed without the signing key; with
//! checkpoints kept outside the database and a pinned public key, also a truncated tail with its
//! checkpoints, a substitute key, and a chain re-signed with the stolen key.

use crate::helpers::{spawn_app, TestApp};
use app::{
    features::{accounts::model::StaffRole, audit::server::checkpoint_now},
    ssr::{audit::LogRow, db::Db},
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

/// Runs `vouchsafe audit verify` with extra arguments: (exit success, stdout).
fn verify_with(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = app.cli().args(["audit", "verify"]).args(args).env_remove("VOUCHSAFE_AUDIT_KEY").output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// Exports every checkpoint to a file outside the database, as an auditor would keep it.
fn export(app: &TestApp, name: &str) -> String {
    let file = app.state.config.data_dir.join(name);
    let out = app.cli().args(["audit", "export-checkpoints", file.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success());
    file.display().to_string()
}

/// What an attacker with database access does first.
async fn drop_triggers(db: &Db) {
    let statements: &[&str] = match db.backend() {
        app::ssr::db::Backend::Sqlite => &[
            "drop trigger access_log_no_update",
            "drop trigger access_log_no_delete",
            "drop trigger audit_checkpoints_no_delete",
        ],
        app::ssr::db::Backend::Postgres => &[
            "drop trigger access_log_no_update on access_log",
            "drop trigger audit_checkpoints_no_change on audit_checkpoints",
        ],
    };
    for statement in statements {
        sqlx::query(statement).execute(db.pool()).await.unwrap();
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
    let file = export(&app, "kept.json");
    let key = app.state.audit_key.public_hex();
    let (ok, out) = verify_with(&app, &["--checkpoints", &file, "--public-key", &key]);
    assert!(ok, "{out}");
    assert!(out.contains("and 2 checkpoints kept outside the database"), "{out}");
}

#[tokio::test]
async fn an_edited_row_is_named() {
    let app = with_history().await;
    drop_triggers(&app.state.db).await;
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
    drop_triggers(&app.state.db).await;
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
    drop_triggers(&app.state.db).await;
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
    drop_triggers(&app.state.db).await;
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
    drop_triggers(&app.state.db).await;
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

/// What a careful attacker does last: puts the triggers back, so nothing looks touched.
async fn restore_triggers(db: &Db) {
    let statements: &[&str] = match db.backend() {
        app::ssr::db::Backend::Sqlite => &[
            "create trigger access_log_no_update before update on access_log begin select raise(abort, 'access_log is append-only'); end",
            "create trigger access_log_no_delete before delete on access_log begin select raise(abort, 'access_log is append-only'); end",
            "create trigger audit_checkpoints_no_delete before delete on audit_checkpoints begin select raise(abort, 'audit_checkpoints is append-only'); end",
        ],
        app::ssr::db::Backend::Postgres => &[
            "create trigger access_log_no_update before update or delete on access_log for each row execute function access_log_append_only()",
            "create trigger audit_checkpoints_no_change before update or delete on audit_checkpoints for each row execute function audit_checkpoints_append_only()",
        ],
    };
    // One connection, whose schema is read afresh first: SQLite checks a new trigger's name
    // against the schema a connection cached, which may predate the drop made on another one.
    let mut conn = db.pool().acquire().await.unwrap();
    sqlx::query("select count(*) from access_log").execute(&mut *conn).await.unwrap();
    for statement in statements {
        sqlx::query(statement).execute(&mut *conn).await.unwrap();
    }
}

/// Recomputes every row's hash from the first onwards (after an edit), as an attacker does.
async fn rechain(db: &Db) {
    let rows: Vec<LogRow> = sqlx::query_as(
        "select seq, at, actor_kind, actor_id, actor_label, role, event, object, outcome, ip, user_agent, request_id, details, \
         prev_hash, hash from access_log order by seq",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let mut prev = app::ssr::audit::GENESIS.to_string();
    for row in rows {
        let hash = row.expected_hash(&prev);
        sqlx::query("update access_log set prev_hash = $1, hash = $2 where seq = $3")
            .bind(&prev)
            .bind(&hash)
            .bind(row.seq)
            .execute(db.pool())
            .await
            .unwrap();
        prev = hash;
    }
}

#[tokio::test]
async fn a_tail_deleted_with_its_newest_checkpoint_is_caught_by_a_copy_kept_outside() {
    let app = with_history().await;
    let kept = export(&app, "kept.json");
    let (first, newest): (i64, i64) = sqlx::query_as("select min(seq), max(seq) from audit_checkpoints")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    drop_triggers(&app.state.db).await;
    sqlx::query("delete from audit_checkpoints where seq = $1")
        .bind(newest)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    sqlx::query("delete from access_log where seq > $1").bind(first).execute(app.state.db.pool()).await.unwrap();
    // With the triggers gone, verify says so.
    let (ok, out) = verify(&app);
    assert!(!ok && out.contains("append-only triggers"), "{out}");
    // Put back, the database alone looks consistent: only a copy kept outside tells.
    restore_triggers(&app.state.db).await;
    let (ok, out) = verify(&app);
    assert!(ok, "{out}");
    let (ok, out) = verify_with(&app, &["--checkpoints", &kept]);
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("sequence number {newest}")) && out.contains("truncated"), "{out}");
    // Rows deleted since the last checkpoint someone kept are caught the same way.
    let app = with_history().await;
    let kept = export(&app, "kept.json");
    drop_triggers(&app.state.db).await;
    sqlx::query("delete from access_log where seq > $1").bind(newest - 1).execute(app.state.db.pool()).await.unwrap();
    let (ok, out) = verify_with(&app, &["--checkpoints", &kept]);
    assert!(!ok && out.contains("truncated"), "{out}");
}

#[tokio::test]
async fn a_substitute_key_is_caught_by_the_pinned_public_key() {
    let app = with_history().await;
    let pinned = app.state.audit_key.public_hex();
    drop_triggers(&app.state.db).await;
    // The attacker replaces the key file with their own and re-signs the (edited) log.
    sqlx::query("update access_log set actor_label = 'someone-else@example.com' where seq = 2")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    rechain(&app.state.db).await;
    sqlx::query("delete from audit_checkpoints").execute(app.state.db.pool()).await.unwrap();
    let key_file = app.state.config.data_dir.join("audit-signing.key");
    std::fs::remove_file(&key_file).unwrap();
    let substitute = app::ssr::keys::AuditKey::load_or_create(&key_file).unwrap();
    checkpoint_now(&app.state.db, &substitute).await.unwrap().expect("a checkpoint");
    restore_triggers(&app.state.db).await;
    let (ok, out) = verify(&app);
    assert!(ok, "trusting the key file, the forgery passes: {out}");
    let (ok, out) = verify_with(&app, &["--public-key", &pinned]);
    assert!(!ok, "{out}");
    assert!(out.contains("signed by another key"), "{out}");
}

#[tokio::test]
async fn a_log_rechained_and_resigned_with_the_stolen_key_is_caught_by_exported_checkpoints() {
    let app = with_history().await;
    let pinned = app.state.audit_key.public_hex();
    let kept = export(&app, "kept.json");
    drop_triggers(&app.state.db).await;
    sqlx::query("update access_log set actor_label = 'someone-else@example.com' where seq = 2")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    rechain(&app.state.db).await;
    sqlx::query("delete from audit_checkpoints").execute(app.state.db.pool()).await.unwrap();
    checkpoint_now(&app.state.db, &app.state.audit_key).await.unwrap().expect("a checkpoint");
    restore_triggers(&app.state.db).await;
    let (ok, out) = verify_with(&app, &["--public-key", &pinned]);
    assert!(ok, "with the real key stolen, the database alone cannot tell: {out}");
    let (ok, out) = verify_with(&app, &["--public-key", &pinned, "--checkpoints", &kept]);
    assert!(!ok, "{out}");
    assert!(out.contains("differ from what was signed") || out.contains("missing from the database"), "{out}");
}

#[tokio::test]
async fn replace_and_upsert_cannot_rewrite_the_log() {
    let app = with_history().await;
    let sqlite = app.state.db.backend() == app::ssr::db::Backend::Sqlite;
    let copy =
        "select seq, at, actor_kind, actor_id, 'forged@example.com', role, event, object, outcome, ip, user_agent, \
                request_id, details, prev_hash, hash from access_log where seq = 2";
    let columns =
        "seq, at, actor_kind, actor_id, actor_label, role, event, object, outcome, ip, user_agent, request_id, \
                   details, prev_hash, hash";
    let mut attempts = vec![format!(
        "insert into access_log ({columns}) {copy} on conflict (seq) do update set actor_label = excluded.actor_label"
    )];
    if sqlite {
        attempts.push(format!("insert or replace into access_log ({columns}) {copy}"));
        attempts.push(format!("replace into access_log ({columns}) {copy}"));
        attempts.push("insert or replace into audit_checkpoints select * from audit_checkpoints".into());
    }
    for attempt in &attempts {
        assert!(sqlx::query(attempt).execute(app.state.db.pool()).await.is_err(), "{attempt}");
    }
    let (label,): (String,) = sqlx::query_as("select actor_label from access_log where seq = 2")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_ne!(label, "forged@example.com");
    let (ok, out) = verify(&app);
    assert!(ok, "{out}");
}

#[tokio::test]
async fn the_newest_checkpoint_and_its_key_are_public_and_a_kept_copy_verifies() {
    let app = with_history().await;
    let res = app.get("/audit/checkpoint.json").await;
    assert_eq!(res.status(), 200);
    let published: serde_json::Value = res.json().await.unwrap();
    assert_eq!(published["public_key"], app.state.audit_key.public_hex());
    let newest: (i64,) =
        sqlx::query_as("select max(seq) from audit_checkpoints").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(published["checkpoint"]["seq"], newest.0);
    let copy = app.state.config.data_dir.join("copy.json");
    std::fs::write(&copy, published["checkpoint"].to_string()).unwrap();
    let out = app.cli().args(["audit", "public-key"]).output().unwrap();
    let key = String::from_utf8(out.stdout).unwrap();
    assert_eq!(key.trim(), app.state.audit_key.public_hex());
    let (ok, out) = verify_with(&app, &["--checkpoints", copy.to_str().unwrap(), "--public-key", key.trim()]);
    assert!(ok, "{out}");
    let (ok, out) = verify_with(&app, &["--public-key", "abc"]);
    assert!(!ok && out.contains("64 hex digits"), "{out}");
}

#[tokio::test]
async fn a_checkpoint_follows_the_hundredth_new_entry_within_seconds() {
    let app = spawn_app().await;
    let before: (i64,) =
        sqlx::query_as("select count(*) from audit_checkpoints").fetch_one(app.state.db.pool()).await.unwrap();
    app.record_test_events(110).await;
    let (head,): (i64,) =
        sqlx::query_as("select max(seq) from access_log").fetch_one(app.state.db.pool()).await.unwrap();
    for _ in 0..50 {
        let (signed,): (Option<i64>,) =
            sqlx::query_as("select max(seq) from audit_checkpoints").fetch_one(app.state.db.pool()).await.unwrap();
        if signed.unwrap_or(0) >= head - 10 {
            let after: (i64,) =
                sqlx::query_as("select count(*) from audit_checkpoints").fetch_one(app.state.db.pool()).await.unwrap();
            assert!(after.0 > before.0);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no checkpoint within 5 s of the 100th new entry");
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

#[tokio::test]
async fn a_log_whose_checkpoints_were_removed_is_caught_without_any_copy() {
    let app = spawn_app().await;
    app.record_test_events(220).await;
    checkpoint_now(&app.state.db, &app.state.audit_key).await.unwrap();
    let (ok, out) = verify(&app);
    assert!(ok, "{out}");
    // The attacker works on the database while no server runs (a running server would sign
    // whatever it finds within a second): here, a copy of it.
    if app.state.db.backend() != app::ssr::db::Backend::Sqlite {
        return; // The same logic on PostgreSQL; a copy of a live database is SQLite's trick.
    }
    let copy = app.state.config.data_dir.join("copy.db");
    sqlx::query(&format!("vacuum into '{}'", copy.display())).execute(app.state.db.pool()).await.unwrap();
    let url = app::ssr::config::sqlite_url_for(&copy);
    let stolen = Db::connect(&url).await.unwrap();
    // Rewrite a row, re-hash, and remove every checkpoint the new chain no longer matches.
    drop_triggers(&stolen).await;
    sqlx::query("update access_log set object = 'n:forged' where seq = 5").execute(stolen.pool()).await.unwrap();
    rechain(&stolen).await;
    sqlx::query("delete from audit_checkpoints").execute(stolen.pool()).await.unwrap();
    restore_triggers(&stolen).await;
    let out = app.cli().args(["audit", "verify"]).env("DATABASE_URL", &url).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("sequence number 1:") && text.contains("not covered by any signed checkpoint"), "{text}");
}

#[tokio::test]
async fn checkpointers_racing_on_several_instances_sign_each_head_once() {
    use app::features::audit::server::checkpoint_now;
    let app = spawn_app().await;
    let (db, key) = (&app.state.db, &app.state.audit_key);
    for n in 0..10 {
        app.record_test_events(1).await;
        let (a, b) = tokio::join!(checkpoint_now(db, key), checkpoint_now(db, key));
        let signed = [a.unwrap(), b.unwrap()].into_iter().flatten().count();
        assert_eq!(signed, 1, "round {n}: one checkpoint for the new head");
    }
    let duplicates: Vec<(i64, i64)> =
        sqlx::query_as("select seq, count(*) from audit_checkpoints group by seq having count(*) > 1")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert!(duplicates.is_empty(), "{duplicates:?}");
}

/// An action's log rows take their place in the chain when its transaction commits, in commit
/// order, and on PostgreSQL the chain's lock is held only from that append to the commit: a
/// transaction that has recorded an event and is still doing its work does not hold up another
/// action's commit (before, the first `record` took the lock for the rest of the transaction).
#[tokio::test]
async fn a_logged_action_holds_the_chain_only_for_its_append() {
    use app::ssr::{
        audit::{record, Actor, Event, Outcome},
        db::Backend,
        request_meta::RequestMeta,
    };
    let app = spawn_app().await;
    let before = count(&app).await;
    let actor = Actor::system();
    let event = |object: &str| Event {
        actor: &actor,
        event: "test.event",
        object: object.to_string(),
        outcome: Outcome::Success,
        details: serde_json::json!({}),
    };
    let meta = RequestMeta::system("test");
    let db = &app.state.db;
    let mut slow = db.begin().await.unwrap();
    record(&mut slow, &meta, event("slow:1")).await.unwrap();
    record(&mut slow, &meta, event("slow:2")).await.unwrap();
    assert_eq!(count(&app).await, before, "nothing reaches the log before the commit");
    if db.backend() == Backend::Postgres {
        // SQLite serialises write transactions (`begin immediate`); PostgreSQL runs them together.
        let quick = async {
            let mut tx = db.begin().await.unwrap();
            record(&mut tx, &meta, event("quick")).await.unwrap();
            tx.commit().await.unwrap();
        };
        tokio::time::timeout(std::time::Duration::from_secs(5), quick)
            .await
            .expect("an action commits while another logged transaction is still open");
    }
    slow.commit().await.unwrap();
    let objects: Vec<(String,)> = sqlx::query_as("select object from access_log where seq > $1 order by seq")
        .bind(before)
        .fetch_all(db.pool())
        .await
        .unwrap();
    let objects: Vec<&str> = objects.iter().map(|(o,)| o.as_str()).collect();
    let expected: &[&str] =
        if db.backend() == Backend::Postgres { &["quick", "slow:1", "slow:2"] } else { &["slow:1", "slow:2"] };
    assert_eq!(objects, expected, "rows join the chain in commit order, a transaction's rows together");
    assert!(app::ssr::audit::verify_chain(db).await.unwrap().is_ok());

    // A transaction that is dropped or rolled back leaves no row.
    let mut abandoned = db.begin().await.unwrap();
    record(&mut abandoned, &meta, event("abandoned")).await.unwrap();
    abandoned.rollback().await.unwrap();
    let mut dropped = db.begin().await.unwrap();
    record(&mut dropped, &meta, event("dropped")).await.unwrap();
    drop(dropped);
    assert_eq!(count(&app).await, before + expected.len() as i64);
}
