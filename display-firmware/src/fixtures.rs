//! Fixed board models (`std`): the golden images, the measurements and the demo site use them.

use bayline_proto::board::{
    Andon, BayRow, BayState, BayTag, Clock, Lounge, LoungeRow, MaskedPlate, Page, ReasonText,
    RowMark, Stage, TagJob, Text, Workshop,
};
use bayline_proto::{CallReason, Id, Language, PauseReason};

fn id(s: &str) -> Id {
    Id::new(s).expect("fixture ids are short ASCII literals and formats (T07, B03, RO-241120)")
}

fn text(s: &str) -> Text {
    Text::try_from(s).expect("fixture texts are literals within the 24 bytes of a board text")
}

fn clock(days: u16, h: u16, m: u16) -> Option<Clock> {
    Clock::at(days, h, m)
}

/// Eight vehicles, every customer stage, one late, one at risk, one waiting with no ETA, one
/// tomorrow, one long name.
pub fn lounge(language: Language) -> Lounge {
    let zh = language == Language::Zh;
    let rows = [
        (
            "粤B12345",
            "凯美瑞",
            "Camry",
            Stage::InProgress,
            45,
            clock(0, 11, 30),
            false,
        ),
        (
            "京A88888",
            "宝马3系",
            "BMW 3 Series",
            Stage::WaitingParts,
            30,
            None,
            false,
        ),
        (
            "沪C7Z123",
            "雅阁",
            "Accord",
            Stage::Ready,
            100,
            clock(0, 9, 30),
            false,
        ),
        (
            "粤BD12345",
            "汉EV",
            "Han EV",
            Stage::WaitingApproval,
            20,
            clock(1, 10, 0),
            true,
        ),
        (
            "川A5566K",
            "途观L",
            "Tiguan L",
            Stage::QualityCheck,
            95,
            clock(0, 10, 45),
            false,
        ),
        (
            "浙B99999",
            "奔驰E级",
            "Mercedes E-Class LWB",
            Stage::Washing,
            98,
            clock(0, 10, 15),
            false,
        ),
        (
            "苏E00001",
            "Model 3",
            "Model 3",
            Stage::CheckedIn,
            0,
            None,
            false,
        ),
        (
            "湘A12345",
            "朗逸",
            "Lavida",
            Stage::InProgress,
            70,
            clock(0, 16, 20),
            true,
        ),
    ];
    // Row 1 waits for parts with no known end; row 0 is near its promise.
    let marks = (0..rows.len())
        .map(|i| RowMark {
            at_risk: i == 0,
            pending: (i == 1).then_some(PauseReason::Parts),
        })
        .collect();
    let rows = rows
        .into_iter()
        .map(
            |(plate, zh_v, en_v, stage, progress, eta, late)| LoungeRow {
                plate: MaskedPlate::mask(plate),
                vehicle: text(if zh { zh_v } else { en_v }),
                stage,
                progress,
                eta,
                late,
            },
        )
        .collect();
    Lounge {
        language,
        updated: Clock(9 * 60 + 41),
        rows,
        page: Page::default(),
        marks,
    }
}

/// Sixteen bays: working, blocked for each reason, idle, overruns; B06 calls for parts
/// (unanswered, it blinks) and B11 for the foreman (answered).
pub fn workshop(language: Language) -> Workshop {
    let bays = (0..16u16)
        .map(|i| {
            let state = match i % 4 {
                0 | 3 => BayState::Working,
                1 => BayState::Blocked,
                _ => BayState::Idle,
            };
            let busy = state != BayState::Idle;
            let badges = match state {
                BayState::Working if i == 3 => vec![id("T07"), id("T12")],
                BayState::Working => vec![id(&format!("T{:02}", i + 1))],
                _ => vec![],
            };
            let std_min = if busy { 60 + 30 * (i % 3) } else { 0 };
            let clocked_min = if busy { 35 + 12 * i } else { 0 };
            BayRow {
                bay: id(&format!("B{:02}", i + 1)),
                state,
                reason: (state == BayState::Blocked)
                    .then(|| PauseReason::ALL[usize::from(i / 4) % 5]),
                job: busy.then(|| id(&format!("RO-2411{:02}", 20 + i))),
                badges: badges.into_iter().collect(),
                clocked_min,
                std_min,
                overrun: busy && clocked_min > std_min,
            }
        })
        .collect();
    let call = |bay: &str, reason, minute: u16, answered| Andon {
        bay: id(bay),
        reason,
        opened: Clock(13 * 60 + minute),
        answered,
    };
    Workshop {
        language,
        updated: Clock(14 * 60 + 5),
        bays,
        page: Page::default(),
        calls: [
            call("B06", CallReason::Parts, 58, false),
            call("B11", CallReason::Foreman, 50, true),
        ]
        .into_iter()
        .collect(),
        // B10 is blocked for a reason of the site's own.
        reason_texts: [ReasonText {
            bay: id("B10"),
            text: text(if language == Language::Zh {
                "外协加工"
            } else {
                "sublet"
            }),
        }]
        .into_iter()
        .collect(),
    }
}

/// A bay with an overrun job on it and the next one waiting; in Chinese its technician has
/// called for parts (so both headers have a golden).
pub fn tag(language: Language) -> BayTag {
    let zh = language == Language::Zh;
    let now = TagJob {
        job: id("RO-241117"),
        plate: MaskedPlate::mask("粤B12345"),
        vehicle: text(if zh { "凯美瑞" } else { "Camry" }),
        op: text(if zh {
            "更换前刹车片"
        } else {
            "Front brake pads"
        }),
        badges: [id("T07"), id("T12")].into_iter().collect(),
        clocked_min: 75,
        std_min: 60,
        progress: 95,
        overrun: true,
    };
    let next = TagJob {
        job: id("RO-241120"),
        plate: MaskedPlate::mask("京A54321"),
        vehicle: text(if zh { "雅阁" } else { "Accord" }),
        op: text(if zh {
            "保养 机油 滤芯"
        } else {
            "Service: oil, filter"
        }),
        badges: heapless::Vec::new(),
        clocked_min: 0,
        std_min: 90,
        progress: 0,
        overrun: false,
    };
    BayTag {
        language,
        updated: Clock(8 * 60 + 5),
        bay: id("B03"),
        name: text(if zh { "举升机 3" } else { "Lift 3" }),
        state: BayState::Working,
        reason: None,
        now: Some(now),
        next: Some(next),
        call: zh.then(|| Andon {
            bay: id("B03"),
            reason: CallReason::Parts,
            opened: Clock(8 * 60 + 2),
            answered: false,
        }),
        approved: false,
        reason_text: None,
    }
}

/// The tag's bay blocked while its customer was asked for extra work, who has just
/// approved: the technician has not scanned since.
pub fn tag_approved(language: Language) -> BayTag {
    BayTag {
        state: BayState::Blocked,
        reason: Some(PauseReason::Approval),
        call: None,
        approved: true,
        ..tag(language)
    }
}

/// The tag's bay blocked for a pause reason of the site's own (its label, not the
/// category's, in the header).
pub fn tag_site_reason(language: Language) -> BayTag {
    BayTag {
        state: BayState::Blocked,
        reason: Some(PauseReason::Other),
        call: None,
        reason_text: Some(text(if language == Language::Zh {
            "外协加工"
        } else {
            "Sublet"
        })),
        ..tag(language)
    }
}
