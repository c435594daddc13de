//! "My cars": an advisor's open jobs (the cards whose `advisor` is the token's badge or that
//! badge's name), with stage, progress, ETA and promise, kept live; and for each, a page that
//! makes the customer's status link (contract §7.5) and shows it as a QR code.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bayline_domain::view::JobView;
use bayline_domain::{Stage, Time};
use bayline_proto::Id;
use bayline_site::{SiteConfig, Token, TokenRole};
use maud::{html, Markup, PreEscaped};

use super::html::{error_page, fragment, staff_page, Tab};
use super::now::jobs_table;
use super::session::{planner, sign_in_first, Refusal};
use super::words::{customer_words, words};
use crate::customer::token;
use crate::http::Caller;
use crate::AppState;

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<Response, Refusal> {
    let (live, token) = planner(&state, &caller, &site, &format!("/sites/{site}/cars"))?;
    let c = &live.config;
    let w = words(c.language);
    let inner = live.read(|ws| {
        let now = jiff::Timestamp::now();
        render(c, &token, &ws.jobs(now), now)
    });
    let body = html! {
        h1 {
            (w.cars)
            span #live-status.live.ok data-ok=(w.live) data-lost=(w.reconnecting) { (w.live) }
        }
        @if token.badge.is_none() { p.muted #no-badge { (w.no_advisor_badge) } }
        div #cars data-live={ "/sites/" (c.id.as_str()) "/cars/live" } { (inner) }
    };
    Ok(staff_page(c, token.role, Tab::Cars, w.cars, body))
}

/// The live part alone, for `live.js`.
pub async fn live(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<Response, Refusal> {
    let (live, token) = planner(&state, &caller, &site, &format!("/sites/{site}/cars"))?;
    let c = &live.config;
    Ok(fragment(live.read(|ws| {
        let now = jiff::Timestamp::now();
        render(c, &token, &ws.jobs(now), now)
    })))
}

/// Whether the card is `token`'s holder's: by badge or by the staff name the DMS may send.
fn is_mine(site: &SiteConfig, token: &Token, job: &JobView) -> bool {
    let Some(badge) = &token.badge else {
        return true;
    };
    let name = (site.staff.iter())
        .find(|s| &s.badge == badge)
        .map(|s| s.name.as_str());
    let advisor = job.advisor.trim();
    advisor == badge.as_str() || (name.is_some_and(|n| !n.is_empty() && advisor == n))
}

fn render(site: &SiteConfig, token: &Token, jobs: &[JobView], now: Time) -> Markup {
    let mut mine: Vec<&JobView> = (jobs.iter())
        .filter(|j| j.stage != Stage::Delivered)
        .filter(|j| is_mine(site, token, j))
        .collect();
    // The cars whose promise comes first are the calls to make first.
    mine.sort_by_key(|j| (j.promised_at.is_none(), j.promised_at));
    let w = words(site.language);
    let cw = customer_words(site.language);
    html! {
        (jobs_table(site, &mine, now))
        @if !mine.is_empty() {
            h2 { (cw.customer_link) }
            ul.links {
                @for j in &mine {
                    li { a href={ "/sites/" (site.id.as_str()) "/cars/" (j.job.as_str()) "/link" } { (w.job) " " (j.job.as_str()) " · " (cw.make_link) } }
                }
            }
        }
    }
}

/// A job's customer link page: a button that makes a link; once made, the link and its QR
/// code for the customer to scan at reception.
pub async fn link_page(
    State(state): State<AppState>,
    caller: Caller,
    Path((site, job)): Path<(String, String)>,
) -> Result<Response, Refusal> {
    let here = format!("/sites/{site}/cars/{job}/link");
    let (live, token) = planner(&state, &caller, &site, &here)?;
    Ok(link_view(&live.config, token.role, &job, None))
}

/// Makes a link for the job and shows it with its QR code.
pub async fn make_link(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((site, job)): Path<(String, String)>,
) -> Result<Response, Refusal> {
    let here = format!("/sites/{site}/cars/{job}/link");
    let (live, token) = planner(&state, &caller, &site, &here)?;
    let c = &live.config;
    let now = jiff::Timestamp::now();
    let w = words(c.language);
    let known = Id::new(&job)
        .ok()
        .filter(|id| live.read(|ws| ws.job(id.as_str(), now)).is_some());
    let Some(id) = known else {
        return Err(error_page(
            c.language,
            StatusCode::NOT_FOUND,
            &format!("{} {job}", w.job),
        )
        .into());
    };
    let by = (caller.editor(&state, c)).map_err(|_| sign_in_first(&site, &here))?;
    let url = token::make(&state, c, &id, &by.who, (now, None), &headers)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "customer link not kept");
            Refusal::from(error_page(
                c.language,
                StatusCode::INTERNAL_SERVER_ERROR,
                "",
            ))
        })?;
    Ok(link_view(c, token.role, &job, Some(&url)))
}

fn link_view(site: &SiteConfig, role: TokenRole, job: &str, url: Option<&str>) -> Response {
    let w = words(site.language);
    let cw = customer_words(site.language);
    let qr = url.and_then(|u| qr_svg(u, 240));
    let body = html! {
        h1 { (cw.customer_link) " · " (w.job) " " (job) }
        @if let Some(url) = url {
            p.muted { (cw.link_hint) }
            @if let Some(svg) = &qr { div.qr #link-qr { (PreEscaped(svg)) } }
            p { input #link-url readonly value=(url) size="60"; }
        }
        form method="post" action={ "/sites/" (site.id.as_str()) "/cars/" (job) "/link" } {
            button type="submit" { (cw.make_link) }
        }
    };
    staff_page(site, role, Tab::Cars, cw.customer_link, body)
}

/// `text` as a QR code, drawn as SVG.
fn qr_svg(text: &str, px: u32) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let drawn = (code.render::<qrcode::render::svg::Color>())
        .min_dimensions(px, px)
        .quiet_zone(true)
        .build();
    Some(match drawn.find("<svg") {
        Some(at) => drawn[at..].to_string(),
        None => drawn,
    })
}
