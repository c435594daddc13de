//! `bayline up`: everything in one process.
//!
//! Start order: HTTP port, broker, database, gateway, server; the built-in broker admits
//! scanners once the gateway has subscribed; then the ready line. Stop order
//! is the reverse of what could lose work: the gateway finishes its batch (commit, reply, ack)
//! first, then the server drains, then the broker stops, then the database closes.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{bail, Context};
use bayline_gateway::boards::BoardOptions;
use bayline_gateway::{BrokerUrl, GatewayOptions};
use bayline_ledger::Ledger;
use bayline_site::SiteConfig;
use bayline_store::Store;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::broker::{Broker, Rights};
use crate::tls::TlsListener;

pub enum Mqtt {
    /// Run the built-in broker here.
    Listen(SocketAddr),
    /// Run the built-in broker here, and serve MQTT over TLS too (handhelds on the LAN use
    /// that; this process's own clients keep to the plain listener).
    ListenTls { plain: SocketAddr, tls: TlsListener },
    /// Use this broker.
    External(BrokerUrl),
}

pub struct Up {
    pub sites: Vec<SiteConfig>,
    pub db: String,
    pub mqtt: Mqtt,
    pub http: SocketAddr,
    /// Behind a reverse proxy: `/c/` is limited per `X-Forwarded-For` address.
    pub trust_forwarded_for: bool,
    /// The pages over HTTPS too, with this certificate.
    pub https: Option<TlsListener>,
    /// MQTT over WebSocket on the built-in broker (the handheld app); none with an external
    /// broker, which serves its own.
    pub mqtt_ws: Option<SocketAddr>,
    pub client_id: String,
    /// The password of the gateway's and server's own user on the built-in broker; random
    /// when `None` (set it to reach the broker as the service, e.g. from `bayline bench`).
    pub service_password: Option<String>,
}

/// Where the running system can be reached.
#[derive(Debug, Clone)]
pub struct Ready {
    pub http: SocketAddr,
    /// Where the pages are served over HTTPS, when they are.
    pub https: Option<SocketAddr>,
    pub mqtt: String,
    /// The built-in broker's TLS listener, when it has one.
    pub mqtts: Option<SocketAddr>,
    /// The built-in broker's WebSocket listener, when it has one, and whether it is `wss://`.
    pub ws: Option<(SocketAddr, bool)>,
}

/// The user name of the gateway and server on the built-in broker.
const SERVICE_USER: &str = "bayline-service";

