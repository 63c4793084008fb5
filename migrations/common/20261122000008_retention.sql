-- Record keeping (FATF Recommendation 11): how long records are kept after the relationship ends,
-- and legal holds that suspend any erasure of one applicant's records.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE legal_holds (
    applicant_id TEXT PRIMARY KEY REFERENCES applicants (id),
    reason TEXT NOT NULL,
    placed_by TEXT NOT NULL REFERENCES staff_users (id),
    placed_at TEXT NOT NULL
);
