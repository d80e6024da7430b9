//! Where this terminal stands with HQ: its enrolments (one stream of events each), HQ's
//! acknowledgements and rejections, and the documents HQ sent down. The events themselves are
//! the outbox ([`crate::events`]); nothing here changes them.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{params, OptionalExtension};

use crate::error::{Result, StoreError};
use crate::events::{EventRecord, GENESIS_HASH};
use crate::Store;

/// An enrolment with HQ: the stream `terminal_uid` carries local events after `base_seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub terminal_uid: String,
    pub hq_url: String,
    /// base64, the HMAC-SHA256 key that signs this stream's batches.
    pub hmac_key: String,
    /// base64url, HQ's Ed25519 public key for the documents it sends down.
    pub hq_public_key: String,
    pub base_seq: i64,
    pub base_hash: String,
    pub enrolled_at: String,
}

/// One event HQ refused by a business rule, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub terminal_uid: String,
    pub seq: i64,
    pub kind: String,
    pub subject: String,
    pub reason: String,
    pub at: String,
}

/// The sync state a window shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncStatus {
    pub enrolled: bool,
    pub terminal_uid: Option<String>,
    pub hq_url: Option<String>,
    /// The last local event.
    pub head_seq: i64,
    /// The last event HQ holds of this terminal (across its streams).
    pub acked_seq: i64,
    /// Events not yet held by HQ.
    pub pending: i64,
    pub rejected: i64,
    pub last_ack_at: Option<String>,
    /// A restore from backup happened after the current enrolment: the terminal must enrol
    /// again (automatically, on the next sync) before it sends.
    pub needs_reenrolment: bool,
}

/// The state of one event as the window shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventSync {
    Pending,
    Acknowledged,
    Rejected,
}

impl Store {
    /// The current enrolment (the latest), if any.
    pub fn enrolment(&self) -> Result<Option<Enrolment>> {
        Ok(self.enrolments()?.pop())
    }

