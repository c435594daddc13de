//! The pages in a real headless Chromium, driven over WebDriver (chromedriver + fantoccini):
//! a manager signs in once and sees the bay grid follow a scan published over MQTT without a
//! reload; the lounge TV shows masked plates only; every page renders and is saved as a
//! screenshot (the path is printed) for a human to look at.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian `chromium`, `chromium-driver`;
//! `.ci/run` installs them). Without them the tests skip with a message, unless `CI=true`.

mod andon;
mod customer;
mod driver;
mod figures;
mod link;
mod offline;
mod planning;
mod provisioning;

use serde_json::{json, Value};

use crate::helpers::*;
use driver::Browser;

/// `bay-B03`'s state attribute, as a JavaScript expression.
fn bay_state(bay: &str) -> String {
    format!("(document.getElementById('bay-{bay}') || {{dataset: {{}}}}).dataset.state")
}

#[tokio::test]
async fn a_manager_signs_in_once_and_sees_a_scan_move_a_bay_without_a_reload() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.put_job("RO-W1", &[("10", 1.0), ("20", 0.5)]).await;

    // A manager page without a session leads to the sign-in form; wrong tokens say why.
    b.goto(&app.url(&format!("/sites/{SITE}/now"))).await;
    b.until("the sign-in form", "!!document.getElementById('token')")
        .await;
    b.fill("#token", "not-a-token").await;
    b.click("#signin").await;
    b.until(
        "an unknown-token error",
        "(document.getElementById('signin-error')||{}).innerText",
    )
    .await;
    assert!(b.text("#signin-error").await.contains("令牌无效"));
    b.shot("signin-error").await;
    b.fill("#token", "demo-integration-token").await;
    b.click("#signin").await;
    b.until(
        "a cannot-sign-in error",
        "((document.getElementById('signin-error')||{}).innerText||'').includes('不能登录本站点页面')",
    )
    .await;

    // The right token: back to the page asked for, the bay grid shown.
    b.fill("#token", MANAGER).await;
    b.click("#signin").await;
    b.until("the bay grid", "!!document.getElementById('bay-B03')")
        .await;
    assert!(b.eval("location.pathname").await == json!(format!("/sites/{SITE}/now")));
    assert_eq!(b.eval(&bay_state("B03")).await, json!("idle"));
    // The session is a cookie the page's script cannot read.
    assert_eq!(b.eval("document.cookie").await, json!(""));

    // Mark this page; a reload would lose the mark.
    b.eval("(window.__mark = 'still here')").await;
    let mut hh = app.handheld("HH-01").await;
    assert_ok(&hh.scan("A01", "check_in", json!({"job": "RO-W1"})).await);
    assert_ok(
        &hh.scan(
            "T07",
            "start",
            json!({"job": "RO-W1", "op": "10", "bay": "B03"}),
        )
        .await,
    );
    b.until(
        "B03 working",
        &format!("{} === 'working'", bay_state("B03")),
    )
    .await;
    let card = b.text("#bay-B03").await;
    assert!(card.contains("RO-W1") && card.contains("T07"), "{card}");
    assert_eq!(
        b.eval("window.__mark").await,
        json!("still here"),
        "the page reloaded"
    );

    // A pause for parts turns it blocked, with the reason, still without a reload.
    assert_ok(
        &hh.scan(
            "T07",
            "pause",
            json!({"job": "RO-W1", "op": "10", "reason": "parts"}),
        )
        .await,
    );
    b.until(
        "B03 blocked",
        &format!("{} === 'blocked'", bay_state("B03")),
    )
    .await;
    assert!(b.text("#bay-B03").await.contains("等待配件"));
    assert_eq!(
        b.eval("window.__mark").await,
        json!("still here"),
        "the page reloaded"
    );
    b.shot("now").await;

    // The JSON API takes the same session: the browser's own fetch, no header.
    let bays = b
        .client
        .execute_async(
            &format!("fetch('/api/v1/sites/{SITE}/bays').then(r => r.json()).then(arguments[0])"),
            vec![],
        )
        .await
        .unwrap();
    let b03 = bays
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["bay"] == "B03")
        .unwrap();
    assert_eq!(b03["state"], "blocked");
    b.close().await;
}

