-- Years of history: a closed local day whose late-scan window has passed is frozen. Its
-- totals (the additive quantities behind the §6 figures, by badge and bay) are stored here,
-- with the outcome of each job that closed and the pruned state at each freeze point, so a
-- start folds only open work and the days since, and a period's figures sum stored days.

-- One row per frozen local day (YYYY-MM-DD in the site's zone): its totals as JSON.
CREATE TABLE frozen_days (
    site   TEXT NOT NULL,
    day    TEXT NOT NULL,
    totals TEXT NOT NULL,
    PRIMARY KEY (site, day)
);

-- A job delivered before the freeze point left the live state: what the job figures count of
-- it (instants, crew, promise) as JSON, with its instants as columns to find it by period.
CREATE TABLE job_outcomes (
    site         TEXT NOT NULL,
    job          TEXT NOT NULL,
    first_qc_ns  BIGINT,
    ready_ns     BIGINT,
    delivered_ns BIGINT NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (site, job)
);
CREATE INDEX job_outcomes_qc ON job_outcomes (site, first_qc_ns);
CREATE INDEX job_outcomes_ready ON job_outcomes (site, ready_ns);
CREATE INDEX job_outcomes_delivered ON job_outcomes (site, delivered_ns);

-- The state after every event before at_ns (a local day's start), pruned to open work: where
-- a start folds from. The newest one is the site's freeze point.
CREATE TABLE checkpoints (
    site  TEXT    NOT NULL,
    at_ns BIGINT    NOT NULL,
    body  BYTEA   NOT NULL,
    PRIMARY KEY (site, at_ns)
);

-- A start reads only the events at or after the freeze point, and the first scans of the
-- recent past (older repeats are answered from the unique index on commit).
CREATE INDEX scans_site_ts ON scans (site, ts_ns) WHERE status = 'accepted';
CREATE INDEX scans_site_received ON scans (site, received_at);
