//! A site's live state read back from the store at a start, and the rebuild of a site
//! stored without checkpoints.

use std::collections::BTreeMap;

use bayline_domain::fold::State;
use bayline_domain::{Time, Workshop};
use bayline_proto::Id;
use bayline_site::SiteConfig;
use bayline_store::{Checkpoint, Store, StoreError};

use super::{corrected, FREEZE_AFTER, REBUILD_DAYS, SEEN_WINDOW};
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
        let (out, put) = corrected(store, site, &past).await?;
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
        resume(store, site, &mut workshop, state, from, closed).await?;
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

/// Resumes `workshop` (holding the open jobs' cards) from a checkpoint at `at`, with the
/// closed jobs the events after it name, and reads from the store what else it wants: the
/// deliveries a job in memory may come back from, the cards of closed jobs a badge is still
/// clocked on.
async fn resume(
    store: &Store,
    site: &Id,
    workshop: &mut Workshop,
    state: State,
    at: Time,
    closed: BTreeMap<Id, Time>,
) -> Result<(), StoreError> {
    workshop.resume(state, at, closed);
    let since = workshop.deliveries_wanted_since();
    workshop.recall_deliveries(store.deliveries_since(site, since).await?);
    let mut lingering = Vec::new();
    for job in workshop.lingering_wanted() {
        lingering.extend(store.job(site, &job).await?);
    }
    workshop.recall_lingering(lingering);
    Ok(())
}

/// Folds a site's whole stored timeline again: [`rebuild_from`] its first event.
pub(crate) async fn rebuild(
    store: &Store,
    config: &SiteConfig,
    now: Time,
) -> Result<(), StoreError> {
    rebuild_from(store, config, Time::MIN, now).await
}

/// Folds a site's stored timeline again from the checkpoint before `from` (from its first
/// event when there is none it can read) a week at a time, freezing and storing each day
/// that ended more than [`FREEZE_AFTER`] before `now`: for a database that has no
/// checkpoints yet, and after a change to the frozen past (a correction, a closed job's
/// card), which then costs the days since the change, not the site's years, and holds a
/// week of events in memory at once. The days before the checkpoint stay as stored.
pub(crate) async fn rebuild_from(
    store: &Store,
    config: &SiteConfig,
    from: Time,
    now: Time,
) -> Result<(), StoreError> {
    let site = &config.id;
    let settings = config.settings();
    let schedule = settings.schedule.clone();
    let mut workshop = Workshop::new(config.catalog(), settings);
    let start = match store.checkpoint_before(site, from).await? {
        Some(Checkpoint {
            at,
            state: Some(state),
        }) => {
            store
                .forget_frozen_from(site, at, schedule.date_of(at))
                .await?;
            // The jobs closed since `at` are open again in the store: their cards come too.
            for card in store.live_jobs(site).await? {
                workshop.upsert_job(card);
            }
            resume(store, site, &mut workshop, state, at, BTreeMap::new()).await?;
            at
        }
        _ => {
            store.forget_frozen(site).await?;
            let Some(first) = store.first_event(site).await? else {
                return Ok(());
            };
            for card in store.jobs(site).await? {
                workshop.upsert_job(card);
            }
            schedule.start_of(schedule.date_of(first)).unwrap_or(first)
        }
    };
    let started = std::time::Instant::now();
    let corrections = store.corrections(site).await?;
    let (out, put) = corrected(store, site, &corrections).await?;
    let limit = now - FREEZE_AFTER;
    let (mut week, mut days, mut events_folded) = (start, 0usize, 0usize);
    while week < limit {
        let end = schedule
            .date_of(week)
            .checked_add(jiff::Span::new().days(REBUILD_DAYS))
            .ok()
            .and_then(|d| schedule.start_of(d))
            .unwrap_or(limit);
        let mut events = store.events_in(site, week, Some(end)).await?;
        events.retain(|e| !out.contains(&e.key));
        events.extend(
            put.iter()
                .filter(|e| week <= e.key.ts && e.key.ts < end)
                .cloned(),
        );
        // Of the jobs closed before the checkpoint, those this week's events name.
        let named = workshop.unknown_jobs(events.iter().filter_map(|e| e.kind.job()));
        workshop.recall_closed(store.closed_among(site, &named).await?);
        events_folded += events.len();
        workshop.restore(events);
        if let Some(f) = workshop.freeze(end.min(limit), end) {
            days += f.days.len();
            store.put_freeze(site, &f).await?;
        }
        week = end;
    }
    tracing::info!(site = %site, from = %start, days, events = events_folded, seconds = started.elapsed().as_secs_f64(), "site refolded from its events");
    Ok(())
}
