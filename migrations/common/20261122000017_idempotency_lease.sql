-- An Idempotency-Key claim is a lease: while `status` is 0, `created_at` is when the running
-- request claimed the key, and a retry after the lease (the request timeout) takes it over with a
-- new `claim_id`; only the holder of the current claim stores its answer. `applied_at` is set in
-- the same transaction as the request's change, so a retry after a crash never applies it twice.
ALTER TABLE idempotency_keys ADD COLUMN claim_id TEXT;
ALTER TABLE idempotency_keys ADD COLUMN applied_at TEXT;
