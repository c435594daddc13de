//! "Review": anomalies, forgotten clock-offs and rejected scans, each with the correction a
//! manager would make (a link that fills in the form), the correction form itself (posted to
//! `correct`) and the audit trail.

use std::collections::HashMap;
use std::fmt::Write;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use bayline_domain::{Anomaly, Corrected, Time};
use bayline_proto::{PauseReason, WarningCode};
use bayline_site::SiteConfig;
use bayline_store::RejectedRow;
use serde_json::{Map, Value};

use super::html::{badge_name, clock, esc, manager_page, Tab};
use super::session::{manager, Refusal};
use super::words::words;
use crate::http::Caller;
use crate::AppState;

/// Rejected scans shown; the API pages further.
const REJECTED_SHOWN: u32 = 200;

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
    let mut body = format!("<h1>{}</h1>", w.review);
    if let Some(done) = q.get("done") {
        let _ = write!(
            body,
            r#"<p class="ok-msg" role="status" id="flash">{}</p>"#,
            esc(done)
        );
    }
    if let Some(error) = q.get("error") {
        let _ = write!(
            body,
            r#"<p class="error" role="alert" id="flash">{}</p>"#,
            esc(error)
        );
    }
    form(&mut body, c, &q);
    let (forgotten, other): (Vec<&Anomaly>, Vec<&Anomaly>) = anomalies
        .iter()
        .rev()
        .partition(|a| a.code == WarningCode::ForgottenClockOff);
    anomaly_table(&mut body, c, &other, now);
    forgotten_table(&mut body, c, &forgotten, now);
    rejected_table(&mut body, c, &rejected);
    trail_table(&mut body, c, &trail, now);
    Ok(manager_page(c, Tab::Review, w.review, &body))
}

/// The correction form; fields start from the query (a row's "correct…" link fills them).
fn form(out: &mut String, site: &SiteConfig, q: &HashMap<String, String>) {
    let w = words(site.language);
    let v = |k: &str| esc(q.get(k).map(String::as_str).unwrap_or(""));
    let kind = q.get("kind").map(String::as_str).unwrap_or("add");
    let opt = |name: &str| if kind == name { " selected" } else { "" };
    let mut reasons = String::from(r#"<option value=""></option>"#);
    for r in PauseReason::ALL {
        let sel = if q.get("pause").map(String::as_str) == Some(r.as_str()) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            reasons,
            r#"<option value="{}"{sel}>{}</option>"#,
            r.as_str(),
            r.label(site.language)
        );
    }
    let _ = write!(
        out,
        r#"<h2 id="correct">{title}</h2><form method="post" action="/sites/{id}/review/corrections" class="card correct" id="correction-form">
<label>kind <select name="kind"><option value="add"{a}>add</option><option value="move"{m}>move</option><option value="void"{vd}>void</option></select></label>
<label>why / 原因 <input name="reason" required value="{why}"></label>
<label>target ts <input name="target_ts" value="{tts}"></label><label>target scanner <input name="target_scanner" value="{tsc}"></label><label>target seq <input name="target_seq" value="{tsq}"></label>
<label>move to <input name="to_ts" type="datetime-local" step="1" value="{to}"></label>
<label>ts <input name="ts" type="datetime-local" step="1" value="{ts}"></label><label>badge <input name="badge" value="{badge}"></label>
<label>action <input name="action" list="actions" value="{action}"></label><label>job <input name="job" value="{job}"></label><label>op <input name="op" value="{op}"></label><label>bay <input name="bay" value="{bay}"></label>
<label>pause <select name="pause">{reasons}</select></label><label>QC note <input name="note" value="{note}"></label>
<button type="submit">{title}</button></form>
<datalist id="actions"><option>check_in<option>start<option>pause<option>resume<option>finish<option>qc_pass<option>qc_fail<option>wash_start<option>wash_done<option>ready<option>delivered<option>shift_start<option>shift_end</datalist>"#,
        title = w.correction,
        id = esc(site.id.as_str()),
        a = opt("add"),
        m = opt("move"),
        vd = opt("void"),
        why = v("reason"),
        tts = v("target_ts"),
        tsc = v("target_scanner"),
        tsq = v("target_seq"),
        to = v("to_ts"),
        ts = v("ts"),
        badge = v("badge"),
        action = v("action"),
        job = v("job"),
        op = v("op"),
        bay = v("bay"),
        note = v("note"),
    );
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

fn anomaly_table(out: &mut String, site: &SiteConfig, list: &[&Anomaly], now: Time) {
    let w = words(site.language);
    let _ = write!(
        out,
        r#"<h2>{} ({})</h2><table id="anomalies"><thead><tr><th>ts</th><th>badge</th><th>action</th><th>job / op / bay</th><th>code</th><th></th></tr></thead><tbody>"#,
        w.anomalies,
        list.len()
    );
    for a in list {
        let links = match &a.event {
            Some(k) => {
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
                format!(
                    r#"<a href="{}">void</a> · <a href="{}">move</a>"#,
                    esc(&void),
                    esc(&mv)
                )
            }
            None => String::new(),
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} {} {}</td><td>{}</td><td>{}</td></tr>",
            clock(site, a.ts, now),
            esc(&badge_name(site, a.badge.as_str())),
            a.action.map(|x| x.as_str()).unwrap_or(""),
            esc(&opt_id(&a.job)),
            esc(&opt_id(&a.op)),
            esc(&opt_id(&a.bay)),
            a.code.as_str(),
            links
        );
    }
    if list.is_empty() {
        let _ = write!(
            out,
            r#"<tr><td colspan="6" class="muted">{}</td></tr>"#,
            w.nothing
        );
    }
    out.push_str("</tbody></table>");
}

