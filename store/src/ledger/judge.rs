//! Judging one incoming scan against what the site has seen and its timeline: the answer,
//! and the record to store (none for an exact repeat).

use bayline_domain::{Admission, Event, Verdict, Workshop};
use bayline_proto::{RejectCode, Reply};
use bayline_site::SiteConfig;

use super::{lock, Answer, Incoming, Judgement, Ledger, Seen};
use crate::{ScanRecord, Status};

impl Ledger {
    pub(super) fn judge(
        &self,
        incoming: Incoming,
        reply: &impl Fn(&SiteConfig, &Judgement<'_>) -> Reply,
    ) -> (Answer, Option<ScanRecord>) {
        let Incoming {
            site,
            scanner,
            received_at,
            raw,
            size,
            decoded,
        } = incoming;
        let seq = decoded.seq;
        let mut record = ScanRecord {
            site: site.clone(),
            scanner: scanner.clone(),
            seq,
            first_of_seq: seq.is_some(),
            received_at,
            status: Status::Rejected,
            code: None,
            detail: None,
            event: None,
            canonical: decoded.canonical.clone(),
            size,
            raw,
            reply: Reply::accepted(0, ""),
        };
        let Some(live) = self.sites.get(&site) else {
            let detail = format!("site {site} is not served here");
            let reply = Reply::rejected(seq, RejectCode::UnknownSite, &detail);
            record.reject(RejectCode::UnknownSite, detail, reply);
            record.first_of_seq = false;
            return stored(record);
        };
        let config = &live.config;
        let mut seen = lock(&live.seen);
        if let Some(seq) = seq {
            if let Some(first) = seen.get(&(scanner.clone(), seq)) {
                if first.canonical == decoded.canonical {
                    let reply = first.reply.clone();
                    return (
                        Answer {
                            site,
                            scanner,
                            reply,
                            stored: false,
                        },
                        None,
                    );
                }
                let detail = format!("seq {seq} was already used for another scan");
                let judgement = Judgement::Rejected {
                    seq: Some(seq),
                    code: RejectCode::SeqConflict,
                    detail: &detail,
                };
                let reply = reply(config, &judgement);
                record.reject(RejectCode::SeqConflict, detail, reply);
                record.first_of_seq = false;
                return stored(record);
            }
        }
        match decoded.result {
            Err((code, detail)) => {
                let reply = reply(
                    config,
                    &Judgement::Rejected {
                        seq,
                        code,
                        detail: &detail,
                    },
                );
                record.reject(code, detail, reply);
            }
            Ok(event) => {
                let mut workshop = lock(&live.workshop);
                match workshop.admit(event.clone()) {
                    Admission::Rejected(code) => {
                        let detail = rejected_detail(code, &event, &workshop);
                        let reply = reply(
                            config,
                            &Judgement::Rejected {
                                seq,
                                code,
                                detail: &detail,
                            },
                        );
                        record.reject(code, detail, reply);
                    }
                    Admission::Accepted(verdict) => {
                        let warning = match verdict {
                            Verdict::Applied => None,
                            Verdict::Anomaly(w) => Some(w),
                        };
                        let bay = workshop.resolved_bay(&event.key);
                        record.reply = reply(
                            config,
                            &Judgement::Accepted {
                                event: &event,
                                warning,
                                bay,
                            },
                        );
                        record.status = Status::Accepted;
                        record.code = warning.map(|w| w.as_str().into());
                        record.event = Some(event);
                    }
                }
            }
        }
        if let Some(seq) = seq {
            seen.insert(
                (scanner.clone(), seq),
                Seen {
                    canonical: record.canonical.clone(),
                    reply: record.reply.clone(),
                },
            );
        }
        (
            Answer {
                site,
                scanner,
                reply: record.reply.clone(),
                stored: true,
            },
            Some(record),
        )
    }
}

impl ScanRecord {
    fn reject(&mut self, code: RejectCode, detail: String, reply: Reply) {
        self.status = Status::Rejected;
        self.code = Some(code.as_str().into());
        self.detail = Some(detail);
        self.reply = reply;
    }
}

/// The answer for a record that is written.
fn stored(record: ScanRecord) -> (Answer, Option<ScanRecord>) {
    let answer = Answer {
        site: record.site.clone(),
        scanner: record.scanner.clone(),
        reply: record.reply.clone(),
        stored: true,
    };
    (answer, Some(record))
}

/// The id a domain rejection is about, for the reply ("RO-1 is not an open job").
fn rejected_detail(code: RejectCode, event: &Event, workshop: &Workshop) -> String {
    let k = &event.kind;
    let id = match code {
        RejectCode::UnknownBadge => Some(&event.badge),
        RejectCode::UnknownOp => k.op(),
        RejectCode::UnknownBay | RejectCode::BayBusy => k.bay(),
        _ => k.job(),
    };
    match (code, id) {
        (RejectCode::BayBusy, None) => workshop
            .resolved_bay(&event.key)
            .map(|b| b.to_string())
            .unwrap_or_default(),
        (_, Some(id)) => id.to_string(),
        (_, None) => String::new(),
    }
}