#[tokio::test]
async fn the_lounge_tv_shows_masked_plates_only_and_follows_the_workshop() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.put_job("RO-L1", &[("10", 1.0)]).await; // plate 粤B12345, customer Zhang San
    let mut hh = app.handheld("HH-01").await;
    assert_ok(&hh.scan("A01", "check_in", json!({"job": "RO-L1"})).await);

    // Public: no sign-in.
    b.goto(&app.url(&format!("/sites/{SITE}/lounge"))).await;
    b.until("the car", "document.body.innerText.includes('粤B***45')")
        .await;
    b.eval("(window.__mark = 1)").await;
    let (status, _) = app.put(
        &format!("/api/v1/sites/{SITE}/jobs/RO-L2"),
        Some(ADVISOR),
        &json!({"plate": "京AD99887", "vehicle": "Tiguan", "customer": "Wang Wu", "ops": [{"op": "10", "std_hours": 2.0}]}),
    )
    .await;
    assert_eq!(status, 201);
    assert_ok(&hh.scan("A01", "check_in", json!({"job": "RO-L2"})).await);
    b.until(
        "the second car, live",
        "document.body.innerText.includes('京A****87')",
    )
    .await;
    assert_eq!(b.eval("window.__mark").await, json!(1), "the page reloaded");
    let html = b.client.source().await.unwrap();
    for secret in ["粤B12345", "京AD99887", "Zhang San", "Wang Wu"] {
        assert!(!html.contains(secret), "the lounge page shows {secret}");
    }
    assert!(html.contains("接车"), "stage in the site's language");
    b.shot("lounge").await;

    b.goto(&app.url(&format!("/sites/{SITE}/lounge?lang=en")))
        .await;
    b.until(
        "English labels",
        "document.body.innerText.includes('Checked in')",
    )
    .await;
    b.close().await;
}

