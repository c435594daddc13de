//! The typed site configuration and its parser.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use bayline_domain::{BayKind, Catalog, Role, Schedule, Settings};
use bayline_proto::{Id, Language};
use jiff::tz::TimeZone;
use serde::Deserialize;
use toml::Spanned;

use crate::hours::{parse_span, OpeningHours};
use crate::ConfigError;

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
    /// Contract §4 "Forgotten clock-offs".
    pub auto_clock_off_grace_min: u32,
    pub bays: Vec<Bay>,
    pub staff: Vec<Staff>,
    pub scanners: Vec<Scanner>,
    pub displays: Vec<Display>,
    pub tokens: Vec<Token>,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    site: RawSite,
    #[serde(default)]
    bays: Vec<RawBay>,
    #[serde(default)]
    staff: Vec<RawStaff>,
    #[serde(default)]
    scanners: Vec<RawSecret>,
    #[serde(default)]
    displays: Vec<RawSecret>,
    #[serde(default)]
    tokens: Vec<RawToken>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    id: Spanned<String>,
    name: String,
    time_zone: Spanned<String>,
    #[serde(default)]
    language: Option<Spanned<String>>,
    #[serde(default)]
    opening_hours: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    auto_clock_off_grace_min: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBay {
    id: Spanned<String>,
    #[serde(default)]
    name: String,
    kind: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStaff {
    badge: Spanned<String>,
    #[serde(default)]
    name: String,
    role: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecret {
    id: Spanned<String>,
    secret: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawToken {
    token: Spanned<String>,
    role: Spanned<String>,
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

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
            jobs: BTreeMap::new(),
        }
    }

    /// The opening hours in the site's time zone.
    pub fn schedule(&self) -> Schedule {
        Schedule::new(self.opening_hours.clone(), self.time_zone.clone())
    }

    /// The domain's settings for this site: its schedule and clock-off grace from the file,
    /// the rest at their defaults.
    pub fn settings(&self) -> Settings {
        Settings {
            schedule: self.schedule(),
            auto_clock_off_grace: jiff::SignedDuration::from_mins(i64::from(
                self.auto_clock_off_grace_min,
            )),
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

struct Parser<'a> {
    file: &'a str,
    text: &'a str,
}

impl Parser<'_> {
    fn err<T>(&self, span: &Spanned<T>, message: impl Into<String>) -> ConfigError {
        ConfigError::at(self.file, self.text, Some(span.span().start), message)
    }

    fn id(&self, what: &str, s: &Spanned<String>) -> Result<Id, ConfigError> {
        Id::new(s.get_ref()).map_err(|e| self.err(s, format!("{what} {:?}: {e}", s.get_ref())))
    }

    fn unique(
        &self,
        seen: &mut HashSet<Id>,
        what: &str,
        s: &Spanned<String>,
    ) -> Result<Id, ConfigError> {
        let id = self.id(what, s)?;
        if !seen.insert(id.clone()) {
            return Err(self.err(s, format!("{what} {id} is listed twice")));
        }
        Ok(id)
    }

    fn choice<T: for<'de> Deserialize<'de>>(
        &self,
        what: &str,
        s: &Spanned<String>,
        allowed: &str,
    ) -> Result<T, ConfigError> {
        T::deserialize(toml::Value::String(s.get_ref().clone())).map_err(|_| {
            self.err(
                s,
                format!("{what} {:?} is not one of: {allowed}", s.get_ref()),
            )
        })
    }

    fn secret(&self, what: &str, s: &Spanned<String>) -> Result<String, ConfigError> {
        if s.get_ref().is_empty() {
            return Err(self.err(s, format!("{what} secret is empty")));
        }
        Ok(s.get_ref().clone())
    }

    fn build(&self, raw: RawFile) -> Result<SiteConfig, ConfigError> {
        let site = raw.site;
        let id = self.id("site id", &site.id)?;
        let time_zone = TimeZone::get(site.time_zone.get_ref()).map_err(|_| {
            self.err(
                &site.time_zone,
                format!(
                    "time_zone {:?} is not an IANA time zone (e.g. \"Asia/Shanghai\")",
                    site.time_zone.get_ref()
                ),
            )
        })?;
        let language = match &site.language {
            None => Language::Zh,
            Some(l) => Language::parse(l.get_ref()).ok_or_else(|| {
                self.err(
                    l,
                    format!("language {:?} is not one of: zh, en", l.get_ref()),
                )
            })?,
        };
        // Days the table does not list are closed, like days listed as "".
        let mut hours = OpeningHours::CLOSED;
        for (day, span) in &site.opening_hours {
            let i = WEEKDAYS.iter().position(|d| d == day).ok_or_else(|| {
                self.err(
                    span,
                    format!("opening_hours key {day:?} is not a weekday (mon … sun)"),
                )
            })?;
            hours.0[i] = parse_span(span.get_ref()).map_err(|m| self.err(span, m))?;
        }

        let mut seen = HashSet::new();
        let bays = raw
            .bays
            .iter()
            .map(|b| {
                Ok(Bay {
                    id: self.unique(&mut seen, "bay", &b.id)?,
                    name: b.name.clone(),
                    kind: self.choice(
                        "bay kind",
                        &b.kind,
                        "lift, alignment, body, paint, wash, qc, other",
                    )?,
                })
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;
        let mut seen = HashSet::new();
        let staff = raw
            .staff
            .iter()
            .map(|s| {
                Ok(Staff {
                    badge: self.unique(&mut seen, "badge", &s.badge)?,
                    name: s.name.clone(),
                    role: self.choice(
                        "role",
                        &s.role,
                        "technician, qc, washer, advisor, manager",
                    )?,
                })
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;
        // Scanners and displays share the broker's user names, so one id may not be both.
        let mut seen = HashSet::new();
        let scanners = raw
            .scanners
            .iter()
            .map(|s| {
                Ok(Scanner {
                    id: self.unique(&mut seen, "scanner", &s.id)?,
                    secret: self.secret("scanner", &s.secret)?,
                })
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;
        let displays = raw
            .displays
            .iter()
            .map(|d| {
                if raw
                    .scanners
                    .iter()
                    .any(|s| s.id.get_ref() == d.id.get_ref())
                {
                    return Err(self.err(
                        &d.id,
                        format!(
                            "display {} has the id of a scanner (scanners and displays share \
                             the broker's user names)",
                            d.id.get_ref()
                        ),
                    ));
                }
                Ok(Display {
                    id: self.unique(&mut seen, "display", &d.id)?,
                    secret: self.secret("display", &d.secret)?,
                })
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;
        let mut seen_tokens = HashSet::new();
        let tokens = raw
            .tokens
            .iter()
            .map(|t| {
                if t.token.get_ref().len() < 8 {
                    return Err(self.err(&t.token, "token is shorter than 8 characters"));
                }
                if !seen_tokens.insert(t.token.get_ref().clone()) {
                    return Err(self.err(&t.token, "token is listed twice"));
                }
                Ok(Token {
                    token: t.token.get_ref().clone(),
                    role: self.choice("token role", &t.role, "manager, advisor, integration")?,
                })
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;

        Ok(SiteConfig {
            source: self.file.to_string(),
            id,
            name: site.name,
            time_zone_name: site.time_zone.into_inner(),
            time_zone,
            language,
            opening_hours: hours,
            auto_clock_off_grace_min: site.auto_clock_off_grace_min.unwrap_or(60),
            bays,
            staff,
            scanners,
            displays,
            tokens,
        })
    }
}

#[cfg(test)]
mod tests;
