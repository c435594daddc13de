//! The small parts of the board models.

use core::fmt;

use heapless::String as Text;
use serde::{Deserialize, Serialize};

use super::MAX_PLATE_BYTES;
use crate::Language;

/// A time of day as minutes since midnight, shown `HH:MM`. Also counts whole days past today
/// (`days()`) so an ETA of tomorrow fits in the same two bytes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Clock(pub u16);

impl Clock {
    pub const MINUTES_PER_DAY: u16 = 24 * 60;

    /// `days` after today at `hour:minute`; `None` when out of range.
    pub fn at(days: u16, hour: u16, minute: u16) -> Option<Clock> {
        if hour >= 24 || minute >= 60 {
            return None;
        }
        days.checked_mul(Self::MINUTES_PER_DAY)
            .and_then(|d| d.checked_add(hour * 60 + minute))
            .map(Clock)
    }
    /// Whole days after today (0 = today).
    pub fn days(self) -> u16 {
        self.0 / Self::MINUTES_PER_DAY
    }
    pub fn hour(self) -> u16 {
        self.0 % Self::MINUTES_PER_DAY / 60
    }
    pub fn minute(self) -> u16 {
        self.0 % 60
    }
}

/// `HH:MM` of the day (days are the display's to show).
impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

/// A plate with its middle hidden (contract §5): `粤B12345` → `粤B***45`. The only way to
/// build one from a full plate is [`MaskedPlate::mask`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct MaskedPlate(Text<MAX_PLATE_BYTES>);

impl MaskedPlate {
    /// Keeps the first two and the last two characters and replaces the rest with `*`. A
    /// plate of four characters or fewer keeps at most its first two and always hides its
    /// last, so a short plate is never shown whole. Cut at 16 bytes, which no real plate
    /// reaches.
    pub fn mask(plate: &str) -> MaskedPlate {
        let plate = plate.trim();
        let n = plate.chars().count();
        let head = if n > 4 { 2 } else { 2.min(n.saturating_sub(1)) };
        let mut out = Text::new();
        for (i, c) in plate.chars().enumerate() {
            let shown = i < head || (n > 4 && i + 2 >= n);
            let c = if shown { c } else { '*' };
            if out.push(c).is_err() {
                break;
            }
        }
        MaskedPlate(out)
    }
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// A job's stage (contract §4 "Stages"). Postcard encodes the variant index, JSON the
/// snake_case name; new stages go at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Stage {
    Booked,
    CheckedIn,
    InProgress,
    WaitingParts,
    WaitingApproval,
    QualityCheck,
    Washing,
    Ready,
    Delivered,
}

impl Stage {
    pub const ALL: [Stage; 9] = [
        Stage::Booked,
        Stage::CheckedIn,
        Stage::InProgress,
        Stage::WaitingParts,
        Stage::WaitingApproval,
        Stage::QualityCheck,
        Stage::Washing,
        Stage::Ready,
        Stage::Delivered,
    ];

    /// The name in the API (`?stage=` and JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Booked => "booked",
            Stage::CheckedIn => "checked_in",
            Stage::InProgress => "in_progress",
            Stage::WaitingParts => "waiting_parts",
            Stage::WaitingApproval => "waiting_approval",
            Stage::QualityCheck => "quality_check",
            Stage::Washing => "washing",
            Stage::Ready => "ready",
            Stage::Delivered => "delivered",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The words a customer reads on the lounge board.
    pub fn label(self, language: Language) -> &'static str {
        use Language::{En, Zh};
        match (self, language) {
            (Stage::Booked, Zh) => "已预约",
            (Stage::CheckedIn, Zh) => "接车",
            (Stage::InProgress, Zh) => "维修中",
            (Stage::WaitingParts, Zh) => "等待配件",
            (Stage::WaitingApproval, Zh) => "等待确认",
            (Stage::QualityCheck, Zh) => "质检中",
            (Stage::Washing, Zh) => "洗车中",
            (Stage::Ready, Zh) => "可取车",
            (Stage::Delivered, Zh) => "已交车",
            (Stage::Booked, En) => "Booked",
            (Stage::CheckedIn, En) => "Checked in",
            (Stage::InProgress, En) => "In repair",
            (Stage::WaitingParts, En) => "Waiting for parts",
            (Stage::WaitingApproval, En) => "Waiting for approval",
            (Stage::QualityCheck, En) => "Quality check",
            (Stage::Washing, En) => "Washing",
            (Stage::Ready, En) => "Ready for pickup",
            (Stage::Delivered, En) => "Delivered",
        }
    }
}

/// A bay's state (contract §4 "Bays").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BayState {
    Idle,
    Working,
    Blocked,
}

/// Where a model stands among the pages of its board. A board with more cars or bays than
/// one model holds is published as several models, page `index` of `count` (counted from
/// 0); `total` counts the cars or bays of all pages, so a display can number the screens it
/// makes of them. A board that fits is page 0 of 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Page {
    pub index: u16,
    pub count: u16,
    pub total: u16,
}

impl Default for Page {
    fn default() -> Page {
        Page {
            index: 0,
            count: 1,
            total: 0,
        }
    }
}

impl Page {
    /// The topic suffix of this page: page 0 is the board itself, page 2 of the lounge is
    /// `lounge/3` (numbered from 1 like the "3/5" mark), so a display that subscribes to
    /// `{board}/#` gets every page.
    pub fn number(self) -> u16 {
        self.index + 1
    }
}