#[tokio::test]
async fn every_manager_page_renders_and_a_correction_from_the_review_page_counts() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.put_job("RO-P1", &[("10", 1.0)]).await;
    let mut hh = app.handheld("HH-02").await;
    // Twenty minutes of work, so the Gantt chart has something to draw.
    let scan = |seq: u64, minutes: i64, badge: &str, action: &str, fields: Value| {
        let mut body = json!({"v": 1, "seq": seq, "ts": ts(minutes), "badge": badge, "action": action, "job": "RO-P1"});
        for (k, v) in fields.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    assert_ok(&hh.send(scan(1, -30, "A01", "check_in", json!({}))).await);
    assert_ok(
        &hh.send(scan(
            2,
            -20,
            "T01",
            "start",
            json!({"op": "10", "bay": "B01"}),
        ))
        .await,
    );
    // A pause by someone not clocked on: kept as an anomaly, for the review page.
    let r = hh
        .send(scan(
            3,
            -10,
            "T02",
            "pause",
            json!({"op": "10", "reason": "break"}),
        ))
        .await;
    assert_eq!(r.warning.map(|w| w.as_str()), Some("not_clocked_on"));
    assert_ok(
        &hh.send(scan(4, 0, "T01", "finish", json!({"op": "10"})))
            .await,
    );
    hh.publish_raw("HH-02", b"{not json".to_vec()).await;
    assert!(!hh.reply().await.ok);
    b.sign_in(&app, MANAGER).await;
    b.until("the now page", "!!document.getElementById('bay-B01')")
        .await;

    // Figures: every §6 KPI, the Pareto chart, the comebacks, tables by advisor, badge, bay,
    // day.
    b.goto(&app.url(&format!("/sites/{SITE}/figures"))).await;
    b.until(
        "the KPI tiles",
        "document.querySelectorAll('#kpis .tile').length === 14",
    )
    .await;
    assert!(b.text("#by-badge").await.contains("T01"));
    assert!(b.text("#by-advisor").await.contains("A01"));
    let comebacks = b.text("#comebacks").await;
    assert!(
        comebacks.contains('无') || comebacks.contains("none"),
        "{comebacks}"
    );
    assert!(
        b.text("#kpis").await.contains("1.0 h"),
        "one sold hour today"
    );
    b.shot("figures").await;
    // The download behind the by-badge table: the API's CSV, through the session cookie,
    // opening with the UTF-8 byte-order mark Excel needs, a line per badge.
    let csv = b
        .client
        .execute_async(
            "const a = document.getElementById('by-badge-csv'); \
             fetch(a.href).then(async r => ({ \
               download: a.hasAttribute('download'), \
               type: r.headers.get('content-type'), \
               disposition: r.headers.get('content-disposition'), \
               head: Array.from(new Uint8Array(await r.clone().arrayBuffer()).slice(0, 3)), \
               text: await r.text() })).then(arguments[0])",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(csv["download"], true, "{csv}");
    assert_eq!(csv["head"], json!([0xef, 0xbb, 0xbf]), "{csv}");
    assert_eq!(csv["type"], "text/csv; charset=utf-8");
    assert!(csv["disposition"]
        .as_str()
        .unwrap()
        .starts_with("attachment"));
    let text = csv["text"].as_str().unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("from,to,group_by,key,"), "{text}");
    assert!(lines.iter().any(|l| l.contains(",badge,T01,")), "{text}");
    b.goto(&app.url(&format!(
        "/sites/{SITE}/figures?period=range&from=2026-11-05&to=2026-11-01"
    )))
    .await;
    b.until(
        "a clear error for a backwards range",
        "document.body.innerText.includes('is not after')",
    )
    .await;

    // Timeline: T01's clocked interval on the Gantt chart.
    b.goto(&app.url(&format!("/sites/{SITE}/timeline"))).await;
    b.until(
        "the Gantt chart",
        "document.querySelectorAll('.gantt rect title').length > 0",
    )
    .await;
    assert!(b.eval("Array.from(document.querySelectorAll('.gantt title')).some(t => t.textContent.startsWith('RO-P1 op 10 @ B01'))").await == json!(true));
    b.shot("timeline").await;

    // Boards: every preview loads as an image.
    b.goto(&app.url(&format!("/sites/{SITE}/boards"))).await;
    b.until("every board preview", "Array.from(document.images).length > 3 && Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)").await;
    b.shot("boards").await;

    // Review: the anomaly and the rejected scan are listed; void the anomaly from its row.
    b.goto(&app.url(&format!("/sites/{SITE}/review"))).await;
    b.until(
        "the anomaly",
        "document.getElementById('anomalies').innerText.includes('not_clocked_on')",
    )
    .await;
    assert!(b.text("#rejected").await.contains("bad_payload"));
    b.shot("review").await;
    b.click("#anomalies a").await; // "void", filling the form
    b.until(
        "the form filled in",
        "document.querySelector('[name=target_seq]').value !== ''",
    )
    .await;
    b.fill("[name=reason]", "T02 scanned by mistake").await;
    b.click("#correction-form button[type=submit]").await;
    b.until(
        "the correction made",
        "(document.getElementById('flash')||{}).className === 'ok-msg'",
    )
    .await;
    assert!(
        b.text("#anomalies").await.contains("(0)")
            || !b.text("#anomalies").await.contains("not_clocked_on")
    );
    assert!(b.text("#trail").await.contains("T02 scanned by mistake"));
    b.shot("review-corrected").await;

    // And the correction is in the API's audit trail, made by this manager's session.
    let (status, trail) = app
        .get(&format!("/api/v1/sites/{SITE}/corrections"), Some(MANAGER))
        .await;
    assert_eq!(status, 200);
    assert_eq!(trail[0]["correction"]["reason"], "T02 scanned by mistake");
    b.close().await;
}
