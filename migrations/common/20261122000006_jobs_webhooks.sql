-- Background work, provider exchanges and webhook deliveries (DESIGN §5).

-- Jobs: claimed atomically, retried with backoff, dead after max_attempts. A running job holds a
-- lease; a worker that crashed leaves an expired lease and the job is claimed again.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    run_at TEXT NOT NULL,
    locked_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_subject ON jobs (subject_id, created_at);

-- Every attempt to deliver an outbox message to a tenant's endpoint.
CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES outbox_messages (id),
    attempted_at TEXT NOT NULL,
    url TEXT,
    status_code BIGINT,
    latency_ms BIGINT,
    error TEXT,
    response_excerpt TEXT
);
CREATE INDEX webhook_attempts_message ON webhook_attempts (message_id, attempted_at);
CREATE INDEX outbox_tenant ON outbox_messages (tenant_id, created_at);

-- Secret rotation: the previous secret keeps signing for a grace period (two signatures).
ALTER TABLE tenants ADD COLUMN previous_webhook_secret TEXT;
ALTER TABLE tenants ADD COLUMN webhook_secret_rotated_at TEXT;

-- Callbacks from providers, kept verbatim whether or not their signature held.
CREATE TABLE provider_webhooks (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    -- SHA-256 of the raw body: a provider retrying the same callback is recognized.
    body_sha256 TEXT NOT NULL,
    signature_valid BIGINT NOT NULL,
    reference TEXT,
    application_id TEXT REFERENCES applications (id),
    body TEXT NOT NULL,
    received_at TEXT NOT NULL
);
-- Only genuine callbacks are de-duplicated: every forged one is kept and audited.
CREATE UNIQUE INDEX provider_webhooks_dedupe ON provider_webhooks (provider, body_sha256) WHERE signature_valid = 1;
CREATE INDEX applications_provider_reference ON applications (provider, provider_reference);

-- Out-of-wallet challenge questions a provider asked, and the applicant's answers (seed 000).
CREATE TABLE challenges (
    application_id TEXT NOT NULL REFERENCES applications (id),
    attempt BIGINT NOT NULL,
    provider TEXT NOT NULL,
    questions TEXT NOT NULL,
    answers TEXT,
    issued_at TEXT NOT NULL,
    answered_at TEXT,
    PRIMARY KEY (application_id, attempt)
);

-- One-time codes that confirm signature requirements (seed 001). Only a hash of the code is kept.
CREATE TABLE signature_codes (
    application_id TEXT NOT NULL REFERENCES applications (id),
    channel TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    destination TEXT,
    failed_attempts BIGINT NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (application_id, channel)
);
