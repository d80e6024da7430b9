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

/// A file for the centre's other terminals (a USB stick between two windows): this
/// terminal's whole stream, signed with its own key, which its peers check. (HQ takes the
/// same file once it knows the key.)
pub fn export_for_peers(store: &Store, now: DateTime<FixedOffset>) -> Result<Batch, SyncError> {
    let (head, _) = store.head()?;
    key_signed(store, store.local_stream_base()? + 1, head, now)
}

/// Takes in a file from another terminal of the centre: the batch checked (format, chain,
/// manifest) and its signature by the terminal's own key, then the store checks the centre,
/// the terminal and the chain's continuity and folds the events in. `accept_by` is the head
/// who accepts a terminal seen for the first time.
pub fn import_from_peer(
    store: &mut Store,
    bytes: &[u8],
    accept_by: Option<&str>,
    via: &str,
    now: DateTime<FixedOffset>,
) -> Result<yichuang_store::PeerImport, SyncError> {
    let b = Batch::from_bytes(&open_file(store, bytes)?)?;
    b.check()?;
    if b.public_key.is_none() {
        return Err(SyncError::Store(yichuang_store::StoreError::PeerRefused("这份文件由县级登记的密钥签名，其他终端无法核验；请用“导出给本中心其他窗口”重新导出".into())));
    }
    b.verify_key_signature()?;
    Ok(store.import_peer(peer_batch(b), accept_by.map_or(yichuang_store::Acceptance::None, yichuang_store::Acceptance::Head), via, now)?)
}

/// A file's batch: opened first when it is sealed (to this terminal's key).
pub fn open_file(store: &Store, bytes: &[u8]) -> Result<Vec<u8>, SyncError> {
    let Some(sealed) = crate::seal::Sealed::sniff(bytes) else { return Ok(bytes.to_vec()) };
    let own = store.terminal_public_key()?.ok_or(SyncError::BadKey)?;
    sealed.open(&own, |e| Ok(store.agree_as_terminal(e)?))
}

/// A checked, key-signed batch as the store takes another terminal's run.
pub(crate) fn peer_batch(b: Batch) -> yichuang_store::PeerBatch {
    let terminal = b.terminal_uid.split('-').nth(1).unwrap_or("").to_owned();
    let events = b.events.into_iter().map(crate::batch::BatchEvent::into_record).collect();
    yichuang_store::PeerBatch {
        stream: b.terminal_uid,
        centre: b.centre,
        terminal,
        public_key: b.public_key.unwrap_or_default(),
        prev_hash: b.prev_hash,
        events,
    }
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
pub(crate) fn key_signed(store: &Store, from: i64, to: i64, now: DateTime<FixedOffset>) -> Result<Batch, SyncError> {
    let centre = store.centre()?;
    let public_key = store.terminal_public_key()?.ok_or(SyncError::BadKey)?;
    let events = store.events_between(from, to)?;
    let prev = store.event_hash(from - 1)?;
    Batch::build_key_signed(&centre.code.to_string(), &centre.terminal.to_string(), &public_key, &prev, events, &now.to_rfc3339(), |bytes| {
        Ok(store.sign_as_terminal(bytes)?)
    })
}

/// Who a file may be read by: this terminal itself, HQ (by the key it gave at enrolment, or
/// the county's key in the settings), and for a file between windows every window of the
/// centre this terminal trusts, and whoever `extra` names (base64url Ed25519 keys). A file
/// nobody but its writer could open is refused, with what to do.
pub fn recipients(store: &Store, for_peers: bool, extra: &[String]) -> Result<Vec<String>, SyncError> {
    let mut keys = vec![store.terminal_public_key()?.ok_or(SyncError::BadKey)?];
    keys.extend(crate::transfer::hq_key(store)?);
    if for_peers {
        keys.extend(store.centre_keys()?);
    }
    keys.extend(extra.iter().map(|k| k.trim().to_owned()));
    keys.dedup();
    if keys.len() == 1 {
        return Err(SyncError::NoRecipient(if for_peers {
            "本机还不认识本中心其他窗口的公钥：请在对方窗口执行“yichuang key”查看其公钥，导出时用 --to 指定".into()
        } else {
            "本机尚未在县级登记，也没有设置县级公钥：请向县级索取公钥，由中心负责人设置（settings --set hq_public_key=…），或导出时用 --to 指定".into()
        }));
    }
    Ok(keys)
}

/// The batch sealed to `recipients`, as it goes on a USB stick: a lost stick reveals nothing.
pub fn seal_batch(batch: &Batch, recipients: &[String]) -> Result<crate::seal::Sealed, SyncError> {
    let label = format!(
        "一窗通数据文件（已加密）：中心{} {} 第{}至{}条",
        batch.centre,
        batch.terminal_uid.split('-').nth(1).map(|t| format!("终端{t}")).unwrap_or_default(),
        batch.from_seq,
        batch.to_seq
    );
    crate::seal::seal(&batch.to_bytes(), &label, recipients)
}

/// Writes `bytes` to `out` through a temporary file, so that a cut leaves no half file under
/// the final name.
pub fn write_bytes(bytes: &[u8], out: &Path) -> Result<(), SyncError> {
    let tmp = out.with_extension("part");
    yichuang_store::files::write_private(&tmp, bytes)?;
    std::fs::rename(&tmp, out)?;
    Ok(())
}

/// Writes the batch to `out` through a temporary file, so that a cut leaves no half file
/// under the final name.
pub fn write(batch: &Batch, out: &Path) -> Result<(), SyncError> {
    write_bytes(&batch.to_bytes(), out)
}
