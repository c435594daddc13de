//! `tests/corpus/scans/`: every file published by handheld HH-01, in name order; each reply
//! must carry the code and seq `expected.toml` lists, each rejected scan must be stored for
//! review with its code, seq and size, and afterwards the gateway still answers a valid scan.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bayline_proto::Reply;
use serde::Deserialize;
use serde_json::{json, Value};

use super::template;
use crate::helpers::*;

/// What one file must get (see the head of `expected.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    code: String,
    seq: Option<u64>,
    after: Option<String>,
}

const SCANNER: &str = "HH-01";

#[tokio::test]
async fn every_malformed_scan_gets_its_code_is_stored_and_a_valid_scan_is_answered_after() {
    let dir = super::root().join("tests/corpus/scans");
    let manifest = std::fs::read_to_string(dir.join("expected.toml")).unwrap();
    let expected: BTreeMap<String, Expect> = toml::from_str(&manifest).unwrap();
    let names = super::files(&dir, &["expected.toml"]);
    assert_eq!(
        names.iter().collect::<BTreeSet<_>>(),
        expected.keys().collect::<BTreeSet<_>>(),
        "every file of {} has one line in expected.toml, and every line a file",
        dir.display()
    );

    let app = spawn_app().await;
    let mut hh = app.handheld(SCANNER).await;
    let now = jiff::Timestamp::now();
    let mut replies: HashMap<&str, Reply> = HashMap::new();
    let mut wrong = vec![];
    for name in &names {
        let raw = std::fs::read(dir.join(name)).unwrap();
        let payload = template::render(&raw, now).unwrap_or_else(|e| panic!("{name}: {e}"));
        let exp = &expected[name];
        // A repeat must not be stored again: count the rows of its seq before it is sent.
        let before = match (&exp.after, exp.seq) {
            (Some(_), Some(seq)) => Some(app.stored(SCANNER, seq).await),
            _ => None,
        };
        hh.publish_raw(SCANNER, payload.clone()).await;
        let reply = hh.reply().await;
        // Every file is checked and every mismatch listed, so one run shows them all.
        if let Err(why) = check(&app, &payload, &reply, exp, &replies, before).await {
            wrong.push(format!("{name}: {why}\n    reply: {reply:?}"));
        }
        replies.insert(name, reply);
    }
    let r = hh
        .send(json!({"v": 1, "seq": 100_000, "ts": ts(0), "badge": "M01", "action": "shift_start"}))
        .await;
    assert_ok(&r);
    assert!(
        wrong.is_empty(),
        "{} of {} corpus scans were answered or stored wrongly:\n{}",
        wrong.len(),
        names.len(),
        wrong.join("\n")
    );
}

async fn check(
    app: &TestApp,
    payload: &[u8],
    reply: &Reply,
    exp: &Expect,
    earlier: &HashMap<&str, Reply>,
    stored_before: Option<i64>,
) -> Result<(), String> {
    let got = match (reply.ok, reply.code, reply.warning) {
        (true, None, None) => "ok".to_string(),
        (true, _, Some(w)) => format!("ok with warning {w}"),
        (false, Some(code), _) => code.to_string(),
        _ => format!("{reply:?}"),
    };
    if got != exp.code {
        return Err(format!("expected {}, got {got}", exp.code));
    }
    if reply.seq != exp.seq {
        return Err(format!(
            "reply names seq {:?}, not {:?}",
            reply.seq, exp.seq
        ));
    }
    let chars = reply.msg.chars().count();
    if chars == 0 || chars > 64 {
        return Err(format!("a message of {chars} characters"));
    }
    if let Some(first) = &exp.after {
        let first = earlier
            .get(first.as_str())
            .ok_or_else(|| format!("after = {first:?}, which was not sent before"))?;
        if first.seq != reply.seq {
            return Err(format!("after a file of seq {:?}", first.seq));
        }
        if reply.ok && reply != first {
            return Err(format!(
                "a repeat answered otherwise than the first: {first:?}"
            ));
        }
    }
    if reply.ok {
        let seq = reply.seq.expect("an accepted scan has a seq");
        let n = app.stored(SCANNER, seq).await;
        // A first scan is stored once; a repeat adds nothing to the rows of its seq.
        let want = stored_before.unwrap_or(0) + i64::from(stored_before.is_none());
        return if n == want {
            Ok(())
        } else {
            Err(format!("{n} rows of seq {seq}, not {want}"))
        };
    }
    // The reply goes out after the scan is stored, so the newest rejected row is this one.
    let (status, rows) = app
        .get(
            &format!("/api/v1/sites/{SITE}/rejected?limit=1"),
            Some(MANAGER),
        )
        .await;
    let row = match (status, rows.get(0)) {
        (200, Some(row)) => row.clone(),
        _ => return Err(format!("GET …/rejected: {status} {rows}")),
    };
    let raw = String::from_utf8_lossy(payload);
    let kept = row["raw"].as_str().unwrap_or_default();
    let want = json!({"scanner": SCANNER, "seq": exp.seq, "code": exp.code, "size": payload.len()});
    let seen = json!({"scanner": row["scanner"], "seq": row["seq"], "code": row["code"], "size": row["size"]});
    if seen != want {
        return Err(format!("stored as {seen}, not {want}"));
    }
    let whole = kept == raw;
    // An oversized payload keeps its first bytes only (the cut may split a character).
    let head = exp.code == "too_large" && raw.starts_with(kept.trim_end_matches('\u{fffd}'));
    if !(whole || head) {
        return Err(format!("stored raw {:?}", shorten(&row["raw"])));
    }
    Ok(())
}

fn shorten(v: &Value) -> String {
    let s = v.to_string();
    s.chars().take(120).collect()
}
