//! "Figures": every §6 KPI for today, this week, this month or a chosen range; by badge, bay
//! and day; lost hours by cause as a Pareto chart; small trend lines per day.

use std::fmt::Write;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bayline_domain::kpi::{self, Figures, GroupBy, Period, Row};
use bayline_domain::Time;
use bayline_proto::{Language, PauseReason};
use bayline_site::SiteConfig;
use jiff::civil::Date;
use jiff::ToSpan;
use serde::Deserialize;

use super::charts::{pareto, sparkline, Cause};
use super::html::{badge_name, esc, hours, manager_page, pct, Tab};
use super::session::{manager, Refusal};
use super::words::words;
use crate::http::kpis::{midnight, Ask};
use crate::http::Caller;
use crate::AppState;

#[derive(Deserialize, Default)]
pub struct Choice {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// A figure: its name in each language and how to print it from [`Figures`].
struct Column {
    en: &'static str,
    zh: &'static str,
    show: fn(&Figures) -> String,
    trend: Option<fn(&Figures) -> Option<f64>>,
}

const COLUMNS: &[Column] = &[
    Column {
        en: "Clocked",
        zh: "实际工时",
        show: |f| hours(Some(f.clocked_hours)),
        trend: Some(|f| Some(f.clocked_hours)),
    },
    Column {
        en: "Sold",
        zh: "已售工时",
        show: |f| hours(Some(f.sold_hours)),
        trend: Some(|f| Some(f.sold_hours)),
    },
    Column {
        en: "Available",
        zh: "可用工时",
        show: |f| hours(f.available_hours),
        trend: None,
    },
    Column {
        en: "Labour efficiency",
        zh: "劳动效率",
        show: |f| pct(f.labour_efficiency),
        trend: Some(|f| f.labour_efficiency),
    },
    Column {
        en: "Labour utilisation",
        zh: "劳动力利用率",
        show: |f| pct(f.labour_utilisation),
        trend: Some(|f| f.labour_utilisation),
    },
    Column {
        en: "Productivity",
        zh: "总劳动效率",
        show: |f| pct(f.productivity),
        trend: Some(|f| f.productivity),
    },
    Column {
        en: "Bay utilisation",
        zh: "工位利用率",
        show: |f| pct(f.bay_utilisation),
        trend: Some(|f| f.bay_utilisation),
    },
    Column {
        en: "Bay blocked",
        zh: "工位阻塞",
        show: |f| hours(f.bay_blocked_hours),
        trend: Some(|f| f.bay_blocked_hours),
    },
    Column {
        en: "First-time fix",
        zh: "一次修复率",
        show: |f| pct(f.first_time_fix_rate),
        trend: Some(|f| f.first_time_fix_rate),
    },
    Column {
        en: "On time",
        zh: "准时交车率",
        show: |f| pct(f.on_time_rate),
        trend: Some(|f| f.on_time_rate),
    },
    Column {
        en: "Avg cycle",
        zh: "平均周期",
        show: |f| hours(f.avg_cycle_hours),
        trend: Some(|f| f.avg_cycle_hours),
    },
    Column {
        en: "Delivered",
        zh: "交车数",
        show: |f| f.jobs_delivered.to_string(),
        trend: Some(|f| Some(f64::from(f.jobs_delivered))),
    },
];

fn name(c: &Column, lang: Language) -> &'static str {
    match lang {
        Language::Zh => c.zh,
        Language::En => c.en,
    }
}

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
    let mut body = format!("<h1>{}</h1>", w.figures);
    let kind = choice.period.as_deref().unwrap_or("today");
    periods(&mut body, c, kind, &choice);
    let period = match chosen(c, kind, &choice, now) {
        Ok(p) => p,
        Err(message) => {
            let _ = write!(
                body,
                r#"<p class="error" role="alert">{}</p>"#,
                esc(&message)
            );
            let page = manager_page(c, Tab::Figures, w.figures, &body);
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
    let (whole, badges, bays, days, trend) = live.read(|ws| {
        (
            kpi::figures(ws, period, now),
            kpi::grouped(ws, period, now, GroupBy::Badge),
            kpi::grouped(ws, period, now, GroupBy::Bay),
            kpi::grouped(ws, period, now, GroupBy::Day),
            kpi::grouped(ws, Period::new(trend_from, period.to), now, GroupBy::Day),
        )
    });
    tiles(&mut body, c.language, &whole, &trend);
    lost_hours(&mut body, c.language, &whole);
    let w = words(c.language);
    table(&mut body, c, w.by_badge, "by-badge", &badges, true);
    table(&mut body, c, w.by_bay, "by-bay", &bays, false);
    table(&mut body, c, w.by_day, "by-day", &days, false);
    Ok(manager_page(c, Tab::Figures, w.figures, &body))
}

/// The period chosen, or what is wrong with the range.
fn chosen(site: &SiteConfig, kind: &str, choice: &Choice, now: Time) -> Result<Period, String> {
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
                return Err("a range needs a first and a last day".into());
            };
            let last: Date = to
                .parse()
                .map_err(|_| format!("{to:?} is not a date (2026-11-02)"))?;
            // The form's last day is included; the API's `to` is not.
            let end = last.checked_add(1.day()).map_err(|e| e.to_string())?;
            format!(
                "from={}&to={end}",
                url::form_urlencoded::byte_serialize(from.as_bytes()).collect::<String>()
            )
        }
        other => {
            return Err(format!(
                "period {other:?} is not today, week, month or range"
            ))
        }
    };
    let ask = Ask::parse(&query, tz, now).map_err(|e| e.to_string())?;
    Ok(Period::new(ask.from, ask.to))
}

