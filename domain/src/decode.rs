//! Payload bytes → a domain event, or the reject code and a short detail (contract §3.1–3.2).
//! Checks run in the order a person would fix them: size, JSON, version, action, fields,
//! ids, time. Pure: `now` is a parameter.

use crate::{Event, EventKey, EventKind, Time};
use bayline_proto::scan::{Need, MAX_REASON_CHARS, MAX_SCAN_BYTES};
use bayline_proto::{Action, CallReason, Id, RejectCode, Scan, CONTRACT_VERSION};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};

/// How far in the future a scan's `ts` may lie (device clocks drift).
pub const MAX_AHEAD: SignedDuration = SignedDuration::from_mins(5);
/// How old a scan may be (a handheld's outbox may hold scans for days).
pub const MAX_AGE: SignedDuration = SignedDuration::from_hours(7 * 24);

/// How many bytes of a rejected payload are kept when the payload was over the size limit.
pub const KEEP_OF_OVERSIZE: usize = 256;

type Reject = (RejectCode, String);

/// A scan as decoded, before any state is consulted.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The payload's seq, when it could be read: what makes a repeat a repeat.
    pub seq: Option<u64>,
    /// The payload with sorted keys, when it was a JSON object.
    pub canonical: Option<String>,
    /// The event, or why the payload cannot be one (with a detail for the reply).
    pub result: Result<Event, Reject>,
}

/// The bytes of a payload that are stored: all of them, or the first [`KEEP_OF_OVERSIZE`]
/// when it was over the size limit (the contract keeps a rejected giant's head, not its body).
pub fn kept(payload: &[u8]) -> &[u8] {
    if payload.len() > MAX_SCAN_BYTES {
        &payload[..KEEP_OF_OVERSIZE]
    } else {
        payload
    }
}

/// Decodes one payload that arrived on `scanner`'s scan topic at `now`.
pub fn decode(payload: &[u8], scanner: &Id, now: Time) -> Decoded {
    if payload.len() > MAX_SCAN_BYTES {
        let detail = format!("{} bytes, over {MAX_SCAN_BYTES}", payload.len());
        return Decoded {
            seq: None,
            canonical: None,
            result: Err((RejectCode::TooLarge, detail)),
        };
    }
    let value: Value = match serde_json::from_slice(payload) {
        Ok(v) => v,
        Err(e) => return rejected(None, None, RejectCode::BadPayload, format!("not JSON: {e}")),
    };
    let Value::Object(map) = value else {
        return rejected(
            None,
            None,
            RejectCode::BadPayload,
            "not a JSON object".into(),
        );
    };
    let canonical = Some(canonical(&Value::Object(map.clone())));
    let seq = match map.get("seq") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(s) => Some(s),
            None => {
                return rejected(
                    None,
                    canonical,
                    RejectCode::BadPayload,
                    "seq must be a whole number ≥ 0".into(),
                )
            }
        },
    };
    let result = event(&map, seq, scanner, now);
    Decoded {
        seq,
        canonical,
        result,
    }
}

fn rejected(
    seq: Option<u64>,
    canonical: Option<String>,
    code: RejectCode,
    detail: String,
) -> Decoded {
    Decoded {
        seq,
        canonical,
        result: Err((code, detail)),
    }
}

