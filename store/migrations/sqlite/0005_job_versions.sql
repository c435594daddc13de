-- Every change of a job card through PUT …/jobs/{job} (contract §7.6): the card as put (without
-- the foreman's assignments, which have their own route), who put it and when. Rows are only
-- ever inserted: the trail that shows whether promised times or sold hours were bent.
CREATE TABLE job_versions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    site        TEXT    NOT NULL,
    job         TEXT    NOT NULL,
    at_ns       BIGINT  NOT NULL,
    -- the token's [[tokens]] name, else its role and fingerprint (manager-3f2a9c)
    who         TEXT    NOT NULL,
    -- the job had reached stage ready (or delivered) when this version was put: the review
    -- page lists these
    after_ready BOOLEAN NOT NULL,
    card        TEXT    NOT NULL
);
CREATE INDEX job_versions_job ON job_versions (site, job, id);
CREATE INDEX job_versions_after_ready ON job_versions (site, id) WHERE after_ready;