fn forgotten_table(out: &mut String, site: &SiteConfig, list: &[&Anomaly], now: Time) {
    let w = words(site.language);
    let _ = write!(
        out,
        r#"<h2>{} ({})</h2><table id="forgotten"><thead><tr><th>clocked off at</th><th>badge</th><th>job / op / bay</th><th></th></tr></thead><tbody>"#,
        w.forgotten,
        list.len()
    );
    for a in list {
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
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td>{}</td><td>{} {} {}</td><td><a href="{}">{}</a></td></tr>"#,
            clock(site, a.ts, now),
            esc(&badge_name(site, a.badge.as_str())),
            esc(&opt_id(&a.job)),
            esc(&opt_id(&a.op)),
            esc(&opt_id(&a.bay)),
            esc(&fix),
            w.correction
        );
    }
    if list.is_empty() {
        let _ = write!(
            out,
            r#"<tr><td colspan="4" class="muted">{}</td></tr>"#,
            w.nothing
        );
    }
    out.push_str("</tbody></table>");
}

fn rejected_table(out: &mut String, site: &SiteConfig, list: &[RejectedRow]) {
    let w = words(site.language);
    let _ = write!(
        out,
        r#"<h2>{} ({})</h2><table id="rejected"><thead><tr><th>received</th><th>scanner #seq</th><th>code</th><th>detail</th><th>payload</th><th></th></tr></thead><tbody>"#,
        w.rejected,
        list.len()
    );
    for r in list {
        // A readable scan can be added as it was meant, once the manager has fixed what was wrong.
        let scan: Option<Map<String, Value>> = serde_json::from_str(&r.raw).ok();
        let fix = scan.map(|m| {
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
            format!(
                r#"<a href="{}">{}</a>"#,
                esc(&prefill(site, &fields)),
                w.correction
            )
        });
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{} #{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            esc(&r.received_at),
            esc(&r.scanner),
            r.seq.map(|s| s.to_string()).unwrap_or_default(),
            esc(&r.code),
            esc(r.detail.as_deref().unwrap_or("")),
            esc(&r.raw),
            fix.unwrap_or_default()
        );
    }
    if list.is_empty() {
        let _ = write!(
            out,
            r#"<tr><td colspan="6" class="muted">{}</td></tr>"#,
            w.nothing
        );
    }
    out.push_str("</tbody></table>");
}

fn trail_table(out: &mut String, site: &SiteConfig, list: &[Corrected], now: Time) {
    let w = words(site.language);
    let _ = write!(
        out,
        r#"<h2>{} ({})</h2><table id="trail"><thead><tr><th>when</th><th>who</th><th>kind</th><th>why</th><th>before</th><th>after</th></tr></thead><tbody>"#,
        w.corrections_made,
        list.len()
    );
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
    for c in list.iter().rev() {
        let kind = match c.correction.change {
            bayline_domain::Change::Add { .. } => "add",
            bayline_domain::Change::Move { .. } => "move",
            bayline_domain::Change::Void { .. } => "void",
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{kind}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            clock(site, c.correction.at, now),
            esc(c.correction.by.as_str()),
            esc(&c.correction.reason),
            esc(&event(&c.before)),
            esc(&event(&c.after)),
        );
    }
    if list.is_empty() {
        let _ = write!(
            out,
            r#"<tr><td colspan="6" class="muted">{}</td></tr>"#,
            w.nothing
        );
    }
    out.push_str("</tbody></table>");
}
