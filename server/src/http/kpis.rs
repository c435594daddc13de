//! The workshop figures (contract §6) for managers: `GET …/kpis?from&to[&group_by]`.
//!
//! `from` and `to` are RFC 3339 instants or local dates of the site (`2026-11-02` is that
//! day's midnight in the site's zone), so "November" is `from=2026-11-01&to=2026-12-01`.
//! Without them the period is today, local. The answer carries the site's figures at the top
//! level, and with `group_by=badge|bay|day|team|advisor|service` also `rows: [{key, …figures}]`; with
//! `Accept: text/csv` (or `format=csv`, for a plain link) the same as a CSV file
//! ([`super::csv`]).

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use bayline_domain::kpi::{Figures, GroupBy, Period, Row};
use bayline_domain::Time;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, ToSpan};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::MANAGER;
use super::{Caller, Error, Result};
use crate::AppState;

/// The longest period asked in one request; a year and a bit covers every report we know.
const MAX_PERIOD: SignedDuration = SignedDuration::from_hours(24 * 400);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(kpis))
}

/// The period's figures at the top level, and rows when grouped.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = KpiAnswer)]
struct Answer {
    #[schema(value_type = String, format = DateTime)]
    from: Time,
    #[schema(value_type = String, format = DateTime)]
    to: Time,
    #[serde(flatten)]
    figures: Figures,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_by: Option<GroupBy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rows: Option<Vec<Row>>,
}

/// The figures of contract §6 for [from, to), whole and grouped.
#[utoipa::path(get, path = "/api/v1/sites/{site}/kpis", tag = "workshop", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"),
        ("from" = Option<String>, Query, description = "RFC 3339 or a local date; default today"),
        ("to" = Option<String>, Query, description = "RFC 3339 or a local date; default the day after from"),
        ("group_by" = Option<String>, Query, description = "badge | bay | day | team | advisor | service"),
        ("format" = Option<String>, Query, description = "csv: the answer as CSV, as with Accept: text/csv")),
    responses((status = 200, description = "the figures; CSV (UTF-8 with BOM) for Accept: text/csv", content((Answer = "application/json"), (String = "text/csv"))), (status = 400, description = "a bad period", body = super::error::ErrorBody), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn kpis(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response> {
    let live = caller.site(&state, &site, MANAGER)?;
    let now = jiff::Timestamp::now();
    let ask = Ask::parse(query.as_deref().unwrap_or(""), &live.config.time_zone, now)?;
    let period = Period::new(ask.from, ask.to);
    let ledger = &state.ledger;
    let (figures, rows) = match ask.group_by {
        Some(by) => {
            let (figures, rows) = ledger.figures_and_rows(&live, period, now, by).await?;
            (figures, Some(rows))
        }
        None => (ledger.figures(&live, period, now).await?, None),
    };
    let answer = Answer {
        from: ask.from,
        to: ask.to,
        figures,
        group_by: ask.group_by,
        rows,
    };
    if !(ask.csv || wants_csv(&headers)) {
        return Ok(axum::Json(answer).into_response());
    }
    let text = super::csv::figures_csv(
        (answer.from, answer.to),
        &answer.figures,
        answer.group_by,
        answer.rows.as_deref().unwrap_or_default(),
    );
    let file = format!(
        "attachment; filename=\"kpis-{site}-{}.csv\"",
        answer.from.strftime("%Y%m%d")
    );
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
        (header::CONTENT_DISPOSITION, file),
    ];
    Ok((headers, text).into_response())
}

/// The caller asks for CSV: `text/csv` among its accepted types.
fn wants_csv(headers: &HeaderMap) -> bool {
    (headers.get_all(header::ACCEPT).iter())
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            t.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/csv"))
        })
}

/// The query, checked.
#[derive(Debug, PartialEq)]
pub(crate) struct Ask {
    pub(crate) from: Time,
    pub(crate) to: Time,
    pub(crate) group_by: Option<GroupBy>,
    /// `format=csv`: a download link cannot set `Accept`.
    pub(crate) csv: bool,
}

