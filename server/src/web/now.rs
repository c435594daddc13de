//! "Now": the bay grid (idle / working / blocked with reason, job, technicians, clocked vs
//! standard time, overruns in red) and the work in progress by stage, kept live.

use axum::extract::{Path, State};
use axum::response::Response;
use bayline_domain::view::{BayState, BayView, JobView};
use bayline_domain::{Stage, Time};
use bayline_site::SiteConfig;
use maud::{html, Markup};

use super::html::{badge_name, clock, fragment, hm, manager_page, Tab};
use super::session::{manager, Refusal};
use super::words::words;
use crate::http::Caller;
use crate::AppState;

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<Response, Refusal> {
    let live = manager(&state, &caller, &site, &format!("/sites/{site}/now"))?;
    let c = &live.config;
    let w = words(c.language);
    let inner = live.read(|ws| {
        let now = jiff::Timestamp::now();
        render(c, &ws.bays(now), &ws.jobs(now), now)
    });
    let body = html! {
        h1 {
            (w.now)
            span #live-status.live.ok data-ok=(w.live) data-lost=(w.reconnecting) { (w.live) }
        }
        div #now data-live={ "/sites/" (c.id.as_str()) "/now/live" } { (inner) }
    };
    Ok(manager_page(c, Tab::Now, w.now, body))
}

/// The live part alone, for `live.js`.
pub async fn live(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<Response, Refusal> {
    let live = manager(&state, &caller, &site, &format!("/sites/{site}/now"))?;
    let c = &live.config;
    Ok(fragment(live.read(|ws| {
        let now = jiff::Timestamp::now();
        render(c, &ws.bays(now), &ws.jobs(now), now)
    })))
}

fn render(site: &SiteConfig, bays: &[BayView], jobs: &[JobView], now: Time) -> Markup {
    let w = words(site.language);
    let open: Vec<&JobView> = (jobs.iter())
        .filter(|j| j.checked_in_at.is_some() || j.stage != Stage::Booked)
        .filter(|j| j.stage != Stage::Delivered)
        .collect();
    let shown = Stage::ALL
        .into_iter()
        .filter(|s| !matches!(s, Stage::Booked | Stage::Delivered));
    let calling: Vec<&BayView> = bays.iter().filter(|b| b.call.is_some()).collect();
    html! {
        // The andon strip: every open call, oldest first; live.js beeps when one is made.
        @if !calling.is_empty() {
            h2 { (w.open_calls) }
            ul #calls.calls {
                @for b in &calling {
                    @if let Some(c) = &b.call {
                        li.call.answered[c.answered.is_some()] data-bay=(b.bay.as_str()) {
                            strong { (b.bay.as_str()) }
                            " " (c.reason.label(site.language))
                            " · " (badge_name(site, c.badge.as_str()))
                            " · " (clock(site, c.opened, now))
                            " · " @if c.answered.is_some() { (w.answered) } @else { (w.unanswered) }
                        }
                    }
                }
            }
        }
        h2 { (w.bays) }
        div.bays { @for b in bays { (bay_card(site, b, now)) } }
        h2 { (w.wip) }
        div.wip #wip {
            @for stage in shown {
                div.stage data-stage=(stage.as_str()) {
                    b { (open.iter().filter(|j| j.stage == stage).count()) }
                    (stage.label(site.language))
                }
            }
        }
        (jobs_table(site, &open, now))
    }
}

fn bay_card(site: &SiteConfig, b: &BayView, now: Time) -> Markup {
    let w = words(site.language);
    let name = (site.bays.iter())
        .find(|x| x.id == b.bay)
        .map(|x| x.name.as_str())
        .unwrap_or("");
    let (class, state) = match b.state {
        BayState::Idle => ("idle", w.idle.to_string()),
        BayState::Working => ("working", w.working.to_string()),
        BayState::Blocked => (
            "blocked",
            match &b.reason {
                Some(r) => format!(
                    "{} · {}",
                    w.blocked,
                    site.pause_reasons.label(r, site.language)
                ),
                None => w.blocked.to_string(),
            },
        ),
    };
    let over = b.std_s > 0 && b.clocked_s > b.std_s;
    let share = if b.std_s > 0 {
        (b.clocked_s as f64 / b.std_s as f64).min(1.0) * 100.0
    } else {
        100.0
    };
    let who: Vec<String> = (b.badges.iter())
        .map(|x| badge_name(site, x.as_str()))
        .collect();
    html! {
        section.bay.(class).over[over].calling[b.call.is_some()] id={ "bay-" (b.bay.as_str()) } data-state=(class) {
            h3 {
                span { (b.bay.as_str()) " " span.muted { (name) } }
                span.state { (state) }
            }
            @if let Some(job) = &b.job {
                div.job {
                    strong { (job.as_str()) }
                    @if let Some(op) = &b.op { " · " (w.op) " " (op.as_str()) }
                }
            }
            @if b.std_s > 0 || b.clocked_s > 0 {
                div.meter { i style={ "width:" (format!("{share:.0}")) "%" } {} }
                div.time { (hm(b.clocked_s)) " / " (hm(b.std_s)) }
            }
            @if !who.is_empty() {
                div.who { (who.join(", ")) }
            }
            @if let Some(since) = b.since {
                div.muted { (w.since) " " (clock(site, since, now)) }
            }
            @if let Some(c) = &b.call {
                div.andon { (w.open_calls) " · " (c.reason.label(site.language)) }
            }
        }
    }
}

pub(super) fn jobs_table(site: &SiteConfig, jobs: &[&JobView], now: Time) -> Markup {
    let w = words(site.language);
    html! {
        h2 { (w.jobs_in_workshop) }
        table #jobs {
            thead { tr {
                th { (w.job) } th { (w.plate) } th { (w.vehicle) } th { (w.stage) }
                th.num { (w.progress) } th { (w.eta) } th { (w.promised) } th { (w.bays) }
            } }
            tbody {
                @for j in jobs {
                    tr {
                        td { (j.job.as_str()) }
                        td { (j.plate) }
                        td { (j.vehicle) }
                        td { (j.stage.label(site.language)) }
                        td.num { (format!("{:.0}%", j.progress * 100.0)) }
                        td {
                            @if let Some(t) = j.eta { (clock(site, t, now)) }
                            @if j.late { " " span.late { (w.late) } }
                        }
                        td { @if let Some(t) = j.promised_at { (clock(site, t, now)) } }
                        td { @if let Some(b) = &j.bay { (b.as_str()) } }
                    }
                }
                @if jobs.is_empty() {
                    tr { td.muted colspan="8" { (w.nothing) } }
                }
            }
        }
    }
}
