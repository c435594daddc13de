//! Request bodies over the server's limit, on every endpoint of the role table that is not a
//! `GET`: a manager's valid request padded to one byte over the limit is answered 413 in the
//! §5 error format and changes nothing, whether the body announces its length or arrives in
//! chunks; padded to exactly the limit it is taken, so the limit is where it says.

use bayline_server::http::{MAX_BODY, MAX_IMPORT};
use serde_json::{json, Value};

use super::roles::effect;
use super::system::{unpooled, Presented, Role, System};
use super::table::{Expect, Row, Sends, TABLE};
use crate::helpers::{ts, MANAGER};

/// How the body travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// With `Content-Length`: refused before it is read.
    Length,
    /// Chunked, no length: refused while it is read.
    Chunked,
}

/// A valid body of `sends` for a manager, padded with an ignored field to exactly `size`
/// bytes, and its content type.
fn padded(sends: Sends, size: usize, n: i64) -> (&'static str, Vec<u8>) {
    let at = ts(-30 - n);
    let (kind, head, tail) = match sends {
        Sends::JobCard => (
            "application/json",
            r#"{"plate":"粤B12345","ops":[{"op":"10","std_hours":1.0}],"pad":""#.to_string(),
            r#""}"#,
        ),
        Sends::Correction => (
            "application/json",
            format!(
                r#"{{"kind":"add","reason":"limits","event":{{"ts":"{at}","badge":"T02","action":"shift_start"}},"pad":""#
            ),
            r#""}"#,
        ),
        Sends::CorrectionForm => (
            "application/x-www-form-urlencoded",
            format!(
                "kind=add&reason=limits&ts={}&badge=T02&action=shift_start&pad=",
                at.replace('+', "%2B")
            ),
            "",
        ),
        Sends::SignInForm => (
            "application/x-www-form-urlencoded",
            format!("token={MANAGER}&pad="),
            "",
        ),
        Sends::Assignment => (
            "application/json",
            format!(r#"{{"badge":"T02","order":{n},"pad":""#),
            r#""}"#,
        ),
        Sends::Nothing => ("text/plain", String::new(), ""),
    };
    let pad = size - head.len() - tail.len();
    let mut body = head.into_bytes();
    body.resize(body.len() + pad, b'x');
    body.extend_from_slice(tail.as_bytes());
    assert_eq!(body.len(), size);
    (kind, body)
}

async fn send(
    sys: &System,
    row: &Row,
    path: &str,
    framing: Framing,
    kind: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    // A manager's request; the sign-in form carries the token itself.
    let role = match row.sends {
        Sends::SignInForm => Role::None,
        _ => Role::Manager,
    };
    let req = sys.request_on(&unpooled(), row.method, path, role, Presented::Bearer);
    let req = req.header("content-type", kind);
    let req = match framing {
        Framing::Length => req.body(body),
        Framing::Chunked => {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                body.chunks(8192).map(|c| Ok(c.to_vec())).collect();
            req.body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        }
    };
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_and_changes_nothing_on_every_write_endpoint() {
    let sys = System::start().await;
    let writes: Vec<&Row> = TABLE.iter().filter(|r| r.method != "GET").collect();
    assert!(writes.len() >= 5, "{} write endpoints", writes.len());
    let mut wrong = Vec::new();
    let mut n = 0;
    for row in writes {
        let manager = Expect::parse(row.expect[3]);
        // An endpoint that reads no body is only refused by its announced length.
        let framings: &[Framing] = match row.sends {
            Sends::Nothing => &[Framing::Length],
            _ => &[Framing::Length, Framing::Chunked],
        };
        // A history import takes far larger bodies than the rest of the API.
        let limit = if row.path.ends_with("/scans/import") {
            MAX_IMPORT
        } else {
            MAX_BODY
        };
        for &framing in framings {
            for size in [limit + 1, limit] {
                n += 1;
                let job = format!("RO-LIM-{n}");
                let path = (row.path.replace("{site}", "demo"))
                    .replace("{job}", &job)
                    .replace("{op}", "10");
                if row.path.contains("{op}") {
                    // An op's assignment needs the job first.
                    let card = json!({"ops": [{"op": "10", "std_hours": 1.0}]});
                    let put = sys.request(
                        "PUT",
                        &format!("/api/v1/sites/demo/jobs/{job}"),
                        Role::Manager,
                        Presented::Bearer,
                    );
                    assert!(put.json(&card).send().await.unwrap().status().is_success());
                }
                let before = effect(&sys, row.sends, &job).await;
                let (kind, body) = padded(row.sends, size, n);
                let (status, answer) = send(&sys, row, &path, framing, kind, body).await;
                let changed = effect(&sys, row.sends, &job).await != before;
                let what = format!("{} {path} {framing:?} {size} bytes", row.method);
                if size > limit {
                    let error =
                        json!({"code": "too_large", "message": "the request body is too large"});
                    if status != 413 || answer["error"] != error || changed {
                        wrong.push(format!("{what}: {status} {answer}, changed: {changed}"));
                    }
                } else if row.sends.writes()
                    && (status != manager.status || !(changed || row.sends == Sends::SignInForm))
                {
                    wrong.push(format!(
                        "{what}: at the limit it must be taken ({}), got {status} {answer}",
                        manager.status
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    sys.stop().await;
}
