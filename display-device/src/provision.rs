//! What a display needs to know about its site. Read at build time from the environment
//! (`BAYLINE_WIFI_SSID=… cargo build --release`); a config partition written by a
//! `bayline display-config` command, so a technician need not rebuild, is not done yet.

/// The Wi-Fi network.
pub const WIFI_SSID: &str = match option_env!("BAYLINE_WIFI_SSID") {
    Some(s) => s,
    None => "bayline",
};
pub const WIFI_PASSWORD: &str = match option_env!("BAYLINE_WIFI_PASSWORD") {
    Some(s) => s,
    None => "",
};
/// The broker's IPv4 address and port (no DNS on the shop floor's own network).
pub const BROKER: &str = match option_env!("BAYLINE_BROKER") {
    Some(s) => s,
    None => "192.168.1.10:1883",
};
/// The site id and the display's `[[displays]]` id and secret.
pub const SITE: &str = match option_env!("BAYLINE_SITE") {
    Some(s) => s,
    None => "demo",
};
pub const DISPLAY_ID: &str = match option_env!("BAYLINE_DISPLAY_ID") {
    Some(s) => s,
    None => "lounge-1",
};
pub const DISPLAY_SECRET: &str = match option_env!("BAYLINE_DISPLAY_SECRET") {
    Some(s) => s,
    None => "demo-lounge",
};
/// Which board: `bay/B01` for a tag.
pub const BOARD: Option<&str> = option_env!("BAYLINE_BOARD");

/// [`BROKER`] as an endpoint; `None` when it is not `a.b.c.d:port`.
pub fn broker() -> Option<embassy_net::IpEndpoint> {
    let (ip, port) = BROKER.rsplit_once(':')?;
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
