//! From the raw file to a [`SiteConfig`]: every id checked and unique, every choice one of
//! its values, the time zone and opening hours resolved; each error at its line.

use std::collections::HashSet;

use bayline_proto::{Id, Language};
use jiff::tz::TimeZone;
use serde::Deserialize;
use toml::Spanned;

use super::raw::RawFile;
use super::{Bay, Display, Scanner, SiteConfig, Staff, Token};
use crate::hours::{parse_span, OpeningHours};
use crate::ConfigError;

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

pub(super) struct Parser<'a> {
    pub file: &'a str,
    pub text: &'a str,
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

    pub(super) fn build(&self, raw: RawFile) -> Result<SiteConfig, ConfigError> {
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
        let lounge_stale_days = match &site.lounge_stale_days {
            None => 7,
            Some(d) if *d.get_ref() == 0 => return Err(self.err(
                d,
                "lounge_stale_days is 0: every car would leave the lounge at once (use 1 or more)",
            )),
            Some(d) => *d.get_ref(),
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
            lounge_stale_days,
            bays,
            staff,
            scanners,
            displays,
            tokens,
        })
    }
}
