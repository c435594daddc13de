//! Lounge: a 7.5" e-paper (UC8179 class, Waveshare V2, 800×480) on an ESP32-C6.
//!
//! Wiring (SPI2, through the panel's driver HAT): CLK GPIO6, DIN GPIO7, CS GPIO10, DC GPIO11,
//! RST GPIO18, BUSY GPIO19.
#![no_std]
#![no_main]

use bayline_display::profile::LOUNGE_7IN5;
use bayline_proto::board::Lounge;
use epd_waveshare::epd7in5_v2::Epd7in5;

use esp_backtrace as _;

bayline_display_device::epaper_main! {
    driver: Epd7in5,
    profile: LOUNGE_7IN5,
    // 800 × 480 at 1 bit per pixel, flipped in place (no second 48 KB buffer).
    frame: 800 / 8 * 480,
    turned: 0,
    // Partial-refresh tiles of the profile.
    tiles: 20 * 20,
    // The lounge's own model only (560 B a page, not a workshop page's 8 KB): 16 pages,
    // 128 cars.
    model: Lounge,
    pages: 16,
}
