//! Planning in real Chromium (contract §7.3): the foreman assigns and reorders on the
//! dispatch page, by mouse and by keyboard, and the bay tag a display receives and a
//! technician's `shift_start` reply follow; an advisor signs in to their own cars and the
//! loading page and asks for the earliest promise.

use bayline_proto::board::BayTag;
use serde_json::json;

use super::driver::Browser;
use crate::boards::Display;
use crate::helpers::*;

/// The job ids in a technician's queue on the dispatch page, as a JavaScript expression.
fn queue(badge: &str) -> String {
    format!(
        "Array.from(document.querySelectorAll('#queue-{badge} li')).map(li => li.dataset.job).join(' ')"
    )
}

/// The job of the bay tag's "next", or "" for none.
fn next_job(t: &BayTag) -> &str {
    t.next.as_ref().map_or("", |n| n.job.as_str())
}

#[tokio::test]
async fn dispatch_assign_and_reorder_and_the_bay_tag_and_the_shift_start_reply_follow() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.put_job("RO-D1", &[("10", 1.0), ("20", 0.5)]).await;
    app.put_job("RO-D2", &[("10", 1.0)]).await;
    let display = Display::connect(&app, "workshop-1", "demo-workshop").await;
    display
        .wait_for::<BayTag>("bay/B03", |t| t.next.is_none())
        .await;

    b.sign_in(&app, MANAGER).await;
    b.goto(&app.url(&format!("/sites/{SITE}/dispatch"))).await;
    b.until(
        "the unassigned ops",
        "document.querySelectorAll('#unassigned tr[data-job]').length === 3",
    )
    .await;

    // By mouse: RO-D2's op to T07 at B03.
    let row = |job: &str, op: &str| format!("#unassigned tr[data-job='{job}'][data-op='{op}']");
    let choose = |job: &str, op: &str, badge: &str, bay: &str| {
        format!(
            "(r => {{ for (const [s, v] of [['select.pick-badge', '{badge}'], ['select.pick-bay', '{bay}']]) {{ const el = r.querySelector(s); el.value = v; el.dispatchEvent(new Event('change', {{bubbles: true}})); }} return true; }})(document.querySelector(\"{}\"))",
            row(job, op)
        )
    };
    b.eval(&choose("RO-D2", "10", "T07", "B03")).await;
    b.click(&format!(
        "{} button[data-action=assign]",
        row("RO-D2", "10")
    ))
    .await;
    b.until(
        "RO-D2 in T07's queue",
        &format!("{} === 'RO-D2'", queue("T07")),
    )
    .await;
    let (tag, _) = display
        .wait_for::<BayTag>("bay/B03", |t| next_job(t) == "RO-D2")
        .await;
    // The tag names the op by its title.
    assert_eq!(tag.next.unwrap().op.as_str(), "op 10");

    // By keyboard: RO-D1's op 10 to T07 at B03, second in the queue.
    b.eval(&choose("RO-D1", "10", "T07", "B03")).await;
    b.press_enter(&format!(
        "{} button[data-action=assign]",
        row("RO-D1", "10")
    ))
    .await;
    b.until(
        "RO-D1 second in T07's queue",
        &format!("{} === 'RO-D2 RO-D1'", queue("T07")),
    )
    .await;
    assert_eq!(
        b.eval("document.querySelectorAll('#unassigned tr[data-job]').length")
            .await,
        json!(1)
    );

    // RO-D1 moved up with the keyboard: Enter on its ↑; the focus follows it.
    b.press_enter("#queue-T07 li[data-job='RO-D1'] button[data-action=up]")
        .await;
    b.until(
        "RO-D1 first in T07's queue",
        &format!("{} === 'RO-D1 RO-D2'", queue("T07")),
    )
    .await;
    b.until(
        "the focus on RO-D1's other arrow",
        "document.activeElement && document.activeElement.dataset.key === 'down:RO-D1/10'",
    )
    .await;
    display
        .wait_for::<BayTag>("bay/B03", |t| next_job(t) == "RO-D1")
        .await;
    b.shot("dispatch").await;

    // T07 starts the shift: the reply names the first op of the queue.
    let mut hh = app.handheld("HH-01").await;
    let reply = hh.scan("T07", "shift_start", json!({})).await;
    assert!(reply.ok, "{reply:?}");
    assert_eq!(reply.msg, "T07 上班打卡，先做 RO-D1 工序10");

    // RO-D1 on B03: the tag's next is the other car, never the one on the bay.
    let started = hh
        .scan(
            "T07",
            "start",
            json!({"job": "RO-D1", "op": "10", "bay": "B03"}),
        )
        .await;
    assert_ok(&started);
    let (tag, _) = display
        .wait_for::<BayTag>("bay/B03", |t| {
            t.now.as_ref().is_some_and(|n| n.job.as_str() == "RO-D1")
        })
        .await;
    assert_eq!(next_job(&tag), "RO-D2");

    // Taken back with a click: out of the queue, back among the unassigned, off the tag.
    b.click("#queue-T07 li[data-job='RO-D2'] button[data-action=unassign]")
        .await;
    b.until(
        "RO-D2 back among the unassigned",
        &format!("!!document.querySelector(\"{}\")", row("RO-D2", "10")),
    )
    .await;
    display
        .wait_for::<BayTag>("bay/B03", |t| t.next.is_none())
        .await;
    b.close().await;
}

