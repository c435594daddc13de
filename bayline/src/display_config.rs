//! `bayline display-config`: the provisioning record of one display device (Wi-Fi, broker,
//! site, board, credentials) as a file of one flash sector, for `espflash write-bin` into
//! the device's `bayline` partition. Changing a display's settings needs no rebuild.

use std::net::SocketAddrV4;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use bayline_display::app::provision::{Provision, MAX_BYTES};

/// Where `display-device/partitions.csv` puts the `bayline` partition.
const PARTITION_OFFSET: u32 = 0x3F_0000;

#[derive(Debug, clap::Args)]
pub struct DisplayConfigArgs {
    #[arg(long)]
    pub wifi_ssid: String,
    #[arg(long, env = "BAYLINE_WIFI_PASSWORD", hide_env_values = true)]
    pub wifi_password: String,
    /// The broker as the device reaches it: IPv4 address and port (no DNS on the device).
    #[arg(long, value_name = "A.B.C.D:PORT")]
    pub broker: SocketAddrV4,
    #[arg(long, default_value = "demo")]
    pub site: String,
    /// lounge, workshop or bay/{bay}: it must suit the binary flashed (bay-tag, lounge,
    /// workshop).
    #[arg(long)]
    pub board: String,
    /// The display's id from the site's [[displays]].
    #[arg(long)]
    pub username: String,
    /// The display's secret.
    #[arg(long, env = "BAYLINE_DISPLAY_SECRET", hide_env_values = true)]
    pub password: String,
    /// The file to write (4096 bytes).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

pub fn run(a: DisplayConfigArgs) -> anyhow::Result<ExitCode> {
    let board_ok = matches!(a.board.as_str(), "lounge" | "workshop")
        || a.board.strip_prefix("bay/").is_some_and(|b| !b.is_empty());
    anyhow::ensure!(
        board_ok,
        "--board is lounge, workshop or bay/{{bay}}, not {}",
        a.board
    );
    let broker = a.broker.to_string();
    let record = Provision {
        wifi_ssid: &a.wifi_ssid,
        wifi_password: &a.wifi_password,
        broker: &broker,
        site: &a.site,
        board: &a.board,
        display_id: &a.username,
        secret: &a.password,
    };
    // Erased flash reads 0xFF: the rest of the sector stays as erased flash would.
    let mut sector = vec![0xFF; MAX_BYTES];
    record
        .encode(&mut sector)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(&a.out, &sector).with_context(|| format!("writing {}", a.out.display()))?;
    println!(
        "espflash write-bin {PARTITION_OFFSET:#x} {}",
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_holds_a_record_the_device_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("b03.bin");
        let args = DisplayConfigArgs {
            wifi_ssid: "workshop".into(),
            wifi_password: "pw".into(),
            broker: "192.168.1.10:1883".parse().unwrap(),
            site: "demo".into(),
            board: "bay/B03".into(),
            username: "lounge-1".into(),
            password: "demo-lounge".into(),
            out: out.clone(),
        };
        run(args).unwrap();
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(bytes.len(), 4096);
        let p = Provision::decode(&bytes).unwrap();
        assert_eq!(
            (p.broker, p.board, p.display_id, p.secret),
            ("192.168.1.10:1883", "bay/B03", "lounge-1", "demo-lounge")
        );
    }

    #[test]
    fn a_board_no_binary_draws_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let args = DisplayConfigArgs {
            wifi_ssid: "w".into(),
            wifi_password: "p".into(),
            broker: "10.0.0.1:1883".parse().unwrap(),
            site: "demo".into(),
            board: "bay/".into(),
            username: "u".into(),
            password: "s".into(),
            out: dir.path().join("x.bin"),
        };
        assert!(run(args).is_err());
    }
}
