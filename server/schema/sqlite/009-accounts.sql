-- Accounts in normal form, a BIN written in front of a stored account
-- moved to bank_bin, then one organisation per (BIN, account). Two
-- organisations that already share a pair stop the upgrade with their
-- codes and nothing is changed (the running version gives the others
-- their own accounts first). account_bin, account_number and refuse are
-- SQL functions of the store (accounts.c).
UPDATE orgs SET bank_bin = account_bin(account, bank_bin), account = account_number(account) WHERE account_number(account) IS NOT NULL;
SELECT refuse('organisations ' || group_concat(code, ', ') || ' share the collecting account ' || bank_bin || '/' || account || '; an account belongs to one organisation: give the others' || ' their own account before upgrading') FROM orgs GROUP BY bank_bin, account HAVING count(*) > 1;
CREATE UNIQUE INDEX orgs_account ON orgs(bank_bin, account);
