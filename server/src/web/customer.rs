//! The customer's status page, `/c/{token}` (contract §7.5): the car's masked plate, vehicle,
//! a step bar (接车 → 维修 → 质检 → 洗车 → 可取车), progress, ETA or what it waits for, the
//! advisor's name, and any open approval request with a yes and a no per op.
//!
//! Made for a phone's WeChat browser: one HTML request and one small stylesheet, no font or
//! script from elsewhere (the few lines that keep it live are inline), readable at 360 px.
//! Live over the site's change stream, narrowed to this job and carrying no data.
//!
//! Privacy: nothing here names the customer, shows the full plate or another car. Every link
//! that does not open (malformed, unknown, revoked, expired) gets the very same page, which
//! names no site; every request to `/c/` is counted against its address first.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use bayline_domain::view::{mask_plate, JobView, Wait};
use bayline_domain::{Stage, Time};
use bayline_proto::Language;
use bayline_site::SiteConfig;
use bayline_store::Approval;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Deserialize;
use tokio_stream::StreamExt;

use super::html::clock;
use super::words::{customer_words, CustomerWords};
use crate::customer::{limit, token};
use crate::http::events::{keep_alive, site_changes};
use crate::AppState;

const CSS: &str = include_str!("assets/customer.css");

/// Keeps the page live: on each change, fetch the live part and swap it in.
const SCRIPT: &str = r#"(function(){var m=document.getElementById('status');if(!m||!window.EventSource)return;var s=new EventSource(m.dataset.events);s.addEventListener('change',function(){fetch(m.dataset.live,{cache:'no-store'}).then(function(r){return r.ok?r.text():null}).then(function(t){if(t!==null)m.innerHTML=t})})})();"#;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/c/{token}", get(page))
        .route("/c/{token}/live", get(live))
        .route("/c/{token}/events", get(events))
        .route("/c/{token}/answer", post(answer))
        .layer(axum::middleware::from_fn_with_state(state, limited))
        .route("/assets/customer.css", get(css))
}

/// Counts every `/c/` request against its address; over the limit, a 429 page.
async fn limited(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let addr = limit::address(&parts, state.trust_forwarded_for)
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    if !state.limiter.allow(addr, Instant::now()) {
        metrics::counter!("bayline_customer_throttled_total").increment(1);
        let body = html! { p { (CUSTOMER_BOTH.0.too_many) } p { (CUSTOMER_BOTH.1.too_many) } };
        let mut res = (
            StatusCode::TOO_MANY_REQUESTS,
            shell(Language::Zh, "bayline", body),
        )
            .into_response();
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return res;
    }
    next.run(Request::from_parts(parts, body)).await
}

static CUSTOMER_BOTH: std::sync::LazyLock<(&CustomerWords, &CustomerWords)> =
    std::sync::LazyLock::new(|| (customer_words(Language::Zh), customer_words(Language::En)));

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct Options {
    lang: Option<String>,
}

impl Options {
    fn language(&self, site: &SiteConfig) -> Language {
        (self.lang.as_deref())
            .and_then(Language::parse)
            .unwrap_or(site.language)
    }
}

/// A whole page: no caching, no referrer (the token is in the URL), not for search engines.
fn shell(lang: Language, title: &str, body: Markup) -> Response {
    let code = match lang {
        Language::Zh => "zh-CN",
        Language::En => "en",
    };
    let doc = html! {
        (DOCTYPE)
        html lang=(code) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) }
                link rel="stylesheet" href="/assets/customer.css";
            }
            body.customer { (body) }
        }
    };
    private(doc.into_string())
}

fn private(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::HeaderName::from_static("x-robots-tag"), "noindex"),
        ],
        body,
    )
        .into_response()
}

/// The one page for every link that does not open, in both languages: it must not tell a
/// wrong token from an expired or revoked one, nor name a site.
fn invalid() -> Response {
    let (zh, en) = *CUSTOMER_BOTH;
    let body = html! {
        main.invalid {
            h1 { (zh.invalid) } p { (zh.invalid_hint) }
            h1 lang="en" { (en.invalid) } p lang="en" { (en.invalid_hint) }
        }
    };
    (StatusCode::NOT_FOUND, shell(Language::Zh, zh.invalid, body)).into_response()
}

