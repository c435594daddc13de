//! "Now": the bay grid (idle / working / blocked with reason, job, technicians, clocked vs
//! standard time, overruns in red) and the work in progress by stage, kept live.

use std::fmt::Write;

use axum::extract::{Path, State};
use axum::response::Response;
use bayline_domain::view::{BayState, BayView, JobView};
use bayline_domain::{Stage, Time};
use bayline_site::SiteConfig;

use super::html::{badge_name, clock, esc, fragment, hm, manager_page, Tab};
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
    let id = esc(c.id.as_str());
    let body = format!(
        r#"<h1>{title}<span id="live-status" class="live ok" data-ok="{ok}" data-lost="{lost}">{ok}</span></h1>
<div id="now" data-live="/sites/{id}/now/live">{inner}</div>"#,
        title = w.now,
        ok = w.live,
        lost = w.reconnecting,
    );
    Ok(manager_page(c, Tab::Now, w.now, &body))
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

fn render(site: &SiteConfig, bays: &[BayView], jobs: &[JobView], now: Time) -> String {
    let w = words(site.language);
    let mut out = format!(r#"<h2>{}</h2><div class="bays">"#, w.bays);
    for b in bays {
        bay_card(&mut out, site, b, now);
    }
    out.push_str("</div>");
    let open: Vec<&JobView> = (jobs.iter())
        .filter(|j| j.checked_in_at.is_some() || j.stage != Stage::Booked)
        .filter(|j| j.stage != Stage::Delivered)
        .collect();
    let _ = write!(out, r#"<h2>{}</h2><div class="wip" id="wip">"#, w.wip);
    for stage in Stage::ALL {
        if matches!(stage, Stage::Booked | Stage::Delivered) {
            continue;
        }
        let n = open.iter().filter(|j| j.stage == stage).count();
        let _ = write!(
            out,
            r#"<div class="stage" data-stage="{s}"><b>{n}</b>{label}</div>"#,
            s = stage.as_str(),
            label = esc(stage.label(site.language)),
        );
    }
    out.push_str("</div>");
    jobs_table(&mut out, site, &open, now);
    out
}

fn bay_card(out: &mut String, site: &SiteConfig, b: &BayView, now: Time) {
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
            match b.reason {
                Some(r) => format!("{} · {}", w.blocked, r.label(site.language)),
                None => w.blocked.to_string(),
            },
        ),
    };
    let over = b.std_s > 0 && b.clocked_s > b.std_s;
    let _ = write!(
        out,
        r#"<section class="bay {class}{over}" id="bay-{id}" data-state="{class}"><h3><span>{id} <span class="muted">{name}</span></span><span class="state">{state}</span></h3>"#,
        over = if over { " over" } else { "" },
        id = esc(b.bay.as_str()),
        name = esc(name),
    );
    if let Some(job) = &b.job {
        let op =
            b.op.as_ref()
                .map(|o| format!(" · op {}", esc(o.as_str())))
                .unwrap_or_default();
        let _ = write!(
            out,
            r#"<div class="job"><strong>{}</strong>{op}</div>"#,
            esc(job.as_str())
        );
    }
    if b.std_s > 0 || b.clocked_s > 0 {
        let share = if b.std_s > 0 {
            (b.clocked_s as f64 / b.std_s as f64).min(1.0) * 100.0
        } else {
            100.0
        };
        let _ = write!(
            out,
            r#"<div class="meter"><i style="width:{share:.0}%"></i></div><div class="time">{} / {}</div>"#,
            hm(b.clocked_s),
            hm(b.std_s),
        );
    }
    if !b.badges.is_empty() {
        let who: Vec<String> = b
            .badges
            .iter()
            .map(|x| esc(&badge_name(site, x.as_str())))
            .collect();
        let _ = write!(out, r#"<div class="who">{}</div>"#, who.join(", "));
    }
    if let Some(since) = b.since {
        let _ = write!(
            out,
            r#"<div class="muted">{} {}</div>"#,
            w.since,
            clock(site, since, now)
        );
    }
    out.push_str("</section>");
}

fn jobs_table(out: &mut String, site: &SiteConfig, jobs: &[&JobView], now: Time) {
    let w = words(site.language);
    let _ = write!(
        out,
        r#"<h2>{}</h2><table id="jobs"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class="num">{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>"#,
        w.jobs_in_workshop,
        w.job,
        w.plate,
        w.vehicle,
        w.stage,
        w.progress,
        w.eta,
        w.promised,
        w.bays
    );
    for j in jobs {
        let late = if j.late {
            format!(r#" <span class="late">{}</span>"#, w.late)
        } else {
            String::new()
        };
        let _ = write!(
            out,
            r#"<tr><td>{job}</td><td>{plate}</td><td>{vehicle}</td><td>{stage}</td><td class="num">{p:.0}%</td><td>{eta}{late}</td><td>{promised}</td><td>{bay}</td></tr>"#,
            job = esc(j.job.as_str()),
            plate = esc(&j.plate),
            vehicle = esc(&j.vehicle),
            stage = esc(j.stage.label(site.language)),
            p = j.progress * 100.0,
            eta = j.eta.map(|t| clock(site, t, now)).unwrap_or_default(),
            promised = j
                .promised_at
                .map(|t| clock(site, t, now))
                .unwrap_or_default(),
            bay = j.bay.as_ref().map(|b| esc(b.as_str())).unwrap_or_default(),
        );
    }
    if jobs.is_empty() {
        let _ = write!(
            out,
            r#"<tr><td colspan="8" class="muted">{}</td></tr>"#,
            w.nothing
        );
    }
    out.push_str("</tbody></table>");
}
