//! The first scans a site has stored, by (scanner, seq), for answering repeats (contract §4).
//!
//! A site keeps one entry for every scan it has ever stored, so an entry is kept small: a
//! fingerprint of the payload instead of the payload, and the reply without the fixed-size
//! buffer a handheld's copy needs (that buffer and the canonical JSON would be most of an
//! entry's size).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use bayline_proto::reply::clip;
use bayline_proto::{Id, RejectCode, Reply, WarningCode};

/// A stored first scan: what a later scan with its (scanner, seq) is compared with, and the
/// reply a repeat gets again.
pub(crate) struct Seen {
    payload: Option<Fingerprint>,
    seq: Option<u64>,
    ok: bool,
    code: Option<RejectCode>,
    warning: Option<WarningCode>,
    msg: Box<str>,
}

/// The first scans a site stored recently, by (scanner, seq), in two generations: each
/// freeze of the site ([`crate::Ledger::freeze`], daily) drops the older one, so memory
/// holds a day or two of scans however long the process runs. An older repeat is answered
/// from the store: its first scan's unique key turns it away on commit ([`crate::taken`]).
#[derive(Default)]
pub(crate) struct SeenScans {
    new: HashMap<(Id, u64), Seen>,
    old: HashMap<(Id, u64), Seen>,
}

impl SeenScans {
    pub fn get(&self, key: &(Id, u64)) -> Option<&Seen> {
        self.new.get(key).or_else(|| self.old.get(key))
    }

    pub fn insert(&mut self, key: (Id, u64), seen: Seen) {
        self.new.insert(key, seen);
    }

    /// Keeps `seen()` for `key` unless one is kept already.
    pub fn remember(&mut self, key: (Id, u64), seen: impl FnOnce() -> Seen) {
        if self.get(&key).is_none() {
            self.new.insert(key, seen());
        }
    }

    /// Drops what [`SeenScans::insert`] kept for `key` (a judgement whose commit failed).
    pub fn forget(&mut self, key: &(Id, u64)) {
        self.new.remove(key);
    }

    /// Drops the older generation.
    pub fn age(&mut self) {
        self.old = std::mem::take(&mut self.new);
    }
}

impl FromIterator<((Id, u64), Seen)> for SeenScans {
    fn from_iter<I: IntoIterator<Item = ((Id, u64), Seen)>>(iter: I) -> SeenScans {
        SeenScans {
            new: iter.into_iter().collect(),
            old: HashMap::new(),
        }
    }
}

impl Seen {
    pub fn new(canonical: Option<&str>, reply: &Reply) -> Seen {
        Seen {
            payload: canonical.map(Fingerprint::of),
            seq: reply.seq,
            ok: reply.ok,
            code: reply.code,
            warning: reply.warning,
            msg: reply.msg.as_str().into(),
        }
    }

    /// Whether a scan with this payload fingerprint repeats this one exactly.
    pub fn repeated_by(&self, payload: Option<Fingerprint>) -> bool {
        self.payload == payload
    }

    /// The reply the first scan got, as it got it.
    pub fn reply(&self) -> Reply {
        Reply {
            seq: self.seq,
            ok: self.ok,
            code: self.code,
            warning: self.warning,
            // The message came out of a `Reply`, so it is already within its length.
            msg: clip(&self.msg),
        }
    }
}

/// A 64-bit hash of a canonical payload. It only ever decides between two scans of one
/// scanner with one seq (a repeat or a conflict), where a collision has odds of 2^-64; the
/// hasher is fixed, so every process of one build computes the same value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint(u64);

impl Fingerprint {
    pub fn of(canonical: &str) -> Fingerprint {
        let mut h = DefaultHasher::new();
        canonical.hash(&mut h);
        Fingerprint(h.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeat_is_answered_with_the_first_reply_to_the_letter() {
        let mut first = Reply::rejected(Some(7), RejectCode::BayBusy, "bay 3 is busy with RO-1");
        first.warning = Some(WarningCode::ALL[0]);
        let seen = Seen::new(Some(r#"{"seq":7}"#), &first);
        assert_eq!(seen.reply(), first);
        let accepted = Reply::accepted(8, "已开工 RO-2 · 工位 3");
        assert_eq!(Seen::new(None, &accepted).reply(), accepted);
    }

    #[test]
    fn only_the_same_payload_is_a_repeat() {
        let fp = |canonical: Option<&str>| canonical.map(Fingerprint::of);
        let seen = Seen::new(Some(r#"{"seq":7,"job":"RO-1"}"#), &Reply::accepted(7, "ok"));
        assert!(seen.repeated_by(fp(Some(r#"{"seq":7,"job":"RO-1"}"#))));
        assert!(!seen.repeated_by(fp(Some(r#"{"seq":7,"job":"RO-2"}"#))));
        assert!(!seen.repeated_by(fp(None)));
        let undecodable = Seen::new(None, &Reply::accepted(7, "ok"));
        assert!(undecodable.repeated_by(fp(None)));
        assert!(!undecodable.repeated_by(fp(Some("{}"))));
    }
}
