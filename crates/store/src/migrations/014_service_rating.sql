-- Migration 14: 一次一评 at the rating screen (评价器). The applicant rates each service at the
-- counter (an intake of any decision, a supplement brought in, a collection) by a tap on the
-- screen that faces them; the clerk never types it.

-- One row per rated service: `service_event` is the id of the event that recorded the service
-- (at most one rating each); `clerk` and `terminal` are who served and at which window, read
-- from that event.
CREATE TABLE service_rating (
    service_event TEXT PRIMARY KEY,
    case_number   TEXT NOT NULL REFERENCES case_file (number),
    service       TEXT NOT NULL CHECK (service IN ('immediate', 'accepted', 'supplement_notice', 'refused', 'supplemented', 'collected')),
    rating        TEXT NOT NULL CHECK (rating IN ('very_satisfied', 'satisfied', 'fairly_satisfied', 'dissatisfied', 'very_dissatisfied')),
    reasons       TEXT NOT NULL CHECK (json_valid(reasons) AND json_type(reasons) = 'array'),
    clerk         TEXT NOT NULL REFERENCES staff (id),
    terminal      TEXT NOT NULL,
    rated_on      TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX service_rating_case ON service_rating (case_number);
CREATE INDEX service_rating_on ON service_rating (rated_on);
CREATE TRIGGER service_rating_no_delete BEFORE DELETE ON service_rating BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER service_rating_frozen BEFORE UPDATE ON service_rating BEGIN SELECT RAISE(ABORT, 'a rating is never changed'); END;

-- A rectification now follows any bad rating of a case, the return visit's or a service's:
-- it refers to the case, not to the case's one return-visit rating. Rebuilt with the same
-- columns and rows (SQLite cannot change a foreign key in place); at most one per case, opened
-- again by a new bad rating once done.
CREATE TABLE rectification_new (
    case_number     TEXT PRIMARY KEY REFERENCES case_file (number),
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
INSERT INTO rectification_new (case_number, due_date, due_provisional, callback_on, callback_note, outcome, done_on, done_by, status, updated_at)
    SELECT case_number, due_date, due_provisional, callback_on, callback_note, outcome, done_on, done_by, status, updated_at FROM rectification;
DROP TABLE rectification;
ALTER TABLE rectification_new RENAME TO rectification;
CREATE TRIGGER rectification_no_delete BEFORE DELETE ON rectification BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE INDEX rectification_open ON rectification (due_date) WHERE status = 'open';
