-- A statement import is applied in slices, each its own transaction: an
-- import records the file's digest, how many of its entries are applied
-- and whether it is finished, so that the same file run again after an
-- interruption goes on where it stopped. The imports made before are
-- finished. Suggestions for an unmatched credit look open intents and
-- invoices up by their remainder.
ALTER TABLE bank_imports ADD COLUMN digest TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE bank_imports ADD COLUMN rows_done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bank_imports ADD COLUMN finished BIGINT NOT NULL DEFAULT 1;
CREATE INDEX bank_imports_unfinished ON bank_imports(digest) WHERE finished = 0;
CREATE INDEX intents_remainder ON intents(org_id, (amount - paid));
CREATE INDEX invoices_remainder ON invoices(org_id, (amount - paid));
