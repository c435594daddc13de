//! The import's lines: NDJSON read into the scans their scanners would have published.

use bayline_domain::decode::{decode, kept, MAX_AGE};
use bayline_domain::Time;
use bayline_proto::Id;
use serde_json::{Map, Value};

use super::CHUNK;
use crate::Incoming;

/// Why a line could not become a scan at all.
type Unreadable = (&'static str, String);

/// A chunk of lines as parsed: the scans with their line numbers, the lines no scan could be
/// made of, and how many non-empty lines it covers.
#[derive(Default)]
pub(super) struct Parsed {
    pub scans: Vec<Incoming>,
    pub numbers: Vec<u64>,
    pub unreadable: Vec<(u64, &'static str, String)>,
    pub lines: u64,
}

/// Parses `body` into chunks of [`CHUNK`] scans, sent to `tx` until it is closed.
pub(super) fn parse(site: &Id, body: &[u8], now: Time, tx: &tokio::sync::mpsc::Sender<Parsed>) {
    let mut parsed = Parsed::default();
    for (at, line) in body.split(|b| *b == b'\n').enumerate() {
        let number = at as u64 + 1;
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        parsed.lines += 1;
        match incoming(site, line, now) {
            Ok(scan) => {
                parsed.scans.push(scan);
                parsed.numbers.push(number);
            }
            Err((code, message)) => parsed.unreadable.push((number, code, message)),
        }
        if parsed.scans.len() == CHUNK && tx.blocking_send(std::mem::take(&mut parsed)).is_err() {
            return;
        }
    }
    let _ = tx.blocking_send(parsed);
}

/// One line as the scan its scanner would have published at `now`, decoded.
fn incoming(site: &Id, line: &[u8], now: Time) -> Result<Incoming, Unreadable> {
    let mut map: Map<String, Value> = serde_json::from_slice(line)
        .map_err(|e| ("bad_json", format!("not a JSON object: {e}")))?;
    let scanner = match map.remove("scanner") {
        Some(Value::String(s)) => {
            Id::new(&s).map_err(|e| ("bad_scanner", format!("scanner {s:?}: {e}")))?
        }
        None | Some(Value::Null) => return Err(("missing_field", "scanner".into())),
        Some(_) => return Err(("bad_scanner", "scanner must be text".into())),
    };
    // Any age is accepted: an old scan is decoded as if it arrived when it was made.
    let arrived = match map
        .get("ts")
        .and_then(Value::as_str)
        .map(str::parse::<Time>)
    {
        Some(Ok(ts)) if now.checked_sub(MAX_AGE).is_ok_and(|oldest| ts < oldest) => ts,
        _ => now,
    };
    let payload = serde_json::to_vec(&Value::Object(map))
        .map_err(|e| ("bad_json", format!("cannot be written again: {e}")))?;
    let decoded = decode(&payload, &scanner, arrived);
    Ok(Incoming {
        site: site.clone(),
        scanner,
        received_at: now,
        raw: kept(&payload).to_vec(),
        size: payload.len(),
        decoded,
    })
}
