//! The handhelds page: per scanner of the site, the provisioning QR code a PDA's barcode
//! engine scans into the app's setup screen (scanner id, secret, site, broker address).
//!
//! The broker address is the one the PDAs use: this page's host name with the built-in
//! broker's WebSocket port, or what the manager types in (`?broker=`), e.g. behind a proxy or
//! with an external Mosquitto. The page is for managers only: the codes carry the secrets.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use maud::{html, PreEscaped};

use super::html::{manager_page, Tab};
use super::provisioning::Provisioning;
use super::session::{manager, Refusal};
use super::words::words;
use crate::http::Caller;
use crate::AppState;

/// The WebSocket port `bayline mosquitto-config` and `--mqtt-ws-listen` use by default.
const DEFAULT_WS_PORT: u16 = 8083;

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let live = manager(&state, &caller, &site, &format!("/sites/{site}/handhelds"))?;
    let c = &live.config;
    let w = words(c.language);
    let asked = query.as_deref().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, v)| k == "broker" && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
    });
    let broker = asked.unwrap_or_else(|| default_broker(&state, &headers));
    let codes: Vec<(Provisioning, Option<String>)> = c
        .scanners
        .iter()
        .map(|s| {
            let p = Provisioning {
                site: c.id.to_string(),
                id: s.id.to_string(),
                secret: s.secret.clone(),
                broker: broker.clone(),
            };
            let svg = p.qr_svg(240).ok();
            (p, svg)
        })
        .collect();
    let body = html! {
        h1 { (w.handhelds) }
        p { (w.handhelds_hint) }
        form.card method="get" {
            label { (w.broker_url) " " input name="broker" value=(broker) size="40"; }
            " " button type="submit" { "↻" }
        }
        div.previews {
            @for (p, svg) in &codes {
                figure.card.qr data-scanner=(p.id) {
                    figcaption { strong { (p.id) } }
                    @if let Some(svg) = svg { (PreEscaped(svg)) }
                    details {
                        summary { (w.code_as_text) }
                        code.provisioning { (p.to_text()) }
                    }
                }
            }
        }
    };
    Ok(manager_page(c, Tab::Handhelds, w.handhelds, body))
}

/// `ws(s)://{the host this page was asked of}:{the broker's WebSocket port}/mqtt`.
fn default_broker(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map_or("localhost", host_name);
    let (port, tls) = state.handheld_ws.unwrap_or((DEFAULT_WS_PORT, false));
    let scheme = if tls { "wss" } else { "ws" };
    format!("{scheme}://{host}:{port}/mqtt")
}

/// The name of a `Host` header without its port (`[::1]:80` → `[::1]`).
fn host_name(host: &str) -> &str {
    match host.strip_prefix('[') {
        Some(v6) => v6.find(']').map_or(host, |end| &host[..end + 2]),
        None => host.split(':').next().unwrap_or(host),
    }
}

#[cfg(test)]
mod tests {
    use super::host_name;

    #[test]
    fn a_host_header_loses_its_port_and_keeps_an_ipv6_address_whole() {
        assert_eq!(host_name("workshop.local:8443"), "workshop.local");
        assert_eq!(host_name("10.0.0.5"), "10.0.0.5");
        assert_eq!(host_name("[fd00::5]:8080"), "[fd00::5]");
    }
}
