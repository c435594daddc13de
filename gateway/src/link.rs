//! The MQTT side: where the broker is, and how we connect to it.

use std::time::Duration;

use rumqttc::MqttOptions;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum LinkError {
    #[error("broker URL {0:?} is not of the form mqtt://user:pass@host:port")]
    BadUrl(String),
}

/// `mqtt://user:pass@host:port`. Debug output hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct BrokerUrl {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for BrokerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "mqtt://{}@{}:{}",
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
        let bad = || LinkError::BadUrl(s.to_string());
        let url = url::Url::parse(s).map_err(|_| bad())?;
        if url.scheme() != "mqtt" {
            return Err(bad());
        }
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
                .to_string(),
            port: url.port().unwrap_or(1883),
            user: Some(url.username())
                .filter(|u| !u.is_empty())
                .and_then(decode),
            password: url.password().and_then(decode),
        })
    }
}

impl BrokerUrl {
    pub fn local(port: u16, user: &str, password: &str) -> BrokerUrl {
        BrokerUrl {
            host: "127.0.0.1".into(),
            port,
            user: Some(user.into()),
            password: Some(password.into()),
        }
    }

    /// Options for a client of this broker. Large incoming packets are allowed on purpose:
    /// an oversized scan must arrive to be stored and rejected `too_large`.
    pub fn options(&self, client_id: &str) -> MqttOptions {
        let mut o = MqttOptions::new(client_id, &self.host, self.port);
        if let Some(user) = &self.user {
            o.set_credentials(user, self.password.as_deref().unwrap_or(""));
        }
        o.set_keep_alive(Duration::from_secs(15));
        o.set_max_packet_size(1024 * 1024, 1024 * 1024);
        o
    }
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
        assert!(!format!("{u:?}").contains("p@ss"));
        let u: BrokerUrl = "mqtt://broker.local".parse().unwrap();
        assert_eq!((u.port, u.user), (1883, None));
    }

    #[test]
    fn other_urls_are_refused() {
        for bad in ["http://x:1", "mqtt://", "broker:1883", ""] {
            assert!(bad.parse::<BrokerUrl>().is_err(), "{bad}");
        }
    }
}
