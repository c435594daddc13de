//! The [`Store`] calls of the webhook bookkeeping beside the outbox and of the approvals no
//! scan has told yet (`backend/claims.rs`, `backend/customer.rs`).

use bayline_domain::Time;
use bayline_proto::Id;

use super::{Db, Store};
use crate::backend::claims::AtRiskTold;
use crate::backend::outbox::Outgoing;
use crate::StoreError;

impl Store {
    /// The `at_risk` state the receivers of each of `jobs` (a site's open ones: the table
    /// keeps a row for every job ever told) were last told.
    pub async fn at_risk_told(
        &self,
        site: &Id,
        jobs: &[Id],
    ) -> Result<Vec<(Id, AtRiskTold)>, StoreError> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        on_backend!(self, db => db.at_risk_told(site, jobs).await)
    }

    /// Queues `events` (each at most once per receiver) and records `told`, in one
    /// transaction; a recorded state with more changes than the one given is kept.
    pub async fn tell_at_risk(
        &self,
        site: &Id,
        told: &[(Id, AtRiskTold)],
        events: &[Outgoing],
    ) -> Result<(), StoreError> {
        on_backend!(self, db => db.tell_at_risk(site, told, events).await)
    }

    /// Takes or renews the delivery lease of receiver `url` for `holder` until `until`,
    /// unless another holder's runs past `now`: whether `holder` has it.
    pub async fn lease_receiver(
        &self,
        url: &str,
        holder: &str,
        now: Time,
        until: Time,
    ) -> Result<bool, StoreError> {
        on_backend!(self, db => db.lease_receiver(url, holder, now, until).await)
    }

    /// Gives up `holder`'s lease of receiver `url`, if it has it.
    pub async fn release_receiver(&self, url: &str, holder: &str) -> Result<(), StoreError> {
        on_backend!(self, db => db.release_receiver(url, holder).await)
    }

    /// Those of `jobs` whose approval request was answered in full after their last
    /// accepted scan.
    pub async fn approved_unscanned(&self, site: &Id, jobs: &[Id]) -> Result<Vec<Id>, StoreError> {
        on_backend!(self, db => db.approved_unscanned(site, jobs).await)
    }
}
