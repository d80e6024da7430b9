-- Migration 9: supervision notices (督办) the county sends down about a case.
--
-- A notice arrives in the relay HQ signs, and is kept here as HQ wrote it; the station head's
-- answer is an event (`supervision.answered`) in the window's own stream, which goes up to HQ
-- and across to the centre's other windows. A notice is open until some window's answer to it
-- is held.
CREATE TABLE supervision (
    id           TEXT PRIMARY KEY,             -- HQ's id
    case_number  TEXT NOT NULL,
    text         TEXT NOT NULL,
    deadline     TEXT NOT NULL,                -- YYYY-MM-DD
    issued_by    TEXT NOT NULL,
    issued_at    TEXT NOT NULL,
    received_at  TEXT NOT NULL
);
CREATE TRIGGER supervision_no_delete BEFORE DELETE ON supervision BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
CREATE TRIGGER supervision_frozen BEFORE UPDATE ON supervision BEGIN SELECT RAISE(ABORT, 'a notice stands as the county sent it'); END;
