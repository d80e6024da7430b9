-- The figures of a day or a month read only the events they need: those from the period's
-- start on, found by time, and the histories of the cases they touch (by subject).
CREATE INDEX event_at ON event (at);
CREATE INDEX peer_event_at ON peer_event (at);
-- Today's lists by state, newest first, read from the front of one index (never sorted whole).
CREATE INDEX case_status_created ON case_file (status, created_at);
