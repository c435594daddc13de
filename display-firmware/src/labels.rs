//! The words the boards print, in the site's language. Stage words live in `proto`
//! ([`Stage::label`](bayline_proto::board::Stage::label)) because the server shows them too.

use bayline_proto::{CallReason, Language, PauseReason};

/// Every fixed word of the boards in one language.
#[derive(Debug)]
pub struct Words {
    pub lounge_title: &'static str,
    pub plate: &'static str,
    pub vehicle: &'static str,
    pub stage: &'static str,
    pub progress: &'static str,
    pub eta: &'static str,
    pub no_vehicles: &'static str,
    pub privacy: &'static str,
    pub tomorrow: &'static str,
    /// Suffix after a number of days, e.g. `+2天`.
    pub days: &'static str,
    pub late: &'static str,
    /// The promised time is near and the car is not ready.
    pub at_risk: &'static str,
    /// In the ETA column of a car that waits with no known end.
    pub pending: &'static str,
    pub now: &'static str,
    pub next: &'static str,
    pub nothing_next: &'static str,
    pub working: &'static str,
    pub blocked: &'static str,
    pub idle: &'static str,
    pub updated: &'static str,
    /// On a bay tag: the customer answered the approval request of the job on the bay.
    pub approved: &'static str,
}

pub const ZH: Words = Words {
    lounge_title: "车辆维修进度",
    plate: "车牌",
    vehicle: "车型",
    stage: "状态",
    progress: "进度",
    eta: "预计完成",
    no_vehicles: "目前没有车辆",
    privacy: "车牌已部分隐藏，以保护隐私",
    tomorrow: "明天",
    days: "天后",
    late: "延误",
    at_risk: "临近交车",
    pending: "待定",
    now: "当前",
    next: "下一辆",
    nothing_next: "—",
    working: "作业中",
    blocked: "停工",
    idle: "空闲",
    updated: "更新",
    approved: "客户已确认",
};

pub const EN: Words = Words {
    lounge_title: "Vehicle status",
    plate: "Plate",
    vehicle: "Vehicle",
    stage: "Status",
    progress: "Progress",
    eta: "Ready at",
    no_vehicles: "No vehicles in the workshop",
    privacy: "Plates are partly hidden for privacy",
    tomorrow: "Tomorrow",
    days: "d",
    late: "Delayed",
    at_risk: "Due soon",
    pending: "TBC",
    now: "Now",
    next: "Next",
    nothing_next: "-",
    working: "Working",
    blocked: "Blocked",
    idle: "Idle",
    updated: "Updated",
    approved: "approved",
};

pub fn words(language: Language) -> &'static Words {
    match language {
        Language::Zh => &ZH,
        Language::En => &EN,
    }
}

/// An open andon call, short enough for an LED line: who is called for.
pub fn short_call(reason: CallReason, language: Language) -> &'static str {
    use Language::{En, Zh};
    match (reason, language) {
        (CallReason::Foreman, Zh) => "呼叫组长",
        (CallReason::Parts, Zh) => "呼叫配件",
        (CallReason::Qc, Zh) => "呼叫质检",
        (CallReason::Tools, Zh) => "呼叫工具",
        (CallReason::Other, Zh) => "呼叫",
        (CallReason::Foreman, En) => "call boss",
        (CallReason::Parts, En) => "call parts",
        (CallReason::Qc, En) => "call QC",
        (CallReason::Tools, En) => "call tools",
        (CallReason::Other, En) => "call",
    }
}

/// Why a bay is blocked, short enough for an LED line.
pub fn short_reason(reason: PauseReason, language: Language) -> &'static str {
    use Language::{En, Zh};
    match (reason, language) {
        (PauseReason::Parts, Zh) => "待配件",
        (PauseReason::Approval, Zh) => "待确认",
        (PauseReason::Break, Zh) => "休息",
        (PauseReason::ShiftEnd, Zh) => "下班",
        (PauseReason::Other, Zh) => "其他",
        (PauseReason::Parts, En) => "parts",
        (PauseReason::Approval, En) => "approve",
        (PauseReason::Break, En) => "break",
        (PauseReason::ShiftEnd, En) => "off",
        (PauseReason::Other, En) => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::font::{TextStyle, WQY12, WQY16};
    use bayline_proto::board::Stage;

    #[test]
    fn every_word_a_board_prints_has_a_glyph_in_both_fonts() {
        let mut texts: heapless::Vec<&str, 160> = heapless::Vec::new();
        for w in [&ZH, &EN] {
            let all = [
                w.lounge_title,
                w.plate,
                w.vehicle,
                w.stage,
                w.progress,
                w.eta,
                w.no_vehicles,
                w.privacy,
                w.tomorrow,
                w.days,
                w.late,
                w.at_risk,
                w.pending,
                w.now,
                w.next,
                w.nothing_next,
                w.working,
                w.blocked,
                w.idle,
                w.updated,
                w.approved,
            ];
            texts.extend_from_slice(&all).unwrap();
        }
        for lang in [Language::Zh, Language::En] {
            for s in Stage::ALL {
                texts.push(s.label(lang)).unwrap();
            }
            for r in PauseReason::ALL {
                texts.push(r.label(lang)).unwrap();
                texts.push(short_reason(r, lang)).unwrap();
            }
            for r in CallReason::ALL {
                texts.push(r.label(lang)).unwrap();
                texts.push(short_call(r, lang)).unwrap();
            }
        }
        let provinces = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领";
        texts
            .extend_from_slice(&[provinces, "0123456789:/%*+-·，。：（）…"])
            .unwrap();
        for style in [TextStyle::new(&WQY12, 1), TextStyle::new(&WQY16, 1)] {
            for t in &texts {
                for c in t.chars() {
                    assert!(style.has(c), "{c:?} of {t:?} has no glyph");
                }
            }
        }
    }
}
