//! The `bayline` binary's library: everything `main` calls, so tests call the same code.
//!
//! # Layout
//! - [`cli`]: the command line (clap); doc comments become `--help`.
//! - [`up`]: `bayline up`: broker, gateway and server in one process, and their shutdown.
//! - [`fleet`]: `bayline gateway` and `bayline server`, the halves of `up` as processes of a
//!   fleet on PostgreSQL and an external broker.
//! - [`broker`]: the in-process MQTT broker with bayline's credentials and topic rights.
//! - [`tls`]: the built-in broker's TLS listener and its certificate files.
//! - [`https`]: HTTPS for the pages (`up --https-listen`), with the same files.
//! - [`scan`]: `bayline scan`: one scan as a handheld sends it, and its reply.
//! - [`display`]: `bayline display`: a board display on Linux, the devices' app writing PNGs.
//! - [`display_config`]: `bayline display-config`: a display device's provisioning record.
//! - [`import`]: `bayline import`: a clocking history sent to `POST …/scans/import`.
//! - [`mosquitto`]: `bayline mosquitto-config`: the same rights for an external Mosquitto.
//! - [`telemetry`]: tracing setup.
//!
//! `bayline simulate`, `bayline bench` and `up --demo` are development tools: their code is
//! the `bayline-devtools` crate, which [`cli`] calls.
pub mod broker;
pub mod cli;
pub mod display;
pub mod display_config;
pub mod fleet;
pub mod https;
pub mod import;
pub mod mosquitto;
pub mod scan;
pub mod telemetry;
pub mod tls;
pub mod up;
