//! The workshop board on an RGB LED wall: every bay in its state colour, overruns in red.
//!
//! Grid: lines of `profile.row` pixels; the first line holds the clock, the bay counts per
//! state and the page; every further line is one bay. Panels wider than
//! `profile.min_column` get several columns of bays. When the bays do not fit, the board
//! has pages that the firmware shows in turn. A blocked bay names the site's own pause
//! reason when the model carries one ([`Workshop::reason_texts`]), else the short label.

use bayline_proto::board::{BayRow, BayState, Workshop, MAX_WORKSHOP_BAYS};
use bayline_proto::PauseReason;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use crate::color::{Ink, Role};
use crate::labels::{self, words};
use crate::lounge::clock;
use crate::profile::Profile;
use crate::widgets::{clocked, fill, Short};

/// Height of the header line: it holds only digits, whose ink starts a few rows down the
/// line, so it is drawn raised by [`RAISE_HEADER`] and takes less than a row.
fn header(p: &Profile) -> u16 {
    p.row.saturating_sub(3)
}
const RAISE_HEADER: i32 = 2;
/// Bay text is raised by a row so the clocked-time line fits under descenders.
const RAISE_BAY: i32 = 1;
/// Pixels between two columns of bays.
const COLUMN_GAP: i32 = 5;

/// Bay lines per column, below the header line.
fn lines(p: &Profile) -> usize {
    usize::from((p.height.saturating_sub(header(p))) / p.row).max(1)
}

fn columns(p: &Profile) -> usize {
    usize::from((p.width / p.min_column).max(1))
}

/// Bays shown on one page.
pub fn per_page(p: &Profile) -> usize {
    (lines(p) * columns(p)).max(1)
}

/// Pages needed for the model (at least one).
pub fn pages(model: &Workshop, p: &Profile) -> usize {
    model.bays.len().div_ceil(per_page(p)).max(1)
}

/// Screen `page` of this model among the screens of the whole board, and how many screens
/// the board has: a board published in several models ([`Workshop::page`]) is numbered
/// through all of them. Every model but the last holds [`MAX_WORKSHOP_BAYS`] bays.
pub fn screen(model: &Workshop, p: &Profile, page: usize) -> (usize, usize) {
    let local = page % pages(model, p);
    let count = usize::from(model.page.count);
    if count <= 1 {
        return (local, pages(model, p));
    }
    let full = MAX_WORKSHOP_BAYS.div_ceil(per_page(p));
    let last = usize::from(model.page.total).saturating_sub(MAX_WORKSHOP_BAYS * (count - 1));
    let index = usize::from(model.page.index) * full + local;
    let total = (count - 1) * full + last.div_ceil(per_page(p)).max(1);
    (index, total.max(index + 1))
}

/// The role a bay state is drawn in.
pub fn state_role(state: BayState) -> Role {
    match state {
        BayState::Idle => Role::Idle,
        BayState::Working => Role::Working,
        BayState::Blocked => Role::Blocked,
    }
}

/// Draws page `page` (counted from 0, wrapped) of the workshop board, calling bays lit.
pub fn render<D>(model: &Workshop, p: &Profile, page: usize, t: &mut D) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    render_blink(model, p, page, true, t)
}

/// [`render`] at one phase of the blink: a bay with an unanswered andon call has its id lit
/// (inverse, red) when `lit` and plain when not; the firmware toggles `lit` about once a
/// second. An answered call stays lit: someone is on the way, nothing more to catch the eye.
pub fn render_blink<D>(
    model: &Workshop,
    p: &Profile,
    page: usize,
    lit: bool,
    t: &mut D,
) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    let ink = D::Color::ink;
    t.clear(ink(Role::Background))?;
    let m = i32::from(p.margin);
    let page = page % pages(model, p);

    // Header: clock, a square and a count per state, page.
    let y = -RAISE_HEADER;
    let mut x = p
        .body
        .draw(t, &clock(model.updated), Point::new(m, y), ink(Role::Text))?
        + 6;
    let side = u32::from(header(p)) * 2 / 3;
    for state in [BayState::Working, BayState::Blocked, BayState::Idle] {
        let n = model.bays.iter().filter(|b| b.state == state).count();
        let top = (i32::from(header(p)) - side as i32) / 2;
        fill(
            t,
            Rectangle::new(Point::new(x, top), Size::new(side, side)),
            state_role(state),
        )?;
        let mut s = Short::new();
        let _ = core::fmt::write(&mut s, format_args!("{n}"));
        x = p
            .body
            .draw(t, &s, Point::new(x + side as i32 + 1, y), ink(Role::Text))?
            + 4;
    }
    let (shown, screens) = screen(model, p, page);
    if screens > 1 {
        let mut s = Short::new();
        let _ = core::fmt::write(&mut s, format_args!("{}/{}", shown + 1, screens));
        let right = Point::new(i32::from(p.width) - m, y);
        p.body.draw_right(t, &s, right, ink(Role::Muted))?;
    }

    let col_w = i32::from(p.width) / columns(p) as i32;
    let shown = model.bays.iter().skip(page * per_page(p)).take(per_page(p));
    for (i, bay) in shown.enumerate() {
        let (col, line) = (i / lines(p), i % lines(p));
        let at = Point::new(
            col as i32 * col_w,
            i32::from(header(p)) + line as i32 * i32::from(p.row),
        );
        draw_bay(t, p, model, bay, lit, at, col_w)?;
    }
    Ok(())
}

