//! "Timeline": one day's Gantt chart of clocked intervals per technician and of working and
//! blocked time per bay, pauses coloured by reason, forgotten clock-offs marked.

use std::collections::BTreeMap;
use std::fmt::Write;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bayline_domain::fold::State as Folded;
use bayline_domain::{ClockOff, PauseReason, Time};
use bayline_proto::Language;
use bayline_site::SiteConfig;
use jiff::civil::Date;
use jiff::{SignedDuration, ToSpan};
use serde::Deserialize;

use super::html::{badge_name, esc, manager_page, Tab};
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
    let mut body = format!("<h1>{}</h1>", w.timeline);
    let date = match q.date.as_deref().filter(|d| !d.is_empty()) {
        None => Ok(today),
        Some(d) => d
            .parse::<Date>()
            .map_err(|_| format!("{d:?} is not a date (2026-11-02)")),
    };
    let window = date.and_then(|d| {
        let from = midnight(d, &c.time_zone).map_err(|e| e.to_string())?;
        let next = d.checked_add(1.day()).map_err(|e| e.to_string())?;
        let to = midnight(next, &c.time_zone).map_err(|e| e.to_string())?;
        Ok((d, from, to))
    });
    let id = esc(c.id.as_str());
    let shown = window.as_ref().map_or(today, |w| w.0);
    let _ = write!(
        body,
        r#"<form method="get" class="periods"><a href="?date={prev}">◀</a><label>{label} <input type="date" name="date" value="{shown}"></label><button>{show}</button><a href="?date={next}">▶</a><a href="/sites/{id}/timeline">{today_w}</a></form>"#,
        label = w.date,
        show = w.show,
        today_w = w.today,
        prev = shown.yesterday().unwrap_or(shown),
        next = shown.tomorrow().unwrap_or(shown),
    );
    let (_, from, to) = match window {
        Ok(x) => x,
        Err(message) => {
            let _ = write!(
                body,
                r#"<p class="error" role="alert">{}</p>"#,
                esc(&message)
            );
            let page = manager_page(c, Tab::Timeline, w.timeline, &body);
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    legend(&mut body, c.language);
    let charts = live.read(|ws| {
        let state = ws.state_at(now);
        let mut out = String::new();
        let _ = write!(out, "<h2>{}</h2>", w.technicians);
        out.push_str(&badges_chart(c, &state, from, to, now));
        let _ = write!(out, "<h2>{}</h2>", w.bays);
        out.push_str(&bays_chart(c, &state, from, to, now));
        out
    });
    body.push_str(&charts);
    Ok(manager_page(c, Tab::Timeline, w.timeline, &body))
}

fn colour(r: PauseReason) -> &'static str {
    match r {
        PauseReason::Parts => "#d98a00",
        PauseReason::Approval => "#8b5cf6",
        PauseReason::Break => "#0ea5b7",
        PauseReason::ShiftEnd => "#64748b",
        PauseReason::Other => "#a16207",
    }
}

/// A stable colour per job, so one car reads as one colour across rows.
fn job_colour(job: &str) -> String {
    let h = job
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    format!("hsl({}, 55%, 52%)", h % 360)
}

fn legend(out: &mut String, lang: Language) {
    let w = words(lang);
    out.push_str(r#"<div class="legend">"#);
    let _ = write!(
        out,
        r#"<span><i style="background:#1f9d55"></i>{}</span>"#,
        w.working
    );
    for r in PauseReason::ALL {
        let _ = write!(
            out,
            r#"<span><i style="background:{}"></i>{}</span>"#,
            colour(r),
            r.label(lang)
        );
    }
    let _ = write!(
        out,
        r#"<span><i style="background:#d62f2f"></i>{}</span></div>"#,
        w.forgotten
    );
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

    fn svg_open(&self, site: &SiteConfig, rows: usize, now: Time) -> String {
        let h = ROW_H * rows as f64 + 24.0;
        let mut s = format!(
            r#"<div class="gantt"><svg viewBox="0 0 {vw} {h}" width="100%" role="img">"#,
            vw = LABEL_W + PLOT_W + 10.0
        );
        let mut hour = self.from.to_zoned(site.time_zone.clone());
        hour = hour.start_of_day().unwrap_or(hour);
        while let Ok(next) = hour.checked_add(1.hour()) {
            let t = hour.timestamp();
            if t > self.to {
                break;
            }
            if t >= self.from {
                let x = self.x(t);
                let _ = write!(
                    s,
                    r##"<line x1="{x:.1}" y1="0" x2="{x:.1}" y2="{h}" stroke="#e5e7eb"/><text x="{x:.1}" y="{ty}" font-size="10" fill="#67707c" text-anchor="middle">{}</text>"##,
                    hour.strftime("%H"),
                    ty = h - 6.0
                );
            }
            hour = next;
        }
        if self.from <= now && now < self.to {
            let x = self.x(now);
            let _ = write!(
                s,
                r##"<line x1="{x:.1}" y1="0" x2="{x:.1}" y2="{}" stroke="#d62f2f" stroke-dasharray="3 2"/>"##,
                h - 16.0
            );
        }
        s
    }
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

fn row_label(s: &mut String, i: usize, text: &str) {
    let y = ROW_H * i as f64;
    let _ = write!(
        s,
        r##"<text x="4" y="{:.1}" font-size="12">{}</text><line x1="0" y1="{:.1}" x2="{}" y2="{:.1}" stroke="#eef0f3"/>"##,
        y + ROW_H * 0.65,
        esc(text),
        y + ROW_H,
        LABEL_W + PLOT_W,
        y + ROW_H
    );
}

/// How a bar looks: its colour, thin (a pause) or full, its tooltip and its label.
struct Look<'a> {
    fill: &'a str,
    thin: bool,
    title: &'a str,
    text: &'a str,
}

fn bar(s: &mut String, f: &Frame, i: usize, (a, b): (Time, Time), look: Look) {
    let Look {
        fill,
        thin,
        title,
        text,
    } = look;
    let (x1, x2) = (f.x(a), f.x(b));
    if b <= a {
        return;
    }
    // A clock-on of seconds still shows: a sliver is what the manager should look into.
    let x2 = x2.max(x1 + 1.5);
    let y = ROW_H * i as f64 + if thin { ROW_H * 0.38 } else { 3.0 };
    let h = if thin { ROW_H * 0.24 } else { ROW_H - 6.0 };
    let _ = write!(
        s,
        r#"<rect x="{x1:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" rx="2" fill="{fill}"><title>{}</title></rect>"#,
        x2 - x1,
        esc(title)
    );
    if !text.is_empty() && x2 - x1 > 7.0 * text.chars().count() as f64 {
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#fff">{}</text>"##,
            x1 + 3.0,
            y + h * 0.7,
            esc(text)
        );
    }
}

