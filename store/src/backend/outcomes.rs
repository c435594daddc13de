//! Closed jobs' outcomes as read back for a period: whole, from each one's JSON body, or
//! bare, from its compact line.
//!
//! The line is a closed job's outcome as numbers, stored beside its JSON body: what
//! the site's figures and the day rows read of a period's closed jobs (contract §6), without
//! the crews, plate, advisor and service, and without parsing a timestamp. A year of a 40-bay
//! site holds about 70,000 of them; the JSON bodies are read only by the rows that need a
//! job's crew or card (badge, bay, team, advisor, service) and by the comebacks list.
//!
//! The line is `checked_in,first_qc,first_qc_pass,ready,delivered,promised,comeback_of`:
//! instants in nanoseconds since the epoch, `1`/`0` for the pass, an id, each empty when
//! absent. Ids never hold a comma (contract §2), so the job is put in front when read back.

use bayline_domain::fold::QcResult;
use bayline_domain::kpi::Outcome;
use bayline_domain::Time;
use bayline_proto::Id;

use super::{ns, time};
use crate::StoreError;

/// Outcomes are parsed off the async threads, and from this many on, on every core: a
/// year's (about 70,000 on a 40-bay site) take tens of milliseconds, in which a scan's
/// reply would otherwise wait.
const PARSE_APART: usize = 4096;

/// How much of each closed job's outcome a read of a period's brings back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeDetail {
    /// Without crews, plate, advisor and service: what the site's figures and the day rows
    /// read, from each job's compact line.
    Bare,
    /// As frozen, from each job's JSON body: for the rows by badge, bay, team, advisor or
    /// service, and the comebacks list.
    Whole,
}

impl OutcomeDetail {
    /// What is joined for each job: its JSON body, or the job and its line.
    pub(super) fn column(self) -> &'static str {
        match self {
            // A row without a line (frozen before there were lines) reads as a damaged line,
            // never as no job.
            OutcomeDetail::Bare => "job || ',' || coalesce(line, '')",
            OutcomeDetail::Whole => "body",
        }
    }
}

