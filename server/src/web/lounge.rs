//! The lounge TV: full screen, large type, the site's language (or `?lang=zh|en`), live.
//! Public, so it shows only what the public lounge feed shows (contract §5): masked plates,
//! vehicle, stage, progress, ETA; never a name or a full plate. Its event stream is public
//! too and so carries no data at all, only "something changed".
//!
//! Every car is shown: more than [`TV_ROWS`] make pages of [`TV_ROWS`] marked "2/3", and
//! `live.js` shows one page at a time, the next every few seconds.

use std::convert::Infallible;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::response::Response;
use bayline_domain::view::LoungeRow;
use bayline_domain::{Stage, Time};
use bayline_proto::Language;
use bayline_site::SiteConfig;
use futures::Stream;
use maud::{html, Markup};
use serde::Deserialize;
use tokio_stream::StreamExt;

use super::html::{clock, document, error_page, fragment, page as html_page};
use super::session::{no_site, Refusal};
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
                let w = words(site.language);
                error_page(
                    site.language,
                    StatusCode::BAD_REQUEST,
                    &format!("{}{l:?}", w.bad_lang),
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
    let live = public_site(&state, &site).map_err(|_| no_site(&state, &site))?;
    let c = &live.config;
    let lang = o.language(c)?;
    let w = words(lang);
    let now = jiff::Timestamp::now();
    let rows = live.read(|ws| ws.lounge(now, lang));
    let id = c.id.as_str();
    let body = html! {
        body.tv data-events={ "/sites/" (id) "/lounge/events" } {
            header { span { (c.name) } span { (w.lounge_title) } }
            main #lounge data-live={ "/sites/" (id) "/lounge/live" @if let Some(l) = &o.lang { "?lang=" (l) } } {
                (render(c, lang, &rows, now))
            }
            script src="/assets/live.js" defer {}
        }
    };
    let title = format!("{} · {}", w.lounge_title, c.name);
    Ok(html_page(document(lang, &title, body)))
}

pub async fn live(
    State(state): State<AppState>,
    Path(site): Path<String>,
    Query(o): Query<Options>,
) -> Result<Response, Refusal> {
    let live = public_site(&state, &site).map_err(|_| no_site(&state, &site))?;
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
    let live = public_site(&state, &site).map_err(|_| no_site(&state, &site))?;
    let pings = site_changes(&state, live.config.id.clone())
        .map(|_| Ok(Event::default().event("change").data("{}")));
    Ok(Sse::new(pings).keep_alive(keep_alive()))
}

/// Rows a TV page shows: what a 1080p screen holds in the lounge's large type.
pub const TV_ROWS: usize = 10;

fn render(site: &SiteConfig, lang: Language, rows: &[LoungeRow], now: Time) -> Markup {
    let w = words(lang);
    if rows.is_empty() {
        return html! { p.empty { (w.no_cars) } };
    }
    let count = rows.len().div_ceil(TV_ROWS);
    html! {
        div.pages {
            @for (i, page) in rows.chunks(TV_ROWS).enumerate() {
                section.page hidden[i > 0] {
                    (table(site, lang, page, now))
                    @if count > 1 { p.mark { (i + 1) "/" (count) } }
                }
            }
        }
    }
}

fn table(site: &SiteConfig, lang: Language, rows: &[LoungeRow], now: Time) -> Markup {
    let w = words(lang);
    html! {
        table {
            thead { tr { th { (w.plate) } th { (w.vehicle) } th { (w.stage) } th { (w.progress) } th { (w.expected) } } }
            tbody {
                @for r in rows {
                    @let ready = matches!(r.stage, Stage::Ready);
                    tr class=[ready.then_some("ready")] {
                        td.plate { (r.plate) }
                        td { (r.vehicle) }
                        td { (r.stage_label) }
                        td { div.bar { i style={ "width:" (format!("{:.0}", r.progress * 100.0)) "%" } {} } }
                        @let warn = match (ready, r.late, r.at_risk) {
                            (false, true, _) => Some("late"),
                            (false, false, true) => Some("at-risk"),
                            _ => None,
                        };
                        td class=[warn] {
                            @if ready { "✓" } @else if let Some(t) = r.eta { (clock(site, t, now)) }
                            @else if r.eta_pending.is_some() { (w.pending) }
                        }
                    }
                }
            }
        }
    }
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
            eta_pending: None,
            late: false,
            at_risk: false,
        }
    }

    #[test]
    fn every_car_is_on_a_page_and_pages_are_marked() {
        let site = SiteConfig::demo();
        let rows: Vec<LoungeRow> = (0..23).map(row).collect();
        let html = render(&site, Language::Zh, &rows, jiff::Timestamp::UNIX_EPOCH).into_string();
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
        let html = render(&site, Language::Zh, &rows, jiff::Timestamp::UNIX_EPOCH).into_string();
        assert!(!html.contains("class=\"mark\""));
    }
}
