//! Logs go to stderr (stdout carries the `bayline ready` line and command output).

use std::fmt;

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, clap::ValueEnum, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,mqtt5=warn,sqlx=warn,rumqttc=warn"));
    let logs = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(QuietRefusedLogins);
    let _ = match format {
        LogFormat::Text => registry.with(logs).try_init(),
        LogFormat::Json => registry.with(logs.json()).try_init(),
    };
}

/// Drops the built-in broker's own lines for a refused MQTT login: it writes two WARNs for
/// each (the handler's and the server's) without saying who. bayline's check of the login
/// writes one line instead, with the user and the address ([`crate::broker`]).
struct QuietRefusedLogins;

impl<S: Subscriber> Layer<S> for QuietRefusedLogins {
    fn event_enabled(&self, event: &Event<'_>, _: Context<'_, S>) -> bool {
        let target = event.metadata().target();
        // Only the broker's lines are read: the rest pass without formatting their message.
        !(target.starts_with("mqtt5::broker") && is_refused_login(target, &message_of(event)))
    }
}

fn is_refused_login(target: &str, message: &str) -> bool {
    target.starts_with("mqtt5::broker") && message.ends_with("error: Authentication failed")
}

fn message_of(event: &Event<'_>) -> String {
    struct Message(String);
    impl Visit for Message {
        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            if field.name() == "message" {
                self.0 = format!("{value:?}");
            }
        }
    }
    let mut m = Message(String::new());
    event.record(&mut m);
    m.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_brokers_refused_login_lines_are_dropped() {
        assert!(is_refused_login(
            "mqtt5::broker::client_handler",
            "Connect error: Authentication failed"
        ));
        assert!(is_refused_login(
            "mqtt5::broker::server",
            "Client handler error: Authentication failed"
        ));
        assert!(!is_refused_login(
            "mqtt5::broker::client_handler",
            "Connect timeout from 10.0.0.7:50311"
        ));
        assert!(!is_refused_login(
            "bayline::broker",
            "Connect error: Authentication failed"
        ));
    }
}
