//! The in-process MQTT broker (mqtt5: MQTT 3.1.1 and 5, retained messages, shared
//! subscriptions) with bayline's credentials and topic rights enforced on every connect,
//! publish and subscribe:
//! - a scanner (username = scanner id, password = secret) may publish only on its own
//!   `bayline/{site}/scanners/{id}/scan` and subscribe only to its own `…/reply` and the boards;
//! - a display may only subscribe to `bayline/{site}/boards/#`;
//! - the service user (the gateway and the server in this process) may use `bayline/#`.
//!
//! Besides its plain listener it may serve MQTT over TLS ([`TlsListener`]): the same users and
//! rights, the traffic encrypted and the broker known by its certificate; and MQTT over
//! WebSocket on path `/mqtt` (browsers, the handheld app), TLS too when the TCP listener has
//! it, since a page served over HTTPS may only open `wss://`.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context};
use bayline_site::SiteConfig;
use mqtt5::broker::auth::{AuthProvider, AuthResult};
use mqtt5::broker::config::{StorageBackend, StorageConfig, TlsConfig, WebSocketConfig};
use mqtt5::broker::{BrokerConfig, MqttBroker};
use mqtt5::packet::connect::ConnectPacket;
use mqtt5::protocol::v5::reason_codes::ReasonCode;

use crate::tls::TlsListener;
use limit::LoginLimit;

mod limit;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Principal {
    Service,
    Scanner { site: String, id: String },
    Display { site: String },
}

/// Who may connect, and what each may touch.
pub struct Rights {
    users: HashMap<String, (String, Principal)>,
    /// Scanners are turned away until the gateway has subscribed ([`Broker::admit_scanners`]):
    /// a scan published before would find no subscriber, and the broker would drop it after
    /// acknowledging it to the handheld, which after a restart is every handheld's outbox.
    scanners_admitted: Arc<AtomicBool>,
    failed_logins: LoginLimit,
}

impl Rights {
    /// Builds the rights of every site. A scanner or display id is an MQTT username, so it must
    /// be unique across the sites one broker serves.
    pub fn new(
        sites: &[SiteConfig],
        service_user: &str,
        service_password: &str,
    ) -> anyhow::Result<Rights> {
        let mut users = HashMap::new();
        users.insert(
            service_user.to_string(),
            (service_password.to_string(), Principal::Service),
        );
        for site in sites {
            let s = site.id.to_string();
            let entries = site
                .scanners
                .iter()
                .map(|x| {
                    (
                        x.id.to_string(),
                        x.secret.clone(),
                        Principal::Scanner {
                            site: s.clone(),
                            id: x.id.to_string(),
                        },
                    )
                })
                .chain(site.displays.iter().map(|d| {
                    (
                        d.id.to_string(),
                        d.secret.clone(),
                        Principal::Display { site: s.clone() },
                    )
                }));
            for (user, secret, who) in entries {
                if users.insert(user.clone(), (secret, who)).is_some() {
                    bail!("{}: MQTT user {user} is defined twice (scanner and display ids must be unique across sites)", site.source);
                }
            }
        }
        Ok(Rights {
            users,
            scanners_admitted: Arc::new(AtomicBool::new(false)),
            failed_logins: LoginLimit::default(),
        })
    }

    /// A scanner at a moment it is not admitted yet.
    fn scanner_waits(&self, user: &str) -> bool {
        matches!(self.principal(Some(user)), Some(Principal::Scanner { .. }))
            && !self.scanners_admitted.load(Ordering::Acquire)
    }

    fn principal(&self, user: Option<&str>) -> Option<&Principal> {
        self.users.get(user?).map(|(_, p)| p)
    }

