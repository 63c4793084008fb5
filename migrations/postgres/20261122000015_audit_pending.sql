-- Audit events waiting for their place in the chain (see src/store/sequencer.rs). A transaction
-- writes its events here with its change and commits without taking the chain's head; a sequencing
-- round moves them, numbered and hashed, into audit_events in the order of `id`, within moments (the
-- committing request waits for it). Rows live here only between a commit and the next round.
CREATE TABLE audit_pending (
    id BIGSERIAL PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    occurred_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    tenant_id TEXT,
    request_id TEXT,
    client_ip TEXT,
    payload TEXT NOT NULL
);
