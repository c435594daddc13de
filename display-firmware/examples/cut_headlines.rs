//! Cuts the native headline fonts out of WenQuanYi Micro Hei (Debian `fonts-wqy-microhei`)
//! into `display-firmware/fonts/`, which `build.rs` turns into glyph tables:
//!
//! - `wqy24.bin`: every GB2312 character, ASCII and Latin-1 at 24 px (the lounge's body text,
//!   which holds car models from the DMS);
//! - `wqy32.bin`: at 32 px only what headlines hold (ASCII, Latin-1, the plates' province
//!   characters and every fixed word of the boards); any other character falls back to the
//!   16 px glyph drawn twice as large, so nothing shows as a box.
//!
//! ```sh
//! apt-get install fonts-wqy-microhei
//! cargo run -p bayline-display --example cut_headlines -- /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
//! ```
//!
//! Kept out of `build.rs` so the crate builds without the font installed; the cut is
//! checked in and is the same on every machine.
//!
//! File format (little-endian): `BLF1`, line height u8, ascent i8, count u16, then `count`
//! code points (u16), `count` glyph records of 8 bytes as in `FontData::glyphs`, then the
//! bit stream.

use std::collections::BTreeSet;
use std::path::Path;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use bayline_display::labels::{EN, ZH};

fn main() -> Result<(), String> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc".into());
    let data = std::fs::read(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let font = FontRef::try_from_slice_and_index(&data, 0).map_err(|e| format!("{path}: {e}"))?;
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let mut all: Vec<char> = gb2312().collect();
    all.sort_unstable();
    all.dedup();
    let headline: BTreeSet<char> = (' '..='~')
        .chain('\u{A0}'..='\u{FF}')
        .chain(PROVINCES.chars())
        .chain(words().chars())
        .chain(['…', '—', '·', '*'])
        .collect();
    for (px, chars, name) in [
        (24.0, all, "wqy24.bin"),
        (32.0, headline.into_iter().collect(), "wqy32.bin"),
    ] {
        let bytes = cut(&font, px, &chars);
        let dest = out.join(name);
        std::fs::write(&dest, &bytes).map_err(|e| format!("{}: {e}", dest.display()))?;
        println!("{}: {} bytes", dest.display(), bytes.len());
    }
    Ok(())
}

/// The first character of a plate: the provinces, and the special plates' marks.
const PROVINCES: &str =
    "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领学警挂港澳";

/// Every fixed word of the boards in both languages, and the stage and pause words.
fn words() -> String {
    use bayline_proto::board::Stage;
    use bayline_proto::{Language, PauseReason};
    let mut s = String::new();
    for w in [&ZH, &EN] {
        for part in [
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
            w.now,
            w.next,
            w.nothing_next,
            w.working,
            w.blocked,
            w.idle,
            w.updated,
        ] {
            s.push_str(part);
        }
    }
    for lang in [Language::Zh, Language::En] {
        for stage in Stage::ALL {
            s.push_str(stage.label(lang));
        }
        for reason in PauseReason::ALL {
            s.push_str(reason.label(lang));
        }
    }
    s.push_str("离线 / offline since 连接中 / connecting");
    s
}

/// Every GB2312 character (decoded from its code table, as `tests/glyphs.rs` does), with
/// ASCII and Latin-1.
fn gb2312() -> impl Iterator<Item = char> {
    let hanzi = (0xA1u8..=0xF7).flat_map(|row| (0xA1u8..=0xFE).map(move |col| [row, col]));
    let decoded = hanzi.filter_map(|code| {
        let (s, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&code);
        let mut chars = s.chars();
        match (had_errors, chars.next(), chars.next()) {
            (false, Some(c), None) => Some(c),
            _ => None,
        }
    });
    (' '..='~')
        .chain('\u{A0}'..='\u{FF}')
        .chain(decoded)
        .chain(['…', '—', '·'])
}

/// Rasterises `chars` at `px`, thresholded to 1 bit, cropped to the ink.
fn cut(font: &FontRef<'_>, px: f32, chars: &[char]) -> Vec<u8> {
    let scaled = font.as_scaled(PxScale::from(px));
    let ascent = scaled.ascent().ceil() as i32;
    let line = (scaled.ascent() - scaled.descent()).ceil() as i32;
    let mut records = Vec::new();
    let mut bits: Vec<u8> = Vec::new();
    let mut nbits = 0usize;
    for &c in chars {
        let id = font.glyph_id(c);
        // Id 0 is the font's own "missing" glyph: leave the character out.
        if id.0 == 0 && c != '\0' {
            continue;
        }
        let advance = scaled.h_advance(id).round() as i32;
        let glyph =
            id.with_scale_and_position(PxScale::from(px), ab_glyph::point(0.0, ascent as f32));
        let start = nbits;
        let (x, y, w, h) = match font.outline_glyph(glyph) {
            None => (0, 0, 0, 0),
            Some(outline) => {
                let b = outline.px_bounds();
                let (w, h) = (b.width() as usize, b.height() as usize);
                let mut ink = vec![false; w * h];
                outline.draw(|x, y, cov| {
                    if cov >= 0.5 {
                        if let Some(p) = ink.get_mut(y as usize * w + x as usize) {
                            *p = true;
                        }
                    }
                });
                for on in ink {
                    if nbits % 8 == 0 {
                        bits.push(0);
                    }
                    if on {
                        if let Some(byte) = bits.last_mut() {
                            *byte |= 0x80 >> (nbits % 8);
                        }
                    }
                    nbits += 1;
                }
                (b.min.x as i32, b.min.y as i32, w as i32, h as i32)
            }
        };
        let Ok(code) = u16::try_from(u32::from(c)) else {
            continue;
        };
        let s = (start as u32).to_be_bytes();
        records.push((
            code,
            [
                s[1],
                s[2],
                s[3],
                x as i8 as u8,
                y as i8 as u8,
                w as u8,
                h as u8,
                advance.clamp(0, 255) as u8,
            ],
        ));
    }
    let mut out = b"BLF1".to_vec();
    out.push(line as u8);
    out.push(ascent as i8 as u8);
    out.extend((records.len() as u16).to_le_bytes());
    for (c, _) in &records {
        out.extend(c.to_le_bytes());
    }
    for (_, g) in &records {
        out.extend(g);
    }
    out.extend(bits);
    out
}
