-- The transfer identity: what the rule of docs/matching.md compares,
-- computed at ingestion and stored with every record: the bank reference
-- key (placeholders such as NONREF count as none), the position of a camt
-- TxDtls inside a batched entry, the content key (payment code or folded
-- description), the counter-account key, and the record's source (the
-- provider for a webhook, "imp:<import id>" for a statement row).
-- Existing rows are filled in from what they hold, with the store's SQL
-- functions chopay_* (bank_schema.c).
ALTER TABLE bank_txns ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bank_txns ADD COLUMN desc_key TEXT NOT NULL DEFAULT '';
ALTER TABLE bank_txns ADD COLUMN counter_key TEXT NOT NULL DEFAULT '';
ALTER TABLE bank_txns ADD COLUMN source TEXT NOT NULL DEFAULT '';
UPDATE bank_txns SET ref_key = chopay_transfer_ref(bank_ref), desc_key = chopay_desc_key(codes, description), counter_key = chopay_counter_key(counter_account), source = CASE WHEN channel = 'webhook' THEN provider ELSE 'imp:' || coalesce(import_id, 0) END, pos = CASE WHEN provider = 'camt' AND bank_ref <> '' AND substr(provider_txn_id, 1, length(bank_ref) + 1) = bank_ref || '/' THEN CAST(substr(provider_txn_id, length(bank_ref) + 2) AS INTEGER) ELSE 0 END;
CREATE INDEX bank_txns_content ON bank_txns(org_id, amount, booking_date, desc_key);
