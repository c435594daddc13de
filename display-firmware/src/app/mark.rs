//! What the panel shows besides a board: the offline mark over the bottom of the frame, and
//! a waiting screen before the first model.

use core::fmt::Write as _;

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use super::state::Offline;
use crate::color::{Ink, Role};
use crate::profile::Profile;
use crate::widgets::fill;

/// A line of the marks; the longest, `离线 / offline since 23:59`, is 29 bytes.
type Line = heapless::String<40>;

/// The offline mark's text: bilingual when the panel is wide enough, else `离线 HH:MM`, the
/// part any reader of a Chinese workshop understands.
pub fn offline_text(offline: Offline, long: bool) -> Line {
    let mut s = Line::new();
    let _ = s.push_str(if long {
        "离线 / offline since "
    } else {
        "离线 "
    });
    match offline.since {
        Some(c) => {
            let _ = write!(s, "{c}");
        }
        None => {
            let _ = s.push_str("--:--");
        }
    }
    s
}

/// Draws the offline mark as an inverse band along the bottom edge, over the footer, so the
/// board stays readable but nobody takes it for live.
pub fn draw_offline<D>(t: &mut D, p: &Profile, offline: Offline) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    let style = &p.body;
    let long = offline_text(offline, true);
    let text = if style.width(&long) + 2 * u32::from(p.margin) <= u32::from(p.width) {
        long
    } else {
        offline_text(offline, false)
    };
    let h = style.height() + 2;
    let y = i32::from(p.height) - h as i32;
    fill(
        t,
        Rectangle::new(Point::new(0, y), Size::new(p.width.into(), h)),
        Role::Late,
    )?;
    let x = (i32::from(p.width) - style.width(&text) as i32).max(0) / 2;
    style.draw(
        t,
        &text,
        Point::new(x, y + 1),
        D::Color::ink(Role::Background),
    )?;
    Ok(())
}

/// Before the first model: the board's name and "连接中 / connecting".
pub fn draw_waiting<D>(t: &mut D, p: &Profile, board: &str) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    t.clear(D::Color::ink(Role::Background))?;
    let style = &p.body;
    let mut name = Line::new();
    let _ = write!(name, "bayline {board}");
    let h = style.height() as i32;
    let mid = i32::from(p.height) / 2;
    for (line, y) in [(name.as_str(), mid - h), ("连接中 / connecting", mid)] {
        let x = (i32::from(p.width) - style.width(line) as i32).max(0) / 2;
        style.draw(t, line, Point::new(x, y), D::Color::ink(Role::Text))?;
    }
    Ok(())
}
