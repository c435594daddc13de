//! "Review": anomalies, forgotten clock-offs and rejected scans, each with the correction a
//! manager would make (a link that fills in the form), the correction form itself (posted to
//! `correct`), the promises and sold hours changed after `ready`, and the audit trail.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use bayline_domain::{Anomaly, Corrected, Time};
use bayline_proto::{PauseReason, WarningCode};
use bayline_site::SiteConfig;
use bayline_store::{LateEdit, RejectedRow};
use maud::{html, Markup};
use serde_json::{Map, Value};

use super::html::{badge_name, clock, manager_page, Tab};
use super::session::{manager, Refusal};
use super::words::words;
use crate::http::Caller;
use crate::AppState;

/// Rejected scans shown; the API pages further.
const REJECTED_SHOWN: u32 = 200;
/// Card versions put after `ready` looked at (each gives one row per changed figure input).
const LATE_SHOWN: u32 = 200;

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Refusal> {
    let live = manager(&state, &caller, &site, &format!("/sites/{site}/review"))?;
    let c = &live.config;
    let w = words(c.language);
    let now = jiff::Timestamp::now();
    let (anomalies, trail) = live.read(|ws| (ws.anomalies(now), ws.corrections().to_vec()));
    let rejected = match state.ledger.store().rejected(&c.id, REJECTED_SHOWN).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "review page: rejected scans unreadable");
            Vec::new()
        }
    };
    let late = match state.ledger.store().late_edits(&c.id, LATE_SHOWN).await {
        Ok(edits) => late_changes(c, &edits),
        Err(e) => {
            tracing::error!(error = %e, "review page: job-card versions unreadable");
            Vec::new()
        }
    };
    let (forgotten, other): (Vec<&Anomaly>, Vec<&Anomaly>) = anomalies
        .iter()
        .rev()
        .partition(|a| a.code == WarningCode::ForgottenClockOff);
    let body = html! {
        h1 { (w.review) }
        @if let Some(done) = q.get("done") {
            p.ok-msg role="status" id="flash" { (done) }
        }
        @if let Some(error) = q.get("error") {
            p.error role="alert" id="flash" { (error) }
        }
        (form(c, &q))
        (anomaly_table(c, &other, now))
        (forgotten_table(c, &forgotten, now))
        (rejected_table(c, &rejected))
        (late_table(c, &late, now))
        (trail_table(c, &trail, now))
    };
    Ok(manager_page(c, Tab::Review, w.review, body))
}

/// Actions the form suggests; the API checks what is sent.
const ACTIONS: [&str; 13] = [
    "check_in",
    "start",
    "pause",
    "resume",
    "finish",
    "qc_pass",
    "qc_fail",
    "wash_start",
    "wash_done",
    "ready",
    "delivered",
    "shift_start",
    "shift_end",
];

/// The correction form; fields start from the query (a row's "correct…" link fills them).
fn form(site: &SiteConfig, q: &HashMap<String, String>) -> Markup {
    let w = words(site.language);
    let v = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let kind = q.get("kind").map(String::as_str).unwrap_or("add");
    let kinds = [("add", w.add), ("move", w.move_), ("void", w.void)];
    let pause = q.get("pause").map(String::as_str);
    let text = |label: &str, name: &str| html! { label { (label) " " input name=(name) value=(v(name)); } };
    let when = |label: &str, name: &str| {
        html! {
            label { (label) " " input name=(name) type="datetime-local" step="1" value=(v(name)); }
        }
    };
    html! {
        h2 #correct { (w.correction) }
        form.card.correct #correction-form method="post" action={ "/sites/" (site.id.as_str()) "/review/corrections" } {
            label { (w.kind) " " select name="kind" {
                @for (k, label) in kinds { option value=(k) selected[k == kind] { (label) } }
            } }
            label { (w.why) " " input name="reason" required value=(v("reason")); }
            (text(w.target_ts, "target_ts"))
            (text(w.target_scanner, "target_scanner"))
            (text(w.target_seq, "target_seq"))
            (when(w.move_to, "to_ts"))
            (when(w.time, "ts"))
            (text(w.badge, "badge"))
            label { (w.action) " " input name="action" list="actions" value=(v("action")); }
            (text(w.job, "job"))
            (text(w.op, "op"))
            (text(w.bays, "bay"))
            label { (w.pause_reason) " " select name="pause" {
                option value="" {}
                @for r in PauseReason::ALL {
                    option value=(r.as_str()) selected[pause == Some(r.as_str())] { (r.label(site.language)) }
                }
                @for (id, own) in &site.pause_reasons.0 {
                    option value=(id) selected[pause == Some(id.as_str())] { (own.label(site.language)) }
                }
            } }
            (text(w.qc_note, "note"))
            button type="submit" { (w.correction) }
        }
        datalist #actions { @for a in ACTIONS { option { (a) } } }
    }
}

