//! "Timeline": one day's Gantt chart of clocked intervals per technician and of working and
//! blocked time per bay, pauses coloured by reason, forgotten clock-offs marked.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bayline_domain::fold::State as Folded;
use bayline_domain::{ClockOff, PauseReason, Reason, Time};
use bayline_site::SiteConfig;
use jiff::civil::Date;
use jiff::{SignedDuration, ToSpan};
use maud::{html, Markup};
use serde::Deserialize;

use super::charts::reason_colour;
use super::html::{badge_name, manager_page, Tab};
use super::session::{manager, Refusal};
use super::words::words;
use crate::http::kpis::midnight;
use crate::http::Caller;
use crate::AppState;

#[derive(Deserialize)]
pub struct Day {
    date: Option<String>,
}

/// Chart geometry, in SVG units.
const LABEL_W: f64 = 150.0;
const PLOT_W: f64 = 1000.0;
const ROW_H: f64 = 26.0;

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    Query(q): Query<Day>,
) -> Result<Response, Refusal> {
    let live = manager(&state, &caller, &site, &format!("/sites/{site}/timeline"))?;
    let c = &live.config;
    let w = words(c.language);
    let now = jiff::Timestamp::now();
    let today = now.to_zoned(c.time_zone.clone()).date();
    let date = match q.date.as_deref().filter(|d| !d.is_empty()) {
        None => Ok(today),
        Some(d) => d
            .parse::<Date>()
            .map_err(|_| format!("{}{d:?}", w.not_a_date)),
    };
    let window = date.and_then(|d| {
        let from = midnight(d, &c.time_zone).map_err(|e| e.to_string())?;
        let next = d.checked_add(1.day()).map_err(|e| e.to_string())?;
        let to = midnight(next, &c.time_zone).map_err(|e| e.to_string())?;
        Ok((d, from, to))
    });
    let shown = window.as_ref().map_or(today, |w| w.0);
    let head = html! {
        h1 { (w.timeline) }
        form.periods method="get" {
            a href={ "?date=" (shown.yesterday().unwrap_or(shown)) } { "◀" }
            label { (w.date) " " input type="date" name="date" value=(shown); }
            button { (w.show) }
            a href={ "?date=" (shown.tomorrow().unwrap_or(shown)) } { "▶" }
            a href={ "/sites/" (c.id.as_str()) "/timeline" } { (w.today) }
        }
    };
    let (_, from, to) = match window {
        Ok(x) => x,
        Err(message) => {
            let body = html! { (head) p.error role="alert" { (message) } };
            let page = manager_page(c, Tab::Timeline, w.timeline, body);
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    let charts = live.read(|ws| {
        let state = ws.state_at(now);
        html! {
            h2 { (w.technicians) }
            (badges_chart(c, &state, from, to, now))
            h2 { (w.bays) }
            (bays_chart(c, &state, from, to, now))
        }
    });
    let body = html! { (head) (legend(c)) (charts) };
    Ok(manager_page(c, Tab::Timeline, w.timeline, body))
}

/// A stable colour per job, so one car reads as one colour across rows.
fn job_colour(job: &str) -> String {
    let h = job
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    format!("hsl({}, 55%, 52%)", h % 360)
}

fn legend(site: &SiteConfig) -> Markup {
    let (lang, reasons) = (site.language, &site.pause_reasons);
    let w = words(lang);
    let all = (PauseReason::ALL.into_iter().map(Reason::from)).chain(reasons.ids().map(|id| {
        reasons.resolve(&Reason {
            category: PauseReason::Other,
            site: Some(id.clone()),
        })
    }));
    html! {
        div.legend {
            span { i style="background:#1f9d55" {} (w.working) }
            @for r in all {
                span { i style={ "background:" (reason_colour(r.name(), reasons)) } {} (reasons.label(&r, lang)) }
            }
            span { i style="background:#d62f2f" {} (w.forgotten) }
        }
    }
}

/// What of the day to draw: opening hours widened to whatever was clocked, within the day.
struct Frame {
    from: Time,
    to: Time,
}

impl Frame {
    fn x(&self, t: Time) -> f64 {
        let all = self.to.duration_since(self.from).as_secs_f64().max(1.0);
        let t = t.clamp(self.from, self.to);
        LABEL_W + PLOT_W * t.duration_since(self.from).as_secs_f64() / all
    }

    /// The chart around `rows` of bars: hour lines and labels, and a line at `now`.
    fn chart(&self, site: &SiteConfig, count: usize, now: Time, rows: Markup) -> Markup {
        let h = ROW_H * count as f64 + 24.0;
        let mut hours = Vec::new();
        let mut hour = self.from.to_zoned(site.time_zone.clone());
        hour = hour.start_of_day().unwrap_or(hour);
        while let Ok(next) = hour.checked_add(1.hour()) {
            let t = hour.timestamp();
            if t > self.to {
                break;
            }
            if t >= self.from {
                hours.push((f1(self.x(t)), hour.strftime("%H").to_string()));
            }
            hour = next;
        }
        let now_x = (self.from <= now && now < self.to).then(|| f1(self.x(now)));
        html! {
            div.gantt {
                svg viewBox={ "0 0 " (LABEL_W + PLOT_W + 10.0) " " (h) } width="100%" role="img" {
                    @for (x, label) in &hours {
                        line x1=(x) y1="0" x2=(x) y2=(h) stroke="#e5e7eb" {}
                        text x=(x) y=(h - 6.0) font-size="10" fill="#67707c" text-anchor="middle" { (label) }
                    }
                    @if let Some(x) = now_x {
                        line x1=(x) y1="0" x2=(x) y2=(h - 16.0) stroke="#d62f2f" stroke-dasharray="3 2" {}
                    }
                    (rows)
                }
            }
        }
    }
}

/// An SVG coordinate to one decimal.
fn f1(v: f64) -> String {
    format!("{v:.1}")
}

fn frame(
    site: &SiteConfig,
    from: Time,
    to: Time,
    spans: impl Iterator<Item = (Time, Time)>,
) -> Frame {
    let schedule = site.schedule();
    let (mut lo, mut hi) = schedule.open_spans(from, to).first().copied().unwrap_or((
        from + SignedDuration::from_hours(8),
        from + SignedDuration::from_hours(18),
    ));
    for (a, b) in spans {
        lo = lo.min(a.max(from));
        hi = hi.max(b.min(to));
    }
    Frame { from: lo, to: hi }
}

fn row_label(i: usize, text: &str) -> Markup {
    let y = ROW_H * i as f64;
    html! {
        text x="4" y=(f1(y + ROW_H * 0.65)) font-size="12" { (text) }
        line x1="0" y1=(f1(y + ROW_H)) x2=(LABEL_W + PLOT_W) y2=(f1(y + ROW_H)) stroke="#eef0f3" {}
    }
}

/// How a bar looks: its colour, thin (a pause) or full, its tooltip and its label.
struct Look<'a> {
    fill: &'a str,
    thin: bool,
    title: &'a str,
    text: &'a str,
}

fn bar(f: &Frame, i: usize, (a, b): (Time, Time), look: Look) -> Markup {
    let Look {
        fill,
        thin,
        title,
        text,
    } = look;
    if b <= a {
        return html! {};
    }
    let (x1, x2) = (f.x(a), f.x(b));
    // A clock-on of seconds still shows: a sliver is what the manager should look into.
    let x2 = x2.max(x1 + 1.5);
    let y = ROW_H * i as f64 + if thin { ROW_H * 0.38 } else { 3.0 };
    let h = if thin { ROW_H * 0.24 } else { ROW_H - 6.0 };
    let label = !text.is_empty() && x2 - x1 > 7.0 * text.chars().count() as f64;
    html! {
        rect x=(f1(x1)) y=(f1(y)) width=(f1(x2 - x1)) height=(f1(h)) rx="2" fill=(fill) { title { (title) } }
        @if label {
            text x=(f1(x1 + 3.0)) y=(f1(y + h * 0.7)) font-size="10" fill="#fff" { (text) }
        }
    }
}

fn badges_chart(site: &SiteConfig, s: &Folded, from: Time, to: Time, now: Time) -> Markup {
    let mut rows: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in s.clocked.iter().enumerate() {
        if c.from < to && c.to.unwrap_or(now) > from {
            rows.entry(c.badge.as_str()).or_default().push(i);
        }
    }
    let f = frame(
        site,
        from,
        to,
        rows.values().flatten().map(|&i| {
            let c = &s.clocked[i];
            (c.from, c.to.unwrap_or(now))
        }),
    );
    let lang = site.language;
    let w = words(lang);
    let mut out = Vec::new();
    for (r, (badge, list)) in rows.iter().enumerate() {
        out.push(row_label(r, &badge_name(site, badge)));
        for (k, &i) in list.iter().enumerate() {
            let c = &s.clocked[i];
            let end = c.to.unwrap_or(now);
            let title = format!(
                "{} op {} @ {} {}–{}",
                c.job,
                c.op,
                c.bay,
                hhmm(site, c.from),
                hhmm(site, end)
            );
            let fill = job_colour(c.job.as_str());
            let look = Look {
                fill: &fill,
                thin: false,
                title: &title,
                text: c.job.as_str(),
            };
            out.push(bar(&f, r, (c.from, end), look));
            match c.end {
                Some(ClockOff::Paused(ref why)) => {
                    // The pause lasts until this badge clocks on again (or the day ends).
                    let back = list.get(k + 1).map_or(now.min(to), |&n| s.clocked[n].from);
                    let title = format!(
                        "{} {}–{}",
                        site.pause_reasons.label(why, lang),
                        hhmm(site, end),
                        hhmm(site, back)
                    );
                    let look = Look {
                        fill: reason_colour(why.name(), &site.pause_reasons),
                        thin: true,
                        title: &title,
                        text: "",
                    };
                    out.push(bar(&f, r, (end, back), look));
                }
                Some(ClockOff::Forgotten) => out.push(html! {
                    rect x=(f1(f.x(end) - 2.0)) y=(f1(ROW_H * r as f64 + 1.0)) width="4" height=(f1(ROW_H - 2.0)) fill="#d62f2f" {
                        title { (w.forgotten) }
                    }
                }),
                _ => {}
            }
        }
    }
    if rows.is_empty() {
        out.push(row_label(0, w.nothing));
    }
    f.chart(
        site,
        rows.len().max(1),
        now,
        html! { @for m in out { (m) } },
    )
}

fn bays_chart(site: &SiteConfig, s: &Folded, from: Time, to: Time, now: Time) -> Markup {
    let f = frame(
        site,
        from,
        to,
        (s.segments.iter())
            .filter(|g| g.from < to && g.to.unwrap_or(now) > from)
            .map(|g| (g.from, g.to.unwrap_or(now))),
    );
    let lang = site.language;
    let w = words(lang);
    let mut out = Vec::new();
    for (r, bay) in site.bays.iter().enumerate() {
        out.push(row_label(r, &format!("{} {}", bay.id, bay.name)));
        for g in s.segments.iter().filter(|g| g.bay == bay.id) {
            let end = g.to.unwrap_or(now);
            if g.from >= to || end <= from {
                continue;
            }
            let (fill, what) = match (g.working, &g.reason) {
                (true, _) => ("#1f9d55", w.working),
                (false, Some(why)) => (
                    reason_colour(why.name(), &site.pause_reasons),
                    site.pause_reasons.label(why, lang),
                ),
                (false, None) => ("#d98a00", w.blocked),
            };
            let title = format!(
                "{} {} {}–{}",
                g.job,
                what,
                hhmm(site, g.from),
                hhmm(site, end)
            );
            let look = Look {
                fill,
                thin: false,
                title: &title,
                text: g.job.as_str(),
            };
            out.push(bar(&f, r, (g.from, end), look));
        }
    }
    f.chart(
        site,
        site.bays.len().max(1),
        now,
        html! { @for m in out { (m) } },
    )
}

fn hhmm(site: &SiteConfig, t: Time) -> String {
    t.to_zoned(site.time_zone.clone())
        .strftime("%H:%M")
        .to_string()
}
