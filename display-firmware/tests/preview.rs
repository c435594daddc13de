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
