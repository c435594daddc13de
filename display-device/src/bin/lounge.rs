//! Lounge: a 7.5" e-paper (UC8179 class, Waveshare V2, 800×480) on an ESP32-C6.
//!
//! Wiring (SPI2, through the panel's driver HAT): CLK GPIO6, DIN GPIO7, CS GPIO10, DC GPIO11,
//! RST GPIO18, BUSY GPIO19.
#![no_std]
#![no_main]

use bayline_display::profile::LOUNGE_7IN5;
use bayline_display_device::epaper::{EPaper, Wiring};
use bayline_proto::board::Lounge;
use embassy_executor::Spawner;
use epd_waveshare::epd7in5_v2::Epd7in5;
use epd_waveshare::prelude::WaveshareDisplay;
use esp_hal::delay::Delay;
use esp_hal::timer::timg::TimerGroup;

use esp_backtrace as _;

esp_bootloader_esp_idf::esp_app_desc!();

/// 800 × 480 at 1 bit per pixel.
/// Partial-refresh tiles of the profile.
const TILES: usize = 20 * 20;
const FRAME: usize = 800 / 8 * 480;

#[esp_rtos::main]
async fn main(spawner: Spawner) -> ! {
    let p = esp_hal::init(esp_hal::Config::default());
    // 64 KiB for Wi-Fi and TLS: the frame buffers and board models already hold most of
    // the 256 KiB static RAM budget (the andon calls and row marks grew the models).
    esp_alloc::heap_allocator!(size: 64 * 1024);
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
    let epd = Epd7in5::new(&mut spi, busy, dc, rst, &mut d, None).expect("the e-paper answers");
    let mut panel = EPaper::<_, FRAME, 0, TILES>::new(epd, spi, delay, &LOUNGE_7IN5)
        .expect("frame and tiles fit the profile");

    let settings = bayline_display_device::settings(p.FLASH).await;
    let stack = bayline_display_device::network(spawner, p.WIFI, &settings).await;
    // The lounge's own model only (560 B a page, not a workshop page's 8 KB): 16 pages,
    // 128 cars.
    bayline_display_device::run::<_, Lounge, 16>(stack, settings, &LOUNGE_7IN5, &mut panel).await
}
