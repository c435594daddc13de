//! The command line.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use bayline_gateway::{BrokerUrl, LinkError};
use bayline_site::SiteConfig;
use clap::{Parser, Subcommand};

use crate::telemetry::LogFormat;

/// bayline: job-card scans from the bays, live repair progress, bay boards and workshop figures.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(
        long,
        global = true,
        env = "BAYLINE_LOG_FORMAT",
        value_enum,
        default_value_t
    )]
    pub log_format: LogFormat,
    /// For an mqtts:// broker: check its certificate against the CA certificates of this PEM
    /// file (a workshop's own CA) instead of the system's roots.
    #[arg(long, global = true, env = "BAYLINE_BROKER_CA", value_name = "FILE")]
    pub broker_ca: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<ExitCode> {
        let mut command = self.command;
        if let Some(ca) = &self.broker_ca {
            command.trust_broker_ca(ca)?;
        }
        command.run().await
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run everything in one process: MQTT broker (or an external one), gateway, server.
    Up(UpArgs),
    /// Run a gateway of a fleet: scans from an external broker (shared subscription), stored
    /// in PostgreSQL, replies. Start several to share the load.
    Gateway(crate::fleet::GatewayArgs),
    /// Run a server of a fleet: HTTP API, live events, board previews and retained boards,
    /// from PostgreSQL. Start several behind a load balancer.
    Server(crate::fleet::ServerArgs),
    /// Publish one scan as a handheld would, and print the reply.
    Scan(crate::scan::ScanArgs),
    /// Import a clocking history (NDJSON, one scan a line with its "scanner") into a running
    /// bayline, in requests of at most 64 MiB; prints what was accepted, rejected, repeated.
    Import(crate::import::ImportArgs),
    /// Play working days of a workshop as real handhelds against a running bayline, then
    /// print what was answered and the figures for the simulated days.
    Simulate(bayline_devtools::simulate::SimulateArgs),
    /// Write Mosquitto's password and ACL files from the site config, so an external broker
    /// enforces the same rights as the built-in one.
    MosquittoConfig(crate::mosquitto::MosquittoArgs),
    /// Measure: handhelds flat out (or at --rate) against a bayline started for the run, and
    /// the bare broker's echo in the same run. Prints scans/s and scan→reply latencies.
    Bench(bayline_devtools::bench::BenchArgs),
    /// Be a board display: subscribe to a board as a display does, draw it with the
    /// devices' code, write each new frame as a PNG (offline mark and pages included).
    Display(crate::display::DisplayArgs),
    /// Write a display device's settings (Wi-Fi, broker, board, credentials) as a file for
    /// `espflash write-bin`: no rebuild to set up or move a display.
    DisplayConfig(crate::display_config::DisplayConfigArgs),
}

/// Reads a broker URL that may carry the service password. clap's own message for a bad value
/// repeats the value (from `BAYLINE_BROKER`, into a service's journal); this one says what is
/// wrong with the password hidden. Arguments holding a password also take
/// `hide_env_values`, or `--help` would print it.
#[derive(Debug, Clone, Copy)]
pub struct BrokerArg;

impl clap::builder::TypedValueParser for BrokerArg {
    type Value = BrokerUrl;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<BrokerUrl, clap::Error> {
        let name = arg.map_or_else(|| "--broker".to_string(), |a| a.to_string());
        let refuse = |why: String| {
            let message = format!("invalid value for '{name}': {why}\n");
            clap::Error::raw(clap::error::ErrorKind::ValueValidation, message).with_cmd(cmd)
        };
        let text = value.to_str().ok_or_else(|| refuse("not UTF-8".into()))?;
        text.parse()
            .map_err(|e: bayline_gateway::LinkError| refuse(e.to_string()))
    }
}

#[derive(Debug, clap::Args)]
pub struct SiteArgs {
    /// A site's TOML file; repeat for several sites. Default: the built-in demo site.
    #[arg(long = "site-config", value_name = "FILE")]
    pub site_config: Vec<PathBuf>,
}

