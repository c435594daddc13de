//! Bay tag: a 2.9" e-paper (SSD1680 class, Waveshare V2, 296×128 landscape) on an ESP32-C6.
//!
//! Wiring (SPI2): SCK GPIO6, MOSI GPIO7, CS GPIO10, DC GPIO11, RST GPIO18, BUSY GPIO19.
#![no_std]
#![no_main]

use bayline_display::app::Timer as _;
use bayline_display::app::{self, Config, Display, Panel, Shown};
use bayline_display::profile::TAG_2IN9;
use bayline_display::MonoFrame;
use bayline_display_device::{mqtt::Mqtt, net_task, provision, wifi_task, Clock};
use embassy_executor::Spawner;
use embassy_net::tcp::TcpSocket;
use embassy_net::StackResources;
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use epd_waveshare::epd2in9_v2::Epd2in9;
use epd_waveshare::prelude::WaveshareDisplay;
use esp_hal::delay::Delay;
use esp_hal::gpio::{Input, InputConfig, Level, Output, OutputConfig};
use esp_hal::spi::master::{Config as SpiConfig, Spi};
use esp_hal::time::Rate;
use esp_hal::timer::timg::TimerGroup;
use esp_radio::wifi::sta::StationConfig;
use esp_radio::wifi::{AuthenticationMethodConfig, ControllerConfig, Interface, WifiController};
use static_cell::StaticCell;

use esp_backtrace as _;

esp_bootloader_esp_idf::esp_app_desc!();

/// 296 × 128 at 1 bit per pixel.
const FRAME: usize = 296 / 8 * 128;

type Spi2 =
    embedded_hal_bus::spi::ExclusiveDevice<Spi<'static, esp_hal::Blocking>, Output<'static>, Delay>;
type Epd = Epd2in9<Spi2, Input<'static>, Output<'static>, Output<'static>, Delay>;

/// The tag's panel: the frame the app draws in landscape, turned to the controller's
/// portrait rows on the way out.
struct Tag {
    frame: MonoFrame<FRAME>,
    portrait: [u8; FRAME],
    epd: Epd,
    spi: Spi2,
    delay: Delay,
}

impl OriginDimensions for Tag {
    fn size(&self) -> Size {
        self.frame.size()
    }
}

impl DrawTarget for Tag {
    type Color = BinaryColor;
    type Error = core::convert::Infallible;
    fn draw_iter<I: IntoIterator<Item = Pixel<BinaryColor>>>(
        &mut self,
        px: I,
    ) -> Result<(), Self::Error> {
        self.frame.draw_iter(px)
    }
}

impl Panel for Tag {
    async fn show(&mut self, _shown: Shown<'_>) -> Result<(), Self::Error> {
        // The controller's rows run along the landscape frame's columns (the frame turned a
        // quarter turn), and it takes 1 for white.
        self.portrait.fill(0xFF);
        for x in 0..296i32 {
            for y in 0..128i32 {
                if self.frame.is_ink(Point::new(x, y)) {
                    let (px, py) = (127 - y as usize, x as usize);
                    self.portrait[py * 16 + px / 8] &= !(0x80 >> (px % 8));
                }
            }
        }
        // A panel error leaves the old picture up; the next change tries again.
        let _ = self
            .epd
            .update_and_display_frame(&mut self.spi, &self.portrait, &mut self.delay);
        Ok(())
    }
}

#[esp_rtos::main]
async fn main(spawner: Spawner) -> ! {
    let peripherals = esp_hal::init(esp_hal::Config::default());
    esp_alloc::heap_allocator!(size: 72 * 1024);
    let timg0 = TimerGroup::new(peripherals.TIMG0);
    esp_rtos::start(timg0.timer0, peripherals.FROM_CPU_INTR0);

    let station = StationConfig::default()
        .with_ssid(provision::WIFI_SSID.try_into().unwrap_or_default())
        .with_authentication(AuthenticationMethodConfig::Wpa2Personal(
            provision::WIFI_PASSWORD.try_into().unwrap_or_default(),
        ));
    let mut controller = match WifiController::new(peripherals.WIFI, ControllerConfig::default()) {
        Ok(c) => c,
        Err(_) => halt().await,
    };
    let _ = controller.set_config(&esp_radio::wifi::Config::Station(station));
    let rng = esp_hal::rng::Rng::new();
    let seed = (u64::from(rng.random()) << 32) | u64::from(rng.random());
    static RESOURCES: StaticCell<StackResources<3>> = StaticCell::new();
    let (stack, runner) = embassy_net::new(
        Interface::station(),
        embassy_net::Config::dhcpv4(Default::default()),
        RESOURCES.init(StackResources::new()),
        seed,
    );
    // Setup faults at boot panic: esp-backtrace prints why and the chip restarts.
    spawner.spawn(wifi_task(controller).expect("one Wi-Fi task"));
    spawner.spawn(net_task(runner).expect("one network task"));

    let delay = Delay::new();
    let spi = Spi::new(
        peripherals.SPI2,
        SpiConfig::default().with_frequency(Rate::from_mhz(4)),
    )
    .expect("SPI2 at 4 MHz")
    .with_sck(peripherals.GPIO6)
    .with_mosi(peripherals.GPIO7);
    let cs = Output::new(peripherals.GPIO10, Level::High, OutputConfig::default());
    let mut spi = embedded_hal_bus::spi::ExclusiveDevice::new(spi, cs, delay).expect("CS pin");
    let dc = Output::new(peripherals.GPIO11, Level::Low, OutputConfig::default());
    let rst = Output::new(peripherals.GPIO18, Level::High, OutputConfig::default());
    let busy = Input::new(peripherals.GPIO19, InputConfig::default());
    let mut d = delay;
    let Ok(epd) = Epd2in9::new(&mut spi, busy, dc, rst, &mut d, None) else {
        halt().await
    };
    let Some(frame) = MonoFrame::new(296, 128) else {
        halt().await
    };
    let mut panel = Tag {
        frame,
        portrait: [0xFF; FRAME],
        epd,
        spi,
        delay,
    };

    static RX: StaticCell<[u8; 2048]> = StaticCell::new();
    static TX: StaticCell<[u8; 512]> = StaticCell::new();
    let socket = TcpSocket::new(stack, RX.init([0; 2048]), TX.init([0; 512]));
    let Some(broker) = provision::broker() else {
        halt().await
    };
    let mut net = Mqtt::new(
        socket,
        broker,
        provision::DISPLAY_ID,
        provision::DISPLAY_ID,
        provision::DISPLAY_SECRET,
    );
    let mut clock = Clock;
    let config = Config {
        site: provision::SITE,
        board: provision::BOARD.unwrap_or("bay/B01"),
        profile: &TAG_2IN9,
        offline_after_ms: 60_000,
        page_ms: 8_000,
    };
    let mut app = Display::<1>::new(config, clock.now());
    stack.wait_config_up().await;
    let Err(never) = app::run(&mut app, &mut net, &mut clock, &mut panel).await;
    match never {}
}

/// A setup that cannot work (bad provisioning, no panel): stop here, visibly on a debugger.
async fn halt() -> ! {
    loop {
        embassy_time::Timer::after(embassy_time::Duration::from_secs(3600)).await;
    }
}
