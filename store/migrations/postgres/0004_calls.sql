-- Andon calls cleared before a freeze point left the live state (contract §7.7): each stored
-- whole as JSON (bay as the fold resolved it, who, reason, opened, answered, cleared), with
-- its instants as columns to find it by period. The list of calls and the §6 call figures of
-- frozen days read from here; the p90 of answer times needs every call, not a sum.
CREATE TABLE calls (
    site        TEXT   NOT NULL,
    bay         TEXT   NOT NULL,
    opened_ns   BIGINT NOT NULL,
    answered_ns BIGINT,
    cleared_ns  BIGINT NOT NULL,
    body        TEXT   NOT NULL,
    PRIMARY KEY (site, bay, opened_ns)
);
CREATE INDEX calls_opened ON calls (site, opened_ns);
CREATE INDEX calls_answered ON calls (site, answered_ns);
