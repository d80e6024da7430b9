//! The end-of-day export file: the same signed batch HQ receives over the network, written to
//! a file for a USB stick when there is no network. HQ imports it through the same checks.

use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};
use yichuang_store::Store;

use crate::{Batch, SyncError};

/// The end-of-day file for `day`: the day's events of the current stream, and before them
/// whatever HQ has not acknowledged yet, so that a file never leaves HQ a gap. A terminal
/// never enrolled writes its whole stream up to the end of the day, signed with its own key.
pub fn export_day(store: &Store, day: NaiveDate, now: DateTime<FixedOffset>) -> Result<Batch, SyncError> {
    let Some(e) = store.enrolment()? else {
        let base = store.local_stream_base()?;
        let last = store.events_of_day(day)?.map(|(_, last)| last).unwrap_or(base).max(base);
        return key_signed(store, base + 1, last, now);
    };
    let held = store.held_seq(&e)?;
    let Some((first, last)) = store.events_of_day(day)? else {
        return batch(store, &e, held + 1, held, now);
    };
    let first = first.max(e.base_seq + 1).min(held + 1);
    batch(store, &e, first, last.max(held), now)
}

/// Everything HQ has not acknowledged yet (everything, before any enrolment).
pub fn export_pending(store: &Store, now: DateTime<FixedOffset>) -> Result<Batch, SyncError> {
    let (head, _) = store.head()?;
    let Some(e) = store.enrolment()? else {
        return key_signed(store, store.local_stream_base()? + 1, head, now);
    };
    let held = store.held_seq(&e)?;
    batch(store, &e, held + 1, head, now)
}

fn batch(store: &Store, e: &yichuang_store::Enrolment, from: i64, to: i64, now: DateTime<FixedOffset>) -> Result<Batch, SyncError> {
    let centre = store.centre()?.code.to_string();
    let events = store.events_between(from, to)?;
    let prev = store.event_hash(from - 1)?;
    Batch::build(&centre, &e.terminal_uid, &prev, events, &e.hmac_key, &now.to_rfc3339())
}

/// A file of the terminal's own stream, signed with its Ed25519 key: HQ takes it once the
/// terminal enrols with that key, or once a county administrator accepts the key.
fn key_signed(store: &Store, from: i64, to: i64, now: DateTime<FixedOffset>) -> Result<Batch, SyncError> {
    let centre = store.centre()?;
    let public_key = store.terminal_public_key()?.ok_or(SyncError::BadKey)?;
    let events = store.events_between(from, to)?;
    let prev = store.event_hash(from - 1)?;
    Batch::build_key_signed(&centre.code.to_string(), &centre.terminal.to_string(), &public_key, &prev, events, &now.to_rfc3339(), |bytes| {
        Ok(store.sign_as_terminal(bytes)?)
    })
}

/// Writes the batch to `out` through a temporary file, so that a cut leaves no half file
/// under the final name.
pub fn write(batch: &Batch, out: &Path) -> Result<(), SyncError> {
    let tmp = out.with_extension("part");
    std::fs::write(&tmp, batch.to_bytes())?;
    std::fs::rename(&tmp, out)?;
    Ok(())
}
