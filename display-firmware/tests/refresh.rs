//! Partial refresh of the e-ink boards: what is pushed for no change, a one-row change, and
//! when a full refresh comes. Run with `--nocapture` to see the byte counts.
#![cfg(feature = "std")]

use bayline_display::profile::{LOUNGE_7IN5, TAG_2IN9};
use bayline_display::refresh::DEFAULT_FULL_EVERY;
use bayline_display::{fixtures, lounge, tag, MonoFrame, Refresh, Refresher};
use bayline_proto::board::{Lounge, Stage};
use bayline_proto::Language;

type LoungeFrame = MonoFrame<48_000>;
type LoungeTiles = Refresher<400>;

fn frame_of(model: &Lounge) -> Box<LoungeFrame> {
    let mut f = Box::new(LoungeFrame::new(800, 480).unwrap());
    let Ok(()) = lounge::render(model, &LOUNGE_7IN5, f.as_mut());
    f
}

fn shown() -> (LoungeTiles, Lounge) {
    let model = fixtures::lounge(Language::Zh);
    let mut r = LoungeTiles::new(&LOUNGE_7IN5).unwrap();
    assert_eq!(
        r.plan(&frame_of(&model)),
        Refresh::Full { bytes: 48_000 },
        "the first refresh is full"
    );
    (r, model)
}

#[test]
fn an_unchanged_model_pushes_nothing() {
    let (mut r, model) = shown();
    assert_eq!(r.plan(&frame_of(&model)), Refresh::Nothing);
}

#[test]
fn a_change_of_one_vehicles_stage_pushes_only_that_rows_tiles() {
    let (mut r, mut model) = shown();
    model.rows[2].stage = Stage::QualityCheck;
    model.rows[2].progress = 96;
    let plan = r.plan(&frame_of(&model));
    let Refresh::Partial { rects, bytes } = &plan else {
        panic!("{plan:?}")
    };
    let row_top = i32::from(LOUNGE_7IN5.row) * 3 / 2 + 2 * i32::from(LOUNGE_7IN5.row);
    for q in rects {
        assert!(
            q.top_left.y >= row_top && q.top_left.y + q.size.height as i32 <= row_top + 48,
            "{q:?}"
        );
        assert_eq!(q.top_left.x % 8, 0, "byte-aligned");
        assert_eq!(q.size.width % 8, 0, "byte-aligned");
    }
    let pct = *bytes as f64 * 100.0 / 48_000.0;
    println!(
        "one-row change: {bytes} bytes of 48000 ({pct:.1} %) in {} rectangles",
        rects.len()
    );
    assert!(
        *bytes * 100 <= 48_000 * 12,
        "{bytes} bytes is more than 12 % of the frame"
    );
}

#[test]
fn after_n_partials_the_next_change_is_a_full_refresh() {
    let (r, mut model) = shown();
    let mut r = r.with_full_every(3);
    for i in 0..3 {
        model.rows[0].progress = 50 + i;
        assert!(
            matches!(r.plan(&frame_of(&model)), Refresh::Partial { .. }),
            "partial {i}"
        );
    }
    assert_eq!(
        r.plan(&frame_of(&model)),
        Refresh::Nothing,
        "no change, no push, even when due"
    );
    model.rows[0].progress = 60;
    assert_eq!(r.plan(&frame_of(&model)), Refresh::Full { bytes: 48_000 });
    model.rows[0].progress = 61;
    assert!(
        matches!(r.plan(&frame_of(&model)), Refresh::Partial { .. }),
        "counting starts again"
    );
    assert_eq!(DEFAULT_FULL_EVERY, 30);
}

#[test]
fn after_a_wake_the_refresh_is_full() {
    let (mut r, model) = shown();
    r.wake();
    assert_eq!(r.plan(&frame_of(&model)), Refresh::Full { bytes: 48_000 });
    assert_eq!(r.plan(&frame_of(&model)), Refresh::Nothing);
}

#[test]
fn the_pushed_windows_are_the_frames_bytes() {
    let (mut r, mut model) = shown();
    model.rows[5].late = true;
    let frame = frame_of(&model);
    let Refresh::Partial { rects, bytes } = r.plan(&frame) else {
        panic!("expected partial")
    };
    let pushed: usize = rects
        .iter()
        .map(|q| frame.window(*q).map(<[u8]>::len).sum::<usize>())
        .sum();
    assert_eq!(pushed, bytes);
}

#[test]
fn a_bay_tag_updates_partially_too() {
    let mut model = fixtures::tag(Language::En);
    let mut f = MonoFrame::<4736>::new(296, 128).unwrap();
    let mut r = Refresher::<296>::new(&TAG_2IN9).unwrap();
    let Ok(()) = tag::render(&model, &TAG_2IN9, &mut f);
    assert_eq!(r.plan(&f), Refresh::Full { bytes: 4736 });
    if let Some(now) = model.now.as_mut() {
        now.clocked_min += 1;
    }
    let Ok(()) = tag::render(&model, &TAG_2IN9, &mut f);
    let plan = r.plan(&f);
    println!("bay tag, one minute more: {} bytes of 4736", plan.bytes());
    assert!(matches!(plan, Refresh::Partial { .. }) && plan.bytes() < 4736 / 4);
}

#[test]
fn a_refresher_too_small_for_the_panel_is_refused() {
    assert!(Refresher::<10>::new(&LOUNGE_7IN5).is_err());
    assert!(LoungeFrame::new(801, 480).is_none());
}

#[test]
fn the_approved_badge_comes_and_goes_with_a_partial_refresh_of_the_footer() {
    let mut model = fixtures::tag_approved(Language::Zh);
    model.approved = false;
    let mut f = MonoFrame::<4736>::new(296, 128).unwrap();
    let mut r = Refresher::<296>::new(&TAG_2IN9).unwrap();
    let Ok(()) = tag::render(&model, &TAG_2IN9, &mut f);
    assert_eq!(r.plan(&f), Refresh::Full { bytes: 4736 });
    for approved in [true, false] {
        model.approved = approved;
        let Ok(()) = tag::render(&model, &TAG_2IN9, &mut f);
        let plan = r.plan(&f);
        let Refresh::Partial { rects, .. } = &plan else {
            panic!("{approved}: {plan:?}")
        };
        // Only the footer's tiles: the badge sits under the "next" line.
        assert!(rects.iter().all(|q| q.top_left.y >= 96), "{rects:?}");
        assert!(plan.bytes() < 4736 / 4, "{} bytes", plan.bytes());
    }
}
