//! "Figures": every §6 KPI for today, this week, this month or a chosen range; by team,
//! advisor, service, badge, bay and day; the comebacks; lost hours by cause as a Pareto chart;
//! small trend lines per day.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bayline_domain::kpi::{Comeback, Figures, GroupBy, Period, Row};
use bayline_domain::view::mask_plate;
use bayline_domain::{Reason, Time};
use bayline_site::SiteConfig;
use jiff::civil::Date;
use jiff::ToSpan;
use maud::{html, Markup};
use serde::Deserialize;

use super::charts::{pareto, reason_colour, sparkline, Cause};
use super::html::{badge_name, clock, hours, manager_page, pct, Tab};
use super::session::{manager, Refusal};
use super::words::{words, Words};
use crate::http::kpis::{midnight, Ask};
use crate::http::Caller;
use crate::AppState;

#[derive(Deserialize, Default)]
pub struct Choice {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// A figure: how to print it from [`Figures`] and its trend. Its name is `Words::kpis` at
/// the same index.
struct Column {
    show: fn(&Figures) -> String,
    trend: Option<fn(&Figures) -> Option<f64>>,
}

const COLUMNS: [Column; 14] = [
    Column {
        show: |f| hours(Some(f.clocked_hours)),
        trend: Some(|f| Some(f.clocked_hours)),
    },
    Column {
        show: |f| hours(Some(f.sold_hours)),
        trend: Some(|f| Some(f.sold_hours)),
    },
    Column {
        show: |f| hours(f.available_hours),
        trend: None,
    },
    Column {
        show: |f| pct(f.labour_efficiency),
        trend: Some(|f| f.labour_efficiency),
    },
    Column {
        show: |f| pct(f.labour_utilisation),
        trend: Some(|f| f.labour_utilisation),
    },
    Column {
        show: |f| pct(f.productivity),
        trend: Some(|f| f.productivity),
    },
    Column {
        show: |f| pct(f.bay_utilisation),
        trend: Some(|f| f.bay_utilisation),
    },
    Column {
        show: |f| hours(f.bay_blocked_hours),
        trend: Some(|f| f.bay_blocked_hours),
    },
    Column {
        show: |f| pct(f.first_time_fix_rate),
        trend: Some(|f| f.first_time_fix_rate),
    },
    Column {
        show: |f| pct(f.on_time_rate),
        trend: Some(|f| f.on_time_rate),
    },
    Column {
        show: |f| hours(f.avg_cycle_hours),
        trend: Some(|f| f.avg_cycle_hours),
    },
    Column {
        show: |f| f.jobs_delivered.to_string(),
        trend: Some(|f| Some(f64::from(f.jobs_delivered))),
    },
    Column {
        show: |f| hours(Some(f.rework_hours)),
        trend: Some(|f| Some(f.rework_hours)),
    },
    Column {
        show: |f| pct(f.comeback_rate),
        trend: Some(|f| f.comeback_rate),
    },
];

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    Query(choice): Query<Choice>,
) -> Result<Response, Refusal> {
    let live = manager(&state, &caller, &site, &format!("/sites/{site}/figures"))?;
    let c = &live.config;
    let w = words(c.language);
    let now = jiff::Timestamp::now();
    let kind = choice.period.as_deref().unwrap_or("today");
    let head = html! { h1 { (w.figures) } (periods(c, kind, &choice)) };
    let period = match chosen(c, kind, &choice, now) {
        Ok(p) => p,
        Err(message) => {
            let body = html! { (head) p.error role="alert" { (message) } };
            let page = manager_page(c, Tab::Figures, w.figures, body);
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    // Trends need days: a short period shows the two weeks up to its end.
    let trend_from =
        if period.to.duration_since(period.from) < jiff::SignedDuration::from_hours(24 * 7) {
            let end = period.to.to_zoned(c.time_zone.clone()).date();
            let start = end.checked_sub(14.days()).unwrap_or(end);
            midnight(start, &c.time_zone).unwrap_or(period.from)
        } else {
            period.from
        };
    let ledger = &state.ledger;
    let trend_period = Period::new(trend_from, period.to);
    // The site's figures come with the badge rows: one measure of the period for both.
    let (whole, badges) = (ledger.figures_and_rows(&live, period, now, GroupBy::Badge)).await?;
    let (teams, advisors, services, bays, days, trend) = (
        ledger.grouped(&live, period, now, GroupBy::Team).await?,
        ledger.grouped(&live, period, now, GroupBy::Advisor).await?,
        ledger.grouped(&live, period, now, GroupBy::Service).await?,
        ledger.grouped(&live, period, now, GroupBy::Bay).await?,
        ledger.grouped(&live, period, now, GroupBy::Day).await?,
        ledger
            .grouped(&live, trend_period, now, GroupBy::Day)
            .await?,
    );
    let comebacks = ledger.comebacks(&live, period, now).await?;
    let named = |rows: &[Row]| rows.iter().any(|r| !r.key.is_empty());
    let body = html! {
        (head)
        (tiles(w, &whole, &trend))
        (lost_hours(c, &whole))
        (comeback_list(c, &comebacks, now))
        @if named(&teams) {
            (table(c, (w.by_team, "by-team"), &teams, csv(c, period, "team")))
        }
        @if named(&advisors) {
            (table(c, (w.by_advisor, "by-advisor"), &advisors, csv(c, period, "advisor")))
        }
        @if named(&services) {
            (table(c, (w.by_service, "by-service"), &services, csv(c, period, "service")))
        }
        (table(c, (w.by_badge, "by-badge"), &badges, csv(c, period, "badge")))
        (table(c, (w.by_bay, "by-bay"), &bays, csv(c, period, "bay")))
        (table(c, (w.by_day, "by-day"), &days, csv(c, period, "day")))
    };
    Ok(manager_page(c, Tab::Figures, w.figures, body))
}

/// The period chosen, or what is wrong with the range.
fn chosen(site: &SiteConfig, kind: &str, choice: &Choice, now: Time) -> Result<Period, String> {
    let w = words(site.language);
    let tz = &site.time_zone;
    let today = now.to_zoned(tz.clone()).date();
    let days = |from: Date, to: Date| format!("from={from}&to={to}");
    let query = match kind {
        "today" => String::new(),
        "week" => {
            let back = i64::from(today.weekday().to_monday_zero_offset());
            let monday = today.checked_sub(back.days()).map_err(|e| e.to_string())?;
            days(
                monday,
                monday.checked_add(7.days()).map_err(|e| e.to_string())?,
            )
        }
        "month" => {
            let first = today.first_of_month();
            days(
                first,
                first.checked_add(1.month()).map_err(|e| e.to_string())?,
            )
        }
        "range" => {
            let (Some(from), Some(to)) = (choice.from.as_deref(), choice.to.as_deref()) else {
                return Err(format!("{}{}", w.bad_range, w.range_needs_both));
            };
            let last: Date = to.parse().map_err(|_| format!("{}{to:?}", w.not_a_date))?;
            // The form's last day is included; the API's `to` is not.
            let end = last.checked_add(1.day()).map_err(|e| e.to_string())?;
            format!(
                "from={}&to={end}",
                url::form_urlencoded::byte_serialize(from.as_bytes()).collect::<String>()
            )
        }
        other => return Err(format!("{}{other:?}", w.bad_period)),
    };
    // The API's own wording of what is wrong with the range, after the page's words for it.
    let ask = Ask::parse(&query, tz, now).map_err(|e| format!("{}{e}", w.bad_range))?;
    Ok(Period::new(ask.from, ask.to))
}

fn periods(site: &SiteConfig, kind: &str, choice: &Choice) -> Markup {
    let w = words(site.language);
    let id = site.id.as_str();
    let quick = [
        ("today", w.today),
        ("week", w.this_week),
        ("month", w.this_month),
    ];
    html! {
        div.periods {
            @for (k, label) in quick {
                a href={ "/sites/" (id) "/figures?period=" (k) } aria-current=[(k == kind).then_some("page")] { (label) }
            }
            form.periods method="get" {
                input type="hidden" name="period" value="range";
                span { (w.range) ":" }
                label { (w.from) " " input type="date" name="from" value=(choice.from.as_deref().unwrap_or("")); }
                label { (w.to) " " input type="date" name="to" value=(choice.to.as_deref().unwrap_or("")); }
                button { (w.show) }
            }
        }
    }
}

fn tiles(w: &Words, f: &Figures, trend: &[Row]) -> Markup {
    html! {
        div.tiles #kpis {
            @for (c, name) in COLUMNS.iter().zip(w.kpis) {
                div.tile {
                    div.k { (name) }
                    div.v { ((c.show)(f)) }
                    @if let Some(get) = c.trend {
                        @let values: Vec<Option<f64>> = trend.iter().map(|r| get(&r.figures)).collect();
                        (sparkline(&values, name))
                    }
                }
            }
        }
    }
}

/// Blocked bay hours by reason, the site's own reasons beside the contract's five.
fn lost_hours(site: &SiteConfig, f: &Figures) -> Markup {
    let (lang, reasons) = (site.language, &site.pause_reasons);
    let w = words(lang);
    let by = f.bay_blocked_hours_by_reason.clone().unwrap_or_default();
    let mut causes: Vec<Cause> = (by.entries())
        .map(|(name, hours)| Cause {
            label: match Reason::parse(name) {
                Some(r) => reasons.label(&r, lang),
                None => name,
            },
            hours,
            colour: reason_colour(name, reasons),
        })
        .collect();
    html! {
        div.charts {
            section.card #pareto {
                h2 { (w.lost_hours) }
                (pareto(&mut causes, w.nothing))
            }
        }
    }
}

