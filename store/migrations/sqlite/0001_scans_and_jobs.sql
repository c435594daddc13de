-- Every scan that reached a gateway (contract §4 "Nothing lost"): accepted ones are the
-- event log the state is folded from; rejected ones keep their code and raw bytes for review.
CREATE TABLE scans (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    site        TEXT    NOT NULL,
    scanner     TEXT    NOT NULL,
    -- u64 stored bit for bit in an i64; NULL when the payload had no readable seq.
    seq         INTEGER,
    -- 1 for the first scan of its (scanner, seq): the one a repeat is compared with.
    -- A later scan with the same seq and other content (seq_conflict) has 0.
    first_of_seq INTEGER NOT NULL,
    received_at TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('accepted', 'rejected')),
    -- the reject code, or the warning an accepted scan got on arrival
    code        TEXT,
    detail      TEXT,
    -- the event, for accepted scans
    ts          TEXT,
    ts_ns       INTEGER,
    badge       TEXT,
    action      TEXT,
    job         TEXT,
    op          TEXT,
    bay         TEXT,
    reason      TEXT,
    -- the payload with sorted keys: what "the same content" means for a repeat
    canonical   TEXT,
    size        INTEGER NOT NULL,
    raw         BLOB    NOT NULL,
    reply       TEXT    NOT NULL
);
CREATE UNIQUE INDEX scans_identity ON scans (site, scanner, seq) WHERE first_of_seq = 1;
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
