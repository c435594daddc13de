//! Durable storage for bayline: the backends and the rows they keep.
//!
//! Every scan that reaches a gateway is stored before it is answered; the accepted ones are
//! the event log the domain state is folded from, so a restart rebuilds exactly the state it
//! had. Two backends, chosen by the URL, with the same behaviour: SQLite (WAL,
//! `synchronous=FULL`), the default, and PostgreSQL (`synchronous_commit=on`), which several
//! gateways may share. Either way an acknowledged scan is on disk.
//!
//! # Layout
//! - [`record`]: what is written: scan records, and their mapping to domain events.
//! - [`store`]: [`Store`], the backend a URL names, and the rows it returns; [`Backend`], the
//!   trait both backends implement.
//! - `backend`: the backends and what they share: `backend/sqlite.rs` (one writer
//!   connection, read-only pool), `backend/postgres.rs`, the multi-row insert and row types
//!   in `backend/mod.rs`. Migrations per dialect in `migrations/{sqlite,postgres}/`.
//! - `backend/versions.rs`: job-card versions (contract §7.6), kept with the card.
//! - `backend/customer.rs`: customer status links and approval requests (contract §7.5);
//!   `backend/outbox.rs`: the webhook outbox; `backend/claims.rs`: the `at_risk` state
//!   receivers were told and the receivers' delivery leases (`store/claims.rs` forwards).
//! - [`notice`]: what a process tells the others on one PostgreSQL database (`NOTIFY`), and
//!   `backend/postgres/listen.rs`, the `LISTEN` side.
//! - [`error`]: the store's error type.
mod backend;
pub mod error;
pub mod notice;
pub mod record;
pub mod store;

pub use backend::claims::AtRiskTold;
pub use backend::customer::{Approval, ApprovalItem, ItemAnswer, Link};
pub use backend::history::Checkpoint;
pub use backend::outbox::{Outgoing, Queued};
pub use backend::outcomes::OutcomeDetail;
pub use backend::postgres::Listener;
pub use backend::versions::{Edit, JobVersion, LateEdit};
pub use backend::{Backend, StoredScan};
pub use error::StoreError;
pub use notice::Notice;
pub use record::{Decision, ScanRecord};
pub use store::{Committed, RejectedRow, SeenRow, Store, Taken};
