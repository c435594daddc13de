//! Half-open time intervals `[from, to)`: clipping, union and intersection, summed exactly
//! as durations so that splitting a period never loses a nanosecond to rounding.

use jiff::SignedDuration;

use crate::Time;

/// `[from, to)`; empty when `to <= from`.
pub type Span = (Time, Time);

/// The part of `span` inside `window`, `None` when they do not overlap.
pub fn clip(span: Span, window: Span) -> Option<Span> {
    let from = span.0.max(window.0);
    let to = span.1.min(window.1);
    (from < to).then_some((from, to))
}

/// An interval of the state's logs, `to: None` still open: open ones run to the window's end,
/// which is how the contract cuts them at `min(to, now)` (§6).
pub fn clip_open(from: Time, to: Option<Time>, window: Span) -> Option<Span> {
    clip((from, to.unwrap_or(window.1)), window)
}

/// The union of `spans` as sorted, disjoint spans. Touching spans merge.
pub fn union(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|(a, b)| a < b);
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for (from, to) in spans {
        match out.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => out.push((from, to)),
        }
    }
    out
}

/// The intersection of two sorted, disjoint span lists.
pub fn intersect(a: &[Span], b: &[Span]) -> Vec<Span> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        if let Some(s) = clip(a[i], b[j]) {
            out.push(s);
        }
        if a[i].1 <= b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// The length of one span.
pub fn length(span: Span) -> SignedDuration {
    span.1.duration_since(span.0).max(SignedDuration::ZERO)
}

/// The summed length of `spans` (overlaps counted twice: union first when they must not be).
pub fn total<'a>(spans: impl IntoIterator<Item = &'a Span>) -> SignedDuration {
    spans.into_iter().map(|s| length(*s)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::t;

    #[test]
    fn clipping_keeps_only_the_overlap() {
        assert_eq!(clip((t(0), t(60)), (t(30), t(90))), Some((t(30), t(60))));
        assert_eq!(clip((t(0), t(30)), (t(30), t(90))), None);
        assert_eq!(clip_open(t(10), None, (t(0), t(20))), Some((t(10), t(20))));
    }

    #[test]
    fn union_merges_overlapping_and_touching_spans() {
        let u = union(vec![
            (t(30), t(40)),
            (t(0), t(10)),
            (t(5), t(20)),
            (t(20), t(25)),
        ]);
        assert_eq!(u, [(t(0), t(25)), (t(30), t(40))]);
        assert_eq!(total(&u), SignedDuration::from_mins(35));
    }

    #[test]
    fn intersection_walks_both_lists_once() {
        let a = [(t(0), t(10)), (t(20), t(40))];
        let b = [(t(5), t(25)), (t(30), t(35)), (t(38), t(50))];
        assert_eq!(
            intersect(&a, &b),
            [
                (t(5), t(10)),
                (t(20), t(25)),
                (t(30), t(35)),
                (t(38), t(40))
            ]
        );
    }
}
