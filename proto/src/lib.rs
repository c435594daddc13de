//! Wire types of bayline's public interface (`docs/protocol.md`, `docs/mqtt.md`), shared by
//! the gateway, the server, the handheld tools and the display firmware.
//!
//! `no_std` and allocation-free: ids and texts are bounded `heapless` strings, so the same
//! types compile for a microcontroller that renders boards or a handheld that sends scans.
//!
//! # Layout
//! - [`id`]: the contract's ids (1..=32 chars of `[A-Za-z0-9._-]`), validated once when built.
//! - [`scan`]: the scan a handheld publishes, its actions, pause and call reasons.
//! - [`language`]: zh | en, for replies and board labels.
//! - [`reply`]: the reply to a handheld, reject codes and warning (anomaly) codes.
//! - [`topic`]: the MQTT topic names and their parsing.
//! - [`board`]: the board models published to the displays (postcard, version byte first).
#![cfg_attr(not(feature = "std"), no_std)]

pub mod board;
pub mod id;
pub mod language;
pub mod reply;
pub mod scan;
pub mod topic;

pub use id::{Id, IdError};
pub use language::Language;
pub use reply::{RejectCode, Reply, WarningCode};
pub use scan::{Action, CallReason, PauseReason, Scan};

/// The contract version carried in every scan's `v`.
pub const CONTRACT_VERSION: u64 = 1;
