//! Small drawing pieces shared by the boards: filled areas, progress bars, badges, durations.

use core::fmt::Write as _;

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{PrimitiveStyle, Rectangle};

use crate::color::{Ink, Role};
use crate::font::TextStyle;

/// Fills `area` with a role's colour.
pub fn fill<D>(t: &mut D, area: Rectangle, role: Role) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    t.fill_solid(&area, D::Color::ink(role))
}

/// A bar outlined in `Text` and filled to `percent` (capped at 100) in `role`; the fill is
/// inset by two pixels so that 0 % and 100 % differ from a plain box at a glance.
pub fn progress_bar<D>(t: &mut D, area: Rectangle, percent: u8, role: Role) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    area.into_styled(PrimitiveStyle::with_stroke(D::Color::ink(Role::Text), 1))
        .draw(t)?;
    let inner = area.size.saturating_sub(Size::new(4, 4));
    let filled = inner.width * u32::from(percent.min(100)) / 100;
    fill(
        t,
        Rectangle::new(
            area.top_left + Point::new(2, 2),
            Size::new(filled, inner.height),
        ),
        role,
    )
}

/// `text` in the background colour on a block of `role`, `pad` pixels wider on each side;
/// how e-ink shows emphasis. Returns the x after the badge.
pub fn badge<D>(
    t: &mut D,
    text: &str,
    at: Point,
    style: &TextStyle,
    pad: u32,
    role: Role,
) -> Result<i32, D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    let w = style.width(text) + 2 * pad;
    fill(t, Rectangle::new(at, Size::new(w, style.height())), role)?;
    style.draw(
        t,
        text,
        at + Point::new(pad as i32, 0),
        D::Color::ink(Role::Background),
    )?;
    Ok(at.x + w as i32)
}

/// A short text built without a heap.
pub type Short = heapless::String<24>;

/// Minutes as `h:mm`, e.g. `1:05`.
pub fn duration(minutes: u16) -> Short {
    let mut s = Short::new();
    let _ = write!(s, "{}:{:02}", minutes / 60, minutes % 60);
    s
}

/// Clocked against standard minutes, e.g. `1:35/2:00`.
pub fn clocked(clocked: u16, standard: u16) -> Short {
    let mut s = duration(clocked);
    let _ = s.push('/');
    let _ = s.push_str(&duration(standard));
    s
}
