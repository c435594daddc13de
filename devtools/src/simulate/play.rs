//! Playing a plan: the handhelds connected, every scan sent at its time on the compressed
//! clock in timeline order, offline handhelds' backlogs delivered after each day, and the
//! progress bar kept up to date.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bayline_proto::Id;
use indicatif::ProgressBar;
use tokio_util::sync::CancellationToken;

use super::plan::Plan;
use super::scanner::{self, Delivered, Handheld, Outgoing, ScannerError};
use super::{clock, report, Options, SimError};

/// Connects a handheld for every scanner the plan uses; none stays connected on an error.
pub(super) async fn connect(
    opts: &Options,
    plan: &Plan,
) -> Result<BTreeMap<Id, Handheld>, SimError> {
    let mut handhelds = BTreeMap::new();
    let used: std::collections::BTreeSet<&Id> =
        plan.scans.iter().map(|s| &s.event.key.scanner).collect();
    for scanner in opts.site.scanners.iter().filter(|s| used.contains(&s.id)) {
        let connected = Handheld::connect(
            &opts.broker,
            opts.site.id.as_str(),
            &scanner.id,
            &scanner.secret,
            opts.resend_after,
        )
        .await;
        match connected {
            Ok(mut h) => {
                h.offline = opts.offline.iter().any(|o| o == scanner.id.as_str());
                handhelds.insert(scanner.id.clone(), h);
            }
            Err(e) => {
                for (_, h) in handhelds {
                    h.close().await;
                }
                return Err(e.into());
            }
        }
    }
    Ok(handhelds)
}

pub(super) type Played = (Vec<Option<Delivered>>, Duration);

/// Sends every scan at its time on the compressed clock, in timeline order; offline
/// handhelds deliver their backlog after each day's last scan.
pub(super) async fn play(
    opts: &Options,
    plan: &Plan,
    handhelds: &mut BTreeMap<Id, Handheld>,
    cancel: &CancellationToken,
) -> Result<Played, SimError> {
    let started = Instant::now();
    let mut deliveries: Vec<Option<Delivered>> = vec![None; plan.scans.len()];
    let bar = report::progress_bar(opts.progress, plan.scans.len());
    let Some(first) = plan.scans.first() else {
        return Ok((deliveries, started.elapsed()));
    };
    let tz = opts.site.time_zone.clone();
    let mut clock = clock::SimClock::new(opts.speed, first.event.key.ts);
    for (i, s) in plan.scans.iter().enumerate() {
        if i > 0 && plan.scans[i - 1].day != s.day {
            deliver_backlogs(handhelds, &bar, &mut deliveries, cancel).await?;
        }
        clock.until(s.event.key.ts, cancel).await?;
        let local = s.event.key.ts.to_zoned(tz.clone());
        bar.set_prefix(local.strftime("%a %m-%d %H:%M").to_string());
        let Some(h) = handhelds.get_mut(&s.event.key.scanner) else {
            continue; // every planned scanner is connected by `connect`
        };
        h.queue(Outgoing {
            index: i,
            seq: s.event.key.seq,
            payload: scanner::payload(&s.event, &tz),
            repeat: s.repeat,
        });
        if h.offline {
            bar.set_message(format!("{} holds {} scans", h.id, h.backlog()));
            continue;
        }
        h.flush(false, cancel, |d| record(&bar, plan, &mut deliveries, d))
            .await?;
    }
    deliver_backlogs(handhelds, &bar, &mut deliveries, cancel).await?;
    bar.finish_and_clear();
    Ok((deliveries, started.elapsed()))
}

async fn deliver_backlogs(
    handhelds: &mut BTreeMap<Id, Handheld>,
    bar: &ProgressBar,
    deliveries: &mut [Option<Delivered>],
    cancel: &CancellationToken,
) -> Result<(), ScannerError> {
    for h in handhelds
        .values_mut()
        .filter(|h| h.offline && h.backlog() > 0)
    {
        let (scanner, scans) = (&h.id, h.backlog());
        tracing::debug!(%scanner, scans, "back online: delivering the day's scans");
        bar.set_message(format!("{} back online with {} scans", h.id, h.backlog()));
        h.flush(true, cancel, |d| {
            bar.inc(1);
            let i = d.index;
            if let Some(slot) = deliveries.get_mut(i) {
                *slot = Some(d);
            }
        })
        .await?;
    }
    Ok(())
}

fn record(bar: &ProgressBar, plan: &Plan, deliveries: &mut [Option<Delivered>], d: Delivered) {
    bar.inc(1);
    if let Some(s) = plan.scans.get(d.index) {
        let what = match (d.reply.ok, d.reply.warning, d.reply.code) {
            (true, None, _) => "ok".to_string(),
            (true, Some(w), _) => format!("warning {w}"),
            (false, _, code) => format!("rejected {}", code.map_or("?", |c| c.as_str())),
        };
        let e = &s.event;
        bar.set_message(format!(
            "{} {} {} → {what}",
            e.key.scanner,
            e.badge,
            e.kind.action()
        ));
        if !d.reply.ok {
            let (scanner, seq) = (&e.key.scanner, e.key.seq);
            tracing::warn!(%scanner, seq, reply = ?d.reply, "scan rejected");
        }
    }
    if let Some(slot) = deliveries.get_mut(d.index) {
        *slot = Some(d);
    }
}
