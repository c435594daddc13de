//! Text: the WenQuanYi glyphs made by `build.rs` (all of GB2312, ASCII and Latin-1),
//! measuring, ellipsis and wrapping.
//!
//! Glyphs are 1 bit per pixel, cropped to their ink and looked up by binary search. A
//! character outside the set is drawn as a hollow box of a full-width cell, never a panic,
//! and [`TextStyle::missing`] counts such characters so the server can report them.

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{PrimitiveStyle, Rectangle};

/// One bitmap font of the subset.
#[derive(Debug)]
pub struct FontData {
    /// Line height in pixels.
    pub line: u8,
    /// Baseline below the top of the line.
    pub ascent: i8,
    /// The characters (all in the Basic Multilingual Plane), sorted, matching `glyphs`.
    pub chars: &'static [u16],
    /// Each glyph packed in 8 bytes (bit offset in 24 bits big-endian, x, y, w, h,
    /// advance): 8 bytes instead of the 12 of a struct, 60 KB less per font.
    pub glyphs: &'static [[u8; 8]],
    /// All glyph bitmaps, row after row, as one bit stream.
    pub bits: &'static [u8],
    /// Where a character this cut leaves out is drawn from, and at which scale: the 32 px
    /// headline cut holds only headline characters (1.5 MB of flash would not hold all of
    /// GB2312 at 32 px beside the other sizes), so a car model in it is the 16 px glyph
    /// twice as large rather than a box.
    pub fallback: Option<(&'static FontData, u8)>,
}

/// Where a glyph's ink lies in its cell and in [`FontData::bits`] (unpacked).
#[derive(Debug, Clone, Copy)]
pub struct Glyph {
    pub bit: u32,
    /// Ink offset from the cell's top-left corner.
    pub x: i8,
    pub y: i8,
    pub w: u8,
    pub h: u8,
    pub advance: u8,
}

include!(concat!(env!("OUT_DIR"), "/glyphs.rs"));

impl FontData {
    /// The glyph of `c` in this cut alone.
    fn glyph(&self, c: char) -> Option<Glyph> {
        let c = u16::try_from(u32::from(c)).ok()?;
        let g = self.glyphs.get(self.chars.binary_search(&c).ok()?)?;
        Some(Glyph {
            bit: u32::from_be_bytes([0, g[0], g[1], g[2]]),
            x: g[3] as i8,
            y: g[4] as i8,
            w: g[5],
            h: g[6],
            advance: g[7],
        })
    }
}

/// Flash taken by the glyph tables of all fonts, in bytes.
pub fn flash_bytes() -> usize {
    [&WQY12, &WQY16, &WQY24, &WQY32]
        .iter()
        .map(|f| core::mem::size_of_val(f.chars) + core::mem::size_of_val(f.glyphs) + f.bits.len())
        .sum()
}

/// The ellipsis that ends cut text.
const ELLIPSIS: char = '…';

/// A font at an integer scale.
#[derive(Debug, Clone, Copy)]
pub struct TextStyle {
    pub font: &'static FontData,
    pub scale: u8,
}

impl TextStyle {
    pub const fn new(font: &'static FontData, scale: u8) -> TextStyle {
        TextStyle { font, scale }
    }

    /// Height of one line, in pixels.
    pub fn height(&self) -> u32 {
        u32::from(self.font.line) * u32::from(self.scale)
    }

    /// The glyph of `c`, the font holding it, its scale, and how far down its cell starts:
    /// a fallback glyph sits on this font's baseline.
    fn find(&self, c: char) -> Option<(&'static FontData, Glyph, i32, i32)> {
        if let Some(g) = self.font.glyph(c) {
            return Some((self.font, g, i32::from(self.scale), 0));
        }
        let (fb, k) = self.font.fallback?;
        let g = fb.glyph(c)?;
        let scale = i32::from(self.scale) * i32::from(k);
        let dy = i32::from(self.font.ascent) * i32::from(self.scale) - i32::from(fb.ascent) * scale;
        Some((fb, g, scale, dy))
    }

    /// How many characters of `s` have no glyph and would show as the replacement box.
    pub fn missing(&self, s: &str) -> usize {
        s.chars().filter(|&c| !self.has(c)).count()
    }

    /// Whether `c` has a real glyph (not the replacement box).
    pub fn has(&self, c: char) -> bool {
        self.find(c).is_some()
    }

    /// Advance of one character, in pixels.
    pub fn advance(&self, c: char) -> u32 {
        match self.find(c) {
            Some((_, g, k, _)) => u32::from(g.advance) * k as u32,
            None => u32::from(self.font.line) * u32::from(self.scale),
        }
    }

    /// Width of `s` in one line, in pixels.
    pub fn width(&self, s: &str) -> u32 {
        s.chars().map(|c| self.advance(c)).sum()
    }

