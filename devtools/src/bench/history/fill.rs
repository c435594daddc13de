//! A sample site's history written straight through the store, as a site that has run that
//! long would hold it: its job cards, then its scans as accepted first scans, in chunks.

use anyhow::Context;
use bayline_domain::sample::{site as sample_site, Size};
use bayline_domain::{Event, JobCard, Time};
use bayline_proto::{Id, Reply};
use bayline_store::{Decision, ScanRecord, Store};
use indicatif::{ProgressBar, ProgressStyle};
use jiff::SignedDuration;

/// Scans written per store commit while filling.
const FILL_CHUNK: usize = 5_000;

/// A sample site's history moved by whole weeks (its weekdays stay), back or forward, to end
/// within the week before today: histories whose lengths are whole weeks end on the same day,
/// so their live parts (the days not frozen yet) are the same and only history differs.
pub(super) fn history(size: Size) -> (Vec<Event>, Vec<JobCard>, Time) {
    let sample = sample_site(size);
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .start_of_day()
        .map(|z| z.timestamp())
        .unwrap_or(sample.to);
    let weeks = (sample.to.duration_since(today).as_hours() + 24 * 7 - 1).div_euclid(24 * 7);
    let shift = SignedDuration::from_hours(24 * 7 * weeks);
    let mut events = sample.events;
    for e in &mut events {
        e.key.ts -= shift;
    }
    events.sort_by(|a, b| a.key.cmp(&b.key));
    let cards = (sample.catalog.jobs.into_values())
        .map(|mut c| {
            c.promised_at = c.promised_at.map(|p| p - shift);
            c
        })
        .collect();
    (events, cards, sample.from - shift)
}

/// Writes the job cards and the scans as accepted records, in chunks.
pub(super) async fn fill(
    db: &str,
    site: &Id,
    events: &[Event],
    cards: &[JobCard],
) -> anyhow::Result<()> {
    let store = Store::open(db).await.context("opening the database")?;
    let bar = bar(cards.len() + events.len(), "filling");
    for card in cards {
        store.put_job(site, card, events[0].key.ts).await?;
        bar.inc(1);
    }
    for chunk in events.chunks(FILL_CHUNK) {
        let records: Vec<ScanRecord> = chunk.iter().map(|e| accepted(site, e)).collect();
        let _ = store.commit(&records).await?;
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    Ok(())
}

/// `e` as the gateway stores an accepted first scan.
fn accepted(site: &Id, e: &Event) -> ScanRecord {
    let canonical = String::from_utf8_lossy(&crate::simulate::scanner::payload(
        e,
        &jiff::tz::TimeZone::UTC,
    ))
    .into_owned();
    ScanRecord {
        site: site.clone(),
        scanner: e.key.scanner.clone(),
        seq: Some(e.key.seq),
        first_of_seq: true,
        received_at: e.key.ts + SignedDuration::from_secs(1),
        decision: Decision::Accepted {
            event: e.clone(),
            warning: None,
        },
        size: canonical.len(),
        raw: canonical.clone().into_bytes(),
        canonical: Some(canonical),
        reply: Reply::accepted(e.key.seq, "ok"),
    }
}

/// `url`'s JSON answer, with the bench's manager token.
fn bar(len: usize, prefix: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(prefix);
    bar
}
