//! The system these tests call: `bayline::up::run` in-process on free ports with a fresh SQLite
//! file, serving the demo site and a second site, `north`, whose manager is the "foreign"
//! caller of the role table. Requests go out without following redirects, so a page that
//! sends the caller to sign in says so.

use std::net::SocketAddr;

use bayline::up::{Mqtt, Up};
use bayline_site::SiteConfig;
use tokio_util::sync::CancellationToken;

use crate::helpers::{rand_suffix, ADVISOR, DEADLINE, MANAGER};

pub const INTEGRATION: &str = "demo-integration-token";
/// The manager token of the other site.
pub const FOREIGN: &str = "north-manager-token";

/// A second site: its manager may do everything there and nothing at `demo`.
const NORTH: &str = r#"
[site]
id = "north"
name = "North Motors"
time_zone = "Asia/Shanghai"
language = "en"

[site.opening_hours]
mon = "08:00-17:00"
tue = "08:00-17:00"
wed = "08:00-17:00"
thu = "08:00-17:00"
fri = "08:00-17:00"
sat = ""
sun = ""

[[bays]]
id = "N01"
name = "Lift"
kind = "lift"

[[staff]]
badge = "N07"
name = "Ma Chao"
role = "technician"

[[tokens]]
token = "north-manager-token"
role = "manager"
"#;

/// Who calls: the columns of the role table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    None,
    Advisor,
    Integration,
    Manager,
    /// A manager of another site.
    Foreign,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::None,
        Role::Advisor,
        Role::Integration,
        Role::Manager,
        Role::Foreign,
    ];

    pub fn token(self) -> Option<&'static str> {
        match self {
            Role::None => None,
            Role::Advisor => Some(ADVISOR),
            Role::Integration => Some(INTEGRATION),
            Role::Manager => Some(MANAGER),
            Role::Foreign => Some(FOREIGN),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::None => "none",
            Role::Advisor => "advisor",
            Role::Integration => "integration",
            Role::Manager => "manager",
            Role::Foreign => "foreign",
        }
    }
}

/// How a token travels: what API clients send, and what a signed-in browser sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    Bearer,
    Cookie,
}

pub struct System {
    pub http: SocketAddr,
    pub client: reqwest::Client,
    cancel: CancellationToken,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl System {
    pub async fn start() -> System {
        crate::helpers::init_logs();
        let dir = tempfile::tempdir().unwrap();
        let north = SiteConfig::parse("north.toml", NORTH).unwrap();
        let up = Up {
            sites: vec![SiteConfig::demo(), north],
            db: format!("sqlite://{}/bayline.db", dir.path().display()),
            mqtt: Mqtt::Listen("127.0.0.1:0".parse().unwrap()),
            http: "127.0.0.1:0".parse().unwrap(),
            trust_forwarded_for: false,
            https: None,
            mqtt_ws: Some("127.0.0.1:0".parse().unwrap()),
            client_id: format!("bayline-sec-{}", rand_suffix()),
            service_password: None,
        };
        let cancel = CancellationToken::new();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(bayline::up::run(up, cancel.clone(), move |r| {
            let _ = tx.send(r.http);
        }));
        let http = tokio::time::timeout(DEADLINE, rx)
            .await
            .expect("bayline did not get ready")
            .expect("bayline stopped before ready");
        System {
            http,
            client: no_redirects(),
            cancel,
            task: Some(task),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.http)
    }

    /// A request as `role` would send it.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        role: Role,
        how: Presented,
    ) -> reqwest::RequestBuilder {
        self.request_on(&self.client, method, path, role, how)
    }

    /// As [`System::request`], on `client`.
    pub fn request_on(
        &self,
        client: &reqwest::Client,
        method: &str,
        path: &str,
        role: Role,
        how: Presented,
    ) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let req = client.request(method, self.url(path));
        match (role.token(), how) {
            (None, _) => req,
            (Some(t), Presented::Bearer) => req.bearer_auth(t),
            (Some(t), Presented::Cookie) => req.header("cookie", format!("bayline_session={t}")),
        }
    }

    /// A manager's read of a JSON path: `(status, body)`.
    pub async fn read(&self, path: &str) -> (u16, serde_json::Value) {
        let res = (self.request("GET", path, Role::Manager, Presented::Bearer))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or_default())
    }

    pub async fn stop(mut self) {
        self.cancel.cancel();
        if let Some(t) = self.task.take() {
            tokio::time::timeout(DEADLINE, t)
                .await
                .expect("bayline did not stop")
                .unwrap()
                .unwrap();
        }
    }
}

impl Drop for System {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// A client that shows redirects instead of following them.
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A client for bodies the server refuses before reading them: it answers and closes the
/// connection, which a pooled client could otherwise pick for the next request.
pub fn unpooled() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}
