-- Keeps application_counts (see common/…_application_counts.sql) in step with applications.
CREATE TRIGGER application_counts_insert AFTER INSERT ON applications
BEGIN
    INSERT INTO application_counts (tenant_id, level_id, status, n)
    VALUES (NEW.tenant_id, NEW.level_id, NEW.status, 1)
    ON CONFLICT (tenant_id, level_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER application_counts_update AFTER UPDATE OF tenant_id, level_id, status ON applications
WHEN OLD.tenant_id IS NOT NEW.tenant_id OR OLD.level_id IS NOT NEW.level_id OR OLD.status IS NOT NEW.status
BEGIN
    UPDATE application_counts SET n = n - 1
    WHERE tenant_id = OLD.tenant_id AND level_id = OLD.level_id AND status = OLD.status;
    INSERT INTO application_counts (tenant_id, level_id, status, n)
    VALUES (NEW.tenant_id, NEW.level_id, NEW.status, 1)
    ON CONFLICT (tenant_id, level_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER application_counts_delete AFTER DELETE ON applications
BEGIN
    UPDATE application_counts SET n = n - 1
    WHERE tenant_id = OLD.tenant_id AND level_id = OLD.level_id AND status = OLD.status;
END;
