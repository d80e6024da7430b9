-- 一窗通 local store — migration 1.
--
-- Later migrations are appended in crates/store/src/migrations/ and never edit this file.
-- Invariants kept by the schema itself:
--   * nothing is ever deleted: every table has a trigger that refuses DELETE;
--   * the event table is append-only: UPDATE is refused too;
--   * a document's number, kind, case and content never change once issued; only its void
--     and reprint columns may be written;
--   * every change to the other tables is written together with its event, in one transaction
--     (enforced by the store crate, checked by `verify`).
-- Dates are 'YYYY-MM-DD'; instants are RFC 3339 with offset ('2026-11-23T09:30:00+08:00').

CREATE TABLE centre (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    code        TEXT NOT NULL CHECK (length(code) = 9),
    name        TEXT NOT NULL CHECK (name <> ''),
    terminal    TEXT NOT NULL CHECK (length(terminal) = 2),
    created_at  TEXT NOT NULL,
    -- JSON object of the centre's settings: warning_days, stub_copies, deemed_approval, ...
    settings    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings))
);

CREATE TABLE staff (
    id          TEXT PRIMARY KEY CHECK (id <> ''),
    name        TEXT NOT NULL CHECK (name <> ''),
    role        TEXT NOT NULL CHECK (role IN ('clerk', 'head')),
    pin_hash    TEXT,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TEXT NOT NULL
);

-- Every catalogue version ever received is kept; cases and notices name the version they used.
CREATE TABLE catalogue_version (
    version      TEXT PRIMARY KEY,
    published_at TEXT NOT NULL,
    source       TEXT NOT NULL,
    body         TEXT NOT NULL CHECK (json_valid(body)),
    sha256       TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    current      INTEGER NOT NULL DEFAULT 0 CHECK (current IN (0, 1))
);
CREATE UNIQUE INDEX catalogue_one_current ON catalogue_version (current) WHERE current = 1;

CREATE TABLE catalogue_item (
    version     TEXT NOT NULL REFERENCES catalogue_version (version),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    initials    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('immediate', 'promised', 'forwarded')),
    limit_days  INTEGER NOT NULL CHECK (limit_days >= 0),
    limit_unit  TEXT NOT NULL CHECK (limit_unit IN ('working', 'natural')),
    body        TEXT NOT NULL CHECK (json_valid(body)),
    PRIMARY KEY (version, code)
);

-- Official holiday arrangements, one row per year and version; the highest version is in force.
CREATE TABLE calendar_year (
    year        INTEGER NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    source      TEXT NOT NULL,
    body        TEXT NOT NULL CHECK (json_valid(body)),
    imported_at TEXT NOT NULL,
    PRIMARY KEY (year, version)
);

-- A region's own days off (e.g. 广西“三月三”).
CREATE TABLE calendar_regional (
    date        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    region      TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE applicant (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('person', 'organisation')),
    id_number   TEXT UNIQUE,
    uscc        TEXT UNIQUE,
    name        TEXT NOT NULL,
    phone       TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK ((kind = 'person' AND id_number IS NOT NULL) OR (kind = 'organisation' AND uscc IS NOT NULL))
);
CREATE INDEX applicant_name ON applicant (name);
CREATE INDEX applicant_phone ON applicant (phone);

CREATE TABLE case_file (
    number            TEXT PRIMARY KEY CHECK (length(number) = 24),
    item_code         TEXT NOT NULL,
    catalogue_version TEXT NOT NULL,
    applicant_id      INTEGER NOT NULL REFERENCES applicant (id),
    agent_name        TEXT,
    agent_id_number   TEXT,
    agent_phone       TEXT,
    status            TEXT NOT NULL CHECK (status IN ('awaiting_supplement', 'accepted', 'forwarded',
                          'approved', 'not_approved', 'ready', 'collected', 'completed', 'refused',
                          'withdrawn', 'archived')),
    paused            INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    decision          TEXT NOT NULL CHECK (decision IN ('immediate', 'accepted', 'supplement', 'refused')),
    deemed_accepted   INTEGER NOT NULL DEFAULT 0 CHECK (deemed_accepted IN (0, 1)),
    received_on       TEXT NOT NULL,
    clock_start       TEXT,
    limit_days        INTEGER NOT NULL,
    limit_unit        TEXT NOT NULL CHECK (limit_unit IN ('working', 'natural')),
    -- extensions and pauses of the clock, JSON; the due date below is derived from them
    clock             TEXT NOT NULL DEFAULT '{"extensions":[],"pauses":[]}' CHECK (json_valid(clock)),
    due_date          TEXT,
    due_provisional   INTEGER NOT NULL DEFAULT 0 CHECK (due_provisional IN (0, 1)),
    calendar_version  TEXT,
    conditions        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(conditions)),
    handler           TEXT NOT NULL REFERENCES staff (id),
    forwarded_to      TEXT,
    outcome_reason    TEXT,
    collected_by      TEXT,
    completed_on      TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    FOREIGN KEY (catalogue_version, item_code) REFERENCES catalogue_item (version, code)
);
CREATE INDEX case_running_due ON case_file (due_date) WHERE status IN ('accepted', 'forwarded') AND paused = 0;
CREATE INDEX case_status ON case_file (status);
CREATE INDEX case_applicant ON case_file (applicant_id);
CREATE INDEX case_created ON case_file (created_at);

