-- Portable schema shared by SQLite and PostgreSQL (sqlx Any driver): ids are UUID text,
-- timestamps are RFC 3339 UTC text with six fractional digits (they sort as text),
-- flags are BIGINT 0/1, JSON is TEXT.

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    sandbox BIGINT NOT NULL,
    webhook_url TEXT,
    webhook_secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    prefix TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE staff_users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL,
    active BIGINT NOT NULL,
    failed_logins BIGINT NOT NULL,
    locked_until TEXT,
    must_change_password BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE levels (
    id TEXT PRIMARY KEY,
    current_version BIGINT NOT NULL,
    active BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE level_versions (
    level_id TEXT NOT NULL REFERENCES levels (id),
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    tier BIGINT NOT NULL,
    applicant_type TEXT NOT NULL,
    requirements TEXT NOT NULL,
    policy TEXT NOT NULL,
    upgrades_to TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (level_id, version)
);

CREATE TABLE applicants (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    external_id TEXT NOT NULL,
    applicant_type TEXT NOT NULL,
    first_name TEXT,
    last_name TEXT,
    company_name TEXT,
    date_of_birth TEXT,
    email TEXT,
    phone TEXT,
    country TEXT,
    address TEXT,
    government_ids TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (tenant_id, external_id)
);

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    applicant_id TEXT NOT NULL REFERENCES applicants (id),
    level_id TEXT NOT NULL,
    level_version BIGINT NOT NULL,
    kind TEXT NOT NULL,
    provider TEXT NOT NULL,
    provider_reference TEXT,
    status TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    attributes TEXT NOT NULL,
    params TEXT NOT NULL,
    client_verification TEXT,
    webhook_url TEXT,
    assignee_id TEXT REFERENCES staff_users (id),
    -- Worst finding severity over the application's checks (info, warning, failure); NULL before any check.
    findings_summary TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- When the application entered its current status: the queue's "time waiting".
    status_changed_at TEXT NOT NULL,
    -- Bumped by every change of content (status, answers, documents, checks, decisions), not by assignment.
    version BIGINT NOT NULL,
    FOREIGN KEY (level_id, level_version) REFERENCES level_versions (level_id, version)
);
CREATE INDEX applications_queue ON applications (status, status_changed_at, id);
CREATE INDEX applications_waiting ON applications (status_changed_at, id);
CREATE INDEX applications_tenant_status ON applications (tenant_id, status, created_at);
CREATE INDEX applications_updated ON applications (updated_at, id);
CREATE INDEX applications_assignee ON applications (assignee_id, status);
CREATE INDEX applications_applicant ON applications (applicant_id, created_at);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    application_id TEXT NOT NULL REFERENCES applications (id),
    attempt BIGINT NOT NULL,
    requirement_key TEXT,
    doc_type TEXT NOT NULL,
    side TEXT,
    issuing_country TEXT,
    liveness BIGINT,
    blob_hash TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    width BIGINT,
    height BIGINT,
    -- A derived JPEG in the blob store; NULL for PDFs.
    thumbnail_hash TEXT,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX documents_application ON documents (application_id, attempt);

CREATE TABLE checks (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    document_id TEXT REFERENCES documents (id),
    provider TEXT NOT NULL,
    reference TEXT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    result TEXT,
    score DOUBLE PRECISION,
    raw_payload TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX checks_application ON checks (application_id);

CREATE TABLE findings (
    check_id TEXT NOT NULL REFERENCES checks (id),
    position BIGINT NOT NULL,
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    field TEXT,
    value TEXT,
    confidence DOUBLE PRECISION,
    PRIMARY KEY (check_id, position)
);

CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    outcome TEXT NOT NULL,
    reasons TEXT NOT NULL,
    -- Requirement keys the applicant must redo (remediation).
    remediation TEXT NOT NULL,
    message_to_applicant TEXT,
    internal_comment TEXT,
    state TEXT NOT NULL,
    -- The application version the decision was made on: a later change invalidates a proposal.
    application_version BIGINT NOT NULL,
    proposed_by TEXT NOT NULL REFERENCES staff_users (id),
    proposed_at TEXT NOT NULL,
    -- The second reviewer (four-eyes), who confirmed or sent the proposal back.
    reviewed_by TEXT REFERENCES staff_users (id),
    reviewed_at TEXT
);
CREATE INDEX decisions_application ON decisions (application_id, proposed_at);
CREATE INDEX decisions_reviewed ON decisions (reviewed_at);
CREATE INDEX decisions_proposed ON decisions (proposed_at);

CREATE TABLE notes (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    author_id TEXT NOT NULL REFERENCES staff_users (id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX notes_application ON notes (application_id, created_at);

-- Messages for tenants, written in the same transaction as the change they announce.
CREATE TABLE outbox_messages (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    event_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX outbox_undelivered ON outbox_messages (delivered_at, created_at);

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    occurred_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    tenant_id TEXT,
    request_id TEXT,
    client_ip TEXT,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events (subject, seq);
CREATE INDEX applicants_email ON applicants (email);
CREATE INDEX applicants_external_id ON applicants (external_id);

-- The chain head: one row, updated by every append. Its row lock serializes appenders on
-- PostgreSQL (SQLite's write lock already does), so seq has no gaps and the chain no forks.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
