//! A black/white e-paper panel for the app: the frame the app draws, pushed to an
//! `epd-waveshare` driver on [`show`](Panel::show). The shared [`Refresher`] decides from
//! its tile hashes: nothing when no tile changed, the quick (non-flashing) waveform for a
//! change where the controller has one, a full refresh every
//! [`DEFAULT_FULL_EVERY`](bayline_display::refresh::DEFAULT_FULL_EVERY) quick ones against
//! ghosting. The drivers push whole frames: windowed partial writes are not in
//! `epd-waveshare` 0.6 for these panels.

use bayline_display::app::{Panel, Shown};
use bayline_display::{MonoFrame, Profile, Refresh, Refresher};
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use epd_waveshare::epd2in9_v2::Epd2in9;
use epd_waveshare::epd7in5_v2::Epd7in5;
use epd_waveshare::prelude::{QuickRefresh, WaveshareDisplay};
use esp_hal::delay::Delay;
use esp_hal::gpio::{Input, InputConfig, Level, Output, OutputConfig};
use esp_hal::peripherals::{GPIO10, GPIO11, GPIO18, GPIO19, GPIO6, GPIO7, SPI2};
use esp_hal::spi::master::{Config as SpiConfig, Spi};
use esp_hal::time::Rate;

/// The panels' SPI device: SPI2 with its chip select.
pub type Spi2 =
    embedded_hal_bus::spi::ExclusiveDevice<Spi<'static, esp_hal::Blocking>, Output<'static>, Delay>;

/// The pins every e-paper board is wired to (SPI2 through the panel's driver HAT): CLK
/// GPIO6, DIN GPIO7, CS GPIO10, DC GPIO11, RST GPIO18, BUSY GPIO19.
pub struct Pins {
    pub spi2: SPI2<'static>,
    pub clk: GPIO6<'static>,
    pub din: GPIO7<'static>,
    pub cs: GPIO10<'static>,
    pub dc: GPIO11<'static>,
    pub rst: GPIO18<'static>,
    pub busy: GPIO19<'static>,
}

/// The [`Pins`] out of the chip's peripherals `p`, leaving the rest of them to the caller.
#[macro_export]
macro_rules! epaper_pins {
    ($p:ident) => {
        $crate::epaper::Pins {
            spi2: $p.SPI2,
            clk: $p.GPIO6,
            din: $p.GPIO7,
            cs: $p.GPIO10,
            dc: $p.GPIO11,
            rst: $p.GPIO18,
            busy: $p.GPIO19,
        }
    };
}

/// The `main` of an e-paper display: boot, wire the panel ([`Pins`]), join the Wi-Fi and run
/// the app keeping `pages` pages of `model`. The tag and the lounge differ only in these.
#[macro_export]
macro_rules! epaper_main {
    (
        driver: $epd:ident,
        profile: $profile:expr,
        frame: $frame:expr,
        turned: $turned:expr,
        tiles: $tiles:expr,
        model: $model:ty,
        pages: $pages:expr $(,)?
    ) => {
        esp_bootloader_esp_idf::esp_app_desc!();

        #[esp_rtos::main]
        async fn main(spawner: embassy_executor::Spawner) -> ! {
            use epd_waveshare::prelude::WaveshareDisplay as _;

            let p = esp_hal::init(esp_hal::Config::default());
            // 72 KiB for esp-radio's Wi-Fi buffers and the MQTT session.
            esp_alloc::heap_allocator!(size: 72 * 1024);
            let timg0 = esp_hal::timer::timg::TimerGroup::new(p.TIMG0);
            esp_rtos::start(timg0.timer0, p.FROM_CPU_INTR0);

            let delay = esp_hal::delay::Delay::new();
            let $crate::epaper::Wiring {
                mut spi,
                busy,
                dc,
                rst,
            } = $crate::epaper_pins!(p).wire(delay);
            let mut d = delay;
            let epd = $epd::new(&mut spi, busy, dc, rst, &mut d, None).expect("the e-paper answers");
            let mut panel = $crate::epaper::EPaper::<_, { $frame }, { $turned }, { $tiles }>::new(
                epd, spi, delay, &$profile,
            )
            .expect("frame and tiles fit the profile");

            let settings = $crate::settings(p.FLASH).await;
            let stack = $crate::network(spawner, p.WIFI, &settings).await;
            $crate::run::<_, $model, { $pages }>(stack, settings, &$profile, &mut panel).await
        }
    };
}

/// The pins set up for an `epd-waveshare` driver's `new`.
pub struct Wiring {
    pub spi: Spi2,
    pub busy: Input<'static>,
    pub dc: Output<'static>,
    pub rst: Output<'static>,
}

