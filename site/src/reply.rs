//! What the handheld shows: short (≤ 64 characters, cut by [`Reply`]) and in the site's
//! language. One function per outcome so the words live in one place.

use bayline_domain::{Event, EventKind, Judgement};
use bayline_proto::{Id, Language, RejectCode, Reply, WarningCode};

use crate::SiteConfig;

/// The reply for a judged scan, in the site's language.
pub fn reply_for(site: &SiteConfig, judgement: &Judgement<'_>) -> Reply {
    let lang = site.language;
    match judgement {
        Judgement::Rejected { seq, code, detail } => {
            Reply::rejected(*seq, *code, &rejected(lang, *code, detail))
        }
        Judgement::Accepted {
            event,
            warning: None,
            bay,
            first_assigned,
        } => {
            let mut msg = accepted(site, event, bay.as_ref());
            if let Some((job, op)) = first_assigned {
                msg.push_str(&first(lang, job, op));
            }
            Reply::accepted(event.key.seq, &msg)
        }
        Judgement::Accepted {
            event,
            warning: Some(w),
            bay,
            ..
        } if w.applied() => {
            let done = accepted(site, event, bay.as_ref());
            let msg = match lang {
                Language::Zh => format!("{done}（{}）", caveat(lang, *w, event)),
                Language::En => format!("{done} ({})", caveat(lang, *w, event)),
            };
            Reply::warned(event.key.seq, *w, &msg)
        }
        Judgement::Accepted {
            event,
            warning: Some(w),
            ..
        } => Reply::warned(event.key.seq, *w, &warned(lang, *w, event)),
    }
}

fn zh(lang: Language) -> bool {
    lang == Language::Zh
}

fn accepted(site: &SiteConfig, e: &Event, bay: Option<&Id>) -> String {
    let lang = site.language;
    let reason = |r| site.pause_reasons.label(r, lang);
    let at = |s: String| match bay {
        Some(b) if zh(lang) => format!("{b}：{s}"),
        Some(b) => format!("{b}: {s}"),
        None => s,
    };
    let b = &e.badge;
    match (&e.kind, zh(lang)) {
        (EventKind::CheckIn { job }, true) => format!("{job} 已接车"),
        (EventKind::CheckIn { job }, false) => format!("{job} checked in"),
        (EventKind::Start { job, op, .. }, true) => at(format!("{job} 工序{op} 开工")),
        (EventKind::Start { job, op, .. }, false) => at(format!("{job} op {op} started")),
        (EventKind::Pause { job, op, reason: r }, true) => {
            format!("{job} 工序{op} 暂停（{}）", reason(r))
        }
        (EventKind::Pause { job, op, reason: r }, false) => {
            format!("{job} op {op} paused ({})", reason(r))
        }
        (EventKind::Resume { job, op, .. }, true) => at(format!("{job} 工序{op} 继续")),
        (EventKind::Resume { job, op, .. }, false) => at(format!("{job} op {op} resumed")),
        (EventKind::Finish { job, op }, true) => format!("{job} 工序{op} 完工"),
        (EventKind::Finish { job, op }, false) => format!("{job} op {op} finished"),
        (EventKind::QcPass { job }, true) => format!("{job} 质检通过"),
        (EventKind::QcPass { job }, false) => format!("{job} QC passed"),
        (EventKind::QcFail { job, .. }, true) => format!("{job} 质检不合格，返工"),
        (EventKind::QcFail { job, .. }, false) => format!("{job} QC failed: rework"),
        (EventKind::WashStart { job, .. }, true) => format!("{job} 开始洗车"),
        (EventKind::WashStart { job, .. }, false) => format!("{job} washing"),
        (EventKind::WashDone { job, .. }, true) => format!("{job} 洗车完成"),
        (EventKind::WashDone { job, .. }, false) => format!("{job} washed"),
        (EventKind::Ready { job }, true) => format!("{job} 可取车"),
        (EventKind::Ready { job }, false) => format!("{job} ready for pickup"),
        (EventKind::Delivered { job }, true) => format!("{job} 已交车"),
        (EventKind::Delivered { job }, false) => format!("{job} delivered"),
        (EventKind::ShiftStart, true) => format!("{b} 上班打卡"),
        (EventKind::ShiftStart, false) => format!("{b} shift started"),
        (EventKind::ShiftEnd, true) => format!("{b} 下班打卡"),
        (EventKind::ShiftEnd, false) => format!("{b} shift ended"),
        // A call without a bay names the one it resolved to, like a resume.
        (EventKind::Call { bay: named, reason }, true) => {
            let at_bay = named.as_ref().or(bay).map(Id::as_str).unwrap_or("");
            format!("{at_bay} 已呼叫{}", reason.label(Language::Zh))
        }
        (EventKind::Call { bay: named, reason }, false) => {
            let at_bay = named.as_ref().or(bay).map(Id::as_str).unwrap_or("");
            format!("{at_bay}: called {}", reason.label(Language::En))
        }
        (EventKind::Answer { bay }, true) => format!("{bay} 呼叫已响应（{b}）"),
        (EventKind::Answer { bay }, false) => format!("{bay}: call answered by {b}"),
        (EventKind::Clear { bay }, true) => format!("{bay} 呼叫已解除"),
        (EventKind::Clear { bay }, false) => format!("{bay}: call cleared"),
    }
}

