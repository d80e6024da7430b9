-- Migration 21: the application a clerk had begun at this window, kept across a restart of the
-- app (a power cut, a window closed by mistake). A scratch pad, not a record: one row per staff
-- member, overwritten as they type and emptied (body NULL) when the application is taken, the
-- draft discarded or the clerk signs out. Never an event, never synced; in the same file, under
-- the same protection, as the applicants it may name.
CREATE TABLE IF NOT EXISTS intake_draft (
    staff_id  TEXT PRIMARY KEY REFERENCES staff (id),
    body      TEXT CHECK (body IS NULL OR json_valid(body)),
    saved_at  TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS intake_draft_no_delete BEFORE DELETE ON intake_draft BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