fn badges_chart(site: &SiteConfig, s: &Folded, from: Time, to: Time, now: Time) -> String {
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
    let mut out = f.svg_open(site, rows.len().max(1), now);
    for (r, (badge, list)) in rows.iter().enumerate() {
        row_label(&mut out, r, &badge_name(site, badge));
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
            bar(&mut out, &f, r, (c.from, end), look);
            match c.end {
                Some(ClockOff::Paused(why)) => {
                    // The pause lasts until this badge clocks on again (or the day ends).
                    let back = list.get(k + 1).map_or(now.min(to), |&n| s.clocked[n].from);
                    let title = format!(
                        "{} {}–{}",
                        why.label(lang),
                        hhmm(site, end),
                        hhmm(site, back)
                    );
                    let look = Look {
                        fill: colour(why),
                        thin: true,
                        title: &title,
                        text: "",
                    };
                    bar(&mut out, &f, r, (end, back), look);
                }
                Some(ClockOff::Forgotten) => {
                    let x = f.x(end);
                    let _ = write!(
                        out,
                        r##"<rect x="{:.1}" y="{:.1}" width="4" height="{:.1}" fill="#d62f2f"><title>{}</title></rect>"##,
                        x - 2.0,
                        ROW_H * r as f64 + 1.0,
                        ROW_H - 2.0,
                        esc(words(lang).forgotten)
                    );
                }
                _ => {}
            }
        }
    }
    if rows.is_empty() {
        row_label(&mut out, 0, words(lang).nothing);
    }
    out.push_str("</svg></div>");
    out
}

fn bays_chart(site: &SiteConfig, s: &Folded, from: Time, to: Time, now: Time) -> String {
    let f = frame(
        site,
        from,
        to,
        (s.segments.iter())
            .filter(|g| g.from < to && g.to.unwrap_or(now) > from)
            .map(|g| (g.from, g.to.unwrap_or(now))),
    );
    let lang = site.language;
    let mut out = f.svg_open(site, site.bays.len().max(1), now);
    for (r, bay) in site.bays.iter().enumerate() {
        row_label(&mut out, r, &format!("{} {}", bay.id, bay.name));
        for g in s.segments.iter().filter(|g| g.bay == bay.id) {
            let end = g.to.unwrap_or(now);
            if g.from >= to || end <= from {
                continue;
            }
            let (fill, what) = match (g.working, g.reason) {
                (true, _) => ("#1f9d55".to_string(), words(lang).working.to_string()),
                (false, Some(why)) => (colour(why).to_string(), why.label(lang).to_string()),
                (false, None) => ("#d98a00".to_string(), words(lang).blocked.to_string()),
            };
            let title = format!(
                "{} {} {}–{}",
                g.job,
                what,
                hhmm(site, g.from),
                hhmm(site, end)
            );
            let look = Look {
                fill: &fill,
                thin: false,
                title: &title,
                text: g.job.as_str(),
            };
            bar(&mut out, &f, r, (g.from, end), look);
        }
    }
    out.push_str("</svg></div>");
    out
}

fn hhmm(site: &SiteConfig, t: Time) -> String {
    t.to_zoned(site.time_zone.clone())
        .strftime("%H:%M")
        .to_string()
}
