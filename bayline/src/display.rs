//! `bayline display`: a board display on Linux. The same app as the ESP32-C6 devices
//! ([`bayline_display::app::run`]) with a rumqttc client as its network and a folder of PNG
//! files as its panel: each new frame is written as `frame-NNNNNN.png`, beside it a `.txt`
//! with the model it was drawn from, and `frame PATH` is printed on stdout.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use bayline_display::app::{self, Config, Display, Network, Now, Received, Timer};
use bayline_display::{profile, Profile};
use bayline_gateway::{BrokerUrl, Session, SessionEvent, SessionOptions};
use bayline_proto::board::Clock;
use embedded_graphics::pixelcolor::{BinaryColor, Rgb888};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

mod png_dir;
use png_dir::PngDir;

/// Pages a display keeps: 8 lounge pages are 64 cars, 8 workshop pages 192 bays.
const PAGES: usize = 8;
/// How long a connection attempt may take before it counts as failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, clap::Args)]
pub struct DisplayArgs {
    /// Which board: lounge, workshop or bay/{bay}.
    #[arg(long)]
    pub board: String,
    #[arg(long, default_value = "demo")]
    pub site: String,
    /// Broker: HOST:PORT, mqtt://HOST:PORT or mqtts://HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:1883", value_parser = parse_broker)]
    pub broker: BrokerUrl,
    /// The display's id from the site's [[displays]] (the MQTT username).
    #[arg(long, default_value = "lounge-1")]
    pub username: String,
    /// The display's secret.
    #[arg(
        long,
        env = "BAYLINE_DISPLAY_SECRET",
        default_value = "demo-lounge",
        hide_env_values = true
    )]
    pub password: String,
    /// Where frames go: `png-dir DIR` writes each new frame as a PNG file into DIR.
    #[arg(long, num_args = 2, value_names = ["png-dir", "DIR"], required = true)]
    pub out: Vec<String>,
    /// Panel profile; default: the board's own (lounge-7in5, hub75-128x64, tag-2in9).
    #[arg(long)]
    pub profile: Option<String>,
    /// Seconds without the broker before the offline mark shows.
    #[arg(long, default_value_t = 60)]
    pub offline_after: u64,
    /// Seconds each screen of a paged board stays up.
    #[arg(long, default_value_t = 8)]
    pub page_seconds: u64,
    /// Time zone of the offline mark's "since HH:MM" (IANA name); the site's, which the
    /// boards' clocks are in. Default: this machine's.
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
}

fn parse_broker(s: &str) -> Result<BrokerUrl, String> {
    let url = if s.contains("://") {
        s.to_string()
    } else {
        format!("mqtt://{s}")
    };
    url.parse()
        .map_err(|e: bayline_gateway::LinkError| e.to_string())
}

pub async fn run(a: DisplayArgs) -> anyhow::Result<ExitCode> {
    let dir = match a.out.as_slice() {
        [kind, dir] if kind == "png-dir" => PathBuf::from(dir),
        _ => bail!("--out takes `png-dir DIR` (a window is not built in yet)"),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let profile = match &a.profile {
        Some(name) => Profile::by_name(name).with_context(|| format!("no profile {name}"))?,
        None => match a.board.as_str() {
            "lounge" => &profile::LOUNGE_7IN5,
            "workshop" => &profile::HUB75_128X64,
            b if b.starts_with("bay/") => &profile::TAG_2IN9,
            b => bail!("no board {b}: lounge, workshop or bay/{{bay}}"),
        },
    };
    let config = Config {
        site: &a.site,
        board: &a.board,
        profile,
        offline_after_ms: a.offline_after.saturating_mul(1000),
        page_ms: a.page_seconds.max(1).saturating_mul(1000),
        blink_ms: app::blink_ms(profile),
    };
    let broker = BrokerUrl {
        user: Some(a.username.clone()),
        password: Some(a.password.clone()),
        ..a.broker.clone()
    };
    let client_id = format!("{}-display-{}", a.username, std::process::id());
    let start = Instant::now();
    let mut net = Mqtt {
        broker,
        start,
        client_id,
        link: None,
        held: None,
    };
    let zone = match &a.time_zone {
        Some(name) => jiff::tz::TimeZone::get(name).with_context(|| format!("time zone {name}"))?,
        None => jiff::tz::TimeZone::system(),
    };
    let mut timer = Clocks { start, zone };
    let mut app = Display::<PAGES>::new(config, timer.now());
    tracing::info!(board = %a.board, site = %a.site, dir = %dir.display(), "display started");
    let shown = async {
        match profile.panel {
            bayline_display::Panel::Mono => {
                let mut panel = PngDir::<BinaryColor>::new(profile, dir);
                app::run(&mut app, &mut net, &mut timer, &mut panel).await
            }
            bayline_display::Panel::Rgb => {
                let mut panel = PngDir::<Rgb888>::new(profile, dir);
                app::run(&mut app, &mut net, &mut timer, &mut panel).await
            }
        }
    };
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = shown => match r {
            Err(e) => Err(e).context("writing a frame"),
        },
        _ = tokio::signal::ctrl_c() => Ok(ExitCode::SUCCESS),
        _ = term.recv() => Ok(ExitCode::SUCCESS),
    }
}

