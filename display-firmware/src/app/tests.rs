//! The app's state and loop against a scripted broker and clock.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use bayline_proto::board::{encode, BayTag, Clock, Page, Workshop};
use bayline_proto::Language;
use embedded_graphics::pixelcolor::BinaryColor;

use super::*;
use crate::preview::Canvas;
use crate::profile::{HUB75_128X64, TAG_2IN9};
use crate::{fixtures, Board};

const SITE: &str = "demo";

fn tag_config() -> Config<'static> {
    Config {
        site: SITE,
        board: "bay/B03",
        profile: &TAG_2IN9,
        offline_after_ms: 60_000,
        page_ms: 8_000,
        blink_ms: 0,
    }
}

fn at(ms: u64) -> Now {
    Now { ms, wall: None }
}

fn bytes<M: serde::Serialize>(m: &M) -> Vec<u8> {
    let mut buf = [0u8; 2048];
    encode(m, &mut buf).unwrap().to_vec()
}

fn tag(updated: Clock) -> BayTag {
    BayTag {
        updated,
        ..fixtures::tag(Language::Zh)
    }
}

#[test]
fn the_filter_takes_the_board_and_its_pages() {
    assert_eq!(
        filter("demo", "bay/B03").unwrap().as_str(),
        "bayline/demo/boards/bay/B03/#"
    );
    assert_eq!(filter(&"x".repeat(90), "lounge"), None);
}

#[test]
fn a_model_on_the_board_topic_is_shown_once_and_a_repeat_draws_nothing() {
    let mut app = Display::<4>::new(tag_config(), at(0));
    assert!(app.take_dirty(), "the waiting screen is drawn first");
    let m = bytes(&tag(Clock(600)));
    app.message("bayline/demo/boards/bay/B03", &m, at(10))
        .unwrap();
    assert!(app.take_dirty());
    assert!(matches!(app.current(), Some((Board::Tag(_), 0, 0))));
    // A reconnect redelivers the retained model: e-ink is not flashed for nothing.
    app.message("bayline/demo/boards/bay/B03", &m, at(20))
        .unwrap();
    assert!(!app.take_dirty());
}

#[test]
fn messages_the_display_cannot_take_leave_the_last_board_up() {
    let mut app = Display::<4>::new(tag_config(), at(0));
    let good = bytes(&tag(Clock(600)));
    app.message("bayline/demo/boards/bay/B03", &good, at(0))
        .unwrap();
    app.take_dirty();
    let errs = [
        app.message("bayline/demo/boards/bay/B033", &good, at(1)),
        app.message("bayline/demo/boards/bay/B03/x", &good, at(1)),
        app.message("bayline/other/boards/bay/B03", &good, at(1)),
        app.message("bayline/demo/boards/bay/B03", &[1, 0xFF, 0xFF], at(1)),
        app.message("bayline/demo/boards/bay/B03", &[99], at(1)),
    ];
    assert!(matches!(errs[0], Err(MessageError::Topic)));
    assert!(matches!(errs[1], Err(MessageError::Topic)));
    assert!(matches!(errs[2], Err(MessageError::Topic)));
    assert!(matches!(errs[3], Err(MessageError::Decode(_))));
    assert!(matches!(errs[4], Err(MessageError::Decode(_))));
    assert!(!app.take_dirty());
    assert!(app.current().is_some());
}

#[test]
fn the_offline_mark_rises_60_s_after_the_broker_went_and_says_when() {
    let mut app = Display::<4>::new(tag_config(), at(0));
    app.connected(at(0));
    app.message(
        "bayline/demo/boards/bay/B03",
        &bytes(&tag(Clock(9 * 60 + 58))),
        at(0),
    )
    .unwrap();
    // Three minutes later by the monotonic clock the broker goes away: 10:01 by the model.
    app.lost(at(180_000));
    app.take_dirty();
    assert_eq!(app.next_wakeup(), 240_000);
    app.tick(at(239_999));
    assert_eq!(app.offline_shown(), None);
    assert!(!app.take_dirty());
    app.tick(at(240_000));
    assert!(app.take_dirty());
    let off = app.offline_shown().unwrap();
    assert_eq!(off.since, Some(Clock(10 * 60 + 1)));
    assert_eq!(
        mark::offline_text(off, true).as_str(),
        "离线 / offline since 10:01"
    );
    // Back: the mark goes at once.
    app.connected(at(250_000));
    assert!(app.take_dirty());
    assert_eq!(app.offline_shown(), None);
}

#[test]
fn the_host_clock_wins_over_the_models_clock() {
    let mut app = Display::<4>::new(tag_config(), at(0));
    app.connected(at(0));
    app.message(
        "bayline/demo/boards/bay/B03",
        &bytes(&tag(Clock(60))),
        at(0),
    )
    .unwrap();
    app.lost(Now {
        ms: 5,
        wall: Some(Clock(14 * 60 + 30)),
    });
    app.tick(at(60_005));
    assert_eq!(
        app.offline_shown().unwrap().since,
        Some(Clock(14 * 60 + 30))
    );
}

