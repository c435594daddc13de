//! What a site knows before any scan: its bays and staff (from the site config) and its job
//! cards (from the DMS or an advisor, through `PUT …/jobs/{job}`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Id, Time};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BayKind {
    Lift,
    Alignment,
    Body,
    Paint,
    Wash,
    Qc,
    Other,
}

impl BayKind {
    /// Work bays count in the KPIs (contract §4 "Bays"); wash and QC bays do not.
    pub fn is_work_bay(self) -> bool {
        !matches!(self, BayKind::Wash | BayKind::Qc)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Technician,
    Qc,
    Washer,
    Advisor,
    Manager,
}

/// One labour line of a job card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpCard {
    pub op: Id,
    #[serde(default)]
    pub title: String,
    pub std_hours: f64,
    /// Who does it, where, when (contract §7.3); `None` until the foreman dispatches it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<crate::dispatch::Assignment>,
}

/// A repair order as the DMS or the advisor describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobCard {
    pub job: Id,
    #[serde(default)]
    pub plate: String,
    #[serde(default)]
    pub vehicle: String,
    #[serde(default)]
    pub customer: String,
    #[serde(default)]
    pub advisor: String,
    /// The kind of work: `保养` maintenance, `事故` accident, `索赔` warranty… as the DMS
    /// writes it; figures can be grouped by it (`group_by=service`).
    #[serde(default)]
    pub service: String,
    /// The earlier job this one comes back from (外返, contract §7.6); without it the plate
    /// rule decides ([`crate::comeback`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comeback_of: Option<Id>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub promised_at: Option<Time>,
    /// When a wait for parts or approval is expected to end (contract §7.2): the ETA of a
    /// waiting job starts there; without it a waiting job has no ETA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub waiting_until: Option<Time>,
    /// Whether the car is washed after QC (contract §4 Stages: default yes).
    #[serde(default = "yes")]
    pub wash: bool,
    #[serde(default)]
    pub ops: Vec<OpCard>,
}

fn yes() -> bool {
    true
}

impl JobCard {
    pub fn op(&self, op: &str) -> Option<&OpCard> {
        self.ops.iter().find(|o| o.op.as_str() == op)
    }

    pub fn std_hours(&self) -> f64 {
        self.ops.iter().map(|o| o.std_hours).sum()
    }
}

/// The site's fixed lists and its job cards.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub bays: BTreeMap<Id, BayKind>,
    pub badges: BTreeMap<Id, Role>,
    pub jobs: BTreeMap<Id, JobCard>,
    /// Jobs delivered before the freeze point, with when ([`crate::Workshop::freeze`]): their
    /// cards and state left memory, and a scan naming one is `job_closed`.
    pub closed: BTreeMap<Id, crate::Time>,
    /// Deliveries of closed jobs by plate that a live or later job may come back from
    /// ([`crate::comeback`]).
    pub deliveries: crate::comeback::Deliveries,
    /// Cards of closed jobs a badge is still clocked on (it forgot to clock off before the
    /// delivery): their time still goes to the card's advisor and service.
    pub lingering: BTreeMap<Id, JobCard>,
    /// The site's own pause reasons (`[[pause_reasons]]`).
    pub pause_reasons: crate::Reasons,
}

impl Catalog {
    /// The card of `job`, open or lingering.
    pub fn card(&self, job: &str) -> Option<&JobCard> {
        self.jobs.get(job).or_else(|| self.lingering.get(job))
    }
}