fn event(
    map: &Map<String, Value>,
    seq: Option<u64>,
    scanner: &Id,
    now: Time,
) -> Result<Event, Reject> {
    let missing = |f: &str| (RejectCode::MissingField, f.to_string());
    let bad = |d: String| (RejectCode::BadPayload, d);
    match map.get("v") {
        None | Some(Value::Null) => return Err(missing("v")),
        Some(v) if v.as_u64() == Some(CONTRACT_VERSION) => {}
        Some(Value::Number(n)) => return Err((RejectCode::BadVersion, format!("v {n} is not 1"))),
        Some(_) => return Err(bad("v must be a number".into())),
    }
    let seq = seq.ok_or_else(|| missing("seq"))?;
    let action = match map.get("action") {
        None | Some(Value::Null) => return Err(missing("action")),
        Some(Value::String(a)) => Action::parse(a).ok_or((RejectCode::UnknownAction, a.clone()))?,
        Some(_) => return Err(bad("action must be text".into())),
    };
    let needs = action.needs();
    let present = |f: &str| !matches!(map.get(f), None | Some(Value::Null));
    for (field, need) in [
        ("ts", Need::Required),
        ("badge", Need::Required),
        ("job", needs.job),
        ("op", needs.op),
        ("bay", needs.bay),
        ("reason", needs.reason),
    ] {
        if need == Need::Required && !present(field) {
            return Err(missing(field));
        }
    }
    let ts = match map.get("ts") {
        Some(Value::String(s)) => s.parse::<Timestamp>().map_err(|_| {
            (
                RejectCode::BadTime,
                format!("ts {s:?} is not RFC 3339 with an offset"),
            )
        })?,
        _ => return Err(bad("ts must be text".into())),
    };
    if ts > now.checked_add(MAX_AHEAD).unwrap_or(now) {
        return Err((RejectCode::BadTime, "ts is in the future".into()));
    }
    if ts < now.checked_sub(MAX_AGE).unwrap_or(now) {
        return Err((RejectCode::BadTime, "ts is more than 7 days old".into()));
    }
    // Fields the action does not use are dropped before typing, so that junk in them cannot
    // reject an otherwise good scan.
    let mut typed = map.clone();
    typed.insert("ts".into(), Value::String(String::new()));
    for (field, need) in [
        ("job", needs.job),
        ("op", needs.op),
        ("bay", needs.bay),
        ("reason", needs.reason),
    ] {
        if need == Need::Unused || typed.get(field) == Some(&Value::Null) {
            typed.remove(field);
        }
    }
    let reason_text = match typed.remove("reason") {
        None => None,
        Some(Value::String(r)) => Some(r),
        Some(_) => return Err(bad("reason must be text".into())),
    };
    let scan: Scan = serde_json::from_value(Value::Object(typed))
        .map_err(|e| bad(field_error(&e.to_string())))?;
    let key = EventKey {
        ts,
        scanner: scanner.clone(),
        seq,
    };
    let job = || scan.job.clone().ok_or_else(|| missing("job"));
    let op = || scan.op.clone().ok_or_else(|| missing("op"));
    let kind = match action {
        Action::CheckIn => EventKind::CheckIn { job: job()? },
        Action::Start => EventKind::Start {
            job: job()?,
            op: op()?,
            bay: scan.bay.clone().ok_or_else(|| missing("bay"))?,
        },
        Action::Pause => {
            let text = reason_text.unwrap_or_default();
            // A site's own reason is checked against its table when the scan is judged.
            let reason = crate::Reason::parse(&text).ok_or_else(|| {
                bad(format!(
                    "reason {text:?} is not parts|approval|break|shift_end|other or a site reason id"
                ))
            })?;
            EventKind::Pause {
                job: job()?,
                op: op()?,
                reason,
            }
        }
        Action::Resume => EventKind::Resume {
            job: job()?,
            op: op()?,
            bay: scan.bay.clone(),
        },
        Action::Finish => EventKind::Finish {
            job: job()?,
            op: op()?,
        },
        Action::QcPass => EventKind::QcPass { job: job()? },
        Action::QcFail => {
            if reason_text
                .as_ref()
                .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
            {
                return Err(bad(format!(
                    "reason is longer than {MAX_REASON_CHARS} characters"
                )));
            }
            EventKind::QcFail {
                job: job()?,
                op: scan.op.clone(),
                note: reason_text,
            }
        }
        Action::WashStart => EventKind::WashStart {
            job: job()?,
            bay: scan.bay.clone(),
        },
        Action::WashDone => EventKind::WashDone {
            job: job()?,
            bay: scan.bay.clone(),
        },
        Action::Ready => EventKind::Ready { job: job()? },
        Action::Delivered => EventKind::Delivered { job: job()? },
        Action::ShiftStart => EventKind::ShiftStart,
        Action::ShiftEnd => EventKind::ShiftEnd,
        Action::Call => {
            let text = reason_text.unwrap_or_default();
            let reason = CallReason::parse(&text).ok_or_else(|| {
                bad(format!(
                    "reason {text:?} is not foreman|parts|qc|tools|other"
                ))
            })?;
            EventKind::Call {
                bay: scan.bay.clone(),
                reason,
            }
        }
        Action::Answer => EventKind::Answer {
            bay: scan.bay.clone().ok_or_else(|| missing("bay"))?,
        },
        Action::Clear => EventKind::Clear {
            bay: scan.bay.clone().ok_or_else(|| missing("bay"))?,
        },
    };
    Ok(Event {
        key,
        badge: scan.badge,
        kind,
    })
}

/// serde's message, without the line/column noise of a re-serialised value.
fn field_error(e: &str) -> String {
    e.split(" at line").next().unwrap_or(e).to_string()
}

/// The payload with object keys sorted at every level: two payloads with the same content
/// have the same canonical text whatever order their keys came in.
pub fn canonical(v: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<_> = m.keys().collect();
                keys.sort();
                let mut out = Map::new();
                for k in keys {
                    out.insert(k.clone(), sorted(&m[k]));
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(v).to_string()
}

#[cfg(test)]
mod tests;
