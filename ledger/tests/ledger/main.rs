//! The ledger's tests, each on SQLite (a file in a temp dir) and on PostgreSQL (a fresh
//! database on the server `BAYLINE_TEST_POSTGRES` names; skipped without it, failing under
//! `CI=true`), with the store tests' databases and scan builders.

#[macro_use]
#[path = "../../../store/tests/backends/support/mod.rs"]
mod support;
mod customer;
mod history;
mod promises;
mod scans;

use bayline_domain::decode::Decoded;
use bayline_domain::Event;
use bayline_ledger::{Editor, Incoming};

/// A well-formed scan of `e` as it comes off the broker.
pub fn incoming(e: &Event, extra: &str) -> Incoming {
    let canonical = support::scans::canonical(e, extra);
    Incoming {
        site: support::scans::id(support::scans::SITE),
        scanner: e.key.scanner.clone(),
        received_at: e.key.ts,
        size: canonical.len(),
        raw: canonical.clone().into_bytes(),
        decoded: Decoded {
            seq: Some(e.key.seq),
            canonical: Some(canonical),
            result: Ok(e.clone()),
        },
    }
}

/// A manager putting cards, as the DMS's integration would with a manager token.
pub fn manager() -> Editor {
    Editor {
        who: "Wang".to_string(),
        manager: true,
    }
}
