-- Why a day was closed with items still open (a close without open items
-- has no row), and the parts of a bank transfer split across payers (one
-- transfer payment each, in the order given).
CREATE TABLE IF NOT EXISTS day_close_reasons( close_id INTEGER PRIMARY KEY REFERENCES day_closes(id), reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bank_txn_parts( payment_id INTEGER PRIMARY KEY REFERENCES payments(id), txn_id INTEGER NOT NULL REFERENCES bank_txns(id), position INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS bank_txn_parts_txn ON bank_txn_parts(txn_id, position);
