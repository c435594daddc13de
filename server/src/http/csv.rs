//! The figures as CSV, for Excel (`GET …/kpis` with `Accept: text/csv`, or `format=csv` for a
//! plain download link): a line for the whole period, then a line per group row. UTF-8 with a
//! byte-order mark, which is what makes Excel read the Chinese of a site's keys and names as
//! UTF-8 rather than the machine's code page.
//!
//! The columns are the JSON answer's, flattened (`bay_blocked_hours_by_reason.parts`), so a
//! figure added to the JSON is in the CSV too; `null` is an empty cell.

use std::collections::BTreeMap;

use bayline_domain::kpi::{Figures, GroupBy, Row};
use bayline_domain::Time;
use serde_json::Value;

/// The byte-order mark that opens the file.
pub const BOM: &str = "\u{feff}";

/// The whole file: header, the period's line (empty `group_by` and `key`), the rows.
pub fn figures_csv(
    (from, to): (Time, Time),
    figures: &Figures,
    group_by: Option<GroupBy>,
    rows: &[Row],
) -> String {
    let whole = flatten(figures);
    let mut out = String::from(BOM);
    let mut head = vec![
        "from".to_string(),
        "to".into(),
        "group_by".into(),
        "key".into(),
    ];
    head.extend(whole.iter().map(|(k, _)| k.clone()));
    line(&mut out, &head);
    let by = group_by.map(GroupBy::name);
    let columns: Vec<String> = whole.iter().map(|(k, _)| k.clone()).collect();
    let mut push = |by: &str, key: &str, cells: Vec<(String, String)>| {
        let mut l = vec![from.to_string(), to.to_string(), by.to_string(), inert(key)];
        // A group row leaves out what does not apply to it (a badge has no blocked bay
        // time by reason): an empty cell, in the period line's columns.
        let mut cells: BTreeMap<String, String> = cells.into_iter().collect();
        l.extend(columns.iter().map(|c| cells.remove(c).unwrap_or_default()));
        line(&mut out, &l);
    };
    push("", "", whole);
    for r in rows {
        push(by.unwrap_or(""), &r.key, flatten(&r.figures));
    }
    out
}

/// The figures as (column, cell) pairs, in the JSON's key order, objects flattened.
fn flatten(figures: &Figures) -> Vec<(String, String)> {
    let value = serde_json::to_value(figures).unwrap_or(Value::Null);
    let mut cells = Vec::new();
    walk("", &value, &mut cells);
    cells
}

fn walk(prefix: &str, value: &Value, cells: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                walk(&name, v, cells);
            }
        }
        Value::Null => cells.push((prefix.to_string(), String::new())),
        Value::String(s) => cells.push((prefix.to_string(), s.clone())),
        other => cells.push((prefix.to_string(), other.to_string())),
    }
}

/// A key as a cell Excel shows and never runs: a key is free text from a job card (an
/// advisor's name), and a cell starting with `=`, `+`, `-` or `@` would be read as a formula.
fn inert(key: &str) -> String {
    if key.starts_with(['=', '+', '-', '@']) {
        format!("'{key}")
    } else {
        key.to_string()
    }
}

/// One CSV line (RFC 4180: CRLF, quotes only where needed).
fn line(out: &mut String, cells: &[String]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if c.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(c);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use bayline_domain::kpi::BlockedByReason;

    use super::*;

    fn figures(clocked: f64, ftf: Option<f64>, by_reason: Option<BlockedByReason>) -> Figures {
        Figures {
            clocked_hours: clocked,
            rework_hours: 0.0,
            sold_hours: 1.5,
            available_hours: None,
            labour_efficiency: None,
            labour_utilisation: None,
            productivity: None,
            bay_utilisation: None,
            bay_blocked_hours: None,
            bay_blocked_hours_by_reason: by_reason,
            first_time_fix_rate: ftf,
            on_time_rate: None,
            avg_cycle_hours: None,
            jobs_delivered: 2,
            comebacks: 1,
            comeback_rate: Some(0.5),
            calls: 0,
            call_answer_minutes_avg: None,
            call_answer_minutes_p90: None,
        }
    }

    #[test]
    fn a_file_opens_with_the_bom_and_every_row_lines_up_with_the_header() {
        let whole = figures(
            2.5,
            Some(0.5),
            Some(BlockedByReason {
                parts: 1.0,
                ..Default::default()
            }),
        );
        let rows = [Row {
            key: "T07".into(),
            figures: figures(2.5, Some(0.0), None),
        }];
        let from: Time = "2026-11-22T16:00:00Z".parse().unwrap();
        let to: Time = "2026-11-23T16:00:00Z".parse().unwrap();
        let text = figures_csv((from, to), &whole, Some(GroupBy::Badge), &rows);
        let body = text.strip_prefix(BOM).expect("a BOM first");
        let lines: Vec<Vec<&str>> = body
            .split_terminator("\r\n")
            .map(|l| l.split(',').collect())
            .collect();
        assert_eq!(lines.len(), 3);
        let head = &lines[0];
        assert_eq!(&head[..4], ["from", "to", "group_by", "key"]);
        assert!(lines.iter().all(|l| l.len() == head.len()));
        let cell = |row: usize, name: &str| {
            let i = head.iter().position(|h| *h == name).expect(name);
            lines[row][i]
        };
        assert_eq!(cell(1, "key"), "");
        assert_eq!(cell(1, "clocked_hours"), "2.5");
        assert_eq!(cell(1, "bay_blocked_hours_by_reason.parts"), "1.0");
        assert_eq!(cell(1, "bay_blocked_hours_by_reason.shift_end"), "0.0");
        assert_eq!(cell(1, "first_time_fix_rate"), "0.5");
        assert_eq!(cell(1, "available_hours"), "");
        assert_eq!((cell(2, "group_by"), cell(2, "key")), ("badge", "T07"));
        assert_eq!(cell(2, "bay_blocked_hours_by_reason.parts"), "");
        assert_eq!(cell(2, "jobs_delivered"), "2");
        assert_eq!(cell(2, "from"), "2026-11-22T16:00:00Z");
    }

    #[test]
    fn a_cell_with_a_comma_or_quote_is_quoted() {
        let mut out = String::new();
        line(
            &mut out,
            &["a,b".into(), "say \"hi\"".into(), "plain".into()],
        );
        assert_eq!(out, "\"a,b\",\"say \"\"hi\"\"\",plain\r\n");
    }
}