/// The outcomes of one joined value, one job a line.
pub(super) async fn outcomes(
    joined: String,
    detail: OutcomeDetail,
) -> Result<Vec<Outcome>, StoreError> {
    let parse_all = move |lines: &[&str]| -> Result<Vec<Outcome>, StoreError> {
        match detail {
            OutcomeDetail::Bare => lines.iter().map(|l| decode_line(l)).collect(),
            OutcomeDetail::Whole => (lines.iter())
                .map(|r| {
                    serde_json::from_str(r)
                        .map_err(|e| StoreError::Corrupt(format!("job outcome: {e}")))
                })
                .collect(),
        }
    };
    let gone = || StoreError::Corrupt("parsing job outcomes stopped".into());
    tokio::task::spawn_blocking(move || {
        let lines: Vec<&str> = joined.lines().collect();
        if lines.len() < PARSE_APART {
            return parse_all(&lines);
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = lines.len().div_ceil(cores.clamp(1, 4)).max(PARSE_APART);
        std::thread::scope(|s| {
            let parts: Vec<_> = (lines.chunks(chunk))
                .map(|part| s.spawn(move || parse_all(part)))
                .collect();
            let mut all = Vec::with_capacity(lines.len());
            for part in parts {
                all.extend(part.join().map_err(|_| gone())??);
            }
            Ok(all)
        })
    })
    .await
    .map_err(|_| gone())?
}

/// `o` as its line.
pub(crate) fn encode_line(o: &Outcome) -> String {
    let at = |t: Option<Time>| t.map(|t| ns(t).to_string()).unwrap_or_default();
    let pass = o.first_qc.map_or("", |(r, _)| match r {
        QcResult::Pass => "1",
        QcResult::Fail => "0",
    });
    format!(
        "{},{},{},{},{},{},{}",
        at(o.checked_in_at),
        at(o.first_qc.map(|q| q.1)),
        pass,
        at(o.ready_at),
        at(o.delivered_at),
        at(o.promised_at),
        o.comeback_of.as_deref().unwrap_or_default(),
    )
}

/// A line read back as `job,` followed by its stored line: the outcome without crews or
/// card text.
fn decode_line(line: &str) -> Result<Outcome, StoreError> {
    let bad = |why: &str| StoreError::Corrupt(format!("job outcome line {line:?}: {why}"));
    let mut f = line.split(',');
    let mut next = || f.next().ok_or_else(|| bad("too few fields"));
    let id = |s: &str| Id::new(s).map_err(|e| bad(&e.to_string()));
    let at = |s: &str| -> Result<Option<Time>, StoreError> {
        if s.is_empty() {
            return Ok(None);
        }
        let n: i64 = s.parse().map_err(|_| bad("not a number"))?;
        time(n).map(Some)
    };
    let job = id(next()?)?;
    let checked_in_at = at(next()?)?;
    let qc_at = at(next()?)?;
    let pass = next()?;
    let first_qc = match (qc_at, pass) {
        (Some(t), "1") => Some((QcResult::Pass, t)),
        (Some(t), "0") => Some((QcResult::Fail, t)),
        (None, "") => None,
        _ => return Err(bad("a QC time without its result")),
    };
    let ready_at = at(next()?)?;
    let delivered_at = at(next()?)?;
    let promised_at = at(next()?)?;
    let comeback_of = match next()? {
        "" => None,
        s => Some(id(s)?),
    };
    if f.next().is_some() {
        return Err(bad("too many fields"));
    }
    Ok(Outcome {
        job,
        checked_in_at,
        first_moved: None,
        first_qc,
        first_fail_crew: None,
        ready_at,
        delivered_at,
        promised_at,
        badges: Default::default(),
        bays: Default::default(),
        comeback_of,
        plate: String::new(),
        advisor: String::new(),
        service: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Time {
        s.parse().unwrap()
    }

    #[test]
    fn a_line_keeps_what_the_site_figures_read() {
        let whole = Outcome {
            job: Id::new("J-7").unwrap(),
            checked_in_at: Some(t("2026-03-02T08:00:00Z")),
            first_moved: Some(t("2026-03-02T07:55:00Z")),
            first_qc: Some((QcResult::Fail, t("2026-03-02T10:00:00.000000001Z"))),
            first_fail_crew: Some([Id::new("T1").unwrap()].into()),
            ready_at: Some(t("2026-03-02T11:00:00Z")),
            delivered_at: Some(t("2026-03-03T09:00:00Z")),
            promised_at: None,
            badges: [Id::new("T1").unwrap()].into(),
            bays: [Id::new("B1").unwrap()].into(),
            comeback_of: Some(Id::new("J-1").unwrap()),
            plate: "粤B12345".into(),
            advisor: "SA1".into(),
            service: "maintenance".into(),
        };
        let back = decode_line(&format!("J-7,{}", encode_line(&whole))).unwrap();
        let bare = Outcome {
            first_moved: None,
            first_fail_crew: None,
            badges: Default::default(),
            bays: Default::default(),
            plate: String::new(),
            advisor: String::new(),
            service: String::new(),
            ..whole.clone()
        };
        assert_eq!(back, bare);
        let passed = Outcome {
            first_qc: Some((QcResult::Pass, t("2026-03-02T10:00:00Z"))),
            checked_in_at: None,
            comeback_of: None,
            ..bare
        };
        assert_eq!(
            decode_line(&format!("J-7,{}", encode_line(&passed))).unwrap(),
            passed
        );
    }

    #[test]
    fn a_damaged_line_is_an_error_not_a_panic() {
        for line in [
            "",
            "J-7",
            "J-7,1,2",
            "J-7,,5,,,,,",
            "J-7,,,1,,,,",
            "J-7,x,,,,,,",
            "J 7,,,,,,,",
            "J-7,,,,,,,bad id",
            "J-7,,,,,,,,",
        ] {
            assert!(decode_line(line).is_err(), "{line:?} was read");
        }
    }
}
