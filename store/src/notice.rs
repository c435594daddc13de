//! Notices between processes sharing one PostgreSQL database (gateways and servers of a
//! fleet): what a writer committed, sent with `pg_notify` inside its transaction, so that
//! every follower hears of it exactly when it becomes visible, in commit order.
//!
//! A payload is one line of words: `scans ORIGIN SITE LO HI` (rows LO..=HI of the scans
//! table may hold the batch's scans of SITE), `job ORIGIN SITE JOB`, `corrections ORIGIN SITE`.
//! ORIGIN names the writing process, so that it can ignore its own notices.

use bayline_proto::Id;

/// The channel every bayline process listens on.
pub const CHANNEL: &str = "bayline";

/// What another process changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Scans were committed; their rows' ids are within `ids` (other rows may be too).
    Scans { site: Id, ids: (i64, i64) },
    /// A job card was created or replaced.
    Job { site: Id, job: Id },
    /// A correction was made.
    Corrections { site: Id },
    /// The listener lost its connection: notices may have been missed, everything must be
    /// read again.
    Resync,
}

impl Notice {
    /// The payload for `pg_notify`.
    pub fn payload(&self, origin: &str) -> String {
        match self {
            Notice::Scans { site, ids } => format!("scans {origin} {site} {} {}", ids.0, ids.1),
            Notice::Job { site, job } => format!("job {origin} {site} {job}"),
            Notice::Corrections { site } => format!("corrections {origin} {site}"),
            Notice::Resync => format!("resync {origin}"),
        }
    }

    /// Reads a payload: the notice and the origin that sent it; `None` for anything else
    /// (a newer version's notice, or someone else's on our channel).
    pub fn parse(payload: &str) -> Option<(Notice, &str)> {
        let mut words = payload.split(' ');
        let kind = words.next()?;
        let origin = words.next()?;
        let notice = match kind {
            "scans" => {
                let site = as_id(words.next())?;
                let lo = words.next()?.parse().ok()?;
                let hi = words.next()?.parse().ok()?;
                Notice::Scans {
                    site,
                    ids: (lo, hi),
                }
            }
            "job" => {
                let site = as_id(words.next())?;
                let job = as_id(words.next())?;
                Notice::Job { site, job }
            }
            "corrections" => Notice::Corrections {
                site: as_id(words.next())?,
            },
            "resync" => Notice::Resync,
            _ => return None,
        };
        match words.next() {
            None => Some((notice, origin)),
            Some(_) => None,
        }
    }
}

fn as_id(word: Option<&str>) -> Option<Id> {
    word.and_then(|w| Id::new(w).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> Id {
        Id::new(s).unwrap()
    }

    #[test]
    fn every_notice_reads_back_with_its_origin() {
        for notice in [
            Notice::Scans {
                site: id("site-1"),
                ids: (17, 4_000_000_000),
            },
            Notice::Job {
                site: id("site-1"),
                job: id("RO-240117"),
            },
            Notice::Corrections { site: id("s") },
            Notice::Resync,
        ] {
            let payload = notice.payload("a1b2c3");
            assert_eq!(Notice::parse(&payload), Some((notice, "a1b2c3")));
        }
    }

    #[test]
    fn foreign_payloads_are_ignored() {
        for payload in [
            "",
            "scans",
            "scans o",
            "scans o site 1",
            "scans o site x 2",
            "scans o site 1 2 3",
            "job o site bad/id",
            "hello world",
        ] {
            assert_eq!(Notice::parse(payload), None, "{payload:?}");
        }
    }
}
