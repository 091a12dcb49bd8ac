-- The collectors of an organisation: who takes cash at its kiosks, each
-- with a PIN of their own (only its scrypt hash is stored); wrong PINs
-- are counted per collector and lock it for a while.
CREATE TABLE collectors( id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), name TEXT NOT NULL, pin_hash TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1, failures INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, UNIQUE (org_id, name));
