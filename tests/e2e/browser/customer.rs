//! The customer's status link in real Chromium at a phone's size (390×844): the advisor makes
//! the link, the customer opens it and watches a technician's scan move the step bar without
//! a reload, approves one op of a request and declines the other; the job card takes the
//! approved op, and the technician's next scan reply says the customer confirmed.

use serde_json::json;

use super::driver::Browser;
use crate::helpers::*;

const JOB: &str = "RO-C1";

/// The step the bar marks as now, as a JavaScript expression.
const STEP_NOW: &str = "(document.querySelector('.steps li.now') || {}).innerText";

#[tokio::test]
async fn a_customer_follows_the_car_and_approves_extra_work_on_a_phone() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.put_job(JOB, &[("10", 1.0)]).await;
    let mut hh = app.handheld("HH-01").await;
    assert_ok(&hh.scan("A01", "check_in", json!({"job": JOB})).await);

    let (status, link) = app
        .post(
            &format!("/api/v1/sites/{SITE}/jobs/{JOB}/link"),
            Some(ADVISOR),
            &json!({}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let url = link["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&app.url("/c/")), "{url}");

    b.client.set_window_size(390, 844).await.unwrap();
    b.goto(&url).await;
    b.until(
        "the step bar at check-in",
        &format!("{STEP_NOW} === '接车'"),
    )
    .await;
    let page = b.eval("document.body.innerText").await;
    let page = page.as_str().unwrap();
    assert!(
        page.contains("粤B***45") && page.contains("Camry"),
        "{page}"
    );
    assert!(
        !page.contains("粤B12345") && !page.contains("Zhang San"),
        "{page}"
    );
    // Nothing wider than the phone, nothing fetched from elsewhere.
    assert_eq!(
        b.eval("document.documentElement.scrollWidth <= window.innerWidth")
            .await,
        json!(true)
    );
    let foreign = b
        .eval(&format!(
            "performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('{}'))",
            app.url("")
        ))
        .await;
    assert_eq!(foreign, json!([]), "fetched from elsewhere");
    b.shot("customer-checked-in").await;

    // A technician starts: the bar moves on, the page is not reloaded.
    b.eval("(window.__mark = 'still here')").await;
    let start = json!({"job": JOB, "op": "10", "bay": "B01"});
    assert_ok(&hh.scan("T01", "start", start).await);
    b.until("the step bar at repair", &format!("{STEP_NOW} === '维修'"))
        .await;
    assert_eq!(
        b.eval("window.__mark").await,
        json!("still here"),
        "reloaded"
    );
    b.shot("customer-in-repair").await;

    // The technician finds worn pads and waits; the advisor asks the customer.
    let pause = json!({"job": JOB, "op": "10", "reason": "approval"});
    assert_ok(&hh.scan("T01", "pause", pause).await);
    let ask = json!({"message": "前刹车片已磨损到极限，建议更换", "ops": [
        {"op": "90", "title": "更换前刹车片", "std_hours": 1.5, "price": 680,
         "photo": "https://example.invalid/pads.jpg"},
        {"op": "91", "title": "更换雨刮片", "std_hours": 0.2, "price": 120}]});
    let (status, request) = app
        .post(
            &format!("/api/v1/sites/{SITE}/jobs/{JOB}/approvals"),
            Some(ADVISOR),
            &ask,
        )
        .await;
    assert_eq!(status, 201, "{request}");
    b.until(
        "the request on the page",
        "!!document.querySelector('.approval li[data-op=\"91\"] button.no')",
    )
    .await;
    assert!(b.text(".when").await.contains("等待您确认"));
    b.shot("customer-approval-asked").await;

    b.click(".approval li[data-op=\"90\"] button.yes").await;
    b.until(
        "op 90 approved",
        "!!document.querySelector('.approval li[data-op=\"90\"] .answer.approved')",
    )
    .await;
    b.click(".approval li[data-op=\"91\"] button.no").await;
    b.until(
        "op 91 declined",
        "!!document.querySelector('.approval li[data-op=\"91\"] .answer.declined')",
    )
    .await;
    assert!(b.text(".approval").await.contains("谢谢"));
    b.shot("customer-approval-answered").await;

    // The card has the approved op only; the technician's next scan hears of the answer.
    let job = app.job(JOB).await;
    let ops: Vec<&str> = (job["ops"].as_array().unwrap().iter())
        .map(|o| o["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["10", "90"], "{job}");
    let r = hh
        .scan("T01", "resume", json!({"job": JOB, "op": "10"}))
        .await;
    assert!(r.ok && r.msg.starts_with("客户已确认"), "{r:?}");
    let again = hh
        .scan("T01", "finish", json!({"job": JOB, "op": "10"}))
        .await;
    assert!(!again.msg.contains("客户已确认"), "said once: {again:?}");

    // The advisor's page shows the link as a QR code.
    b.sign_in(&app, ADVISOR).await;
    b.client.set_window_size(1200, 900).await.unwrap();
    b.goto(&app.url(&format!("/sites/{SITE}/cars/{JOB}/link")))
        .await;
    b.click("form button[type=submit]").await;
    b.until("the QR code", "!!document.querySelector('#link-qr svg')")
        .await;
    let shown = b.eval("document.getElementById('link-url').value").await;
    assert!(shown.as_str().unwrap().contains("/c/"), "{shown}");
    b.shot("customer-link-qr").await;
    b.close().await;
}
