-- Migration 20: the terminal's signing key and each enrolment's batch key are kept sealed under
-- this PC's key (never in the file), as the PIN hashes are. The program seals the rows already
-- held in this migration's transaction (`seal_secrets`), between these two triggers being
-- dropped and made again with the same text: outside that, a key is never changed.
DROP TRIGGER terminal_key_frozen;
DROP TRIGGER sync_enrolment_frozen;
