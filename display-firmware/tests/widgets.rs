//! Widgets and text on `MockDisplay`: progress bars, badges, ellipsis, wrapping, unknown
//! characters, and the overrun colour of the workshop board.

use bayline_display::color::{Ink, Role};
use bayline_display::font::{TextStyle, WQY12};
use bayline_display::widgets::{badge, clocked, progress_bar};
use embedded_graphics::mock_display::MockDisplay;
use embedded_graphics::pixelcolor::{BinaryColor, Rgb888};
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

const SMALL: TextStyle = TextStyle::new(&WQY12, 1);

fn bar(percent: u8) -> MockDisplay<BinaryColor> {
    let mut d = MockDisplay::new();
    let area = Rectangle::new(Point::zero(), Size::new(12, 6));
    progress_bar(&mut d, area, percent, Role::Text).unwrap();
    d
}

#[test]
fn a_progress_bar_is_empty_at_0_half_at_50_and_full_at_100_percent() {
    bar(0).assert_pattern(&[
        "############",
        "#          #",
        "#          #",
        "#          #",
        "#          #",
        "############",
    ]);
    bar(50).assert_pattern(&[
        "############",
        "#          #",
        "# ####     #",
        "# ####     #",
        "#          #",
        "############",
    ]);
    bar(100).assert_pattern(&[
        "############",
        "#          #",
        "# ######## #",
        "# ######## #",
        "#          #",
        "############",
    ]);
    assert_eq!(bar(250), bar(100), "more than 100 % is shown as 100 %");
}

#[test]
fn a_badge_is_text_in_the_background_colour_on_its_role() {
    let mut d = MockDisplay::<Rgb888>::new();
    d.set_allow_overdraw(true);
    let end = badge(&mut d, "1", Point::zero(), &SMALL, 2, Role::Overrun).unwrap();
    assert_eq!(end, SMALL.width("1") as i32 + 4);
    assert_eq!(d.get_pixel(Point::zero()), Some(Rgb888::ink(Role::Overrun)));
    let inside =
        (0..SMALL.height() as i32).any(|y| d.get_pixel(Point::new(4, y)) == Some(Rgb888::BLACK));
    assert!(inside, "the digit is cut out in the background colour");
}

#[test]
fn long_text_is_cut_to_width_with_an_ellipsis() {
    let mut cut = MockDisplay::<BinaryColor>::new();
    cut.set_allow_overdraw(true);
    let end = SMALL
        .draw_fit(
            &mut cut,
            "Waiting for approval",
            Point::zero(),
            40,
            BinaryColor::On,
        )
        .unwrap();
    assert!(end <= 40, "ends at {end}");
    let room = 40 - SMALL.advance('…');
    let text = "Waiting for approval";
    let keep = (0..text.len())
        .rev()
        .find(|&n| SMALL.width(&text[..n]) <= room)
        .unwrap();
    assert!(keep > 0 && keep < text.len());
    let mut expected = MockDisplay::<BinaryColor>::new();
    expected.set_allow_overdraw(true);
    let kept = text[..keep].trim_end();
    let x = SMALL
        .draw(&mut expected, kept, Point::zero(), BinaryColor::On)
        .unwrap();
    SMALL
        .draw(&mut expected, "…", Point::new(x, 0), BinaryColor::On)
        .unwrap();
    cut.assert_eq(&expected);
}

#[test]
fn text_that_fits_is_not_cut() {
    let mut a = MockDisplay::<BinaryColor>::new();
    let mut b = MockDisplay::<BinaryColor>::new();
    SMALL
        .draw_fit(&mut a, "可取车", Point::zero(), 40, BinaryColor::On)
        .unwrap();
    SMALL
        .draw(&mut b, "可取车", Point::zero(), BinaryColor::On)
        .unwrap();
    a.assert_eq(&b);
}

#[test]
fn chinese_wraps_between_characters_and_latin_at_spaces() {
    assert_eq!(
        SMALL.split_line("等待配件等待确认", 50),
        ("等待配件", "等待确认")
    );
    let w = SMALL.width("In repair ");
    assert_eq!(SMALL.split_line("In repair now", w), ("In repair", "now"));
    assert_eq!(
        SMALL.split_line("更换 brake pads", SMALL.width("更换 brake")),
        ("更换 brake", "pads")
    );
    let mut d = MockDisplay::<BinaryColor>::new();
    let area = Rectangle::new(Point::zero(), Size::new(50, 28));
    assert_eq!(
        SMALL
            .draw_wrapped(&mut d, "更换前刹车片检查", area, BinaryColor::On)
            .unwrap(),
        2
    );
}

#[test]
fn an_unknown_character_is_drawn_as_a_box_without_panic() {
    assert!(!SMALL.has('龘'));
    let mut d = MockDisplay::<BinaryColor>::new();
    let end = SMALL
        .draw(&mut d, "龘", Point::zero(), BinaryColor::On)
        .unwrap();
    assert_eq!(end, 14);
    assert_eq!(d.get_pixel(Point::new(1, 1)), Some(BinaryColor::On));
    assert!(d.affected_area().size.width >= 10);
}

#[test]
fn clocked_time_reads_hours_and_minutes() {
    assert_eq!(clocked(95, 120).as_str(), "1:35/2:00");
}

#[cfg(feature = "std")]
#[test]
fn only_an_overrun_bay_is_drawn_in_the_overrun_colour() {
    use bayline_display::preview::Canvas;
    use bayline_display::profile::HUB75_128X64;
    use bayline_display::{fixtures, workshop};
    use bayline_proto::Language;

    let model = fixtures::workshop(Language::En);
    let mut c = Canvas::<Rgb888>::new(128, 64);
    workshop::render(&model, &HUB75_128X64, 0, &mut c).unwrap();
    let red_in_line = |line: usize| {
        // The line's text and its time bar, not the row the next line's tallest glyphs reach.
        let rows = 10 + line * 13..10 + line * 13 + 12;
        rows.flat_map(|y| c.pixels[y * 128..(y + 1) * 128].iter())
            .any(|p| *p == Rgb888::ink(Role::Overrun))
    };
    let bays = &model.bays[..4];
    for (i, b) in bays.iter().enumerate() {
        assert_eq!(
            red_in_line(i),
            b.overrun,
            "bay {} overrun {}",
            b.bay,
            b.overrun
        );
    }
    assert!(bays.iter().any(|b| b.overrun) && bays.iter().any(|b| !b.overrun));
}
