//! What callers write is shown as text, never run as markup: an integration token (the DMS)
//! writes job cards, any handheld publishes scans, a link fills in a page's query — none of
//! them may get a script into a manager's browser, where it would act with the manager's
//! session, or into the public lounge page. Every free text a caller controls carries HTML
//! that would run if a page copied it unescaped; every page must show it escaped.

use serde_json::json;

use super::system::{no_redirects, INTEGRATION};
use crate::helpers::*;

/// Markup that would run in a text node, after a quoted attribute, or in a single-quoted one.
const EVIL: &str = r#"<script>x1()</script>"'><img src=x onerror=x2()>"#;

/// What must never appear in a page: the tags above, unescaped.
const RUNS: [&str; 2] = ["<script>x1", "<img src=x"];

fn query(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn what_callers_write_shows_as_text_on_every_page() {
    let app = spawn_app().await;
    let card = json!({"plate": EVIL, "vehicle": EVIL, "customer": EVIL, "advisor": EVIL,
        "service": EVIL, "ops": [{"op": "10", "title": EVIL, "std_hours": 1.0}]});
    let (status, answer) = app
        .put(
            &format!("/api/v1/sites/{SITE}/jobs/RO-X"),
            Some(INTEGRATION),
            &card,
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    let mut hh = app.handheld("HH-01").await;
    assert_ok(&hh.scan("A01", "check_in", json!({"job": "RO-X"})).await);
    let start = json!({"job": "RO-X", "op": "10", "bay": "B01"});
    assert_ok(&hh.scan("T01", "start", start).await);
    // Kept as an anomaly, with its free-text reason.
    let fail = hh
        .scan("Q01", "qc_fail", json!({"job": "RO-X", "reason": EVIL}))
        .await;
    assert!(fail.ok, "{fail:?}");
    // Rejected, their raw bytes kept for the review page.
    hh.publish_raw("HH-01", EVIL.as_bytes().to_vec()).await;
    assert!(!hh.reply().await.ok);
    let bad_badge = json!({"v": 1, "seq": 99, "ts": ts(0), "badge": EVIL, "action": "shift_start"});
    assert!(!hh.send(bad_badge).await.ok);
    let correction = json!({"kind": "add", "reason": EVIL,
        "event": {"ts": ts(-5), "badge": "T02", "action": "shift_start"}});
    let (status, answer) = app
        .post(
            &format!("/api/v1/sites/{SITE}/corrections"),
            Some(MANAGER),
            &correction,
        )
        .await;
    assert_eq!(status, 201, "{answer}");

    let e = query(EVIL);
    let site = format!("/sites/{SITE}");
    let pages = [
        format!("{site}/now"),
        format!("{site}/now/live"),
        format!("{site}/figures"),
        format!("{site}/figures?from={e}&to={e}"),
        format!("{site}/timeline"),
        format!("{site}/timeline?date={e}"),
        format!("{site}/review"),
        // The links a failed correction leads back to: a form filled from the query.
        format!("{site}/review?error={e}&done={e}&reason={e}&badge={e}&job={e}&kind={e}&ts={e}"),
        format!("{site}/boards"),
        format!("{site}/handhelds?broker={e}"),
        format!("{site}/lounge"),
        format!("{site}/lounge/live"),
        format!("{site}/lounge?lang={e}"),
        format!("{site}/signin?next={e}"),
        "/".to_string(),
    ];
    let client = no_redirects();
    let mut ran = Vec::new();
    for page in &pages {
        let res = (client.get(app.url(page)))
            .header("cookie", format!("bayline_session={MANAGER}"))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        assert!(status == 200 || status == 400, "{page}: {status}");
        let html = res.text().await.unwrap();
        for tag in RUNS {
            if let Some(at) = html.find(tag) {
                let mut from = at.saturating_sub(120);
                while !html.is_char_boundary(from) {
                    from -= 1;
                }
                ran.push(format!("{page}: …{}…", &html[from..at + tag.len()]));
            }
        }
    }
    // The test must see the texts it looks for: the review page shows them, escaped.
    let review = (client.get(app.url(&format!("{site}/review"))))
        .header("cookie", format!("bayline_session={MANAGER}"))
        .send()
        .await
        .unwrap();
    let review = review.text().await.unwrap();
    assert!(
        review.contains("&lt;script&gt;x1()"),
        "the review page shows none of it"
    );
    assert!(ran.is_empty(), "markup ran:\n{}", ran.join("\n"));
}
