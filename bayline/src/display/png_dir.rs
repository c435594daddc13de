//! The PNG folder `bayline display` uses as its panel.

use std::fmt::Write as _;
use std::path::PathBuf;

use bayline_display::app::{self, Panel, Shown};
use bayline_display::preview::{encode_png, Canvas, Image};
use bayline_display::{Ink, Profile};
use embedded_graphics::pixelcolor::{BinaryColor, Rgb888};
use embedded_graphics::prelude::*;

/// Pixels of a frame as 8-bit grey (e-ink) or RGB (LED).
pub trait PngPixel: Ink {
    const RGB: bool;
    fn push(self, out: &mut Vec<u8>);
}

impl PngPixel for BinaryColor {
    const RGB: bool = false;
    fn push(self, out: &mut Vec<u8>) {
        out.push(if self.is_on() { 0 } else { 255 });
    }
}

impl PngPixel for Rgb888 {
    const RGB: bool = true;
    fn push(self, out: &mut Vec<u8>) {
        out.extend([self.r(), self.g(), self.b()]);
    }
}

/// A panel that writes each frame it is shown into a folder.
pub struct PngDir<C> {
    canvas: Canvas<C>,
    dir: PathBuf,
    frames: u64,
}

impl<C: PngPixel> PngDir<C> {
    pub fn new(p: &Profile, dir: PathBuf) -> Self {
        PngDir {
            canvas: Canvas::new(p.width.into(), p.height.into()),
            dir,
            frames: 0,
        }
    }
}

impl<C: PngPixel> OriginDimensions for PngDir<C> {
    fn size(&self) -> Size {
        self.canvas.size()
    }
}

impl<C: PngPixel> DrawTarget for PngDir<C> {
    type Color = C;
    type Error = std::io::Error;

    fn draw_iter<I: IntoIterator<Item = Pixel<C>>>(&mut self, pixels: I) -> std::io::Result<()> {
        let Ok(()) = self.canvas.draw_iter(pixels);
        Ok(())
    }
}

impl<C: PngPixel> Panel for PngDir<C> {
    async fn show(&mut self, shown: Shown<'_>) -> std::io::Result<()> {
        self.frames += 1;
        let size = self.canvas.size();
        let mut data = Vec::with_capacity(self.canvas.pixels.len() * if C::RGB { 3 } else { 1 });
        for &p in &self.canvas.pixels {
            p.push(&mut data);
        }
        let image = Image {
            width: size.width,
            height: size.height,
            rgb: C::RGB,
            data,
        };
        let png = encode_png(&image).map_err(std::io::Error::other)?;
        let base = self.dir.join(format!("frame-{:06}", self.frames));
        let mut about = format!("screen {}/{}\n", shown.screen + 1, shown.screens.max(1));
        if let Some(off) = shown.offline {
            let _ = writeln!(about, "{}", app::mark::offline_text(off, true));
        }
        match shown.board {
            Some(b) => {
                let _ = writeln!(about, "{b:#?}");
            }
            None => about.push_str("waiting for the board\n"),
        }
        let png_path = base.with_extension("png");
        // The model first, so a reader that sees the PNG finds its model beside it.
        tokio::fs::write(base.with_extension("txt"), about).await?;
        tokio::fs::write(&png_path, png).await?;
        println!("frame {}", png_path.display());
        tracing::debug!(
            frame = self.frames,
            offline = shown.offline.is_some(),
            "frame written"
        );
        Ok(())
    }
}
