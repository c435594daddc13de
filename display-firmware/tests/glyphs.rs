//! Every GB2312 character, printable ASCII and Latin-1 has a glyph in both fonts: no DMS text
//! in GB2312 shows a replacement box. GB2312 is decoded independently of `build.rs` (which
//! works from Unicode blocks), so a block left out there fails here.

use bayline_display::font::{flash_bytes, TextStyle, WQY12, WQY16, WQY24, WQY32};

/// The assigned cells of GB2312 (row byte, first and last column byte): the symbol rows
/// 1–9 as the standard fills them, then the 72 hanzi rows 16–87 (row 55 ends at 0xF9).
fn gb2312() -> Vec<char> {
    let mut cells: Vec<(u8, u8, u8)> = vec![
        (0xA1, 0xA1, 0xFE),
        (0xA2, 0xB1, 0xE2),
        (0xA2, 0xE5, 0xEE),
        (0xA2, 0xF1, 0xFC),
        (0xA3, 0xA1, 0xFE),
        (0xA4, 0xA1, 0xF3),
        (0xA5, 0xA1, 0xF6),
        (0xA6, 0xA1, 0xB8),
        (0xA6, 0xC1, 0xD8),
        (0xA7, 0xA1, 0xC1),
        (0xA7, 0xD1, 0xF1),
        (0xA8, 0xA1, 0xBA),
        (0xA8, 0xC5, 0xE9),
        (0xA9, 0xA4, 0xEF),
    ];
    for row in 0xB0..=0xF7u8 {
        cells.push((row, 0xA1, if row == 0xD7 { 0xF9 } else { 0xFE }));
    }
    let mut out = Vec::new();
    for (row, first, last) in cells {
        for col in first..=last {
            let bytes = [row, col];
            let (text, _, bad) = encoding_rs::GBK.decode(&bytes);
            assert!(!bad, "GB2312 {row:02X}{col:02X} does not decode");
            out.extend(text.chars());
        }
    }
    out
}

#[test]
fn every_gb2312_character_has_a_glyph_in_every_size() {
    let all = gb2312();
    assert_eq!(all.len(), 7445, "GB2312 has 682 symbols and 6763 hanzi");
    // 32 px through its fallback (the 16 px glyph drawn twice as large) where its cut has none.
    for font in [&WQY12, &WQY16, &WQY24, &WQY32] {
        let style = TextStyle::new(font, 1);
        let missing: String = all.iter().filter(|&&c| !style.has(c)).collect();
        assert!(missing.is_empty(), "no glyph for {missing:?}");
    }
}

#[test]
fn ascii_and_latin1_have_glyphs_in_every_size() {
    let latin: Vec<char> = (' '..='~').chain('\u{A1}'..='\u{FF}').collect();
    for font in [&WQY12, &WQY16, &WQY24, &WQY32] {
        let style = TextStyle::new(font, 1);
        let missing: String = latin.iter().filter(|&&c| !style.has(c)).collect();
        assert!(missing.is_empty(), "no glyph for {missing:?}");
    }
}

#[test]
fn headline_characters_are_native_at_32_px_not_pixel_doubled() {
    // Plates and the boards' fixed words are in the 32 px cut itself.
    for c in "粤京沪川浙苏湘B0123456789*车辆维修进度空闲作业中".chars() {
        assert!(
            WQY32.chars.binary_search(&(c as u16)).is_ok(),
            "{c} is not native"
        );
    }
    assert!(WQY24.chars.len() >= 7445);
}

#[test]
fn text_outside_the_set_is_counted() {
    let style = TextStyle::new(&WQY16, 1);
    assert_eq!(style.missing("吉利 帝豪 粤B***45 éü"), 0);
    // Hangul and an emoji are not GB2312.
    assert_eq!(style.missing("현대 🚗"), 3);
}

#[test]
fn the_fonts_fit_the_flash_budget() {
    let bytes = flash_bytes();
    println!("fonts: {bytes} B of flash");
    assert!(bytes <= 1_500_000, "{bytes} B of fonts");
}