    /// Why a login that failed [`Rights::check_password`] was refused, for the log.
    fn why_refused(&self, user: Option<&str>) -> &'static str {
        match user {
            None => "no user name",
            Some(u) if self.users.contains_key(u) => "wrong secret",
            Some(_) => "unknown user",
        }
    }

    fn check_password(&self, user: &str, password: &[u8]) -> bool {
        self.users
            .get(user)
            .is_some_and(|(secret, _)| constant_time_eq(secret.as_bytes(), password))
    }

    pub fn may_publish(&self, user: Option<&str>, topic: &str) -> bool {
        match self.principal(user) {
            Some(Principal::Service) => topic.starts_with("bayline/"),
            Some(Principal::Scanner { site, id }) => {
                topic == format!("bayline/{site}/scanners/{id}/scan")
            }
            Some(Principal::Display { .. }) | None => false,
        }
    }

    pub fn may_subscribe(&self, user: Option<&str>, filter: &str) -> bool {
        let boards = |site: &str| {
            let root = format!("bayline/{site}/boards/");
            filter == format!("{root}#")
                || (filter.starts_with(&root) && !filter[root.len()..].is_empty())
        };
        match self.principal(user) {
            Some(Principal::Service) => {
                let f = filter
                    .strip_prefix("$share/")
                    .and_then(|f| f.split_once('/').map(|(_, t)| t))
                    .unwrap_or(filter);
                f.starts_with("bayline/")
            }
            Some(Principal::Scanner { site, id }) => {
                filter == format!("bayline/{site}/scanners/{id}/reply") || boards(site)
            }
            Some(Principal::Display { site }) => boards(site),
            None => false,
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl AuthProvider for Rights {
    fn authenticate<'a>(
        &'a self,
        connect: &'a ConnectPacket,
        addr: SocketAddr,
    ) -> Fut<'a, mqtt5::error::Result<AuthResult>> {
        Box::pin(async move {
            let user = connect.username.as_deref();
            let (ip, now) = (addr.ip(), std::time::Instant::now());
            let name = user.unwrap_or("");
            if !self.failed_logins.allows(ip, name, now) {
                tracing::debug!(user = ?name, %addr, "MQTT login held off after too many wrong secrets");
                return Ok(AuthResult::fail(ReasonCode::ConnectionRateExceeded));
            }
            match (user, &connect.password) {
                // "Server unavailable": the handheld tries again, as after any refusal.
                (Some(user), Some(pass)) if self.check_password(user, pass) => {
                    self.failed_logins.succeeded(ip, user);
                    if self.scanner_waits(user) {
                        tracing::debug!(scanner = user, %addr, "scanner asked to come back: the gateway is not subscribed yet");
                        return Ok(AuthResult::fail(ReasonCode::ServerUnavailable));
                    }
                    Ok(AuthResult::success_with_user(user.to_string()))
                }
                _ => {
                    // Debug-quoted: the name is the client's, and may hold anything.
                    tracing::warn!(
                        user = ?name,
                        client_id = ?connect.client_id,
                        %addr,
                        why = self.why_refused(user),
                        "MQTT login refused"
                    );
                    if self.failed_logins.failed(ip, name, now) {
                        tracing::warn!(
                            user = ?name,
                            %addr,
                            failures = limit::MAX_FAILURES,
                            hold_off_s = limit::WINDOW.as_secs(),
                            "MQTT logins held off: too many wrong secrets"
                        );
                    }
                    Ok(AuthResult::fail(ReasonCode::BadUsernameOrPassword))
                }
            }
        })
    }

    fn authorize_publish<'a>(
        &'a self,
        _client: &str,
        user: Option<&'a str>,
        topic: &'a str,
    ) -> Fut<'a, bool> {
        Box::pin(async move { self.may_publish(user, topic) })
    }

    fn authorize_subscribe<'a>(
        &'a self,
        _client: &str,
        user: Option<&'a str>,
        filter: &'a str,
    ) -> Fut<'a, bool> {
        Box::pin(async move { self.may_subscribe(user, filter) })
    }
}

/// A running in-process broker.
pub struct Broker {
    pub addr: SocketAddr,
    /// Where MQTT over TLS is served, when it is.
    pub tls_addr: Option<SocketAddr>,
    /// Where MQTT over WebSocket is served, when it is, and whether it is `wss://`.
    pub ws_addr: Option<(SocketAddr, bool)>,
    task: tokio::task::JoinHandle<()>,
    stop: mqtt5::broker::server::BrokerShutdownHandle,
    scanners_admitted: Arc<AtomicBool>,
}

impl Broker {
    /// Starts the broker on `listen`, with MQTT over TLS when `tls` is given and over
    /// WebSocket on `ws` (over TLS as well when `tls` is given).
    pub async fn start(
        listen: SocketAddr,
        tls: Option<TlsListener>,
        ws: Option<SocketAddr>,
        rights: Rights,
    ) -> anyhow::Result<Broker> {
        port_free(
            listen,
            "MQTT port",
            "choose another with --mqtt-listen ADDR, or use that broker with --broker URL",
        )?;
        let mut config = BrokerConfig::default()
            .with_bind_address(listen)
            .with_max_packet_size(1024 * 1024)
            .with_storage(
                StorageConfig::default()
                    .with_backend(StorageBackend::Memory)
                    .with_persistence(false),
            )
            .with_sys_topics_enabled(false);
        if let Some(tls) = &tls {
            tls.check()?;
            port_free(
                tls.listen,
                "MQTT TLS port",
                "choose another with --mqtt-tls-listen ADDR",
            )?;
            crate::tls::install_provider();
            config = config.with_tls(
                TlsConfig::new(tls.cert.clone(), tls.key.clone()).with_bind_address(tls.listen),
            );
        }
        let mut ws_tls_addr = None;
        if let Some(mut ws) = ws {
            port_free(
                ws,
                "MQTT WebSocket port",
                "choose another with --mqtt-ws-listen ADDR",
            )?;
            let path = WebSocketConfig::new().with_path(WS_PATH);
            if tls.is_some() {
                // The broker library does not say which port its wss listener took.
                if ws.port() == 0 {
                    ws.set_port(free_port(ws)?);
                }
                ws_tls_addr = Some(ws);
                config = config.with_websocket_tls(path.with_bind_address(ws).with_tls(true));
            } else {
                config = config.with_websocket(path.with_bind_address(ws));
            }
        }
        let scanners_admitted = rights.scanners_admitted.clone();
        let mut broker = MqttBroker::with_config(config)
            .await
            .with_context(|| format!("cannot start the MQTT broker on {listen}"))?
            .with_auth_provider(Arc::new(rights));
        let addr = broker
            .local_addr()
            .context("the MQTT broker has no address")?;
        let tls_addr = broker.tls_local_addr();
        if let (Some(tls), None) = (&tls, tls_addr) {
            // The broker library only warns when its TLS listener cannot bind.
            bail!("cannot listen for MQTT over TLS on {}", tls.listen);
        }
        let ws_addr = match (ws, ws_tls_addr) {
            (None, _) => None,
            (Some(_), Some(wss)) => Some((wss, true)),
            (Some(ws), None) => Some((
                broker
                    .ws_local_addr()
                    .with_context(|| format!("cannot listen for MQTT over WebSocket on {ws}"))?,
                false,
            )),
        };
        let stop = broker.shutdown_handle();
        let task = tokio::spawn(async move {
            if let Err(e) = broker.run().await {
                tracing::error!(error = %e, "MQTT broker stopped with an error");
            }
        });
        Ok(Broker {
            addr,
            tls_addr,
            ws_addr,
            task,
            stop,
            scanners_admitted,
        })
    }

