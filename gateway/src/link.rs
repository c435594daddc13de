//! The MQTT side: where the broker is, and how we connect to it: plain MQTT (`mqtt://`) or
//! MQTT over TLS (`mqtts://`), the broker's certificate checked against the system's roots or
//! a CA file of our own.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rumqttc::{MqttOptions, TlsConfiguration, Transport};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum LinkError {
    #[error("broker URL {0:?} is not of the form mqtt://user:pass@host:port or mqtts://user:pass@host:port")]
    BadUrl(String),
    #[error("cannot read the broker's CA file {path}: {error}")]
    CaFile { path: PathBuf, error: String },
    #[error("the broker's CA file {0} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")]
    NoCaCertificate(PathBuf),
    #[error("a CA file only applies to an mqtts:// broker; {0} is plain mqtt://")]
    CaWithoutTls(String),
}

/// `mqtt://user:pass@host:port` (default port 1883) or `mqtts://user:pass@host:port` (8883).
/// Debug output hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct BrokerUrl {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
    /// `Some` for `mqtts://`: how the broker's certificate is checked.
    pub tls: Option<Tls>,
}

impl std::fmt::Debug for BrokerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}://{}@{}:{}",
            self.scheme(),
            self.user.as_deref().unwrap_or(""),
            self.host,
            self.port
        )
    }
}

impl std::fmt::Display for BrokerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

impl std::str::FromStr for BrokerUrl {
    type Err = LinkError;
    fn from_str(s: &str) -> Result<Self, LinkError> {
        let bad = || LinkError::BadUrl(without_password(s));
        let url = url::Url::parse(s).map_err(|_| bad())?;
        let (tls, default_port) = match url.scheme() {
            "mqtt" => (None, 1883),
            "mqtts" => (Some(Tls::system_roots()), 8883),
            _ => return Err(bad()),
        };
        let decode = |p: &str| {
            url::form_urlencoded::parse(format!("x={p}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        Ok(BrokerUrl {
            host: url
                .host_str()
                .filter(|h| !h.is_empty())
                .ok_or_else(bad)?
                // An IPv6 host keeps its brackets in the URL but not in a socket address.
                .trim_matches(['[', ']'])
                .to_string(),
            port: url.port().unwrap_or(default_port),
            user: Some(url.username())
                .filter(|u| !u.is_empty())
                .and_then(decode),
            password: url.password().and_then(decode),
            tls,
        })
    }
}

/// The URL as it may appear in a message: a password, if any, as `***`. By hand, not with
/// the URL parser: the URLs that need this are the ones it refused.
fn without_password(s: &str) -> String {
    let Some((scheme, rest)) = s.split_once("://") else {
        return s.to_string();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    match authority.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}{}", &rest[authority.len()..])
        }
        _ => s.to_string(),
    }
}

impl BrokerUrl {
    pub fn local(port: u16, user: &str, password: &str) -> BrokerUrl {
        BrokerUrl {
            host: "127.0.0.1".into(),
            port,
            user: Some(user.into()),
            password: Some(password.into()),
            tls: None,
        }
    }

    fn scheme(&self) -> &'static str {
        if self.tls.is_some() {
            "mqtts"
        } else {
            "mqtt"
        }
    }

    /// The same broker, its certificate checked against the CA certificates of this PEM file
    /// only (a workshop's own CA) instead of the system's roots.
    pub fn trusting(self, ca_file: &Path) -> Result<BrokerUrl, LinkError> {
        if self.tls.is_none() {
            return Err(LinkError::CaWithoutTls(self.to_string()));
        }
        Ok(BrokerUrl {
            tls: Some(Tls::from_ca_file(ca_file)?),
            ..self
        })
    }

    /// Options for a client of this broker. Large incoming packets are allowed on purpose:
    /// an oversized scan must arrive to be stored and rejected `too_large`.
    pub fn options(&self, client_id: &str) -> MqttOptions {
        let mut o = MqttOptions::new(client_id, &self.host, self.port);
        if let Some(user) = &self.user {
            o.set_credentials(user, self.password.as_deref().unwrap_or(""));
        }
        if let Some(tls) = &self.tls {
            o.set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(
                tls.client_config(),
            )));
        }
        o.set_keep_alive(Duration::from_secs(15));
        o.set_max_packet_size(1024 * 1024, 1024 * 1024);
        o
    }
}

/// How a client checks the broker's certificate: against the system's roots, or against the
/// certificates of one CA file, read and checked once when it is named.
#[derive(Clone)]
pub struct Tls {
    ca: Option<(PathBuf, Arc<ClientConfig>)>,
}

impl PartialEq for Tls {
    fn eq(&self, other: &Tls) -> bool {
        self.ca_file() == other.ca_file()
    }
}

impl Eq for Tls {}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.ca_file() {
            Some(path) => write!(f, "Tls(ca {})", path.display()),
            None => f.write_str("Tls(system roots)"),
        }
    }
}

impl Tls {
    /// Trust the roots of the system's store (on Debian, `/etc/ssl/certs` from
    /// ca-certificates, where an `update-ca-certificates` puts a workshop's own CA too).
    pub fn system_roots() -> Tls {
        Tls { ca: None }
    }

