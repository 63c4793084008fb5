-- The queue's search box finds a part of a name, an e-mail or an external id. A trigram index
-- answers `LIKE '%term%'` (three characters or more) without reading every applicant; its rows
-- share the applicants' rowids and are kept by triggers.
CREATE VIRTUAL TABLE applicant_search USING fts5(text, tokenize = 'trigram');

INSERT INTO applicant_search (rowid, text)
SELECT rowid, COALESCE(company_name, TRIM(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')))
    || ' ' || COALESCE(email, '') || ' ' || external_id
FROM applicants;

CREATE TRIGGER applicant_search_insert AFTER INSERT ON applicants
BEGIN
    INSERT INTO applicant_search (rowid, text)
    VALUES (NEW.rowid, COALESCE(NEW.company_name, TRIM(COALESCE(NEW.first_name, '') || ' ' || COALESCE(NEW.last_name, '')))
        || ' ' || COALESCE(NEW.email, '') || ' ' || NEW.external_id);
END;

CREATE TRIGGER applicant_search_update AFTER UPDATE OF first_name, last_name, company_name, email, external_id ON applicants
BEGIN
    DELETE FROM applicant_search WHERE rowid = OLD.rowid;
    INSERT INTO applicant_search (rowid, text)
    VALUES (NEW.rowid, COALESCE(NEW.company_name, TRIM(COALESCE(NEW.first_name, '') || ' ' || COALESCE(NEW.last_name, '')))
        || ' ' || COALESCE(NEW.email, '') || ' ' || NEW.external_id);
END;

CREATE TRIGGER applicant_search_delete AFTER DELETE ON applicants
BEGIN
    DELETE FROM applicant_search WHERE rowid = OLD.rowid;
END;
