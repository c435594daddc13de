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

use bayline_proto::board::{decode, BayTag, BoardError, Lounge, Workshop};
use embedded_graphics::prelude::*;

pub use color::{Ink, Role};
pub use frame::MonoFrame;
#[cfg(feature = "std")]
pub use preview::{render_png, render_png_encoded, PreviewError};
pub use profile::{BoardKind, Panel, Profile};
pub use refresh::{Refresh, Refresher};

/// Any board model.
// No heap to box the large variant in; a display holds one board at a time.
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
        match self {
            Board::Lounge(_) => BoardKind::Lounge,
            Board::Workshop(_) => BoardKind::Workshop,
            Board::Tag(_) => BoardKind::Tag,
        }
    }

    /// How many of the model's free texts (vehicles, op titles, bay names) hold a character
    /// without a glyph, which the panel shows as a box. Plates and ids are ASCII or GB2312.
    pub fn texts_outside_glyphs(&self) -> usize {
        let body = font::TextStyle::new(&font::WQY16, 1);
        let outside = |s: &str| usize::from(body.missing(s) > 0);
        match self {
            Board::Lounge(m) => (m.rows.iter())
                .map(|r| outside(&r.vehicle) + outside(r.plate.as_str()))
                .sum(),
            Board::Workshop(_) => 0,
            Board::Tag(m) => {
                let job = |j: &bayline_proto::board::TagJob| {
                    outside(&j.vehicle) + outside(&j.op) + outside(j.plate.as_str())
                };
                outside(&m.name) + m.now.as_ref().map_or(0, job) + m.next.as_ref().map_or(0, job)
            }
        }
    }

    /// Pages the board needs on `profile` (only the workshop has more than one).
    pub fn pages(&self, profile: &Profile) -> usize {
        match self {
            Board::Workshop(w) => workshop::pages(w, profile),
            _ => 1,
        }
    }
}

/// Draws page `page` of `board` laid out for `profile` into `target`.
pub fn render<D>(
    board: &Board,
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
pub fn render_blink<D>(
    board: &Board,
    profile: &Profile,
    page: usize,
    lit: bool,
    target: &mut D,
) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    match board {
        Board::Lounge(m) => lounge::render(m, profile, target),
        Board::Workshop(m) => workshop::render_blink(m, profile, page, lit, target),
        Board::Tag(m) => tag::render(m, profile, target),
    }
}
