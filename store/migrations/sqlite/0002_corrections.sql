-- A manager's corrections of the timeline (contract §4 "Corrections"): kept like events, in
-- the order made (id per site), each with who, when and why; the body is the whole
-- correction as JSON, so the audit trail reads back exactly as it was made.
CREATE TABLE corrections (
    site     TEXT    NOT NULL,
    id       INTEGER NOT NULL,
    made_by  TEXT    NOT NULL,
    made_at  TEXT    NOT NULL,
    body     TEXT    NOT NULL,
    PRIMARY KEY (site, id)
);
