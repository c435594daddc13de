//! `bayline mosquitto-config`: Mosquitto's password file, ACL file and a config snippet, from
//! the site configs, so an external Mosquitto enforces the rights of the built-in broker.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use base64::Engine;
use bayline_site::SiteConfig;
use rand::RngCore;

use crate::cli::SiteArgs;

#[derive(Debug, clap::Args)]
pub struct MosquittoArgs {
    #[command(flatten)]
    pub sites: SiteArgs,
    /// Folder to write `passwd`, `acl` and `bayline.conf` into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The MQTT user bayline's gateway and server connect as.
    #[arg(long, default_value = "bayline")]
    pub service_user: String,
    /// Its password (give the same in --broker mqtt://USER:PASSWORD@…).
    #[arg(long, env = "BAYLINE_SERVICE_PASSWORD", hide_env_values = true)]
    pub service_password: String,
    /// Add a `listener PORT` line to bayline.conf.
    #[arg(long)]
    pub port: Option<u16>,
    /// Add a MQTT-over-WebSocket listener on this port (all interfaces: the handheld app
    /// connects from the LAN) to bayline.conf. Mosquitto then opens no default listener: give
    /// --port too for TCP clients.
    #[arg(long, value_name = "PORT")]
    pub ws_port: Option<u16>,
}

/// Messages Mosquitto keeps for one client while it is slow or away (each scan ≤ 8 KiB, most
/// under 300 B: about 60 MB at worst for a gateway's session).
const MAX_QUEUED: u32 = 200_000;
/// Unacknowledged QoS 1 messages in flight to one client; the gateway allows 200.
const MAX_INFLIGHT: u32 = 200;

pub fn run(a: MosquittoArgs) -> anyhow::Result<ExitCode> {
    let sites = a.sites.load()?;
    write_config(
        &a.out,
        &sites,
        &a.service_user,
        &a.service_password,
        a.port,
        a.ws_port,
    )?;
    println!("wrote {}/{{passwd,acl,bayline.conf}}", a.out.display());
    Ok(ExitCode::SUCCESS)
}

/// Writes `passwd`, `acl` and `bayline.conf` into `out`; returns the path of the config.
pub fn write_config(
    out: &Path,
    sites: &[SiteConfig],
    service_user: &str,
    service_password: &str,
    port: Option<u16>,
    ws_port: Option<u16>,
) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    write(
        &out.join("passwd"),
        &password_file(sites, service_user, service_password),
    )?;
    write(&out.join("acl"), &acl_file(sites, service_user))?;
    let mut conf = String::new();
    if let Some(port) = port {
        let _ = writeln!(conf, "listener {port} 127.0.0.1");
    }
    if let Some(port) = ws_port {
        // Mosquitto serves any path; the built-in broker and the handheld app use /mqtt.
        let _ = writeln!(conf, "listener {port}\nprotocol websockets");
    }
    let _ = writeln!(conf, "allow_anonymous false");
    let _ = writeln!(conf, "password_file {}", out.join("passwd").display());
    let _ = writeln!(conf, "acl_file {}", out.join("acl").display());
    // Scans wait at the broker for the gateways while the database is away or a backlog
    // drains; Mosquitto's default of 1,000 queued messages per client would drop the rest.
    let _ = writeln!(conf, "max_queued_messages {MAX_QUEUED}");
    // A gateway commits scans in batches: let more than Mosquitto's default of 20 be in
    // flight to it, or its batches stay small.
    let _ = writeln!(conf, "max_inflight_messages {MAX_INFLIGHT}");
    // A scan and its reply are a few hundred bytes: without this, Nagle's algorithm holds
    // each for the peer's delayed ACK, about 40 ms a hop (measured: 91 ms p50 for a scan's
    // round trip through Mosquitto, for the bare echo as for bayline).
    let _ = writeln!(conf, "set_tcp_nodelay true");
    let path = out.join("bayline.conf");
    write(&path, &conf)?;
    Ok(path)
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(())
}

/// Mosquitto 2's `$7$` format: PBKDF2-HMAC-SHA512, 101 iterations, 12-byte salt, base64.
pub fn hash_password(password: &str, salt: &[u8]) -> String {
    const ITERATIONS: u32 = 101;
    let mut out = [0u8; 64];
    pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password.as_bytes(), salt, ITERATIONS, &mut out);
    let b64 = base64::engine::general_purpose::STANDARD;
    format!("$7${ITERATIONS}${}${}", b64.encode(salt), b64.encode(out))
}

fn password_file(sites: &[SiteConfig], service_user: &str, service_password: &str) -> String {
    let mut out = String::new();
    let mut line = |user: &str, pw: &str| {
        let mut salt = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut salt);
        let _ = writeln!(out, "{user}:{}", hash_password(pw, &salt));
    };
    line(service_user, service_password);
    for s in sites {
        for x in &s.scanners {
            line(&x.id, &x.secret);
        }
        for d in &s.displays {
            line(&d.id, &d.secret);
        }
    }
    out
}

/// One block per user: exactly the topics the built-in broker allows (see `broker::Rights`).
pub fn acl_file(sites: &[SiteConfig], service_user: &str) -> String {
    let mut out = String::from(
        "# Written by `bayline mosquitto-config`; regenerate after changing a site file.\n",
    );
    let _ = writeln!(out, "\nuser {service_user}\ntopic readwrite bayline/#");
    for s in sites {
        for x in &s.scanners {
            let _ = writeln!(
                out,
                "\nuser {id}\ntopic write bayline/{site}/scanners/{id}/scan\ntopic read bayline/{site}/scanners/{id}/reply\ntopic read bayline/{site}/boards/#",
                id = x.id,
                site = s.id
            );
        }
        for d in &s.displays {
            let _ = writeln!(out, "\nuser {}\ntopic read bayline/{}/boards/#", d.id, s.id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hashes_use_mosquittos_pbkdf2_format() {
        let h = hash_password("secret", b"0123456789ab");
        let parts: Vec<_> = h.split('$').collect();
        assert_eq!(parts[..3], ["", "7", "101"]);
        assert_eq!(parts[3], "MDEyMzQ1Njc4OWFi");
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(parts[4])
                .unwrap()
                .len(),
            64
        );
        assert_ne!(h, hash_password("secret", b"0123456789ac"));
    }

    #[test]
    fn the_acl_gives_each_scanner_its_own_topics_only() {
        let acl = acl_file(&[SiteConfig::demo()], "bayline");
        assert!(acl.contains("user HH-01\ntopic write bayline/demo/scanners/HH-01/scan\ntopic read bayline/demo/scanners/HH-01/reply"));
        assert!(acl.contains("user lounge-1\ntopic read bayline/demo/boards/#"));
        assert!(!acl.contains("pattern"));
    }
}
