-- Migration 7: PINs that resist guessing.
--
-- PINs are hashed with Argon2id and a random salt (a PHC string in `pin_hash`; the SHA-256
-- hashes of earlier versions are still read, and replaced at the next correct sign-in).
-- Wrong PINs are counted here, each one an event: from the fifth in a row the account is
-- locked for 30 seconds, doubling each time up to an hour; a correct PIN or the head's reset
-- clears the count.
ALTER TABLE staff ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN locked_until TEXT;
