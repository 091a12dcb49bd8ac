-- When each credential was last used and revoked, beside the tables that
-- hold the credentials (kind "kiosk", "token" or "user" and that table's
-- id). A table of its own, created if missing, so that the migration can
-- run again on a database that already has it.
CREATE TABLE IF NOT EXISTS credential_times( kind TEXT NOT NULL CHECK (kind IN ('kiosk','token','user')), id INTEGER NOT NULL, last_used_at INTEGER, revoked_at INTEGER, PRIMARY KEY (kind, id)) WITHOUT ROWID;