async fn page(
    State(state): State<AppState>,
    Path(t): Path<String>,
    Query(o): Query<Options>,
) -> Response {
    let now = jiff::Timestamp::now();
    let Some(opened) = token::open(&state, &t, now).await else {
        return invalid();
    };
    let c = &opened.live.config;
    let lang = o.language(c);
    let w = customer_words(lang);
    let approvals = approvals_of(&state, &opened).await;
    let q = lang_query(&o);
    let other = match lang {
        Language::Zh => "en",
        Language::En => "zh",
    };
    let body = html! {
        header {
            span.site { (c.name) }
            a.lang href={ "/c/" (t) "?lang=" (other) } { (w.other_language) }
        }
        main #status data-live={ "/c/" (t) "/live" (q) } data-events={ "/c/" (t) "/events" } {
            (status(c, lang, &t, &opened.job, &approvals, now))
        }
        script { (PreEscaped(SCRIPT)) }
    };
    shell(lang, w.title, body)
}

fn lang_query(o: &Options) -> String {
    match o.lang.as_deref().and_then(Language::parse) {
        Some(Language::Zh) => "?lang=zh".into(),
        Some(Language::En) => "?lang=en".into(),
        None => String::new(),
    }
}

async fn approvals_of(state: &AppState, opened: &token::Opened) -> Vec<Approval> {
    let store = state.ledger.store();
    match store.approvals(&opened.link.site, &opened.link.job).await {
        Ok(list) => list,
        Err(e) => {
            tracing::warn!(error = %e, "approvals unreadable for a status page");
            Vec::new()
        }
    }
}

async fn live(
    State(state): State<AppState>,
    Path(t): Path<String>,
    Query(o): Query<Options>,
) -> Response {
    let now = jiff::Timestamp::now();
    let Some(opened) = token::open(&state, &t, now).await else {
        return invalid();
    };
    let lang = o.language(&opened.live.config);
    let approvals = approvals_of(&state, &opened).await;
    private(status(&opened.live.config, lang, &t, &opened.job, &approvals, now).into_string())
}

/// "Something changed for this car", no data; the page fetches its live part.
async fn events(State(state): State<AppState>, Path(t): Path<String>) -> Response {
    let now = jiff::Timestamp::now();
    let Some(opened) = token::open(&state, &t, now).await else {
        return invalid();
    };
    let job = opened.link.job.clone();
    let pings = site_changes(&state, opened.live.config.id.clone())
        .filter(move |c| (c.as_ref()).is_none_or(|c| c.job.as_ref().is_none_or(|j| *j == job)))
        .map(|_| Ok::<_, Infallible>(Event::default().event("change").data("{}")));
    Sse::new(pings).keep_alive(keep_alive()).into_response()
}

#[derive(Deserialize)]
pub struct AnswerForm {
    approval: i64,
    op: String,
    answer: String,
    #[serde(default)]
    lang: Option<String>,
}

/// One tap on a yes or a no: kept once (a second tap changes nothing), then back to the page.
async fn answer(
    State(state): State<AppState>,
    Path(t): Path<String>,
    form: std::result::Result<Form<AnswerForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let now = jiff::Timestamp::now();
    // The token first: a link that does not open gets its one page, whatever was posted.
    let Some(opened) = token::open(&state, &t, now).await else {
        return invalid();
    };
    let Ok(Form(f)) = form else {
        return (StatusCode::BAD_REQUEST, "answer is approve or decline").into_response();
    };
    let approved = match f.answer.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return (StatusCode::BAD_REQUEST, "answer is approve or decline").into_response(),
    };
    let Ok(op) = bayline_proto::Id::new(&f.op) else {
        return (StatusCode::BAD_REQUEST, "no such op").into_response();
    };
    let link = &opened.link;
    let answered = (state.ledger)
        .answer_approval(
            &link.site,
            &link.job,
            f.approval,
            &[(op, approved)],
            "customer",
            now,
        )
        .await;
    if let Err(e) = answered {
        tracing::info!(error = %e, "a customer's answer was not taken");
        return (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response();
    }
    let q = lang_query(&Options { lang: f.lang });
    Redirect::to(&format!("/c/{t}{q}")).into_response()
}

/// The step a stage shows on the bar, `0..=4` (the wash step skipped for a car not washed).
fn step(stage: Stage) -> usize {
    match stage {
        Stage::Booked | Stage::CheckedIn => 0,
        Stage::InProgress | Stage::WaitingParts | Stage::WaitingApproval => 1,
        Stage::QualityCheck => 2,
        Stage::Washing => 3,
        Stage::Ready | Stage::Delivered => 4,
    }
}

