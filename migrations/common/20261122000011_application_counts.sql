-- Applications per tenant, level and status, kept by triggers (see the backend folders) in the same
-- transaction as every change, so that the queue's status tabs read a few dozen rows instead of
-- counting a million applications on every request.
CREATE TABLE application_counts (
    tenant_id TEXT NOT NULL,
    level_id TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, level_id, status)
);

INSERT INTO application_counts (tenant_id, level_id, status, n)
SELECT tenant_id, level_id, status, COUNT(*) FROM applications GROUP BY tenant_id, level_id, status;
