//! The site file as TOML has it: every field as written, with its place in the file kept
//! for error messages. `parser` turns it into a checked `SiteConfig`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    pub site: RawSite,
    #[serde(default)]
    pub bays: Vec<RawBay>,
    #[serde(default)]
    pub staff: Vec<RawStaff>,
    #[serde(default)]
    pub scanners: Vec<RawSecret>,
    #[serde(default)]
    pub displays: Vec<RawSecret>,
    #[serde(default)]
    pub tokens: Vec<RawToken>,
    #[serde(default)]
    pub absences: Vec<RawAbsence>,
    #[serde(default)]
    pub webhooks: Vec<RawWebhook>,
    #[serde(default)]
    pub pause_reasons: Vec<RawPauseReason>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSite {
    pub id: Spanned<String>,
    pub name: String,
    pub time_zone: Spanned<String>,
    #[serde(default)]
    pub language: Option<Spanned<String>>,
    #[serde(default)]
    pub opening_hours: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub auto_clock_off_grace_min: Option<u32>,
    #[serde(default)]
    pub lounge_stale_days: Option<Spanned<u32>>,
    #[serde(default)]
    pub comeback_days: Option<Spanned<u32>>,
    #[serde(default)]
    pub at_risk_min: Option<u32>,
    #[serde(default)]
    pub holidays: Vec<Spanned<String>>,
    /// Date → that day's hours.
    #[serde(default)]
    pub special_hours: BTreeMap<String, Spanned<String>>,
    /// Where customers reach this server: the start of a status link (§7.5).
    #[serde(default)]
    pub public_url: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBay {
    pub id: Spanned<String>,
    #[serde(default)]
    pub name: String,
    pub kind: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStaff {
    pub badge: Spanned<String>,
    #[serde(default)]
    pub name: String,
    pub role: Spanned<String>,
    /// Weekday → planned hours; absent: the opening hours.
    #[serde(default)]
    pub hours: Option<BTreeMap<String, Spanned<String>>>,
    #[serde(default)]
    pub team: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAbsence {
    pub badge: Spanned<String>,
    pub from: Spanned<String>,
    pub to: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSecret {
    pub id: Spanned<String>,
    pub secret: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawToken {
    pub token: Spanned<String>,
    pub role: Spanned<String>,
    pub badge: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWebhook {
    pub url: Spanned<String>,
    pub secret: Spanned<String>,
    pub events: Spanned<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPauseReason {
    pub id: Spanned<String>,
    pub label_zh: Spanned<String>,
    pub label_en: Spanned<String>,
    pub category: Spanned<String>,
}
