-- The organisation each audit entry concerns (NULL: none), outside its
-- hash: written with every new entry; the entries already there get theirs
-- from sqi_audit_orgs_fill, told from what they name.
ALTER TABLE audit ADD COLUMN org_id INTEGER REFERENCES orgs(id);
CREATE INDEX audit_org ON audit(org_id, id);
