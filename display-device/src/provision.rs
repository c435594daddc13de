//! The device's settings, read at boot from the `bayline` flash partition
//! (`partitions.csv`), where a technician writes the record `bayline display-config` makes:
//! no rebuild to change Wi-Fi, broker or credentials.

use bayline_display::app::provision::{Provision, ProvisionError};
use esp_storage::FlashStorage;
use static_cell::StaticCell;

/// Where the `bayline` partition starts (`partitions.csv`).
pub const OFFSET: u32 = 0x3F_0000;
/// A record is at most 4 + 7 × 256 + 2 bytes.
const RECORD: usize = 1800;

/// Reads the record; it lives as long as the device runs.
pub fn read(
    flash: esp_hal::peripherals::FLASH<'static>,
) -> Result<Provision<'static>, ProvisionError> {
    static BYTES: StaticCell<[u8; RECORD]> = StaticCell::new();
    let bytes = BYTES.init([0xFF; RECORD]);
    let mut storage = FlashStorage::new(flash);
    storage
        .read(OFFSET, bytes)
        .map_err(|_| ProvisionError::Missing)?;
    Provision::decode(bytes)
}

/// The broker as an endpoint; `None` when it is not `a.b.c.d:port`.
pub fn broker(text: &str) -> Option<embassy_net::IpEndpoint> {
    let (ip, port) = text.rsplit_once(':')?;
    let mut octets = [0u8; 4];
    let mut parts = ip.split('.');
    for o in &mut octets {
        *o = parts.next()?.parse().ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    let addr = embassy_net::Ipv4Address::new(octets[0], octets[1], octets[2], octets[3]);
    Some(embassy_net::IpEndpoint::new(
        addr.into(),
        port.parse().ok()?,
    ))
}
