//! The browser pages: what managers run a day from, and the lounge TV. Server-rendered
//! HTML, one stylesheet and one small script embedded in the binary, charts drawn as inline
//! SVG on the server: nothing to build, no CDN, works with no internet.
//!
//! Manager pages sign in once (`session`) and then carry the token in a cookie, which the
//! JSON API and the event stream accept too. Pages read the live state directly; `live.js`
//! re-fetches the live parts of a page as HTML fragments when the site's event stream says
//! something changed. The lounge page is public, masked and has its own public stream that
//! carries no data, only "something changed".
//!
//! # Layout
//! - `session`: sign-in form, cookie, sign-out; the manager check every page makes.
//! - `html`, `words`: the page shell and helpers; every word in zh and en.
//! - `charts`: SVG Pareto and trend-line charts.
//! - one module per page: `now` (bay grid, WIP), `figures` (§6 KPIs), `timeline` (Gantt),
//!   `review` (anomalies, rejected scans, the correction form; `correct` takes it), `boards`
//!   (PNG previews), `lounge` (TV).
//! - `assets/`: `bayline.css`, `live.js`, served from the binary.
//! - `handheld`: the technician's app at `/h/` (its files in `handheld/`).

mod boards;
mod charts;
mod correct;
mod figures;
mod handheld;
mod html;
mod lounge;
mod now;
mod review;
mod session;
mod timeline;
mod words;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

const CSS: &str = include_str!("assets/bayline.css");
const JS: &str = include_str!("assets/live.js");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/assets/bayline.css", get(css))
        .route("/assets/live.js", get(js))
        .route("/sites/{site}", get(site_home))
        .route(
            "/sites/{site}/signin",
            get(session::form).post(session::sign_in),
        )
        .route("/sites/{site}/signout", post(session::sign_out))
        .route("/sites/{site}/now", get(now::page))
        .route("/sites/{site}/now/live", get(now::live))
        .route("/sites/{site}/figures", get(figures::page))
        .route("/sites/{site}/timeline", get(timeline::page))
        .route("/sites/{site}/review", get(review::page))
        .route("/sites/{site}/review/corrections", post(correct::correct))
        .route("/sites/{site}/boards", get(boards::page))
        .route("/sites/{site}/lounge", get(lounge::page))
        .route("/sites/{site}/lounge/live", get(lounge::live))
        .route("/sites/{site}/lounge/events", get(lounge::events))
        .merge(handheld::router())
}

/// Every site this server serves, with its pages.
async fn index(State(state): State<AppState>) -> Response {
    let mut list = String::new();
    for live in state.ledger.sites() {
        let c = &live.config;
        let w = words::words(c.language);
        let id = html::esc(c.id.as_str());
        list.push_str(&format!(
            r#"<li class="card"><strong>{name}</strong> · <a href="/sites/{id}/now">{now}</a> · <a href="/sites/{id}/lounge">{lounge}</a></li>"#,
            name = html::esc(&c.name),
            now = w.now,
            lounge = w.lounge
        ));
    }
    let head = html::shell_head(bayline_proto::Language::En, "bayline", "");
    html::html(format!(
        r#"{head}<body class="manager"><main><h1>bayline</h1><ul class="sites">{list}</ul></main></body></html>"#
    ))
}

async fn site_home(Path(site): Path<String>) -> Redirect {
    let site: String = url::form_urlencoded::byte_serialize(site.as_bytes()).collect();
    Redirect::to(&format!("/sites/{site}/now"))
}

async fn css() -> Response {
    asset("text/css; charset=utf-8", CSS)
}

async fn js() -> Response {
    asset("text/javascript; charset=utf-8", JS)
}

/// Assets change only with the binary; an hour of caching spares the lounge TV's refreshes.
fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
