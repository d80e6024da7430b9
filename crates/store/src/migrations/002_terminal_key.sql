-- Migration 2: the terminal's signing key.
--
-- Each terminal holds an Ed25519 key. Documents carry a signature made with it in their QR
-- code, so that HQ or another centre can tell a genuine document from a forged one offline,
-- knowing only the public key (which travels to HQ as an event). Keys of other terminals,
-- received from HQ, are kept here with no secret.
CREATE TABLE terminal_key (
    key_id      TEXT PRIMARY KEY,            -- '<centre code>-<terminal>', e.g. '450821102-01'
    public_key  TEXT NOT NULL,               -- base64url, 32 bytes
    secret_key  TEXT,                        -- base64url, 32 bytes; only for this terminal's own key
    created_at  TEXT NOT NULL
);
CREATE TRIGGER terminal_key_no_delete BEFORE DELETE ON terminal_key BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER terminal_key_frozen BEFORE UPDATE ON terminal_key BEGIN SELECT RAISE(ABORT, 'a key is never changed; enrol a new terminal instead'); END;
