-- A closed job's outcome as a compact line of numbers (store/src/backend/outcome_line.rs),
-- beside its JSON body: the site's figures and the day rows read a period's closed jobs
-- from it without parsing tens of thousands of bodies and their timestamps. Rows frozen
-- before this migration have none: the checkpoint format changed with it (6), so a start
-- rebuilds the frozen days and stores them again with their lines.
ALTER TABLE job_outcomes ADD COLUMN line TEXT;
