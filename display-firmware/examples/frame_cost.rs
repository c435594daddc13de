//! Draws one full lounge frame (1-bit) or one workshop frame (RGB565) in a loop-free run,
//! for `valgrind --tool=callgrind`: `frame_cost lounge|workshop|none` (none = baseline).

use bayline_display::profile::{HUB75_128X64, LOUNGE_7IN5};
use bayline_display::{fixtures, lounge, workshop, MonoFrame};
use bayline_proto::Language;
use embedded_graphics::pixelcolor::{Rgb565, RgbColor};
use embedded_graphics::prelude::*;

/// A 128×64 RGB565 frame like the HUB75 driver keeps.
struct LedFrame([Rgb565; 128 * 64]);

impl OriginDimensions for LedFrame {
    fn size(&self) -> Size {
        Size::new(128, 64)
    }
}

impl DrawTarget for LedFrame {
    type Color = Rgb565;
    type Error = core::convert::Infallible;
    fn draw_iter<I: IntoIterator<Item = Pixel<Rgb565>>>(
        &mut self,
        px: I,
    ) -> Result<(), Self::Error> {
        for Pixel(p, c) in px {
            if (0..128).contains(&p.x) && (0..64).contains(&p.y) {
                self.0[p.y as usize * 128 + p.x as usize] = c;
            }
        }
        Ok(())
    }
}

fn main() {
    let what = std::env::args().nth(1).unwrap_or_default();
    let lounge_model = fixtures::lounge(Language::Zh);
    let workshop_model = fixtures::workshop(Language::Zh);
    let mono = MonoFrame::<48_000>::new(800, 480)
        .expect("800×480 at 1 bit per pixel is exactly the 48,000-byte buffer");
    let mut mono = Box::new(mono);
    let mut led = Box::new(LedFrame([Rgb565::BLACK; 128 * 64]));
    match what.as_str() {
        "lounge" => {
            let Ok(()) = lounge::render(&lounge_model, &LOUNGE_7IN5, mono.as_mut());
        }
        "workshop" => {
            let Ok(()) = workshop::render(&workshop_model, &HUB75_128X64, 0, led.as_mut());
        }
        _ => {}
    }
    println!(
        "{}",
        mono.bytes()[1000] as usize + led.0[100].into_storage() as usize
    );
}