fn workshop_page(index: u16, count: u16) -> Workshop {
    Workshop {
        page: Page {
            index,
            count,
            total: 48,
        },
        ..fixtures::workshop(Language::Zh)
    }
}

#[test]
fn pages_turn_in_order_and_a_cleared_page_leaves() {
    let cfg = Config {
        board: "workshop",
        profile: &HUB75_128X64,
        ..tag_config()
    };
    let mut app = Display::<4>::new(cfg, at(0));
    let one = workshop_page(0, 2);
    let per_model = one.pages_on(&HUB75_128X64);
    // Page 2 may arrive before page 1; the order on screen is by number all the same.
    app.message(
        "bayline/demo/boards/workshop/2",
        &bytes(&workshop_page(1, 2)),
        at(0),
    )
    .unwrap();
    app.message("bayline/demo/boards/workshop", &bytes(&one), at(0))
        .unwrap();
    assert_eq!(app.screens(), 2 * per_model);
    let mut seen = Vec::new();
    for i in 0..app.screens() as u64 {
        app.tick(at(i * 8_000));
        let (b, _, n) = app.current().unwrap();
        let Board::Workshop(w) = b else { panic!() };
        seen.push((w.page.index, n));
    }
    let pages: Vec<u16> = seen.iter().map(|s| s.0).collect();
    let mut sorted = pages.clone();
    sorted.sort();
    assert_eq!(pages, sorted, "screens go page by page");
    assert_eq!(seen.last().unwrap().1, 2 * per_model - 1);
    app.message("bayline/demo/boards/workshop/2", &[], at(100_000))
        .unwrap();
    assert_eq!(app.screens(), per_model);
    // A board that shrank to one page drops a page whose clear was lost.
    app.message(
        "bayline/demo/boards/workshop/2",
        &bytes(&workshop_page(1, 2)),
        at(0),
    )
    .unwrap();
    app.message(
        "bayline/demo/boards/workshop",
        &bytes(&workshop_page(0, 1)),
        at(0),
    )
    .unwrap();
    assert_eq!(app.screens(), per_model);
}

/// The frame the app draws now, as the LED wall would show it.
fn led_frame<const P: usize>(app: &Display<'_, P>) -> Vec<embedded_graphics::pixelcolor::Rgb888> {
    let mut c = Canvas::new(128, 64);
    draw(app, &mut c).unwrap();
    c.pixels
}

fn workshop_with(calls: &[(&str, bool)]) -> Vec<u8> {
    let mut m = workshop_page(0, 1);
    m.calls = calls
        .iter()
        .map(|&(bay, answered)| bayline_proto::board::Andon {
            bay: bay.parse().unwrap(),
            reason: bayline_proto::CallReason::Parts,
            opened: Clock(14 * 60),
            answered,
        })
        .collect();
    bytes(&m)
}

#[test]
fn an_unanswered_call_blinks_the_led_workshop_board_once_a_second_until_answered() {
    let cfg = Config {
        board: "workshop",
        profile: &HUB75_128X64,
        blink_ms: blink_ms(&HUB75_128X64),
        ..tag_config()
    };
    let topic = "bayline/demo/boards/workshop";
    let mut app = Display::<4>::new(cfg, at(0));
    app.connected(at(0));
    app.message(topic, &workshop_with(&[("B01", false)]), at(500))
        .unwrap();
    assert!(app.take_dirty());
    let lit = led_frame(&app);
    assert_eq!(
        app.next_wakeup(),
        1_500,
        "the first phase ends a second after the call came"
    );
    app.tick(at(1_499));
    assert!(!app.take_dirty());
    app.tick(at(1_500));
    assert!(app.take_dirty());
    let plain = led_frame(&app);
    assert_ne!(lit, plain, "the two phases differ");
    app.tick(at(2_500));
    assert!(app.take_dirty());
    assert_eq!(led_frame(&app), lit, "and alternate");

    // Answered: someone is on the way; the bay stays lit and nothing blinks any more.
    app.tick(at(3_500));
    app.message(topic, &workshop_with(&[("B01", true)]), at(3_600))
        .unwrap();
    assert!(app.take_dirty());
    let answered = led_frame(&app);
    for t in [4_600, 5_600, 6_600] {
        app.tick(at(t));
        assert!(!app.take_dirty(), "nothing changes at {t} ms");
        assert_eq!(led_frame(&app), answered);
    }
    assert!(app.next_wakeup() > 6_600 + BLINK_MS);
}

