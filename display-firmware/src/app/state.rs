//! The display's state, without I/O: what the broker said, whether the link is up, which
//! screen is shown. Every input carries the time, so tests play hours in microseconds.

use bayline_proto::board::{BoardError, Clock};
use heapless::Vec;

use crate::profile::{BoardKind, Panel, Profile};
use crate::{Board, BoardRef, Model};

/// What a display is set up to show.
#[derive(Debug, Clone, Copy)]
pub struct Config<'a> {
    pub site: &'a str,
    /// `lounge`, `workshop` or `bay/{bay}`.
    pub board: &'a str,
    pub profile: &'static Profile,
    /// How long the broker may be gone before the panel says so (60 s on the devices).
    pub offline_after_ms: u64,
    /// How long each screen of a paged board stays up.
    pub page_ms: u64,
    /// How long each phase of an unanswered andon call's blink lasts; 0: the panel does not
    /// blink ([`blink_ms`]).
    pub blink_ms: u64,
}

/// One phase of the workshop board's blink on an LED wall.
pub const BLINK_MS: u64 = 1_000;

/// The blink phase for a panel: LED walls blink an unanswered call; e-ink does not, as
/// each refresh takes seconds and wears the panel.
pub fn blink_ms(profile: &Profile) -> u64 {
    match profile.panel {
        Panel::Rgb => BLINK_MS,
        Panel::Mono => 0,
    }
}

impl Config<'_> {
    /// Which kind of model the board's topic carries.
    pub fn kind(&self) -> BoardKind {
        match self.board {
            "lounge" => BoardKind::Lounge,
            "workshop" => BoardKind::Workshop,
            _ => BoardKind::Tag,
        }
    }
}

/// The time of an input: a monotonic clock, and the wall clock when the host has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// Milliseconds since the display started.
    pub ms: u64,
    /// Time of day in the site's time zone; `None` on a device without SNTP, which then
    /// reckons from the last model's own clock.
    pub wall: Option<Clock>,
}

/// Why a message was not taken. The display keeps showing what it had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageError {
    /// The topic is not the board's nor one of its pages.
    Topic,
    /// The payload does not decode as the board's model.
    Decode(BoardError),
    /// More pages than this display keeps.
    TooManyPages,
}

impl core::fmt::Display for MessageError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MessageError::Topic => f.write_str("a topic outside the board"),
            MessageError::Decode(e) => write!(f, "cannot decode the board: {e}"),
            MessageError::TooManyPages => f.write_str("more pages than the display keeps"),
        }
    }
}

impl core::error::Error for MessageError {}

/// The offline mark: shown once the broker has been gone for `offline_after_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offline {
    /// When the broker went away; `None` when the display never knew the time.
    pub since: Option<Clock>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Up,
    /// Down since this monotonic time, and the wall time then.
    Down {
        ms: u64,
        wall: Option<Clock>,
    },
}

/// One display's state; `P` is how many pages of its board it keeps, each an `M` (any kind
/// of board by default; a device keeps its own kind's model, see [`Model`]).
#[derive(Debug)]
pub struct Display<'a, const P: usize, M: Model = Board> {
    config: Config<'a>,
    kind: BoardKind,
    /// The pages by number (1 = the board's own topic), sorted; each decoded once on arrival.
    pages: Vec<(u16, M), P>,
    link: Link,
    /// The last model's clock and when it arrived: the time of day when the host has none.
    anchor: Option<(u64, Clock)>,
    /// Index over all screens of all pages, and when it went up.
    screen: usize,
    screen_at: u64,
    /// Whether the offline mark is drawn in the current frame.
    offline_shown: bool,
    /// The blink's phase (calling bays lit or plain), and since when; `None` while the
    /// screen has nothing to blink.
    lit: bool,
    blink_since: Option<u64>,
    /// Something the panel shows changed since the last [`Display::take_dirty`].
    dirty: bool,
}

impl<'a, const P: usize, M: Model> Display<'a, P, M> {
    /// A display that has just started: no board yet, the broker not reached yet.
    pub fn new(config: Config<'a>, now: Now) -> Self {
        Display {
            kind: config.kind(),
            config,
            pages: Vec::new(),
            link: Link::Down {
                ms: now.ms,
                wall: now.wall,
            },
            anchor: None,
            screen: 0,
            screen_at: now.ms,
            offline_shown: false,
            lit: true,
            blink_since: None,
            dirty: true,
        }
    }

