-- Status changes no longer update the counter rows in place: every change of the same tenant and
-- level updated one `application_counts` row, so concurrent decisions and submissions queued on
-- that row's lock (and, with the audit head, deadlocked). A change now appends its -1/+1 to
-- `application_count_deltas`, which locks nothing; readers sum counters and deltas in one snapshot
-- (`application_counts_now`), and one instance at a time folds the deltas into the counters
-- (`store::queue::fold_counts`), so the table stays a few hundred rows.
CREATE TABLE application_count_deltas (
    tenant_id TEXT NOT NULL,
    level_id TEXT NOT NULL,
    status TEXT NOT NULL,
    delta BIGINT NOT NULL
);

CREATE OR REPLACE FUNCTION application_counts_track() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO application_count_deltas VALUES (NEW.tenant_id, NEW.level_id, NEW.status, 1);
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO application_count_deltas VALUES (OLD.tenant_id, OLD.level_id, OLD.status, -1);
    ELSE
        INSERT INTO application_count_deltas
        VALUES (OLD.tenant_id, OLD.level_id, OLD.status, -1), (NEW.tenant_id, NEW.level_id, NEW.status, 1);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- What the queue's status tabs read: exact in any snapshot, folded or not.
CREATE VIEW application_counts_now AS
SELECT tenant_id, level_id, status, n FROM application_counts
UNION ALL
SELECT tenant_id, level_id, status, delta FROM application_count_deltas;
