//! What the three ESP32-C6 displays share: the provisioning, the Wi-Fi and network stack
//! tasks, the MQTT client and the clock. Each binary in `src/bin/` adds its panel and calls
//! [`bayline_display::app::run`], the same loop `bayline display` runs on Linux.
//!
//! # Layout
//! - [`mqtt`]: a read-only MQTT 3.1.1 client over one embassy-net TCP socket.
//! - [`provision`]: Wi-Fi, broker and credentials (today at build time, see the README).
//! - this file: the clock and the Wi-Fi/network tasks.
#![no_std]

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
