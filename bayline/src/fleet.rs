//! `bayline gateway` and `bayline server`: the two halves of `bayline up` as separate
//! processes of a fleet, on one PostgreSQL database and an external MQTT broker.
//!
//! Gateways join one MQTT shared subscription (`$share/GROUP/…`), so the broker gives each
//! scan to one of them; the unique index on a scan's identity settles the rare redelivery
//! that reaches two. Every process follows the database's notices (`LISTEN`), so each
//! gateway judges with what the others accepted, and each server shows it and publishes the
//! boards. No process talks to another directly: the broker and the database are the fleet.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{bail, Context};
use bayline_gateway::boards::BoardOptions;
use bayline_gateway::{BrokerUrl, GatewayOptions};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::cli::SiteArgs;
use crate::up::{bind_http, open_ledger, redacted};

#[derive(Debug, clap::Args)]
pub struct GatewayArgs {
    #[command(flatten)]
    pub sites: SiteArgs,
    /// Database shared by the fleet: postgres://user@host/db.
    #[arg(long, env = "BAYLINE_DB", hide_env_values = true)]
    pub db: String,
    /// The broker: mqtt://user:pass@host:port (a service user that may read every scan and
    /// write every reply; see `bayline mosquitto-config`).
    #[arg(
        long,
        env = "BAYLINE_BROKER",
        value_name = "URL",
        hide_env_values = true,
        value_parser = crate::cli::BrokerArg
    )]
    pub broker: BrokerUrl,
    /// This gateway's MQTT client id: fixed and different for each gateway, so the broker
    /// keeps its session (and the scans it has not acknowledged) across restarts.
    #[arg(long, default_value = "bayline-gateway")]
    pub client_id: String,
    /// The shared-subscription group the gateways of a fleet join (`$share/GROUP/…`).
    #[arg(long, value_name = "GROUP", default_value = "bayline")]
    pub share_group: String,
    /// Serve `/healthz` (200 while the database answers) and `/metrics` (Prometheus) here,
    /// for the load balancer's checks and monitoring. None by default: several gateways may
    /// share a host.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
}

#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    #[command(flatten)]
    pub sites: SiteArgs,
    /// Database shared by the fleet: postgres://user@host/db.
    #[arg(long, env = "BAYLINE_DB", hide_env_values = true)]
    pub db: String,
    /// Address of the HTTP server.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub http: SocketAddr,
    /// Publish the boards (retained) on this broker: mqtt://user:pass@host:port. Every
    /// server of a fleet may: they publish the same boards.
    #[arg(
        long,
        env = "BAYLINE_BROKER",
        value_name = "URL",
        hide_env_values = true,
        value_parser = crate::cli::BrokerArg
    )]
    pub broker: Option<BrokerUrl>,
    /// MQTT client id of the board publisher, and the server's name among the webhook
    /// deliverers; different for each server.
    #[arg(long, default_value = "bayline-server")]
    pub client_id: String,
}

/// A fleet's processes share what they know through PostgreSQL's notices; SQLite has none.
fn fleet_database(db: &str) -> anyhow::Result<()> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        return Ok(());
    }
    bail!(
        "--db {}: gateway and server processes share one PostgreSQL database \
         (--db postgres://user@host/db); for one box on SQLite run `bayline up`",
        redacted(db)
    )
}

/// Runs a gateway until `cancel`: scans in, store, replies; following the fleet's notices.
pub async fn gateway(args: GatewayArgs, cancel: CancellationToken) -> anyhow::Result<()> {
    fleet_database(&args.db)?;
    let http = match args.http {
        Some(addr) => Some(bind_http(addr).await?),
        None => None,
    };
    let (store, ledger) = open_ledger(&args.db, args.sites.load()?).await?;
    let follow_stop = CancellationToken::new();
    let follow = tokio::spawn(ledger.clone().follow(follow_stop.clone()));
    let mut ready = String::new();
    let ops = match http {
        Some(http) => {
            ready = format!(" http={}", http.local_addr()?);
            let state = bayline_server::AppState::new(ledger.clone());
            Some(tokio::spawn(bayline_server::serve_ops(
                http,
                state,
                cancel.clone(),
            )))
        }
        None => None,
    };
    let subscribed = Arc::new(Notify::new());
    let options = GatewayOptions {
        broker: args.broker,
        client_id: args.client_id,
        share_group: Some(args.share_group),
        subscribed: Some(subscribed.clone()),
    };
    let (broker, client_id) = (options.broker.clone(), options.client_id.clone());
    let gateway = tokio::spawn(
        bayline_gateway::run(ledger, options, cancel.clone())
            .instrument(tracing::info_span!("gateway", %client_id)),
    );
    tokio::select! {
        _ = subscribed.notified() => {
            println!("bayline gateway ready broker={broker} client_id={client_id}{ready}");
            tracing::info!("gateway ready");
        }
        _ = cancel.cancelled() => {}
    }
    let answered = gateway.await.context("the gateway task failed")?;
    if let Some(ops) = ops {
        let _ = ops.await;
    }
    stop(follow_stop, follow, store).await;
    println!("bayline gateway stopped answered={answered}");
    Ok(())
}

/// Runs a server until `cancel`: HTTP, SSE, board previews and (with a broker) the retained
/// boards; following the fleet's notices.
pub async fn server(args: ServerArgs, cancel: CancellationToken) -> anyhow::Result<()> {
    fleet_database(&args.db)?;
    let http = bind_http(args.http).await?;
    let addr = http.local_addr()?;
    let (store, ledger) = open_ledger(&args.db, args.sites.load()?).await?;
    let follow_stop = CancellationToken::new();
    let follow = tokio::spawn(ledger.clone().follow(follow_stop.clone()));
    let clock = tokio::spawn(bayline_ledger::keep_time(
        ledger.clone(),
        bayline_ledger::SETTLE_EVERY,
        follow_stop.clone(),
    ));
    let holder = args.client_id.clone();
    let boards = args.broker.map(|broker| {
        tokio::spawn(bayline_gateway::boards::run(
            ledger.clone(),
            BoardOptions::new(broker, args.client_id),
            cancel.clone(),
        ))
    });
    // Webhooks: every server runs the delivery loops; the store's leases let one of them
    // deliver each receiver's events.
    let webhooks = tokio::spawn(bayline_server::customer::webhooks::run(
        ledger.clone(),
        holder,
        follow_stop.clone(),
    ));
    println!("bayline server ready http={addr}");
    tracing::info!(http = %addr, "server ready");
    let served = bayline_server::serve(http, bayline_server::AppState::new(ledger), cancel).await;
    if let Some(boards) = boards {
        let _ = boards.await;
    }
    // The loops give their leases up before the store closes.
    follow_stop.cancel();
    let _ = webhooks.await;
    stop(follow_stop, follow, store).await;
    let _ = clock.await;
    served.context("HTTP server")
}

async fn stop(
    follow_stop: CancellationToken,
    follow: tokio::task::JoinHandle<()>,
    store: bayline_store::Store,
) {
    follow_stop.cancel();
    let _ = follow.await;
    store.close().await;
    tracing::info!("stopped");
}
