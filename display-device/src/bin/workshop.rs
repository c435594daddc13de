//! Workshop wall: HUB75 RGB LED, 128×64 (1/32 scan), driven through PARL_IO by `esp-hub75`
//! with two frame buffers: the app draws into the back one, which is swapped in whole at a
//! frame boundary, so a page turn never tears.
//!
//! Wiring (HUB75 connector → ESP32-C6): R1 GPIO19, G1 GPIO20, B1 GPIO21, R2 GPIO22,
//! G2 GPIO23, B2 GPIO15, A GPIO10, B GPIO8, C GPIO1, D GPIO0, E GPIO11, OE GPIO5,
//! CLK GPIO7, LAT GPIO6.
#![no_std]
#![no_main]

use bayline_display::app::{Panel, Shown};
use bayline_display::profile::HUB75_128X64;
use bayline_proto::board::Workshop;
use embassy_executor::Spawner;
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;
use esp_hal::gpio::Pin;
use esp_hal::timer::timg::TimerGroup;
use esp_hub75::framebuffer::bitplane::plain::DmaFrameBuffer;
use esp_hub75::framebuffer::compute_rows;
use esp_hub75::{Hub75, Hub75Config, Hub75Pins16};
use static_cell::StaticCell;

use esp_backtrace as _;

esp_bootloader_esp_idf::esp_app_desc!();

const ROWS: usize = 64;
const COLS: usize = 128;
/// Colour depth per channel: 3 bit planes (8 levels) are enough for the boards' seven
/// colours and keep two frame buffers in RAM.
const PLANES: usize = 3;
type Frame = DmaFrameBuffer<{ compute_rows(ROWS) }, COLS, PLANES>;

/// The LED wall for the app: draws into `back`, shows by swapping it in.
struct Wall {
    hub: Hub75<esp_hal::Async, Frame>,
    back: Option<&'static mut Frame>,
}

impl OriginDimensions for Wall {
    fn size(&self) -> Size {
        Size::new(COLS as u32, ROWS as u32)
    }
}

impl DrawTarget for Wall {
    type Color = Rgb888;
    type Error = core::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<Rgb888>>>(
        &mut self,
        px: I,
    ) -> Result<(), Self::Error> {
        match self.back.as_deref_mut() {
            Some(fb) => fb.draw_iter(px),
            None => Ok(()),
        }
    }
}

impl Panel for Wall {
    async fn show(&mut self, _shown: Shown<'_>) -> Result<(), Self::Error> {
        let Some(fb) = self.back.take() else {
            return Ok(());
        };
        // Either way a buffer comes back: the old front on success, ours on a DMA error.
        self.back = Some(match self.hub.swap(fb) {
            Ok(mut swap) => {
                swap.wait_for_done().await;
                match swap.wait() {
                    Ok(old) | Err((_, old)) => old,
                }
            }
            Err((_, fb)) => fb,
        });
        Ok(())
    }
}

#[esp_rtos::main]
async fn main(spawner: Spawner) -> ! {
    let p =
        esp_hal::init(esp_hal::Config::default().with_cpu_clock(esp_hal::clock::CpuClock::max()));
    // 64 KiB for Wi-Fi and TLS: the frame buffers and board models already hold most of
    // the 256 KiB static RAM budget (the andon calls and row marks grew the models).
    esp_alloc::heap_allocator!(size: 64 * 1024);
    let timg0 = TimerGroup::new(p.TIMG0);
    esp_rtos::start(timg0.timer0, p.FROM_CPU_INTR0);

    let pins = Hub75Pins16 {
        red1: p.GPIO19.degrade(),
        grn1: p.GPIO20.degrade(),
        blu1: p.GPIO21.degrade(),
        red2: p.GPIO22.degrade(),
        grn2: p.GPIO23.degrade(),
        blu2: p.GPIO15.degrade(),
        addr0: p.GPIO10.degrade(),
        addr1: p.GPIO8.degrade(),
        addr2: p.GPIO1.degrade(),
        addr3: p.GPIO0.degrade(),
        addr4: p.GPIO11.degrade(),
        blank: p.GPIO5.degrade(),
        clock: p.GPIO7.degrade(),
        latch: p.GPIO6.degrade(),
    };
    static FRONT: StaticCell<Frame> = StaticCell::new();
    static BACK: StaticCell<Frame> = StaticCell::new();
    let front: &'static Frame = FRONT.init(Frame::new());
    let back = BACK.init(Frame::new());
    let descriptors = esp_hub75::hub75_dma_descriptors!(Frame);
    // Setup faults at boot panic: esp-backtrace prints why and the chip restarts.
    let hub = Hub75::new_async(
        p.PARL_IO,
        pins,
        p.DMA_CH0,
        descriptors,
        Hub75Config::new(),
        front,
    )
    .expect("the HUB75 output starts");
    let mut wall = Wall {
        hub,
        back: Some(back),
    };

    let settings = bayline_display_device::settings(p.FLASH).await;
    let stack = bayline_display_device::network(spawner, p.WIFI, &settings).await;
    // Six kept pages (144 bays): a workshop page is about 8 KB, and the static RAM budget
    // has room for six beside the two frame buffers and the heap.
    bayline_display_device::run::<_, Workshop, 6>(stack, settings, &HUB75_128X64, &mut wall).await
}
