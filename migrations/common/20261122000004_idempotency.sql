-- Idempotency-Key replay store for tenant API POSTs (kept 24 hours).
CREATE TABLE idempotency_keys (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    -- 0 while the first request is still running.
    status BIGINT NOT NULL,
    response_body TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
