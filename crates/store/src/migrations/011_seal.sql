-- Migration 11: the chain seal. One row: the id of this PC's key (kept outside the database
-- file, see machine_key.rs) and an HMAC under it of the chain head, moved with every event.
-- The program fills it in the same transaction as this migration, and masks the stored PIN
-- hashes with the same key.
CREATE TABLE chain_seal (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    key_id TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    mac    TEXT    NOT NULL
);
CREATE TRIGGER chain_seal_no_delete BEFORE DELETE ON chain_seal BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
