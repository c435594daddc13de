//! A site's live state read back from the store at a start, and the rebuild of a site
//! stored without checkpoints.

use std::collections::BTreeMap;

use bayline_domain::correction::as_stream;
use bayline_domain::{Time, Workshop};
use bayline_proto::Id;
use bayline_site::SiteConfig;
use bayline_store::{Checkpoint, Store, StoreError};

use super::{targets, FREEZE_AFTER, REBUILD_DAYS, SEEN_WINDOW};
use crate::seen::{Seen, SeenScans};

/// A site's live state as stored: from its newest checkpoint (rebuilding the site first when
/// it has none and old enough events), the open jobs' cards, the events since, and the
/// first scans of the recent past.
pub(crate) async fn load(
    store: &Store,
    config: &SiteConfig,
    now: Time,
) -> Result<(Workshop, SeenScans), StoreError> {
    load_with(store, config, now, true).await
}

/// [`load`]; without `rebuild`, a site with no readable checkpoint is folded whole.
pub(super) async fn load_with(
    store: &Store,
    config: &SiteConfig,
    now: Time,
    rebuild_if_old: bool,
) -> Result<(Workshop, SeenScans), StoreError> {
    let site = &config.id;
    let mut checkpoint = store.checkpoint_before(site, Time::MAX).await?;
    let readable = checkpoint.as_ref().is_some_and(|c| c.state.is_some());
    if !readable && rebuild_if_old {
        let first = store.first_event(site).await?;
        if first.is_some_and(|f| f < now - FREEZE_AFTER) {
            rebuild(store, config, now).await?;
            checkpoint = store.checkpoint_before(site, Time::MAX).await?;
        }
    }
    let mut workshop = Workshop::new(config.catalog(), config.settings());
    let (from, resumed) = match checkpoint {
        Some(Checkpoint {
            at,
            state: Some(state),
        }) => (at, Some(state)),
        _ => (Time::MIN, None),
    };
    let cards = match resumed {
        Some(_) => store.live_jobs(site).await?,
        None => store.jobs(site).await?,
    };
    for card in cards {
        workshop.upsert_job(card);
    }
    let corrections = store.corrections(site).await?;
    // Corrections that reach before the freeze point are in the checkpoint already; what they
    // did at or after it applies to the stored events as a stream. The rest are made again.
    let (past, recent): (Vec<_>, Vec<_>) =
        corrections.into_iter().partition(|c| c.earliest() < from);
    let mut events = store.events_in(site, from, None).await?;
    if !past.is_empty() {
        let (out, put) = as_stream(&past, targets(store, site, &past).await?);
        events.retain(|e| !out.contains(&e.key));
        events.extend(put.into_iter().filter(|e| e.key.ts >= from));
    }
    if let Some(state) = resumed {
        // Of the jobs closed before the freeze point, those the live events name: the start
        // reads what is open, however many jobs the years have closed.
        let named = workshop.unknown_jobs(events.iter().filter_map(|e| e.kind.job()));
        let closed: BTreeMap<Id, Time> = store
            .closed_among(site, &named)
            .await?
            .into_iter()
            .collect();
        workshop.resume(state, from, closed);
        let since = workshop.deliveries_wanted_since();
        workshop.recall_deliveries(store.deliveries_since(site, since).await?);
        let mut lingering = Vec::new();
        for job in workshop.lingering_wanted() {
            lingering.extend(store.job(site, &job).await?);
        }
        workshop.recall_lingering(lingering);
    }
    workshop.restore(events);
    for (id, e) in workshop.restore_corrections(recent) {
        tracing::warn!(site = %config.id, correction = id, error = %e, "a stored correction no longer applies");
    }
    let seen = store
        .seen_since(site, now - SEEN_WINDOW)
        .await?
        .into_iter()
        .map(|s| {
            let seen = Seen::new(s.canonical.as_deref(), &s.reply);
            ((s.scanner, s.seq), seen)
        })
        .collect();
    Ok((workshop, seen))
}

/// Folds a site's whole stored timeline again a week at a time, freezing and storing each
/// day that ended more than [`FREEZE_AFTER`] before `now`: for a database that has no
/// checkpoints yet, and after a change to the frozen past (an import, a correction).
pub(crate) async fn rebuild(
    store: &Store,
    config: &SiteConfig,
    now: Time,
) -> Result<(), StoreError> {
    let site = &config.id;
    store.forget_frozen(site).await?;
    let Some(first) = store.first_event(site).await? else {
        return Ok(());
    };
    let started = std::time::Instant::now();
    let settings = config.settings();
    let schedule = settings.schedule.clone();
    let mut workshop = Workshop::new(config.catalog(), settings);
    for card in store.jobs(site).await? {
        workshop.upsert_job(card);
    }
    let corrections = store.corrections(site).await?;
    let (out, put) = as_stream(&corrections, targets(store, site, &corrections).await?);
    let limit = now - FREEZE_AFTER;
    let mut start = schedule.start_of(schedule.date_of(first)).unwrap_or(first);
    let (mut days, mut events_folded) = (0usize, 0usize);
    while start < limit {
        let end = schedule
            .date_of(start)
            .checked_add(jiff::Span::new().days(REBUILD_DAYS))
            .ok()
            .and_then(|d| schedule.start_of(d))
            .unwrap_or(limit);
        let mut events = store.events_in(site, start, Some(end)).await?;
        events.retain(|e| !out.contains(&e.key));
        events.extend(
            put.iter()
                .filter(|e| start <= e.key.ts && e.key.ts < end)
                .cloned(),
        );
        events_folded += events.len();
        workshop.restore(events);
        if let Some(f) = workshop.freeze(end.min(limit), end) {
            days += f.days.len();
            store.put_freeze(site, &f).await?;
        }
        start = end;
    }
    tracing::info!(site = %site, days, events = events_folded, seconds = started.elapsed().as_secs_f64(), "site rebuilt from its events");
    Ok(())
}