impl Ask {
    pub(crate) fn parse(query: &str, tz: &TimeZone, now: Time) -> Result<Ask> {
        let (mut from, mut to, mut group_by, mut csv) = (None, None, None, false);
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match &*key {
                "from" => from = Some(instant("from", &value, tz)?),
                "to" => to = Some(instant("to", &value, tz)?),
                "group_by" => {
                    group_by = Some(GroupBy::parse(&value).ok_or_else(|| {
                        Error::BadRequest(format!(
                        "group_by {value:?} is not one of badge, bay, day, team, advisor, service"
                    ))
                    })?)
                }
                "format" => {
                    csv = match &*value {
                        "csv" => true,
                        "json" => false,
                        other => {
                            return Err(Error::BadRequest(format!(
                                "format {other:?} is not one of json, csv"
                            )))
                        }
                    }
                }
                other => {
                    return Err(Error::BadRequest(format!(
                        "unknown parameter {other:?}: use from, to, group_by, format"
                    )))
                }
            }
        }
        let today = || -> Result<Time> {
            let date = now.to_zoned(tz.clone()).date();
            midnight(date, tz)
        };
        let from = match from {
            Some(t) => t,
            None => today()?,
        };
        let to = match to {
            Some(t) => t,
            None => {
                let date = from.to_zoned(tz.clone()).date();
                midnight(date.checked_add(1.day()).map_err(internal)?, tz)?
            }
        };
        if to <= from {
            return Err(Error::BadRequest(format!(
                "to ({to}) is not after from ({from})"
            )));
        }
        if to.duration_since(from) > MAX_PERIOD {
            return Err(Error::BadRequest(
                "the period is longer than 400 days; ask in parts".into(),
            ));
        }
        Ok(Ask {
            from,
            to,
            group_by,
            csv,
        })
    }
}

/// An RFC 3339 instant, or a local date meaning its midnight.
fn instant(name: &str, value: &str, tz: &TimeZone) -> Result<Time> {
    if let Ok(t) = value.parse::<Time>() {
        return Ok(t);
    }
    match value.parse::<Date>() {
        Ok(date) => midnight(date, tz),
        Err(_) => Err(Error::BadRequest(format!(
            "{name} {value:?} is neither an RFC 3339 time (2026-11-02T08:00:00+08:00) nor a date (2026-11-02)"
        ))),
    }
}

/// The first instant of `date` in the site's zone (DST-safe).
pub(crate) fn midnight(date: Date, tz: &TimeZone) -> Result<Time> {
    Ok(date
        .to_zoned(tz.clone())
        .map_err(internal)?
        .start_of_day()
        .map_err(internal)?
        .timestamp())
}

fn internal(e: jiff::Error) -> Error {
    Error::BadRequest(format!("that date is out of range: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    fn at(s: &str) -> Time {
        s.parse().unwrap()
    }

    #[test]
    fn dates_are_local_midnights_and_the_default_is_today() {
        let now = at("2026-11-23T20:00:00Z"); // 04:00 on the 24th in Shanghai
        let ask = Ask::parse(
            "from=2026-11-01&to=2026-12-01&group_by=day",
            &shanghai(),
            now,
        )
        .unwrap();
        assert_eq!(ask.from, at("2026-10-31T16:00:00Z"));
        assert_eq!(ask.to, at("2026-11-30T16:00:00Z"));
        assert_eq!(ask.group_by, Some(GroupBy::Day));

        let today = Ask::parse("", &shanghai(), now).unwrap();
        assert_eq!(
            (today.from, today.to),
            (at("2026-11-23T16:00:00Z"), at("2026-11-24T16:00:00Z"))
        );
    }

    #[test]
    fn csv_is_what_accept_or_format_asks_for() {
        let mut h = HeaderMap::new();
        assert!(!wants_csv(&h));
        h.insert(header::ACCEPT, "text/html, Text/CSV;q=0.9".parse().unwrap());
        assert!(wants_csv(&h));
        h.insert(header::ACCEPT, "application/json, */*".parse().unwrap());
        assert!(!wants_csv(&h));
        let now = at("2026-11-23T20:00:00Z");
        assert!(Ask::parse("format=csv", &shanghai(), now).unwrap().csv);
        assert!(!Ask::parse("format=json", &shanghai(), now).unwrap().csv);
        assert!(Ask::parse("format=xlsx", &shanghai(), now).is_err());
    }

    #[test]
    fn a_day_across_a_dst_change_is_23_hours() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let ask = Ask::parse("from=2026-03-29", &berlin, at("2026-03-30T12:00:00Z")).unwrap();
        assert_eq!(
            ask.to.duration_since(ask.from),
            SignedDuration::from_hours(23)
        );
    }

    #[test]
    fn bad_queries_say_what_is_wrong() {
        let now = at("2026-11-23T08:00:00Z");
        for (q, words) in [
            ("from=yesterday", "neither an RFC 3339"),
            ("from=2026-11-02&to=2026-11-01", "is not after"),
            ("from=2026-01-01&to=2027-06-01", "400 days"),
            ("group_by=week", "badge, bay, day"),
            ("form=2026-11-01", "unknown parameter"),
        ] {
            let e = Ask::parse(q, &shanghai(), now).unwrap_err();
            assert!(e.to_string().contains(words), "{q}: {e}");
        }
    }
}
