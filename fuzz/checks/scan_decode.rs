//! What must hold for any payload that arrives on a scan topic. Shared by the fuzz target
//! `scan_decode` and the stable replay of its corpus in `tests/e2e/corpus/fuzz_replay.rs`.

use std::sync::OnceLock;

use bayline_domain::decode::decode;
use bayline_domain::Judgement;
use bayline_proto::reply::MAX_MSG_CHARS;
use bayline_proto::scan::MAX_SCAN_BYTES;
use bayline_proto::{Id, RejectCode, WarningCode};
use bayline_site::reply::reply_for;
use bayline_site::SiteConfig;

/// The instant every payload is judged at; corpus seeds carry times around it.
pub const NOW: &str = "2026-11-22T01:00:00Z";

/// The demo site in both languages, parsed once.
fn sites() -> &'static [SiteConfig; 2] {
    static SITES: OnceLock<[SiteConfig; 2]> = OnceLock::new();
    SITES.get_or_init(|| {
        let en = bayline_site::DEMO_SITE.replacen("language = \"zh\"", "language = \"en\"", 1);
        let en = SiteConfig::parse("demo-en.toml", &en).expect("the demo site in English");
        [SiteConfig::demo(), en]
    })
}

/// Decodes `payload` as scanner HH-01 would have sent it at [`NOW`] and checks the verdict:
/// no panic, an oversized payload is refused unread, an accepted scan carries its seq and
/// canonical text, the canonical text decodes to the same verdict, and the handheld's reply
/// fits its screen in both languages.
pub fn scan_decode(payload: &[u8]) {
    let scanner = Id::new("HH-01").expect("a valid scanner id");
    let now: jiff::Timestamp = NOW.parse().expect("a valid time");
    let d = decode(payload, &scanner, now);
    if payload.len() > MAX_SCAN_BYTES {
        assert!(
            matches!(d.result, Err((RejectCode::TooLarge, _))),
            "{:?}",
            d.result
        );
        assert_eq!((d.seq, &d.canonical), (None, &None));
    } else {
        match &d.result {
            Ok(event) => {
                assert_eq!(Some(event.key.seq), d.seq);
                assert_eq!(event.key.scanner, scanner);
                assert!(d.canonical.is_some());
            }
            Err((code, _)) => assert_ne!(*code, RejectCode::TooLarge),
        }
        // A handheld resending the scan with its keys in another order, or re-serialised,
        // must get the same verdict: the canonical text is what a repeat is compared by.
        if let Some(c) = d.canonical.as_deref().filter(|c| c.len() <= MAX_SCAN_BYTES) {
            let again = decode(c.as_bytes(), &scanner, now);
            assert_eq!(again.seq, d.seq, "canonical {c}");
            assert_eq!(again.result, d.result, "canonical {c}");
        }
    }
    for site in sites() {
        let replies = match &d.result {
            Err((code, detail)) => vec![reply_for(
                site,
                &Judgement::Rejected {
                    seq: d.seq,
                    code: *code,
                    detail,
                },
            )],
            Ok(event) => [None]
                .into_iter()
                .chain(WarningCode::ALL.iter().copied().map(Some))
                .map(|warning| {
                    reply_for(
                        site,
                        &Judgement::Accepted {
                            event,
                            warning,
                            bay: event.kind.bay().cloned(),
                            first_assigned: None,
                        },
                    )
                })
                .collect(),
        };
        for r in replies {
            assert_eq!(r.seq, d.seq);
            assert_eq!(r.ok, d.result.is_ok());
            assert!(
                !r.msg.is_empty() && r.msg.chars().count() <= MAX_MSG_CHARS,
                "{r:?}"
            );
        }
    }
}
