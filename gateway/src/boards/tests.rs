use bayline_proto::board::{BayState, BayTag, Lounge, Page, Workshop};
use bayline_proto::Language;

use super::*;

fn boards(updated: u16, bay_state: BayState) -> Boards {
    Boards {
        lounge: vec![Lounge {
            language: Language::Zh,
            updated: Clock(updated),
            rows: heapless::Vec::new(),
            page: Page::default(),
            marks: heapless::Vec::new(),
        }],
        workshop: vec![Workshop {
            language: Language::Zh,
            updated: Clock(updated),
            bays: heapless::Vec::new(),
            page: Page::default(),
            calls: heapless::Vec::new(),
            reason_texts: heapless::Vec::new(),
        }],
        tags: vec![BayTag {
            language: Language::Zh,
            updated: Clock(updated),
            bay: Id::new("B01").unwrap(),
            name: board::text("Lift 1"),
            state: bay_state,
            reason: None,
            now: None,
            next: None,
            call: None,
            approved: false,
            reason_text: None,
        }],
    }
}

fn topics(m: &[Message]) -> Vec<&str> {
    m.iter().map(|m| m.topic.as_str()).collect()
}

#[test]
fn every_board_goes_out_first_then_only_what_changed() {
    let mut retained = Retained::default();
    let first = retained.changed(messages("demo", &boards(600, BayState::Idle)).unwrap());
    assert_eq!(
        topics(&first),
        [
            "bayline/demo/boards/lounge",
            "bayline/demo/boards/workshop",
            "bayline/demo/boards/bay/B01"
        ]
    );
    let tag: BayTag = board::decode(&first[2].payload).unwrap();
    assert_eq!((tag.updated, tag.state), (Clock(600), BayState::Idle));

    let same = retained.changed(messages("demo", &boards(600, BayState::Idle)).unwrap());
    assert!(same.is_empty());
    let later = retained.changed(messages("demo", &boards(601, BayState::Idle)).unwrap());
    assert!(later.is_empty(), "the clock alone is not a change");

    let busy = retained.changed(messages("demo", &boards(602, BayState::Working)).unwrap());
    assert_eq!(topics(&busy), ["bayline/demo/boards/bay/B01"]);
    let tag: BayTag = board::decode(&busy[0].payload).unwrap();
    assert_eq!((tag.updated, tag.state), (Clock(602), BayState::Working));
}

#[test]
fn after_forgetting_everything_goes_out_again() {
    let mut retained = Retained::default();
    let b = boards(600, BayState::Idle);
    retained.changed(messages("demo", &b).unwrap());
    retained.forget();
    assert_eq!(retained.changed(messages("demo", &b).unwrap()).len(), 3);
}

/// The lounge in `n` pages.
fn lounge_pages(n: u16) -> Vec<Lounge> {
    (0..n)
        .map(|index| Lounge {
            language: Language::Zh,
            updated: Clock(600),
            rows: heapless::Vec::new(),
            page: Page {
                index,
                count: n,
                total: n * 8,
            },
            marks: heapless::Vec::new(),
        })
        .collect()
}

#[test]
fn a_text_outside_the_glyphs_is_counted() {
    let mut b = boards(600, BayState::Idle);
    assert_eq!(texts_outside_glyphs(&b), 0);
    b.tags[0].name = board::text("현대 Lift");
    assert_eq!(texts_outside_glyphs(&b), 1);
    b.tags[0].name = board::text("吉利 帝豪 Lift");
    assert_eq!(texts_outside_glyphs(&b), 0);
}

#[test]
fn each_page_has_its_topic_and_pages_gone_are_cleared() {
    let mut retained = Retained::default();
    let mut b = boards(600, BayState::Idle);
    b.lounge = lounge_pages(3);
    let first = retained.changed(messages("demo", &b).unwrap());
    assert_eq!(
        topics(&first)[..3],
        [
            "bayline/demo/boards/lounge",
            "bayline/demo/boards/lounge/2",
            "bayline/demo/boards/lounge/3"
        ]
    );
    let page: Lounge = board::decode(&first[2].payload).unwrap();
    assert_eq!((page.page.index, page.page.count), (2, 3));

    b.lounge = lounge_pages(1);
    let fewer = retained.changed(messages("demo", &b).unwrap());
    let cleared: Vec<&Message> = fewer.iter().filter(|m| m.payload.is_empty()).collect();
    assert_eq!(
        cleared.iter().map(|m| m.topic.as_str()).collect::<Vec<_>>(),
        [
            "bayline/demo/boards/lounge/2",
            "bayline/demo/boards/lounge/3"
        ]
    );
    assert!(topics(&fewer).contains(&"bayline/demo/boards/lounge"));
    assert!(
        retained.changed(messages("demo", &b).unwrap()).is_empty(),
        "cleared once"
    );
    assert!(
        retained
            .changed(messages("other", &boards(600, BayState::Idle)).unwrap())
            .len()
            == 3,
        "another site clears nothing of demo"
    );
}
