//! The typed site configuration: what a site is made of, and how it is read.
//!
//! - `raw`: the file as TOML has it, places kept for messages;
//! - `parser`: the raw file checked into a [`SiteConfig`].

use std::collections::BTreeMap;
use std::path::Path;

use bayline_domain::{BayKind, Catalog, DayHours, Planned, Role, Schedule, Settings};
use bayline_proto::{Id, Language};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::hours::OpeningHours;
use crate::ConfigError;
use parser::Parser;
use raw::RawFile;

mod parser;
mod raw;

/// One site, ready to use: every id checked, the time zone resolved.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// Where it was read from, for messages.
    pub source: String,
    pub id: Id,
    pub name: String,
    pub time_zone: TimeZone,
    pub time_zone_name: String,
    pub language: Language,
    pub opening_hours: OpeningHours,
    /// Closed days (contract §7.2 `[site] holidays`).
    pub holidays: Vec<Date>,
    /// Days with hours of their own (`[site.special_hours]`).
    pub special_hours: BTreeMap<Date, DayHours>,
    /// Minutes before the promised time a job not ready is at risk (§7.2, default 30).
    pub at_risk_min: u32,
    /// Contract §4 "Forgotten clock-offs".
    pub auto_clock_off_grace_min: u32,
    /// Days a car may stand without an event before it leaves the lounge (default 7).
    pub lounge_stale_days: u32,
    /// A car checked in this many days after an earlier delivery of its plate is a comeback
    /// (§7.6, default 30).
    pub comeback_days: u32,
    pub bays: Vec<Bay>,
    pub staff: Vec<Staff>,
    pub absences: Vec<Absence>,
    pub scanners: Vec<Scanner>,
    pub displays: Vec<Display>,
    pub tokens: Vec<Token>,
    /// Where customers reach this server (`[site] public_url`), without a trailing `/`: the
    /// start of a status link; `None`: the address the advisor's request came to.
    pub public_url: Option<String>,
    /// Receivers of the site's events (contract §7.5 `[[webhooks]]`).
    pub webhooks: Vec<Webhook>,
    /// The site's own pause reasons (§7.6 `[[pause_reasons]]`).
    pub pause_reasons: bayline_domain::Reasons,
}

/// What a webhook is told of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HookEvent {
    /// A job moved to another stage.
    Stage,
    /// A job's `at_risk` changed.
    AtRisk,
    /// An approval request was opened or answered.
    Approval,
    /// A job reached `ready`.
    Ready,
}

impl HookEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            HookEvent::Stage => "stage",
            HookEvent::AtRisk => "at_risk",
            HookEvent::Approval => "approval",
            HookEvent::Ready => "ready",
        }
    }
}

/// A receiver of events: each is POSTed as JSON signed with HMAC-SHA256 of `secret`.
#[derive(Clone, PartialEq)]
pub struct Webhook {
    pub url: String,
    pub secret: String,
    pub events: Vec<HookEvent>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bay {
    pub id: Id,
    pub name: String,
    pub kind: BayKind,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Staff {
    pub badge: Id,
    pub name: String,
    pub role: Role,
    /// Planned hours (§7.2); `None`: the opening hours.
    pub hours: Option<OpeningHours>,
    pub team: Option<String>,
}

/// A badge away on the local days `from..=to` (`[[absences]]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Absence {
    pub badge: Id,
    pub from: Date,
    pub to: Date,
}

/// A handheld: MQTT username = id, password = secret.
#[derive(Clone, PartialEq)]
pub struct Scanner {
    pub id: Id,
    pub secret: String,
}

/// A board panel: may only subscribe to `bayline/{site}/boards/#`.
#[derive(Clone, PartialEq)]
pub struct Display {
    pub id: Id,
    pub secret: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenRole {
    Manager,
    Advisor,
    Integration,
}

#[derive(Clone, PartialEq)]
pub struct Token {
    pub token: String,
    pub role: TokenRole,
    /// The staff member who holds it (`badge = "A01"`): an advisor's "my cars" are the
    /// cards whose `advisor` is this badge or its name.
    pub badge: Option<Id>,
    /// The person holding it (`name = "王经理"`): who a job-card version names (contract
    /// §7.6); without it the history names the token by role and fingerprint.
    pub name: Option<String>,
}

// Secrets never reach a log line through Debug.
macro_rules! redacted_debug {
    ($t:ty, $id:ident) => {
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($t))
                    .field(stringify!($id), &self.$id)
                    .finish_non_exhaustive()
            }
        }
    };
}
redacted_debug!(Scanner, id);
redacted_debug!(Display, id);
redacted_debug!(Token, role);
redacted_debug!(Webhook, url);