    pub fn config(&self) -> &Config<'a> {
        &self.config
    }

    /// The broker accepted the connection and the subscription.
    pub fn connected(&mut self, now: Now) {
        self.link = Link::Up;
        self.tick(now);
    }

    /// The connection failed or broke.
    pub fn lost(&mut self, now: Now) {
        if self.link == Link::Up {
            self.link = Link::Down {
                ms: now.ms,
                wall: self.wall(now),
            };
        }
        self.tick(now);
    }

    /// A message on the board's topic or one of its pages; an empty payload clears a page.
    pub fn message(&mut self, topic: &str, payload: &[u8], now: Now) -> Result<(), MessageError> {
        let number = self.page_number(topic).ok_or(MessageError::Topic)?;
        let at = self.pages.iter().position(|(n, _)| *n == number);
        if payload.is_empty() {
            if let Some(i) = at {
                self.pages.remove(i);
                self.dirty = true;
            }
            return Ok(());
        }
        let board = M::decode(self.kind, payload).map_err(MessageError::Decode)?;
        self.anchor = Some((now.ms, board.board().updated()));
        let count = board.board().page_count();
        match at {
            Some(i) if self.pages[i].1 == board => {}
            Some(i) => {
                self.pages[i].1 = board;
                self.dirty = true;
            }
            None => {
                let i = self.pages.iter().position(|(n, _)| *n > number);
                let i = i.unwrap_or(self.pages.len());
                self.pages
                    .insert(i, (number, board))
                    .map_err(|_| MessageError::TooManyPages)?;
                self.dirty = true;
            }
        }
        // A board that shrank: pages past its count are gone even if their clear was lost.
        let before = self.pages.len();
        self.pages.retain(|(n, _)| *n <= count);
        self.dirty |= self.pages.len() != before;
        self.tick(now);
        Ok(())
    }

    /// Moves time on: turns the page, raises the offline mark.
    pub fn tick(&mut self, now: Now) {
        let screens = self.screens();
        if self.screen >= screens.max(1) {
            self.screen = 0;
            self.screen_at = now.ms;
            self.dirty = true;
        }
        if screens > 1 && now.ms.saturating_sub(self.screen_at) >= self.config.page_ms {
            self.screen = (self.screen + 1) % screens;
            self.screen_at = now.ms;
            self.dirty = true;
        }
        let offline = self.offline(now).is_some();
        if offline != self.offline_shown {
            self.offline_shown = offline;
            self.dirty = true;
        }
        self.blink(now.ms);
    }

    /// Turns the blink's phase every `blink_ms` while the screen has an unanswered call; a
    /// call that appears starts lit, and a screen with none is drawn lit.
    fn blink(&mut self, now: u64) {
        let blinks = self.config.blink_ms > 0
            && matches!(self.current().map(|(m, _, _)| m.board()), Some(BoardRef::Workshop(m)) if crate::workshop::blinks(m));
        match (blinks, self.blink_since) {
            (false, Some(_)) => {
                self.blink_since = None;
                self.dirty |= !self.lit;
                self.lit = true;
            }
            (true, None) => self.blink_since = Some(now),
            (true, Some(since)) if now.saturating_sub(since) >= self.config.blink_ms => {
                self.lit = !self.lit;
                self.blink_since = Some(now);
                self.dirty = true;
            }
            _ => {}
        }
    }

    /// The blink's phase to draw the current screen in.
    pub fn lit(&self) -> bool {
        self.lit
    }

    /// The next time [`tick`](Self::tick) may change something; a host sleeps until then
    /// unless a message comes first.
    pub fn next_wakeup(&self) -> u64 {
        let mut at = u64::MAX;
        if self.screens() > 1 {
            at = at.min(self.screen_at.saturating_add(self.config.page_ms));
        }
        if let Link::Down { ms, .. } = self.link {
            if !self.offline_shown {
                at = at.min(ms.saturating_add(self.config.offline_after_ms));
            }
        }
        if let Some(since) = self.blink_since {
            at = at.min(since.saturating_add(self.config.blink_ms));
        }
        at
    }

    /// Whether the frame must be drawn again; clears the flag.
    pub fn take_dirty(&mut self) -> bool {
        core::mem::take(&mut self.dirty)
    }

    /// The offline mark, once the broker has been gone for long enough.
    pub fn offline(&self, now: Now) -> Option<Offline> {
        match self.link {
            Link::Down { ms, wall }
                if now.ms.saturating_sub(ms) >= self.config.offline_after_ms =>
            {
                Some(Offline { since: wall })
            }
            _ => None,
        }
    }

    /// Whether the offline mark is in the current frame.
    pub fn offline_shown(&self) -> Option<Offline> {
        match self.link {
            Link::Down { wall, .. } if self.offline_shown => Some(Offline { since: wall }),
            _ => None,
        }
    }

    /// Screens of all pages: a workshop page may need several screens of a small panel.
    pub fn screens(&self) -> usize {
        let p = self.config.profile;
        self.pages.iter().map(|(_, b)| b.board().pages(p)).sum()
    }

    /// The screen shown now: its model, which screen of that model, and its number among
    /// all screens.
    pub fn current(&self) -> Option<(&M, usize, usize)> {
        let mut left = self.screen;
        for (_, board) in &self.pages {
            let n = board.board().pages(self.config.profile);
            if left < n {
                return Some((board, left, self.screen));
            }
            left -= n;
        }
        None
    }

    /// The time of day now: the host's, or the last model's clock plus the time since.
    fn wall(&self, now: Now) -> Option<Clock> {
        now.wall.or_else(|| {
            let (at, clock) = self.anchor?;
            let minutes = now.ms.saturating_sub(at) / 60_000;
            let day = u64::from(Clock::MINUTES_PER_DAY);
            Some(Clock(((u64::from(clock.0) + minutes) % day) as u16))
        })
    }

    /// 1 for the board's topic, n for `{board}/n`.
    fn page_number(&self, topic: &str) -> Option<u16> {
        let rest = topic.strip_prefix(crate::app::ROOT)?;
        let rest = rest.strip_prefix('/')?.strip_prefix(self.config.site)?;
        let rest = rest
            .strip_prefix("/boards/")?
            .strip_prefix(self.config.board)?;
        if rest.is_empty() {
            return Some(1);
        }
        let n: u16 = rest.strip_prefix('/')?.parse().ok()?;
        (n >= 2).then_some(n)
    }
}
