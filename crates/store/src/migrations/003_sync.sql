-- Migration 3: sync with the county headquarters (HQ).
--
-- The event table is the outbox; these tables only record where the terminal stands with HQ.
-- They are bookkeeping, not business records, so they carry no events of their own (an event
-- per acknowledgement would itself wait to be sent, for ever).
--
-- A terminal's events reach HQ as one stream per enrolment: the stream of `terminal_uid`
-- starts after local event `base_seq` (whose hash is `base_hash`). A database restored from a
-- backup enrols again under a new terminal_uid, so that HQ never sees two different events
-- under one (terminal_uid, seq).
CREATE TABLE sync_enrolment (
    terminal_uid   TEXT PRIMARY KEY,            -- issued by HQ at enrolment
    hq_url         TEXT NOT NULL,
    hmac_key       TEXT NOT NULL,               -- base64, 32 bytes; signs every batch
    hq_public_key  TEXT NOT NULL,               -- base64url Ed25519: HQ's catalogue and calendar documents
    base_seq       INTEGER NOT NULL,
    base_hash      TEXT NOT NULL,
    head_at_enrolment INTEGER NOT NULL,         -- the last local event when it was recorded
    enrolled_at    TEXT NOT NULL
);
CREATE TRIGGER sync_enrolment_no_delete BEFORE DELETE ON sync_enrolment BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER sync_enrolment_frozen BEFORE UPDATE ON sync_enrolment BEGIN SELECT RAISE(ABORT, 'an enrolment is never changed; enrol again'); END;

-- HQ's answers: the highest seq it holds of a stream, as it said so.
CREATE TABLE sync_ack (
    id             INTEGER PRIMARY KEY,
    terminal_uid   TEXT NOT NULL REFERENCES sync_enrolment (terminal_uid),
    held_seq       INTEGER NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX sync_ack_stream ON sync_ack (terminal_uid, held_seq);
CREATE TRIGGER sync_ack_no_delete BEFORE DELETE ON sync_ack BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER sync_ack_append_only BEFORE UPDATE ON sync_ack BEGIN SELECT RAISE(ABORT, 'sync_ack is append-only'); END;

-- Events HQ received but refused by a business rule, with HQ's reason. They do not block the
-- rest of the queue; a clerk or the station head sees them.
CREATE TABLE sync_reject (
    terminal_uid   TEXT NOT NULL REFERENCES sync_enrolment (terminal_uid),
    seq            INTEGER NOT NULL,
    reason         TEXT NOT NULL,
    at             TEXT NOT NULL,
    PRIMARY KEY (terminal_uid, seq)
);
CREATE TRIGGER sync_reject_no_delete BEFORE DELETE ON sync_reject BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;

-- What HQ sent down (catalogue and calendar documents), applied or refused.
CREATE TABLE sync_download (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,               -- 'catalogue' | 'calendar'
    version        TEXT NOT NULL,
    applied        INTEGER NOT NULL,
    note           TEXT,
    at             TEXT NOT NULL
);
CREATE TRIGGER sync_download_no_delete BEFORE DELETE ON sync_download BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
