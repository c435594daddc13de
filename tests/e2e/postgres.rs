//! The scan contract against PostgreSQL: the whole system with `--db postgres://…`, on a
//! database of its own created for the test and dropped after it. Enabled by
//! `BAYLINE_TEST_POSTGRES` (a server URL, e.g. `postgres://postgres@127.0.0.1:5432/test`,
//! set by .ci/run); under `CI=true` a missing variable or server fails instead of skipping.

use crate::helpers::*;
use crate::scans;
use crate::services::database;

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
