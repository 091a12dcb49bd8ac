-- Receipts and their per-organisation counters, receipt signing keys,
-- provinces, standees, day closes.
ALTER TABLE orgs ADD COLUMN province TEXT NOT NULL DEFAULT '';
CREATE TABLE org_keys( org_id INTEGER PRIMARY KEY REFERENCES orgs(id), seed BLOB NOT NULL CHECK (length(seed) = 32), key_id TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE receipt_seq( org_id INTEGER NOT NULL REFERENCES orgs(id), year INTEGER NOT NULL, next INTEGER NOT NULL, PRIMARY KEY (org_id, year)) WITHOUT ROWID;
-- payment_id is not a foreign key and not unique: a reversed transfer's
-- payment row is deleted (and SQLite may reuse its id), its receipt stays,
-- marked void (by the trigger below until 014, by sqi_payment_reverse
-- since)
CREATE TABLE receipts( id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), number TEXT NOT NULL UNIQUE, payment_id INTEGER NOT NULL, payer_id INTEGER NOT NULL REFERENCES payers(id), method TEXT NOT NULL, amount INTEGER NOT NULL CHECK (amount > 0), paid_at INTEGER NOT NULL, text TEXT NOT NULL, voided_at INTEGER);
CREATE INDEX receipts_org ON receipts(org_id, paid_at);
CREATE UNIQUE INDEX receipts_payment ON receipts(payment_id) WHERE voided_at IS NULL;
CREATE TRIGGER receipts_void AFTER DELETE ON payments BEGIN UPDATE receipts SET voided_at = CAST(strftime('%s','now') AS INTEGER) WHERE payment_id = OLD.id AND voided_at IS NULL; END;
CREATE TRIGGER receipts_no_delete BEFORE DELETE ON receipts BEGIN SELECT RAISE(ABORT, 'receipts are kept'); END;
CREATE TABLE standees( id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), payer_id INTEGER NOT NULL REFERENCES payers(id), format TEXT NOT NULL, paper TEXT NOT NULL, actor TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX standees_payer ON standees(payer_id);
-- day close: the day's totals and the audit chain head at closing
CREATE TABLE day_closes( id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), day TEXT NOT NULL, closed_at INTEGER NOT NULL, actor TEXT NOT NULL, totals TEXT NOT NULL, audit_id INTEGER NOT NULL, audit_head TEXT NOT NULL, bank_seq INTEGER NOT NULL, reopened_at INTEGER, reopen_actor TEXT, reopen_reason TEXT);
CREATE UNIQUE INDEX day_closes_open ON day_closes(org_id, day) WHERE reopened_at IS NULL;
-- nothing dated a closed day changes: cash recorded in it, undoing a
-- payment made in it (review actions on bank transactions booked in it
-- are refused by srv_review_check). Transfers the bank reports late are
-- still booked. Days are Vietnam dates.
CREATE TRIGGER day_closed_payment_insert BEFORE INSERT ON payments WHEN NEW.method = 'cash' AND EXISTS (SELECT 1 FROM day_closes WHERE org_id = NEW.org_id AND reopened_at IS NULL AND day = date(NEW.created_at + 25200, 'unixepoch')) BEGIN SELECT RAISE(ABORT, 'day_closed'); END;
CREATE TRIGGER day_closed_payment_delete BEFORE DELETE ON payments WHEN EXISTS (SELECT 1 FROM day_closes WHERE org_id = OLD.org_id AND reopened_at IS NULL AND day = date(OLD.created_at + 25200, 'unixepoch')) BEGIN SELECT RAISE(ABORT, 'day_closed'); END;
CREATE TRIGGER day_closes_no_delete BEFORE DELETE ON day_closes BEGIN SELECT RAISE(ABORT, 'day closes are kept'); END;
