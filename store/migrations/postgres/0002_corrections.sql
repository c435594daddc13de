-- The PostgreSQL twin of migrations/sqlite/0002: a manager's corrections, in the order made.
CREATE TABLE corrections (
    site     TEXT   NOT NULL,
    id       BIGINT NOT NULL,
    made_by  TEXT   NOT NULL,
    made_at  TEXT   NOT NULL,
    body     TEXT   NOT NULL,
    PRIMARY KEY (site, id)
);
