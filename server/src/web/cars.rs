//! "My cars": an advisor's open jobs (the cards whose `advisor` is the token's badge or that
//! badge's name), with stage, progress, ETA and promise, kept live.

use axum::extract::{Path, State};
use axum::response::Response;
use bayline_domain::view::JobView;
use bayline_domain::{Stage, Time};
use bayline_site::{SiteConfig, Token};
use maud::{html, Markup};

use super::html::{fragment, staff_page, Tab};
use super::now::jobs_table;
use super::session::{planner, Refusal};
use super::words::words;
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
    jobs_table(site, &mine, now)
}
