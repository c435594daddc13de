//! Board models published to the displays (contract §3.3): what to show, not pixels.
//!
//! Encoded with postcard, led by [`FORMAT_VERSION`]. Evolution is append-only: new fields go
//! at the end of a model and new variants at the end of an enum. A decoder ignores bytes after
//! the model it knows, so a model that grew at its end still decodes on an older display; an
//! incompatible change bumps [`FORMAT_VERSION`], which older displays refuse cleanly.
//!
//! A board never receives a full plate or a name: plates arrive as [`MaskedPlate`], staff as
//! badge ids. Every model carries the site language and the time it was made, so a display
//! needs no clock of its own.

//!
//! # Layout
//! - `values`: the small parts: [`Clock`], [`MaskedPlate`], [`Stage`], [`BayState`].
//! - `codec`: [`encode`] / [`decode`] and [`BoardError`].

mod codec;
#[cfg(test)]
mod tests;
mod values;

use heapless::{String, Vec};
use serde::{Deserialize, Serialize};

pub use codec::{decode, encode, BoardError};
pub use values::{BayState, Clock, MaskedPlate, Page, Stage};

use crate::{CallReason, Id, Language, PauseReason};

/// The first byte of every board message.
pub const FORMAT_VERSION: u8 = 1;

/// Rows on one page of the lounge board (the 7.5" panel shows eight); more cars make more
/// pages ([`Page`]).
pub const MAX_LOUNGE_ROWS: usize = 8;
/// Bays on one page of the workshop board; more bays make more pages ([`Page`]).
pub const MAX_WORKSHOP_BAYS: usize = 24;
/// Badges shown per bay or job; more are summed up by the display as "+n".
pub const MAX_BADGES: usize = 3;
/// Bytes of a masked plate (`粤B***45` is 10).
pub const MAX_PLATE_BYTES: usize = 16;
/// Bytes of short display texts: vehicle, op title, bay name. Send short model names.
pub const MAX_TEXT_BYTES: usize = 24;
/// Budget of an encoded 8-row lounge with typical texts.
pub const LOUNGE_BUDGET_BYTES: usize = 256;
/// Budget of an encoded 16-bay workshop with typical ids.
pub const WORKSHOP_BUDGET_BYTES: usize = 512;

/// A short display text.
pub type Text = String<MAX_TEXT_BYTES>;

/// The badges a board shows on a bay or job.
pub type Badges = Vec<Id, MAX_BADGES>;

/// `s` as a display text, cut at a character boundary when longer than [`MAX_TEXT_BYTES`]
/// (the display draws an ellipsis where a text does not fit).
pub fn text(s: &str) -> Text {
    let mut out = Text::new();
    for c in s.trim().chars() {
        if out.push(c).is_err() {
            break;
        }
    }
    out
}

/// The customer lounge: one row per vehicle in the workshop.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Lounge {
    pub language: Language,
    /// When the server made this model; shown as the board's clock.
    pub updated: Clock,
    pub rows: Vec<LoungeRow, MAX_LOUNGE_ROWS>,
    /// Which page of the lounge this is: the rows are page `index` of all the cars.
    pub page: Page,
    /// What each row's ETA cannot say by itself, in the order of `rows` (a missing mark is
    /// [`RowMark::default`]). Kept apart from the rows so that a display that knows only
    /// the rows still reads them.
    pub marks: Vec<RowMark, MAX_LOUNGE_ROWS>,
}

impl Lounge {
    /// The mark of row `i`.
    pub fn mark(&self, i: usize) -> RowMark {
        self.marks.get(i).copied().unwrap_or_default()
    }
}

/// A lounge row's promise (contract §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RowMark {
    /// Not ready, and the promised time is near or passed.
    pub at_risk: bool,
    /// Why the row has no ETA: the wait (`parts` or `approval`) with no known end.
    pub pending: Option<PauseReason>,
}

/// One vehicle on the lounge board. `stage == Ready` is what marks it ready for pickup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoungeRow {
    pub plate: MaskedPlate,
    /// Short model name, e.g. `Camry` or `雅阁`.
    pub vehicle: Text,
    pub stage: Stage,
    /// 0..=100; larger values are shown as 100.
    pub progress: u8,
    /// Expected ready time; `None` when unknown.
    pub eta: Option<Clock>,
    /// The ETA has passed the promised time.
    pub late: bool,
}

/// The workshop board: every bay at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Workshop {
    pub language: Language,
    pub updated: Clock,
    pub bays: Vec<BayRow, MAX_WORKSHOP_BAYS>,
    /// Which page of the workshop this is: the bays are page `index` of all the bays.
    pub page: Page,
    /// The open andon calls of the bays on this page (appended: an older display ignores
    /// them). An LED board blinks these bays.
    pub calls: Vec<Andon, MAX_WORKSHOP_BAYS>,
    /// The site's own labels of the pause reasons that block bays on this page (appended
    /// and kept apart from the rows, like `calls`): a display draws a bay's text instead of
    /// its [`BayRow::reason`] label.
    pub reason_texts: Vec<ReasonText, MAX_WORKSHOP_BAYS>,
}

impl Workshop {
    /// The site's label of what blocks `bay`, when the site named it.
    pub fn reason_text(&self, bay: &str) -> Option<&Text> {
        (self.reason_texts.iter())
            .find(|r| r.bay.as_str() == bay)
            .map(|r| &r.text)
    }
}

/// A site-defined pause reason's label for one blocked bay, in the site's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonText {
    pub bay: Id,
    pub text: Text,
}

/// An open andon call at a bay, as a board shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Andon {
    pub bay: Id,
    pub reason: CallReason,
    /// When it was called, local time.
    pub opened: Clock,
    /// Someone said they came.
    pub answered: bool,
}

/// One bay on the workshop board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BayRow {
    pub bay: Id,
    pub state: BayState,
    /// Why a blocked bay is blocked (the job's most recent clock-off).
    pub reason: Option<PauseReason>,
    pub job: Option<Id>,
    /// Technicians clocked on, by badge (never a name).
    pub badges: Badges,
    /// Minutes clocked on the current op, against its standard minutes.
    pub clocked_min: u16,
    pub std_min: u16,
    pub overrun: bool,
}

/// One bay's tag: what is on the bay now and what comes next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BayTag {
    pub language: Language,
    pub updated: Clock,
    pub bay: Id,
    /// The bay's name from the site file, e.g. `Lift 1`.
    pub name: Text,
    pub state: BayState,
    pub reason: Option<PauseReason>,
    pub now: Option<TagJob>,
    pub next: Option<TagJob>,
    /// The bay's open andon call (appended: an older display ignores it).
    pub call: Option<Andon>,
    /// The customer answered the approval request of the job on the bay, and no scan of that
    /// job has said so yet (appended).
    pub approved: bool,
    /// The site's own label of the pause reason that blocks the bay, drawn instead of the
    /// `reason` label (appended).
    pub reason_text: Option<Text>,
}

/// A job as a bay tag shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagJob {
    pub job: Id,
    pub plate: MaskedPlate,
    pub vehicle: Text,
    /// The op's title, e.g. `更换刹车片`.
    pub op: Text,
    pub badges: Badges,
    pub clocked_min: u16,
    pub std_min: u16,
    pub progress: u8,
    pub overrun: bool,
}
