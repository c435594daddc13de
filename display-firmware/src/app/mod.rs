//! The display app: one connection/decode/refresh loop for every host. A device (ESP32-C6
//! with Wi-Fi) and `bayline display` on Linux run the same [`run`], each with its own
//! [`Network`] (an MQTT client), [`Timer`] and [`Panel`].
//!
//! The loop connects with the display's credentials, subscribes to its board and the
//! board's pages (`bayline/{site}/boards/{board}/#`), decodes each retained model once,
//! draws the current screen with the shared renderer, and turns the pages. When the broker
//! goes away it reconnects with a growing backoff, and after `offline_after_ms` (60 s on the
//! devices) draws "离线 / offline since HH:MM" over the last board.
//!
//! # Layout
//! - [`state`]: [`Display`], the state without I/O (time is a parameter), and its inputs.
//! - [`mark`]: the offline mark and the waiting screen.
//! - [`mqtt`]: the MQTT packets a display exchanges, without I/O (the devices' client).
//! - [`provision`]: the record a technician writes to a device: Wi-Fi, broker, credentials.
//! - this file: the host traits, [`Backoff`] and [`run`].

pub mod mark;
pub mod mqtt;
pub mod provision;
pub mod state;
#[cfg(test)]
mod tests;

use core::convert::Infallible;

use embedded_graphics::prelude::*;

pub use state::{blink_ms, Config, Display, MessageError, Now, Offline, BLINK_MS};

use crate::color::Ink;
use crate::{BoardRef, Model};

/// Topic root of every board (contract §3).
pub const ROOT: &str = bayline_proto::topic::ROOT;

/// Longest topic filter: `bayline/` + site id + `/boards/bay/` + bay id + `/#`.
pub type Filter = heapless::String<96>;

/// The filter that matches a board and all its pages; `None` when the ids do not fit.
pub fn filter(site: &str, board: &str) -> Option<Filter> {
    let mut f = Filter::new();
    for part in [ROOT, "/", site, "/boards/", board, "/#"] {
        f.push_str(part).ok()?;
    }
    Some(f)
}

/// One message from the broker, borrowed from the client's buffer.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    pub topic: &'a str,
    pub payload: &'a [u8],
}

// The devices run the loop on a single-threaded executor and the Linux host awaits it
// in place, so no future needs `Send`.
#[allow(async_fn_in_trait)]
/// The MQTT side of a host: a client already told the broker, the credentials and TLS.
pub trait Network {
    type Error: core::fmt::Debug;
    /// Connects (a fresh clean session) and subscribes to `filter`; returns once the broker
    /// accepted both. Must give up in bounded time so the offline mark is not held up.
    async fn connect(&mut self, filter: &str) -> Result<(), Self::Error>;
    /// The next message, or `Ok(None)` once the monotonic time reaches `until_ms`. An error
    /// means the connection is gone.
    async fn receive(&mut self, until_ms: u64) -> Result<Option<Received<'_>>, Self::Error>;
}

#[allow(async_fn_in_trait)]
/// Time on a host.
pub trait Timer {
    fn now(&self) -> Now;
    async fn sleep_until(&mut self, ms: u64);
}

#[allow(async_fn_in_trait)]
/// A panel: a draw target the loop draws a whole frame into, then [`Panel::show`]s.
pub trait Panel: DrawTarget
where
    Self::Color: Ink,
{
    /// Puts the drawn frame on the glass (an e-ink partial refresh of the changed tiles, a
    /// HUB75 buffer swap, a PNG file). `shown` says what it is.
    async fn show(&mut self, shown: Shown<'_>) -> Result<(), Self::Error>;
}

/// What a frame shows, for a host that logs or keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a> {
    /// The model on screen; `None` before the first one.
    pub board: Option<BoardRef<'a>>,
    /// Which screen, counted over all pages from 0, of how many.
    pub screen: usize,
    pub screens: usize,
    pub offline: Option<Offline>,
}

/// Reconnect delays: 1 s doubling to 30 s, back to 1 s after a connection that held.
#[derive(Debug, Clone)]
pub struct Backoff {
    next_ms: u64,
}

impl Backoff {
    pub const FIRST_MS: u64 = 1_000;
    pub const MAX_MS: u64 = 30_000;

    pub fn new() -> Self {
        Backoff {
            next_ms: Self::FIRST_MS,
        }
    }

    /// The delay before the next attempt.
    pub fn next_delay(&mut self) -> u64 {
        let d = self.next_ms;
        self.next_ms = (d * 2).min(Self::MAX_MS);
        d
    }

    pub fn reset(&mut self) {
        self.next_ms = Self::FIRST_MS;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

/// Draws the display's current frame into `panel`, without showing it.
pub fn draw<D, M: Model, const P: usize>(
    app: &Display<'_, P, M>,
    panel: &mut D,
) -> Result<(), D::Error>
where
    D: DrawTarget,
    D::Color: Ink,
{
    let p = app.config().profile;
    match app.current() {
        Some((board, screen, _)) => {
            crate::render_blink(board.board(), p, screen, app.lit(), panel)?
        }
        None => mark::draw_waiting(panel, p, app.config().board)?,
    }
    if let Some(offline) = app.offline_shown() {
        mark::draw_offline(panel, p, offline)?;
    }
    Ok(())
}

/// Draws and shows the frame when something on it changed.
async fn refresh<D, M: Model, const P: usize>(
    app: &mut Display<'_, P, M>,
    panel: &mut D,
) -> Result<(), D::Error>
where
    D: Panel,
    D::Color: Ink,
{
    if !app.take_dirty() {
        return Ok(());
    }
    draw(app, panel)?;
    let current = app.current();
    let shown = Shown {
        board: current.map(|(b, _, _)| b.board()),
        screen: current.map_or(0, |(_, _, s)| s),
        screens: app.screens(),
        offline: app.offline_shown(),
    };
    panel.show(shown).await
}

/// The display's loop; returns only when the panel fails. Messages the display cannot take
/// (a foreign topic, an undecodable model) are skipped: the panel keeps the last good board.
pub async fn run<N, T, D, M: Model, const P: usize>(
    app: &mut Display<'_, P, M>,
    net: &mut N,
    timer: &mut T,
    panel: &mut D,
) -> Result<Infallible, D::Error>
where
    N: Network,
    T: Timer,
    D: Panel,
    D::Color: Ink,
{
    let cfg = *app.config();
    // Ids too long for a topic cannot come from a valid site file; the display then only
    // says it is offline, which is what a technician would see on a wrong setup anyway.
    let filter = filter(cfg.site, cfg.board);
    let mut backoff = Backoff::new();
    loop {
        refresh(app, panel).await?;
        let connected = match &filter {
            Some(f) => net.connect(f).await.is_ok(),
            None => false,
        };
        if connected {
            app.connected(timer.now());
            backoff.reset();
            loop {
                refresh(app, panel).await?;
                match net.receive(app.next_wakeup()).await {
                    Ok(Some(m)) => {
                        let _ = app.message(m.topic, m.payload, timer.now());
                    }
                    Ok(None) => app.tick(timer.now()),
                    Err(_) => break,
                }
            }
        }
        app.lost(timer.now());
        // Keep the panel alive while waiting: the offline mark rises during the backoff.
        let retry = timer.now().ms.saturating_add(backoff.next_delay());
        loop {
            refresh(app, panel).await?;
            let now = timer.now().ms;
            if now >= retry {
                break;
            }
            timer.sleep_until(retry.min(app.next_wakeup())).await;
            app.tick(timer.now());
        }
    }
}