impl Pins {
    /// SPI2 at 4 MHz with its chip select, and the control lines. A wiring fault at boot
    /// panics: esp-backtrace prints why and the chip restarts.
    pub fn wire(self, delay: Delay) -> Wiring {
        let spi = Spi::new(
            self.spi2,
            SpiConfig::default().with_frequency(Rate::from_mhz(4)),
        )
        .expect("SPI2 at 4 MHz")
        .with_sck(self.clk)
        .with_mosi(self.din);
        let cs = Output::new(self.cs, Level::High, OutputConfig::default());
        Wiring {
            spi: embedded_hal_bus::spi::ExclusiveDevice::new(spi, cs, delay).expect("CS pin"),
            busy: Input::new(self.busy, InputConfig::default()),
            dc: Output::new(self.dc, Level::Low, OutputConfig::default()),
            rst: Output::new(self.rst, Level::High, OutputConfig::default()),
        }
    }
}

/// How a controller takes a whole frame: `previous` is what it shows now (the quick
/// waveform drives only the pixels that differ). Errors leave the old picture up; the
/// next change tries again.
pub trait Glass {
    fn full(&mut self, spi: &mut Spi2, frame: &[u8], delay: &mut Delay);
    fn quick(&mut self, spi: &mut Spi2, previous: &[u8], frame: &[u8], delay: &mut Delay) {
        let _ = previous;
        self.full(spi, frame, delay);
    }
}

type Tag = Epd2in9<Spi2, Input<'static>, Output<'static>, Output<'static>, Delay>;

impl Glass for Tag {
    fn full(&mut self, spi: &mut Spi2, frame: &[u8], delay: &mut Delay) {
        // Both RAMs hold the base picture after a full refresh, as the quick waveform needs.
        let _ = self.update_old_frame(spi, frame, delay);
        let _ = self.update_and_display_frame(spi, frame, delay);
    }

    fn quick(&mut self, spi: &mut Spi2, previous: &[u8], frame: &[u8], delay: &mut Delay) {
        let _ = self.update_old_frame(spi, previous, delay);
        let _ = self.update_and_display_new_frame(spi, frame, delay);
    }
}

impl Glass for Epd7in5<Spi2, Input<'static>, Output<'static>, Output<'static>, Delay> {
    fn full(&mut self, spi: &mut Spi2, frame: &[u8], delay: &mut Delay) {
        let _ = self.update_and_display_frame(spi, frame, delay);
    }
}

/// An e-paper of `N` frame bytes behind driver `E`; `T` is `N` for a panel whose controller
/// runs its rows along the frame's columns (the 2.9" tag), 0 for one that does not.
pub struct EPaper<E, const N: usize, const T: usize, const TILES: usize> {
    frame: MonoFrame<N>,
    refresher: Refresher<TILES>,
    /// The frame turned a quarter, as the controller takes it (1 is white).
    turned: [u8; T],
    epd: E,
    spi: Spi2,
    delay: Delay,
}

impl<E: Glass, const N: usize, const T: usize, const TILES: usize> EPaper<E, N, T, TILES> {
    /// `None` when `N` bytes do not hold the profile's frame or `TILES` its tiles.
    pub fn new(epd: E, spi: Spi2, delay: Delay, profile: &Profile) -> Option<Self> {
        Some(EPaper {
            frame: MonoFrame::new(profile.width, profile.height)?,
            refresher: Refresher::new(profile).ok()?,
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

impl<E, const N: usize, const T: usize, const TILES: usize> OriginDimensions
    for EPaper<E, N, T, TILES>
{
    fn size(&self) -> Size {
        self.frame.size()
    }
}

impl<E, const N: usize, const T: usize, const TILES: usize> DrawTarget for EPaper<E, N, T, TILES> {
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

impl<E: Glass, const N: usize, const T: usize, const TILES: usize> Panel
    for EPaper<E, N, T, TILES>
{
    async fn show(&mut self, _shown: Shown<'_>) -> Result<(), Self::Error> {
        let plan = self.refresher.plan(&self.frame);
        if plan == Refresh::Nothing {
            return Ok(());
        }
        let full = matches!(plan, Refresh::Full { .. });
        if T > 0 {
            // The turned frame of the last push is what the panel shows: the quick
            // waveform's "previous", copied to the stack before the new frame is turned.
            let mut previous = [0u8; T];
            previous.copy_from_slice(&self.turned);
            self.turn();
            if full {
                self.epd.full(&mut self.spi, &self.turned, &mut self.delay);
            } else {
                self.epd
                    .quick(&mut self.spi, &previous, &self.turned, &mut self.delay);
            }
        } else {
            self.frame.invert();
            self.epd
                .full(&mut self.spi, self.frame.bytes(), &mut self.delay);
            self.frame.invert();
        }
        Ok(())
    }
}
