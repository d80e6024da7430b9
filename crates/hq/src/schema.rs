//! HQ's own schema, in PostgreSQL. Migrations are appended, never edited; each runs once, in a
//! transaction, under an advisory lock so that two HQ processes starting together do not race.

use tokio_postgres::Client;

pub const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE centre (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- One-time enrolment codes given by HQ staff to a centre's terminal.
CREATE TABLE enrol_code (
    code        text PRIMARY KEY,
    centre_code text NOT NULL REFERENCES centre,
    expires_at  timestamptz NOT NULL,
    used_by     text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- A terminal stream: the events of one enrolment of one terminal.
CREATE TABLE terminal (
    uid          text PRIMARY KEY,
    centre_code  text NOT NULL REFERENCES centre,
    label        text NOT NULL,              -- the centre's own number for it, e.g. 01
    hmac_key     text NOT NULL,
    base_seq     bigint NOT NULL,
    base_hash    text NOT NULL,
    held_seq     bigint NOT NULL,
    held_hash    text NOT NULL,
    reported_head bigint,                    -- the terminal's last event, as it last said
    replaced_by  text,                       -- a re-enrolment after a restore
    enrolled_at  timestamptz NOT NULL DEFAULT now(),
    last_sync_at timestamptz
);
CREATE TABLE event (
    terminal_uid text NOT NULL REFERENCES terminal,
    seq          bigint NOT NULL,
    id           text NOT NULL,
    terminal     text NOT NULL,
    at           text NOT NULL,
    actor        text NOT NULL,
    kind         text NOT NULL,
    subject      text NOT NULL,
    payload      text NOT NULL,
    prev_hash    text NOT NULL,
    hash         text NOT NULL,
    rejected     boolean NOT NULL DEFAULT false,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (terminal_uid, seq)
);
CREATE INDEX event_subject ON event (subject);
-- Events refused by a business rule: kept with the reason, never dropped.
CREATE TABLE reject (
    terminal_uid text NOT NULL,
    seq          bigint NOT NULL,
    reason       text NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (terminal_uid, seq)
);
-- The same (terminal, seq) sent with a different hash: refused, and logged here.
CREATE TABLE conflict (
    id           bigserial PRIMARY KEY,
    terminal_uid text NOT NULL,
    seq          bigint NOT NULL,
    held_hash    text NOT NULL,
    sent_hash    text NOT NULL,
    at           timestamptz NOT NULL DEFAULT now()
);
-- The cases across centres, as their events left them.
CREATE TABLE case_record (
    number        text PRIMARY KEY,
    centre_code   text NOT NULL,
    terminal_uid  text NOT NULL,
    item_code     text NOT NULL,
    applicant     text NOT NULL,
    status        text NOT NULL,
    paused        boolean NOT NULL DEFAULT false,
    due_date      date,
    received_at   text NOT NULL,
    updated_at    text NOT NULL,
    last_kind     text NOT NULL
);
CREATE INDEX case_record_centre ON case_record (centre_code, status);
-- HQ's signing key for the documents it sends down.
CREATE TABLE hq_key (
    id          int PRIMARY KEY CHECK (id = 1),
    secret      text NOT NULL,
    public      text NOT NULL
);
-- Catalogue and calendar documents published to the terminals.
CREATE TABLE published (
    kind         text NOT NULL,
    version      text NOT NULL,
    sort_key     text NOT NULL,
    body         text NOT NULL,
    signature    text NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, version)
);
"#, r#"
-- Migration 2: a terminal's own Ed25519 key. A stream named by it (`<centre>-<terminal>-k…`)
-- can begin with export files made before the terminal enrolled; its enrolment then continues
-- that same stream.
ALTER TABLE terminal ADD COLUMN public_key text;
-- Who accepted a terminal's key from a file, before any enrolment (a county administrator).
ALTER TABLE terminal ADD COLUMN key_accepted_by text;
"#, r#"
-- Migration 3: county staff, their sessions, sign-in failures and the access log.
CREATE TABLE staff (
    login         text PRIMARY KEY,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'auditor', 'viewer')),
    centres       text[] NOT NULL DEFAULT '{}',      -- a viewer's centres
    password_hash text NOT NULL,                     -- Argon2id, PHC string
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);
-- Only the SHA-256 of a session's token is kept: a copy of this table signs nobody in.
CREATE TABLE staff_session (
    token_hash  text PRIMARY KEY,
    login       text NOT NULL REFERENCES staff,
    csrf        text NOT NULL,
    address     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz
);
-- Wrong passwords in a row, per name typed (known or not, so that the answer tells nothing).
CREATE TABLE sign_in_failure (
    login        text PRIMARY KEY,
    failed       int NOT NULL,
    locked_until timestamptz
);
-- Who viewed or exported what, when, from where (个人信息保护法 第51条、第55条). Append-only.
CREATE TABLE access_log (
    id       bigserial PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    login    text NOT NULL,
    address  text NOT NULL,
    action   text NOT NULL,
    target   text NOT NULL
);
CREATE INDEX access_log_target ON access_log (target);
CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '访问日志只能追加，不能修改或删除';
END $$;
CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();
"#, r#"
-- Migration 4: each event's payload as parsed at ingest (NULL when it did not parse: such an
-- event was refused), and the case it names, so that a page reads typed columns and no stored
-- text can break it.
ALTER TABLE event ADD COLUMN body jsonb;
ALTER TABLE event ADD COLUMN case_number text;
CREATE FUNCTION pg_temp.try_jsonb(t text) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    RETURN t::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$;
UPDATE event SET body = pg_temp.try_jsonb(payload);
UPDATE event SET case_number = CASE WHEN kind LIKE 'case.%' OR kind LIKE 'rectification.%' THEN subject ELSE body ->> 'case' END;
CREATE INDEX event_case ON event (case_number) WHERE case_number IS NOT NULL;
"#, r#"
-- Migration 5: enrolment codes of 80 bits, kept as their SHA-256, burnt after wrong tries;
-- terminals confirmed by a county administrator before their batches are applied, and revoked.
ALTER TABLE enrol_code ADD COLUMN failures int NOT NULL DEFAULT 0;
ALTER TABLE enrol_code ADD COLUMN burnt_at timestamptz;
-- The old 8-digit codes could be guessed: none of them stays usable.
UPDATE enrol_code SET burnt_at = now() WHERE used_by IS NULL;
ALTER TABLE terminal ADD COLUMN confirmed_at timestamptz;
ALTER TABLE terminal ADD COLUMN confirmed_by text;
ALTER TABLE terminal ADD COLUMN revoked_at timestamptz;
ALTER TABLE terminal ADD COLUMN revoked_by text;
ALTER TABLE terminal ADD COLUMN revoke_reason text;
-- Terminals HQ already took batches from stay as they were.
UPDATE terminal SET confirmed_at = enrolled_at, confirmed_by = coalesce(key_accepted_by, '（本次升级前已登记）');
"#, r#"
-- Migration 6: supervision notices (督办) the county sends down about a case, and the centre's
-- answer (a `supervision.answered` event, applied here when it arrives).
CREATE TABLE supervision (
    id              text PRIMARY KEY,
    case_number     text NOT NULL,
    centre_code     text NOT NULL REFERENCES centre,
    text            text NOT NULL,
    deadline        date NOT NULL,
    issued_by       text NOT NULL,
    issued_at       timestamptz NOT NULL DEFAULT now(),
    answer          text,
    answered_by     text,
    answered_at     text,
    answer_terminal text
);
CREATE INDEX supervision_centre ON supervision (centre_code, answer);
"#, r#"
-- Migration 7: the messages (短信) the centres queued, for HQ to send through its gateway,
-- once per case, notice and occasion. `phone` is kept here only, for sending (the purpose the
-- applicant agreed to); no page shows it. `status`: queued, sending (claimed, the request
-- under way), sent (the gateway took it), delivered, failed, refused (no standing consent).
CREATE TABLE sms_outbox (
    queued_event text PRIMARY KEY,
    terminal_uid text NOT NULL,
    centre_code  text NOT NULL REFERENCES centre,
    case_number  text NOT NULL,
    notice       text NOT NULL,
    occasion     text NOT NULL,
    phone        text NOT NULL,
    params       jsonb NOT NULL,
    text         text NOT NULL,
    status       text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'refused')),
    serial_no    text,
    detail       text,
    queued_at    text NOT NULL,
    reported_at  text,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (centre_code, case_number, notice, occasion)
);
CREATE INDEX sms_outbox_status ON sms_outbox (status, queued_at);
CREATE INDEX sms_outbox_centre ON sms_outbox (centre_code, updated_at);
"#, r#"
-- Migration 8: once per case, notice and occasion among the messages that may be sent; a
-- refused copy (another window's, or one without consent) stands beside it, so that a forged
-- or duplicate copy never blocks the genuine message and its window hears why.
ALTER TABLE sms_outbox DROP CONSTRAINT sms_outbox_centre_code_case_number_notice_occasion_key;
CREATE UNIQUE INDEX sms_outbox_once ON sms_outbox (centre_code, case_number, notice, occasion) WHERE status <> 'refused';
"#];

/// Brings the database up to this program's schema.
pub async fn migrate(client: &mut Client) -> Result<usize, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock(7240001)", &[]).await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_migration (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        .await?;
    let done: i64 = tx.query_one("SELECT count(*) FROM schema_migration", &[]).await?.get(0);
    let mut applied = 0;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done as usize) {
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO schema_migration (version) VALUES ($1)", &[&(i as i32 + 1)]).await?;
        applied += 1;
    }
    tx.commit().await?;
    Ok(applied)
}
