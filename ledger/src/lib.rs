//! The live sites and the single write path.
//!
//! Writers (a gateway's batch of scans, a job card from the API) take one async write lock,
//! judge in memory, commit to the store, and only then answer. Readers take a site's state
//! lock for the moment it takes to compute a view. So the database and memory change in the
//! same order, and nothing is answered before it is durable.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use bayline_domain::boards::{BoardSite, Boards};
use bayline_domain::{Time, Workshop};
use bayline_proto::{Id, Reply};
use bayline_site::SiteConfig;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use bayline_domain::decode::Decoded;
use bayline_store::{Committed, Listener, ScanRecord, Store, StoreError};

mod approvals;
mod at_risk;
mod cards;
pub mod clock;
mod corrections;
mod dispatch;
mod follow;
mod history;
mod hooks;
pub mod import;
mod judge;
mod promises;
pub mod retry;
mod seen;
mod taken;
mod update;
mod write;

pub use approvals::{Answered, ApprovalError};
pub use cards::{changed_fields, counted_changes, Editor, PutJobError};
pub use clock::{keep_time, SETTLE_EVERY};
pub use corrections::CorrectError;
pub use dispatch::AssignFailed;
pub use history::FREEZE_AFTER;
pub use hooks::HookCall;
pub use import::{ImportError, ImportSummary, LineError};
pub use promises::GATHER;
pub use retry::Backoff;
use seen::{Seen, SeenScans};
pub use update::{Update, UpdateKind};

/// A scan as it came off the broker, decoded but not yet judged.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub site: Id,
    pub scanner: Id,
    pub received_at: Time,
    /// The payload; oversized payloads arrive already cut to their first bytes.
    pub raw: Vec<u8>,
    /// The payload's size as received.
    pub size: usize,
    pub decoded: Decoded,
}

/// The reply for one incoming scan, in the order they came.
#[derive(Debug, Clone)]
pub struct Answer {
    pub site: Id,
    pub scanner: Id,
    pub reply: Reply,
    /// False for an exact repeat: nothing was written.
    pub stored: bool,
}

/// One site: its configuration and the state folded from its stored events.
pub struct SiteLive {
    pub config: SiteConfig,
    bay_names: BTreeMap<Id, String>,
    workshop: Mutex<Workshop>,
    /// What readers see while a writer keeps judged scans in `workshop` across their commit
    /// (an import, [`import`]): the state as it was when that writer took the write lock.
    shown: Mutex<Option<Arc<Workshop>>>,
    seen: Mutex<SeenScans>,
    /// Each job's `late` and `at_risk` as last told on the events stream.
    told: Mutex<promises::Told>,
    /// Jobs scans named whose promise is still to be looked at.
    noted: Mutex<BTreeSet<Id>>,
    /// Jobs whose approval request was answered, until a scan's reply has said so; read
    /// from the store at start-up ([`approvals::approved_unscanned`]).
    approved: Mutex<BTreeSet<Id>>,
    /// Each job's `at_risk` as its webhook receivers were last told, as the store has it.
    hooked: Mutex<BTreeMap<Id, bayline_store::AtRiskTold>>,
}

impl SiteLive {
    /// Runs `f` on the site's current state: what is durable.
    pub fn read<R>(&self, f: impl FnOnce(&Workshop) -> R) -> R {
        let shown = lock(&self.shown).clone();
        match shown {
            Some(workshop) => f(&workshop),
            None => f(&lock(&self.workshop)),
        }
    }

    /// Runs `f` on the state writers judge on: under the write lock, with what is being
    /// committed.
    fn working<R>(&self, f: impl FnOnce(&Workshop) -> R) -> R {
        f(&lock(&self.workshop))
    }

    /// The site's boards at `now` (contract §3.3), as published and as previewed.
    pub fn boards(&self, now: Time) -> Boards {
        // A copy: the judge takes this lock inside the workshop's, never the other way.
        let approved = lock(&self.approved).clone();
        let site = BoardSite {
            tz: &self.config.time_zone,
            language: self.config.language,
            bay_names: &self.bay_names,
            approved: &approved,
        };
        self.read(|w| w.boards(site, now))
    }
}

// A poisoned lock means a panic mid-update; the state is still the best we have, and the
// panic itself is already logged, so carry on rather than take the whole site down.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub struct Ledger {
    store: Store,
    sites: BTreeMap<Id, Arc<SiteLive>>,
    write: write::WriteLock,
    changes: broadcast::Sender<Update>,
    /// Listening since before the sites were loaded, so that no notice falls in between;
    /// taken by [`Ledger::follow`].
    listener: Mutex<Option<Listener>>,
    /// Woken when [`SiteLive::noted`] gains jobs.
    noted: tokio::sync::Notify,
}

