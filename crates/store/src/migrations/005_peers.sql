-- Migration 5: the other terminals of the centre.
--
-- Every terminal holds the whole centre: the streams of the centre's other terminals arrive
-- (from a file today; from HQ and the LAN next) and are kept here exactly as their terminals
-- wrote them, each chain checked. They are folded into the same projections (cases,
-- documents, staff) as this terminal's own events; this terminal's own stream stays in
-- `event`, the only place it writes.
CREATE TABLE peer_stream (
    stream        TEXT PRIMARY KEY,            -- <centre>-<terminal>-k<key fingerprint>
    centre        TEXT NOT NULL,
    terminal      TEXT NOT NULL,               -- the centre's number for that window
    public_key    TEXT NOT NULL,               -- base64url Ed25519: every file of it is signed by it
    accepted_by   TEXT NOT NULL,               -- the head who accepted the key (on first import)
    accepted_at   TEXT NOT NULL,
    held_seq      INTEGER NOT NULL,
    held_hash     TEXT NOT NULL,
    last_heard_at TEXT,
    last_via      TEXT                         -- 'file', 'hq', 'lan'
);
CREATE TRIGGER peer_stream_no_delete BEFORE DELETE ON peer_stream BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;

CREATE TABLE peer_event (
    stream      TEXT NOT NULL REFERENCES peer_stream (stream),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    id          TEXT NOT NULL,
    terminal    TEXT NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    payload     TEXT NOT NULL CHECK (json_valid(payload)),
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (stream, seq)
);
CREATE INDEX peer_event_subject ON peer_event (subject);
-- A document that arrived before its case waits for it; found by its case.
CREATE INDEX peer_event_document_case ON peer_event (json_extract(payload, '$.case')) WHERE kind = 'document.issued';
CREATE TRIGGER peer_event_no_delete BEFORE DELETE ON peer_event BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER peer_event_no_update BEFORE UPDATE ON peer_event BEGIN SELECT RAISE(ABORT, 'peer_event is append-only'); END;

-- An act on a case that lost under the rule of ARCHITECTURE.md (two windows acting on one
-- case while cut off from each other): kept in the timeline, listed for the head.
CREATE TABLE case_conflict (
    id          INTEGER PRIMARY KEY,
    case_number TEXT NOT NULL,
    stream      TEXT NOT NULL,                 -- the losing event's stream ('' for this terminal)
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    found_at    TEXT NOT NULL,
    -- The fold no longer finds it losing: the act it depended on (from a third window) has
    -- arrived since. The row stays; only the head's list leaves it out.
    cleared_at  TEXT,
    UNIQUE (stream, seq)
);
CREATE INDEX case_conflict_case ON case_conflict (case_number);
CREATE TRIGGER case_conflict_no_delete BEFORE DELETE ON case_conflict BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
