//! One stored event as a row, and the chain hash that links each row to the one before.

use sha2::{Digest, Sha256};

use crate::{Event, EventError};

/// The hash before a stream's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored event: every field the chain hash covers, the payload as its exact text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub seq: i64,
    pub id: String,
    pub terminal: String,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub subject: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl EventRecord {
    /// The hash of this row as it should be: SHA-256 over the previous hash and every field,
    /// separated by U+001F so that no two different rows hash the same text.
    pub fn computed_hash(&self) -> String {
        chain_hash(&self.prev_hash, self.seq, &self.id, &self.terminal, &self.at, &self.actor, &self.kind, &self.subject, &self.payload)
    }

    /// The typed event this row records.
    pub fn event(&self) -> Result<Event, EventError> {
        Event::parse(&self.kind, &self.payload)
    }
}

#[allow(clippy::too_many_arguments)]
pub fn chain_hash(
    prev: &str,
    seq: i64,
    id: &str,
    terminal: &str,
    at: &str,
    actor: &str,
    kind: &str,
    subject: &str,
    payload: &str,
) -> String {
    let mut h = Sha256::new();
    let seq = seq.to_string();
    for (i, part) in [prev, &seq, id, terminal, at, actor, kind, subject, payload].into_iter().enumerate() {
        if i > 0 {
            h.update([0x1f]);
        }
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A terminal's stream, named by its own Ed25519 key:
/// `<centre>-<terminal>-k<first 8 hex digits of SHA-256 over the base64url public key>`.
/// HQ names the stream the same when the terminal enrols with that key, so that files
/// imported before the enrolment and batches after it are one stream.
pub fn local_stream_id(centre: &str, terminal: &str, public_key: &str) -> String {
    let d = Sha256::digest(public_key.as_bytes());
    format!("{centre}-{terminal}-k{}", d[..4].iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// A key's fingerprint as a county administrator reads it aloud to the centre: the first 16
/// hex digits of SHA-256 over the base64url key, in groups of four.
pub fn key_fingerprint(public_key: &str) -> String {
    let d = Sha256::digest(public_key.as_bytes());
    let hex: String = d[..8].iter().map(|b| format!("{b:02X}")).collect();
    hex.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}
