//! Security (without TLS): who may call what, how much a body may weigh, that no
//! secret leaves the process, and that the public boards name nobody.
//!
//! - [`table`]: every HTTP endpoint × every role → the expected answer, as data;
//! - [`roles`]: the table driven against a running system (bearer header and session cookie),
//!   and the guard that fails when the OpenAPI document or the router has an endpoint the
//!   table lacks;
//! - [`limits`]: a body over the limit on every write endpoint is 413 in the §5 format and
//!   changes nothing; a body at the limit is taken;
//! - [`secrets`]: the real binary at `RUST_LOG=trace` with JSON logs: no scanner secret,
//!   display secret, service password or API token in its output, its database or its answers;
//!   and the command line repeats no broker or database password (bad URL, `--help`);
//! - [`logins`]: a refused MQTT login is logged once, with who, from where and why;
//! - [`markup`]: HTML in every text a caller controls (job cards, scans, corrections, query
//!   strings) is shown escaped on every page, never run;
//! - [`privacy`]: a simulated workshop day, then the lounge feed, page and boards (MQTT models
//!   and PNG previews) checked for full plates and people's names;
//! - [`system`]: starting the system for these tests (two sites, so a token of the other
//!   site can be tried), and the requests they share.

mod limits;
mod logins;
mod markup;
mod privacy;
mod roles;
mod secrets;
mod system;
mod table;
