-- What the queue's status tabs read (see postgres/…_application_count_deltas.sql). SQLite has one
-- writer at a time, so its triggers keep the counters up to date in place and there is nothing to fold.
CREATE VIEW application_counts_now AS
SELECT tenant_id, level_id, status, n FROM application_counts;
