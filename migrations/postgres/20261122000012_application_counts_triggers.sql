-- Keeps application_counts (see common/…_application_counts.sql) in step with applications.
-- The two counter rows a status change touches are locked in a fixed order (by status), so that two
-- opposite changes at once cannot deadlock.
CREATE FUNCTION application_counts_track() RETURNS trigger AS $$
DECLARE
    old_first boolean := TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.status <= NEW.status);
BEGIN
    IF old_first THEN
        UPDATE application_counts SET n = n - 1
        WHERE tenant_id = OLD.tenant_id AND level_id = OLD.level_id AND status = OLD.status;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO application_counts (tenant_id, level_id, status, n)
        VALUES (NEW.tenant_id, NEW.level_id, NEW.status, 1)
        ON CONFLICT (tenant_id, level_id, status) DO UPDATE SET n = application_counts.n + 1;
    END IF;
    IF TG_OP = 'UPDATE' AND NOT old_first THEN
        UPDATE application_counts SET n = n - 1
        WHERE tenant_id = OLD.tenant_id AND level_id = OLD.level_id AND status = OLD.status;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER application_counts_insert_delete AFTER INSERT OR DELETE ON applications
FOR EACH ROW EXECUTE FUNCTION application_counts_track();

CREATE TRIGGER application_counts_update AFTER UPDATE OF tenant_id, level_id, status ON applications
FOR EACH ROW
WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id OR OLD.level_id IS DISTINCT FROM NEW.level_id
      OR OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION application_counts_track();
