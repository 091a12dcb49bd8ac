-- The holder's name of a payer's own account (printed on the standee) and
-- every payer's search key, folded in C (sqi_payer_keys_fill fills the
-- keys of the payers already there).
ALTER TABLE payers ADD COLUMN bank_account_name TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE payers ADD COLUMN search_key TEXT COLLATE "C" NOT NULL DEFAULT '';
