-- Payment codes reserved by kiosks for offline QR codes.
CREATE TABLE reserved_codes( code TEXT PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), kiosk_id INTEGER NOT NULL REFERENCES kiosks(id), created_at INTEGER NOT NULL, intent_id INTEGER REFERENCES intents(id)) WITHOUT ROWID;
CREATE INDEX reserved_codes_kiosk ON reserved_codes(kiosk_id, intent_id);
