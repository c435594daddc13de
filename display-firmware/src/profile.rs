//! Panel profiles: size, colours, the layout grid and the fonts of each supported panel.
//!
//! Layouts are integer grids derived from a profile: a row pitch, a margin, column
//! boundaries in hundredths of the usable width. No floats anywhere.

use crate::font::{TextStyle, WQY12, WQY16, WQY24, WQY32};

/// How a panel shows colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    /// Black/white e-ink, 1 bit per pixel, partial refresh by tiles.
    Mono,
    /// RGB LED matrix, redrawn whole.
    Rgb,
}

/// Which board a profile is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardKind {
    Lounge,
    Workshop,
    Tag,
}

/// One panel as the boards see it.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// Stable name, used in preview file names and URLs.
    pub name: &'static str,
    pub board: BoardKind,
    pub panel: Panel,
    pub width: u16,
    pub height: u16,
    /// Pitch of the board's repeated rows, in pixels.
    pub row: u16,
    pub margin: u16,
    pub small: TextStyle,
    pub body: TextStyle,
    pub big: TextStyle,
    /// Partial-refresh tile (e-ink); the width is a multiple of 8 so tiles are byte-aligned.
    pub tile_w: u16,
    pub tile_h: u16,
    /// Narrowest column of bays on the workshop board; wider panels get more columns.
    pub min_column: u16,
}

/// Customer lounge: Waveshare 7.5" V2, 800×480 black/white e-ink.
pub const LOUNGE_7IN5: Profile = Profile {
    name: "lounge-7in5",
    board: BoardKind::Lounge,
    panel: Panel::Mono,
    width: 800,
    height: 480,
    row: 48,
    margin: 16,
    small: TextStyle::new(&WQY16, 1),
    body: TextStyle::new(&WQY24, 1),
    big: TextStyle::new(&WQY32, 1),
    tile_w: 40,
    tile_h: 24,
    min_column: 800,
};

/// One bay's tag: Waveshare 2.9" V2, 296×128 black/white e-ink, landscape (the driver
/// rotates the panel's native 128×296).
pub const TAG_2IN9: Profile = Profile {
    name: "tag-2in9",
    board: BoardKind::Tag,
    panel: Panel::Mono,
    width: 296,
    height: 128,
    row: 16,
    margin: 4,
    small: TextStyle::new(&WQY12, 1),
    body: TextStyle::new(&WQY16, 1),
    big: TextStyle::new(&WQY32, 1),
    tile_w: 8,
    tile_h: 16,
    min_column: 296,
};

/// Workshop: HUB75 RGB LED, four 64×32 panels as 128×64.
pub const HUB75_128X64: Profile = Profile {
    name: "hub75-128x64",
    board: BoardKind::Workshop,
    panel: Panel::Rgb,
    width: 128,
    height: 64,
    row: 13,
    margin: 1,
    small: TextStyle::new(&WQY12, 1),
    body: TextStyle::new(&WQY12, 1),
    big: TextStyle::new(&WQY12, 1),
    tile_w: 8,
    tile_h: 8,
    min_column: 128,
};

/// Workshop: HUB75 RGB LED, eight 64×32 panels as 256×64 (two columns of bays).
pub const HUB75_256X64: Profile = Profile {
    name: "hub75-256x64",
    width: 256,
    ..HUB75_128X64
};

/// Every profile, for previews and tests.
pub const ALL: [Profile; 4] = [LOUNGE_7IN5, TAG_2IN9, HUB75_128X64, HUB75_256X64];

impl Profile {
    /// The profile called `name`.
    pub fn by_name(name: &str) -> Option<&'static Profile> {
        ALL.iter().find(|p| p.name == name)
    }

    /// Bytes of a frame buffer for this panel: 1 bit per pixel on e-ink, RGB565 on LED.
    pub fn frame_bytes(&self) -> usize {
        let (w, h) = (usize::from(self.width), usize::from(self.height));
        match self.panel {
            Panel::Mono => w.div_ceil(8) * h,
            Panel::Rgb => w * h * 2,
        }
    }

    /// Number of partial-refresh tiles.
    pub fn tiles(&self) -> usize {
        usize::from(self.width.div_ceil(self.tile_w))
            * usize::from(self.height.div_ceil(self.tile_h))
    }

    /// x of a column boundary at `pct` hundredths of the width inside the margins.
    pub fn column(&self, pct: u16) -> i32 {
        let inner = u32::from(self.width - 2 * self.margin);
        i32::from(self.margin) + (inner * u32::from(pct) / 100) as i32
    }
}
