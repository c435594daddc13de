//! The customer in the loop (contract §7.5): status-link tokens and what a token opens, the
//! per-address limit on `/c/`, and webhook delivery. The routes are `http::customer` (the
//! advisor's API) and `web::customer` (the customer's page).
//!
//! - `token`: making tokens, and finding the live link a presented token names.
//! - `limit`: the per-address token bucket in front of `/c/`.
//! - `webhooks`: the outbox's delivery loop, signed with HMAC-SHA256.

pub mod limit;
pub mod token;
pub mod webhooks;