    /// Lets scanners in; call once the gateway has its subscription.
    pub fn admit_scanners(&self) {
        self.scanners_admitted.store(true, Ordering::Release);
    }

    pub async fn stop(self) {
        self.stop.shutdown();
        let _ = self.task.await;
    }
}

/// The HTTP path of MQTT over WebSocket, as Mosquitto and most clients expect it.
pub const WS_PATH: &str = "/mqtt";

/// A port on `addr`'s interface that is free now.
fn free_port(addr: SocketAddr) -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind(addr)
        .with_context(|| format!("cannot listen for MQTT over WebSocket on {addr}"))?;
    Ok(l.local_addr()?.port())
}

/// Says which option to change when `addr` is taken (the broker library would only warn).
fn port_free(addr: SocketAddr, what: &str, hint: &str) -> anyhow::Result<()> {
    if addr.port() == 0 {
        return Ok(());
    }
    match std::net::TcpListener::bind(addr) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            bail!("{what} {} is already in use: {hint}", addr.port())
        }
        Err(e) => bail!("cannot listen for MQTT on {addr}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rights() -> Rights {
        Rights::new(&[SiteConfig::demo()], "svc", "pw").unwrap()
    }

    #[test]
    fn a_scanner_publishes_only_its_own_scans() {
        let r = rights();
        assert!(r.may_publish(Some("HH-01"), "bayline/demo/scanners/HH-01/scan"));
        assert!(!r.may_publish(Some("HH-01"), "bayline/demo/scanners/HH-02/scan"));
        assert!(!r.may_publish(Some("HH-01"), "bayline/demo/scanners/HH-01/reply"));
        assert!(!r.may_publish(Some("HH-01"), "bayline/demo/boards/lounge"));
        assert!(!r.may_publish(Some("HH-01"), "bayline/other/scanners/HH-01/scan"));
    }

    #[test]
    fn a_scanner_reads_only_its_replies_and_the_boards() {
        let r = rights();
        assert!(r.may_subscribe(Some("HH-01"), "bayline/demo/scanners/HH-01/reply"));
        assert!(r.may_subscribe(Some("HH-01"), "bayline/demo/boards/#"));
        assert!(r.may_subscribe(Some("HH-01"), "bayline/demo/boards/bay/+"));
        assert!(!r.may_subscribe(Some("HH-01"), "bayline/demo/scanners/HH-02/reply"));
        assert!(!r.may_subscribe(Some("HH-01"), "bayline/demo/scanners/+/reply"));
        assert!(!r.may_subscribe(Some("HH-01"), "bayline/#"));
        assert!(!r.may_subscribe(Some("HH-01"), "#"));
    }

    #[test]
    fn a_display_only_reads_its_sites_boards() {
        let r = rights();
        assert!(r.may_subscribe(Some("lounge-1"), "bayline/demo/boards/#"));
        assert!(r.may_subscribe(Some("lounge-1"), "bayline/demo/boards/lounge"));
        assert!(!r.may_subscribe(Some("lounge-1"), "bayline/demo/boardsX"));
        assert!(!r.may_subscribe(Some("lounge-1"), "bayline/+/boards/#"));
        assert!(!r.may_publish(Some("lounge-1"), "bayline/demo/boards/lounge"));
    }

    #[test]
    fn the_service_user_may_share_scans_and_strangers_nothing() {
        let r = rights();
        assert!(r.may_subscribe(Some("svc"), "$share/bayline/bayline/+/scanners/+/scan"));
        assert!(r.may_publish(Some("svc"), "bayline/demo/scanners/HH-01/reply"));
        assert!(!r.may_subscribe(None, "bayline/#"));
        assert!(!r.may_publish(Some("nobody"), "bayline/demo/scanners/nobody/scan"));
        assert!(r.check_password("HH-01", b"demo-hh01"));
        assert!(!r.check_password("HH-01", b"demo-hh0"));
    }
}