/// The display's MQTT client: a fresh clean session per connection, which the app itself
/// reconnects when it drops.
struct Mqtt {
    broker: BrokerUrl,
    /// The app's clock starts here: deadlines arrive as milliseconds since.
    start: Instant,
    client_id: String,
    link: Option<(Session, mpsc::UnboundedReceiver<SessionEvent>)>,
    /// The last message, lent to the app.
    held: Option<rumqttc::Publish>,
}

#[derive(Debug, thiserror::Error)]
enum LinkError {
    #[error("lost the broker: {0}")]
    Lost(String),
    #[error("the broker refused the subscription to {0}")]
    Refused(String),
    #[error("the broker did not answer within {0:?}")]
    Timeout(Duration),
    #[error("not connected")]
    NotConnected,
}

impl Mqtt {
    async fn open(&mut self, filter: &str) -> Result<(), LinkError> {
        self.link = None;
        let mut options = SessionOptions::new(self.client_id.clone()).subscribe(filter);
        // A short keep-alive so a broker that vanished without closing is noticed quickly.
        options.keep_alive = Some(Duration::from_secs(5));
        options.reconnect = false;
        let (tx, mut notices) = mpsc::unbounded_channel();
        let session = Session::start(&self.broker, options, tx, CancellationToken::new());
        loop {
            match notices.recv().await {
                Some(SessionEvent::Subscribed) => break,
                Some(SessionEvent::Refused(f)) => return Err(LinkError::Refused(f)),
                Some(SessionEvent::Lost(why)) => return Err(LinkError::Lost(why)),
                None => return Err(LinkError::Lost("connection closed".into())),
                Some(_) => {}
            }
        }
        self.link = Some((session, notices));
        Ok(())
    }
}

impl Network for Mqtt {
    type Error = LinkError;

    async fn connect(&mut self, filter: &str) -> Result<(), LinkError> {
        let r = match tokio::time::timeout(CONNECT_TIMEOUT, self.open(filter)).await {
            Ok(r) => r,
            Err(_) => Err(LinkError::Timeout(CONNECT_TIMEOUT)),
        };
        match &r {
            Ok(()) => tracing::info!(filter, "display subscribed"),
            Err(e) => tracing::warn!(error = %e, "display cannot reach the broker"),
        }
        r
    }

    async fn receive(&mut self, until_ms: u64) -> Result<Option<Received<'_>>, LinkError> {
        let (_, notices) = self.link.as_mut().ok_or(LinkError::NotConnected)?;
        let deadline = instant(self.start, until_ms);
        let publish = loop {
            let lost = match tokio::time::timeout_at(deadline, notices.recv()).await {
                Err(_) => return Ok(None),
                Ok(Some(SessionEvent::Message(p))) => break p,
                Ok(Some(SessionEvent::Lost(why))) => why,
                Ok(None) => "connection closed".to_string(),
                Ok(Some(_)) => continue,
            };
            tracing::warn!(error = %lost, "display lost the broker");
            self.link = None;
            return Err(LinkError::Lost(lost));
        };
        let p = self.held.insert(publish);
        Ok(Some(Received {
            topic: &p.topic,
            payload: &p.payload,
        }))
    }
}

/// The monotonic clock since start, and the time of day in the site's zone.
struct Clocks {
    start: Instant,
    zone: jiff::tz::TimeZone,
}

/// The instant `ms` after `start`; the app's `u64::MAX` ("no deadline") becomes a day.
fn instant(start: Instant, ms: u64) -> Instant {
    start + Duration::from_millis(ms.min(24 * 3600 * 1000))
}

impl Timer for Clocks {
    fn now(&self) -> Now {
        let ms = self.start.elapsed().as_millis() as u64;
        let t = jiff::Timestamp::now().to_zoned(self.zone.clone());
        let wall = Clock::at(0, t.hour() as u16, t.minute() as u16);
        Now { ms, wall }
    }

    async fn sleep_until(&mut self, ms: u64) {
        tokio::time::sleep_until(instant(self.start, ms)).await;
    }
}