#[tokio::test]
async fn an_advisor_sees_their_own_cars_and_the_loading_and_asks_the_earliest_promise() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    for (job, advisor) in [
        ("RO-MINE", "A01"),
        ("RO-NAMED", "Lin Na"),
        ("RO-OTHER", "A02"),
    ] {
        let (status, _) = app
            .put(
                &format!("/api/v1/sites/{SITE}/jobs/{job}"),
                Some(ADVISOR),
                &json!({"advisor": advisor, "plate": "粤B00001",
                        "ops": [{"op": "10", "title": "Service", "std_hours": 1.0}]}),
            )
            .await;
        assert_eq!(status, 201);
    }

    // Signed in, an advisor lands on their cars: by badge and by name, not another's.
    b.sign_in(&app, ADVISOR).await;
    b.until(
        "my cars",
        "location.pathname.endsWith('/cars') && !!document.querySelector('#jobs')",
    )
    .await;
    let shown = b.text("#jobs").await;
    assert!(
        shown.contains("RO-MINE") && shown.contains("RO-NAMED") && !shown.contains("RO-OTHER"),
        "{shown}"
    );
    b.shot("advisor-cars").await;

    // The manager's pages stay the manager's.
    b.goto(&app.url(&format!("/sites/{SITE}/now"))).await;
    b.until(
        "the managers-only page",
        "document.body.innerText.includes('仅供本站点经理使用')",
    )
    .await;

    // The loading: 14 days, and the earliest promise for two ops of 1.5 and 2 hours.
    b.goto(&app.url(&format!("/sites/{SITE}/loading"))).await;
    b.until(
        "14 days of loading",
        "document.querySelectorAll('#days tbody tr').length === 14",
    )
    .await;
    b.fill("#hours", "1.5 2").await;
    b.click("#ask").await;
    b.until(
        "the earliest promise",
        "!!(document.getElementById('promise-at') || {dataset: {}}).dataset.at",
    )
    .await;
    let on_page: jiff::Timestamp = b
        .eval("document.getElementById('promise-at').dataset.at")
        .await
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let (status, api) = app
        .get(
            &format!("/api/v1/sites/{SITE}/promise?std_hours=3.5"),
            Some(ADVISOR),
        )
        .await;
    assert_eq!(status, 200);
    let from_api: jiff::Timestamp = api["at"].as_str().unwrap().parse().unwrap();
    // Asked a moment apart: inside opening hours the answer moves with the clock.
    let apart = from_api.duration_since(on_page).as_secs().abs();
    assert!(apart <= 60, "page {on_page}, API {from_api}");
    b.shot("advisor-loading").await;
    b.close().await;
}
