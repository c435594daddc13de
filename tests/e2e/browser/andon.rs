//! Andon from the handheld app, in real Chromium at a PDA's width: a technician taps 呼叫 and
//! a reason; the manager's Now page shows the call and beeps without a reload, the bay tag's
//! preview shows it; a helper answers and clears it from the app, and it is gone from both.

use serde_json::{json, Value};

use super::driver::Browser;
use crate::helpers::*;

/// A fingerprint of the bay tag preview's header band (bay, state or call), drawn in the
/// manager's browser: the footer's clock is left out, so it changes only with what the
/// header says.
const TAG_HEADER: &str = "
    const done = arguments[0];
    const img = new Image();
    img.onload = () => {
        const c = document.createElement('canvas');
        c.width = img.width; c.height = img.height;
        const x = c.getContext('2d');
        x.drawImage(img, 0, 0);
        const d = x.getImageData(0, 0, img.width, 20).data;
        let h = 7;
        for (let i = 0; i < d.length; i++) h = (Math.imul(h, 31) + d[i]) >>> 0;
        done(h);
    };
    img.onerror = () => done(null);
    img.src = '/boards/demo/bay/B03.png?at=' + Date.now();
";

async fn tag_header(b: &Browser) -> Value {
    let v = b.client.execute_async(TAG_HEADER, vec![]).await.unwrap();
    assert!(v.is_number(), "the tag preview did not load: {v}");
    v
}

/// Types a line into the app as a keyboard-wedge scanner does: the text, then Enter.
async fn scan_line(h: &Browser, text: &str) {
    h.fill("#line", &format!("{text}\u{E007}")).await;
}

#[tokio::test]
async fn andon_a_call_from_the_handheld_shows_on_the_now_page_and_the_tag_until_cleared() {
    let Some(m) = Browser::start().await else {
        return;
    };
    let Some(h) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let ws = app
        .ws
        .expect("the test app listens for MQTT over WebSocket");
    app.put_job("RO-AC1", &[("10", 1.0)]).await;
    let mut hh = app.handheld("HH-01").await;
    assert_ok(&hh.scan("A01", "check_in", json!({"job": "RO-AC1"})).await);
    assert_ok(
        &hh.scan(
            "T07",
            "start",
            json!({"job": "RO-AC1", "op": "10", "bay": "B03"}),
        )
        .await,
    );

    // The manager's Now page, open before the call.
    m.sign_in(&app, MANAGER).await;
    m.goto(&app.url(&format!("/sites/{SITE}/now"))).await;
    m.until("the bay grid", "!!document.getElementById('bay-B03')")
        .await;
    m.until(
        "B03 working",
        "document.getElementById('bay-B03').dataset.state === 'working'",
    )
    .await;
    m.eval("(window.__mark = 'still here')").await;
    let quiet = tag_header(&m).await;

    // The handheld at a PDA's width, provisioned once.
    h.client.set_window_size(360, 740).await.unwrap();
    h.goto(&app.url("/h/")).await;
    h.until(
        "the provisioning form",
        "!document.getElementById('prov').hidden",
    )
    .await;
    let secret = bayline_site::SiteConfig::demo()
        .scanner("HH-02")
        .unwrap()
        .secret
        .clone();
    h.fill("#prov [name=id]", "HH-02").await;
    h.fill("#prov [name=secret]", &secret).await;
    h.fill("#prov [name=site]", SITE).await;
    h.fill("#prov [name=url]", &format!("ws://{ws}/mqtt")).await;
    h.click("#prov button").await;
    h.until(
        "the app online",
        "document.getElementById('net').className === 'up'",
    )
    .await;

    // T07 calls for parts with two taps; no bay scanned: the call is at the bay T07 is on.
    scan_line(&h, "T07").await;
    h.until(
        "the call button",
        "!!document.querySelector('button.act-call')",
    )
    .await;
    h.click("button.act-call").await;
    h.click("button.call-parts").await;
    h.until(
        "the call's reply",
        "(document.getElementById('reply').innerText || '').includes('B03 已呼叫配件')",
    )
    .await;
    h.shot("andon-handheld").await;

    m.until(
        "the call on the Now page",
        "!!document.querySelector('#calls .call[data-bay=\"B03\"]')",
    )
    .await;
    assert!(m.text("#calls").await.contains("配件"));
    assert!(m.text("#bay-B03").await.contains("呼叫"));
    m.until("a beep", "Number(document.body.dataset.beeps || 0) >= 1")
        .await;
    assert_eq!(
        m.eval("window.__mark").await,
        json!("still here"),
        "the page reloaded"
    );
    m.shot("andon-now").await;
    assert_ne!(
        tag_header(&m).await,
        quiet,
        "the tag preview does not show the call"
    );

    // T06 comes: scans the badge and the bay, answers, then clears.
    scan_line(&h, "T06").await;
    scan_line(&h, "B03").await;
    h.until(
        "the answer button",
        "!!document.querySelector('button.act-answer')",
    )
    .await;
    h.click("button.act-answer").await;
    h.until(
        "the answer's reply",
        "(document.getElementById('reply').innerText || '').includes('呼叫已响应')",
    )
    .await;
    m.until(
        "the call answered on the Now page",
        "!!document.querySelector('#calls .call.answered[data-bay=\"B03\"]')",
    )
    .await;
    h.click("button.act-clear").await;
    h.until(
        "the clear's reply",
        "(document.getElementById('reply').innerText || '').includes('呼叫已解除')",
    )
    .await;
    m.until(
        "no call on the Now page",
        "!document.getElementById('calls')",
    )
    .await;
    assert!(!m.text("#bay-B03").await.contains("呼叫"));
    assert_eq!(
        tag_header(&m).await,
        quiet,
        "the tag preview still shows a call"
    );

    // The manager's list has the call, answered and cleared, by whom.
    let (status, calls) = app
        .get(&format!("/api/v1/sites/{SITE}/calls"), Some(MANAGER))
        .await;
    assert_eq!(status, 200, "{calls}");
    let call = &calls[0];
    assert_eq!(
        (
            &call["bay"],
            &call["badge"],
            &call["reason"],
            &call["answered_by"],
            &call["cleared_by"]
        ),
        (
            &json!("B03"),
            &json!("T07"),
            &json!("parts"),
            &json!("T06"),
            &json!("T06")
        )
    );
    m.close().await;
    h.close().await;
}
