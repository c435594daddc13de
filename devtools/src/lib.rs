//! bayline's development tools, kept out of the product's binary crate. The `bayline` binary
//! still offers them as `bayline simulate`, `bayline bench` and `bayline up --demo`: its
//! command line takes their arguments from here and calls in.
//!
//! Both tools drive bayline only from the outside, as handhelds and an advisor would: MQTT
//! with each handheld's own credentials, the HTTP API with the site's tokens, and for the
//! bench the `bayline` binary itself as child processes. So this crate depends on the
//! libraries that define the interface (proto, site, gateway's broker URL), never on the
//! binary crate.
//!
//! # Layout
//! - [`simulate`]: `bayline simulate` and `up --demo`: workshop days played as real handhelds.
//! - [`bench`]: `bayline bench`: scans/s and latencies, against the bare broker's echo.
pub mod bench;
pub mod simulate;