/// What a technician starting a shift does first.
fn first(lang: Language, job: &Id, op: &Id) -> String {
    match zh(lang) {
        true => format!("，先做 {job} 工序{op}"),
        false => format!("; first: {job} op {op}"),
    }
}

/// What an applied scan's warning adds to saying it was done (contract §7.6).
fn caveat(lang: Language, w: WarningCode, e: &Event) -> String {
    let b = &e.badge;
    match (w, zh(lang)) {
        (WarningCode::NotQc, true) => format!("{b} 非质检员，待核"),
        (WarningCode::NotQc, false) => format!("{b} is not QC; for review"),
        (WarningCode::SelfInspection, true) => format!("{b} 自检，待核"),
        (WarningCode::SelfInspection, false) => format!("{b} inspected own work; for review"),
        (WarningCode::NoQc, true) => "未经质检，待核".to_string(),
        (WarningCode::NoQc, false) => "no QC pass; for review".to_string(),
        (WarningCode::NotAssigned, true) => format!("未派给 {b}，待核"),
        (WarningCode::NotAssigned, false) => format!("not assigned to {b}; for review"),
        (WarningCode::WrongRole, true) => format!("{b} 岗位不符，待核"),
        (WarningCode::WrongRole, false) => format!("not {b}'s role; for review"),
        (_, true) => "待核".to_string(),
        (_, false) => "for review".to_string(),
    }
}

