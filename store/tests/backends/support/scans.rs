//! Scan records, incoming scans and replies as the gateway would make them.

use bayline_domain::{Event, EventKey, EventKind, JobCard, Time};
use bayline_proto::{Id, RejectCode, Reply};
use bayline_store::{Decision, ScanRecord, Store};

pub const SITE: &str = "demo";

pub fn id(s: &str) -> Id {
    Id::new(s).expect("id")
}

/// An instant fixed for the run, so two backends can be compared value for value: 01:00 UTC
/// yesterday, recent enough that a restart keeps it live (days are frozen only once past
/// the late-scan window).
pub fn at(minute: i64) -> Time {
    static BASE: std::sync::OnceLock<Time> = std::sync::OnceLock::new();
    let base = *BASE.get_or_init(|| {
        let yesterday = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
        let day = yesterday.to_zoned(jiff::tz::TimeZone::UTC).date();
        day.at(1, 0, 0, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .expect("a UTC time")
            .timestamp()
    });
    base + jiff::SignedDuration::from_mins(minute)
}

pub fn event(scanner: &str, seq: u64, ts: Time, badge: &str, kind: EventKind) -> Event {
    Event {
        key: EventKey {
            ts,
            scanner: id(scanner),
            seq,
        },
        badge: id(badge),
        kind,
    }
}

/// The payload of an event as its canonical (sorted-keys) text, with `extra` making two
/// scans of one seq differ in content.
pub fn canonical(e: &Event, extra: &str) -> String {
    format!(
        r#"{{"action":"{}","badge":"{}","extra":"{extra}","seq":{},"ts":"{}","v":1}}"#,
        e.kind.action().as_str(),
        e.badge,
        e.key.seq,
        e.key.ts
    )
}

/// An accepted first scan of `e`.
pub fn accepted(e: &Event, extra: &str) -> ScanRecord {
    let canonical = canonical(e, extra);
    ScanRecord {
        site: id(SITE),
        scanner: e.key.scanner.clone(),
        seq: Some(e.key.seq),
        first_of_seq: true,
        received_at: e.key.ts + jiff::SignedDuration::from_secs(1),
        decision: Decision::Accepted {
            event: e.clone(),
            warning: None,
        },
        size: canonical.len(),
        raw: canonical.clone().into_bytes(),
        canonical: Some(canonical),
        reply: Reply::accepted(e.key.seq, &format!("ok {extra}")),
    }
}

/// A rejected scan with these raw bytes.
pub fn rejected(scanner: &str, seq: Option<u64>, code: RejectCode, raw: &[u8]) -> ScanRecord {
    ScanRecord {
        site: id(SITE),
        scanner: id(scanner),
        seq,
        first_of_seq: seq.is_some(),
        received_at: at(0),
        decision: Decision::Rejected {
            code,
            detail: format!("{} bytes", raw.len()),
        },
        canonical: None,
        size: raw.len(),
        raw: raw.to_vec(),
        reply: Reply::rejected(seq, code, code.as_str()),
    }
}

pub fn shift_start(scanner: &str, seq: u64, badge: &str) -> Event {
    event(scanner, seq, at(seq as i64), badge, EventKind::ShiftStart)
}

pub fn job_card(job: &str, title: &str) -> JobCard {
    serde_json::from_value(serde_json::json!({
        "job": job,
        "plate": "粤B12345",
        "ops": [{"op": "10", "title": title, "std_hours": 1.5}],
    }))
    .expect("job card")
}

/// The site's stored events in timeline order.
pub async fn sorted_events(store: &Store) -> Vec<bayline_domain::Event> {
    let mut events = store.events(&id(SITE)).await.unwrap();
    events.sort_by_key(|e| (e.key.ts, e.key.scanner.clone(), e.key.seq));
    events
}

/// The site's first scans by (scanner, seq).
pub async fn sorted_seen(store: &Store) -> Vec<bayline_store::SeenRow> {
    let mut seen = store.seen(&id(SITE)).await.unwrap();
    seen.sort_by_key(|s| (s.scanner.clone(), s.seq));
    seen
}
