-- What time alone tells receivers, and who delivers (contract §7.5).

-- The at_risk state each job's receivers were last told, written in the transaction that
-- queues the event: a job whose state differs from this one is owed an event, after a crash
-- or a restart too. `changes` counts the job's at_risk events; the next event's id is made
-- of it, so two servers queueing the same change queue one event (the outbox's
-- UNIQUE (url, event_id)).
CREATE TABLE webhook_at_risk (
    site    TEXT   NOT NULL,
    job     TEXT   NOT NULL,
    -- 1 when last told at risk, 0 when last told not
    at_risk BIGINT NOT NULL,
    changes BIGINT NOT NULL,
    PRIMARY KEY (site, job)
);

-- One deliverer per receiver: the process holding a receiver's lease delivers its events,
-- one at a time and in order; another takes over once the lease runs out unrenewed.
CREATE TABLE webhook_leases (
    url      TEXT   PRIMARY KEY,
    holder   TEXT   NOT NULL,
    until_ns BIGINT NOT NULL
);