impl SiteArgs {
    pub fn load(&self) -> anyhow::Result<Vec<SiteConfig>> {
        if self.site_config.is_empty() {
            return Ok(vec![SiteConfig::demo()]);
        }
        let sites = self
            .site_config
            .iter()
            .map(|p| SiteConfig::load(p))
            .collect::<Result<Vec<_>, _>>()?;
        let mut ids: Vec<_> = sites.iter().map(|s| &s.id).collect();
        ids.sort();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            anyhow::bail!("site {} is configured twice", w[0]);
        }
        Ok(sites)
    }
}

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("tls_listener").multiple(true).args(["mqtt_tls_listen", "https_listen"]))]
pub struct UpArgs {
    #[command(flatten)]
    pub sites: SiteArgs,
    /// Database: sqlite://PATH (default: ./bayline-data/bayline.db) or postgres://user@host/db.
    #[arg(
        long,
        env = "BAYLINE_DB",
        hide_env_values = true,
        default_value = "sqlite://bayline-data/bayline.db"
    )]
    pub db: String,
    /// Address of the built-in MQTT broker.
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:1883",
        conflicts_with = "broker"
    )]
    pub mqtt_listen: SocketAddr,
    /// Also serve MQTT over TLS here (e.g. 0.0.0.0:8883), for handhelds on a network that
    /// should not see their traffic; needs --tls-cert and --tls-key. This process's own clients
    /// keep to the plain listener: leave --mqtt-listen on 127.0.0.1 to serve only TLS outside.
    #[arg(
        long,
        value_name = "ADDR",
        requires_all = ["tls_cert", "tls_key"],
        conflicts_with = "broker"
    )]
    pub mqtt_tls_listen: Option<SocketAddr>,
    /// Also serve the pages over HTTPS here (e.g. 0.0.0.0:8443): the handheld app at /h/ works
    /// offline only from a secure origin. Needs --tls-cert and --tls-key.
    #[arg(long, value_name = "ADDR", requires_all = ["tls_cert", "tls_key"])]
    pub https_listen: Option<SocketAddr>,
    /// The TLS listeners' certificate chain (PEM): the server's certificate first, then any
    /// intermediates. Its names must include the host name or address handhelds connect to.
    #[arg(long, value_name = "FILE", requires = "tls_listener")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_listener")]
    pub tls_key: Option<PathBuf>,
    /// MQTT over WebSocket (path /mqtt) on the built-in broker, for the handheld app at /h/;
    /// over TLS (wss://) when --mqtt-tls-listen is given. `off`: none.
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:8083",
        conflicts_with = "broker"
    )]
    pub mqtt_ws_listen: ListenOrOff,
    /// Use an external broker instead: mqtt://user:pass@host:port, or mqtts://… for MQTT
    /// over TLS (port 8883 by default; see --broker-ca).
    #[arg(
        long,
        env = "BAYLINE_BROKER",
        value_name = "URL",
        hide_env_values = true,
        value_parser = BrokerArg
    )]
    pub broker: Option<BrokerUrl>,
    /// Address of the HTTP server.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub http: SocketAddr,
    /// The HTTP server sits behind a reverse proxy: count the customers' status-page
    /// requests (/c/) by the last X-Forwarded-For address, not the proxy's.
    #[arg(long, env = "BAYLINE_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// The gateway's MQTT client id: fixed, so the broker keeps its session.
    #[arg(long, default_value = "bayline-gateway")]
    pub client_id: String,
    /// Password of the service user on the built-in broker (default: random per start).
    #[arg(
        long,
        env = "BAYLINE_SERVICE_PASSWORD",
        hide = true,
        hide_env_values = true
    )]
    pub service_password: Option<String>,
    /// Also simulate a living workshop on the first site: today by the site's hours, as it
    /// happens; on a closed day or after hours, the last open day in a few minutes (see
    /// `bayline simulate`).
    #[arg(long)]
    pub demo: bool,
    /// Simulated seconds per real second for --demo.
    #[arg(long, value_name = "N", default_value_t = bayline_devtools::simulate::demo::DEFAULT_SPEED)]
    pub demo_speed: f64,
}

impl UpArgs {
    /// The broker to run here, or to use.
    fn mqtt(&self) -> crate::up::Mqtt {
        let tls = (self.mqtt_tls_listen, &self.tls_cert, &self.tls_key);
        match (&self.broker, tls) {
            (Some(url), _) => crate::up::Mqtt::External(url.clone()),
            // clap requires the certificate and key with the TLS listener.
            (None, (Some(listen), Some(cert), Some(key))) => crate::up::Mqtt::ListenTls {
                plain: self.mqtt_listen,
                tls: crate::tls::TlsListener {
                    listen,
                    cert: cert.clone(),
                    key: key.clone(),
                },
            },
            (None, _) => crate::up::Mqtt::Listen(self.mqtt_listen),
        }
    }

