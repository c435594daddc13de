//! "Loading", for advisors and managers (contract §7.3): what is left of today, the next 14
//! days by team as bars of booked against available hours with the free hours in figures,
//! and the earliest promise for the ops of a job card being written. Kept live.

use std::collections::BTreeSet;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bayline_domain::loading::{DayLoad, Load, Promise};
use bayline_domain::Time;
use bayline_site::SiteConfig;
use maud::{html, Markup};
use serde::Deserialize;

use super::html::{clock, day_label, error_page, fragment, staff_page, Tab};
use super::session::{planner, Refusal};
use super::words::{words, Words};
use crate::http::Caller;
use crate::AppState;

/// Days shown: two working weeks.
const DAYS: usize = 14;

#[derive(Deserialize, Default)]
pub struct Ask {
    /// The ops' standard hours, separated by spaces or commas.
    #[serde(default)]
    hours: String,
    #[serde(default)]
    team: String,
}

/// The hours asked for, summed; `Err` names the first that is not a number in 0..=1000, or
/// the sum when it is more than 1000.
fn asked_hours(text: &str) -> Result<Option<f64>, String> {
    let parts: Vec<&str> = (text.split([' ', ',', '，', '\t']))
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Ok(None);
    }
    let mut sum = 0.0;
    for p in parts {
        match p.parse::<f64>() {
            Ok(h) if h.is_finite() && (0.0..=1000.0).contains(&h) => sum += h,
            _ => return Err(p.to_string()),
        }
    }
    match sum <= 1000.0 {
        true => Ok(Some(sum)),
        false => Err(format!("Σ {sum}")),
    }
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    Query(ask): Query<Ask>,
) -> Result<Response, Refusal> {
    let (live, token) = planner(&state, &caller, &site, &format!("/sites/{site}/loading"))?;
    let c = &live.config;
    let w = words(c.language);
    let hours = match asked_hours(&ask.hours) {
        Ok(h) => h,
        Err(bad) => {
            let detail = format!("{}{bad}", w.bad_hours);
            return Err(error_page(c.language, StatusCode::BAD_REQUEST, &detail).into());
        }
    };
    let team = Some(ask.team.as_str()).filter(|t| !t.is_empty());
    let now = jiff::Timestamp::now();
    let (inner, promise) = live.read(|ws| {
        let today = c.time_zone.to_datetime(now).date();
        let inner = render(c, &ws.today_left(now), &ws.loading(today, DAYS, now));
        (inner, hours.map(|h| ws.promise(h, team, now)))
    });
    let teams: BTreeSet<&str> = (c.staff.iter()).filter_map(|s| s.team.as_deref()).collect();
    let body = html! {
        h1 {
            (w.loading)
            span #live-status.live.ok data-ok=(w.live) data-lost=(w.reconnecting) { (w.live) }
        }
        form.periods #promise-form method="get" {
            label { (w.op_hours) " "
                input #hours name="hours" value=(ask.hours) placeholder="1.5 2 0.5" inputmode="decimal";
            }
            select #team name="team" {
                option value="" { (w.whole_workshop) }
                @for t in &teams { option value=(t) selected[team == Some(*t)] { (t) } }
            }
            button #ask type="submit" { (w.ask) }
        }
        @if let (Some(h), Some(p)) = (hours, &promise) {
            (answer(c, w, h, p, now))
        }
        div #loading data-live={ "/sites/" (c.id.as_str()) "/loading/live" } { (inner) }
    };
    Ok(staff_page(c, token.role, Tab::Loading, w.loading, body))
}

/// The live part alone, for `live.js`.
pub async fn live(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<Response, Refusal> {
    let (live, _) = planner(&state, &caller, &site, &format!("/sites/{site}/loading"))?;
    let c = &live.config;
    let now = jiff::Timestamp::now();
    Ok(fragment(live.read(|ws| {
        let today = c.time_zone.to_datetime(now).date();
        render(c, &ws.today_left(now), &ws.loading(today, DAYS, now))
    })))
}

fn answer(site: &SiteConfig, w: &Words, hours: f64, p: &Promise, now: Time) -> Markup {
    html! {
        p.card #promise {
            (w.earliest_promise) " (" (format!("{hours:.1} h")) "): "
            @match p.at {
                Some(at) => strong #promise-at data-at=(at.to_string()) { (clock(site, at, now)) },
                None => strong.late #promise-at { (w.no_fit) },
            }
        }
    }
}

fn render(site: &SiteConfig, today: &DayLoad, days: &[DayLoad]) -> Markup {
    let w = words(site.language);
    let teams: BTreeSet<&String> = days.iter().flat_map(|d| d.teams.keys()).collect();
    html! {
        h2 { (w.left_today) }
        div.tiles #left-today {
            (tile(w.whole_workshop, &today.total))
            @for (team, load) in &today.teams { (tile(team, load)) }
        }
        h2 { (w.loading) }
        table #days {
            thead { tr {
                th { (w.date) } th { (w.whole_workshop) }
                @for t in &teams { th { (w.team) " " (t) } }
            } }
            tbody {
                @for d in days {
                    tr data-date=(d.date.to_string()) {
                        td { (day_label(site, d.date)) }
                        td { (bar(&d.total)) }
                        @for t in &teams {
                            td { @if let Some(l) = d.teams.get(*t) { (bar(l)) } }
                        }
                    }
                }
            }
        }
        p.muted.legend {
            span { i.booked {} (w.booked) } span { i.available {} (w.available) }
            span { b { "0.0" } " " (w.free) " (h)" }
        }
    }
}

fn tile(name: &str, l: &Load) -> Markup {
    html! {
        div.tile data-free=(format!("{:.1}", l.free_hours)) {
            div.v.late[l.free_hours < 0.0] { (format!("{:.1} h", l.free_hours)) }
            div.k { (name) " · " (format!("{:.1} / {:.1} h", l.booked_hours, l.available_hours)) }
        }
    }
}

/// Booked against available as a bar (red past full), then the free hours.
fn bar(l: &Load) -> Markup {
    let share = match l.available_hours > 0.0 {
        true => (l.booked_hours / l.available_hours).min(1.0) * 100.0,
        false if l.booked_hours > 0.0 => 100.0,
        false => 0.0,
    };
    let over = l.free_hours < 0.0;
    html! {
        div.load.over[over] title=(format!("{:.1} / {:.1} h", l.booked_hours, l.available_hours)) {
            div.meter { i style={ "width:" (format!("{share:.0}")) "%" } {} }
            span.free data-free=(format!("{:.1}", l.free_hours)) { (format!("{:.1}", l.free_hours)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::asked_hours;

    #[test]
    fn the_ops_hours_are_summed_and_a_word_that_is_not_a_number_is_named() {
        assert_eq!(asked_hours(""), Ok(None));
        assert_eq!(asked_hours(" 1.5 2,0.5 "), Ok(Some(4.0)));
        assert_eq!(asked_hours("1.5，2"), Ok(Some(3.5)));
        assert_eq!(asked_hours("1.5 two"), Err("two".into()));
        assert_eq!(asked_hours("-1"), Err("-1".into()));
        assert_eq!(asked_hours("NaN"), Err("NaN".into()));
        assert_eq!(asked_hours("900 900"), Err("Σ 1800".into()));
    }
}
