//! Bearer tokens (contract §5): each token belongs to one site's config and has one role.
//! No token or an unknown one → 401; a token of another site or a role not allowed → 403.
//!
//! A browser signs in once and keeps the token in the HttpOnly, SameSite=Strict cookie
//! [`SESSION_COOKIE`] (see `crate::web`): its `EventSource` cannot send an `Authorization`
//! header. The header wins when both are present.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use bayline_ledger::SiteLive;
use bayline_site::TokenRole;

use super::Error;
use crate::AppState;

/// The cookie a signed-in browser carries: the token, percent-encoded.
pub const SESSION_COOKIE: &str = "bayline_session";

/// Who is calling: the bearer token (or the session cookie's token), if any.
pub struct Caller(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_string());
        Ok(Caller(token.or_else(|| session_token(&parts.headers))))
    }
}

/// The token in the session cookie, if the request carries one.
pub fn session_token(headers: &axum::http::HeaderMap) -> Option<String> {
    (headers.get_all(axum::http::header::COOKIE).iter())
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| {
            url::form_urlencoded::parse(format!("t={value}").as_bytes())
                .map(|(_, t)| t.into_owned())
                .next()
                .unwrap_or_default()
        })
        .filter(|t| !t.is_empty())
}

impl Caller {
    /// A caller holding `token` (the sign-in form checks a token before it becomes a cookie).
    pub fn with_token(token: &str) -> Caller {
        Caller(Some(token.trim().to_string()))
    }
}

pub const STAFF: &[TokenRole] = &[
    TokenRole::Advisor,
    TokenRole::Integration,
    TokenRole::Manager,
];
pub const MANAGER: &[TokenRole] = &[TokenRole::Manager];
/// Those who promise times to customers and plan the workshop.
pub const PLANNERS: &[TokenRole] = &[TokenRole::Advisor, TokenRole::Manager];

impl Caller {
    /// The site, if this caller may act there in one of `roles`.
    pub fn site(
        &self,
        state: &AppState,
        site: &str,
        roles: &[TokenRole],
    ) -> Result<Arc<SiteLive>, Error> {
        let token = self.0.as_deref().ok_or(Error::Unauthorized)?;
        let holder = state
            .ledger
            .sites()
            .find_map(|s| {
                s.config
                    .tokens
                    .iter()
                    .find(|t| same(&t.token, token))
                    .map(|t| (s, t.role))
            })
            .ok_or(Error::Unauthorized)?;
        let live = state
            .ledger
            .site(site)
            .ok_or_else(|| Error::NotFound(format!("no site {site}")))?;
        let (token_site, role) = holder;
        if token_site.config.id != live.config.id || !roles.contains(&role) {
            return Err(Error::Forbidden);
        }
        Ok(live.clone())
    }
}

impl Caller {
    /// The token of `site` the caller holds, if any.
    pub fn holder(&self, site: &bayline_site::SiteConfig) -> Option<bayline_site::Token> {
        let token = self.0.as_deref()?;
        site.tokens.iter().find(|t| same(&t.token, token)).cloned()
    }

    /// Who the caller is, for an audit trail: the token's role and the first six hex digits
    /// of its SHA-256 (`manager-3f2a9c`); `None` without a known token.
    pub fn who(&self, state: &AppState) -> Option<bayline_proto::Id> {
        use sha2::Digest;
        let token = self.0.as_deref()?;
        let role = (state.ledger.sites())
            .find_map(|s| s.config.tokens.iter().find(|t| same(&t.token, token)))?
            .role;
        let digest = sha2::Sha256::digest(token.as_bytes());
        let hex: String = digest.iter().take(3).map(|b| format!("{b:02x}")).collect();
        let role = match role {
            TokenRole::Manager => "manager",
            TokenRole::Advisor => "advisor",
            TokenRole::Integration => "integration",
        };
        bayline_proto::Id::new(&format!("{role}-{hex}")).ok()
    }
}

impl Caller {
    /// Who puts a job card, for its history (contract §7.6): the token's `[[tokens]] name`,
    /// else its role and fingerprint.
    pub fn editor(
        &self,
        state: &AppState,
        site: &bayline_site::SiteConfig,
    ) -> Result<bayline_ledger::Editor, Error> {
        let holder = self.holder(site).ok_or(Error::Unauthorized)?;
        let who = match holder.name {
            Some(name) => name,
            None => self.who(state).ok_or(Error::Unauthorized)?.to_string(),
        };
        Ok(bayline_ledger::Editor {
            who,
            manager: holder.role == TokenRole::Manager,
        })
    }
}

/// Whether a presented token is a configured one, in time that does not depend on where they
/// differ: an answer's timing must not tell a caller how much of a guess was right.
fn same(configured: &str, presented: &str) -> bool {
    configured.len() == presented.len()
        && (configured.bytes().zip(presented.bytes())).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// A public site: no token needed.
pub fn public_site(state: &AppState, site: &str) -> Result<Arc<SiteLive>, Error> {
    state
        .ledger
        .site(site)
        .cloned()
        .ok_or_else(|| Error::NotFound(format!("no site {site}")))
}
