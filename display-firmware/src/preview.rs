//! Host previews (`std`): a board drawn exactly as the firmware draws it, as a PNG, for
//! `GET /boards/{site}/{board}.png` and for the golden-image tests.

use std::fmt;

use bayline_proto::board::BoardError;
use embedded_graphics::pixelcolor::{BinaryColor, Rgb888};
use embedded_graphics::prelude::*;

use crate::color::Ink;
use crate::profile::{BoardKind, Panel, Profile};
use crate::{render, Board};

/// Rows of grey between the pages of a paged board in a preview.
const PAGE_GAP: u32 = 2;

/// Why a preview could not be made.
#[derive(Debug)]
pub enum PreviewError {
    Decode(BoardError),
    Png(png::EncodingError),
}

impl fmt::Display for PreviewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PreviewError::Decode(e) => write!(f, "cannot decode the board: {e}"),
            PreviewError::Png(e) => write!(f, "cannot write the PNG: {e}"),
        }
    }
}

impl std::error::Error for PreviewError {}

/// Pixels of a preview: 8-bit grey for e-ink, 8-bit RGB for LED.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub rgb: bool,
    pub data: Vec<u8>,
}

/// The board on `profile` as a PNG; a paged board shows every page, one under the other.
pub fn render_png(board: &Board, profile: &Profile) -> Result<Vec<u8>, PreviewError> {
    encode_png(&render_image(board, profile))
}

/// [`render_png`] of an encoded board message of `kind`.
pub fn render_png_encoded(
    kind: BoardKind,
    bytes: &[u8],
    profile: &Profile,
) -> Result<Vec<u8>, PreviewError> {
    let board = Board::decode(kind, bytes).map_err(PreviewError::Decode)?;
    render_png(&board, profile)
}

/// The board on `profile` as pixels.
pub fn render_image(board: &Board, profile: &Profile) -> Image {
    let (w, h) = (u32::from(profile.width), u32::from(profile.height));
    let pages = board.pages(profile) as u32;
    let height = pages * h + (pages - 1) * PAGE_GAP;
    let rgb = profile.panel == Panel::Rgb;
    let mut data = Vec::with_capacity((w * height * if rgb { 3 } else { 1 }) as usize);
    for page in 0..pages {
        if page > 0 {
            let gap = (w * PAGE_GAP * if rgb { 3 } else { 1 }) as usize;
            data.extend(std::iter::repeat_n(60u8, gap));
        }
        if rgb {
            let mut c = Canvas::<Rgb888>::new(w, h);
            let Ok(()) = render(board, profile, page as usize, &mut c);
            data.extend(c.pixels.iter().flat_map(|p| [p.r(), p.g(), p.b()]));
        } else {
            let mut c = Canvas::<BinaryColor>::new(w, h);
            let Ok(()) = render(board, profile, page as usize, &mut c);
            data.extend(c.pixels.iter().map(|p| if p.is_on() { 0 } else { 255 }));
        }
    }
    Image {
        width: w,
        height,
        rgb,
        data,
    }
}

/// Writes an image as PNG.
pub fn encode_png(image: &Image) -> Result<Vec<u8>, PreviewError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, image.width, image.height);
    enc.set_color(if image.rgb {
        png::ColorType::Rgb
    } else {
        png::ColorType::Grayscale
    });
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(PreviewError::Png)?;
    writer
        .write_image_data(&image.data)
        .map_err(PreviewError::Png)?;
    writer.finish().map_err(PreviewError::Png)?;
    Ok(out)
}

/// A plain in-memory draw target.
#[derive(Debug, Clone)]
pub struct Canvas<C> {
    size: Size,
    pub pixels: Vec<C>,
}

impl<C: Ink> Canvas<C> {
    pub fn new(width: u32, height: u32) -> Self {
        Canvas {
            size: Size::new(width, height),
            pixels: vec![C::ink(crate::Role::Background); (width * height) as usize],
        }
    }
}

impl<C: PixelColor> OriginDimensions for Canvas<C> {
    fn size(&self) -> Size {
        self.size
    }
}

impl<C: PixelColor> DrawTarget for Canvas<C> {
    type Color = C;
    type Error = std::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<C>>>(
        &mut self,
        pixels: I,
    ) -> Result<(), Self::Error> {
        for Pixel(p, c) in pixels {
            if p.x >= 0
                && p.y >= 0
                && (p.x as u32) < self.size.width
                && (p.y as u32) < self.size.height
            {
                self.pixels[p.y as usize * self.size.width as usize + p.x as usize] = c;
            }
        }
        Ok(())
    }
}
