//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use bayline_gateway::BrokerUrl;
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
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run everything in one process: MQTT broker (or an external one), gateway, server.
    Up(UpArgs),
    /// Publish one scan as a handheld would, and print the reply.
    Scan(crate::scan::ScanArgs),
    /// Write Mosquitto's password and ACL files from the site config, so an external broker
    /// enforces the same rights as the built-in one.
    MosquittoConfig(crate::mosquitto::MosquittoArgs),
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
pub struct UpArgs {
    #[command(flatten)]
    pub sites: SiteArgs,
    /// Database: sqlite://PATH (default: ./bayline-data/bayline.db).
    #[arg(
        long,
        env = "BAYLINE_DB",
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
    /// Use an external broker instead: mqtt://user:pass@host:port
    #[arg(long, env = "BAYLINE_BROKER", value_name = "URL")]
    pub broker: Option<BrokerUrl>,
    /// Address of the HTTP server.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub http: SocketAddr,
    /// The gateway's MQTT client id: fixed, so the broker keeps its session.
    #[arg(long, default_value = "bayline-gateway")]
    pub client_id: String,
}

impl Command {
    pub async fn run(self) -> anyhow::Result<ExitCode> {
        match self {
            Command::Up(args) => {
                let up = crate::up::Up {
                    sites: args.sites.load()?,
                    db: args.db,
                    mqtt: match args.broker {
                        Some(url) => crate::up::Mqtt::External(url),
                        None => crate::up::Mqtt::Listen(args.mqtt_listen),
                    },
                    http: args.http,
                    client_id: args.client_id,
                };
                let cancel = tokio_util::sync::CancellationToken::new();
                tokio::spawn(shutdown_on_signal(cancel.clone()));
                crate::up::run(up, cancel, |ready| {
                    println!("bayline ready http={} mqtt={}", ready.http, ready.mqtt);
                })
                .await
                .context("bayline up")?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Scan(args) => crate::scan::run(args).await,
            Command::MosquittoConfig(args) => crate::mosquitto::run(args),
        }
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
