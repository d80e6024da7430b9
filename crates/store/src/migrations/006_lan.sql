-- Migration 6: the centre's other windows on the LAN.
--
-- A window serves its own stream to the centre's other windows (`serve-peer`) and pulls
-- theirs on every sync round, with no county link needed. Each configured address is pinned
-- to the key its window proved at `peer add`; a key is trusted when a station head accepted
-- it there, or when it names a stream this terminal already holds (accepted from a file or
-- relayed by HQ). Only trusted keys of this centre may ask this window for anything.
CREATE TABLE peer_endpoint (
    url          TEXT PRIMARY KEY,             -- http://host:port of the other window's serve-peer
    terminal     TEXT NOT NULL,
    public_key   TEXT NOT NULL,                -- base64url Ed25519 the window proved it holds
    accepted_by  TEXT NOT NULL,                -- a head's staff id, or 'hq' / 'file' when already trusted
    added_at     TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    last_ok_at   TEXT,
    last_error   TEXT,
    last_error_at TEXT
);
CREATE INDEX peer_endpoint_key ON peer_endpoint (public_key);
CREATE TRIGGER peer_endpoint_no_delete BEFORE DELETE ON peer_endpoint BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
