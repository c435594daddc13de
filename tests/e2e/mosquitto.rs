//! The scan contract again, through a real Mosquitto started by the test with the files
//! `bayline mosquitto-config` writes. Enabled by `BAYLINE_TEST_MOSQUITTO=1` (set by .ci/run);
//! under `CI=true` a missing Mosquitto fails the suite instead of skipping it.

use crate::helpers::*;
use crate::scans;
use crate::services::{mosquitto, Mosquitto};

async fn app_on(m: &Mosquitto) -> TestApp {
    spawn_app_with(Some(m.service_url())).await
}

#[tokio::test]
async fn the_contract_suite_passes_through_mosquitto() {
    let Some(m) = mosquitto() else { return };
    // One app at a time: a gateway still subscribed would answer scans too.
    let mut app = app_on(&m).await;
    scans::every_action_walks_a_job_through_every_stage(&app).await;
    app.stop().await;
    let mut app = app_on(&m).await;
    scans::every_reject_code_is_answered_and_stored(&app).await;
    app.stop().await;
    let mut app = app_on(&m).await;
    scans::a_repeat_gets_the_same_reply_and_changes_nothing(&app).await;
    app.stop().await;
    let mut app = app_on(&m).await;
    scans::nonsense_is_kept_with_a_warning_and_listed(&app).await;
    app.stop().await;
    let mut app = app_on(&m).await;
    scans::wrong_credentials_and_foreign_topics_get_nothing(&app).await;
    app.stop().await;
}
