-- The whole data model: organisations, payers, fees, invoices, kiosks,
-- tokens, payment intents, payments and their allocations, cash records,
-- idempotency keys and the append-only audit log.
CREATE TABLE orgs( id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, kind TEXT NOT NULL CHECK (kind IN ('market','school')), name TEXT NOT NULL, bank_bin TEXT NOT NULL, account TEXT NOT NULL, account_name TEXT NOT NULL, prefix TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE payers( id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), code TEXT NOT NULL, name TEXT NOT NULL, category TEXT NOT NULL DEFAULT '', zone TEXT NOT NULL DEFAULT '', class_name TEXT NOT NULL DEFAULT '', guardian TEXT NOT NULL DEFAULT '', bank_bin TEXT NOT NULL DEFAULT '', bank_account TEXT NOT NULL DEFAULT '', active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)), credit INTEGER NOT NULL DEFAULT 0 CHECK (credit >= 0), UNIQUE (org_id, code));
CREATE TABLE fees( id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), code TEXT NOT NULL, label TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN  ('daily','monthly','term','oneoff')), category TEXT NOT NULL DEFAULT '', amount INTEGER NOT NULL CHECK (amount > 0), active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)), UNIQUE (org_id, code));
CREATE TABLE invoices( id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), payer_id INTEGER NOT NULL REFERENCES payers(id), fee_id INTEGER NOT NULL REFERENCES fees(id), period TEXT NOT NULL, label TEXT NOT NULL, amount INTEGER NOT NULL CHECK (amount > 0), paid INTEGER NOT NULL DEFAULT 0 CHECK (paid >= 0 AND paid <= amount), created_at INTEGER NOT NULL, UNIQUE (payer_id, fee_id, period));
CREATE INDEX invoices_payer ON invoices(payer_id, period, id);
CREATE INDEX invoices_org ON invoices(org_id, id);
CREATE TABLE kiosks( id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), name TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE, active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL);
CREATE TABLE tokens( id INTEGER PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('admin','board','auditor')), org_id INTEGER REFERENCES orgs(id), key_hash TEXT NOT NULL UNIQUE, active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL, CHECK (role = 'admin' OR org_id IS NOT NULL));
CREATE TABLE intents( id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), payer_id INTEGER NOT NULL REFERENCES payers(id), kiosk_id INTEGER REFERENCES kiosks(id), code TEXT NOT NULL UNIQUE, amount INTEGER NOT NULL CHECK (amount > 0), paid INTEGER NOT NULL DEFAULT 0 CHECK (paid >= 0), status TEXT NOT NULL CHECK (status IN  ('pending','partial','paid','cancelled')), payload TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, closed_at INTEGER, reason TEXT);
CREATE INDEX intents_org ON intents(org_id, id);
CREATE TABLE intent_invoices( intent_id INTEGER NOT NULL REFERENCES intents(id), invoice_id INTEGER NOT NULL REFERENCES invoices(id), seq INTEGER NOT NULL, PRIMARY KEY (intent_id, invoice_id));
CREATE INDEX intent_invoices_inv ON intent_invoices(invoice_id);
CREATE TABLE payments( id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), payer_id INTEGER NOT NULL REFERENCES payers(id), intent_id INTEGER REFERENCES intents(id), method TEXT NOT NULL CHECK (method IN ('transfer','cash')), amount INTEGER NOT NULL CHECK (amount > 0), unallocated INTEGER NOT NULL DEFAULT 0 CHECK (unallocated >= 0), flag TEXT NOT NULL DEFAULT '', reference TEXT, source TEXT, actor TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE (org_id, method, reference));
CREATE INDEX payments_org ON payments(org_id, id);
CREATE TABLE allocations( id INTEGER PRIMARY KEY, payment_id INTEGER NOT NULL REFERENCES payments(id), invoice_id INTEGER NOT NULL REFERENCES invoices(id), amount INTEGER NOT NULL CHECK (amount > 0));
CREATE INDEX allocations_invoice ON allocations(invoice_id);
CREATE INDEX allocations_payment ON allocations(payment_id);
CREATE TABLE cash_records( id INTEGER PRIMARY KEY, payment_id INTEGER NOT NULL UNIQUE REFERENCES payments(id), kiosk_id INTEGER REFERENCES kiosks(id), collector TEXT NOT NULL, note TEXT, created_at INTEGER NOT NULL);
CREATE TABLE idempotency( scope TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL, status INTEGER NOT NULL, response TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (scope, key)) WITHOUT ROWID;
CREATE TABLE audit( id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, object TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
