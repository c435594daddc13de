//! Signing in once: a manager or an advisor types a token into a form, the server checks it and keeps it
//! in an HttpOnly, SameSite=Strict cookie that the pages, the JSON API and the event stream
//! accept (see `http::auth`). A wrong token says what is wrong and sets nothing.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bayline_ledger::SiteLive;
use bayline_site::{SiteConfig, Token, TokenRole};
use serde::Deserialize;

use bayline_proto::Language;
use maud::html;

use super::html::{document, error_page, page as html_page};
use super::words::{words, Words};
use crate::http::auth::{Caller, MANAGER, PLANNERS, SESSION_COOKIE};
use crate::http::Error;
use crate::AppState;

/// What a page answers instead of itself: the way to sign in, or an error page (boxed: a
/// `Response` is large and most requests never need one).
pub struct Refusal(Box<Response>);

impl From<Response> for Refusal {
    fn from(r: Response) -> Refusal {
        Refusal(Box::new(r))
    }
}

impl From<bayline_store::StoreError> for Refusal {
    /// The database failed under a page: the API's error answer, logged there.
    fn from(e: bayline_store::StoreError) -> Refusal {
        Error::from(e).into_response().into()
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// The site, if the caller's session is a manager's there; else the way to sign in.
pub fn manager(
    state: &AppState,
    caller: &Caller,
    site: &str,
    here: &str,
) -> Result<Arc<SiteLive>, Refusal> {
    let (live, _) = signed_in(state, caller, (site, here), MANAGER, |w| w.managers_only)?;
    Ok(live)
}

/// The site and the caller's token, if the caller's session is an advisor's or a manager's
/// there; else the way to sign in.
pub fn planner(
    state: &AppState,
    caller: &Caller,
    site: &str,
    here: &str,
) -> Result<(Arc<SiteLive>, Token), Refusal> {
    signed_in(state, caller, (site, here), PLANNERS, |w| w.planners_only)
}

/// The site and the token of a session in one of `roles` there; without one, the sign-in
/// page (coming back to `here`), or the page that says who the page is for (`for_whom`).
fn signed_in(
    state: &AppState,
    caller: &Caller,
    (site, here): (&str, &str),
    roles: &[TokenRole],
    for_whom: fn(&Words) -> &'static str,
) -> Result<(Arc<SiteLive>, Token), Refusal> {
    match caller.site(state, site, roles) {
        Ok(live) => match caller.holder(&live.config) {
            Some(token) => Ok((live, token)),
            None => Err(sign_in_first(site, here)),
        },
        Err(Error::Unauthorized) => Err(sign_in_first(site, here)),
        Err(Error::NotFound(_)) => Err(no_site(state, site).into()),
        Err(_) => {
            let lang = state
                .ledger
                .site(site)
                .map_or(Language::En, |l| l.config.language);
            Err(error_page(lang, StatusCode::FORBIDDEN, for_whom(words(lang))).into())
        }
    }
}

pub(super) fn sign_in_first(site: &str, here: &str) -> Refusal {
    let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    let to = format!("/sites/{}/signin?next={next}", enc(site));
    Redirect::to(&to).into_response().into()
}

/// The 404 for a site this server does not serve. It has no language of its own, so it
/// speaks the first served site's (one server is one company's sites, in one language).
pub fn no_site(state: &AppState, site: &str) -> Response {
    let lang = state
        .ledger
        .sites()
        .next()
        .map_or(Language::En, |l| l.config.language);
    let w = words(lang);
    error_page(lang, StatusCode::NOT_FOUND, &format!("{}{site}", w.no_site))
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct SignIn {
    #[serde(default)]
    token: String,
    next: Option<String>,
}

pub async fn form(
    State(state): State<AppState>,
    Path(site): Path<String>,
    Query(q): Query<Next>,
) -> Response {
    match state.ledger.site(&site) {
        Some(live) => page(&live.config, q.next.as_deref(), None, StatusCode::OK),
        None => no_site(&state, &site),
    }
}

pub async fn sign_in(
    State(state): State<AppState>,
    Path(site): Path<String>,
    Form(f): Form<SignIn>,
) -> Response {
    let Some(live) = state.ledger.site(&site) else {
        return no_site(&state, &site);
    };
    let config = &live.config;
    let w = words(config.language);
    let token = f.token.trim();
    let caller = Caller::with_token(token);
    let refused = match caller.site(&state, &site, PLANNERS) {
        Ok(_) => None,
        Err(Error::Unauthorized) if token.is_empty() => {
            Some((StatusCode::UNAUTHORIZED, w.enter_token))
        }
        Err(Error::Unauthorized) => Some((StatusCode::UNAUTHORIZED, w.token_unknown)),
        Err(_) => Some((StatusCode::FORBIDDEN, w.token_not_manager)),
    };
    if let Some((status, why)) = refused {
        return page(config, f.next.as_deref(), Some(why), status);
    }
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000",
        enc(token)
    );
    let role = caller.holder(config).map_or(TokenRole::Manager, |t| t.role);
    let to = safe_next(config, role, f.next.as_deref());
    (
        StatusCode::SEE_OTHER,
        [(header::SET_COOKIE, cookie), (header::LOCATION, to)],
    )
        .into_response()
}

pub async fn sign_out(Path(site): Path<String>) -> Response {
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, format!("/sites/{}/signin", enc(&site))),
        ],
    )
        .into_response()
}

