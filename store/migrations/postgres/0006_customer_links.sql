-- The PostgreSQL twin of migrations/sqlite/0006.

-- The customer in the loop (contract §7.5): status links and approval requests.

-- A status link for the customer's phone. Only the SHA-256 of its token is kept: the link is
-- found by that hash, so neither a database dump nor an answer's timing gives a token away.
CREATE TABLE customer_links (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site          TEXT    NOT NULL,
    job           TEXT    NOT NULL,
    token_sha256  TEXT    NOT NULL UNIQUE,
    created_at_ns BIGINT  NOT NULL,
    created_by    TEXT    NOT NULL,
    -- NULL: valid until 24 h after the car is delivered
    expires_at_ns BIGINT,
    revoked_at_ns BIGINT
);
CREATE INDEX customer_links_job ON customer_links (site, job);

-- A request for extra work (增项), with its message; its items below.
CREATE TABLE approvals (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site         TEXT    NOT NULL,
    job          TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    opened_at_ns BIGINT  NOT NULL,
    opened_by    TEXT    NOT NULL
);
CREATE INDEX approvals_job ON approvals (site, job, id);

-- One op of a request and its answer. An answer is written once (answer IS NULL in the
-- update's WHERE): a second tap changes nothing.
CREATE TABLE approval_items (
    approval       BIGINT  NOT NULL REFERENCES approvals (id),
    op             TEXT    NOT NULL,
    -- the order the advisor listed the items in
    position       BIGINT  NOT NULL,
    title          TEXT    NOT NULL,
    std_hours      DOUBLE PRECISION NOT NULL,
    price          DOUBLE PRECISION NOT NULL,
    photo          TEXT,
    -- NULL while open, 'approved' or 'declined'
    answer         TEXT,
    answered_at_ns BIGINT,
    -- 'customer' (on the link) or the token's name of the advisor who took it by phone
    answered_by    TEXT,
    PRIMARY KEY (approval, op)
);
