//! Signing in once: the manager types a token into a form, the server checks it and keeps it
//! in an HttpOnly, SameSite=Strict cookie that the pages, the JSON API and the event stream
//! accept (see `http::auth`). A wrong token says what is wrong and sets nothing.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bayline_ledger::SiteLive;
use bayline_site::SiteConfig;
use serde::Deserialize;

use super::html::{esc, html, shell_head};
use super::words::words;
use crate::http::auth::{Caller, MANAGER, SESSION_COOKIE};
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
    match caller.site(state, site, MANAGER) {
        Ok(live) => Ok(live),
        Err(Error::Unauthorized) => {
            let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
            let to = format!("/sites/{}/signin?next={next}", enc(site));
            Err(Redirect::to(&to).into_response().into())
        }
        Err(Error::NotFound(m)) => Err(error_page(StatusCode::NOT_FOUND, &m).into()),
        Err(e) => Err(error_page(StatusCode::FORBIDDEN, &e.to_string()).into()),
    }
}

/// A plain page for what went wrong (a page, where the JSON API would answer JSON).
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let head = shell_head(bayline_proto::Language::En, "bayline", "");
    let body = format!(
        r#"{head}<body class="manager"><main><p class="error" role="alert">{}</p>
<p><a href="/">bayline</a></p></main></body></html>"#,
        esc(message)
    );
    (status, html(body)).into_response()
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
        None => error_page(StatusCode::NOT_FOUND, &format!("no site {site}")),
    }
}

pub async fn sign_in(
    State(state): State<AppState>,
    Path(site): Path<String>,
    Form(f): Form<SignIn>,
) -> Response {
    let Some(live) = state.ledger.site(&site) else {
        return error_page(StatusCode::NOT_FOUND, &format!("no site {site}"));
    };
    let config = &live.config;
    let token = f.token.trim();
    let refused = match Caller::with_token(token).site(&state, &site, MANAGER) {
        Ok(_) => None,
        Err(Error::Unauthorized) if token.is_empty() => {
            Some((StatusCode::UNAUTHORIZED, "Enter a token. / 请输入令牌。"))
        }
        Err(Error::Unauthorized) => Some((
            StatusCode::UNAUTHORIZED,
            "That token is not known here: check it against the site file. / 令牌无效。",
        )),
        Err(_) => Some((
            StatusCode::FORBIDDEN,
            "That token is not a manager token of this site. / 该令牌不是本站点的经理令牌。",
        )),
    };
    if let Some((status, why)) = refused {
        return page(config, f.next.as_deref(), Some(why), status);
    }
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000",
        enc(token)
    );
    let to = safe_next(config, f.next.as_deref());
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

/// Where to go after signing in: a page of this site, never another host.
fn safe_next(site: &SiteConfig, next: Option<&str>) -> String {
    let home = format!("/sites/{}/", site.id);
    match next {
        Some(n) if n.starts_with(&home) && !n.contains("//") && !n.contains('\\') => n.into(),
        _ => format!("{home}now"),
    }
}

fn page(
    site: &SiteConfig,
    next: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let w = words(site.language);
    let head = shell_head(site.language, &format!("{} · {}", w.sign_in, site.name), "");
    let error = error
        .map(|e| {
            format!(
                r#"<p class="error" role="alert" id="signin-error">{}</p>"#,
                esc(e)
            )
        })
        .unwrap_or_default();
    let next = next
        .map(|n| format!(r#"<input type="hidden" name="next" value="{}">"#, esc(n)))
        .unwrap_or_default();
    let body = format!(
        r#"{head}<body class="manager signin"><main>
<h1>{name}</h1>
<form method="post" action="/sites/{id}/signin" class="card">
<p>{hint}</p>{error}
<label>{token} <input type="password" name="token" id="token" autocomplete="current-password" required autofocus></label>
{next}<button type="submit" id="signin">{sign_in}</button>
</form>
<p><a href="/sites/{id}/lounge">{lounge}</a></p>
</main></body></html>"#,
        name = esc(&site.name),
        id = esc(site.id.as_str()),
        hint = w.sign_in_hint,
        token = w.token,
        sign_in = w.sign_in,
        lounge = w.lounge,
    );
    (status, html(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_only_returns_to_a_page_of_the_same_site() {
        let site = SiteConfig::demo();
        assert_eq!(
            safe_next(&site, Some("/sites/demo/figures?x=1")),
            "/sites/demo/figures?x=1"
        );
        for evil in [
            "https://evil.example/",
            "//evil.example/",
            "/sites/other/now",
            "/sites/demo//evil",
        ] {
            assert_eq!(safe_next(&site, Some(evil)), "/sites/demo/now", "{evil}");
        }
        assert_eq!(safe_next(&site, None), "/sites/demo/now");
    }
}
