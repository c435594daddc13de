-- Comebacks (contract §7.6): a closed job's plate, so that a car back within comeback_days
-- of its delivery is found even when the earlier job left memory, and the check-in of a
-- closed job that was itself a comeback, to find it by period like the outcomes' instants.
-- Rows frozen before this migration have neither: the checkpoint format changed with it,
-- so a start rebuilds the frozen days and stores them again with both.
ALTER TABLE job_outcomes ADD COLUMN plate TEXT;
ALTER TABLE job_outcomes ADD COLUMN comeback_ns BIGINT;
CREATE INDEX job_outcomes_comeback ON job_outcomes (site, comeback_ns);
