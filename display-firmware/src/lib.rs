//! Display firmware core of bayline: draws the board models of `proto` (contract §3.3) on
//! e-ink and LED panels.
//!
//! `no_std` and without a heap: models are `heapless`, text comes from a WenQuanYi glyph
//! subset cut at build time, and every board draws into any embedded-graphics
//! [`DrawTarget`](embedded_graphics::draw_target::DrawTarget) whose colour knows the semantic
//! [`Role`]s. The `std` feature adds PNG previews for the server and fixtures for tests.
//!
//! A display receives the retained message of its board, [`decode`](bayline_proto::board::decode)s
//! it, [`render`]s it into its frame buffer and, on e-ink, asks the [`Refresher`] which
//! byte-aligned rectangles changed and pushes only those.
//!
//! # Layout
//! - [`app`]: the display app (connect, subscribe, decode, page, offline mark, reconnect),
//!   generic over the panel and the network: the devices and `bayline display` run it.
//! - [`profile`]: the panels (size, fonts, grid, refresh tiles): 7.5" lounge e-ink, 2.9" bay
//!   tag e-ink, HUB75 LED 128×64 and 256×64.
//! - [`color`]: semantic roles ([`Role`]) and their colours per panel ([`Ink`]).
//! - [`font`]: the glyph subset, measuring, ellipsis, wrapping, replacement glyph.
//! - [`labels`]: fixed words in Chinese and English.
//! - [`widgets`]: progress bars, inverse badges, durations.
//! - [`lounge`], [`workshop`], [`tag`]: one module per board.
//! - [`frame`]: a 1-bit frame buffer for e-ink.
//! - [`refresh`]: tile hashes deciding partial or full e-ink refreshes.
//! - `preview` (`std`): `render_png` for `GET /boards/{site}/{board}.png`.
//! - `fixtures` (`std`): fixed models for golden images and the demo.
#![cfg_attr(not(feature = "std"), no_std)]

pub mod app;
pub mod color;
pub mod font;
pub mod frame;
pub mod labels;
pub mod lounge;
pub mod profile;
pub mod refresh;
pub mod tag;
pub mod widgets;
pub mod workshop;

#[cfg(feature = "std")]
pub mod fixtures;
#[cfg(feature = "std")]
pub mod preview;

use bayline_proto::board::{decode, BayTag, BoardError, Clock, Lounge, Workshop};
use embedded_graphics::prelude::*;

pub use color::{Ink, Role};
pub use frame::MonoFrame;
#[cfg(feature = "std")]
pub use preview::{render_png, render_png_encoded, PreviewError};
pub use profile::{BoardKind, Panel, Profile};
pub use refresh::{Refresh, Refresher};

/// Any board model.
// No heap to box the large variant in; a device that shows one kind keeps that kind's
// model instead (see [`Model`]).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Board {
    Lounge(Lounge),
    Workshop(Workshop),
    Tag(BayTag),
}

impl Board {
    /// Decodes the message of a board of `kind` (the topic tells which).
    pub fn decode(kind: BoardKind, bytes: &[u8]) -> Result<Board, BoardError> {
        Ok(match kind {
            BoardKind::Lounge => Board::Lounge(decode(bytes)?),
            BoardKind::Workshop => Board::Workshop(decode(bytes)?),
            BoardKind::Tag => Board::Tag(decode(bytes)?),
        })
    }

    pub fn kind(&self) -> BoardKind {
        self.board().kind()
    }

    /// See [`BoardRef::texts_outside_glyphs`].
    pub fn texts_outside_glyphs(&self) -> usize {
        self.board().texts_outside_glyphs()
    }

    /// See [`BoardRef::pages`].
    pub fn pages(&self, profile: &Profile) -> usize {
        self.board().pages(profile)
    }
}

/// A board model as a display keeps it. [`Board`] holds any kind, and is as large as its
/// largest variant (a workshop page, about 8 KB); a device that shows one kind keeps that
/// model alone ([`Lounge`]: 560 B a page), which leaves its RAM to more pages.
pub trait Model: Clone + PartialEq + core::fmt::Debug {
    /// Decodes the message of a board of `kind`; a kind this model does not hold is
    /// [`BoardError::Malformed`].
    fn decode(kind: BoardKind, bytes: &[u8]) -> Result<Self, BoardError>;
    /// The model, whichever kind it is.
    fn board(&self) -> BoardRef<'_>;
}

