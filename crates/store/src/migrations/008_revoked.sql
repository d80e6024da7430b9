-- Migration 8: windows the county revoked (a stolen PC).
--
-- HQ says, in the relay it signs, which keys of this centre it revoked. From then on this
-- window trusts none of them: it neither serves them on the LAN nor pulls from them, and takes
-- no file or relay of their streams. What it already holds of them stays, as everything does.
CREATE TABLE revoked_key (
    public_key  TEXT PRIMARY KEY,
    stream      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    revoked_at  TEXT NOT NULL,                 -- as HQ recorded it
    learnt_at   TEXT NOT NULL                  -- when this window learnt of it
);
CREATE TRIGGER revoked_key_no_delete BEFORE DELETE ON revoked_key BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER revoked_key_no_update BEFORE UPDATE ON revoked_key BEGIN SELECT RAISE(ABORT, 'a revocation stands'); END;
