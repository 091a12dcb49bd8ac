-- The index that keeps bounding the journal's unverified entries cheap
-- (sqb_journal_add, sqb_journal_prune); running it again changes nothing.
CREATE INDEX IF NOT EXISTS bank_journal_unverified ON bank_journal(id) WHERE state IN ('rejected', 'invalid') AND verified <> 'ok';