    /// Trust only the certificates of this PEM file.
    pub fn from_ca_file(path: &Path) -> Result<Tls, LinkError> {
        let failed = |error: String| LinkError::CaFile {
            path: path.to_path_buf(),
            error,
        };
        let pem = std::fs::read(path).map_err(|e| failed(e.to_string()))?;
        let certs = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| failed(format!("not PEM: {e}")))?;
        if certs.is_empty() {
            return Err(LinkError::NoCaCertificate(path.to_path_buf()));
        }
        let mut roots = RootCertStore::empty();
        for (i, cert) in certs.into_iter().enumerate() {
            roots
                .add(cert)
                .map_err(|e| failed(format!("certificate {}: {e}", i + 1)))?;
        }
        Ok(Tls {
            ca: Some((path.to_path_buf(), Arc::new(client_config(roots)))),
        })
    }

    /// The CA file trusted instead of the system's roots, if one is.
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca.as_ref().map(|(p, _)| p.as_path())
    }

    fn client_config(&self) -> Arc<ClientConfig> {
        match &self.ca {
            Some((_, config)) => config.clone(),
            None => system_config(),
        }
    }
}

/// The system's roots, read once per process: every handheld of `bayline bench` or `bayline
/// simulate` is a client of its own.
fn system_config() -> Arc<ClientConfig> {
    static SYSTEM: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    SYSTEM
        .get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            let mut roots = RootCertStore::empty();
            let (added, _) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                // Not fatal here: the connection fails with an unknown issuer, and says so.
                tracing::warn!(
                    errors = ?found.errors,
                    "no root certificates in the system's store: an mqtts:// broker cannot be \
                     checked; name its CA file with --broker-ca"
                );
            }
            Arc::new(client_config(roots))
        })
        .clone()
}

fn client_config(roots: RootCertStore) -> ClientConfig {
    // ring as the process-wide provider unless one is set already: without one, rustls would
    // have to guess from the crate features of the whole build (the broker needs it too).
    let _ = rustls::crypto::ring::default_provider().install_default();
    ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_urls_parse_with_credentials() {
        let u: BrokerUrl = "mqtt://bayline:p%40ss@127.0.0.1:1884".parse().unwrap();
        assert_eq!((u.host.as_str(), u.port), ("127.0.0.1", 1884));
        assert_eq!(u.user.as_deref(), Some("bayline"));
        assert_eq!(u.password.as_deref(), Some("p@ss"));
        assert_eq!(u.tls, None);
        assert!(!format!("{u:?}").contains("p@ss"));
        let u: BrokerUrl = "mqtt://broker.local".parse().unwrap();
        assert_eq!((u.port, u.user), (1883, None));
    }

    #[test]
    fn mqtts_urls_mean_tls_on_8883_by_default() {
        let u: BrokerUrl = "mqtts://gw:s%3Acret@broker.workshop.lan".parse().unwrap();
        assert_eq!((u.host.as_str(), u.port), ("broker.workshop.lan", 8883));
        assert_eq!(u.user.as_deref(), Some("gw"));
        assert_eq!(u.password.as_deref(), Some("s:cret"));
        assert_eq!(u.tls, Some(Tls::system_roots()));
        let shown = format!("{u:?}");
        assert_eq!(shown, "mqtts://gw@broker.workshop.lan:8883");
        let u: BrokerUrl = "mqtts://[::1]:18883".parse().unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 18883));
        assert!(u.tls.is_some());
    }

    #[test]
    fn other_urls_are_refused() {
        for bad in [
            "http://x:1",
            "mqtt://",
            "mqtts://",
            "broker:1883",
            "",
            "ssl://x:8883",
        ] {
            assert!(bad.parse::<BrokerUrl>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_refused_url_does_not_repeat_its_password() {
        for bad in [
            "mqtts://gw:hunter2@/x",
            "http://gw:hunter2@h:1",
            "ftp://gw:hunt@er2@h",
        ] {
            let err = bad.parse::<BrokerUrl>().unwrap_err().to_string();
            assert!(!err.contains("hunt"), "{err}");
            assert!(err.contains("gw:***@"), "{err}");
        }
    }

    #[test]
    fn a_ca_file_applies_only_to_mqtts() {
        let u: BrokerUrl = "mqtt://127.0.0.1:1883".parse().unwrap();
        let err = u.trusting(Path::new("/nonexistent/ca.pem")).unwrap_err();
        assert_eq!(err, LinkError::CaWithoutTls("127.0.0.1:1883".into()));
    }

    #[test]
    fn a_missing_or_empty_ca_file_is_named() {
        let u: BrokerUrl = "mqtts://127.0.0.1".parse().unwrap();
        let missing = Path::new("/nonexistent/ca.pem");
        let err = u.clone().trusting(missing).unwrap_err();
        assert!(
            matches!(&err, LinkError::CaFile { path, .. } if path == missing),
            "{err:?}"
        );
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");

        let dir = std::env::temp_dir().join(format!("bayline-link-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = u.trusting(&empty).unwrap_err();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(err, LinkError::NoCaCertificate(empty));
    }
}