impl Model for Board {
    fn decode(kind: BoardKind, bytes: &[u8]) -> Result<Self, BoardError> {
        Board::decode(kind, bytes)
    }

    fn board(&self) -> BoardRef<'_> {
        match self {
            Board::Lounge(m) => BoardRef::Lounge(m),
            Board::Workshop(m) => BoardRef::Workshop(m),
            Board::Tag(m) => BoardRef::Tag(m),
        }
    }
}

/// [`Model`] for a model of one kind.
macro_rules! one_kind {
    ($model:ident, $kind:ident) => {
        impl Model for $model {
            fn decode(kind: BoardKind, bytes: &[u8]) -> Result<Self, BoardError> {
                match kind {
                    BoardKind::$kind => decode(bytes),
                    _ => Err(BoardError::Malformed),
                }
            }

            fn board(&self) -> BoardRef<'_> {
                BoardRef::$kind(self)
            }
        }

        impl<'a> From<&'a $model> for BoardRef<'a> {
            fn from(m: &'a $model) -> Self {
                BoardRef::$kind(m)
            }
        }
    };
}
one_kind!(Lounge, Lounge);
one_kind!(Workshop, Workshop);
one_kind!(BayTag, Tag);

/// A board model of any kind, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardRef<'a> {
    Lounge(&'a Lounge),
    Workshop(&'a Workshop),
    Tag(&'a BayTag),
}

impl<'a> From<&'a Board> for BoardRef<'a> {
    fn from(b: &'a Board) -> Self {
        b.board()
    }
}

impl BoardRef<'_> {
    pub fn kind(self) -> BoardKind {
        match self {
            BoardRef::Lounge(_) => BoardKind::Lounge,
            BoardRef::Workshop(_) => BoardKind::Workshop,
            BoardRef::Tag(_) => BoardKind::Tag,
        }
    }

    /// How many of the model's free texts (vehicles, op titles, bay names) hold a character
    /// without a glyph, which the panel shows as a box. Plates and ids are ASCII or GB2312.
    pub fn texts_outside_glyphs(self) -> usize {
        let body = font::TextStyle::new(&font::WQY16, 1);
        let outside = |s: &str| usize::from(body.missing(s) > 0);
        match self {
            BoardRef::Lounge(m) => (m.rows.iter())
                .map(|r| outside(&r.vehicle) + outside(r.plate.as_str()))
                .sum(),
            BoardRef::Workshop(_) => 0,
            BoardRef::Tag(m) => {
                let job = |j: &bayline_proto::board::TagJob| {
                    outside(&j.vehicle) + outside(&j.op) + outside(j.plate.as_str())
                };
                outside(&m.name) + m.now.as_ref().map_or(0, job) + m.next.as_ref().map_or(0, job)
            }
        }
    }

    /// Screens the model needs on `profile` (only a workshop page may need more than one).
    pub fn pages(self, profile: &Profile) -> usize {
        match self {
            BoardRef::Workshop(w) => workshop::pages(w, profile),
            _ => 1,
        }
    }

    /// When the server made the model, in the site's local time.
    pub fn updated(self) -> Clock {
        match self {
            BoardRef::Lounge(m) => m.updated,
            BoardRef::Workshop(m) => m.updated,
            BoardRef::Tag(m) => m.updated,
        }
    }

    /// How many pages the board has, as this page says.
    pub fn page_count(self) -> u16 {
        match self {
            BoardRef::Lounge(m) => m.page.count,
            BoardRef::Workshop(m) => m.page.count,
            BoardRef::Tag(_) => 1,
        }
    }
}

/// Draws page `page` of `board` laid out for `profile` into `target`.
pub fn render<'b, D>(
    board: impl Into<BoardRef<'b>>,
    profile: &Profile,
    page: usize,
    target: &mut D,
) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    render_blink(board, profile, page, true, target)
}

/// [`render`] at one phase of the workshop board's blink ([`workshop::render_blink`]); the
/// other boards do not blink.
pub fn render_blink<'b, D>(
    board: impl Into<BoardRef<'b>>,
    profile: &Profile,
    page: usize,
    lit: bool,
    target: &mut D,
) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    match board.into() {
        BoardRef::Lounge(m) => lounge::render(m, profile, target),
        BoardRef::Workshop(m) => workshop::render_blink(m, profile, page, lit, target),
        BoardRef::Tag(m) => tag::render(m, profile, target),
    }
}
