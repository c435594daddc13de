//! The lounge TV: full screen, large type, the site's language (or `?lang=zh|en`), live.
//! Public, so it shows only what the public lounge feed shows (contract §5): masked plates,
//! vehicle, stage, progress, ETA; never a name or a full plate. Its event stream is public
//! too and so carries no data at all, only "something changed".
//!
//! Every car is shown: more than [`TV_ROWS`] make pages of [`TV_ROWS`] marked "2/3", and
//! `live.js` shows one page at a time, the next every few seconds.

use std::convert::Infallible;
use std::fmt::Write;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::response::Response;
use bayline_domain::view::LoungeRow;
use bayline_domain::{Stage, Time};
use bayline_proto::Language;
use bayline_site::SiteConfig;
use futures::Stream;
use serde::Deserialize;
use tokio_stream::StreamExt;

use super::html::{clock, esc, fragment, html, shell_head};
use super::session::{error_page, Refusal};
use super::words::words;
use crate::http::auth::public_site;
use crate::http::events::{keep_alive, site_changes};
use crate::AppState;

#[derive(Deserialize)]
pub struct Options {
    lang: Option<String>,
}

impl Options {
    fn language(&self, site: &SiteConfig) -> Result<Language, Refusal> {
        match self.lang.as_deref() {
            None | Some("") => Ok(site.language),
            Some(l) => Language::parse(l).ok_or_else(|| {
                error_page(
                    StatusCode::BAD_REQUEST,
                    &format!("lang {l:?} is not zh or en"),
                )
                .into()
            }),
        }
    }
}

pub async fn page(
    State(state): State<AppState>,
    Path(site): Path<String>,
    Query(o): Query<Options>,
) -> Result<Response, Refusal> {
    let live = public_site(&state, &site)
        .map_err(|e| error_page(StatusCode::NOT_FOUND, &e.to_string()))?;
    let c = &live.config;
    let lang = o.language(c)?;
    let w = words(lang);
    let now = jiff::Timestamp::now();
    let rows = live.read(|ws| ws.lounge(now, lang));
    let id = esc(c.id.as_str());
    let lang_q = o
        .lang
        .as_deref()
        .map(|l| format!("?lang={}", esc(l)))
        .unwrap_or_default();
    let head = shell_head(lang, &format!("{} · {}", w.lounge_title, c.name), "");
    Ok(html(format!(
        r#"{head}<body class="tv" data-events="/sites/{id}/lounge/events">
<header><span>{name}</span><span>{title}</span></header>
<main id="lounge" data-live="/sites/{id}/lounge/live{lang_q}">{rows}</main>
<script src="/assets/live.js" defer></script></body></html>"#,
        name = esc(&c.name),
        title = w.lounge_title,
        rows = render(c, lang, &rows, now),
    )))
}

pub async fn live(
    State(state): State<AppState>,
    Path(site): Path<String>,
    Query(o): Query<Options>,
) -> Result<Response, Refusal> {
    let live = public_site(&state, &site)
        .map_err(|e| error_page(StatusCode::NOT_FOUND, &e.to_string()))?;
    let lang = o.language(&live.config)?;
    let now = jiff::Timestamp::now();
    let rows = live.read(|ws| ws.lounge(now, lang));
    Ok(fragment(render(&live.config, lang, &rows, now)))
}

/// "Something changed at this site", with no detail: the stream is public.
pub async fn events(
    State(state): State<AppState>,
    Path(site): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Refusal> {
    let live = public_site(&state, &site)
        .map_err(|e| error_page(StatusCode::NOT_FOUND, &e.to_string()))?;
    let pings = site_changes(&state, live.config.id.clone())
        .map(|_| Ok(Event::default().event("change").data("{}")));
    Ok(Sse::new(pings).keep_alive(keep_alive()))
}

/// Rows a TV page shows: what a 1080p screen holds in the lounge's large type.
pub const TV_ROWS: usize = 10;

fn render(site: &SiteConfig, lang: Language, rows: &[LoungeRow], now: Time) -> String {
    let w = words(lang);
    if rows.is_empty() {
        return format!(r#"<p class="empty">{}</p>"#, w.no_cars);
    }
    let count = rows.len().div_ceil(TV_ROWS);
    let mut out = String::from(r#"<div class="pages">"#);
    for (i, page) in rows.chunks(TV_ROWS).enumerate() {
        let hidden = if i == 0 { "" } else { " hidden" };
        let _ = write!(out, r#"<section class="page"{hidden}>"#);
        out.push_str(&table(site, lang, page, now));
        if count > 1 {
            let _ = write!(out, r#"<p class="mark">{}/{count}</p>"#, i + 1);
        }
        out.push_str("</section>");
    }
    out.push_str("</div>");
    out
}

fn table(site: &SiteConfig, lang: Language, rows: &[LoungeRow], now: Time) -> String {
    let w = words(lang);
    let mut out = format!(
        r#"<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>"#,
        w.plate, w.vehicle, w.stage, w.progress, w.expected
    );
    for r in rows {
        let ready = matches!(r.stage, Stage::Ready);
        let eta = match (ready, r.eta) {
            (true, _) => "✓".to_string(),
            (false, Some(t)) => clock(site, t, now),
            (false, None) => String::new(),
        };
        let _ = write!(
            out,
            r#"<tr class="{cls}"><td class="plate">{plate}</td><td>{vehicle}</td><td>{stage}</td><td><div class="bar"><i style="width:{p:.0}%"></i></div></td><td class="{late}">{eta}</td></tr>"#,
            cls = if ready { "ready" } else { "" },
            plate = esc(&r.plate),
            vehicle = esc(&r.vehicle),
            stage = esc(&r.stage_label),
            p = r.progress * 100.0,
            late = if r.late && !ready { "late" } else { "" },
        );
    }
    out.push_str("</tbody></table>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(i: usize) -> LoungeRow {
        LoungeRow {
            plate: format!("粤B***{i:02}"),
            vehicle: "Camry".into(),
            stage: Stage::InProgress,
            stage_label: "维修中".into(),
            progress: 0.5,
            eta: None,
            late: false,
        }
    }

    #[test]
    fn every_car_is_on_a_page_and_pages_are_marked() {
        let site = SiteConfig::demo();
        let rows: Vec<LoungeRow> = (0..23).map(row).collect();
        let html = render(&site, Language::Zh, &rows, jiff::Timestamp::UNIX_EPOCH);
        for i in 0..23 {
            assert!(html.contains(&format!("粤B***{i:02}")), "car {i} missing");
        }
        assert_eq!(html.matches(r#"<section class="page""#).count(), 3);
        assert_eq!(html.matches(r#"<section class="page" hidden>"#).count(), 2);
        for mark in ["1/3", "2/3", "3/3"] {
            assert!(
                html.contains(&format!(r#"<p class="mark">{mark}</p>"#)),
                "{mark}"
            );
        }
    }

    #[test]
    fn one_page_has_no_mark() {
        let site = SiteConfig::demo();
        let rows: Vec<LoungeRow> = (0..TV_ROWS).map(row).collect();
        let html = render(&site, Language::Zh, &rows, jiff::Timestamp::UNIX_EPOCH);
        assert!(!html.contains("class=\"mark\""));
    }
}