/// Runs until `cancel`, calling `on_ready` once scans can be taken.
pub async fn run(
    up: Up,
    cancel: CancellationToken,
    on_ready: impl FnOnce(&Ready),
) -> anyhow::Result<()> {
    let http = bind_http(up.http).await?;
    let http_addr = http.local_addr()?;
    let https = match &up.https {
        Some(tls) => {
            let config = tls.server_config()?;
            let tcp = bind(tls.listen, "HTTPS", "--https-listen").await?;
            Some(crate::https::HttpsListener::new(tcp, config)?)
        }
        None => None,
    };
    let https_addr = https
        .as_ref()
        .map(bayline_server::Listener::local_addr)
        .transpose()?;

    let (broker, broker_url) = match up.mqtt {
        Mqtt::Listen(addr) => {
            built_in(
                addr,
                None,
                up.mqtt_ws,
                &up.sites,
                up.service_password.clone(),
            )
            .await?
        }
        Mqtt::ListenTls { plain, tls } => {
            let password = up.service_password.clone();
            built_in(plain, Some(tls), up.mqtt_ws, &up.sites, password).await?
        }
        Mqtt::External(url) => (None, url),
    };
    let mqtt_addr = broker
        .as_ref()
        .map_or_else(|| broker_url.to_string(), |b| b.addr.to_string());
    let mqtts_addr = broker.as_ref().and_then(|b| b.tls_addr);
    let ws_addr = broker.as_ref().and_then(|b| b.ws_addr);

    let (store, ledger) = open_ledger(&up.db, up.sites).await?;

    let tasks = tokio_util::task::TaskTracker::new();
    let gateway_stop = CancellationToken::new();
    let subscribed = Arc::new(Notify::new());
    // Other processes may share a PostgreSQL database with this one.
    let follow = tasks.spawn(ledger.clone().follow(gateway_stop.clone()));
    tasks.spawn(bayline_ledger::keep_time(
        ledger.clone(),
        bayline_ledger::SETTLE_EVERY,
        gateway_stop.clone(),
    ));
    let gateway = tasks.spawn(
        bayline_gateway::run(
            ledger.clone(),
            GatewayOptions {
                broker: broker_url.clone(),
                client_id: up.client_id.clone(),
                share_group: None,
                subscribed: Some(subscribed.clone()),
            },
            gateway_stop.clone(),
        )
        .instrument(tracing::info_span!("gateway")),
    );
    let boards = tasks.spawn(bayline_gateway::boards::run(
        ledger.clone(),
        BoardOptions::new(broker_url, format!("{}-boards", up.client_id)),
        gateway_stop.clone(),
    ));
    let server_stop = CancellationToken::new();
    // Webhooks (contract §7.5): delivered from the outbox by this process, the one that
    // runs the API; stopped with the server.
    tasks.spawn(bayline_server::customer::webhooks::run(
        ledger.clone(),
        up.client_id.clone(),
        server_stop.clone(),
    ));
    let state = bayline_server::AppState::new(ledger.clone())
        .trusting_forwarded_for(up.trust_forwarded_for);
    let state = match ws_addr {
        Some((addr, tls)) => state.with_handheld_ws(addr.port(), tls),
        None => state,
    };
    let secure = https.map(|https| {
        tasks.spawn(bayline_server::serve(
            https,
            state.clone(),
            server_stop.clone(),
        ))
    });
    let server = tasks.spawn(bayline_server::serve(http, state, server_stop.clone()));
    tasks.close();
    if let Some(b) = &broker {
        // Handhelds reconnecting after a restart publish their outboxes at once; let them in
        // only when those scans have a subscriber (the gateway connects within milliseconds).
        tokio::select! {
            _ = subscribed.notified() => b.admit_scanners(),
            _ = cancel.cancelled() => {}
        }
    }

    on_ready(&Ready {
        http: http_addr,
        https: https_addr,
        mqtt: mqtt_addr,
        mqtts: mqtts_addr,
        ws: ws_addr,
    });
    tracing::info!(http = %http_addr, "bayline ready");

    cancel.cancelled().await;
    gateway_stop.cancel();
    let _ = gateway.await;
    let _ = boards.await;
    let _ = follow.await;
    server_stop.cancel();
    if let Ok(Err(e)) = server.await {
        tracing::warn!(error = %e, "HTTP server stopped with an error");
    }
    if let Some(Ok(Err(e))) = match secure {
        Some(s) => Some(s.await),
        None => None,
    } {
        tracing::warn!(error = %e, "HTTPS server stopped with an error");
    }
    tasks.wait().await;
    if let Some(b) = broker {
        b.stop().await;
    }
    store.close().await;
    tracing::info!("bayline stopped");
    Ok(())
}

/// Starts the built-in broker; the URL is how this process's own clients reach it.
async fn built_in(
    addr: SocketAddr,
    tls: Option<TlsListener>,
    ws: Option<SocketAddr>,
    sites: &[SiteConfig],
    service_password: Option<String>,
) -> anyhow::Result<(Option<Broker>, BrokerUrl)> {
    let password = service_password.unwrap_or_else(random_secret);
    let rights = Rights::new(sites, SERVICE_USER, &password)?;
    let broker = Broker::start(addr, tls, ws, rights).await?;
    let url = BrokerUrl::local(broker.addr.port(), SERVICE_USER, &password);
    Ok((Some(broker), url))
}

/// Listens for HTTP on `addr`, or says which option to change.
pub(crate) async fn bind_http(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    bind(addr, "HTTP", "--http").await
}

async fn bind(addr: SocketAddr, what: &str, flag: &str) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!(
                "{what} port {} is already in use: choose another with {flag} ADDR",
                addr.port()
            )
        } else {
            anyhow::anyhow!("cannot listen for {what} on {addr}: {e}")
        }
    })
}

/// Opens the database and loads every site from it.
pub(crate) async fn open_ledger(
    db: &str,
    sites: Vec<SiteConfig>,
) -> anyhow::Result<(Store, Arc<Ledger>)> {
    let store = Store::open(db)
        .await
        .with_context(|| format!("cannot open the database {}", redacted(db)))?;
    let ledger = Arc::new(Ledger::open(store.clone(), sites).await?);
    if ledger.sites().next().is_none() {
        bail!("no site configured");
    }
    Ok((store, ledger))
}

/// A database URL fit for a message: the password, if any, as `***`.
pub(crate) fn redacted(db: &str) -> String {
    match url::Url::parse(db) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => db.to_string(),
    }
}

fn random_secret() -> String {
    use rand::Rng;
    let bytes: [u8; 24] = rand::thread_rng().gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_database_password_never_reaches_a_message() {
        let shown = super::redacted("postgres://bayline:s3cret@db:5432/bayline");
        assert_eq!(shown, "postgres://bayline:***@db:5432/bayline");
        assert_eq!(
            super::redacted("sqlite://bayline-data/b.db"),
            "sqlite://bayline-data/b.db"
        );
    }
}
