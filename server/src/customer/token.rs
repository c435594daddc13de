//! Status-link tokens: 256 random bits, URL-safe; the store keeps only their SHA-256, and a
//! presented token is looked up by its hash, so neither a database dump nor the time an
//! answer takes tells anything about a real token. A link opens its job while it is not
//! revoked and not expired: its own `expires_at`, else 24 h after the car is delivered.

use std::sync::Arc;

use base64::Engine;
use bayline_domain::view::JobView;
use bayline_domain::Time;
use bayline_ledger::SiteLive;
use bayline_store::Link;
use sha2::Digest;

use crate::AppState;

/// How long a link lives after its car is delivered.
pub const AFTER_DELIVERY: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// Length of a token as made: 32 bytes in unpadded base64url.
pub const TOKEN_LEN: usize = 43;

/// A fresh token: 256 bits from the operating system's generator.
pub fn fresh() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The hash the store finds a link by.
pub fn hash(token: &str) -> String {
    let digest = sha2::Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `token` could be one we made: anything else is refused before the database.
pub fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN
        && (token.bytes()).all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Where customers reach this server: the site's `public_url`, else the address the
/// advisor's request came to.
fn base(site: &bayline_site::SiteConfig, headers: &axum::http::HeaderMap) -> String {
    if let Some(url) = &site.public_url {
        return url.clone();
    }
    let host = (headers.get(axum::http::header::HOST))
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// Makes and keeps a link to `job` for its customer; returns its URL (the only place the
/// token is ever written).
pub async fn make(
    state: &AppState,
    site: &bayline_site::SiteConfig,
    job: &bayline_proto::Id,
    by: &str,
    (now, expires_at): (Time, Option<Time>),
    headers: &axum::http::HeaderMap,
) -> Result<String, bayline_store::StoreError> {
    let token = fresh();
    (state.ledger.store())
        .put_link(&site.id, job, &hash(&token), by, now, expires_at)
        .await?;
    Ok(format!("{}/c/{token}", base(site, headers)))
}

/// What a live token opens: its site, its link, its job as it is now.
pub struct Opened {
    pub live: Arc<SiteLive>,
    pub link: Link,
    pub job: JobView,
}

/// Whether a link still opens at `now`, its job as it is.
pub fn valid(link: &Link, job: &JobView, now: Time) -> bool {
    if link.revoked_at.is_some() {
        return false;
    }
    match (link.expires_at, job.delivered_at) {
        (Some(end), _) => now < end,
        (None, Some(delivered)) => now < delivered + AFTER_DELIVERY,
        (None, None) => true,
    }
}

/// The job a presented token opens at `now`; `None` for every reason it does not (malformed,
/// unknown, revoked, expired, the job gone), which the page must not tell apart.
pub async fn open(state: &AppState, token: &str, now: Time) -> Option<Opened> {
    if !well_formed(token) {
        return None;
    }
    let link = match state.ledger.store().link(&hash(token)).await {
        Ok(link) => link?,
        Err(e) => {
            tracing::warn!(error = %e, "status link lookup failed");
            return None;
        }
    };
    let live = state.ledger.site(link.site.as_str())?.clone();
    let job = live.read(|w| w.job(link.job.as_str(), now))?;
    valid(&link, &job, now).then_some(Opened { live, link, job })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_tokens_are_long_distinct_and_well_formed() {
        let (a, b) = (fresh(), fresh());
        assert_ne!(a, b);
        assert!(well_formed(&a) && well_formed(&b), "{a} {b}");
        assert_eq!(hash(&a).len(), 64);
        for bad in ["", "short", &format!("{a}x"), &a.replace(&a[..1], "%")] {
            assert!(!well_formed(bad), "{bad}");
        }
    }
}
