-- The provider's running balance after each transaction (NULL when it
-- gave none), the bank-side proof of the daily report; and the day a
-- transaction counts on in the reports: its booking date, or, when that
-- day was already closed when it came, the first open day after (a late
-- transaction, listed as a correction).
ALTER TABLE bank_txns ADD COLUMN balance INTEGER;
ALTER TABLE bank_txns ADD COLUMN report_date TEXT NOT NULL DEFAULT '';
UPDATE bank_txns SET report_date = booking_date;
CREATE INDEX bank_txns_day ON bank_txns(org_id, report_date, id);