#[test]
fn a_workshop_board_without_an_open_call_and_an_e_ink_panel_never_blink() {
    let led = Config {
        board: "workshop",
        profile: &HUB75_128X64,
        blink_ms: BLINK_MS,
        ..tag_config()
    };
    let eink = Config {
        blink_ms: blink_ms(&crate::profile::LOUNGE_7IN5),
        ..led
    };
    assert_eq!(eink.blink_ms, 0);
    for (cfg, calls) in [(led, &[][..]), (eink, &[("B01", false)][..])] {
        let mut app = Display::<4>::new(cfg, at(0));
        app.connected(at(0));
        app.message("bayline/demo/boards/workshop", &workshop_with(calls), at(0))
            .unwrap();
        app.take_dirty();
        let first = led_frame(&app);
        for t in (1..6).map(|s| s * BLINK_MS) {
            app.tick(at(t));
            assert!(!app.take_dirty());
            assert_eq!(led_frame(&app), first);
        }
    }
}

#[test]
fn backoff_doubles_to_30_s_and_starts_over_after_a_connection() {
    let mut b = Backoff::new();
    let delays: Vec<u64> = (0..7).map(|_| b.next_delay()).collect();
    assert_eq!(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    b.reset();
    assert_eq!(b.next_delay(), 1_000);
}

trait PagesOn {
    fn pages_on(&self, p: &crate::Profile) -> usize;
}

impl PagesOn for Workshop {
    fn pages_on(&self, p: &crate::Profile) -> usize {
        crate::workshop::pages(self, p)
    }
}

// --- the loop, against a scripted broker ---

enum Step {
    ConnectFails,
    Connects,
    Message(&'static str, Vec<u8>),
    /// The connection breaks.
    Breaks,
}

struct FakeNet {
    script: VecDeque<Step>,
    time: Rc<Cell<u64>>,
    held: (String, Vec<u8>),
    connects: Rc<Cell<u32>>,
}

impl Network for FakeNet {
    type Error = ();
    async fn connect(&mut self, _filter: &str) -> Result<(), ()> {
        self.connects.set(self.connects.get() + 1);
        match self.script.pop_front() {
            Some(Step::Connects) => Ok(()),
            Some(Step::ConnectFails) => Err(()),
            // The script is over: the broker never comes back.
            _ => Err(()),
        }
    }
    async fn receive(&mut self, until_ms: u64) -> Result<Option<Received<'_>>, ()> {
        match self.script.pop_front() {
            Some(Step::Message(t, p)) => {
                self.held = (t.into(), p);
                Ok(Some(Received {
                    topic: &self.held.0,
                    payload: &self.held.1,
                }))
            }
            Some(Step::Breaks) => Err(()),
            Some(other) => {
                self.script.push_front(other);
                self.time.set(until_ms);
                Ok(None)
            }
            None => {
                self.time.set(until_ms);
                Ok(None)
            }
        }
    }
}

struct FakeTimer(Rc<Cell<u64>>);

impl Timer for FakeTimer {
    fn now(&self) -> Now {
        at(self.0.get())
    }
    async fn sleep_until(&mut self, ms: u64) {
        self.0.set(ms.max(self.0.get()));
    }
}

/// A frame as the panel saw it: when, whether offline, the clock of its model.
type Frame = (u64, bool, Option<Clock>);

/// A panel that keeps what each frame showed and stops the loop after `frames`.
struct FakePanel {
    canvas: Canvas<BinaryColor>,
    frames: Rc<RefCell<Vec<Frame>>>,
    time: Rc<Cell<u64>>,
    left: usize,
}

impl OriginDimensions for FakePanel {
    fn size(&self) -> Size {
        self.canvas.size()
    }
}

impl DrawTarget for FakePanel {
    type Color = BinaryColor;
    type Error = &'static str;
    fn draw_iter<I: IntoIterator<Item = Pixel<BinaryColor>>>(
        &mut self,
        px: I,
    ) -> Result<(), Self::Error> {
        let Ok(()) = self.canvas.draw_iter(px);
        Ok(())
    }
}

impl Panel for FakePanel {
    async fn show(&mut self, shown: Shown<'_>) -> Result<(), &'static str> {
        let updated = shown.board.map(|b| match b {
            BoardRef::Tag(t) => t.updated,
            _ => Clock(0),
        });
        self.frames
            .borrow_mut()
            .push((self.time.get(), shown.offline.is_some(), updated));
        self.left -= 1;
        if self.left == 0 {
            return Err("enough frames");
        }
        Ok(())
    }
}

/// Polls a future that never waits on anything outside the fakes.
fn block_on<F: core::future::Future>(f: F) -> F::Output {
    let mut f = core::pin::pin!(f);
    let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    for _ in 0..100_000 {
        if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("the loop waits on something the fakes never wake");
}

#[test]
fn the_loop_shows_models_marks_an_outage_and_reconnects_with_backoff() {
    let time = Rc::new(Cell::new(0));
    let connects = Rc::new(Cell::new(0));
    let topic = "bayline/demo/boards/bay/B03";
    let mut net = FakeNet {
        script: VecDeque::from([
            Step::ConnectFails,
            Step::Connects,
            Step::Message(topic, bytes(&tag(Clock(600)))),
            Step::Message(topic, bytes(&tag(Clock(601)))),
            Step::Breaks,
        ]),
        time: time.clone(),
        held: Default::default(),
        connects: connects.clone(),
    };
    let frames = Rc::new(RefCell::new(Vec::new()));
    let mut panel = FakePanel {
        canvas: Canvas::new(296, 128),
        frames: frames.clone(),
        time: time.clone(),
        left: 4,
    };
    let mut app = Display::<4>::new(tag_config(), at(0));
    let end = block_on(run(
        &mut app,
        &mut net,
        &mut FakeTimer(time.clone()),
        &mut panel,
    ));
    assert_eq!(end.unwrap_err(), "enough frames");
    let frames = frames.borrow();
    // Waiting screen; the first model after one failed try and 1 s of backoff; the second;
    // the mark 60 s after the break, while the display keeps retrying.
    assert_eq!(frames[0], (0, false, None));
    assert_eq!(frames[1], (1_000, false, Some(Clock(600))));
    assert_eq!(frames[2], (1_000, false, Some(Clock(601))));
    assert_eq!(frames[3], (61_000, true, Some(Clock(601))));
    // Two tries to the break at 1 s, then at 2, 4, 8, 16 and 32 s before the mark at 61 s.
    assert_eq!(connects.get(), 2 + 5);
}

#[test]
fn the_offline_mark_is_a_band_over_the_bottom_of_the_last_board() {
    let mut app = Display::<1>::new(tag_config(), at(0));
    app.connected(at(0));
    app.message(
        "bayline/demo/boards/bay/B03",
        &bytes(&tag(Clock(600))),
        at(0),
    )
    .unwrap();
    let band_top = 128 - (TAG_2IN9.body.height() as i32 + 2);
    let row_inked = |c: &Canvas<BinaryColor>, y: i32| {
        (0..296).all(|x| c.pixels[(y * 296 + x) as usize] == BinaryColor::On)
    };
    let mut live = Canvas::new(296, 128);
    draw(&app, &mut live).unwrap();
    assert!(!row_inked(&live, band_top));
    app.lost(at(1_000));
    app.tick(at(61_000));
    let mut offline = Canvas::new(296, 128);
    draw(&app, &mut offline).unwrap();
    assert!(row_inked(&offline, band_top), "no band at y = {band_top}");
    // Above the band the board is untouched.
    let above = (band_top * 296) as usize;
    assert_eq!(live.pixels[..above], offline.pixels[..above]);
}

#[test]
fn a_lounge_that_keeps_only_lounge_models_shows_them_alike_in_a_fraction_of_the_room() {
    let cfg = Config {
        board: "lounge",
        profile: &crate::profile::LOUNGE_7IN5,
        ..tag_config()
    };
    let mut any = Display::<8>::new(cfg, at(0));
    let mut own = Display::<8, bayline_proto::board::Lounge>::new(cfg, at(0));
    let page = |index, count| bayline_proto::board::Lounge {
        page: Page {
            index,
            count,
            total: 9,
        },
        ..fixtures::lounge(Language::Zh)
    };
    for (topic, m) in [
        ("bayline/demo/boards/lounge", page(0, 2)),
        ("bayline/demo/boards/lounge/2", page(1, 2)),
    ] {
        any.message(topic, &bytes(&m), at(10)).unwrap();
        own.message(topic, &bytes(&m), at(10)).unwrap();
    }
    assert_eq!(own.screens(), 2);
    for screen in [0, 8_000] {
        any.tick(at(10 + screen));
        own.tick(at(10 + screen));
        let (a, b) = (any.current().unwrap(), own.current().unwrap());
        assert_eq!((a.0.board(), a.1, a.2), (b.0.board(), b.1, b.2));
    }
    // Eight kept pages of the lounge's own model take less room than one of any kind.
    assert!(
        core::mem::size_of_val(&own) < core::mem::size_of::<Board>() + 1024,
        "{} B against {} B a page of any kind",
        core::mem::size_of_val(&own),
        core::mem::size_of::<Board>()
    );
    // A workshop model on the lounge's topic is not a lounge page: the display keeps its own.
    let workshop = bytes(&fixtures::workshop(Language::Zh));
    assert!(own
        .message("bayline/demo/boards/lounge", &workshop, at(20_000))
        .is_err());
    assert_eq!(own.screens(), 2);
}
