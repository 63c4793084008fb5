-- What a mobile SDK hands back after its own capture (seed 002 `registerUser`): the provider's account
-- and workflow ids, one pair per attempt of an application. Kept apart from `provider_reference`,
-- which the provider pipeline owns.
CREATE TABLE application_sdk_references (
    application_id TEXT NOT NULL REFERENCES applications (id),
    attempt BIGINT NOT NULL,
    account_id TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (application_id, attempt)
);
