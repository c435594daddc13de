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

use core::fmt;

use heapless::{String, Vec};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{Id, Language, PauseReason};

/// The first byte of every board message.
pub const FORMAT_VERSION: u8 = 1;

/// Rows on the lounge board (the 7.5" panel shows eight).
pub const MAX_LOUNGE_ROWS: usize = 8;
/// Bays on the workshop board.
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
pub struct MaskedPlate(String<MAX_PLATE_BYTES>);

impl MaskedPlate {
    /// Keeps the first two and the last two characters and replaces the rest with `*`;
    /// a plate of four characters or fewer keeps only its first two.
    pub fn mask(plate: &str) -> MaskedPlate {
        let plate = plate.trim();
        let n = plate.chars().count();
        let mut out = String::new();
        for (i, c) in plate.chars().enumerate() {
            let shown = i < 2 || (n > 4 && i + 2 >= n);
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

/// A job's stage in customers' words (contract §4 "Stages").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
pub enum BayState {
    Idle,
    Working,
    Blocked,
}

/// The customer lounge: one row per vehicle in the workshop.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Lounge {
    pub language: Language,
    /// When the server made this model; shown as the board's clock.
    pub updated: Clock,
    pub rows: Vec<LoungeRow, MAX_LOUNGE_ROWS>,
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
    pub badges: Vec<Id, MAX_BADGES>,
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
}

/// A job as a bay tag shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagJob {
    pub job: Id,
    pub plate: MaskedPlate,
    pub vehicle: Text,
    /// The op's title, e.g. `更换刹车片`.
    pub op: Text,
    pub badges: Vec<Id, MAX_BADGES>,
    pub clocked_min: u16,
    pub std_min: u16,
    pub progress: u8,
    pub overrun: bool,
}

/// Why a board message could not be encoded or decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardError {
    /// The message has no bytes at all.
    Empty,
    /// The message ends before the model does.
    Truncated,
    /// Made by a newer server; this display cannot show it.
    FutureVersion(u8),
    /// A version byte no server ever wrote (0).
    BadVersion(u8),
    /// The bytes are not a model of this kind (bad tag, bad id, text too long, …).
    Malformed,
    /// The encode buffer is too small for the model.
    BufferTooSmall,
}

impl fmt::Display for BoardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoardError::Empty => f.write_str("board message is empty"),
            BoardError::Truncated => f.write_str("board message is truncated"),
            BoardError::FutureVersion(v) => {
                write!(f, "board format {v} is newer than {FORMAT_VERSION}")
            }
            BoardError::BadVersion(v) => write!(f, "board format {v} does not exist"),
            BoardError::Malformed => f.write_str("board message is malformed"),
            BoardError::BufferTooSmall => f.write_str("buffer too small for the board model"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for BoardError {}

/// Writes [`FORMAT_VERSION`] and the model into `buf`; returns the bytes written.
pub fn encode<'a, M: Serialize>(model: &M, buf: &'a mut [u8]) -> Result<&'a [u8], BoardError> {
    let (first, rest) = buf.split_first_mut().ok_or(BoardError::BufferTooSmall)?;
    *first = FORMAT_VERSION;
    let len = postcard::to_slice(model, rest)
        .map_err(|e| match e {
            postcard::Error::SerializeBufferFull => BoardError::BufferTooSmall,
            _ => BoardError::Malformed,
        })?
        .len();
    Ok(&buf[..=len])
}

