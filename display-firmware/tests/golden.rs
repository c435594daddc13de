//! Golden images: every board on each of its panel profiles in both languages, from fixed
//! fixtures, pixel for pixel. `BLESS=1 cargo test -p bayline-display --test golden` rewrites
//! them; on a mismatch the actual image and a diff are written under the target directory.
#![cfg(feature = "std")]

use std::path::{Path, PathBuf};

use bayline_display::preview::{encode_png, render_image, Image};
use bayline_display::profile::{self, BoardKind};
use bayline_display::{fixtures, Board};
use bayline_proto::Language;

/// The boards of a kind, each with the name its golden carries after the profile's.
fn boards(kind: BoardKind, language: Language) -> Vec<(&'static str, Board)> {
    match kind {
        BoardKind::Lounge => vec![("", Board::Lounge(fixtures::lounge(language)))],
        BoardKind::Workshop => vec![("", Board::Workshop(fixtures::workshop(language)))],
        BoardKind::Tag => vec![
            ("", Board::Tag(fixtures::tag(language))),
            ("-approved", Board::Tag(fixtures::tag_approved(language))),
            (
                "-site-reason",
                Board::Tag(fixtures::tag_site_reason(language)),
            ),
        ],
    }
}

fn read_png(path: &Path) -> Option<Image> {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).ok()?));
    let mut reader = decoder.read_info().ok()?;
    let mut data = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut data).ok()?;
    data.truncate(info.buffer_size());
    Some(Image {
        width: info.width,
        height: info.height,
        rgb: info.color_type == png::ColorType::Rgb,
        data,
    })
}

/// Red where the images differ, faint grey elsewhere.
fn diff(a: &Image, b: &Image) -> Image {
    let px = |i: &Image, n: usize| {
        if i.rgb {
            i.data.get(n * 3..n * 3 + 3).map(<[u8]>::to_vec)
        } else {
            i.data.get(n).map(|&g| vec![g])
        }
    };
    let n = (a.width * a.height) as usize;
    let data = (0..n)
        .flat_map(|k| {
            if px(a, k) == px(b, k) {
                [230, 230, 230]
            } else {
                [255, 0, 0]
            }
        })
        .collect();
    Image {
        width: a.width,
        height: a.height,
        rgb: true,
        data,
    }
}

/// The image `k` times larger, for people to look at.
fn zoom(i: &Image, k: u32) -> Image {
    let c = if i.rgb { 3 } else { 1 };
    let mut data = Vec::new();
    for y in 0..i.height * k {
        for x in 0..i.width * k {
            let n = (((y / k) * i.width + x / k) * c) as usize;
            data.extend_from_slice(&i.data[n..n + c as usize]);
        }
    }
    Image {
        width: i.width * k,
        height: i.height * k,
        rgb: i.rgb,
        data,
    }
}

#[test]
fn every_board_matches_its_golden_image_on_every_profile_in_both_languages() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("golden");
    std::fs::create_dir_all(&out).unwrap();
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    for p in profile::ALL {
        for (language, lang) in [(Language::Zh, "zh"), (Language::En, "en")] {
            for (variant, board) in boards(p.board, language) {
                let name = format!("{}{variant}-{}.png", p.name, lang);
                let actual = render_image(&board, &p);
                if p.width < 400 {
                    let zoomed = encode_png(&zoom(&actual, 3)).unwrap();
                    std::fs::write(out.join(format!("zoom-{name}")), zoomed).unwrap();
                }
                if bless {
                    std::fs::write(dir.join(&name), encode_png(&actual).unwrap()).unwrap();
                    continue;
                }
                match read_png(&dir.join(&name)) {
                    Some(golden) if golden == actual => {}
                    golden => {
                        std::fs::write(out.join(&name), encode_png(&actual).unwrap()).unwrap();
                        if let Some(g) =
                            golden.filter(|g| g.width == actual.width && g.height == actual.height)
                        {
                            std::fs::write(
                                out.join(format!("diff-{name}")),
                                encode_png(&diff(&g, &actual)).unwrap(),
                            )
                            .unwrap();
                        }
                        failures.push(name);
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "images differ from tests/golden: {failures:?}; actual and diff in {}",
        out.display()
    );
}
