-- Multi-factor sign-in for staff: one TOTP enrolment per user (a row without confirmed_at is an
-- enrolment in progress) and its one-time recovery codes, kept only as SHA-256 digests.
CREATE TABLE staff_mfa (
    staff_user_id TEXT PRIMARY KEY REFERENCES staff_users (id),
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    -- The 30-second step of the last code accepted: a code is good once, never replayed.
    last_used_step BIGINT
);
CREATE TABLE staff_recovery_codes (
    staff_user_id TEXT NOT NULL REFERENCES staff_users (id),
    code_sha256 TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (staff_user_id, code_sha256)
);
