//! Bay tag: a 2.9" e-paper (SSD1680 class, Waveshare V2, 296×128 landscape) on an ESP32-C6.
//!
//! Wiring (SPI2): CLK GPIO6, DIN GPIO7, CS GPIO10, DC GPIO11, RST GPIO18, BUSY GPIO19.
#![no_std]
#![no_main]

use bayline_display::profile::TAG_2IN9;
use bayline_display_device::epaper::{EPaper, Wiring};
use bayline_proto::board::BayTag;
use embassy_executor::Spawner;
use epd_waveshare::epd2in9_v2::Epd2in9;
use epd_waveshare::prelude::WaveshareDisplay;
use esp_hal::delay::Delay;
use esp_hal::timer::timg::TimerGroup;

use esp_backtrace as _;

esp_bootloader_esp_idf::esp_app_desc!();

/// 296 × 128 at 1 bit per pixel.
/// Partial-refresh tiles of the profile.
const TILES: usize = 37 * 8;
const FRAME: usize = 296 / 8 * 128;

#[esp_rtos::main]
async fn main(spawner: Spawner) -> ! {
    let p = esp_hal::init(esp_hal::Config::default());
    esp_alloc::heap_allocator!(size: 72 * 1024);
    let timg0 = TimerGroup::new(p.TIMG0);
    esp_rtos::start(timg0.timer0, p.FROM_CPU_INTR0);

    let delay = Delay::new();
    let Wiring {
        mut spi,
        busy,
        dc,
        rst,
    } = bayline_display_device::epaper_pins!(p).wire(delay);
    let mut d = delay;
    let epd = Epd2in9::new(&mut spi, busy, dc, rst, &mut d, None).expect("the e-paper answers");
    let mut panel = EPaper::<_, FRAME, FRAME, TILES>::new(epd, spi, delay, &TAG_2IN9)
        .expect("frame and tiles fit the profile");

    let settings = bayline_display_device::settings(p.FLASH).await;
    let stack = bayline_display_device::network(spawner, p.WIFI, &settings).await;
    bayline_display_device::run::<_, BayTag, 1>(stack, settings, &TAG_2IN9, &mut panel).await
}
