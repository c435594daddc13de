//! What the three ESP32-C6 displays share: the provisioning, the Wi-Fi and network stack
//! tasks, the MQTT client and the clock. Each binary in `src/bin/` adds its panel and calls
//! [`bayline_display::app::run`], the same loop `bayline display` runs on Linux.
//!
//! # Layout
//! - [`epaper`]: the e-paper panels (bay tag, lounge) over `epd-waveshare`.
//! - [`mqtt`]: a read-only MQTT 3.1.1 client over one embassy-net TCP socket.
//! - [`provision`]: Wi-Fi, broker and credentials, read from the `bayline` flash partition.
//! - this file: the clock, Wi-Fi and the network stack, and [`run`].
#![no_std]

pub mod epaper;
pub mod mqtt;
pub mod provision;

use bayline_display::app::{Now, Timer};
use embassy_net::Runner;
use esp_radio::wifi::{Interface, WifiController};

/// The monotonic clock; no wall clock (no SNTP yet): the offline mark reckons its time from
/// the last model's own clock.
#[derive(Debug, Default)]
pub struct Clock;

impl Timer for Clock {
    fn now(&self) -> Now {
        Now {
            ms: embassy_time::Instant::now().as_millis(),
            wall: None,
        }
    }

    async fn sleep_until(&mut self, ms: u64) {
        embassy_time::Timer::at(embassy_time::Instant::from_millis(ms.min(u64::MAX / 2))).await;
    }
}

/// Keeps the station associated: connects, waits for the drop, connects again after a pause.
#[embassy_executor::task]
pub async fn wifi_task(mut controller: WifiController<'static>) {
    loop {
        if controller.connect_async().await.is_ok() {
            let _ = controller.wait_for_disconnect_async().await;
        }
        embassy_time::Timer::after(embassy_time::Duration::from_secs(2)).await;
    }
}

/// Runs the network stack.
#[embassy_executor::task]
pub async fn net_task(mut runner: Runner<'static, Interface>) {
    runner.run().await
}

/// Brings up Wi-Fi (station, the provisioned network) and the network stack; returns the
/// stack once it has an address.
pub async fn network(
    spawner: embassy_executor::Spawner,
    wifi: esp_hal::peripherals::WIFI<'static>,
    settings: &bayline_display::app::provision::Provision<'static>,
) -> embassy_net::Stack<'static> {
    use esp_radio::wifi::sta::StationConfig;
    use esp_radio::wifi::{AuthenticationMethodConfig, ControllerConfig};
    use static_cell::StaticCell;

    let station = StationConfig::default()
        .with_ssid(settings.wifi_ssid.try_into().unwrap_or_default())
        .with_authentication(AuthenticationMethodConfig::Wpa2Personal(
            settings.wifi_password.try_into().unwrap_or_default(),
        ));
    // Setup faults at boot panic: esp-backtrace prints why and the chip restarts.
    let mut controller =
        WifiController::new(wifi, ControllerConfig::default()).expect("the Wi-Fi radio");
    controller
        .set_config(&esp_radio::wifi::Config::Station(station))
        .expect("a station configuration");
    let rng = esp_hal::rng::Rng::new();
    let seed = (u64::from(rng.random()) << 32) | u64::from(rng.random());
    static RESOURCES: StaticCell<embassy_net::StackResources<3>> = StaticCell::new();
    let (stack, runner) = embassy_net::new(
        Interface::station(),
        embassy_net::Config::dhcpv4(Default::default()),
        RESOURCES.init(embassy_net::StackResources::new()),
        seed,
    );
    spawner.spawn(wifi_task(controller).expect("one Wi-Fi task"));
    spawner.spawn(net_task(runner).expect("one network task"));
    stack.wait_config_up().await;
    stack
}

/// Runs the display app on `panel` for the provisioned board until the panel fails (it
/// does not: e-paper errors are retried on the next frame).
pub async fn run<D, M: bayline_display::Model, const P: usize>(
    stack: embassy_net::Stack<'static>,
    settings: bayline_display::app::provision::Provision<'static>,
    profile: &'static bayline_display::Profile,
    panel: &mut D,
) -> !
where
    D: bayline_display::app::Panel<Error = core::convert::Infallible>,
    D::Color: bayline_display::Ink,
{
    use static_cell::StaticCell;
    static RX: StaticCell<[u8; 2048]> = StaticCell::new();
    static TX: StaticCell<[u8; 512]> = StaticCell::new();
    let socket = embassy_net::tcp::TcpSocket::new(stack, RX.init([0; 2048]), TX.init([0; 512]));
    let Some(broker) = provision::broker(settings.broker) else {
        stop("the provisioned broker is not a.b.c.d:port").await
    };
    let mut net = mqtt::Mqtt::new(
        socket,
        broker,
        settings.display_id,
        settings.display_id,
        settings.secret,
    );
    let mut clock = Clock;
    let config = bayline_display::app::Config {
        site: settings.site,
        board: settings.board,
        profile,
        offline_after_ms: 60_000,
        page_ms: 8_000,
        // The LED workshop wall blinks an unanswered andon call; e-paper does not.
        blink_ms: bayline_display::app::blink_ms(profile),
    };
    if config.kind() != profile.board {
        stop("the provisioned board is not one this binary draws").await
    }
    let mut app = bayline_display::app::Display::<P, M>::new(config, clock.now());
    let Err(never) = bayline_display::app::run(&mut app, &mut net, &mut clock, panel).await;
    match never {}
}

/// Reads the provisioning record, or stops with a word on the serial console: a display
/// that was never provisioned has nothing to connect to.
pub async fn settings(
    flash: esp_hal::peripherals::FLASH<'static>,
) -> bayline_display::app::provision::Provision<'static> {
    match provision::read(flash) {
        Ok(p) => p,
        Err(e) => {
            esp_println::println!("{e}: write one with `bayline display-config` and espflash");
            stop("not provisioned").await
        }
    }
}

/// Stops the display here, saying why on the serial console now and then.
pub async fn stop(why: &str) -> ! {
    loop {
        esp_println::println!("bayline display stopped: {why}");
        embassy_time::Timer::after(embassy_time::Duration::from_secs(60)).await;
    }
}
