//! The bayline gateway: takes scans off the broker, validates them, stores every one (accepted
//! or rejected) through the [`Ledger`](bayline_ledger::Ledger), and answers the handheld on its
//! reply topic once the scan is durable.
//!
//! # Layout
//! - [`link`]: where the broker is and how to reach it: the broker URL (`mqtt://` or
//!   `mqtts://`) and the client options and TLS made from it.
//! - [`pipeline`]: the gateway's tasks: the one task that polls the event loop (reconnect
//!   with backoff, resubscribe), and the processor that batches scans, submits them to the
//!   ledger, publishes replies, then acks to the broker in arrival order.
//! - [`boards`]: publishes the boards as retained messages when what they show changes, from
//!   a connection and poll task of its own.
pub mod boards;
pub mod link;
pub mod pipeline;
pub mod session;

pub use link::{BrokerUrl, LinkError};
pub use pipeline::{run, GatewayOptions};
pub use session::{Session, SessionEvent, SessionOptions};
