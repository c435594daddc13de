//! A 1-bit frame buffer for black/white e-ink, laid out as the controllers want it: rows of
//! bytes, most significant bit leftmost, 1 = black ink.

use core::convert::Infallible;

use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

/// A frame of `N` bytes; `N` must hold `ceil(width / 8) × height`.
#[derive(Clone)]
pub struct MonoFrame<const N: usize> {
    buf: [u8; N],
    width: u16,
    height: u16,
}

impl<const N: usize> MonoFrame<N> {
    /// A white frame; `None` when `N` bytes cannot hold `width × height`.
    pub const fn new(width: u16, height: u16) -> Option<Self> {
        if (width as usize).div_ceil(8) * height as usize > N {
            return None;
        }
        Some(MonoFrame {
            buf: [0; N],
            width,
            height,
        })
    }

    /// Bytes per row.
    pub fn stride(&self) -> usize {
        usize::from(self.width).div_ceil(8)
    }

    /// The whole frame, as a full refresh pushes it.
    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.stride() * usize::from(self.height)]
    }

    /// The rows of a byte-aligned window, as a partial refresh pushes it.
    pub fn window(&self, area: Rectangle) -> impl Iterator<Item = &[u8]> {
        let stride = self.stride();
        let area = area.intersection(&self.bounding_box());
        let x0 = (area.top_left.x.max(0) as usize) / 8;
        let x1 = (area.top_left.x.max(0) as usize + area.size.width as usize).div_ceil(8);
        let y0 = area.top_left.y.max(0) as usize;
        (y0..y0 + area.size.height as usize)
            .map(move |y| &self.buf[y * stride + x0..y * stride + x1])
    }

    /// Flips every pixel: a controller that takes 1 for white gets the frame flipped, pushed
    /// and flipped back, without a second frame of RAM.
    pub fn invert(&mut self) {
        let n = self.stride() * usize::from(self.height);
        for b in &mut self.buf[..n] {
            *b = !*b;
        }
    }

    /// Whether the pixel at `p` is ink; `false` outside the frame.
    pub fn is_ink(&self, p: Point) -> bool {
        self.index(p).is_some_and(|(i, bit)| self.buf[i] & bit != 0)
    }

    fn index(&self, p: Point) -> Option<(usize, u8)> {
        let (x, y) = (usize::try_from(p.x).ok()?, usize::try_from(p.y).ok()?);
        if x >= usize::from(self.width) || y >= usize::from(self.height) {
            return None;
        }
        Some((y * self.stride() + x / 8, 0x80 >> (x % 8)))
    }
}

impl<const N: usize> OriginDimensions for MonoFrame<N> {
    fn size(&self) -> Size {
        Size::new(self.width.into(), self.height.into())
    }
}

impl<const N: usize> DrawTarget for MonoFrame<N> {
    type Color = BinaryColor;
    type Error = Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<BinaryColor>>>(
        &mut self,
        pixels: I,
    ) -> Result<(), Infallible> {
        for Pixel(p, c) in pixels {
            if let Some((i, bit)) = self.index(p) {
                if c.is_on() {
                    self.buf[i] |= bit;
                } else {
                    self.buf[i] &= !bit;
                }
            }
        }
        Ok(())
    }

    /// Whole bytes at a time where the area covers them.
    fn fill_solid(&mut self, area: &Rectangle, color: BinaryColor) -> Result<(), Infallible> {
        let area = area.intersection(&self.bounding_box());
        let Some(br) = area.bottom_right() else {
            return Ok(());
        };
        let stride = self.stride();
        let (x0, x1) = (area.top_left.x as usize, br.x as usize + 1);
        let byte = if color.is_on() { 0xFF } else { 0x00 };
        for y in area.top_left.y as usize..=br.y as usize {
            let row = &mut self.buf[y * stride..(y + 1) * stride];
            let mut x = x0;
            while x < x1 {
                if x % 8 == 0 && x + 8 <= x1 {
                    row[x / 8] = byte;
                    x += 8;
                } else {
                    let bit = 0x80 >> (x % 8);
                    if color.is_on() {
                        row[x / 8] |= bit;
                    } else {
                        row[x / 8] &= !bit;
                    }
                    x += 1;
                }
            }
        }
        Ok(())
    }

    fn clear(&mut self, color: BinaryColor) -> Result<(), Infallible> {
        let n = self.stride() * usize::from(self.height);
        self.buf[..n].fill(if color.is_on() { 0xFF } else { 0x00 });
        Ok(())
    }
}
