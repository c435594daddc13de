//! The scan contract against PostgreSQL: the whole system with `--db postgres://…`, on a
//! database of its own created for the test and dropped after it. Enabled by
//! `BAYLINE_TEST_POSTGRES` (a server URL, e.g. `postgres://postgres@127.0.0.1:5432/test`,
//! set by .ci/run); under `CI=true` a missing variable or server fails instead of skipping.

use std::process::{Command, Stdio};

use crate::helpers::*;
use crate::scans;

/// A fresh database name on the test server; the store creates the database on first open.
/// Dropped (WITH FORCE) with `psql` when this is dropped.
struct Database {
    server: String,
    name: String,
    url: String,
}

fn database() -> Option<Database> {
    let server = match std::env::var("BAYLINE_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but BAYLINE_TEST_POSTGRES is not set"
            );
            eprintln!(
                "skipped: set BAYLINE_TEST_POSTGRES=postgres://… to run the PostgreSQL suite"
            );
            return None;
        }
    };
    let name = format!("bayline_e2e_{}", rand_suffix().replace('-', "_"));
    let (base, query) = server.split_once('?').unwrap_or((&server, ""));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let host = base[authority..]
        .find('/')
        .map_or(base, |i| &base[..authority + i]);
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let url = format!("{host}/{name}{query}");
    Some(Database { server, name, url })
}

impl Drop for Database {
    fn drop(&mut self) {
        let dropped = Command::new("psql")
            .arg(&self.server)
            .args([
                "-qc",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .stdout(Stdio::null())
            .status();
        if !dropped.as_ref().is_ok_and(|s| s.success()) {
            eprintln!("could not drop test database {}: {dropped:?}", self.name);
        }
    }
}

#[tokio::test]
async fn the_scan_scenarios_pass_on_postgres_and_survive_a_restart() {
    let Some(db) = database() else { return };
    let mut app = spawn_app_on(&db.url).await;
    scans::every_action_walks_a_job_through_every_stage(&app).await;
    scans::every_reject_code_is_answered_and_stored(&app).await;
    scans::a_repeat_gets_the_same_reply_and_changes_nothing(&app).await;
    let (_, rejected) = app
        .get(&format!("/api/v1/sites/{SITE}/rejected"), Some(MANAGER))
        .await;
    let delivered = app.job("RO-1").await;
    app.stop().await;

    // A restart rebuilds the same state from what PostgreSQL holds.
    let mut app = spawn_app_on(&db.url).await;
    let job = app.job("RO-1").await;
    for field in [
        "stage",
        "ops",
        "checked_in_at",
        "ready_at",
        "delivered_at",
        "bay",
    ] {
        assert_eq!(job[field], delivered[field], "{field} after restart");
    }
    let (_, again) = app
        .get(&format!("/api/v1/sites/{SITE}/rejected"), Some(MANAGER))
        .await;
    assert_eq!(again, rejected);
    let mut hh = app.handheld("HH-03").await;
    let r = hh.send(serde_json::json!({"v": 1, "seq": 78, "ts": ts(0), "badge": "T03", "action": "check_in", "job": "NOPE"})).await;
    assert_eq!(
        r.code,
        Some(bayline_proto::RejectCode::SeqConflict),
        "seq 78 is still taken after the restart: {r:?}"
    );
    app.stop().await;
}