/// Checks the version byte and decodes the model; bytes after the model are ignored.
pub fn decode<M: DeserializeOwned>(bytes: &[u8]) -> Result<M, BoardError> {
    let (&version, rest) = bytes.split_first().ok_or(BoardError::Empty)?;
    match version {
        0 => return Err(BoardError::BadVersion(0)),
        v if v > FORMAT_VERSION => return Err(BoardError::FutureVersion(v)),
        _ => {}
    }
    postcard::take_from_bytes(rest)
        .map(|(m, _)| m)
        .map_err(|e| match e {
            postcard::Error::DeserializeUnexpectedEnd => BoardError::Truncated,
            _ => BoardError::Malformed,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(s: &str) -> Id {
        Id::new(s).unwrap()
    }

    fn text(s: &str) -> Text {
        Text::try_from(s).unwrap()
    }

    fn lounge() -> Lounge {
        let vehicles = [
            "凯美瑞",
            "Model 3",
            "雅阁",
            "Golf",
            "宝马3系",
            "CR-V",
            "汉EV",
            "朗逸",
        ];
        let plates = [
            "粤B12345",
            "京A88888",
            "沪C1234",
            "粤BD12345",
            "川A7Z123",
            "浙B5566",
            "湘A12",
            "苏E00001",
        ];
        let mut rows = Vec::new();
        for (i, (v, p)) in vehicles.iter().zip(plates).enumerate() {
            let row = LoungeRow {
                plate: MaskedPlate::mask(p),
                vehicle: text(v),
                stage: Stage::ALL[i % Stage::ALL.len()],
                progress: (i * 14) as u8,
                eta: Clock::at((i / 6) as u16, 10 + i as u16, 30),
                late: i == 3,
            };
            rows.push(row).unwrap();
        }
        Lounge {
            language: Language::Zh,
            updated: Clock(9 * 60 + 41),
            rows,
        }
    }

    fn workshop() -> Workshop {
        let mut bays = Vec::new();
        for i in 0..16u16 {
            let state = [BayState::Working, BayState::Blocked, BayState::Idle][usize::from(i % 3)];
            let busy = state != BayState::Idle;
            let mut badges = Vec::new();
            if state == BayState::Working {
                badges.push(id("T07")).unwrap();
            }
            let bay = BayRow {
                bay: id(&std::format!("B{:02}", i + 1)),
                state,
                reason: (state == BayState::Blocked).then_some(PauseReason::Parts),
                job: busy.then(|| id(&std::format!("RO-2401{:02}", i))),
                badges,
                clocked_min: if busy { 95 + i * 10 } else { 0 },
                std_min: if busy { 120 } else { 0 },
                overrun: busy && 95 + i * 10 > 120,
            };
            bays.push(bay).unwrap();
        }
        Workshop {
            language: Language::En,
            updated: Clock(14 * 60 + 5),
            bays,
        }
    }

    fn tag() -> BayTag {
        let job = |j: &str, p: &str| TagJob {
            job: id(j),
            plate: MaskedPlate::mask(p),
            vehicle: text("凯美瑞"),
            op: text("更换刹车片"),
            badges: Vec::from_slice(&[id("T07"), id("T12")]).unwrap(),
            clocked_min: 70,
            std_min: 60,
            progress: 95,
            overrun: true,
        };
        BayTag {
            language: Language::Zh,
            updated: Clock(8 * 60 + 5),
            bay: id("B03"),
            name: text("Lift 3"),
            state: BayState::Working,
            reason: None,
            now: Some(job("RO-240117", "粤B12345")),
            next: Some(job("RO-240120", "京A54321")),
        }
    }

    fn round_trip<M: Serialize + DeserializeOwned + PartialEq + fmt::Debug>(m: &M) -> usize {
        let mut buf = [0u8; 2048];
        let bytes = encode(m, &mut buf).unwrap();
        assert_eq!(bytes[0], FORMAT_VERSION);
        assert_eq!(&decode::<M>(bytes).unwrap(), m);
        bytes.len()
    }

    #[test]
    fn every_board_model_round_trips() {
        round_trip(&lounge());
        round_trip(&workshop());
        round_trip(&tag());
        round_trip(&Lounge::default());
    }

    #[test]
    fn models_fit_their_budgets() {
        let l = round_trip(&lounge());
        let w = round_trip(&workshop());
        assert!(l <= LOUNGE_BUDGET_BYTES, "8-row lounge is {l} bytes");
        assert!(w <= WORKSHOP_BUDGET_BYTES, "16-bay workshop is {w} bytes");
    }

    #[test]
    fn a_truncated_message_is_refused_at_every_length() {
        let mut buf = [0u8; 1024];
        let bytes = encode(&workshop(), &mut buf).unwrap();
        assert_eq!(decode::<Workshop>(&[]), Err(BoardError::Empty));
        for n in 1..bytes.len() {
            let r = decode::<Workshop>(&bytes[..n]);
            assert!(
                matches!(r, Err(BoardError::Truncated | BoardError::Malformed)),
                "{n}: {r:?}"
            );
        }
        assert_eq!(
            decode::<Workshop>(&bytes[..bytes.len() - 1]),
            Err(BoardError::Truncated)
        );
    }

    #[test]
    fn a_future_or_unknown_version_is_refused() {
        let mut buf = [0u8; 1024];
        let bytes = encode(&lounge(), &mut buf).unwrap();
        let mut future = std::vec::Vec::from(bytes);
        future[0] = FORMAT_VERSION + 1;
        assert_eq!(
            decode::<Lounge>(&future),
            Err(BoardError::FutureVersion(FORMAT_VERSION + 1))
        );
        future[0] = 0;
        assert_eq!(decode::<Lounge>(&future), Err(BoardError::BadVersion(0)));
    }

    #[test]
    fn a_model_grown_at_its_end_still_decodes() {
        let mut buf = [0u8; 1024];
        let mut bytes = std::vec::Vec::from(encode(&tag(), &mut buf).unwrap());
        bytes.extend_from_slice(&[7, 1, 2]);
        assert_eq!(decode::<BayTag>(&bytes), Ok(tag()));
    }

    #[test]
    fn a_small_buffer_is_reported() {
        let mut buf = [0u8; 16];
        assert_eq!(encode(&lounge(), &mut buf), Err(BoardError::BufferTooSmall));
        assert_eq!(encode(&lounge(), &mut []), Err(BoardError::BufferTooSmall));
    }

    #[test]
    fn plates_are_masked_as_the_contract_says() {
        assert_eq!(MaskedPlate::mask("粤B12345").as_str(), "粤B***45");
        assert_eq!(MaskedPlate::mask("粤BD12345").as_str(), "粤B****45");
        assert_eq!(MaskedPlate::mask("AB1234").as_str(), "AB**34");
        assert_eq!(MaskedPlate::mask("湘A12").as_str(), "湘A**");
    }

    #[test]
    fn clocks_show_hours_and_minutes_and_count_days() {
        let c = Clock::at(1, 9, 5).unwrap();
        assert_eq!(std::format!("{c}"), "09:05");
        assert_eq!(c.days(), 1);
        assert_eq!(Clock::at(0, 24, 0), None);
    }

    #[test]
    fn every_stage_has_words_in_both_languages() {
        for s in Stage::ALL {
            assert!(!s.label(Language::Zh).is_empty() && !s.label(Language::En).is_empty());
        }
        assert_eq!(Stage::WaitingParts.label(Language::Zh), "等待配件");
        assert_eq!(Stage::Ready.label(Language::En), "Ready for pickup");
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = decode::<Lounge>(&bytes);
            let _ = decode::<Workshop>(&bytes);
            let _ = decode::<BayTag>(&bytes);
        }
    }
}
