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
//! - `html`, `words`: the page shell (maud), error pages and helpers; every word in zh and en.
//! - `charts`: SVG Pareto and trend-line charts.
//! - one module per page: `now` (bay grid, WIP), `figures` (§6 KPIs), `timeline` (Gantt),
//!   `review` (anomalies, rejected scans, the correction form; `correct` takes it), `boards`
//!   (PNG previews), `handhelds` (provisioning QR codes; their line in `provisioning`),
//!   `lounge` (TV); for planning (contract §7.3) `loading` (advisors and managers),
//!   `dispatch` (the foreman) and `cars` (an advisor's own cars, a job's customer link and
//!   its QR code); `customer`: the customer's status page `/c/{token}` (contract §7.5).
//! - `assets/`: `bayline.css`, `live.js`, `dispatch.js`, served from the binary.
//! - `handheld`: the technician's app at `/h/` (its files in `handheld/`).

mod boards;
mod cars;
mod charts;
mod correct;
pub(crate) mod customer;
mod dispatch;
mod figures;
mod handheld;
mod handhelds;
mod html;
mod loading;
mod lounge;
mod now;
pub mod provisioning;
mod review;
mod session;
mod timeline;
mod words;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use bayline_proto::Language;
use maud::html;

use crate::AppState;

const CSS: &str = include_str!("assets/bayline.css");
const JS: &str = include_str!("assets/live.js");
const DISPATCH_JS: &str = include_str!("assets/dispatch.js");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/assets/bayline.css", get(css))
        .route("/assets/live.js", get(js))
        .route("/assets/dispatch.js", get(dispatch_js))
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
        .route("/sites/{site}/cars", get(cars::page))
        .route("/sites/{site}/cars/live", get(cars::live))
        .route(
            "/sites/{site}/cars/{job}/link",
            get(cars::link_page).post(cars::make_link),
        )
        .route("/sites/{site}/loading", get(loading::page))
        .route("/sites/{site}/loading/live", get(loading::live))
        .route("/sites/{site}/dispatch", get(dispatch::page))
        .route("/sites/{site}/dispatch/live", get(dispatch::live))
        .route("/sites/{site}/handhelds", get(handhelds::page))
        .route("/sites/{site}/lounge", get(lounge::page))
        .route("/sites/{site}/lounge/live", get(lounge::live))
        .route("/sites/{site}/lounge/events", get(lounge::events))
        .merge(handheld::router())
}

/// Every site this server serves, with its pages, each named in its site's language.
async fn index(State(state): State<AppState>) -> Response {
    let sites: Vec<_> = state.ledger.sites().collect();
    let body = html! {
        body.manager {
            main {
                h1 { "bayline" }
                ul.sites {
                    @for live in &sites {
                        @let c = &live.config;
                        @let w = words::words(c.language);
                        li.card {
                            strong { (c.name) } " · "
                            a href={ "/sites/" (c.id.as_str()) "/now" } { (w.now) } " · "
                            a href={ "/sites/" (c.id.as_str()) "/lounge" } { (w.lounge) }
                        }
                    }
                }
            }
        }
    };
    html::page(html::document(Language::En, "bayline", body))
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

async fn dispatch_js() -> Response {
    asset("text/javascript; charset=utf-8", DISPATCH_JS)
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use bayline_site::SiteConfig;
    use tower::ServiceExt;

    use crate::AppState;

    async fn get(app: &axum::Router, uri: &str, session: Option<&str>) -> (StatusCode, String) {
        let mut req = Request::builder().uri(uri);
        if let Some(token) = session {
            req = req.header("cookie", format!("bayline_session={token}"));
        }
        let res = app
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), 1 << 22)
            .await
            .unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    async fn app() -> (tempfile::TempDir, axum::Router) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/web.db", dir.path().display());
        let store = bayline_store::Store::open(&url).await.unwrap();
        let ledger = bayline_ledger::Ledger::open(store, vec![SiteConfig::demo()])
            .await
            .unwrap();
        (dir, crate::http::router(AppState::new(Arc::new(ledger))))
    }

    #[tokio::test]
    async fn a_chinese_site_has_chinese_pages_headers_and_errors() {
        let (_dir, app) = app().await;
        let manager = Some("demo-manager-token");
        let (status, review) = get(&app, "/sites/demo/review", manager).await;
        assert_eq!(status, StatusCode::OK);
        for head in [
            "<th>工牌</th>",
            "<th>代码</th>",
            "<th>原始内容</th>",
            "<th>操作人</th>",
        ] {
            assert!(review.contains(head), "{head} missing from the review page");
        }
        for english in [
            "<th>badge</th>",
            "<th>payload</th>",
            ">kind ",
            ">target ts ",
        ] {
            assert!(!review.contains(english), "{english} on a Chinese page");
        }
        let (status, page) = get(&app, "/sites/nowhere/now", manager).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            page.contains("没有这个站点") && page.contains("nowhere"),
            "{page}"
        );
        let (status, page) = get(&app, "/sites/demo/now", Some("demo-advisor-token")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(page.contains("仅供本站点经理使用"), "{page}");
        let (status, page) = get(&app, "/sites/demo/lounge?lang=fr", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(page.contains("请求有误") && page.contains("fr"), "{page}");
        let (status, page) = get(&app, "/sites/demo/figures?period=range&from=x", manager).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(page.contains("区间无效"), "{page}");
    }

    #[tokio::test]
    async fn the_lounge_speaks_english_when_asked() {
        let (_dir, app) = app().await;
        let (status, page) = get(&app, "/sites/demo/lounge?lang=en", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(r#"<html lang="en">"#), "{page}");
        assert!(
            page.contains("?lang=en") && page.contains("No cars"),
            "{page}"
        );
    }
}
