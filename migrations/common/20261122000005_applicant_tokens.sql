-- Short-lived tokens bound to one applicant, for SDK-style clients (seed 002). Only a hash is stored.
CREATE TABLE applicant_tokens (
    token_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    applicant_id TEXT NOT NULL REFERENCES applicants (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX applicant_tokens_expiry ON applicant_tokens (expires_at);
