-- Migration 4: service quality — complaints, ratings and rectifications, the A/B rota, and
-- the scope of an inquiry.

CREATE TABLE complaint (
    id              TEXT PRIMARY KEY,             -- 'C' + terminal + date + 4-digit sequence
    received_at     TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('visit', 'phone', 'letter', 'online')),
    complainant     TEXT NOT NULL,
    contact         TEXT,
    confidential    INTEGER NOT NULL,             -- the complainant asked not to be named
    matter          TEXT NOT NULL,
    about_staff     TEXT REFERENCES staff (id),   -- never shown to that staff member
    case_number     TEXT REFERENCES case_file (number),
    kind            TEXT NOT NULL CHECK (kind IN ('ordinary', 'complex')),
    explanation     TEXT,                         -- told to the complainant when complex
    due_date        TEXT NOT NULL,
    due_provisional INTEGER NOT NULL,
    registered_by   TEXT NOT NULL REFERENCES staff (id),
    status          TEXT NOT NULL CHECK (status IN ('open', 'answered', 'closed')),
    result          TEXT,
    feedback_on     TEXT,                         -- when the complainant was told the result
    feedback_via    TEXT,
    closed_by       TEXT REFERENCES staff (id),
    closed_at       TEXT,
    updated_at      TEXT NOT NULL
);
CREATE INDEX complaint_open ON complaint (status, due_date);
CREATE TRIGGER complaint_no_delete BEFORE DELETE ON complaint BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;

CREATE TABLE complaint_note (
    id            INTEGER PRIMARY KEY,
    complaint_id  TEXT NOT NULL REFERENCES complaint (id),
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL REFERENCES staff (id),
    note          TEXT NOT NULL
);
CREATE TRIGGER complaint_note_no_delete BEFORE DELETE ON complaint_note BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER complaint_note_frozen BEFORE UPDATE ON complaint_note BEGIN SELECT RAISE(ABORT, 'a note is never changed'); END;

-- One rating per case (好差评), at the window or on a return visit.
CREATE TABLE rating (
    case_number   TEXT PRIMARY KEY REFERENCES case_file (number),
    rating        TEXT NOT NULL CHECK (rating IN ('very_satisfied', 'satisfied', 'fairly_satisfied', 'dissatisfied', 'very_dissatisfied')),
    comment       TEXT,
    channel       TEXT NOT NULL CHECK (channel IN ('window', 'visit', 'phone')),
    rated_on      TEXT NOT NULL,
    recorded_by   TEXT NOT NULL REFERENCES staff (id),
    created_at    TEXT NOT NULL
);
CREATE TRIGGER rating_no_delete BEFORE DELETE ON rating BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER rating_frozen BEFORE UPDATE ON rating BEGIN SELECT RAISE(ABORT, 'a rating is never changed'); END;

-- A bad rating's call-back and rectification (整改), for the station head.
CREATE TABLE rectification (
    case_number     TEXT PRIMARY KEY REFERENCES rating (case_number),
    due_date        TEXT NOT NULL,
    due_provisional INTEGER NOT NULL,
    callback_on     TEXT,
    callback_note   TEXT,
    outcome         TEXT,
    done_on         TEXT,
    done_by         TEXT REFERENCES staff (id),
    status          TEXT NOT NULL CHECK (status IN ('open', 'done')),
    updated_at      TEXT NOT NULL
);
CREATE TRIGGER rectification_no_delete BEFORE DELETE ON rectification BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;

-- Window posts with their A and B staff (AB岗).
CREATE TABLE post (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    a_staff     TEXT NOT NULL REFERENCES staff (id),
    b_staff     TEXT REFERENCES staff (id),
    updated_at  TEXT NOT NULL
);
CREATE TRIGGER post_no_delete BEFORE DELETE ON post BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;

CREATE TABLE absence (
    id          INTEGER PRIMARY KEY,
    staff       TEXT NOT NULL REFERENCES staff (id),
    from_date   TEXT NOT NULL,
    to_date     TEXT NOT NULL CHECK (to_date >= from_date),
    reason      TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES staff (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX absence_staff ON absence (staff, from_date);
CREATE TRIGGER absence_no_delete BEFORE DELETE ON absence BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;

-- A case taken in by B while A was away records both.
ALTER TABLE case_file ADD COLUMN covering_for TEXT REFERENCES staff (id);
-- Multi-department and major inquiries have longer limits.
ALTER TABLE inquiry ADD COLUMN scope TEXT NOT NULL DEFAULT 'ordinary' CHECK (scope IN ('ordinary', 'multi', 'major'));
