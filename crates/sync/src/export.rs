//! The end-of-day export file: the same signed batch HQ receives over the network, written to
//! a file for a USB stick when there is no network. HQ imports it through the same checks.

use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};
use yichuang_store::Store;

use crate::{Batch, SyncError};

/// The end-of-day file for `day`: the day's events of the current stream, and before them
/// whatever HQ has not acknowledged yet, so that a file never leaves HQ a gap.
pub fn export_day(store: &Store, day: NaiveDate, now: DateTime<FixedOffset>) -> Result<Batch, SyncError> {
    let e = store.enrolment()?.ok_or(SyncError::NotEnrolled)?;
    let held = store.held_seq(&e)?;
    let Some((first, last)) = store.events_of_day(day)? else {
        return batch(store, &e, held + 1, held, now);
    };
    let first = first.max(e.base_seq + 1).min(held + 1);
    batch(store, &e, first, last.max(held), now)
}

/// Everything HQ has not acknowledged yet.
pub fn export_pending(store: &Store, now: DateTime<FixedOffset>) -> Result<Batch, SyncError> {
    let e = store.enrolment()?.ok_or(SyncError::NotEnrolled)?;
    let held = store.held_seq(&e)?;
    let (head, _) = store.head()?;
    batch(store, &e, held + 1, head, now)
}

fn batch(store: &Store, e: &yichuang_store::Enrolment, from: i64, to: i64, now: DateTime<FixedOffset>) -> Result<Batch, SyncError> {
    let centre = store.centre()?.code.to_string();
    let events = store.events_between(from, to)?;
    let prev = store.event_hash(from - 1)?;
    Batch::build(&centre, &e.terminal_uid, &prev, events, &e.hmac_key, &now.to_rfc3339())
}

/// Writes the batch to `out` through a temporary file, so that a cut leaves no half file
/// under the final name.
pub fn write(batch: &Batch, out: &Path) -> Result<(), SyncError> {
    let tmp = out.with_extension("part");
    std::fs::write(&tmp, batch.to_bytes())?;
    std::fs::rename(&tmp, out)?;
    Ok(())
}
