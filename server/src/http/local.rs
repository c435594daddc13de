//! Answers about a site read as its workshop reads them ([`bayline_domain::present`]):
//! instants in the site's offset to the second, fractions to four decimals. Done once here,
//! on the way out, so that every route about a site (those to come too) answers alike.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::Response;
use bayline_domain::present::in_site_terms;
use serde_json::Value;

use crate::AppState;

/// Rewrites the JSON answers of `/api/v1/sites/{site}/…` in that site's terms.
pub async fn site_terms(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let zone = site_of(req.uri().path())
        .and_then(|site| state.ledger.site(site))
        .map(|live| live.config.time_zone.clone());
    let response = next.run(req).await;
    let Some(zone) = zone else {
        return response;
    };
    let json = (response.headers().get(CONTENT_TYPE))
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Answers are built in memory already; the limit only guards against a surprise.
    let Ok(bytes) = axum::body::to_bytes(body, 256 * 1024 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    in_site_terms(&mut value, &zone);
    match serde_json::to_vec(&value) {
        Ok(out) => {
            parts.headers.remove(CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(out))
        }
        Err(_) => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// The `{site}` of `/api/v1/sites/{site}/…`.
fn site_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/api/v1/sites/")?;
    Some(rest.split('/').next().unwrap_or(rest)).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_is_read_off_its_path() {
        assert_eq!(site_of("/api/v1/sites/demo/jobs/RO-1"), Some("demo"));
        assert_eq!(site_of("/api/v1/sites/demo"), Some("demo"));
        assert_eq!(site_of("/api/v1/sites/"), None);
        assert_eq!(site_of("/api/openapi.json"), None);
    }
}
