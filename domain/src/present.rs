//! How an answer reads to a workshop: every instant in the site's UTC offset to the second
//! (`2030-01-01T17:00:00+08:00`, not `2030-01-01T09:00:00.000000123Z`), and every fraction
//! to at most [`DECIMALS`] decimals (a progress of `0.0000091` is `0.0`, an efficiency of
//! `1.0833333333333333` is `1.0833`). Four decimals keep a ratio to a hundredth of a percent
//! and hours to a third of a second, more than any page or export shows.
//!
//! The domain itself keeps exact instants and figures; this is applied once, to a JSON
//! answer on its way out (the server's API), and by checks that compare with one.

use jiff::tz::TimeZone;
use jiff::{Timestamp, Unit};
use serde_json::{Number, Value};

/// Decimals a fraction keeps.
pub const DECIMALS: i32 = 4;

/// Every instant in `value` in `zone`'s offset to the second; every fraction rounded.
pub fn in_site_terms(value: &mut Value, zone: &TimeZone) {
    match value {
        Value::String(s) => {
            if let Some(local) = local_time(s, zone) {
                *s = local;
            }
        }
        Value::Number(n) => {
            if let Some(r) = rounded(n) {
                *n = r;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| in_site_terms(v, zone)),
        Value::Object(fields) => fields.values_mut().for_each(|v| in_site_terms(v, zone)),
        Value::Null | Value::Bool(_) => {}
    }
}

/// `s` in `zone`'s offset to the second, when `s` is an instant (RFC 3339 with an offset).
/// A date, a clock time or free text is not one and stays as it is.
fn local_time(s: &str, zone: &TimeZone) -> Option<String> {
    // Cheap test first: an instant has a date, a `T` and a clock.
    if s.len() < 20 || s.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    let t: Timestamp = s.parse().ok()?;
    let t = t.round(Unit::Second).ok()?;
    let offset = zone.to_offset(t);
    Some(t.display_with_offset(offset).to_string())
}

/// A fraction rounded to [`DECIMALS`]; `None` for an integer or one already short.
fn rounded(n: &Number) -> Option<Number> {
    if n.is_i64() || n.is_u64() {
        return None;
    }
    let f = n.as_f64()?;
    let r = printed(f);
    (r != f).then(|| Number::from_f64(r)).flatten()
}

/// `x` as an answer prints it: rounded to [`DECIMALS`] decimals.
pub fn printed(x: f64) -> f64 {
    let scale = 10f64.powi(DECIMALS);
    let r = (x * scale).round() / scale;
    // -0.0 reads as a sign where there is none.
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    #[test]
    fn an_instant_is_written_in_the_sites_offset_to_the_second() {
        let mut v = json!({
            "promised_at": "2030-01-01T09:00:00Z",
            "eta": "2026-12-05T14:10:56.826603439Z",
            "list": [{"at": "2026-12-05T06:00:00+02:00"}],
        });
        in_site_terms(&mut v, &shanghai());
        assert_eq!(
            v,
            json!({
                "promised_at": "2030-01-01T17:00:00+08:00",
                "eta": "2026-12-05T22:10:57+08:00",
                "list": [{"at": "2026-12-05T12:00:00+08:00"}],
            })
        );
    }

    #[test]
    fn dates_clock_times_ids_and_words_stay_as_they_are() {
        let mut v = json!({
            "day": "2026-12-05", "opens": "08:30", "job": "RO-2026-12-05T1",
            "note": "came back 2026-12-05T09:00 for the noise", "plate": "沪A·12345",
        });
        let before = v.clone();
        in_site_terms(&mut v, &shanghai());
        assert_eq!(v, before);
    }

    #[test]
    fn fractions_keep_four_decimals_and_integers_stay() {
        let mut v = json!({
            "progress": 9.188122777777778e-6, "labour_efficiency": 1.0833333333333333,
            "std_hours": 1.5, "jobs": 12, "negative": -0.00001,
        });
        in_site_terms(&mut v, &shanghai());
        assert_eq!(
            v,
            json!({"progress": 0.0, "labour_efficiency": 1.0833, "std_hours": 1.5, "jobs": 12, "negative": 0.0})
        );
    }
}
