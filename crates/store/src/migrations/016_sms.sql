-- Migration 16: the applicant told by SMS, on their consent (个人信息保护法 第13–15条).

-- The mobile number the applicant agreed to be told at; NULL: no consent (or withdrawn).
ALTER TABLE case_file ADD COLUMN sms_phone TEXT;

-- Each message queued for HQ to send, once per case, notice and occasion (the day it is
-- about, or '1' for a once-only notice); `queued_event` is the id of its `case.sms_queued`
-- event, `own` whether this terminal queued it (only the queuing terminal records what HQ
-- reports of it); `status` is the latest HQ reported.
CREATE TABLE sms_notice (
    queued_event TEXT PRIMARY KEY,
    case_number  TEXT NOT NULL REFERENCES case_file (number),
    notice       TEXT NOT NULL CHECK (notice IN ('ready', 'owed_due', 'supplement_reminder', 'rating_invite')),
    occasion     TEXT NOT NULL,
    phone        TEXT NOT NULL,
    text         TEXT NOT NULL,
    own          INTEGER NOT NULL CHECK (own IN (0, 1)),
    queued_at    TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'delivered', 'failed', 'refused')),
    status_at    TEXT,
    detail       TEXT,
    UNIQUE (case_number, notice, occasion)
);
CREATE INDEX case_sms ON case_file (status) WHERE sms_phone IS NOT NULL;
CREATE TRIGGER sms_notice_no_delete BEFORE DELETE ON sms_notice BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;
