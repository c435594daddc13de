//! The firmware's costs (encoded model bytes, frame buffers and tile hashes per panel, the
//! glyph subset's flash), checked against their budgets. See them with
//! `cargo test -p bayline-display --test measure -- --nocapture`.
#![cfg(feature = "std")]

use bayline_display::profile::ALL;
use bayline_display::{fixtures, font};
use bayline_proto::board::{encode, LOUNGE_BUDGET_BYTES, WORKSHOP_BUDGET_BYTES};
use bayline_proto::Language;

#[test]
fn board_models_fit_their_byte_budgets() {
    let mut buf = [0u8; 1024];
    for lang in [Language::Zh, Language::En] {
        let lounge = encode(&fixtures::lounge(lang), &mut buf).unwrap().len();
        assert_eq!(fixtures::lounge(lang).rows.len(), 8);
        let workshop = encode(&fixtures::workshop(lang), &mut buf).unwrap().len();
        assert_eq!(fixtures::workshop(lang).bays.len(), 16);
        let tag = encode(&fixtures::tag(lang), &mut buf).unwrap().len();
        println!(
            "{lang:?}: 8-row lounge {lounge} B, 16-bay workshop {workshop} B, bay tag {tag} B"
        );
        assert!(lounge <= LOUNGE_BUDGET_BYTES && workshop <= WORKSHOP_BUDGET_BYTES);
    }
}

#[test]
fn frame_buffers_and_tile_hashes_per_profile() {
    for p in ALL {
        let tiles = match p.panel {
            bayline_display::Panel::Mono => p.tiles() * 4,
            bayline_display::Panel::Rgb => 0,
        };
        println!(
            "{}: frame buffer {} B, tile hashes {} B",
            p.name,
            p.frame_bytes(),
            tiles
        );
    }
    assert_eq!(ALL[0].frame_bytes(), 48_000);
}

#[test]
fn all_font_sizes_fit_in_1_5_mb_of_flash() {
    let bytes = font::flash_bytes();
    println!(
        "glyphs: 12 px {}, 16 px {}, 24 px {}, 32 px {} (headlines), {bytes} B of flash",
        font::WQY12.chars.len(),
        font::WQY16.chars.len(),
        font::WQY24.chars.len(),
        font::WQY32.chars.len()
    );
    assert!(bytes <= 1_500_000, "{bytes} B");
}