/// A link that opens the form filled with `fields`.
pub(super) fn prefill(site: &SiteConfig, fields: &[(&str, String)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        q.append_pair(k, v);
    }
    format!("/sites/{}/review?{}#correct", site.id, q.finish())
}

fn local(site: &SiteConfig, t: Time) -> String {
    t.to_zoned(site.time_zone.clone())
        .strftime("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

fn opt_id<T: std::fmt::Display>(x: &Option<T>) -> String {
    x.as_ref().map(|x| x.to_string()).unwrap_or_default()
}

/// A table of `list` under `title (count)`: a header row, a row per item, "none" if empty.
fn listing<T>(
    site: &SiteConfig,
    (title, id): (&str, &str),
    heads: &[&str],
    list: &[T],
    row: impl Fn(&T) -> Markup,
) -> Markup {
    let w = words(site.language);
    html! {
        h2 { (title) " (" (list.len()) ")" }
        table id=(id) {
            thead { tr { @for h in heads { th { (h) } } } }
            tbody {
                @for x in list { (row(x)) }
                @if list.is_empty() {
                    tr { td.muted colspan=(heads.len()) { (w.nothing) } }
                }
            }
        }
    }
}

fn where_(a: &Anomaly) -> String {
    format!("{} {} {}", opt_id(&a.job), opt_id(&a.op), opt_id(&a.bay))
}

fn anomaly_table(site: &SiteConfig, list: &[&Anomaly], now: Time) -> Markup {
    let w = words(site.language);
    let heads = [w.time, w.badge, w.action, w.job_op_bay, w.code, ""];
    listing(site, (w.anomalies, "anomalies"), &heads, list, |a| {
        let links = a.event.as_ref().map(|k| {
            let target = [
                ("target_ts", k.ts.to_string()),
                ("target_scanner", k.scanner.to_string()),
                ("target_seq", k.seq.to_string()),
            ];
            let void = prefill(
                site,
                &[[("kind", "void".to_string())].as_slice(), &target].concat(),
            );
            let mv = prefill(
                site,
                &[
                    [("kind", "move".to_string()), ("to_ts", local(site, k.ts))].as_slice(),
                    &target,
                ]
                .concat(),
            );
            (void, mv)
        });
        html! {
            tr {
                td { (clock(site, a.ts, now)) }
                td { (badge_name(site, a.badge.as_str())) }
                td { (a.action.map(|x| x.as_str()).unwrap_or("")) }
                td { (where_(a)) }
                td {
                    (a.code.as_str())
                    @if a.applied { " · " span.muted { (w.applied) } }
                }
                td { @if let Some((void, mv)) = &links {
                    a href=(void) { (w.void) } " · " a href=(mv) { (w.move_) }
                } }
            }
        }
    })
}

fn forgotten_table(site: &SiteConfig, list: &[&Anomaly], now: Time) -> Markup {
    let w = words(site.language);
    let heads = [w.clocked_off_at, w.badge, w.job_op_bay, ""];
    listing(site, (w.forgotten, "forgotten"), &heads, list, |a| {
        // The fix: the pause the technician forgot to scan, at the time it really happened.
        let fix = prefill(
            site,
            &[
                ("kind", "add".into()),
                ("ts", local(site, a.ts)),
                ("badge", a.badge.to_string()),
                ("action", "pause".into()),
                ("job", opt_id(&a.job)),
                ("op", opt_id(&a.op)),
                ("pause", "shift_end".into()),
            ],
        );
        html! {
            tr {
                td { (clock(site, a.ts, now)) }
                td { (badge_name(site, a.badge.as_str())) }
                td { (where_(a)) }
                td { a href=(fix) { (w.correction) } }
            }
        }
    })
}

/// The form filled with a rejected scan as it was meant, if its payload can be read.
fn refill(site: &SiteConfig, raw: &str) -> Option<String> {
    let m: Map<String, Value> = serde_json::from_str(raw).ok()?;
    let mut fields = vec![("kind", "add".to_string())];
    for k in ["badge", "action", "job", "op", "bay"] {
        if let Some(v) = m.get(k).and_then(Value::as_str) {
            fields.push((k, v.to_string()));
        }
    }
    if let Some(ts) = m
        .get("ts")
        .and_then(Value::as_str)
        .and_then(|t| t.parse::<Time>().ok())
    {
        fields.push(("ts", local(site, ts)));
    }
    if let Some(p) = m.get("reason").and_then(Value::as_str) {
        fields.push(("pause", p.to_string()));
    }
    Some(prefill(site, &fields))
}

fn rejected_table(site: &SiteConfig, list: &[RejectedRow]) -> Markup {
    let w = words(site.language);
    let heads = [w.received, w.scanner_seq, w.code, w.detail, w.payload, ""];
    listing(site, (w.rejected, "rejected"), &heads, list, |r| {
        // A readable scan can be added as it was meant, once the manager has fixed what was wrong.
        let fix = refill(site, &r.raw);
        html! {
            tr {
                td { (r.received_at) }
                td { (r.scanner) " #" @if let Some(s) = r.seq { (s) } }
                td { (r.code) }
                td { (r.detail.as_deref().unwrap_or("")) }
                td { code { (r.raw) } }
                td { @if let Some(fix) = fix { a href=(fix) { (w.correction) } } }
            }
        }
    })
}

fn trail_table(site: &SiteConfig, list: &[Corrected], now: Time) -> Markup {
    let w = words(site.language);
    let heads = [w.time, w.who, w.kind, w.why, w.before, w.after];
    let event = |e: &Option<bayline_domain::Event>| {
        e.as_ref().map_or(String::new(), |e| {
            format!(
                "{} {} {} {}",
                clock(site, e.key.ts, now),
                e.badge,
                e.kind.action().as_str(),
                opt_id(&e.kind.job().cloned())
            )
        })
    };
    let newest_first: Vec<&Corrected> = list.iter().rev().collect();
    listing(
        site,
        (w.corrections_made, "trail"),
        &heads,
        &newest_first,
        |c| {
            let kind = match c.correction.change {
                bayline_domain::Amendment::Add { .. } => w.add,
                bayline_domain::Amendment::Move { .. } => w.move_,
                bayline_domain::Amendment::Void { .. } => w.void,
            };
            html! {
                tr {
                    td { (clock(site, c.correction.at, now)) }
                    td { (c.correction.by.as_str()) }
                    td { (kind) }
                    td { (c.correction.reason) }
                    td { (event(&c.before)) }
                    td { (event(&c.after)) }
                }
            }
        },
    )
}

/// A promise or an op's sold hours changed after the job reached `ready` (contract §7.6).
struct LateChange {
    at: Time,
    job: String,
    field: String,
    was: String,
    became: String,
    who: String,
}

/// The rows of the after-`ready` versions, newest first: one per changed promise or op's
/// hours. A version with nothing before it (a card put before versions were kept) shows its
/// values with "—" before them: what it replaced is not known.
fn late_changes(site: &SiteConfig, edits: &[LateEdit]) -> Vec<LateChange> {
    let w = words(site.language);
    let when = |t: Option<Time>| {
        t.map_or("—".to_string(), |t| {
            t.to_zoned(site.time_zone.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
    };
    let hours = |h: Option<f64>| h.map_or("—".to_string(), |h| format!("{h}"));
    let mut rows = Vec::new();
    for e in edits {
        let (after, before) = (&e.version.card, e.before.as_ref());
        let row = |field: String, was: String, became: String| LateChange {
            at: e.version.at,
            job: after.job.to_string(),
            field,
            was,
            became,
            who: e.version.who.clone(),
        };
        if before.is_none_or(|b| b.promised_at != after.promised_at) {
            let was = when(before.and_then(|b| b.promised_at));
            rows.push(row(w.promised.into(), was, when(after.promised_at)));
        }
        let removed =
            (before.into_iter().flat_map(|b| &b.ops)).filter(|o| after.op(&o.op).is_none());
        for op in after.ops.iter().chain(removed) {
            let was = before.and_then(|b| b.op(&op.op)).map(|o| o.std_hours);
            let became = after.op(&op.op).map(|o| o.std_hours);
            if was != became {
                let field = format!("{} · {}", w.std_hours, op.op);
                rows.push(row(field, hours(was), hours(became)));
            }
        }
    }
    rows
}

fn late_table(site: &SiteConfig, list: &[LateChange], now: Time) -> Markup {
    let w = words(site.language);
    let heads = [w.time, w.job, w.field, w.was, w.became, w.who];
    listing(
        site,
        (w.late_card_changes, "card-changes"),
        &heads,
        list,
        |c| {
            html! {
                tr {
                    td { (clock(site, c.at, now)) }
                    td { (c.job) }
                    td { (c.field) }
                    td { (c.was) }
                    td { (c.became) }
                    td { (c.who) }
                }
            }
        },
    )
}
