//! "Dispatch", the foreman's page (contract §7.3): the ops nobody has, and each technician's
//! queue for today or tomorrow; give an op to a technician at a bay, reorder a queue, take an
//! op back. `dispatch.js` makes the changes through `PUT`/`DELETE …/assignment` and the page
//! follows the event stream like the others, so two foremen see each other's moves.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bayline_domain::dispatch::{self, Queued};
use bayline_domain::view::JobView;
use bayline_domain::{Role, Time};
use bayline_site::SiteConfig;
use jiff::civil::Date;
use maud::{html, Markup};
use serde::Deserialize;

use super::html::{badge_name, clock, day_label, error_page, fragment, manager_page, Tab};
use super::session::{manager, Refusal};
use super::words::words;
use crate::http::Caller;
use crate::AppState;

#[derive(Deserialize, Default)]
pub struct DayQuery {
    day: Option<String>,
}

/// The day asked for (default today) and today, in the site's zone.
fn days(site: &SiteConfig, q: &DayQuery, now: Time) -> Result<(Date, Date), Refusal> {
    let today = site.time_zone.to_datetime(now).date();
    match q.day.as_deref().filter(|d| !d.is_empty()) {
        None => Ok((today, today)),
        Some(s) => match Date::strptime("%Y-%m-%d", s) {
            Ok(d) => Ok((d, today)),
            Err(_) => {
                let w = words(site.language);
                let detail = format!("{}{s}", w.not_a_date);
                Err(error_page(site.language, StatusCode::BAD_REQUEST, &detail).into())
            }
        },
    }
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<Response, Refusal> {
    let live = manager(&state, &caller, &site, &format!("/sites/{site}/dispatch"))?;
    let c = &live.config;
    let w = words(c.language);
    let now = jiff::Timestamp::now();
    let (day, today) = days(c, &q, now)?;
    let inner = live.read(|ws| render(c, &ws.jobs_to_do(now), day, today, now));
    let id = c.id.as_str();
    let tomorrow = today.tomorrow().unwrap_or(today);
    let body = html! {
        h1 {
            (w.dispatch)
            span #live-status.live.ok data-ok=(w.live) data-lost=(w.reconnecting) { (w.live) }
        }
        nav.periods {
            a href={ "/sites/" (id) "/dispatch" } aria-current=[(day == today).then_some("page")] { (w.today) }
            a href={ "/sites/" (id) "/dispatch?day=" (tomorrow) } aria-current=[(day == tomorrow).then_some("page")] { (w.tomorrow) }
            span.muted { (day_label(c, day)) }
        }
        p.error role="alert" #dispatch-error hidden {}
        div #dispatch data-live={ "/sites/" (id) "/dispatch/live?day=" (day) }
            data-api={ "/api/v1/sites/" (id) "/jobs/" } data-day=(day) { (inner) }
        script src="/assets/dispatch.js" defer {}
    };
    Ok(manager_page(c, Tab::Dispatch, w.dispatch, body))
}

/// The live part alone, for `live.js`.
pub async fn live(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<Response, Refusal> {
    let live = manager(&state, &caller, &site, &format!("/sites/{site}/dispatch"))?;
    let c = &live.config;
    let now = jiff::Timestamp::now();
    let (day, today) = days(c, &q, now)?;
    Ok(fragment(live.read(|ws| {
        render(c, &ws.jobs_to_do(now), day, today, now)
    })))
}

fn render(site: &SiteConfig, jobs: &[JobView], day: Date, today: Date, now: Time) -> Markup {
    let w = words(site.language);
    let open = dispatch::unassigned(jobs);
    let techs: Vec<_> = (site.staff.iter())
        .filter(|s| s.role == Role::Technician)
        .collect();
    html! {
        h2 { (w.unassigned) " (" (open.len()) ")" }
        table #unassigned {
            thead { tr {
                th { (w.job) } th { (w.plate) } th { (w.vehicle) } th { (w.op) }
                th.num { (w.std_hours) } th { (w.promised) } th { (w.assign) }
            } }
            tbody {
                @for q in &open {
                    @let key = format!("{}/{}", q.job, q.op.op);
                    tr data-job=(q.job.as_str()) data-op=(q.op.op.as_str()) {
                        td { (q.job.as_str()) }
                        td { (q.plate) }
                        td { (q.vehicle) }
                        td { (op_name(q)) }
                        td.num { (format!("{:.1}", q.op.std_hours)) }
                        td { @if let Some(t) = q.promised_at { (clock(site, t, now)) } }
                        td.assign {
                            select.pick-badge aria-label=(w.technicians) {
                                @for t in &techs {
                                    option value=(t.badge.as_str()) { (badge_name(site, t.badge.as_str())) @if let Some(team) = &t.team { " · " (team) } }
                                }
                            }
                            select.pick-bay aria-label=(w.bays) {
                                option value="" { "—" }
                                @for b in &site.bays { option value=(b.id.as_str()) { (b.id.as_str()) " " (b.name) } }
                            }
                            button type="button" data-action="assign" data-key={ "assign:" (key) } { (w.assign) }
                        }
                    }
                }
                @if open.is_empty() { tr { td.muted colspan="7" { (w.nothing) } } }
            }
        }
        h2 { (w.technicians) }
        div.queues {
            @for t in &techs {
                @let queue = dispatch::queue_of(jobs, &t.badge, day, today);
                section.queue.card data-badge=(t.badge.as_str()) id={ "queue-" (t.badge.as_str()) } {
                    h3 {
                        (badge_name(site, t.badge.as_str()))
                        @if let Some(team) = &t.team { " " span.muted { (w.team) " " (team) } }
                    }
                    ol {
                        @for (i, q) in queue.iter().enumerate() {
                            @let key = format!("{}/{}", q.job, q.op.op);
                            @let a = q.op.assignment.as_ref();
                            li data-job=(q.job.as_str()) data-op=(q.op.op.as_str())
                                data-bay=(a.and_then(|a| a.bay.as_ref()).map_or("", |b| b.as_str()))
                                data-day=(a.and_then(|a| a.day).map_or(String::new(), |d| d.to_string())) {
                                span.what {
                                    strong { (q.job.as_str()) } " · " (op_name(q)) " · " (format!("{:.1} h", q.op.std_hours))
                                    @if let Some(b) = a.and_then(|a| a.bay.as_ref()) { " · " (b.as_str()) }
                                }
                                span.moves {
                                    button type="button" data-action="up" data-key={ "up:" (key) } disabled[i == 0] aria-label=(w.move_up) { "↑" }
                                    button type="button" data-action="down" data-key={ "down:" (key) } disabled[i + 1 == queue.len()] aria-label=(w.move_down) { "↓" }
                                    button type="button" data-action="unassign" data-key={ "unassign:" (key) } { (w.unassign) }
                                }
                            }
                        }
                    }
                    @if queue.is_empty() { p.muted { (w.nothing) } }
                }
            }
        }
    }
}

fn op_name(q: &Queued) -> String {
    match q.op.title.is_empty() {
        true => q.op.op.to_string(),
        false => format!("{} {}", q.op.op, q.op.title),
    }
}
