//! The review page's correction form, posted: made into the API's correction body
//! (`http::corrections`, the one path for both) and applied; back to the page with what
//! happened, or with what is wrong and the form still filled in.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bayline_domain::Time;
use bayline_site::SiteConfig;
use serde_json::{json, Value};

use super::review::prefill;
use super::session::{manager, Refusal};
use super::words::words;
use crate::http::corrections;
use crate::http::Caller;
use crate::AppState;

/// The form, posted: made into the API's correction body, applied, and back to the page with
/// what happened (or what is wrong, with the form still filled in).
pub async fn correct(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Refusal> {
    let live = manager(&state, &caller, &site, &format!("/sites/{site}/review"))?;
    let c = &live.config;
    let outcome = match body_of(c, &f) {
        Ok(body) => corrections::apply(&state, &c.id, &caller, body)
            .await
            .map(|done| format!("{} #{}", words(c.language).correction, done.correction.id))
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    let mut fields: Vec<(&str, String)> = Vec::new();
    match outcome {
        Ok(done) => fields.push(("done", done)),
        Err(error) => {
            fields.push(("error", error));
            for (k, v) in &f {
                fields.push((k.as_str(), v.clone()));
            }
        }
    }
    Ok(Redirect::to(&prefill(c, &fields)).into_response())
}

/// The API's correction body from the form's fields, or what is wrong in the site's words.
fn body_of(site: &SiteConfig, f: &HashMap<String, String>) -> Result<corrections::Body, String> {
    let w = words(site.language);
    let get = |k: &str| f.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    // A required field, named as the form labels it.
    let need = |k: &str, label: &str| get(k).ok_or_else(|| format!("{}{label}", w.missing));
    let time = |k: &str, label: &str| -> Result<String, String> {
        when(site, need(k, label)?).map(|t| t.to_string())
    };
    let target = || -> Result<Value, String> {
        let seq = need("target_seq", w.target_seq)?;
        let seq: u64 = seq
            .parse()
            .map_err(|_| format!("{}{} {seq:?}", w.not_a_number, w.target_seq))?;
        Ok(json!({
            "ts": time("target_ts", w.target_ts)?,
            "scanner": need("target_scanner", w.target_scanner)?,
            "seq": seq,
        }))
    };
    let reason = need("reason", w.why)?;
    let body = match get("kind").unwrap_or("add") {
        "add" => {
            let mut event = json!({
                "ts": time("ts", w.time)?,
                "badge": need("badge", w.badge)?,
                "action": need("action", w.action)?,
            });
            for k in ["job", "op", "bay", "note"] {
                if let Some(v) = get(k) {
                    event[k] = v.into();
                }
            }
            if let Some(p) = get("pause") {
                event["reason"] = p.into();
            }
            json!({"kind": "add", "reason": reason, "event": event})
        }
        "move" => {
            json!({"kind": "move", "reason": reason, "target": target()?, "to_ts": time("to_ts", w.move_to)?})
        }
        "void" => json!({"kind": "void", "reason": reason, "target": target()?}),
        other => return Err(format!("{}{other:?}", w.bad_kind)),
    };
    serde_json::from_value(body).map_err(|e| format!("{}{e}", w.does_not_fit))
}

/// An RFC 3339 instant, or a local date-time at the site (what `datetime-local` sends).
fn when(site: &SiteConfig, v: &str) -> Result<Time, String> {
    if let Ok(t) = v.parse::<Time>() {
        return Ok(t);
    }
    v.parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|d| d.to_zoned(site.time_zone.clone()).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| format!("{}{v:?}", words(site.language).not_a_time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn local_times_from_the_form_are_the_sites_wall_clock() {
        let site = SiteConfig::demo();
        assert_eq!(
            when(&site, "2026-11-02T09:15").unwrap(),
            "2026-11-02T01:15:00Z".parse::<Time>().unwrap()
        );
        let w = words(site.language);
        assert!(when(&site, "9:15").unwrap_err().starts_with(w.not_a_time));
    }

    #[test]
    fn a_form_missing_what_its_kind_needs_says_which_field_in_the_sites_words() {
        let site = SiteConfig::demo();
        let w = words(site.language);
        let cases = [
            (form(&[("kind", "void"), ("reason", "dup")]), w.target_seq),
            (form(&[("kind", "add"), ("ts", "2026-11-02T09:15")]), w.why),
            (
                form(&[
                    ("kind", "add"),
                    ("reason", "x"),
                    ("ts", "2026-11-02T09:15"),
                    ("badge", "T01"),
                ]),
                w.action,
            ),
            (
                form(&[
                    ("kind", "add"),
                    ("reason", "x"),
                    ("ts", "2026-11-02T09:15"),
                    ("badge", "T01"),
                    ("action", "fly"),
                ]),
                w.does_not_fit,
            ),
            (form(&[("kind", "swap"), ("reason", "x")]), w.bad_kind),
        ];
        for (f, words) in cases {
            match body_of(&site, &f) {
                Ok(_) => panic!("{f:?} was accepted"),
                Err(e) => assert!(e.contains(words), "{f:?}: {e}"),
            }
        }
        let pause = form(&[
            ("kind", "add"),
            ("reason", "forgot"),
            ("ts", "2026-11-02T17:00"),
            ("badge", "T01"),
            ("action", "pause"),
            ("job", "RO-1"),
            ("op", "10"),
            ("pause", "shift_end"),
        ]);
        assert!(body_of(&site, &pause).is_ok());
    }
}
