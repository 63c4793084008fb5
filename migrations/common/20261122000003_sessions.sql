-- Back-office sessions (tower-sessions records), stored in the application database so that
-- several app servers share them.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Bumped when a user is deactivated or their roles or password change: sessions carry the epoch
-- they were created in and end when it no longer matches.
ALTER TABLE staff_users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;
