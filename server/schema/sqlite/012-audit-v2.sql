-- The audit hash encoding: entries up to this migration keep version 1
-- (fields joined by newlines) and are verified that way; every entry from
-- `from_id` on is version 2 (every field length-prefixed). One fixed row,
-- written once: running the migration again changes nothing.
CREATE TABLE IF NOT EXISTS audit_encodings( version INTEGER PRIMARY KEY, from_id INTEGER NOT NULL);
INSERT OR IGNORE INTO audit_encodings(version, from_id) SELECT 2, coalesce(max(id), 0) + 1 FROM audit;
CREATE TRIGGER IF NOT EXISTS audit_encodings_no_update BEFORE UPDATE ON audit_encodings BEGIN SELECT RAISE(ABORT, 'audit encodings are fixed'); END;
CREATE TRIGGER IF NOT EXISTS audit_encodings_no_delete BEFORE DELETE ON audit_encodings BEGIN SELECT RAISE(ABORT, 'audit encodings are fixed'); END;
