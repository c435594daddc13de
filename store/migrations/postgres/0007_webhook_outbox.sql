-- The PostgreSQL twin of migrations/sqlite/0007.

-- Webhook deliveries (contract §7.5): each event for each receiver is written here in the
-- same breath as the change it tells of, and deleted from the queue only by a 2xx answer,
-- so a restart or a long outage of the receiver loses nothing. Delivered rows stay with
-- delivered_at_ns set, as the record of what was sent.
CREATE TABLE webhook_outbox (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site            TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    event_id        TEXT    NOT NULL,
    job             TEXT,
    body            TEXT    NOT NULL,
    created_at_ns   BIGINT  NOT NULL,
    attempts        BIGINT  NOT NULL DEFAULT 0,
    last_error      TEXT,
    delivered_at_ns BIGINT,
    UNIQUE (url, event_id)
);
CREATE INDEX webhook_outbox_pending ON webhook_outbox (url, id) WHERE delivered_at_ns IS NULL;