    /// Every enrolment, oldest first.
    pub fn enrolments(&self) -> Result<Vec<Enrolment>> {
        let mut stmt = self.connection().prepare(
            "SELECT terminal_uid, hq_url, hmac_key, hq_public_key, base_seq, base_hash, enrolled_at
             FROM sync_enrolment ORDER BY rowid",
        )?;
        let rows: Vec<Enrolment> = stmt.query_map([], |r| {
            Ok(Enrolment {
                terminal_uid: r.get(0)?,
                hq_url: r.get(1)?,
                hmac_key: r.get(2)?,
                hq_public_key: r.get(3)?,
                base_seq: r.get(4)?,
                base_hash: r.get(5)?,
                enrolled_at: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
        // Each batch key sealed under this PC's key, opened here.
        rows.into_iter().map(|mut e| {
            e.hmac_key = self.open_secret("enrolment", &e.terminal_uid, &e.hmac_key)?;
            Ok(e)
        }).collect()
    }

    /// Keeps a new enrolment. Its base must be an event this database holds, with that hash.
    pub fn record_enrolment(&mut self, e: &Enrolment) -> Result<()> {
        self.refuse_if_damaged()?;
        if self.event_hash(e.base_seq)? != e.base_hash {
            return Err(StoreError::Sync(format!("登记的起点（第{}条记录）与本机记录不符", e.base_seq)));
        }
        let (head, _) = self.head()?;
        let sealed = self.key.seal_secret(&crate::keys::secret_context(self.connection(), "enrolment", &e.terminal_uid)?, &e.hmac_key)?;
        self.connection().execute(
            "INSERT INTO sync_enrolment (terminal_uid, hq_url, hmac_key, hq_public_key, base_seq, base_hash, head_at_enrolment, enrolled_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![e.terminal_uid, e.hq_url, sealed, e.hq_public_key, e.base_seq, e.base_hash, head, e.enrolled_at],
        )?;
        Ok(())
    }

    /// The hash of local event `seq` (the genesis hash for 0).
    pub fn event_hash(&self, seq: i64) -> Result<String> {
        if seq == 0 {
            return Ok(GENESIS_HASH.to_owned());
        }
        self.connection()
            .query_row("SELECT hash FROM event WHERE seq = ?1", [seq], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::Sync(format!("本机没有第{seq}条记录")))
    }

    /// The last local event: (seq, hash), or (0, genesis) for an empty log.
    pub fn head(&self) -> Result<(i64, String)> {
        Ok(self
            .connection()
            .query_row("SELECT seq, hash FROM chain_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or((0, GENESIS_HASH.to_owned())))
    }

    /// The seq HQ last said it holds of the stream (its base when it said nothing yet).
    pub fn held_seq(&self, e: &Enrolment) -> Result<i64> {
        // HQ's latest answer, not the highest: an HQ restored from its own backup may hold less.
        let acked: Option<i64> = self
            .connection()
            .query_row(
                "SELECT held_seq FROM sync_ack WHERE terminal_uid = ?1 ORDER BY id DESC LIMIT 1",
                [&e.terminal_uid],
                |r| r.get(0),
            )
            .optional()?;
        Ok(acked.unwrap_or(e.base_seq).max(e.base_seq))
    }

    /// Records HQ's answer to a batch in one transaction: the seq it holds, and what it refused.
    pub fn record_ack(&mut self, uid: &str, held_seq: i64, rejected: &[(i64, String)], now: DateTime<FixedOffset>) -> Result<()> {
        self.refuse_if_damaged()?;
        let tx = self.conn.transaction()?;
        let at = now.to_rfc3339();
        tx.execute("INSERT INTO sync_ack (terminal_uid, held_seq, at) VALUES (?1, ?2, ?3)", params![uid, held_seq, at])?;
        for (seq, reason) in rejected {
            tx.execute(
                "INSERT INTO sync_reject (terminal_uid, seq, reason, at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (terminal_uid, seq) DO NOTHING",
                params![uid, seq, reason, at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Events HQ refused, newest first.
    pub fn rejections(&self) -> Result<Vec<Rejection>> {
        let mut stmt = self.connection().prepare(
            "SELECT r.terminal_uid, r.seq, e.kind, e.subject, r.reason, r.at
             FROM sync_reject r JOIN event e ON e.seq = r.seq ORDER BY r.seq DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Rejection { terminal_uid: r.get(0)?, seq: r.get(1)?, kind: r.get(2)?, subject: r.get(3)?, reason: r.get(4)?, at: r.get(5)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Events `from..=to`, in order.
    pub fn events_between(&self, from: i64, to: i64) -> Result<Vec<EventRecord>> {
        if to < from {
            return Ok(vec![]);
        }
        self.events_after(from - 1, to - from + 1)
    }

    /// The run of events written on `day` (local date of each event's time): (first, last).
    pub fn events_of_day(&self, day: NaiveDate) -> Result<Option<(i64, i64)>> {
        let (first, last): (Option<i64>, Option<i64>) = self.connection().query_row(
            "SELECT min(seq), max(seq) FROM event WHERE substr(at, 1, 10) = ?1",
            [day.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(first.zip(last))
    }

    /// A restore this enrolment has not seen: the `store.restored` event recorded after the
    /// enrolment was (its seq, the last event of the backup).
    pub fn unseen_restore(&self, e: &Enrolment) -> Result<Option<(i64, i64)>> {
        let head_then: i64 = self.connection().query_row(
            "SELECT head_at_enrolment FROM sync_enrolment WHERE terminal_uid = ?1",
            [&e.terminal_uid],
            |r| r.get(0),
        )?;
        self.restored_after(head_then)
    }

    /// The `store.restored` event after `seq`, if any: (its seq, the last event of the backup).
    pub fn restored_after(&self, seq: i64) -> Result<Option<(i64, i64)>> {
        Ok(self
            .connection()
            .query_row(
                "SELECT seq, json_extract(payload, '$.backup_head') FROM event
                 WHERE kind = 'store.restored' AND seq > ?1 ORDER BY seq LIMIT 1",
                [seq],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The last event before this terminal's own stream (as named by its key) begins: 0, or
    /// after a restore the backup's last event, since what follows a restore is a new history
    /// under a new terminal number.
    pub fn local_stream_base(&self) -> Result<i64> {
        Ok(self
            .connection()
            .query_row(
                "SELECT json_extract(payload, '$.backup_head') FROM event WHERE kind = 'store.restored' ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    /// Where this terminal stands with HQ.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let (head_seq, _) = self.head()?;
        let rejected: i64 = self.connection().query_row("SELECT count(*) FROM sync_reject", [], |r| r.get(0))?;
        let Some(e) = self.enrolment()? else {
            return Ok(SyncStatus { head_seq, pending: head_seq, rejected, ..SyncStatus::default() });
        };
        let acked_seq = self.held_seq(&e)?;
        let last_ack_at = self.connection().query_row("SELECT max(at) FROM sync_ack", [], |r| r.get(0))?;
        Ok(SyncStatus {
            enrolled: true,
            terminal_uid: Some(e.terminal_uid.clone()),
            hq_url: Some(e.hq_url.clone()),
            head_seq,
            acked_seq,
            pending: head_seq - acked_seq,
            rejected,
            last_ack_at,
            needs_reenrolment: self.unseen_restore(&e)?.is_some(),
        })
    }

    /// The sync state of event `seq`.
    pub fn event_sync(&self, seq: i64) -> Result<EventSync> {
        let rejected: bool =
            self.connection().query_row("SELECT EXISTS (SELECT 1 FROM sync_reject WHERE seq = ?1)", [seq], |r| r.get(0))?;
        if rejected {
            return Ok(EventSync::Rejected);
        }
        let held: Option<i64> = self.connection().query_row("SELECT max(held_seq) FROM sync_ack", [], |r| r.get(0))?;
        Ok(if held.is_some_and(|h| h >= seq) { EventSync::Acknowledged } else { EventSync::Pending })
    }

    /// Notes a catalogue or calendar document HQ sent down, applied or not.
    pub fn record_download(&mut self, kind: &str, version: &str, applied: bool, note: Option<&str>, now: DateTime<FixedOffset>) -> Result<()> {
        self.refuse_if_damaged()?;
        self.connection().execute(
            "INSERT INTO sync_download (kind, version, applied, note, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![kind, version, applied, note, now.to_rfc3339()],
        )?;
        Ok(())
    }

    /// The newest calendar version held of each year.
    pub fn calendar_versions(&self) -> Result<Vec<(i32, i64)>> {
        let mut stmt = self.connection().prepare("SELECT year, max(version) FROM calendar_year GROUP BY year ORDER BY year")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
