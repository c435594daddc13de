//! One bay's tag: what is on the bay now and what comes next, on a small e-ink label.
//!
//! Grid: a header band of `row + row / 2` with the bay and its state (red, with who is
//! called and since when, while the bay has an andon call); the "now" block
//! (plate in large type, job, vehicle, badges; op and clocked time; a progress bar);
//! a rule; one "next" line; a footer line with the time of the model, and on its left an
//! inverse "approved" badge while the customer's answer to the job's approval request is
//! news to the bay. A blocked bay's header names the site's own pause reason when it has one.

use bayline_proto::board::{BayState, BayTag, TagJob};
use bayline_proto::PauseReason;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use crate::color::{Ink, Role};
use crate::labels::{short_call, words};
use crate::lounge::clock;
use crate::profile::Profile;
use crate::widgets::{badge, clocked, fill, progress_bar, Short};

/// Draws the bay tag.
pub fn render<D>(model: &BayTag, p: &Profile, t: &mut D) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    let w = words(model.language);
    let ink = D::Color::ink;
    t.clear(ink(Role::Background))?;
    let (width, m) = (i32::from(p.width), i32::from(p.margin));
    let (small_h, body_h, big_h) = (
        p.small.height() as i32,
        p.body.height() as i32,
        p.big.height() as i32,
    );

    // Header: bay and state, inverse; red with who is called while the bay has a call.
    let head = i32::from(p.row + p.row / 2);
    let band = if model.call.is_some() {
        Role::Overrun
    } else {
        Role::Text
    };
    fill(
        t,
        Rectangle::new(Point::zero(), Size::new(p.width.into(), head as u32)),
        band,
    )?;
    let y = (head - body_h) / 2;
    // Room for the state word and a site's reason of a full board text.
    let mut state = heapless::String::<48>::new();
    match &model.call {
        Some(call) => {
            let _ = state.push_str(short_call(call.reason, model.language));
            let _ = state.push(' ');
            let _ = state.push_str(&clock(call.opened));
            if call.answered {
                let _ = state.push_str(match model.language {
                    bayline_proto::Language::Zh => " 已响应",
                    bayline_proto::Language::En => " answered",
                });
            }
        }
        None => {
            let _ = state.push_str(match model.state {
                BayState::Idle => w.idle,
                BayState::Working => w.working,
                BayState::Blocked => w.blocked,
            });
            if model.state == BayState::Blocked {
                let _ = state.push_str(" · ");
                let why = model.reason.unwrap_or(PauseReason::Other);
                let label = (model.reason_text.as_deref()).unwrap_or(why.label(model.language));
                let _ = state.push_str(label);
            }
        }
    }
    let state_x = p
        .body
        .draw_right(t, &state, Point::new(width - m, y), ink(Role::Background))?;
    let mut title = Short::new();
    let _ = title.push_str(&model.bay);
    let _ = title.push(' ');
    let _ = title.push_str(&model.name);
    let room = (state_x - 2 * m).max(0) as u32;
    p.body
        .draw_fit(t, &title, Point::new(m, y), room, ink(Role::Background))?;

    // Now.
    let top = head + 2;
    let rule = top + big_h + body_h + 14;
    match &model.now {
        None => {
            let msg = w.idle;
            let x = (width - p.big.width(msg) as i32) / 2;
            p.big.draw(
                t,
                msg,
                Point::new(x, top + (rule - top - big_h) / 2),
                ink(Role::Muted),
            )?;
        }
        Some(job) => draw_now(t, p, w.now, job, top)?,
    }
    fill(
        t,
        Rectangle::new(Point::new(m, rule), Size::new((width - 2 * m) as u32, 1)),
        Role::Muted,
    )?;

    // Next, then the footer.
    let y = rule + 2;
    let x = p.small.draw(
        t,
        w.next,
        Point::new(m, y + (body_h - small_h) / 2),
        ink(Role::Muted),
    )? + 6;
    match &model.next {
        None => {
            p.body
                .draw(t, w.nothing_next, Point::new(x, y), ink(Role::Muted))?;
        }
        Some(next) => {
            let x = p
                .body
                .draw(t, next.plate.as_str(), Point::new(x, y), ink(Role::Text))?
                + 8;
            let y = y + (body_h - small_h) / 2;
            let x = p
                .small
                .draw(t, &next.job, Point::new(x, y), ink(Role::Text))?
                + 6;
            let room = (width - m - x).max(0) as u32;
            p.small
                .draw_fit(t, &next.op, Point::new(x, y), room, ink(Role::Text))?;
        }
    }
    if model.approved {
        // Inverse, like the header: seen from across the bay.
        let at = Point::new(m, i32::from(p.height) - body_h - 1);
        badge(t, w.approved, at, &p.body, 3, Role::Text)?;
    }
    let mut s = Short::new();
    let _ = s.push_str(w.updated);
    let _ = s.push(' ');
    let _ = s.push_str(&clock(model.updated));
    let y = i32::from(p.height) - small_h;
    p.small
        .draw_right(t, &s, Point::new(width - m, y), ink(Role::Muted))?;
    Ok(())
}

fn draw_now<D>(t: &mut D, p: &Profile, label: &str, job: &TagJob, top: i32) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    let ink = D::Color::ink;
    let (width, m) = (i32::from(p.width), i32::from(p.margin));
    let (small_h, body_h, big_h) = (
        p.small.height() as i32,
        p.body.height() as i32,
        p.big.height() as i32,
    );

    // Plate large; beside it the job, the vehicle and who is on it.
    let x = p.big.draw_fit(
        t,
        job.plate.as_str(),
        Point::new(m, top),
        160,
        ink(Role::Text),
    )? + 8;
    let room = (width - m - x).max(0) as u32;
    let y = top + (big_h - 2 * small_h) / 2;
    let after = p.small.draw(t, label, Point::new(x, y), ink(Role::Muted))? + 4;
    p.small.draw_fit(
        t,
        &job.job,
        Point::new(after, y),
        room.saturating_sub((after - x) as u32),
        ink(Role::Text),
    )?;
    let mut who = Short::new();
    for b in &job.badges {
        let _ = who.push_str(b);
        let _ = who.push(' ');
    }
    let who_w = p.small.width(who.trim_end()) as i32;
    p.small.draw_right(
        t,
        who.trim_end(),
        Point::new(width - m, y + small_h),
        ink(Role::Text),
    )?;
    let room = (width - m - who_w - 6 - x).max(0) as u32;
    p.small.draw_fit(
        t,
        &job.vehicle,
        Point::new(x, y + small_h),
        room,
        ink(Role::Text),
    )?;

    // The op and its clocked time against standard; inverse when over.
    let y = top + big_h + 2;
    let time = clocked(job.clocked_min, job.std_min);
    let time_x = width - m - p.body.width(&time) as i32 - 4;
    if job.overrun {
        badge(t, &time, Point::new(time_x, y), &p.body, 2, Role::Overrun)?;
    } else {
        p.body
            .draw(t, &time, Point::new(time_x + 2, y), ink(Role::Text))?;
    }
    let room = (time_x - 6 - m).max(0) as u32;
    p.body
        .draw_fit(t, &job.op, Point::new(m, y), room, ink(Role::Text))?;

    let bar = Rectangle::new(
        Point::new(m, y + body_h + 2),
        Size::new((width - 2 * m) as u32, 8),
    );
    let role = if job.overrun {
        Role::Overrun
    } else {
        Role::Working
    };
    progress_bar(t, bar, job.progress, role)
}