/// The comebacks checked in in the period: the job, its masked plate, the job it came back
/// from and when it was checked in.
fn comeback_list(site: &SiteConfig, comebacks: &[Comeback], now: Time) -> Markup {
    let w = words(site.language);
    html! {
        h2 { (w.comebacks) " (" (comebacks.len()) ")" }
        table #comebacks {
            thead { tr {
                th { (w.job) } th { (w.plate) } th { (w.comeback_of) } th { (w.checked_in) }
            } }
            tbody {
                @for cb in comebacks {
                    tr {
                        td { (cb.job) }
                        td { (mask_plate(&cb.plate)) }
                        td { (cb.comeback_of) }
                        td { (clock(site, cb.checked_in_at, now)) }
                    }
                }
                @if comebacks.is_empty() {
                    tr { td.muted colspan="4" { (w.nothing) } }
                }
            }
        }
    }
}

/// The API's CSV of the period grouped `by`: the download behind a table (the session cookie
/// signs the request in).
fn csv(site: &SiteConfig, period: Period, by: &str) -> String {
    format!(
        "/api/v1/sites/{}/kpis?from={}&to={}&group_by={by}&format=csv",
        site.id, period.from, period.to
    )
}

fn table(site: &SiteConfig, (title, id): (&str, &str), rows: &[Row], csv: String) -> Markup {
    let w = words(site.language);
    let badges = id == "by-badge";
    html! {
        h2 {
            (title) " "
            a.download id={ (id) "-csv" } href=(csv) download { (w.download_csv) }
        }
        table id=(id) {
            thead { tr {
                th {}
                @for name in w.kpis { th.num { (name) } }
            } }
            tbody {
                @for r in rows {
                    tr {
                        td {
                            @if badges { (badge_name(site, &r.key)) }
                            @else if r.key.is_empty() { span.muted { "—" } }
                            @else { (r.key) }
                        }
                        @for c in COLUMNS { td.num { ((c.show)(&r.figures)) } }
                    }
                }
                @if rows.is_empty() {
                    tr { td.muted colspan=(COLUMNS.len() + 1) { (w.nothing) } }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Time {
        s.parse().unwrap()
    }

    #[test]
    fn a_week_runs_monday_to_monday_and_a_range_includes_its_last_day() {
        let site = SiteConfig::demo();
        let now = at("2026-11-26T04:00:00Z"); // Thursday, noon in Shanghai
        let week = chosen(&site, "week", &Choice::default(), now).unwrap();
        assert_eq!(
            (week.from, week.to),
            (at("2026-11-22T16:00:00Z"), at("2026-11-29T16:00:00Z"))
        );
        let range = Choice {
            period: None,
            from: Some("2026-11-02".into()),
            to: Some("2026-11-03".into()),
        };
        let p = chosen(&site, "range", &range, now).unwrap();
        assert_eq!(
            (p.from, p.to),
            (at("2026-11-01T16:00:00Z"), at("2026-11-03T16:00:00Z"))
        );
    }

    #[test]
    fn a_bad_range_says_what_is_wrong() {
        let site = SiteConfig::demo();
        let now = at("2026-11-26T04:00:00Z");
        let back = Choice {
            period: None,
            from: Some("2026-11-05".into()),
            to: Some("2026-11-01".into()),
        };
        assert!(chosen(&site, "range", &back, now)
            .unwrap_err()
            .contains("is not after"));
        let junk = Choice {
            period: None,
            from: Some("soon".into()),
            to: Some("2026-11-01".into()),
        };
        assert!(chosen(&site, "range", &junk, now)
            .unwrap_err()
            .contains("neither"));
        assert!(chosen(&site, "year", &Choice::default(), now)
            .unwrap_err()
            .starts_with(words(site.language).bad_period));
    }
}