impl Ledger {
    /// Loads every site's job cards, events and seen scans from the store.
    pub async fn open(store: Store, configs: Vec<SiteConfig>) -> Result<Ledger, StoreError> {
        let listener = store.listen().await?;
        let mut sites = BTreeMap::new();
        for config in configs {
            let (workshop, seen) = history::load(&store, &config, jiff::Timestamp::now()).await?;
            tracing::info!(site = %config.id, events = workshop.events().count(), "site loaded");
            let approved = approvals::approved_unscanned(&store, &config.id, &workshop).await?;
            // Memory follows open work: a closed job is told nothing more.
            let jobs: Vec<Id> = workshop.catalog().jobs.keys().cloned().collect();
            let hooked = store.at_risk_told(&config.id, &jobs).await?;
            let hooked = hooked.into_iter().collect();
            sites.insert(
                config.id.clone(),
                Arc::new(SiteLive {
                    bay_names: (config.bays.iter())
                        .map(|b| (b.id.clone(), b.name.clone()))
                        .filter(|(_, name)| !name.is_empty())
                        .collect(),
                    config,
                    told: Mutex::new(promises::first(&workshop, jiff::Timestamp::now())),
                    workshop: Mutex::new(workshop),
                    shown: Mutex::default(),
                    seen: Mutex::new(seen),
                    noted: Mutex::default(),
                    approved: Mutex::new(approved),
                    hooked: Mutex::new(hooked),
                }),
            );
        }
        let (changes, _) = broadcast::channel(1024);
        Ok(Ledger {
            store,
            sites,
            write: write::WriteLock::default(),
            changes,
            listener: Mutex::new(listener),
            noted: tokio::sync::Notify::new(),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn site(&self, id: &str) -> Option<&Arc<SiteLive>> {
        self.sites.get(id)
    }

    pub fn sites(&self) -> impl Iterator<Item = &Arc<SiteLive>> {
        self.sites.values()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Update> {
        self.changes.subscribe()
    }

    /// Judges a batch, commits it in one transaction (retrying while the database is away),
    /// and returns one answer per incoming scan, in order. Only an error of the cancel token
    /// ends the retries: then nothing of the batch may be answered.
    pub async fn submit(
        &self,
        batch: Vec<Incoming>,
        cancel: &CancellationToken,
    ) -> Result<Vec<Answer>, StoreError> {
        let _writer = self.write.lock().await;
        // Only the sites this batch names: a server of many sites looks at one or two.
        let mut named: BTreeMap<&Id, Vec<&Id>> = BTreeMap::new();
        for i in &batch {
            if let Some(job) = i.decoded.result.as_ref().ok().and_then(|e| e.kind.job()) {
                named.entry(&i.site).or_default().push(job);
            }
        }
        // Each named job's stage before, for the sites that tell webhooks of stages.
        let mut stages_before = Vec::new();
        for (site, jobs) in named {
            if let Some(live) = self.sites.get(site) {
                self.recall_closed(live, jobs.iter().copied()).await;
                if !live.config.webhooks.is_empty() {
                    let now = jiff::Timestamp::now();
                    stages_before.push((live, hooks::stages(live, jobs, now)));
                }
            }
        }
        let mut answers = Vec::with_capacity(batch.len());
        let mut records = Vec::with_capacity(batch.len());
        // the answer each record was judged for
        let mut answer_of = Vec::with_capacity(batch.len());
        for (answer, record) in self.judge(batch) {
            if record.is_some() {
                answer_of.push(answers.len());
            }
            answers.push(answer);
            records.extend(record);
        }
        let started = Instant::now();
        let committed = self.commit(&records, cancel).await?;
        if !committed.taken.is_empty() {
            // Another gateway stored some of these first: answer them as it decided.
            let taken = (committed.taken, answer_of.as_slice());
            records = self
                .rejudge_taken(records, taken, &mut answers, cancel)
                .await?;
        }
        self.show(&records);
        for (live, before) in stages_before {
            let calls = hooks::stage_calls(live, &before, jiff::Timestamp::now());
            if let Err(e) = self.tell_hooks(&live.config, &calls).await {
                tracing::error!(error = %e, site = %live.config.id, "webhook events lost");
            }
        }
        metrics::histogram!("bayline_commit_seconds").record(started.elapsed().as_secs_f64());
        self.tell_stored(&records);
        Ok(answers)
    }

    /// Tells what committed and shown `records` did: the promises of the jobs they name to
    /// look at, the metrics, and an [`Update`] for each event.
    fn tell_stored(&self, records: &[ScanRecord]) {
        self.note_promises_of(records);
        metrics::histogram!("bayline_batch_size").record(records.len() as f64);
        for r in records {
            metrics::counter!("bayline_scans_total", "status" => r.decision.status(), "code" => r.decision.code().unwrap_or_default())
                .increment(1);
            if let Some(e) = r.event() {
                let mut change = Update::of_event(&r.site, e, r.received_at);
                if let Some(live) = self.sites.get(&r.site) {
                    live.working(|w| change.resolve_call_bay(&e.key, w));
                }
                let _ = self.changes.send(change);
            }
        }
    }

    /// Commits `records`, retrying while the database is away; only the cancel token ends
    /// the retries.
    async fn commit(
        &self,
        records: &[ScanRecord],
        cancel: &CancellationToken,
    ) -> Result<Committed, StoreError> {
        let mut backoff = Backoff::WRITE;
        loop {
            match self.store.commit(records).await {
                Ok(committed) => return Ok(committed),
                Err(e) => {
                    tracing::warn!(error = %e, records = records.len(), "commit failed; retrying");
                    metrics::counter!("bayline_commit_failures_total").increment(1);
                    if !backoff.wait(cancel).await {
                        return Err(e);
                    }
                }
            }
        }
    }

    /// Applies the forgotten clock-offs due by `now` to every site's state (contract §4: time
    /// passing, not a scan). Changes no figure, only spares each view doing it on a copy;
    /// [`keep_time`] calls it on a timer.
    pub fn settle(&self, now: Time) {
        for live in self.sites.values() {
            // A site whose writer keeps judged scans across their commit is settled after.
            // (Held while settling, so that such a writer cannot begin in between.)
            let shown = lock(&live.shown);
            if shown.is_none() {
                lock(&live.workshop).settle(now);
            }
        }
    }
}
