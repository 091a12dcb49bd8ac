-- The role `province` for tokens and dashboard users, with the province
-- it reads. SQLite cannot change a CHECK constraint in place, so both
-- tables are built again (the sessions too, whose key points at the
-- users) and their rows copied with their ids.
CREATE TABLE tokens_new( id INTEGER PRIMARY KEY, role TEXT NOT NULL CHECK (role IN  ('admin','board','auditor','province')), org_id INTEGER REFERENCES orgs(id), key_hash TEXT NOT NULL UNIQUE, active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL, province TEXT, CHECK ((role = 'admin' AND province IS NULL) OR (role = 'province'  AND province IS NOT NULL AND org_id IS NULL) OR (role IN  ('board','auditor') AND org_id IS NOT NULL AND province IS NULL)));
INSERT INTO tokens_new(id, role, org_id, key_hash, active, created_at) SELECT id, role, org_id, key_hash, active, created_at FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_new RENAME TO tokens;
CREATE TABLE dash_users_new( id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, role TEXT NOT NULL CHECK (role IN  ('admin','board','auditor','province')), org_id INTEGER REFERENCES orgs(id), pw_hash TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL, province TEXT, CHECK ((role = 'admin' AND province IS NULL) OR (role = 'province'  AND province IS NOT NULL AND org_id IS NULL) OR (role IN  ('board','auditor') AND org_id IS NOT NULL AND province IS NULL)));
INSERT INTO dash_users_new(id, login, role, org_id, pw_hash, active, created_at) SELECT id, login, role, org_id, pw_hash, active, created_at FROM dash_users;
CREATE TABLE dash_sessions_new( hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES dash_users_new(id), csrf TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO dash_sessions_new SELECT hash, user_id, csrf, created_at, expires_at FROM dash_sessions;
DROP TABLE dash_sessions;
DROP TABLE dash_users;
ALTER TABLE dash_users_new RENAME TO dash_users;
ALTER TABLE dash_sessions_new RENAME TO dash_sessions;
