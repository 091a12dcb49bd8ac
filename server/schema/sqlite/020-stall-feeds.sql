-- A vendor's own payment feed: the notification service of a stall's own
-- bank account, linked with the vendor's consent (who, when). The board
-- sees only the daily aggregates (stall_days); the payments themselves
-- (amount, time, a keyed hash of the bank's reference, nothing of the
-- shopper) are the vendor's, read with the stall key, and deleted when
-- the feed is unlinked.
CREATE TABLE stall_feeds( id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), payer_id INTEGER NOT NULL REFERENCES payers(id), provider TEXT NOT NULL CHECK (provider IN ('sepay','casso','payos','generic')), api_key TEXT NOT NULL DEFAULT '', hmac_key TEXT NOT NULL DEFAULT '', ref_key TEXT NOT NULL DEFAULT '', key_hash TEXT NOT NULL UNIQUE, consent_by TEXT NOT NULL, consent_at INTEGER NOT NULL, linked_by TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)), unlinked_at INTEGER);
CREATE INDEX stall_feeds_payer ON stall_feeds(payer_id);
CREATE TABLE stall_payments( id INTEGER PRIMARY KEY, feed_id INTEGER NOT NULL REFERENCES stall_feeds(id), amount INTEGER NOT NULL CHECK (amount > 0), at INTEGER NOT NULL, day TEXT NOT NULL, ref_hash TEXT NOT NULL, UNIQUE (feed_id, ref_hash));
CREATE TABLE stall_days( org_id INTEGER NOT NULL REFERENCES orgs(id), payer_id INTEGER NOT NULL REFERENCES payers(id), day TEXT NOT NULL, payments INTEGER NOT NULL CHECK (payments >= 0), amount INTEGER NOT NULL CHECK (amount >= 0), PRIMARY KEY (payer_id, day));
CREATE INDEX stall_days_org ON stall_days(org_id, day);
