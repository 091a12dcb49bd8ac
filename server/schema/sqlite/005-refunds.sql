-- Refunds: money given back to a payer, drawn from their payments.
CREATE TABLE refunds( id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), payer_id INTEGER NOT NULL REFERENCES payers(id), amount INTEGER NOT NULL CHECK (amount > 0), reference TEXT NOT NULL, reason TEXT NOT NULL CHECK (length(reason) > 0), actor TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE (org_id, reference));
CREATE TABLE refund_parts( refund_id INTEGER NOT NULL REFERENCES refunds(id), payment_id INTEGER NOT NULL REFERENCES payments(id), amount INTEGER NOT NULL CHECK (amount > 0), PRIMARY KEY (refund_id, payment_id)) WITHOUT ROWID;
CREATE INDEX refund_parts_payment ON refund_parts(payment_id);
-- a refund is money moving today: refused on a closed day
CREATE TRIGGER day_closed_refund_insert BEFORE INSERT ON refunds WHEN EXISTS (SELECT 1 FROM day_closes WHERE org_id = NEW.org_id AND reopened_at IS NULL AND day = date(NEW.created_at + 25200, 'unixepoch')) BEGIN SELECT RAISE(ABORT, 'day_closed'); END;
-- money already given back cannot be reversed away
CREATE TRIGGER refunded_payment_delete BEFORE DELETE ON payments WHEN EXISTS (SELECT 1 FROM refund_parts WHERE payment_id = OLD.id) BEGIN SELECT RAISE(ABORT, 'refunded'); END;