/// Kept but not applied: say so first, then what looks wrong.
fn warned(lang: Language, w: WarningCode, e: &Event) -> String {
    let job = e.kind.job().map(Id::as_str).unwrap_or("");
    let op = e.kind.op().map(Id::as_str).unwrap_or("");
    let bay = e.kind.bay().map(Id::as_str).unwrap_or("");
    let b = &e.badge;
    if zh(lang) {
        let what = match w {
            WarningCode::NotClockedOn => format!("{b} 未在 {job} 工序{op} 开工"),
            WarningCode::AlreadyClockedOn => format!("{b} 已在 {job} 工序{op} 开工"),
            WarningCode::OpFinished => format!("{job} 工序{op} 已完工"),
            WarningCode::NoBay => "请先扫工位码".to_string(),
            WarningCode::AlreadyCheckedIn => format!("{job} 已接车"),
            WarningCode::OpsUnfinished => format!("{job} 还有工序未完工"),
            WarningCode::NotOnShift => format!("{b} 未上班打卡"),
            WarningCode::AlreadyOnShift => format!("{b} 已上班打卡"),
            WarningCode::BayBusy => "工位被占用".to_string(),
            WarningCode::JobClosed => format!("{job} 已交车"),
            WarningCode::ForgottenClockOff => format!("{b} 忘记下工"),
            WarningCode::NoOpenCall => format!("{bay} 没有未解除的呼叫"),
            WarningCode::CallOpen => format!("{bay} 已在呼叫中"),
            WarningCode::AlreadyAnswered => format!("{bay} 的呼叫已有人响应"),
            WarningCode::NotQc
            | WarningCode::SelfInspection
            | WarningCode::NoQc
            | WarningCode::NotAssigned
            | WarningCode::WrongRole => caveat(lang, w, e),
        };
        format!("已记录待核：{what}")
    } else {
        let what = match w {
            WarningCode::NotClockedOn => format!("{b} not on {job} op {op}"),
            WarningCode::AlreadyClockedOn => format!("{b} already on {job} op {op}"),
            WarningCode::OpFinished => format!("{job} op {op} already finished"),
            WarningCode::NoBay => "scan the bay first".to_string(),
            WarningCode::AlreadyCheckedIn => format!("{job} already checked in"),
            WarningCode::OpsUnfinished => format!("{job} has unfinished ops"),
            WarningCode::NotOnShift => format!("{b} not on shift"),
            WarningCode::AlreadyOnShift => format!("{b} already on shift"),
            WarningCode::BayBusy => "bay is busy".to_string(),
            WarningCode::JobClosed => format!("{job} already delivered"),
            WarningCode::ForgottenClockOff => format!("{b} forgot to clock off"),
            WarningCode::NoOpenCall => format!("no open call at {bay}"),
            WarningCode::CallOpen => format!("{bay} already has an open call"),
            WarningCode::AlreadyAnswered => format!("{bay}'s call was already answered"),
            WarningCode::NotQc
            | WarningCode::SelfInspection
            | WarningCode::NoQc
            | WarningCode::NotAssigned
            | WarningCode::WrongRole => caveat(lang, w, e),
        };
        format!("Kept for review: {what}")
    }
}

