-- The role `province` for tokens and dashboard users, with the province
-- it reads: a province credential names no organisation, a board or
-- auditor one no province.
ALTER TABLE tokens DROP CONSTRAINT tokens_role_check;
ALTER TABLE tokens DROP CONSTRAINT tokens_check;
ALTER TABLE tokens ADD COLUMN province TEXT COLLATE "C";
ALTER TABLE tokens ADD CONSTRAINT tokens_role_check CHECK (role IN ('admin','board','auditor','province'));
ALTER TABLE tokens ADD CONSTRAINT tokens_check CHECK ((role = 'admin' AND province IS NULL) OR (role = 'province' AND province IS NOT NULL AND org_id IS NULL) OR (role IN ('board','auditor') AND org_id IS NOT NULL AND province IS NULL));
ALTER TABLE dash_users DROP CONSTRAINT dash_users_role_check;
ALTER TABLE dash_users DROP CONSTRAINT dash_users_check;
ALTER TABLE dash_users ADD COLUMN province TEXT COLLATE "C";
ALTER TABLE dash_users ADD CONSTRAINT dash_users_role_check CHECK (role IN ('admin','board','auditor','province'));
ALTER TABLE dash_users ADD CONSTRAINT dash_users_check CHECK ((role = 'admin' AND province IS NULL) OR (role = 'province' AND province IS NOT NULL AND org_id IS NULL) OR (role IN ('board','auditor') AND org_id IS NOT NULL AND province IS NULL));
