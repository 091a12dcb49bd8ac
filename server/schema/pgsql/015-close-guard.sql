-- Why a day was closed with items still open (a close without open items
-- has no row), and the parts of a bank transfer split across payers (one
-- transfer payment each, in the order given).
CREATE TABLE day_close_reasons (
    close_id BIGINT PRIMARY KEY REFERENCES day_closes(id),
    reason TEXT COLLATE "C" NOT NULL
);

CREATE TABLE bank_txn_parts (
    payment_id BIGINT PRIMARY KEY REFERENCES payments(id),
    txn_id BIGINT NOT NULL REFERENCES bank_txns(id),
    position BIGINT NOT NULL
);

CREATE UNIQUE INDEX bank_txn_parts_txn ON bank_txn_parts(txn_id, position);