/// Whether the page has an unanswered call, so a blink phase changes what it shows.
pub fn blinks(model: &Workshop) -> bool {
    model.calls.iter().any(|c| !c.answered)
}

fn draw_bay<D>(
    t: &mut D,
    p: &Profile,
    model: &Workshop,
    bay: &BayRow,
    lit: bool,
    at: Point,
    col_w: i32,
) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    let ink = D::Color::ink;
    let lang = model.language;
    let call = model.calls.iter().find(|c| c.bay == bay.bay);
    let m = i32::from(p.margin);
    let role = state_role(bay.state);
    let line_top = at.y;
    let at = at - Point::new(0, RAISE_BAY);
    let id_w = p.body.advance('0') * 4;
    let lit = call.is_some_and(|c| lit || c.answered);
    if lit {
        let cell = Rectangle::new(
            Point::new(at.x + m - 1, line_top),
            Size::new(id_w + 2, u32::from(p.row) - 1),
        );
        fill(t, cell, Role::Overrun)?;
    }
    let id_role = if lit { Role::Background } else { role };
    p.body
        .draw_fit(t, &bay.bay, at + Point::new(m, 0), id_w, ink(id_role))?;
    let x = at.x + m + id_w as i32 + 2;
    // Columns keep a gap between them; the last one ends at the margin.
    let gap = if at.x + col_w < i32::from(p.width) {
        COLUMN_GAP
    } else {
        0
    };
    let right = at.x + col_w - m - 1 - gap;

    let mut left_end = right;
    if bay.state != BayState::Idle {
        let time = clocked(bay.clocked_min, bay.std_min);
        let time_role = if bay.overrun {
            Role::Overrun
        } else {
            Role::Text
        };
        left_end = p
            .body
            .draw_right(t, &time, Point::new(right, at.y), ink(time_role))?
            - 3;
    }
    let room = (left_end - x).max(0) as u32;
    let pos = Point::new(x, at.y);
    if let Some(call) = call {
        // The call says more than the state: who is needed at this bay.
        let what = labels::short_call(call.reason, lang);
        p.body.draw_fit(t, what, pos, room, ink(Role::Overrun))?;
    } else {
        match bay.state {
            BayState::Idle => p
                .body
                .draw_fit(t, words(lang).idle, pos, room, ink(Role::Idle))?,
            BayState::Blocked => {
                let why = match model.reason_text(&bay.bay) {
                    Some(text) => text.as_str(),
                    None => labels::short_reason(bay.reason.unwrap_or(PauseReason::Other), lang),
                };
                p.body.draw_fit(t, why, pos, room, ink(Role::Blocked))?
            }
            BayState::Working => {
                let mut who = Short::new();
                if let Some(first) = bay.badges.first() {
                    let _ = who.push_str(first);
                }
                if bay.badges.len() > 1 {
                    let _ = core::fmt::write(&mut who, format_args!("+{}", bay.badges.len() - 1));
                }
                p.body.draw_fit(t, &who, pos, room, ink(Role::Text))?
            }
        };
    }

    // The line under the bay: clocked against standard time, full and red when over.
    let bar_w = (col_w - 2 * m - gap).max(0) as u32;
    let filled = match (bay.overrun, bay.std_min) {
        (true, _) => bar_w,
        (false, 0) => 0,
        (false, std) => bar_w * u32::from(bay.clocked_min.min(std)) / u32::from(std),
    };
    let y = line_top + i32::from(p.row) - 1;
    let bar_role = if bay.overrun { Role::Overrun } else { role };
    fill(
        t,
        Rectangle::new(Point::new(at.x + m, y), Size::new(filled, 1)),
        bar_role,
    )
}
