-- What a period's bare outcomes read (store/src/backend/outcomes.rs), whole in one index: the
-- range on delivered_ns, the instants it tests and the job and line it returns, so a year's
-- 70,000 lines come from the index's pages alone instead of one table lookup each (a year's
-- figures spent half their time there, reading every row's JSON body with it).
CREATE INDEX job_outcomes_lines ON job_outcomes (site, delivered_ns, first_qc_ns, ready_ns, comeback_ns, job, line);
