use core::fmt;

use serde::de::DeserializeOwned;

use super::*;
use crate::CallReason;
use proptest::prelude::*;

fn id(s: &str) -> Id {
    Id::new(s).unwrap()
}

fn lounge() -> Lounge {
    let vehicles = [
        "凯美瑞",
        "Model 3",
        "雅阁",
        "Golf",
        "宝马3系",
        "CR-V",
        "汉EV",
        "朗逸",
    ];
    let plates = [
        "粤B12345",
        "京A88888",
        "沪C1234",
        "粤BD12345",
        "川A7Z123",
        "浙B5566",
        "湘A12",
        "苏E00001",
    ];
    let mut rows = Vec::new();
    for (i, (v, p)) in vehicles.iter().zip(plates).enumerate() {
        let row = LoungeRow {
            plate: MaskedPlate::mask(p),
            vehicle: text(v),
            stage: Stage::ALL[i % Stage::ALL.len()],
            progress: (i * 14) as u8,
            eta: Clock::at((i / 6) as u16, 10 + i as u16, 30),
            late: i == 3,
        };
        rows.push(row).unwrap();
    }
    let mut marks = Vec::new();
    for i in 0..rows.len() {
        let mark = RowMark {
            at_risk: i == 2,
            pending: (i == 1).then_some(PauseReason::Parts),
        };
        marks.push(mark).unwrap();
    }
    Lounge {
        language: Language::Zh,
        updated: Clock(9 * 60 + 41),
        rows,
        page: Page::default(),
        marks,
    }
}

fn workshop() -> Workshop {
    let mut bays = Vec::new();
    for i in 0..16u16 {
        let state = [BayState::Working, BayState::Blocked, BayState::Idle][usize::from(i % 3)];
        let busy = state != BayState::Idle;
        let mut badges = Vec::new();
        if state == BayState::Working {
            badges.push(id("T07")).unwrap();
        }
        let bay = BayRow {
            bay: id(&std::format!("B{:02}", i + 1)),
            state,
            reason: (state == BayState::Blocked).then_some(PauseReason::Parts),
            job: busy.then(|| id(&std::format!("RO-2401{:02}", i))),
            badges,
            clocked_min: if busy { 95 + i * 10 } else { 0 },
            std_min: if busy { 120 } else { 0 },
            overrun: busy && 95 + i * 10 > 120,
        };
        bays.push(bay).unwrap();
    }
    Workshop {
        language: Language::En,
        updated: Clock(14 * 60 + 5),
        bays,
        page: Page::default(),
        calls: Vec::from_slice(&[Andon {
            bay: id("B02"),
            reason: CallReason::Parts,
            opened: Clock(13 * 60 + 58),
            answered: false,
        }])
        .unwrap(),
        reason_texts: Vec::from_slice(&[ReasonText {
            bay: id("B05"),
            text: text("外协加工"),
        }])
        .unwrap(),
    }
}

fn tag() -> BayTag {
    let job = |j: &str, p: &str| TagJob {
        job: id(j),
        plate: MaskedPlate::mask(p),
        vehicle: text("凯美瑞"),
        op: text("更换刹车片"),
        badges: Vec::from_slice(&[id("T07"), id("T12")]).unwrap(),
        clocked_min: 70,
        std_min: 60,
        progress: 95,
        overrun: true,
    };
    BayTag {
        language: Language::Zh,
        updated: Clock(8 * 60 + 5),
        bay: id("B03"),
        name: text("Lift 3"),
        state: BayState::Working,
        reason: None,
        now: Some(job("RO-240117", "粤B12345")),
        next: Some(job("RO-240120", "京A54321")),
        call: Some(Andon {
            bay: id("B03"),
            reason: CallReason::Foreman,
            opened: Clock(8 * 60 + 2),
            answered: true,
        }),
        approved: true,
        reason_text: Some(text("6S 整理")),
    }
}

/// A bay tag as displays before andon calls read it.
#[derive(Debug, PartialEq, serde::Deserialize)]
struct TagBeforeCalls {
    language: Language,
    updated: Clock,
    bay: Id,
    name: Text,
    state: BayState,
    reason: Option<PauseReason>,
    now: Option<TagJob>,
    next: Option<TagJob>,
}

#[test]
fn a_display_from_before_andon_calls_still_reads_a_tag_with_a_call() {
    let t = tag();
    let mut buf = [0u8; 2048];
    let bytes = encode(&t, &mut buf).unwrap();
    let old: TagBeforeCalls = decode(bytes).unwrap();
    assert_eq!((old.bay, old.now, old.next), (t.bay, t.now, t.next));
}

/// A bay tag as displays before approvals and site reasons read it.
#[derive(Debug, PartialEq, serde::Deserialize)]
struct TagBeforeApprovals {
    language: Language,
    updated: Clock,
    bay: Id,
    name: Text,
    state: BayState,
    reason: Option<PauseReason>,
    now: Option<TagJob>,
    next: Option<TagJob>,
    call: Option<Andon>,
}

/// The workshop board as displays before site reasons read it.
#[derive(Debug, PartialEq, serde::Deserialize)]
struct WorkshopBeforeReasons {
    language: Language,
    updated: Clock,
    bays: Vec<BayRow, MAX_WORKSHOP_BAYS>,
    page: Page,
    calls: Vec<Andon, MAX_WORKSHOP_BAYS>,
}

