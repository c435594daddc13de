//! Site configuration (contract §2): one TOML file per site, parsed once into typed values.
//! Every error names the file, the line and what is wrong, so `bayline up` can refuse to
//! start with a message an installer can act on.
//!
//! # Layout
//! - [`config`]: the typed [`SiteConfig`] and its parser.
//! - [`hours`]: working hours (several spans a day) and dates as the file writes them.
//! - [`reply`]: what a handheld is told about its scan, in the site's language.
//! - [`error`]: [`ConfigError`], with file and line.
pub mod config;
pub mod error;
pub mod hours;
pub mod reply;

pub use config::{
    Absence, Display, HookEvent, Scanner, SiteConfig, Staff, Token, TokenRole, Webhook,
};
pub use error::ConfigError;
pub use hours::OpeningHours;

/// The demo site that ships with bayline and is used when no `--site-config` is given.
pub const DEMO_SITE: &str = include_str!("../../sites/demo.toml");
/// The name errors in the built-in demo site are reported under.
pub const DEMO_SITE_NAME: &str = "sites/demo.toml (built in)";
