//! Durable storage for bayline, and the live state written through it.
//!
//! Every scan that reaches a gateway is stored before it is answered; the accepted ones are
//! the event log the domain state is folded from, so a restart rebuilds exactly the state it
//! had. SQLite (WAL, `synchronous=FULL`) is the default: an acknowledged scan is on disk.
//!
//! # Layout
//! - [`record`]: what is written: scan records, and their mapping to domain events.
//! - [`sqlite`]: the SQLite store: migrations, one writer connection, batched commits.
//! - [`ledger`]: the live sites (config + domain state + seen scans) and the single write
//!   path: judge a batch in memory, commit it in one transaction, then answer.
//! - [`error`]: the store's error type.
pub mod error;
pub mod ledger;
pub mod record;
pub mod sqlite;

pub use error::StoreError;
pub use ledger::{Change, Incoming, Ledger, SiteLive};
pub use record::{Decoded, ScanRecord, Status};
pub use sqlite::Store;