    /// Draws `s` with its line's top-left corner at `at`; returns the x after it.
    pub fn draw<D: DrawTarget>(
        &self,
        t: &mut D,
        s: &str,
        at: Point,
        color: D::Color,
    ) -> Result<i32, D::Error> {
        let mut x = at.x;
        for c in s.chars() {
            self.draw_char(t, c, Point::new(x, at.y), color)?;
            x += self.advance(c) as i32;
        }
        Ok(x)
    }

    /// Draws `s` cut to `max` pixels, ending in an ellipsis when cut; returns the x after it.
    pub fn draw_fit<D: DrawTarget>(
        &self,
        t: &mut D,
        s: &str,
        at: Point,
        max: u32,
        color: D::Color,
    ) -> Result<i32, D::Error> {
        if self.width(s) <= max {
            return self.draw(t, s, at, color);
        }
        let room = max.saturating_sub(self.advance(ELLIPSIS));
        let mut used = 0;
        let mut end = 0;
        for (i, c) in s.char_indices() {
            used += self.advance(c);
            if used > room {
                break;
            }
            end = i + c.len_utf8();
        }
        let x = self.draw(t, s[..end].trim_end(), at, color)?;
        self.draw_char(t, ELLIPSIS, Point::new(x, at.y), color)?;
        Ok(x + self.advance(ELLIPSIS) as i32)
    }

    /// Draws `s` right-aligned so that it ends at `right`; returns its left x.
    pub fn draw_right<D: DrawTarget>(
        &self,
        t: &mut D,
        s: &str,
        right: Point,
        color: D::Color,
    ) -> Result<i32, D::Error> {
        let x = right.x - self.width(s) as i32;
        self.draw(t, s, Point::new(x, right.y), color)?;
        Ok(x)
    }

    /// Draws `s` wrapped into `area`: Chinese breaks between any two characters, Latin at
    /// spaces; the last line that fits ends in an ellipsis when text is left. Returns lines.
    pub fn draw_wrapped<D: DrawTarget>(
        &self,
        t: &mut D,
        s: &str,
        area: Rectangle,
        color: D::Color,
    ) -> Result<u32, D::Error> {
        let max_lines = area.size.height / self.height().max(1);
        let mut rest = s;
        let mut n = 0;
        while !rest.is_empty() && n < max_lines {
            let at = area.top_left + Point::new(0, (n * self.height()) as i32);
            let (line, next) = self.split_line(rest, area.size.width);
            if n + 1 == max_lines && !next.is_empty() {
                self.draw_fit(t, rest, at, area.size.width, color)?;
            } else {
                self.draw(t, line, at, color)?;
            }
            rest = next;
            n += 1;
        }
        Ok(n)
    }

    /// The longest first line of `s` within `max` pixels, and the rest (leading spaces dropped).
    pub fn split_line<'a>(&self, s: &'a str, max: u32) -> (&'a str, &'a str) {
        let mut used = 0;
        let mut last_break = None;
        let mut prev: Option<char> = None;
        for (i, c) in s.char_indices() {
            if let Some(p) = prev {
                if p == ' ' || is_wide(p) || is_wide(c) {
                    last_break = Some(i);
                }
            }
            used += self.advance(c);
            if used > max && c != ' ' {
                let cut = match last_break {
                    Some(b) => b,
                    None if i == 0 => c.len_utf8(),
                    None => i,
                };
                return (s[..cut].trim_end(), s[cut..].trim_start());
            }
            prev = Some(c);
        }
        (s.trim_end(), "")
    }

    fn draw_char<D: DrawTarget>(
        &self,
        t: &mut D,
        c: char,
        at: Point,
        color: D::Color,
    ) -> Result<(), D::Error> {
        let Some((font, g, k, dy)) = self.find(c) else {
            // The replacement glyph: a hollow box in a full-width cell.
            let k = i32::from(self.scale);
            let side = (u32::from(self.font.line) - 2) * u32::from(self.scale);
            return Rectangle::new(at + Point::new(k, k), Size::new(side, side))
                .into_styled(PrimitiveStyle::with_stroke(color, u32::from(self.scale)))
                .draw(t);
        };
        let origin = at + Point::new(i32::from(g.x) * k, i32::from(g.y) * k + dy);
        let (w, h) = (usize::from(g.w), usize::from(g.h));
        let bit = |i: usize| {
            let n = g.bit as usize + i;
            font.bits
                .get(n / 8)
                .is_some_and(|b| b & (0x80 >> (n % 8)) != 0)
        };
        for row in 0..h {
            let mut col = 0;
            while col < w {
                if !bit(row * w + col) {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < w && bit(row * w + col) {
                    col += 1;
                }
                let run = Rectangle::new(
                    origin + Point::new(start as i32 * k, row as i32 * k),
                    Size::new(((col - start) as i32 * k) as u32, k as u32),
                );
                t.fill_solid(&run, color)?;
            }
        }
        Ok(())
    }
}

/// Characters that take a full-width cell and allow a line break on either side.
fn is_wide(c: char) -> bool {
    u32::from(c) >= 0x2E80
}