impl SiteConfig {
    /// Reads and parses a site file.
    pub fn load(path: &Path) -> Result<SiteConfig, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: file.clone(),
            line: 0,
            message: format!("cannot read the site file: {e}"),
        })?;
        SiteConfig::parse(&file, &text)
    }

    /// The demo site shipped with bayline.
    pub fn demo() -> SiteConfig {
        // The demo file is part of the build and covered by a test, so it always parses.
        SiteConfig::parse(crate::DEMO_SITE_NAME, crate::DEMO_SITE)
            .unwrap_or_else(|e| panic!("the built-in demo site is broken: {e}"))
    }

    /// Parses the text of a site file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<SiteConfig, ConfigError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            ConfigError::at(
                file,
                text,
                e.span().map(|s| s.start),
                e.message().trim().to_string(),
            )
        })?;
        Parser { file, text }.build(raw)
    }

    /// What the domain needs to know about this site before any scan.
    pub fn catalog(&self) -> Catalog {
        Catalog {
            bays: self.bays.iter().map(|b| (b.id.clone(), b.kind)).collect(),
            badges: self
                .staff
                .iter()
                .map(|s| (s.badge.clone(), s.role))
                .collect(),
            pause_reasons: self.pause_reasons.clone(),
            ..Catalog::default()
        }
    }

    /// The site's calendar: opening hours, holidays and special days in its time zone.
    pub fn schedule(&self) -> Schedule {
        let mut s = Schedule::new(self.opening_hours.clone(), self.time_zone.clone());
        s.exceptions = (self.special_hours.clone().into_iter())
            .chain(self.holidays.iter().map(|d| (*d, DayHours::CLOSED)))
            .collect();
        s
    }

    /// Each badge's planned hours, team and absences, for those that have any.
    pub fn roster(&self) -> BTreeMap<Id, Planned> {
        (self.staff.iter())
            .map(|s| {
                let planned = Planned {
                    hours: s.hours.clone(),
                    team: s.team.clone(),
                    absences: (self.absences.iter())
                        .filter(|a| a.badge == s.badge)
                        .map(|a| (a.from, a.to))
                        .collect(),
                };
                (s.badge.clone(), planned)
            })
            .filter(|(_, p)| *p != Planned::default())
            .collect()
    }

    /// The domain's settings for this site: its calendar, roster, at-risk warning and
    /// clock-off grace from the file, the rest at their defaults.
    pub fn settings(&self) -> Settings {
        Settings {
            schedule: self.schedule(),
            roster: self.roster(),
            at_risk: jiff::SignedDuration::from_mins(i64::from(self.at_risk_min)),
            auto_clock_off_grace: jiff::SignedDuration::from_mins(i64::from(
                self.auto_clock_off_grace_min,
            )),
            lounge_stale: jiff::SignedDuration::from_hours(24 * i64::from(self.lounge_stale_days)),
            comeback_within: jiff::SignedDuration::from_hours(24 * i64::from(self.comeback_days)),
            ..Settings::default()
        }
    }

    pub fn scanner(&self, id: &str) -> Option<&Scanner> {
        self.scanners.iter().find(|s| s.id.as_str() == id)
    }

    pub fn display(&self, id: &str) -> Option<&Display> {
        self.displays.iter().find(|d| d.id.as_str() == id)
    }
}

#[cfg(test)]
mod tests;
