//! Bay tag: a 2.9" e-paper (SSD1680 class, Waveshare V2, 296×128 landscape) on an ESP32-C6.
//!
//! Wiring (SPI2): CLK GPIO6, DIN GPIO7, CS GPIO10, DC GPIO11, RST GPIO18, BUSY GPIO19.
#![no_std]
#![no_main]

use bayline_display::profile::TAG_2IN9;
use bayline_proto::board::BayTag;
use epd_waveshare::epd2in9_v2::Epd2in9;

use esp_backtrace as _;

bayline_display_device::epaper_main! {
    driver: Epd2in9,
    profile: TAG_2IN9,
    // 296 × 128 at 1 bit per pixel, and the same turned a quarter for the controller.
    frame: 296 / 8 * 128,
    turned: 296 / 8 * 128,
    // Partial-refresh tiles of the profile.
    tiles: 37 * 8,
    // A tag's board has one page.
    model: BayTag,
    pages: 1,
}