fn rejected(lang: Language, code: RejectCode, detail: &str) -> String {
    let d = detail;
    if zh(lang) {
        match code {
            RejectCode::BadPayload => format!("扫描数据有误：{d}"),
            RejectCode::TooLarge => "扫描数据过大".to_string(),
            RejectCode::BadVersion => "扫描枪版本不支持".to_string(),
            RejectCode::UnknownAction => format!("未知操作：{d}"),
            RejectCode::MissingField => format!("缺少字段：{d}"),
            RejectCode::UnknownJob => format!("{d} 不是在修工单"),
            RejectCode::UnknownOp => format!("工单无此工序：{d}"),
            RejectCode::UnknownBay => format!("未知工位：{d}"),
            RejectCode::UnknownBadge => format!("未知工牌：{d}"),
            RejectCode::BadTime => "扫描时间有误，请校准时钟".to_string(),
            RejectCode::SeqConflict => "序号重复，内容不同".to_string(),
            RejectCode::BayBusy => format!("工位 {d} 正在作业"),
            RejectCode::JobClosed => format!("{d} 已交车"),
            RejectCode::UnknownSite => "站点未配置".to_string(),
        }
    } else {
        match code {
            RejectCode::BadPayload => format!("Bad scan: {d}"),
            RejectCode::TooLarge => "Scan too large".to_string(),
            RejectCode::BadVersion => "Scanner version not supported".to_string(),
            RejectCode::UnknownAction => format!("Unknown action {d}"),
            RejectCode::MissingField => format!("Missing {d}"),
            RejectCode::UnknownJob => format!("{d} is not an open job"),
            RejectCode::UnknownOp => format!("No op {d} on this job"),
            RejectCode::UnknownBay => format!("Unknown bay {d}"),
            RejectCode::UnknownBadge => format!("Unknown badge {d}"),
            RejectCode::BadTime => format!("Bad time: {d}"),
            RejectCode::SeqConflict => "Seq reused with other content".to_string(),
            RejectCode::BayBusy => format!("Bay {d} is busy"),
            RejectCode::JobClosed => format!("{d} was already delivered"),
            RejectCode::UnknownSite => "Site not served here".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use bayline_domain::{CallReason, EventKey};

    use super::*;

    fn event(kind: EventKind) -> Event {
        Event {
            key: EventKey {
                ts: "2026-11-23T08:00:00Z".parse().expect("a time"),
                scanner: Id::new("HH-1").expect("an id"),
                seq: 7,
            },
            badge: Id::new("T2").expect("an id"),
            kind,
        }
    }

    fn say(lang: Language, e: &Event, warning: Option<WarningCode>, bay: Option<&str>) -> String {
        let mut site = SiteConfig::demo();
        site.language = lang;
        let bay = bay.map(|b| Id::new(b).expect("an id"));
        let r = reply_for(
            &site,
            &Judgement::Accepted {
                event: e,
                warning,
                bay,
                first_assigned: None,
            },
        );
        r.msg.to_string()
    }

    #[test]
    fn a_call_without_a_bay_names_the_bay_it_was_made_at() {
        let call = event(EventKind::Call {
            bay: None,
            reason: CallReason::Parts,
        });
        assert_eq!(
            say(Language::Zh, &call, None, Some("B03")),
            "B03 已呼叫配件"
        );
        assert_eq!(
            say(Language::En, &call, None, Some("B03")),
            "B03: called parts"
        );
    }

    #[test]
    fn answer_and_clear_say_so_and_a_bay_without_a_call_is_kept_for_review() {
        let bay = Id::new("B03").expect("an id");
        let answer = event(EventKind::Answer { bay: bay.clone() });
        assert_eq!(
            say(Language::Zh, &answer, None, None),
            "B03 呼叫已响应（T2）"
        );
        let clear = event(EventKind::Clear { bay });
        assert_eq!(say(Language::En, &clear, None, None), "B03: call cleared");
        assert_eq!(
            say(Language::Zh, &clear, Some(WarningCode::NoOpenCall), None),
            "已记录待核：B03 没有未解除的呼叫"
        );
    }

    #[test]
    fn a_shift_start_names_the_first_op_the_foreman_assigned() {
        let mut site = SiteConfig::demo();
        let shift = event(EventKind::ShiftStart);
        let first = Some((
            Id::new("RO-1").expect("an id"),
            Id::new("20").expect("an id"),
        ));
        let mut say_first = |lang| {
            site.language = lang;
            let judgement = Judgement::Accepted {
                event: &shift,
                warning: None,
                bay: None,
                first_assigned: first.clone(),
            };
            reply_for(&site, &judgement).msg.to_string()
        };
        assert_eq!(say_first(Language::Zh), "T2 上班打卡，先做 RO-1 工序20");
        assert_eq!(
            say_first(Language::En),
            "T2 shift started; first: RO-1 op 20"
        );
        assert_eq!(say(Language::En, &shift, None, None), "T2 shift started");
    }

    #[test]
    fn a_qc_result_by_the_wrong_badge_says_it_counted_and_what_is_for_review() {
        let job = Id::new("RO-1").expect("an id");
        let pass = event(EventKind::QcPass { job: job.clone() });
        assert_eq!(
            say(Language::Zh, &pass, Some(WarningCode::NotQc), None),
            "RO-1 质检通过（T2 非质检员，待核）"
        );
        assert_eq!(
            say(Language::En, &pass, Some(WarningCode::SelfInspection), None),
            "RO-1 QC passed (T2 inspected own work; for review)"
        );
        let start = event(EventKind::Start {
            job: job.clone(),
            op: Id::new("10").expect("an id"),
            bay: Id::new("B03").expect("an id"),
        });
        assert_eq!(
            say(
                Language::Zh,
                &start,
                Some(WarningCode::NotAssigned),
                Some("B03")
            ),
            "B03：RO-1 工序10 开工（未派给 T2，待核）"
        );
        let ready = event(EventKind::Ready { job });
        assert_eq!(
            say(Language::Zh, &ready, Some(WarningCode::NoQc), None),
            "RO-1 可取车（未经质检，待核）"
        );
    }
}
