//! Previews as the server calls them, and boards with nothing on them.
#![cfg(feature = "std")]

use bayline_display::preview::{render_image, render_png, render_png_encoded, PreviewError};
use bayline_display::profile::{self, BoardKind, HUB75_256X64, LOUNGE_7IN5, TAG_2IN9};
use bayline_display::{fixtures, Board};
use bayline_proto::board::{encode, BayState, BoardError, Lounge, Workshop};
use bayline_proto::Language;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

#[test]
fn an_encoded_board_message_renders_to_a_png() {
    let mut buf = [0u8; 1024];
    let bytes = encode(&fixtures::lounge(Language::Zh), &mut buf).unwrap();
    let png = render_png_encoded(BoardKind::Lounge, bytes, &LOUNGE_7IN5).unwrap();
    assert!(png.starts_with(PNG_SIGNATURE));
    let direct = render_png(&Board::Lounge(fixtures::lounge(Language::Zh)), &LOUNGE_7IN5).unwrap();
    assert_eq!(png, direct);
}

#[test]
fn a_broken_board_message_is_an_error_not_a_picture() {
    let mut buf = [0u8; 1024];
    let bytes = encode(&fixtures::workshop(Language::En), &mut buf).unwrap();
    let r = render_png_encoded(
        BoardKind::Workshop,
        &bytes[..bytes.len() - 1],
        &HUB75_256X64,
    );
    assert!(matches!(
        r,
        Err(PreviewError::Decode(BoardError::Truncated))
    ));
}

#[test]
fn empty_boards_render_on_every_profile() {
    let mut tag = fixtures::tag(Language::En);
    tag.now = None;
    tag.next = None;
    tag.state = BayState::Idle;
    for p in profile::ALL {
        for board in [
            Board::Lounge(Lounge::default()),
            Board::Workshop(Workshop::default()),
            Board::Tag(tag.clone()),
        ] {
            let image = render_image(&board, &p);
            assert_eq!(image.width, u32::from(p.width));
        }
    }
    let lounge = render_image(&Board::Lounge(Lounge::default()), &LOUNGE_7IN5);
    assert!(lounge.data.contains(&0));
    let tag = render_image(&Board::Tag(fixtures::tag(Language::Zh)), &TAG_2IN9);
    assert_eq!(tag.height, 128);
}

#[test]
fn a_paged_workshop_preview_shows_every_page() {
    let board = Board::Workshop(fixtures::workshop(Language::Zh));
    assert_eq!(board.pages(&HUB75_256X64), 2);
    assert_eq!(render_image(&board, &HUB75_256X64).height, 64 * 2 + 2);
}

#[test]
fn a_lounge_page_of_several_is_marked_in_its_footer_only() {
    let one = fixtures::lounge(Language::Zh);
    let mut second = one.clone();
    second.page = bayline_proto::board::Page {
        index: 1,
        count: 3,
        total: 20,
    };
    let a = render_image(&Board::Lounge(one), &LOUNGE_7IN5);
    let b = render_image(&Board::Lounge(second.clone()), &LOUNGE_7IN5);
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lounge-2of3.png");
    std::fs::write(
        &out,
        render_png(&Board::Lounge(second), &LOUNGE_7IN5).unwrap(),
    )
    .unwrap();
    let width = usize::from(LOUNGE_7IN5.width);
    let footer = usize::from(LOUNGE_7IN5.height - LOUNGE_7IN5.row / 2);
    let differ: Vec<usize> = (0..a.data.len())
        .filter(|&i| a.data[i] != b.data[i])
        .map(|i| i / width)
        .collect();
    assert!(!differ.is_empty(), "no page mark drawn");
    assert!(
        differ.iter().all(|&y| y >= footer),
        "the mark is drawn above the footer"
    );
}

#[test]
fn the_workshop_numbers_its_screens_across_pages_of_the_board() {
    use bayline_display::workshop::screen;
    let mut w = fixtures::workshop(Language::En);
    // 16 bays on one model: screens of this model alone.
    let alone = screen(&w, &profile::HUB75_128X64, 0);
    assert_eq!(alone.0, 0);
    // The second of three models of 60 bays: 24 + 24 + 12.
    w.page = bayline_proto::board::Page {
        index: 1,
        count: 3,
        total: 60,
    };
    let per = bayline_display::workshop::per_page(&profile::HUB75_128X64);
    let full = 24usize.div_ceil(per);
    let (index, count) = screen(&w, &profile::HUB75_128X64, 0);
    assert_eq!(index, full);
    assert_eq!(count, 2 * full + 12usize.div_ceil(per));
}
