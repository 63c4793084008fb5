-- Legal documents that `legal_document` requirements point to. Each version is its own row, so an
-- acceptance (the requirement's value is the row's id) records exactly which text was accepted.
CREATE TABLE legal_documents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    version TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (title, version)
);
CREATE INDEX applications_level ON applications (level_id, level_version);
