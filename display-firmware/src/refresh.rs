//! Partial refresh for e-ink: a hash per tile of the frame (not a second frame buffer)
//! tells which tiles changed since the panel was last updated; only those are pushed, as
//! byte-aligned rectangles. A full refresh clears ghosting every `full_every` partials, after
//! a wake, and when the changes are too scattered to list.

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use heapless::Vec;

use crate::frame::MonoFrame;
use crate::profile::Profile;

/// Partial refreshes between two full ones, unless told otherwise.
pub const DEFAULT_FULL_EVERY: u16 = 30;
/// Rectangles one partial refresh may push; more changes make a full refresh.
pub const MAX_RECTS: usize = 16;

/// What to push to the panel.
// No heap: the rectangles live inline; a plan is short-lived on the stack.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// The panel already shows this frame.
    Nothing,
    /// Push the whole frame with a full (flashing) refresh.
    Full { bytes: usize },
    /// Push these byte-aligned windows of the frame with a partial refresh.
    Partial {
        rects: Vec<Rectangle, MAX_RECTS>,
        bytes: usize,
    },
}

impl Refresh {
    /// Bytes sent to the panel.
    pub fn bytes(&self) -> usize {
        match self {
            Refresh::Nothing => 0,
            Refresh::Full { bytes } | Refresh::Partial { bytes, .. } => *bytes,
        }
    }
}

/// Why a refresher cannot serve a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshError {
    /// `TILES` is smaller than the profile's tile count.
    TooFewTiles { needed: usize },
    /// Tiles must be a whole number of bytes wide.
    TileNotByteAligned,
}

/// Remembers the hash of every tile the panel shows. RAM: 4 bytes per tile.
#[derive(Debug, Clone)]
pub struct Refresher<const TILES: usize> {
    hashes: [u32; TILES],
    tile: Size,
    cols: u32,
    rows: u32,
    partials: u16,
    full_every: u16,
    /// The panel's content is unknown (start, wake): the next refresh is full.
    need_full: bool,
}

impl<const TILES: usize> Refresher<TILES> {
    pub fn new(profile: &Profile) -> Result<Self, RefreshError> {
        if profile.tile_w % 8 != 0 || profile.tile_w == 0 || profile.tile_h == 0 {
            return Err(RefreshError::TileNotByteAligned);
        }
        if profile.tiles() > TILES {
            return Err(RefreshError::TooFewTiles {
                needed: profile.tiles(),
            });
        }
        Ok(Refresher {
            hashes: [0; TILES],
            tile: Size::new(profile.tile_w.into(), profile.tile_h.into()),
            cols: u32::from(profile.width.div_ceil(profile.tile_w)),
            rows: u32::from(profile.height.div_ceil(profile.tile_h)),
            partials: 0,
            full_every: DEFAULT_FULL_EVERY,
            need_full: true,
        })
    }

    /// Sets how many partial refreshes may follow each other before a full one.
    pub fn with_full_every(mut self, n: u16) -> Self {
        self.full_every = n;
        self
    }

    /// The panel woke from deep sleep: what it shows is unknown, so refresh fully next.
    pub fn wake(&mut self) {
        self.need_full = true;
    }

    /// Compares `frame` with what the panel shows and says what to push; afterwards the
    /// refresher assumes the push happened.
    pub fn plan<const N: usize>(&mut self, frame: &MonoFrame<N>) -> Refresh {
        let mut rects: Vec<Rectangle, MAX_RECTS> = Vec::new();
        let mut overflow = false;
        let mut dirty = false;
        for r in 0..self.rows {
            let mut run: Option<(u32, u32)> = None; // first column, count
            for c in 0..=self.cols {
                let changed = c < self.cols && {
                    let i = (r * self.cols + c) as usize;
                    let h = self.hash(frame, c, r);
                    let changed = self.hashes[i] != h;
                    self.hashes[i] = h;
                    changed
                };
                dirty |= changed;
                match (changed, run) {
                    (true, None) => run = Some((c, 1)),
                    (true, Some((c0, n))) => run = Some((c0, n + 1)),
                    (false, Some((c0, n))) => {
                        overflow |= self.add(&mut rects, frame, c0, n, r).is_err();
                        run = None;
                    }
                    (false, None) => {}
                }
            }
        }
        let full = frame.stride() * frame.size().height as usize;
        if self.need_full || (dirty && (overflow || self.partials >= self.full_every)) {
            self.need_full = false;
            self.partials = 0;
            return Refresh::Full { bytes: full };
        }
        if !dirty {
            return Refresh::Nothing;
        }
        self.partials += 1;
        let bytes = rects
            .iter()
            .map(|r| r.size.width as usize / 8 * r.size.height as usize)
            .sum();
        Refresh::Partial { rects, bytes }
    }

    /// Adds a run of `n` dirty tiles, growing the rectangle of the same columns just above.
    fn add<const N: usize>(
        &self,
        rects: &mut Vec<Rectangle, MAX_RECTS>,
        frame: &MonoFrame<N>,
        c0: u32,
        n: u32,
        r: u32,
    ) -> Result<(), Rectangle> {
        let area = Rectangle::new(
            Point::new((c0 * self.tile.width) as i32, (r * self.tile.height) as i32),
            Size::new(n * self.tile.width, self.tile.height),
        )
        .intersection(&frame.bounding_box());
        let above = rects.iter_mut().find(|q| {
            q.top_left.x == area.top_left.x
                && q.size.width == area.size.width
                && q.top_left.y + q.size.height as i32 == area.top_left.y
        });
        match above {
            Some(q) => {
                q.size.height += area.size.height;
                Ok(())
            }
            None => rects.push(area),
        }
    }

    /// FNV-1a over the tile's bytes.
    fn hash<const N: usize>(&self, frame: &MonoFrame<N>, c: u32, r: u32) -> u32 {
        let area = Rectangle::new(
            Point::new((c * self.tile.width) as i32, (r * self.tile.height) as i32),
            self.tile,
        );
        let mut h: u32 = 0x811c_9dc5;
        for row in frame.window(area) {
            for &b in row {
                h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
            }
        }
        h
    }
}
