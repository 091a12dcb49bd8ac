-- The store dates every payment, allocation, invoice and refund it
-- inserts, and refuses changes to closed days, in C (sqr_open_day,
-- sqr_refuse_closed), so the triggers that did so go. What stays are the
-- append-only guards. A record a trigger would still have had to date
-- cannot exist (every insert binds its day); should one, it gets the day
-- that trigger gave.
UPDATE payments SET day = (CASE WHEN EXISTS (SELECT 1 FROM day_closes dk WHERE dk.org_id = payments.org_id AND dk.day = date((payments.created_at) + 25200, 'unixepoch') AND dk.reopened_at IS NULL) THEN (SELECT min(x) FROM (SELECT date((payments.created_at) + 25200, 'unixepoch') AS x UNION ALL SELECT date(dc.day, '+1 day') FROM day_closes dc WHERE dc.org_id = payments.org_id AND dc.reopened_at IS NULL AND dc.day >= date((payments.created_at) + 25200, 'unixepoch')) WHERE x NOT IN (SELECT dd.day FROM day_closes dd WHERE dd.org_id = payments.org_id AND dd.reopened_at IS NULL AND dd.day >= date((payments.created_at) + 25200, 'unixepoch'))) ELSE date((payments.created_at) + 25200, 'unixepoch') END) WHERE day IS NULL;
UPDATE invoices SET day = (CASE WHEN EXISTS (SELECT 1 FROM day_closes dk WHERE dk.org_id = invoices.org_id AND dk.day = date((invoices.created_at) + 25200, 'unixepoch') AND dk.reopened_at IS NULL) THEN (SELECT min(x) FROM (SELECT date((invoices.created_at) + 25200, 'unixepoch') AS x UNION ALL SELECT date(dc.day, '+1 day') FROM day_closes dc WHERE dc.org_id = invoices.org_id AND dc.reopened_at IS NULL AND dc.day >= date((invoices.created_at) + 25200, 'unixepoch')) WHERE x NOT IN (SELECT dd.day FROM day_closes dd WHERE dd.org_id = invoices.org_id AND dd.reopened_at IS NULL AND dd.day >= date((invoices.created_at) + 25200, 'unixepoch'))) ELSE date((invoices.created_at) + 25200, 'unixepoch') END) WHERE day IS NULL;
UPDATE refunds SET day = (CASE WHEN EXISTS (SELECT 1 FROM day_closes dk WHERE dk.org_id = refunds.org_id AND dk.day = date((refunds.created_at) + 25200, 'unixepoch') AND dk.reopened_at IS NULL) THEN (SELECT min(x) FROM (SELECT date((refunds.created_at) + 25200, 'unixepoch') AS x UNION ALL SELECT date(dc.day, '+1 day') FROM day_closes dc WHERE dc.org_id = refunds.org_id AND dc.reopened_at IS NULL AND dc.day >= date((refunds.created_at) + 25200, 'unixepoch')) WHERE x NOT IN (SELECT dd.day FROM day_closes dd WHERE dd.org_id = refunds.org_id AND dd.reopened_at IS NULL AND dd.day >= date((refunds.created_at) + 25200, 'unixepoch'))) ELSE date((refunds.created_at) + 25200, 'unixepoch') END) WHERE day IS NULL;
UPDATE allocations SET day = (SELECT max(p.day, (CASE WHEN EXISTS (SELECT 1 FROM day_closes dk WHERE dk.org_id = p.org_id AND dk.day = date((CAST(strftime('%s', 'now') AS INTEGER)) + 25200, 'unixepoch') AND dk.reopened_at IS NULL) THEN (SELECT min(x) FROM (SELECT date((CAST(strftime('%s', 'now') AS INTEGER)) + 25200, 'unixepoch') AS x UNION ALL SELECT date(dc.day, '+1 day') FROM day_closes dc WHERE dc.org_id = p.org_id AND dc.reopened_at IS NULL AND dc.day >= date((CAST(strftime('%s', 'now') AS INTEGER)) + 25200, 'unixepoch')) WHERE x NOT IN (SELECT dd.day FROM day_closes dd WHERE dd.org_id = p.org_id AND dd.reopened_at IS NULL AND dd.day >= date((CAST(strftime('%s', 'now') AS INTEGER)) + 25200, 'unixepoch'))) ELSE date((CAST(strftime('%s', 'now') AS INTEGER)) + 25200, 'unixepoch') END)) FROM payments p WHERE p.id = allocations.payment_id) WHERE day IS NULL;
DROP TRIGGER IF EXISTS payments_dated;
DROP TRIGGER IF EXISTS invoices_dated;
DROP TRIGGER IF EXISTS refunds_dated;
DROP TRIGGER IF EXISTS allocations_dated;
DROP TRIGGER IF EXISTS closed_payment_insert;
DROP TRIGGER IF EXISTS closed_payment_delete;
DROP TRIGGER IF EXISTS closed_allocation_insert;
DROP TRIGGER IF EXISTS closed_allocation_delete;
DROP TRIGGER IF EXISTS closed_refund_insert;
DROP TRIGGER IF EXISTS refunded_payment_delete;
DROP TRIGGER IF EXISTS receipts_void;
