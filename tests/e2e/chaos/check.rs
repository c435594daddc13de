//! The checker, in the manner of Jepsen's total-queue: what the handhelds sent against what
//! the database holds, identity by identity, and the replies they heard against the reply
//! stored with each scan.
//!
//! - lost: sent, never stored (every scan must be, since every outbox resends until replied);
//! - doubled: a sent scan stored more than once (a repeat must change nothing);
//! - unexpected: a row that is not a scan that was sent, a first row whose content is not what
//!   its handheld sent under that seq, or a reply to a seq its handheld never used;
//! - unanswered: sent, no reply at the end;
//! - mismatched: a reply that differs from the one stored (a repeat gets the same reply).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use bayline_proto::{Id, Reply};
use bayline_store::{SeenRow, Store};

use super::fleet::Log;

/// What the database holds for the site.
pub struct Stored {
    /// The first row of every (scanner, seq).
    pub first: Vec<SeenRow>,
    /// Every row of the site.
    pub rows: usize,
    /// (scanner, seq) of each `seq_conflict` row.
    pub conflicts: Vec<(String, Option<u64>)>,
}

impl Stored {
    pub async fn read(store: &Store, site: &str) -> Stored {
        let site: Id = site.parse().unwrap();
        let first = store.seen(&site).await.unwrap();
        let rows = store
            .scans_between(&site, (0, i64::MAX))
            .await
            .unwrap()
            .len();
        let conflicts = store
            .rejected(&site, u32::MAX)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.code == "seq_conflict")
            .map(|r| (r.scanner, r.seq))
            .collect();
        Stored {
            first,
            rows,
            conflicts,
        }
    }
}

#[derive(Debug, Default)]
pub struct Verdict {
    pub sent: usize,
    pub lost: usize,
    pub doubled: usize,
    pub unexpected: usize,
    pub unanswered: usize,
    pub mismatched: usize,
    /// Scans answered `ok: false` (the bench's scans are all valid; reported, not judged).
    pub refused: usize,
    /// The longest first publish → first reply, seconds.
    pub max_latency_s: f64,
    /// The first few problems, for the failure message.
    pub examples: Vec<String>,
}

impl Verdict {
    pub fn clean(&self) -> bool {
        self.lost + self.doubled + self.unexpected + self.unanswered + self.mismatched == 0
    }

    fn note(&mut self, what: String) {
        if self.examples.len() < 10 {
            self.examples.push(what);
        }
    }
}

pub fn check(logs: &[(String, Log)], stored: &Stored) -> Verdict {
    let mut v = Verdict::default();
    let now = jiff::Timestamp::now();
    let first: BTreeMap<(&str, u64), &SeenRow> = stored
        .first
        .iter()
        .map(|r| ((r.scanner.as_str(), r.seq), r))
        .collect();
    let mut sent_ids = BTreeSet::new();
    for (scanner, log) in logs {
        let id: Id = scanner.parse().unwrap();
        v.unexpected += log.strays.len();
        for stray in &log.strays {
            v.note(format!(
                "{scanner}: a reply to no scan it sent: {}",
                String::from_utf8_lossy(stray)
            ));
        }
        for (&seq, sent) in &log.sent {
            v.sent += 1;
            sent_ids.insert((scanner.as_str(), seq));
            match sent.replies.first() {
                None => {
                    v.unanswered += 1;
                    v.note(format!("{scanner} seq {seq}: no reply"));
                }
                Some((at, _)) => {
                    v.max_latency_s = v
                        .max_latency_s
                        .max(at.duration_since(sent.first).as_secs_f64());
                }
            }
            let Some(row) = first.get(&(scanner.as_str(), seq)) else {
                v.lost += 1;
                v.note(format!(
                    "{scanner} seq {seq}: not stored ({} replies heard)",
                    sent.replies.len()
                ));
                continue;
            };
            let canonical = bayline_domain::decode::decode(&sent.payload, &id, now).canonical;
            if row.canonical != canonical {
                v.unexpected += 1;
                v.note(format!(
                    "{scanner} seq {seq}: stored {:?}, sent {canonical:?}",
                    row.canonical
                ));
            }
            if !row.reply.ok {
                v.refused += 1;
            }
            for (_, heard) in &sent.replies {
                if !same(heard, &row.reply) {
                    v.mismatched += 1;
                    v.note(format!(
                        "{scanner} seq {seq}: heard {heard:?}, stored {:?}",
                        row.reply
                    ));
                }
            }
        }
    }
    for (scanner, seq) in &stored.conflicts {
        if seq.is_some_and(|s| sent_ids.contains(&(scanner.as_str(), s))) {
            v.doubled += 1;
            v.note(format!(
                "{scanner} seq {seq:?}: stored again as seq_conflict"
            ));
        }
    }
    let never_sent = first
        .keys()
        .filter(|k| !sent_ids.contains(*k))
        .inspect(|k| v.examples.push(format!("{k:?}: stored, never sent")))
        .count();
    let other_rows = stored.rows - stored.first.len() - v.doubled;
    v.unexpected += never_sent + other_rows;
    if other_rows > 0 {
        v.note(format!(
            "{other_rows} rows that are neither a first scan nor a repeat of one"
        ));
    }
    v
}

fn same(a: &Reply, b: &Reply) -> bool {
    (a.seq, a.ok, a.code, a.warning, a.msg.as_str())
        == (b.seq, b.ok, b.code, b.warning, b.msg.as_str())
}

/// One fault as it happened.
pub struct Fault {
    pub what: String,
    /// From the fault until the system was whole again (restarted, broker up, database back).
    pub down_s: f64,
    /// From then until every scan first sent before then had its reply.
    pub recovery_s: f64,
}

/// The run's table.
pub struct Table<'a> {
    pub title: String,
    pub kills: usize,
    pub broker_restarts: usize,
    pub outage_s: f64,
    /// CPU of bayline while the database was away, in cores.
    pub outage_cpu: Option<f64>,
    pub faults: &'a [Fault],
    pub verdict: &'a Verdict,
}

impl std::fmt::Display for Table<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}", self.title)?;
        for x in self.faults {
            writeln!(
                f,
                "  {:<34} down {:>6.2} s   all answered {:>6.2} s later",
                x.what, x.down_s, x.recovery_s
            )?;
        }
        let v = self.verdict;
        let recovery = self.faults.iter().map(|x| x.recovery_s).fold(0.0, f64::max);
        let mut head = String::new();
        let mut row = String::new();
        let cols: [(&str, String); 12] = [
            ("scans sent", v.sent.to_string()),
            ("kills", self.kills.to_string()),
            ("broker restarts", self.broker_restarts.to_string()),
            ("DB outage s", format!("{:.1}", self.outage_s)),
            (
                "CPU in outage",
                self.outage_cpu.map_or("-".into(), |c| format!("{c:.3}")),
            ),
            ("lost", v.lost.to_string()),
            ("doubled", v.doubled.to_string()),
            ("unexpected", v.unexpected.to_string()),
            ("unanswered", v.unanswered.to_string()),
            ("mismatched", v.mismatched.to_string()),
            ("max recovery s", format!("{recovery:.2}")),
            ("max reply latency s", format!("{:.2}", v.max_latency_s)),
        ];
        for (name, value) in cols {
            let w = name.len().max(value.len());
            let _ = write!(head, " {name:>w$} |");
            let _ = write!(row, " {value:>w$} |");
        }
        writeln!(f, "|{head}")?;
        writeln!(f, "|{row}")?;
        if v.refused > 0 {
            writeln!(f, "({} scans answered ok: false)", v.refused)?;
        }
        Ok(())
    }
}
