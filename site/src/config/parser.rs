//! From the raw file to a [`SiteConfig`]: every id checked and unique, every choice one of
//! its values, the time zone and opening hours resolved; each error at its line.

use std::collections::{BTreeMap, HashSet};

use bayline_proto::{Id, Language};
use jiff::tz::TimeZone;
use serde::Deserialize;
use toml::Spanned;

use bayline_domain::schedule::MAX_ABSENCE_DAYS;
use bayline_domain::DayHours;
use jiff::civil::Date;

use super::raw::{RawAbsence, RawFile, RawWebhook};
use super::{Absence, Bay, Display, HookEvent, Scanner, SiteConfig, Staff, Token, Webhook};
use crate::hours::{parse_date, parse_day, OpeningHours};
use crate::ConfigError;

/// Longest `[[tokens]] name`: a person's name, not a paragraph.
const MAX_PERSON: usize = 60;

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

mod reasons;

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

    /// A person's name as an audit trail shows it: one line of readable text, so that a
    /// history row cannot be blank or spoofed with control characters.
    fn person(&self, what: &str, s: &Spanned<String>) -> Result<String, ConfigError> {
        let name = s.get_ref().trim();
        if name.is_empty() {
            return Err(self.err(s, format!("{what} is empty")));
        }
        if name.chars().count() > MAX_PERSON {
            return Err(self.err(s, format!("{what} is longer than {MAX_PERSON} characters")));
        }
        if name.chars().any(char::is_control) {
            return Err(self.err(s, format!("{what} {name:?} holds a control character")));
        }
        Ok(name.to_string())
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

    /// A week of hours from its `mon … sun` table; days not listed are closed.
    fn week(
        &self,
        what: &str,
        table: &BTreeMap<String, Spanned<String>>,
    ) -> Result<OpeningHours, ConfigError> {
        let mut hours = OpeningHours::CLOSED;
        for (day, span) in table {
            let i = WEEKDAYS.iter().position(|d| d == day).ok_or_else(|| {
                self.err(
                    span,
                    format!("{what} key {day:?} is not a weekday (mon … sun)"),
                )
            })?;
            hours.0[i] = parse_day(span.get_ref()).map_err(|m| self.err(span, m))?;
        }
        Ok(hours)
    }

    fn date(&self, what: &str, s: &Spanned<String>) -> Result<Date, ConfigError> {
        parse_date(what, s.get_ref()).map_err(|m| self.err(s, m))
    }

    /// Holidays and special days: each date once, in one of the two lists.
    fn exceptions(
        &self,
        holidays: &[Spanned<String>],
        special: &BTreeMap<String, Spanned<String>>,
    ) -> Result<(Vec<Date>, BTreeMap<Date, DayHours>), ConfigError> {
        let mut days = Vec::new();
        for h in holidays {
            let d = self.date("holiday", h)?;
            if days.contains(&d) {
                return Err(self.err(h, format!("holiday {d} is listed twice")));
            }
            days.push(d);
        }
        let mut hours = BTreeMap::new();
        for (date, span) in special {
            let d = parse_date("special_hours key", date).map_err(|m| self.err(span, m))?;
            if days.contains(&d) {
                return Err(self.err(
                    span,
                    format!("{d} is both a holiday and a day with special_hours"),
                ));
            }
            hours.insert(d, parse_day(span.get_ref()).map_err(|m| self.err(span, m))?);
        }
        Ok((days, hours))
    }

    fn absence(&self, a: &RawAbsence, staff: &[Staff]) -> Result<Absence, ConfigError> {
        let badge = self.id("absence badge", &a.badge)?;
        if !staff.iter().any(|s| s.badge == badge) {
            return Err(self.err(
                &a.badge,
                format!("absence of badge {badge}, which is not in [[staff]]"),
            ));
        }
        let (from, to) = (
            self.date("absence from", &a.from)?,
            self.date("absence to", &a.to)?,
        );
        if to < from {
            return Err(self.err(
                &a.to,
                format!("absence ends ({to}) before it begins ({from})"),
            ));
        }
        if (to - from).get_days() >= MAX_ABSENCE_DAYS {
            return Err(self.err(
                &a.to,
                format!("absence from {from} to {to} is longer than {MAX_ABSENCE_DAYS} days"),
            ));
        }
        Ok(Absence { badge, from, to })
    }

    /// An `http://` or `https://` URL, without a trailing `/`.
    fn http_url(&self, what: &str, s: &Spanned<String>) -> Result<String, ConfigError> {
        let text = s.get_ref().trim().trim_end_matches('/');
        let parsed = url::Url::parse(text)
            .map_err(|e| self.err(s, format!("{what} {:?} is not a URL: {e}", s.get_ref())))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(self.err(
                s,
                format!("{what} {:?} is not an http:// or https:// URL", s.get_ref()),
            ));
        }
        Ok(text.to_string())
    }

    fn webhook(&self, h: &RawWebhook) -> Result<Webhook, ConfigError> {
        let url = self.http_url("webhook url", &h.url)?;
        if h.secret.get_ref().len() < 16 {
            return Err(self.err(&h.secret, "webhook secret is shorter than 16 characters"));
        }
        if h.events.get_ref().is_empty() {
            return Err(self.err(
                &h.events,
                "webhook events is empty: list some of stage, at_risk, approval, ready",
            ));
        }
        let mut events = Vec::new();
        for e in h.events.get_ref() {
            let event: HookEvent =
                self.choice("webhook event", e, "stage, at_risk, approval, ready")?;
            if events.contains(&event) {
                return Err(self.err(
                    e,
                    format!("webhook event {} is listed twice", event.as_str()),
                ));
            }
            events.push(event);
        }
        Ok(Webhook {
            url,
            secret: h.secret.get_ref().clone(),
            events,
        })
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
        let comeback_days = match &site.comeback_days {
            None => 30,
            Some(d) if *d.get_ref() == 0 || *d.get_ref() > 3650 => {
                return Err(self.err(
                    d,
                    format!(
                        "comeback_days is {}: use 1 to 3650 (a car back within that many days of its delivery is a comeback)",
                        d.get_ref()
                    ),
                ))
            }
            Some(d) => *d.get_ref(),
        };
        // Days the table does not list are closed, like days listed as "".
        let hours = self.week("opening_hours", &site.opening_hours)?;
        let (holidays, special_hours) = self.exceptions(&site.holidays, &site.special_hours)?;

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
                    hours: (s.hours.as_ref())
                        .map(|h| self.week("hours", h))
                        .transpose()?,
                    team: s
                        .team
                        .as_ref()
                        .map(|t| t.trim().to_string())
                        .filter(|t| !t.is_empty()),
                })
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;
        let absences = (raw.absences.iter())
            .map(|a| self.absence(a, &staff))
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
                let badge = match &t.badge {
                    None => None,
                    Some(b) => {
                        let badge = self.id("token badge", b)?;
                        if !staff.iter().any(|s| s.badge == badge) {
                            return Err(self.err(
                                b,
                                format!("token of badge {badge}, which is not in [[staff]]"),
                            ));
                        }
                        Some(badge)
                    }
                };
                let name = match &t.name {
                    None => None,
                    Some(n) => Some(self.person("token name", n)?),
                };
                Ok(Token {
                    token: t.token.get_ref().clone(),
                    role: self.choice("token role", &t.role, "manager, advisor, integration")?,
                    badge,
                    name,
                })
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;

        let public_url = match &site.public_url {
            None => None,
            Some(u) => Some(self.http_url("public_url", u)?),
        };
        let webhooks = (raw.webhooks.iter())
            .map(|h| self.webhook(h))
            .collect::<Result<Vec<_>, ConfigError>>()?;

        let pause_reasons = self.pause_reasons(&raw.pause_reasons)?;

        Ok(SiteConfig {
            pause_reasons,
            public_url,
            webhooks,
            source: self.file.to_string(),
            id,
            name: site.name,
            time_zone_name: site.time_zone.into_inner(),
            time_zone,
            language,
            opening_hours: hours,
            holidays,
            special_hours,
            at_risk_min: site.at_risk_min.unwrap_or(30),
            auto_clock_off_grace_min: site.auto_clock_off_grace_min.unwrap_or(60),
            lounge_stale_days,
            comeback_days,
            bays,
            staff,
            absences,
            scanners,
            displays,
            tokens,
        })
    }
}
