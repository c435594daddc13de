//! A black/white e-paper panel for the app: the frame the app draws, pushed whole to an
//! `epd-waveshare` driver on [`show`](Panel::show).

use bayline_display::app::{Panel, Shown};
use bayline_display::MonoFrame;
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use epd_waveshare::prelude::WaveshareDisplay;
use esp_hal::delay::Delay;
use esp_hal::gpio::{Input, Output};
use esp_hal::spi::master::Spi;

/// The panels' SPI device: SPI2 with its chip select.
pub type Spi2 =
    embedded_hal_bus::spi::ExclusiveDevice<Spi<'static, esp_hal::Blocking>, Output<'static>, Delay>;

/// An e-paper of `N` frame bytes behind driver `E`; `T` is `N` for a panel whose controller
/// runs its rows along the frame's columns (the 2.9" tag), 0 for one that does not.
pub struct EPaper<E, const N: usize, const T: usize> {
    frame: MonoFrame<N>,
    /// The frame turned a quarter, as the controller takes it (1 is white).
    turned: [u8; T],
    epd: E,
    spi: Spi2,
    delay: Delay,
}

impl<E, const N: usize, const T: usize> EPaper<E, N, T>
where
    E: WaveshareDisplay<Spi2, Input<'static>, Output<'static>, Output<'static>, Delay>,
{
    /// `None` when `N` bytes do not hold a `width × height` frame.
    pub fn new(epd: E, spi: Spi2, delay: Delay, width: u16, height: u16) -> Option<Self> {
        Some(EPaper {
            frame: MonoFrame::new(width, height)?,
            turned: [0xFF; T],
            epd,
            spi,
            delay,
        })
    }

    fn turn(&mut self) {
        self.turned.fill(0xFF);
        let size = self.frame.size();
        let (w, h) = (size.width as usize, size.height as usize);
        let stride = h.div_ceil(8);
        for x in 0..w {
            for y in 0..h {
                if self.frame.is_ink(Point::new(x as i32, y as i32)) {
                    let px = h - 1 - y;
                    if let Some(b) = self.turned.get_mut(x * stride + px / 8) {
                        *b &= !(0x80 >> (px % 8));
                    }
                }
            }
        }
    }
}

impl<E, const N: usize, const T: usize> OriginDimensions for EPaper<E, N, T> {
    fn size(&self) -> Size {
        self.frame.size()
    }
}

impl<E, const N: usize, const T: usize> DrawTarget for EPaper<E, N, T> {
    type Color = BinaryColor;
    type Error = core::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<BinaryColor>>>(
        &mut self,
        px: I,
    ) -> Result<(), Self::Error> {
        self.frame.draw_iter(px)
    }

    fn fill_solid(
        &mut self,
        area: &embedded_graphics::primitives::Rectangle,
        color: BinaryColor,
    ) -> Result<(), Self::Error> {
        self.frame.fill_solid(area, color)
    }
}

impl<E, const N: usize, const T: usize> Panel for EPaper<E, N, T>
where
    E: WaveshareDisplay<Spi2, Input<'static>, Output<'static>, Output<'static>, Delay>,
{
    async fn show(&mut self, _shown: Shown<'_>) -> Result<(), Self::Error> {
        // A panel error leaves the old picture up; the next change tries again.
        if T > 0 {
            self.turn();
            let _ = self
                .epd
                .update_and_display_frame(&mut self.spi, &self.turned, &mut self.delay);
        } else {
            self.frame.invert();
            let _ = self.epd.update_and_display_frame(
                &mut self.spi,
                self.frame.bytes(),
                &mut self.delay,
            );
            self.frame.invert();
        }
        Ok(())
    }
}
