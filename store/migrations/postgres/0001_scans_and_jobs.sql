-- The PostgreSQL twin of migrations/sqlite/0001: the same tables, columns and indexes, in
-- PostgreSQL's types. Times stay RFC 3339 text (with ts_ns for ordering) so both backends
-- return the very same values.

-- Every scan that reached a gateway (contract §4 "Nothing lost"): accepted ones are the
-- event log the state is folded from; rejected ones keep their code and raw bytes for review.
CREATE TABLE scans (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site         TEXT    NOT NULL,
    scanner      TEXT    NOT NULL,
    -- u64 stored bit for bit in an i64; NULL when the payload had no readable seq.
    seq          BIGINT,
    -- true for the first scan of its (scanner, seq): the one a repeat is compared with.
    -- A later scan with the same seq and other content (seq_conflict) has false.
    first_of_seq BOOLEAN NOT NULL,
    received_at  TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('accepted', 'rejected')),
    -- the reject code, or the warning an accepted scan got on arrival
    code         TEXT,
    detail       TEXT,
    -- the event, for accepted scans
    ts           TEXT,
    ts_ns        BIGINT,
    badge        TEXT,
    action       TEXT,
    job          TEXT,
    op           TEXT,
    bay          TEXT,
    reason       TEXT,
    -- the payload with sorted keys: what "the same content" means for a repeat
    canonical    TEXT,
    size         BIGINT  NOT NULL,
    raw          BYTEA   NOT NULL,
    reply        TEXT    NOT NULL
);
-- One first scan per identity, whichever gateway wrote it: concurrent writers meet here
-- (INSERT … ON CONFLICT (site, scanner, seq) WHERE first_of_seq DO NOTHING).
CREATE UNIQUE INDEX scans_identity ON scans (site, scanner, seq) WHERE first_of_seq;
CREATE INDEX scans_site_status ON scans (site, status);

-- Job cards from the DMS or an advisor (PUT /api/v1/sites/{site}/jobs/{job}).
CREATE TABLE jobs (
    site       TEXT NOT NULL,
    job        TEXT NOT NULL,
    card       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (site, job)
);
