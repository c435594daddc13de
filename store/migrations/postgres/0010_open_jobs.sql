-- When a job's outcome was frozen (its delivery), on its card's row: a start reads the cards
-- of the open jobs through this index instead of checking every card the years have closed
-- against job_outcomes. Kept with job_outcomes: set when an outcome is stored, cleared when
-- frozen days are forgotten.
ALTER TABLE jobs ADD COLUMN closed_ns BIGINT;
UPDATE jobs SET closed_ns = (
    SELECT o.delivered_ns FROM job_outcomes o WHERE o.site = jobs.site AND o.job = jobs.job
);
CREATE INDEX jobs_closed ON jobs (site, closed_ns);
