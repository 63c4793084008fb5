-- A refused (unsigned or badly signed) callback is kept as its SHA-256, its size and an excerpt of
-- its body, not verbatim: anyone can send one. NULL for callbacks stored before sizes were kept.
ALTER TABLE provider_webhooks ADD COLUMN body_size BIGINT;