fn periods(out: &mut String, site: &SiteConfig, kind: &str, choice: &Choice) {
    let w = words(site.language);
    let id = esc(site.id.as_str());
    out.push_str(r#"<div class="periods">"#);
    for (k, label) in [
        ("today", w.today),
        ("week", w.this_week),
        ("month", w.this_month),
    ] {
        let cur = if k == kind {
            r#" aria-current="page""#
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<a href="/sites/{id}/figures?period={k}"{cur}>{label}</a>"#
        );
    }
    let _ = write!(
        out,
        r#"<form method="get" class="periods"><input type="hidden" name="period" value="range"><span>{range}:</span><label>{from} <input type="date" name="from" value="{f}"></label><label>{to} <input type="date" name="to" value="{t}"></label><button>{show}</button></form></div>"#,
        range = w.range,
        from = w.from,
        to = w.to,
        show = w.show,
        f = esc(choice.from.as_deref().unwrap_or("")),
        t = esc(choice.to.as_deref().unwrap_or("")),
    );
}

fn tiles(out: &mut String, lang: Language, f: &Figures, trend: &[Row]) {
    out.push_str(r#"<div class="tiles" id="kpis">"#);
    for c in COLUMNS {
        let line = c.trend.map(|get| {
            let values: Vec<Option<f64>> = trend.iter().map(|r| get(&r.figures)).collect();
            sparkline(&values, name(c, lang))
        });
        let _ = write!(
            out,
            r#"<div class="tile"><div class="k">{k}</div><div class="v">{v}</div>{line}</div>"#,
            k = name(c, lang),
            v = (c.show)(f),
            line = line.unwrap_or_default(),
        );
    }
    out.push_str("</div>");
}

fn lost_hours(out: &mut String, lang: Language, f: &Figures) {
    let w = words(lang);
    let by = f.bay_blocked_hours_by_reason.unwrap_or_default();
    let mut causes = [
        Cause {
            label: PauseReason::Parts.label(lang),
            hours: by.parts,
            colour: "#d98a00",
        },
        Cause {
            label: PauseReason::Approval.label(lang),
            hours: by.approval,
            colour: "#8b5cf6",
        },
        Cause {
            label: PauseReason::Break.label(lang),
            hours: by.break_,
            colour: "#0ea5b7",
        },
        Cause {
            label: PauseReason::Other.label(lang),
            hours: by.other,
            colour: "#a16207",
        },
    ];
    let _ = write!(
        out,
        r#"<div class="charts"><section class="card" id="pareto"><h2>{}</h2>{}</section></div>"#,
        w.lost_hours,
        pareto(&mut causes, w.nothing)
    );
}

fn table(out: &mut String, site: &SiteConfig, title: &str, id: &str, rows: &[Row], badges: bool) {
    let _ = write!(
        out,
        r#"<h2>{title}</h2><table id="{id}"><thead><tr><th></th>"#
    );
    for c in COLUMNS {
        let _ = write!(out, r#"<th class="num">{}</th>"#, name(c, site.language));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        let key = if badges {
            badge_name(site, &r.key)
        } else {
            r.key.clone()
        };
        let _ = write!(out, "<tr><td>{}</td>", esc(&key));
        for c in COLUMNS {
            let _ = write!(out, r#"<td class="num">{}</td>"#, (c.show)(&r.figures));
        }
        out.push_str("</tr>");
    }
    if rows.is_empty() {
        let _ = write!(
            out,
            r#"<tr><td colspan="13" class="muted">{}</td></tr>"#,
            words(site.language).nothing
        );
    }
    out.push_str("</tbody></table>");
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
            .contains("today, week"));
    }
}
