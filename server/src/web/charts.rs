//! Charts as inline SVG, drawn on the server: a Pareto chart and small trend lines. No chart
//! library, no script; they print and they work offline.

use std::fmt::Write;

use bayline_domain::Reasons;
use bayline_proto::PauseReason;
use maud::{html, Markup};

/// The colour of a pause reason wherever a page draws one: the contract's five have their
/// own, the site's reasons take turns in a palette of their own by id order, so a reason
/// keeps its colour from page to page.
pub fn reason_colour(reason: &str, site_reasons: &Reasons) -> &'static str {
    // Away from the five's colours and from working green and forgotten red.
    const OWN: [&str; 6] = [
        "#2563eb", "#db2777", "#334155", "#4338ca", "#be185d", "#0f766e",
    ];
    match PauseReason::parse(reason) {
        Some(PauseReason::Parts) => "#d98a00",
        Some(PauseReason::Approval) => "#8b5cf6",
        Some(PauseReason::Break) => "#0ea5b7",
        Some(PauseReason::ShiftEnd) => "#64748b",
        Some(PauseReason::Other) => "#a16207",
        None => {
            let n = site_reasons.ids().position(|id| id.as_str() == reason);
            n.map_or("#94a3b8", |n| OWN[n % OWN.len()])
        }
    }
}

/// One cause of a Pareto chart: label, hours, CSS colour.
pub struct Cause<'a> {
    pub label: &'a str,
    pub hours: f64,
    pub colour: &'a str,
}

/// Bars sorted from the largest, with the cumulative share as a line on a 0–100 % axis.
pub fn pareto(causes: &mut [Cause], empty: &str) -> Markup {
    causes.sort_by(|a, b| b.hours.total_cmp(&a.hours));
    let total: f64 = causes.iter().map(|c| c.hours).sum();
    let (w, h, left, bottom, top) = (420.0, 220.0, 44.0, 36.0, 16.0);
    let plot_h = h - bottom - top;
    let view = format!("0 0 {w} {h}");
    if total <= 0.0 {
        return html! {
            svg.pareto viewBox=(view) width="100%" role="img" aria-label="Pareto" {
                text x=(w / 2.0) y=(h / 2.0) text-anchor="middle" fill="#67707c" { (empty) }
            }
        };
    }
    let max = causes
        .first()
        .map_or(1.0, |c| c.hours)
        .max(f64::MIN_POSITIVE);
    let slot = (w - left - 40.0) / causes.len() as f64;
    let mut cumulative = 0.0;
    let mut line = String::new();
    let mut bars = Vec::new();
    for (i, c) in causes.iter().enumerate() {
        let x = left + slot * i as f64;
        let bh = plot_h * c.hours / max;
        let y = top + plot_h - bh;
        bars.push((x, y, bh, c));
        cumulative += c.hours;
        let cy = top + plot_h * (1.0 - cumulative / total);
        let _ = write!(line, "{:.1},{cy:.1} ", x + slot * 0.35);
    }
    let f1 = |v: f64| format!("{v:.1}");
    let (base, right, r2, top2) = (top + plot_h, w - 40.0, w - 36.0, top + 4.0);
    html! {
        svg.pareto viewBox=(view) width="100%" role="img" aria-label="Pareto" {
            @for (x, y, bh, c) in &bars {
                @let tx = f1(x + slot * 0.35);
                @let hours = f1(c.hours);
                rect x=(f1(*x)) y=(f1(*y)) width=(f1(slot * 0.7)) height=(f1(*bh)) fill=(c.colour) {
                    title { (c.label) ": " (hours) " h" }
                }
                text x=(tx) y=(f1(h - bottom + 14.0)) text-anchor="middle" font-size="11" { (c.label) }
                text x=(tx) y=(f1((y - 3.0).max(top - 2.0))) text-anchor="middle" font-size="11" { (hours) }
            }
            polyline points=(line) fill="none" stroke="#1d232b" stroke-width="1.5" {}
            line x1=(left) y1=(base) x2=(right) y2=(base) stroke="#9aa3ae" {}
            text x=(r2) y=(top2) font-size="10" fill="#67707c" { "100%" }
            text x=(r2) y=(base) font-size="10" fill="#67707c" { "0%" }
            text x="4" y=(top2) font-size="10" fill="#67707c" { (f1(max)) " h" }
        }
    }
}

/// A small trend line of `values` (gaps where `None`), with its last value printed beside it.
pub fn sparkline(values: &[Option<f64>], label: &str) -> Markup {
    let (w, h) = (160.0, 36.0);
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let mut path = String::new();
    if !known.is_empty() {
        let lo = known.iter().copied().fold(f64::INFINITY, f64::min).min(0.0);
        let hi = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let span = (hi - lo).max(f64::MIN_POSITIVE);
        let step = if values.len() > 1 {
            (w - 8.0) / (values.len() - 1) as f64
        } else {
            0.0
        };
        let mut pen_up = true;
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => {
                    let x = 4.0 + step * i as f64;
                    let y = h - 4.0 - (h - 8.0) * (v - lo) / span;
                    let _ = write!(path, "{}{x:.1},{y:.1} ", if pen_up { "M" } else { "L" });
                    pen_up = false;
                }
                None => pen_up = true,
            }
        }
    }
    html! {
        svg.spark viewBox={ "0 0 " (w) " " (h) } width=(w) height=(h) role="img" aria-label=(label) {
            @if !path.is_empty() {
                path d=(path) fill="none" stroke="#2563c9" stroke-width="1.6" {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pareto_puts_the_largest_cause_first_and_ends_at_100_percent() {
        let mut causes = [
            Cause {
                label: "break",
                hours: 1.0,
                colour: "#0ea5b7",
            },
            Cause {
                label: "parts",
                hours: 3.0,
                colour: "#d98a00",
            },
        ];
        let svg = pareto(&mut causes, "none").into_string();
        assert_eq!(causes[0].label, "parts");
        assert!(svg.find(">parts<").unwrap() < svg.find(">break<").unwrap());
        // The cumulative line's last point is at the top of the plot (100 %): y = 16.
        let points = svg
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(points.trim_end().ends_with(",16.0"), "{points}");
    }

    #[test]
    fn nothing_lost_says_so_instead_of_drawing_empty_bars() {
        let svg = pareto(&mut [], "nothing lost").into_string();
        assert!(svg.contains("nothing lost") && !svg.contains("<rect"));
    }

    #[test]
    fn a_trend_line_breaks_where_a_day_has_no_value() {
        let svg = sparkline(&[Some(1.0), None, Some(2.0), Some(3.0)], "x").into_string();
        assert_eq!(svg.matches('M').count(), 2, "{svg}");
    }
}
