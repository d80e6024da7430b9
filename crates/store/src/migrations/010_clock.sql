-- Migration 10: the latest time this terminal has recorded, so that a PC clock set back is
-- caught even when the last event was one recorded whatever the clock says (a wrong PIN).
-- Only a head's `clock.confirmed` moves it back.
ALTER TABLE chain_head ADD COLUMN latest_at TEXT;
UPDATE chain_head SET latest_at = (SELECT at FROM event WHERE event.seq = chain_head.seq);
