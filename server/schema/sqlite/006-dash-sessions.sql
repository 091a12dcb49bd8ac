-- The web dashboard: users, sessions, failed sign-ins.
CREATE TABLE dash_users( id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, role TEXT NOT NULL CHECK (role IN ('admin','board','auditor')), org_id INTEGER REFERENCES orgs(id), pw_hash TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL, CHECK (role = 'admin' OR org_id IS NOT NULL));
CREATE TABLE dash_sessions( hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES dash_users(id), csrf TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE dash_failures( key TEXT PRIMARY KEY, count INTEGER NOT NULL, last_at INTEGER NOT NULL, locked_until INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