#[test]
fn a_display_from_before_approvals_and_site_reasons_still_reads_tags_and_the_workshop() {
    let mut buf = [0u8; 2048];
    let t = tag();
    let old: TagBeforeApprovals = decode(encode(&t, &mut buf).unwrap()).unwrap();
    assert_eq!((old.bay, old.now, old.call), (t.bay, t.now, t.call));
    let w = workshop();
    let old: WorkshopBeforeReasons = decode(encode(&w, &mut buf).unwrap()).unwrap();
    assert_eq!((old.bays, old.calls), (w.bays.clone(), w.calls.clone()));
    assert_eq!(w.reason_text("B05").map(|t| t.as_str()), Some("外协加工"));
    assert_eq!(w.reason_text("B01"), None);
}

fn round_trip<M: Serialize + DeserializeOwned + PartialEq + fmt::Debug>(m: &M) -> usize {
    let mut buf = [0u8; 2048];
    let bytes = encode(m, &mut buf).unwrap();
    assert_eq!(bytes[0], FORMAT_VERSION);
    assert_eq!(&decode::<M>(bytes).unwrap(), m);
    bytes.len()
}

#[test]
fn every_board_model_round_trips() {
    round_trip(&lounge());
    round_trip(&workshop());
    round_trip(&tag());
    round_trip(&Lounge::default());
}

#[test]
fn models_fit_their_budgets() {
    let l = round_trip(&lounge());
    let w = round_trip(&workshop());
    assert!(l <= LOUNGE_BUDGET_BYTES, "8-row lounge is {l} bytes");
    assert!(w <= WORKSHOP_BUDGET_BYTES, "16-bay workshop is {w} bytes");
}

#[test]
fn a_truncated_message_is_refused_at_every_length() {
    let mut buf = [0u8; 1024];
    let bytes = encode(&workshop(), &mut buf).unwrap();
    assert_eq!(decode::<Workshop>(&[]), Err(BoardError::Empty));
    for n in 1..bytes.len() {
        let r = decode::<Workshop>(&bytes[..n]);
        assert!(
            matches!(r, Err(BoardError::Truncated | BoardError::Malformed)),
            "{n}: {r:?}"
        );
    }
    assert_eq!(
        decode::<Workshop>(&bytes[..bytes.len() - 1]),
        Err(BoardError::Truncated)
    );
}

#[test]
fn a_future_or_unknown_version_is_refused() {
    let mut buf = [0u8; 1024];
    let bytes = encode(&lounge(), &mut buf).unwrap();
    let mut future = std::vec::Vec::from(bytes);
    future[0] = FORMAT_VERSION + 1;
    assert_eq!(
        decode::<Lounge>(&future),
        Err(BoardError::FutureVersion(FORMAT_VERSION + 1))
    );
    future[0] = 0;
    assert_eq!(decode::<Lounge>(&future), Err(BoardError::BadVersion(0)));
}

#[test]
fn a_model_grown_at_its_end_still_decodes() {
    let mut buf = [0u8; 1024];
    let mut bytes = std::vec::Vec::from(encode(&tag(), &mut buf).unwrap());
    bytes.extend_from_slice(&[7, 1, 2]);
    assert_eq!(decode::<BayTag>(&bytes), Ok(tag()));
}

#[test]
fn a_display_that_knows_no_marks_still_reads_the_lounge_rows() {
    // The lounge as the first displays knew it.
    #[derive(Deserialize)]
    struct Before {
        language: Language,
        updated: Clock,
        rows: Vec<LoungeRow, MAX_LOUNGE_ROWS>,
        page: Page,
    }
    let mut buf = [0u8; 1024];
    let model = lounge();
    let old = decode::<Before>(encode(&model, &mut buf).unwrap()).unwrap();
    assert_eq!(
        (old.language, old.updated, old.rows, old.page),
        (
            model.language,
            model.updated,
            model.rows.clone(),
            model.page
        )
    );
    assert_eq!(model.mark(1).pending, Some(PauseReason::Parts));
    assert_eq!(model.mark(99), RowMark::default());
}

#[test]
fn a_small_buffer_is_reported() {
    let mut buf = [0u8; 16];
    assert_eq!(encode(&lounge(), &mut buf), Err(BoardError::BufferTooSmall));
    assert_eq!(encode(&lounge(), &mut []), Err(BoardError::BufferTooSmall));
}

#[test]
fn plates_are_masked_as_the_contract_says() {
    assert_eq!(MaskedPlate::mask("粤B12345").as_str(), "粤B***45");
    assert_eq!(MaskedPlate::mask("粤BD12345").as_str(), "粤B****45");
    assert_eq!(MaskedPlate::mask("AB1234").as_str(), "AB**34");
    assert_eq!(MaskedPlate::mask("湘A12").as_str(), "湘A**");
}

#[test]
fn clocks_show_hours_and_minutes_and_count_days() {
    let c = Clock::at(1, 9, 5).unwrap();
    assert_eq!(std::format!("{c}"), "09:05");
    assert_eq!(c.days(), 1);
    assert_eq!(Clock::at(0, 24, 0), None);
}

#[test]
fn every_stage_has_words_in_both_languages() {
    for s in Stage::ALL {
        assert!(!s.label(Language::Zh).is_empty() && !s.label(Language::En).is_empty());
    }
    assert_eq!(Stage::WaitingParts.label(Language::Zh), "等待配件");
    assert_eq!(Stage::Ready.label(Language::En), "Ready for pickup");
}

proptest! {
    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode::<Lounge>(&bytes);
        let _ = decode::<Workshop>(&bytes);
        let _ = decode::<BayTag>(&bytes);
    }
}

#[test]
fn long_texts_are_cut_at_a_character_boundary() {
    let t = text("宝马3系 Gran Turismo 长轴距版");
    assert!(t.len() <= MAX_TEXT_BYTES);
    assert!("宝马3系 Gran Turismo 长轴距版".starts_with(t.as_str()));
    assert_eq!(text("  Golf ").as_str(), "Golf");
}
