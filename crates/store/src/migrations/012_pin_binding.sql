-- Migration 12: the stored PIN hashes masked in migration 11's first form (`k1`, the salt
-- alone) are bound to whose PIN they are (`k2`: the staff id and the database's first event),
-- by the program in this migration's transaction. Nothing changes in the schema.
UPDATE staff SET pin_hash = pin_hash WHERE 0;