/// Where to go after signing in: a page of this site the role may open, never another host.
fn safe_next(site: &SiteConfig, role: TokenRole, next: Option<&str>) -> String {
    let home = format!("/sites/{}/", site.id);
    let (first, pages): (&str, &[&str]) = match role {
        TokenRole::Manager => ("now", &[""]),
        _ => ("cars", &["cars", "loading"]),
    };
    match next {
        Some(n)
            if n.starts_with(&home)
                && !n.contains("//")
                && !n.contains('\\')
                && pages.iter().any(|p| n[home.len()..].starts_with(p)) =>
        {
            n.into()
        }
        _ => format!("{home}{first}"),
    }
}

fn page(
    site: &SiteConfig,
    next: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let w = words(site.language);
    let id = site.id.as_str();
    let body = html! {
        body.manager.signin {
            main {
                h1 { (site.name) }
                form.card method="post" action={ "/sites/" (id) "/signin" } {
                    p { (w.sign_in_hint) }
                    @if let Some(e) = error {
                        p.error role="alert" id="signin-error" { (e) }
                    }
                    label {
                        (w.token) " "
                        input type="password" name="token" id="token" autocomplete="current-password" required autofocus;
                    }
                    @if let Some(n) = next {
                        input type="hidden" name="next" value=(n);
                    }
                    button type="submit" id="signin" { (w.sign_in) }
                }
                p { a href={ "/sites/" (id) "/lounge" } { (w.lounge) } }
            }
        }
    };
    let title = format!("{} · {}", w.sign_in, site.name);
    (status, html_page(document(site.language, &title, body))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_only_returns_to_a_page_of_the_same_site() {
        let site = SiteConfig::demo();
        assert_eq!(
            safe_next(&site, TokenRole::Manager, Some("/sites/demo/figures?x=1")),
            "/sites/demo/figures?x=1"
        );
        for evil in [
            "https://evil.example/",
            "//evil.example/",
            "/sites/other/now",
            "/sites/demo//evil",
        ] {
            assert_eq!(
                safe_next(&site, TokenRole::Manager, Some(evil)),
                "/sites/demo/now",
                "{evil}"
            );
        }
        assert_eq!(
            safe_next(&site, TokenRole::Manager, None),
            "/sites/demo/now"
        );
    }

    #[test]
    fn an_advisor_lands_on_their_cars_unless_they_asked_for_the_loading() {
        let site = SiteConfig::demo();
        let advisor = |next| safe_next(&site, TokenRole::Advisor, next);
        assert_eq!(advisor(None), "/sites/demo/cars");
        assert_eq!(advisor(Some("/sites/demo/now")), "/sites/demo/cars");
        assert_eq!(
            advisor(Some("/sites/demo/loading?std=2")),
            "/sites/demo/loading?std=2"
        );
    }
}