-- Materials received, per round: round 1 at intake, 2.. at each supplement.
CREATE TABLE case_material (
    case_number   TEXT NOT NULL REFERENCES case_file (number),
    round         INTEGER NOT NULL CHECK (round >= 1),
    material_code TEXT NOT NULL,
    pages         INTEGER NOT NULL CHECK (pages >= 1),
    copies        INTEGER NOT NULL CHECK (copies >= 1),
    defect        TEXT,
    received_at   TEXT NOT NULL,
    PRIMARY KEY (case_number, round, material_code)
);

CREATE TABLE inquiry (
    id                TEXT PRIMARY KEY,
    received_at       TEXT NOT NULL,
    channel           TEXT NOT NULL CHECK (channel IN ('visit', 'phone', 'letter', 'online')),
    person_name       TEXT NOT NULL,
    unit              TEXT,
    phone             TEXT,
    matter            TEXT NOT NULL CHECK (matter <> ''),
    item_code         TEXT,
    disposition       TEXT NOT NULL CHECK (disposition IN ('answered', 'notice', 'handover', 'pending')),
    first_responder   TEXT NOT NULL REFERENCES staff (id),
    reply_due         TEXT,
    reply_provisional INTEGER NOT NULL DEFAULT 0,
    handed_to         TEXT,
    handover_due      TEXT,
    status            TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    result            TEXT,
    closed_at         TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX inquiry_open ON inquiry (reply_due) WHERE status = 'open';

CREATE TABLE document (
    number            TEXT PRIMARY KEY,
    kind              TEXT NOT NULL CHECK (kind IN ('notice', 'receipt', 'supplement', 'refusal',
                          'extension', 'completion', 'collection', 'inquiry_slip')),
    year              INTEGER NOT NULL,
    terminal          TEXT NOT NULL,
    seq               INTEGER NOT NULL CHECK (seq >= 1),
    case_number       TEXT REFERENCES case_file (number),
    inquiry_id        TEXT REFERENCES inquiry (id),
    item_code         TEXT,
    catalogue_version TEXT,
    issued_at         TEXT NOT NULL,
    issued_by         TEXT NOT NULL REFERENCES staff (id),
    -- what the document says, frozen when it was issued: a reprint prints the same
    body              TEXT NOT NULL CHECK (json_valid(body)),
    voided_at         TEXT,
    void_reason       TEXT,
    voided_by         TEXT,
    reprints          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, year, terminal, seq),
    CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);
CREATE INDEX document_case ON document (case_number);

-- Gapless number series: 'case:<terminal>:<yyyymmdd>' and 'doc:<terminal>:<kind>:<year>'.
-- The next number is taken in the same transaction as the record that carries it.
CREATE TABLE number_series (
    series  TEXT PRIMARY KEY,
    last    INTEGER NOT NULL CHECK (last >= 0)
);

-- The event log and sync outbox: one row per change, gapless seq, each row hashed with the
-- previous row's hash. Append-only.
CREATE TABLE event (
    seq        INTEGER PRIMARY KEY CHECK (seq >= 1),
    id         TEXT NOT NULL UNIQUE,
    terminal   TEXT NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    payload    TEXT NOT NULL CHECK (json_valid(payload)),
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX event_subject ON event (subject, seq);

-- The head of the chain, written with every event, so that removing the last events is caught.
CREATE TABLE chain_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);

CREATE TRIGGER event_no_update BEFORE UPDATE ON event
BEGIN SELECT RAISE(ABORT, 'event rows are append-only'); END;

CREATE TRIGGER document_frozen BEFORE UPDATE OF number, kind, year, terminal, seq, case_number,
    inquiry_id, item_code, catalogue_version, issued_at, issued_by, body ON document
BEGIN SELECT RAISE(ABORT, 'an issued document cannot be changed; void it instead'); END;

CREATE TRIGGER document_void_once BEFORE UPDATE OF voided_at, void_reason, voided_by ON document
WHEN OLD.voided_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a voided document stays voided'); END;

CREATE TRIGGER centre_no_delete BEFORE DELETE ON centre BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER staff_no_delete BEFORE DELETE ON staff BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER catalogue_version_no_delete BEFORE DELETE ON catalogue_version BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER catalogue_item_no_delete BEFORE DELETE ON catalogue_item BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER calendar_year_no_delete BEFORE DELETE ON calendar_year BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER calendar_regional_no_delete BEFORE DELETE ON calendar_regional BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER applicant_no_delete BEFORE DELETE ON applicant BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER case_file_no_delete BEFORE DELETE ON case_file BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER case_material_no_delete BEFORE DELETE ON case_material BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER inquiry_no_delete BEFORE DELETE ON inquiry BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER document_no_delete BEFORE DELETE ON document BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER number_series_no_delete BEFORE DELETE ON number_series BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER chain_head_no_delete BEFORE DELETE ON chain_head BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;

-- A series only ever moves on by one: no number is skipped or taken twice.
CREATE TRIGGER number_series_step BEFORE UPDATE ON number_series
WHEN NEW.last <> OLD.last + 1 OR NEW.series <> OLD.series
BEGIN SELECT RAISE(ABORT, 'a number series moves on by exactly one'); END;
