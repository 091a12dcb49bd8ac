-- Corrections after a close. Every record the daily report reads carries
-- the day it counts on: the first open day when it was made, so that
-- nothing is ever dated on a closed day and a closed day's figures never
-- change. What would have changed one is a correction: a new entry dated
-- later that points at the closed day and the record it corrects. A close
-- freezes its bank side (day_close_txns). The triggers' dating rule is
-- written out in SQLite SQL; 014 drops those triggers (the store dates
-- records in C since).
ALTER TABLE payments ADD COLUMN day TEXT;
UPDATE payments SET day = date(created_at + 25200, 'unixepoch');
-- the closed day a payment is late for (a late transfer, cash taken on a
-- closed day, a review of a closed day's transaction)
ALTER TABLE payments ADD COLUMN corrects_date TEXT;
-- a transfer undone by a review after its day closed is kept, marked
-- reversed from that (later) day on
ALTER TABLE payments ADD COLUMN reversed_day TEXT;
CREATE INDEX payments_day ON payments(org_id, day);
CREATE INDEX payments_over ON payments(org_id, day) WHERE flag = 'over';
ALTER TABLE allocations ADD COLUMN day TEXT;
UPDATE allocations SET day = (SELECT max(p.day, date(v.created_at + 25200, 'unixepoch')) FROM payments p, invoices v WHERE p.id = allocations.payment_id AND v.id = allocations.invoice_id);
ALTER TABLE invoices ADD COLUMN day TEXT;
UPDATE invoices SET day = date(created_at + 25200, 'unixepoch');
ALTER TABLE refunds ADD COLUMN day TEXT;
UPDATE refunds SET day = date(created_at + 25200, 'unixepoch');
-- dated records replace the time-based guards of 004 and 005
DROP TRIGGER day_closed_payment_insert;
DROP TRIGGER day_closed_payment_delete;
DROP TRIGGER day_closed_refund_insert;
-- a record whose writer did not date it gets the first open day
CREATE TRIGGER payments_dated AFTER INSERT ON payments WHEN NEW.day IS NULL BEGIN UPDATE payments SET day = (CASE WHEN EXISTS (SELECT 1 FROM day_closes dk WHERE dk.org_id = NEW.org_id AND dk.day = date((NEW.created_at) + 25200, 'unixepoch') AND dk.reopened_at IS NULL) THEN (SELECT min(x) FROM (SELECT date((NEW.created_at) + 25200, 'unixepoch') AS x UNION ALL SELECT date(dc.day, '+1 day') FROM day_closes dc WHERE dc.org_id = NEW.org_id AND dc.reopened_at IS NULL AND dc.day >= date((NEW.created_at) + 25200, 'unixepoch')) WHERE x NOT IN (SELECT dd.day FROM day_closes dd WHERE dd.org_id = NEW.org_id AND dd.reopened_at IS NULL AND dd.day >= date((NEW.created_at) + 25200, 'unixepoch'))) ELSE date((NEW.created_at) + 25200, 'unixepoch') END) WHERE id = NEW.id; END;
CREATE TRIGGER invoices_dated AFTER INSERT ON invoices WHEN NEW.day IS NULL BEGIN UPDATE invoices SET day = (CASE WHEN EXISTS (SELECT 1 FROM day_closes dk WHERE dk.org_id = NEW.org_id AND dk.day = date((NEW.created_at) + 25200, 'unixepoch') AND dk.reopened_at IS NULL) THEN (SELECT min(x) FROM (SELECT date((NEW.created_at) + 25200, 'unixepoch') AS x UNION ALL SELECT date(dc.day, '+1 day') FROM day_closes dc WHERE dc.org_id = NEW.org_id AND dc.reopened_at IS NULL AND dc.day >= date((NEW.created_at) + 25200, 'unixepoch')) WHERE x NOT IN (SELECT dd.day FROM day_closes dd WHERE dd.org_id = NEW.org_id AND dd.reopened_at IS NULL AND dd.day >= date((NEW.created_at) + 25200, 'unixepoch'))) ELSE date((NEW.created_at) + 25200, 'unixepoch') END) WHERE id = NEW.id; END;
CREATE TRIGGER refunds_dated AFTER INSERT ON refunds WHEN NEW.day IS NULL BEGIN UPDATE refunds SET day = (CASE WHEN EXISTS (SELECT 1 FROM day_closes dk WHERE dk.org_id = NEW.org_id AND dk.day = date((NEW.created_at) + 25200, 'unixepoch') AND dk.reopened_at IS NULL) THEN (SELECT min(x) FROM (SELECT date((NEW.created_at) + 25200, 'unixepoch') AS x UNION ALL SELECT date(dc.day, '+1 day') FROM day_closes dc WHERE dc.org_id = NEW.org_id AND dc.reopened_at IS NULL AND dc.day >= date((NEW.created_at) + 25200, 'unixepoch')) WHERE x NOT IN (SELECT dd.day FROM day_closes dd WHERE dd.org_id = NEW.org_id AND dd.reopened_at IS NULL AND dd.day >= date((NEW.created_at) + 25200, 'unixepoch'))) ELSE date((NEW.created_at) + 25200, 'unixepoch') END) WHERE id = NEW.id; END;
CREATE TRIGGER allocations_dated AFTER INSERT ON allocations WHEN NEW.day IS NULL BEGIN UPDATE allocations SET day = (SELECT max(p.day, (CASE WHEN EXISTS (SELECT 1 FROM day_closes dk WHERE dk.org_id = p.org_id AND dk.day = date((CAST(strftime('%s', 'now') AS INTEGER)) + 25200, 'unixepoch') AND dk.reopened_at IS NULL) THEN (SELECT min(x) FROM (SELECT date((CAST(strftime('%s', 'now') AS INTEGER)) + 25200, 'unixepoch') AS x UNION ALL SELECT date(dc.day, '+1 day') FROM day_closes dc WHERE dc.org_id = p.org_id AND dc.reopened_at IS NULL AND dc.day >= date((CAST(strftime('%s', 'now') AS INTEGER)) + 25200, 'unixepoch')) WHERE x NOT IN (SELECT dd.day FROM day_closes dd WHERE dd.org_id = p.org_id AND dd.reopened_at IS NULL AND dd.day >= date((CAST(strftime('%s', 'now') AS INTEGER)) + 25200, 'unixepoch'))) ELSE date((CAST(strftime('%s', 'now') AS INTEGER)) + 25200, 'unixepoch') END)) FROM payments p WHERE p.id = NEW.payment_id) WHERE id = NEW.id; END;
-- nothing dated a closed day is added or taken away
CREATE TRIGGER closed_payment_insert BEFORE INSERT ON payments WHEN EXISTS (SELECT 1 FROM day_closes dk WHERE dk.org_id = NEW.org_id AND dk.day = NEW.day AND dk.reopened_at IS NULL) BEGIN SELECT RAISE(ABORT, 'day_closed'); END;
CREATE TRIGGER closed_payment_delete BEFORE DELETE ON payments WHEN EXISTS (SELECT 1 FROM day_closes dk WHERE dk.org_id = OLD.org_id AND dk.day = OLD.day AND dk.reopened_at IS NULL) BEGIN SELECT RAISE(ABORT, 'day_closed'); END;
CREATE TRIGGER closed_allocation_insert BEFORE INSERT ON allocations WHEN EXISTS (SELECT 1 FROM day_closes dk WHERE dk.org_id = (SELECT org_id FROM payments WHERE id = NEW.payment_id) AND dk.day = NEW.day AND dk.reopened_at IS NULL) BEGIN SELECT RAISE(ABORT, 'day_closed'); END;
CREATE TRIGGER closed_allocation_delete BEFORE DELETE ON allocations WHEN EXISTS (SELECT 1 FROM day_closes dk WHERE dk.org_id = (SELECT org_id FROM payments WHERE id = OLD.payment_id) AND dk.day = OLD.day AND dk.reopened_at IS NULL) BEGIN SELECT RAISE(ABORT, 'day_closed'); END;
CREATE TRIGGER closed_refund_insert BEFORE INSERT ON refunds WHEN EXISTS (SELECT 1 FROM day_closes dk WHERE dk.org_id = NEW.org_id AND dk.day = NEW.day AND dk.reopened_at IS NULL) BEGIN SELECT RAISE(ABORT, 'day_closed'); END;
-- the correcting entries, dated on `day`, pointing at `corrects` of the
-- closed day `corrects_date` (always an earlier day)
CREATE TABLE corrections( id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), day TEXT NOT NULL, corrects_date TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('late_credit', 'late_debit',  'match', 'unmatch', 'ignore', 'cash', 'refund')), corrects TEXT NOT NULL, bank_txn_id INTEGER REFERENCES bank_txns(id), payment_id INTEGER, refund_id INTEGER REFERENCES refunds(id), payer_id INTEGER REFERENCES payers(id), amount INTEGER NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL, CHECK (corrects_date < day));
CREATE INDEX corrections_day ON corrections(org_id, day, id);
CREATE TRIGGER corrections_no_update BEFORE UPDATE ON corrections BEGIN SELECT RAISE(ABORT, 'corrections are kept'); END;
CREATE TRIGGER corrections_no_delete BEFORE DELETE ON corrections BEGIN SELECT RAISE(ABORT, 'corrections are kept'); END;
-- the bank side of a closed day as its close saw it
CREATE TABLE day_close_txns( close_id INTEGER NOT NULL REFERENCES day_closes(id), txn_id INTEGER NOT NULL REFERENCES bank_txns(id), state TEXT NOT NULL, outcome TEXT NOT NULL, ledger INTEGER, ledger_late INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (close_id, txn_id)) WITHOUT ROWID;
CREATE TRIGGER day_close_txns_no_update BEFORE UPDATE ON day_close_txns BEGIN SELECT RAISE(ABORT, 'day closes are kept'); END;
CREATE TRIGGER day_close_txns_no_delete BEFORE DELETE ON day_close_txns BEGIN SELECT RAISE(ABORT, 'day closes are kept'); END;
-- 1: closed before this migration (only its bank side is checked)
ALTER TABLE day_closes ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
INSERT INTO day_close_txns(close_id, txn_id, state, outcome, ledger) SELECT d.id, t.id, t.state, t.outcome, p.amount FROM day_closes d JOIN bank_txns t ON t.org_id = d.org_id AND t.booking_date = d.day AND t.id <= d.bank_seq LEFT JOIN payments p ON p.id = t.payment_id WHERE d.reopened_at IS NULL;
-- transfers recorded after such a close count on the day they came
UPDATE bank_txns SET report_date = date(created_at + 25200, 'unixepoch') WHERE EXISTS (SELECT 1 FROM day_closes d WHERE d.org_id = bank_txns.org_id AND d.day = bank_txns.booking_date AND d.reopened_at IS NULL AND bank_txns.id > d.bank_seq);