/// The advisor as the customer knows them: the staff name of the card's badge, else as
/// written on the card.
fn advisor(site: &SiteConfig, job: &JobView) -> String {
    let a = job.advisor.trim();
    (site.staff.iter())
        .find(|s| s.badge.as_str() == a && !s.name.is_empty())
        .map_or_else(|| a.to_string(), |s| s.name.clone())
}

fn status(
    site: &SiteConfig,
    lang: Language,
    t: &str,
    job: &JobView,
    approvals: &[Approval],
    now: Time,
) -> Markup {
    let w = customer_words(lang);
    let at = step(job.stage);
    let advisor = advisor(site, job);
    let pct = format!("{:.0}", (job.progress * 100.0).clamp(0.0, 100.0));
    let shown: Vec<&Approval> = match approvals.last() {
        Some(last) => (approvals.iter())
            .filter(|a| !a.answered() || a.id == last.id)
            .collect(),
        None => Vec::new(),
    };
    html! {
        section.car {
            p.plate { (mask_plate(&job.plate)) }
            @if !job.vehicle.is_empty() { p.vehicle { (job.vehicle) } }
        }
        ol.steps data-stage=(job.stage.as_str()) {
            @for (i, name) in w.steps.iter().enumerate() {
                @if i != 3 || job.wash {
                    li class=(if i < at { "done" } else if i == at { "now" } else { "next" }) { (name) }
                }
            }
        }
        section.eta {
            div.bar role="progressbar" aria-valuenow=(pct) aria-valuemin="0" aria-valuemax="100" {
                i style={ "width:" (pct) "%" } {}
            }
            p.progress { (w.progress) " " (pct) "%" }
            p.when {
                @match (job.stage, job.eta, job.eta_pending) {
                    (Stage::Delivered, _, _) => { (w.delivered) }
                    (Stage::Ready, _, _) => { strong { (w.ready) } }
                    (_, _, Some(Wait::Approval)) => { (w.waiting_you) }
                    (_, _, Some(Wait::Parts)) => { (w.waiting_parts) }
                    (_, Some(eta), _) => { (w.expected) " " strong { (clock(site, eta, now)) } }
                    _ => {}
                }
            }
        }
        @if !advisor.is_empty() { p.advisor { (w.advisor) "：" (advisor) } }
        @for a in shown { (request(lang, t, a)) }
    }
}

fn request(lang: Language, t: &str, a: &Approval) -> Markup {
    let w = customer_words(lang);
    let lang_code = match lang {
        Language::Zh => "zh",
        Language::En => "en",
    };
    html! {
        section.approval data-approval=(a.id) {
            h2 { (w.extra_work) }
            @if !a.message.is_empty() { p.message { (a.message) } }
            ul {
                @for i in &a.items {
                    li.item data-op=(i.op.as_str()) {
                        p.title { (i.title) }
                        p.figures {
                            (w.hours) " " (format!("{:.1}", i.std_hours)) " · "
                            (w.price) " ¥" (format!("{:.2}", i.price))
                            @if let Some(photo) = &i.photo {
                                " · " a href=(photo) rel="noreferrer noopener" target="_blank" { (w.photo) }
                            }
                        }
                        @match &i.answer {
                            Some(x) if x.approved => { p.answer.approved { "✓ " (w.approved) } }
                            Some(_) => { p.answer.declined { "✗ " (w.declined) } }
                            None => {
                                form.answer method="post" action={ "/c/" (t) "/answer" } {
                                    input type="hidden" name="approval" value=(a.id);
                                    input type="hidden" name="op" value=(i.op.as_str());
                                    input type="hidden" name="lang" value=(lang_code);
                                    button.yes type="submit" name="answer" value="approve" { (w.approve) }
                                    button.no type="submit" name="answer" value="decline" { (w.decline) }
                                }
                            }
                        }
                    }
                }
            }
            @if a.answered() { p.thanks { (w.thanks) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_has_its_step_in_order() {
        let order = [
            Stage::Booked,
            Stage::CheckedIn,
            Stage::InProgress,
            Stage::WaitingParts,
            Stage::QualityCheck,
            Stage::Washing,
            Stage::Ready,
            Stage::Delivered,
        ];
        let steps: Vec<usize> = order.iter().map(|s| step(*s)).collect();
        assert!(steps.windows(2).all(|p| p[0] <= p[1]), "{steps:?}");
        assert_eq!((steps[0], steps[7]), (0, 4));
    }
}
