//! Provisioning by QR code: the manager's handhelds page shows a code per scanner; a PDA's
//! barcode engine types the code's line into the app's setup screen, and the app is that
//! scanner, online, its scans answered.

use super::driver::Browser;
use crate::helpers::*;

#[tokio::test]
async fn a_pda_provisioned_from_the_managers_qr_code_scans_as_that_scanner() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let ws = app
        .ws
        .expect("the test app listens for MQTT over WebSocket");

    // Managers only: the codes carry the secrets.
    b.goto(&app.url(&format!("/sites/{SITE}/handhelds"))).await;
    b.until("the sign-in form", "!!document.getElementById('token')")
        .await;
    b.sign_in(&app, MANAGER).await;
    b.goto(&app.url(&format!("/sites/{SITE}/handhelds"))).await;
    let scanners = bayline_site::SiteConfig::demo().scanners.len();
    b.until(
        "a QR code per scanner",
        &format!("document.querySelectorAll('figure.qr svg').length === {scanners}"),
    )
    .await;
    b.shot("handhelds").await;
    let text = |scanner: &str| {
        format!("document.querySelector('figure.qr[data-scanner=\"{scanner}\"] code').textContent")
    };
    let code = b.eval(&text("HH-03")).await;
    let code = code.as_str().unwrap().to_string();
    assert!(code.starts_with("bayline-h1?"), "{code}");
    let broker = format!("ws://{ws}/mqtt");
    let query: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(code.strip_prefix("bayline-h1?").unwrap().as_bytes())
            .into_owned()
            .collect();
    assert_eq!(query["id"], "HH-03");
    assert_eq!(query["site"], SITE);
    assert_eq!(query["secret"], "demo-hh03");
    assert_eq!(
        query["broker"], broker,
        "this page's host with the broker's WebSocket port"
    );

    // Another broker address typed in: every code carries it.
    let elsewhere = "wss://workshop.example:9443/mqtt";
    b.fill("[name=broker]", &format!("{elsewhere}\u{E007}"))
        .await;
    b.until(
        "the codes for the other address",
        &format!(
            "{}.includes('{}')",
            text("HH-01"),
            "workshop.example%3A9443"
        ),
    )
    .await;

    // The PDA: the barcode engine types the code and Enter into the first field.
    b.client.set_window_size(360, 640).await.unwrap();
    b.goto(&app.url("/h/")).await;
    b.until(
        "the setup screen",
        "!document.getElementById('prov-code').hidden",
    )
    .await;
    b.fill("#prov-code [name=code]", "RO-240117\u{E007}").await;
    b.until(
        "a word that this is no code",
        "!document.getElementById('prov-error').hidden",
    )
    .await;
    b.fill("#prov-code [name=code]", &format!("{code}\u{E007}"))
        .await;
    b.until(
        "the app online",
        "document.getElementById('net').className === 'up'",
    )
    .await;
    assert_eq!(b.text("#who").await, "HH-03");
    b.fill("#line", "T05\u{E007}").await;
    b.until(
        "the shift button",
        "!!document.querySelector('button.act-shift_start')",
    )
    .await;
    b.click("button.act-shift_start").await;
    b.until(
        "the reply",
        "((document.querySelector('#log li[data-seq=\"1\"]') || {}).className) === 'ok'",
    )
    .await;
    assert!(b.text("#reply").await.contains("T05 上班打卡"));
    b.shot("handheld-provisioned").await;
    assert_eq!(
        app.stored("HH-03", 1).await,
        1,
        "stored as HH-03's first scan"
    );
    b.close().await;
}