    /// HTTPS for the pages, when asked for.
    fn https(&self) -> Option<crate::tls::TlsListener> {
        match (self.https_listen, &self.tls_cert, &self.tls_key) {
            (Some(listen), Some(cert), Some(key)) => Some(crate::tls::TlsListener {
                listen,
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ => None,
        }
    }
}

impl Command {
    pub async fn run(self) -> anyhow::Result<ExitCode> {
        match self {
            Command::Up(args) => {
                let demo = args.demo.then_some(args.demo_speed);
                let mqtt = args.mqtt();
                let https = args.https();
                let up = crate::up::Up {
                    sites: args.sites.load()?,
                    db: args.db,
                    mqtt,
                    http: args.http,
                    trust_forwarded_for: args.trust_forwarded_for,
                    https,
                    mqtt_ws: args.mqtt_ws_listen.0.filter(|_| args.broker.is_none()),
                    client_id: args.client_id,
                    service_password: args.service_password,
                };
                let cancel = tokio_util::sync::CancellationToken::new();
                tokio::spawn(shutdown_on_signal(cancel.clone()));
                let Some(speed) = demo else {
                    crate::up::run(up, cancel, |ready| println!("{}", ready_line(ready)))
                        .await
                        .context("bayline up")?;
                    return Ok(ExitCode::SUCCESS);
                };
                let site = up.sites.first().cloned().context("no site configured")?;
                let external = match &up.mqtt {
                    crate::up::Mqtt::External(url) => Some(url.clone()),
                    crate::up::Mqtt::Listen(_) | crate::up::Mqtt::ListenTls { .. } => None,
                };
                let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
                let system = crate::up::run(up, cancel.clone(), |ready| {
                    println!("{}", ready_line(ready));
                    let _ = ready_tx.send(ready.clone());
                });
                let demo = async {
                    // No ready line: `up` failed to start and says why.
                    let Ok(ready) = ready_rx.await else { return };
                    let demo = bayline_devtools::simulate::demo::Demo::new(
                        site,
                        &ready.mqtt,
                        ready.http,
                        external,
                        speed,
                    );
                    bayline_devtools::simulate::demo::run(demo, cancel.clone()).await;
                };
                let (system, ()) = tokio::join!(system, demo);
                system.context("bayline up")?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Gateway(args) => {
                let cancel = tokio_util::sync::CancellationToken::new();
                tokio::spawn(shutdown_on_signal(cancel.clone()));
                crate::fleet::gateway(args, cancel)
                    .await
                    .context("bayline gateway")?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Server(args) => {
                let cancel = tokio_util::sync::CancellationToken::new();
                tokio::spawn(shutdown_on_signal(cancel.clone()));
                crate::fleet::server(args, cancel)
                    .await
                    .context("bayline server")?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Scan(args) => crate::scan::run(args).await,
            Command::Import(args) => crate::import::run(args).await,
            Command::Simulate(args) => bayline_devtools::simulate::cli(args).await,
            Command::MosquittoConfig(args) => crate::mosquitto::run(args),
            Command::Bench(args) => bayline_devtools::bench::run(args).await,
            Command::Display(args) => crate::display::run(args).await,
            Command::DisplayConfig(args) => crate::display_config::run(args),
        }
    }
}

impl Command {
    /// Checks the certificate of this command's mqtts:// broker against `ca` instead of the
    /// system's roots.
    fn trust_broker_ca(&mut self, ca: &Path) -> Result<(), LinkError> {
        let url = match self {
            Command::Up(a) => a.broker.as_mut(),
            Command::Gateway(a) => Some(&mut a.broker),
            Command::Server(a) => a.broker.as_mut(),
            Command::Scan(a) => Some(&mut a.broker),
            Command::Simulate(a) => Some(&mut a.broker),
            Command::Display(a) => Some(&mut a.broker),
            Command::MosquittoConfig(_)
            | Command::Bench(_)
            | Command::DisplayConfig(_)
            | Command::Import(_) => None,
        };
        if let Some(url) = url {
            *url = url.clone().trusting(ca)?;
        }
        Ok(())
    }
}

/// `bayline ready http=ADDR mqtt=ADDR`, and ` mqtts=ADDR` when the built-in broker serves TLS.
fn ready_line(ready: &crate::up::Ready) -> String {
    let mut line = format!("bayline ready http={} mqtt={}", ready.http, ready.mqtt);
    if let Some(tls) = ready.mqtts {
        line += &format!(" mqtts={tls}");
    }
    if let Some(https) = ready.https {
        line += &format!(" https={https}");
    }
    match ready.ws {
        Some((addr, true)) => line += &format!(" wss={addr}"),
        Some((addr, false)) => line += &format!(" ws={addr}"),
        None => {}
    }
    line
}

/// An address to listen on, or `off`.
#[derive(Debug, Clone, Copy)]
pub struct ListenOrOff(pub Option<SocketAddr>);

impl std::str::FromStr for ListenOrOff {
    type Err = String;

    fn from_str(text: &str) -> Result<ListenOrOff, String> {
        if text == "off" {
            return Ok(ListenOrOff(None));
        }
        text.parse()
            .map(|a| ListenOrOff(Some(a)))
            .map_err(|e| format!("{e}: an address like 0.0.0.0:8083, or off"))
    }
}

async fn shutdown_on_signal(cancel: tokio_util::sync::CancellationToken) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for signals");
        return;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: stopping"),
        _ = int.recv() => tracing::info!("SIGINT: stopping"),
    }
    cancel.cancel();
}
