//! Files carried by hand (a USB stick), as the CLI and the window both take them in: another
//! window's stream, or a document HQ signed (a new year's holiday calendar, the catalogue) for
//! a centre with no network. Whatever the file, it is opened (when sealed to this terminal),
//! checked and applied in one go, or refused with a Chinese reason and nothing written.

use chrono::{DateTime, FixedOffset};
use yichuang_store::{PeerImport, Role, Store, StoreError};

use crate::{SignedDocument, SyncError};

/// What a file brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// Another window's stream.
    Peer(PeerImport),
    /// HQ's signed document, applied: what it was, in words (`2027年节假日安排 第1版`).
    Document(String),
}

/// HQ's key as this terminal knows it: the one HQ gave at enrolment, else the county's key
/// the head set (it came with the installer).
pub fn hq_key(store: &Store) -> Result<Option<String>, SyncError> {
    if let Some(e) = store.enrolment()? {
        if !e.hq_public_key.trim().is_empty() {
            return Ok(Some(e.hq_public_key));
        }
    }
    Ok(Some(store.centre()?.settings.hq_public_key.clone()).filter(|k| !k.is_empty()))
}

fn document(bytes: &[u8]) -> Option<SignedDocument> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    if v.get("format").is_some() || v.get("signature").is_none() || v.get("body").is_none() {
        return None;
    }
    serde_json::from_value(v).ok()
}

/// Takes in a file. `actor` is who is importing: a station head must, to accept a window
/// seen for the first time (`accept`) and to apply HQ's documents.
pub fn import_file(store: &mut Store, bytes: &[u8], actor: Option<&str>, accept: bool, now: DateTime<FixedOffset>) -> Result<Imported, SyncError> {
    let plain = crate::export::open_file(store, bytes)?;
    let Some(doc) = document(&plain) else {
        let by = if accept { actor } else { None };
        return Ok(Imported::Peer(crate::export::import_from_peer(store, &plain, by, "file", now)?));
    };
    let key = hq_key(store)?.ok_or_else(|| {
        SyncError::BadDocument(format!("{}：本机不知道县级公钥，无法核验（请由中心负责人设置县级公钥）", doc.kind))
    })?;
    doc.verify(&key)?;
    let actor = actor.ok_or(StoreError::MissingField("导入县级文件的中心负责人工号"))?;
    let who = store.staff(actor)?;
    if who.role != Role::Head {
        return Err(StoreError::NotPermitted { name: who.name, action: "导入县级下发的文件" }.into());
    }
    let what = match doc.kind.as_str() {
        "catalogue" => format!("事项目录 {}", store.import_catalogue(actor, &doc.body, now)?),
        "calendar" => {
            let (y, v) = store.import_calendar(actor, &doc.body, now)?;
            format!("{y}年节假日安排 第{v}版")
        }
        other => return Err(SyncError::BadDocument(format!("未知的县级文件“{other}”"))),
    };
    store.record_download(&doc.kind, &doc.version, true, None, now)?;
    Ok(Imported::Document(what))
}
