//! The customer lounge board: one row per vehicle, read at a glance from a sofa.
//!
//! Grid (rows of `profile.row`): a title bar of one row with the clock, a half row of column
//! heads, the vehicle rows, a half-row footer. Columns in hundredths of the width:
//! plate 0–21, vehicle 21–40, stage 40–74, progress 74–86, ETA 86–100.

use bayline_proto::board::{Clock, Lounge, LoungeRow, RowMark, Stage};
use bayline_proto::Language;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use crate::color::{Ink, Role};
use crate::labels::words;
use crate::profile::Profile;
use crate::widgets::{badge, fill, progress_bar, Short};

/// Column boundaries, hundredths of the usable width.
const COLUMNS: [u16; 6] = [0, 21, 40, 74, 86, 100];
/// Space kept free at the right of each column.
const GAP: i32 = 8;

/// Rows that fit on the profile.
pub fn capacity(p: &Profile) -> usize {
    usize::from((p.height - first_row(p) - p.row / 2) / p.row)
}

fn first_row(p: &Profile) -> u16 {
    p.row + p.row / 2
}

/// Draws the lounge board.
pub fn render<D>(model: &Lounge, p: &Profile, t: &mut D) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    let w = words(model.language);
    let ink = D::Color::ink;
    t.clear(ink(Role::Background))?;
    let (width, row) = (i32::from(p.width), i32::from(p.row));
    let m = i32::from(p.margin);

    // Title bar with the clock.
    fill(
        t,
        Rectangle::new(Point::zero(), Size::new(p.width.into(), p.row.into())),
        Role::Text,
    )?;
    let y = (row - p.big.height() as i32) / 2;
    p.big
        .draw(t, w.lounge_title, Point::new(m, y), ink(Role::Background))?;
    p.big.draw_right(
        t,
        &clock(model.updated),
        Point::new(width - m, y),
        ink(Role::Background),
    )?;

    // Column heads.
    let x = columns(p);
    let y = row + (row / 2 - p.small.height() as i32) / 2;
    for (i, head) in [w.plate, w.vehicle, w.stage, w.progress, w.eta]
        .into_iter()
        .enumerate()
    {
        p.small.draw_fit(
            t,
            head,
            Point::new(x[i], y),
            (x[i + 1] - x[i] - GAP) as u32,
            ink(Role::Muted),
        )?;
    }

    let top = i32::from(first_row(p));
    if model.rows.is_empty() {
        let y = top + row;
        let msg = w.no_vehicles;
        let x = (width - p.big.width(msg) as i32) / 2;
        p.big
            .draw(t, msg, Point::new(x.max(m), y), ink(Role::Muted))?;
    }
    for (i, r) in model.rows.iter().take(capacity(p)).enumerate() {
        let y = top + i as i32 * row;
        draw_row(t, p, model.language, (r, model.mark(i)), y, &x)?;
    }

    // Footer: the privacy note and, on a board of several pages, "2/3".
    let y = i32::from(p.height) - row / 2 + (row / 2 - p.small.height() as i32) / 2;
    let mut right = width - m;
    if model.page.count > 1 {
        let mut mark = Short::new();
        let _ = core::fmt::write(
            &mut mark,
            format_args!("{}/{}", model.page.number(), model.page.count),
        );
        right = p
            .small
            .draw_right(t, &mark, Point::new(right, y), ink(Role::Text))?
            - GAP;
    }
    p.small.draw_fit(
        t,
        w.privacy,
        Point::new(m, y),
        (right - m).max(0) as u32,
        ink(Role::Muted),
    )?;
    Ok(())
}

fn columns(p: &Profile) -> [i32; 6] {
    COLUMNS.map(|c| p.column(c))
}

fn draw_row<D>(
    t: &mut D,
    p: &Profile,
    lang: Language,
    (r, mark): (&LoungeRow, RowMark),
    y: i32,
    x: &[i32; 6],
) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    let (w, ink) = (words(lang), D::Color::ink);
    let row = i32::from(p.row);
    let room = |i: usize| (x[i + 1] - x[i] - GAP) as u32;
    let mid = |h: u32| y + (row - h as i32) / 2;
    let line = Rectangle::new(
        Point::new(x[0], y + row - 1),
        Size::new((x[5] - x[0]) as u32, 1),
    );
    fill(t, line, Role::Muted)?;

    p.big.draw_fit(
        t,
        r.plate.as_str(),
        Point::new(x[0], mid(p.big.height())),
        room(0),
        ink(Role::Text),
    )?;
    p.body.draw_fit(
        t,
        &r.vehicle,
        Point::new(x[1], mid(p.body.height())),
        room(1),
        ink(Role::Text),
    )?;

    let stage = r.stage.label(lang);
    let at = Point::new(x[2], mid(p.body.height()));
    if r.stage == Stage::Ready {
        badge(t, stage, at, &p.body, 6, Role::Ready)?;
    } else {
        p.body.draw_fit(t, stage, at, room(2), ink(Role::Text))?;
    }

    // Progress: the percentage over a bar.
    let progress = r.progress.min(100);
    let mut pct = Short::new();
    let _ = core::fmt::write(&mut pct, format_args!("{progress}%"));
    let small_h = p.small.height() as i32;
    let top = y + (row - small_h - 2 - row / 3) / 2;
    p.small
        .draw(t, &pct, Point::new(x[3], top), ink(Role::Text))?;
    let bar = Rectangle::new(
        Point::new(x[3], top + small_h + 2),
        Size::new(room(3), (row / 3) as u32),
    );
    let role = if r.stage == Stage::Ready {
        Role::Ready
    } else {
        Role::Text
    };
    progress_bar(t, bar, progress, role)?;

    // ETA: the time, with the day and lateness (or the risk of it) above it. A car waiting
    // with no known end says so instead of a time.
    let Some(eta) = r.eta else {
        let (word, role) = match mark.pending {
            Some(_) => (w.pending, Role::Text),
            None => (w.nothing_next, Role::Muted),
        };
        return p
            .body
            .draw(t, word, Point::new(x[4], mid(p.body.height())), ink(role))
            .map(|_| ());
    };
    let mut note = Short::new();
    match eta.days() {
        0 => {}
        1 => {
            let _ = note.push_str(w.tomorrow);
        }
        d => {
            let _ = core::fmt::write(&mut note, format_args!("+{d}{}", w.days));
        }
    }
    let warning = match (r.late, mark.at_risk) {
        (true, _) => Some(w.late),
        (false, true) => Some(w.at_risk),
        (false, false) => None,
    };
    if let Some(warning) = warning {
        if !note.is_empty() {
            let _ = note.push(' ');
        }
        let _ = note.push_str(warning);
    }
    let body_h = p.body.height() as i32;
    let top = if note.is_empty() {
        mid(body_h as u32)
    } else {
        y + (row - small_h - body_h) / 2
    };
    if !note.is_empty() {
        p.small
            .draw_fit(t, &note, Point::new(x[4], top), room(4), ink(Role::Text))?;
    }
    let at = Point::new(x[4], if note.is_empty() { top } else { top + small_h });
    if r.late {
        badge(t, &clock(eta), at, &p.body, 4, Role::Late)?;
    } else {
        p.body.draw(t, &clock(eta), at, ink(Role::Text))?;
    }
    Ok(())
}

/// `HH:MM` of a clock.
pub fn clock(c: Clock) -> Short {
    let mut s = Short::new();
    let _ = core::fmt::write(&mut s, format_args!("{c}"));
    s
}
