//! The batch: a terminal's contiguous run of events, with a manifest and an HMAC signature.
//! The same bytes go over the network and into an end-of-day export file, so that HQ has one
//! way in. The format is documented in `docs/batch-format.md`; [`FORMAT`] names its version.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use yichuang_store::{chain_hash, EventRecord};

use crate::SyncError;

/// The format and its version. A reader refuses any other.
pub const FORMAT: &str = "yichuang-batch/1";

/// One event as it travels: every field the chain hash covers, unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchEvent {
    pub seq: i64,
    pub id: String,
    /// The terminal as the centre numbers it (`01`), part of the hash.
    pub terminal: String,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub subject: String,
    /// The payload exactly as stored (a JSON text), so the hash can be checked byte for byte.
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<EventRecord> for BatchEvent {
    fn from(e: EventRecord) -> Self {
        Self {
            seq: e.seq,
            id: e.id,
            terminal: e.terminal,
            at: e.at,
            actor: e.actor,
            kind: e.kind,
            subject: e.subject,
            payload: e.payload,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

impl BatchEvent {
    pub fn into_record(self) -> EventRecord {
        EventRecord {
            seq: self.seq,
            id: self.id,
            terminal: self.terminal,
            at: self.at,
            actor: self.actor,
            kind: self.kind,
            subject: self.subject,
            payload: self.payload,
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }

    pub fn computed_hash(&self) -> String {
        chain_hash(&self.prev_hash, self.seq, &self.id, &self.terminal, &self.at, &self.actor, &self.kind, &self.subject, &self.payload)
    }
}

/// What the batch says of itself, checked on arrival.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub count: usize,
    /// SHA-256 (hex) over the events' hashes, in order, each followed by a newline.
    pub events_sha256: String,
    /// The chain hash after the last event (the hash before the first, for an empty batch).
    pub head_hash: String,
    pub created_at: String,
    /// The terminal's last event when it sent the batch (HQ shows how far behind it is):
    /// signed with the rest, so that nobody on the way can change it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    pub format: String,
    /// The centre's 9-digit code.
    pub centre: String,
    /// The stream: the terminal id HQ issued at enrolment.
    pub terminal_uid: String,
    pub from_seq: i64,
    pub to_seq: i64,
    /// The chain hash before `from_seq`.
    pub prev_hash: String,
    pub events: Vec<BatchEvent>,
    pub manifest: Manifest,
    /// Present on a file made before the terminal was enrolled: the terminal's own Ed25519
    /// public key (base64url). `signature` is then Ed25519 (base64url) by that key, and the
    /// stream is named by it ([`local_stream_id`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// HMAC-SHA256 (base64) with the stream's key over [`Batch::signed_bytes`], or, with
    /// `public_key`, the terminal's Ed25519 signature over them.
    pub signature: String,
}

pub use yichuang_events::key_fingerprint;

pub use yichuang_events::local_stream_id;

type HmacSha256 = Hmac<Sha256>;

fn events_sha256(events: &[BatchEvent]) -> String {
    let mut h = Sha256::new();
    for e in events {
        h.update(e.hash.as_bytes());
        h.update(b"\n");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn key_bytes(key_b64: &str) -> Result<Vec<u8>, SyncError> {
    base64::engine::general_purpose::STANDARD.decode(key_b64.trim()).map_err(|_| SyncError::BadKey)
}

impl Batch {
    /// Builds and signs a batch of `events` (contiguous, in order) following `prev_hash`.
    pub fn build(
        centre: &str,
        terminal_uid: &str,
        prev_hash: &str,
        events: Vec<EventRecord>,
        key_b64: &str,
        created_at: &str,
    ) -> Result<Self, SyncError> {
        Self::build_reporting(centre, terminal_uid, prev_hash, events, key_b64, created_at, None)
    }

    /// [`Batch::build`], saying in the signed manifest how far the terminal's own log goes.
    pub fn build_reporting(
        centre: &str,
        terminal_uid: &str,
        prev_hash: &str,
        events: Vec<EventRecord>,
        key_b64: &str,
        created_at: &str,
        head: Option<i64>,
    ) -> Result<Self, SyncError> {
        let mut b = Self::unsigned(centre, terminal_uid, prev_hash, events, created_at);
        b.manifest.head = head;
        b.signature = b.sign(key_b64)?;
        Ok(b)
    }

    fn unsigned(centre: &str, terminal_uid: &str, prev_hash: &str, events: Vec<EventRecord>, created_at: &str) -> Self {
        let events: Vec<BatchEvent> = events.into_iter().map(BatchEvent::from).collect();
        let from_seq = events.first().map(|e| e.seq).unwrap_or(0);
        let to_seq = events.last().map(|e| e.seq).unwrap_or(0);
        let manifest = Manifest {
            count: events.len(),
            events_sha256: events_sha256(&events),
            head_hash: events.last().map(|e| e.hash.clone()).unwrap_or_else(|| prev_hash.to_owned()),
            created_at: created_at.to_owned(),
            head: None,
        };
        Self {
            format: FORMAT.to_owned(),
            centre: centre.to_owned(),
            terminal_uid: terminal_uid.to_owned(),
            from_seq,
            to_seq,
            prev_hash: prev_hash.to_owned(),
            events,
            manifest,
            public_key: None,
            signature: String::new(),
        }
    }

    /// Builds a batch signed with the terminal's own Ed25519 key (`sign` makes the base64url
    /// signature of the bytes it is given), in the stream named by that key.
    pub fn build_key_signed(
        centre: &str,
        terminal: &str,
        public_key: &str,
        prev_hash: &str,
        events: Vec<EventRecord>,
        created_at: &str,
        sign: impl FnOnce(&[u8]) -> Result<String, SyncError>,
    ) -> Result<Self, SyncError> {
        let mut b = Self::unsigned(centre, &local_stream_id(centre, terminal, public_key), prev_hash, events, created_at);
        b.public_key = Some(public_key.to_owned());
        b.signature = sign(&b.signed_bytes())?;
        Ok(b)
    }

    /// Checks an Ed25519 signature by the batch's own public key, and that the stream is the
    /// one that key names. Says nothing of whether HQ trusts the key.
    pub fn verify_key_signature(&self) -> Result<(), SyncError> {
        let pk = self.public_key.as_deref().ok_or(SyncError::BadSignature)?;
        crate::client::verify_ed25519(pk, &self.signed_bytes(), &self.signature)?;
        let terminal = self.terminal_uid.split('-').nth(1).unwrap_or("");
        if local_stream_id(&self.centre, terminal, pk) != self.terminal_uid {
            return Err(SyncError::BadSignature);
        }
        Ok(())
    }

    /// The bytes the signature covers: the batch as JSON with an empty signature.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut unsigned = self.clone();
        unsigned.signature.clear();
        serde_json::to_vec(&unsigned).unwrap_or_default()
    }

    fn sign(&self, key_b64: &str) -> Result<String, SyncError> {
        let mut mac = HmacSha256::new_from_slice(&key_bytes(key_b64)?).map_err(|_| SyncError::BadKey)?;
        mac.update(&self.signed_bytes());
        Ok(base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
    }

    /// Checks the signature with the stream's key (in constant time).
    pub fn verify_signature(&self, key_b64: &str) -> Result<(), SyncError> {
        let sig = base64::engine::general_purpose::STANDARD.decode(self.signature.trim()).map_err(|_| SyncError::BadSignature)?;
        let mut mac = HmacSha256::new_from_slice(&key_bytes(key_b64)?).map_err(|_| SyncError::BadKey)?;
        mac.update(&self.signed_bytes());
        mac.verify_slice(&sig).map_err(|_| SyncError::BadSignature)
    }

    /// Checks everything that needs no key and no history: the format, contiguity, every
    /// event's hash and link, and the manifest.
    pub fn check(&self) -> Result<(), SyncError> {
        if self.format != FORMAT {
            return Err(SyncError::Format(self.format.clone()));
        }
        if self.manifest.count != self.events.len() {
            return Err(SyncError::Manifest(format!("清单写明{}条，实有{}条", self.manifest.count, self.events.len())));
        }
        if self.events.is_empty() {
            return Ok(());
        }
        if self.events[0].seq != self.from_seq || self.events[self.events.len() - 1].seq != self.to_seq {
            return Err(SyncError::Manifest(format!("起止序号{}–{}与所附记录不符", self.from_seq, self.to_seq)));
        }
        let mut prev = self.prev_hash.as_str();
        for (i, e) in self.events.iter().enumerate() {
            let expected = self.from_seq + i as i64;
            if e.seq != expected {
                return Err(SyncError::Gap { expected, found: e.seq });
            }
            if e.prev_hash != prev {
                return Err(SyncError::Tampered(e.seq));
            }
            if e.computed_hash() != e.hash {
                return Err(SyncError::Tampered(e.seq));
            }
            prev = &e.hash;
        }
        if events_sha256(&self.events) != self.manifest.events_sha256 || self.manifest.head_hash != prev {
            return Err(SyncError::Manifest("清单的校验值与所附记录不符".into()));
        }
        Ok(())
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads a batch (from the network or an export file). A cut-off file is told apart from
    /// one that is not a batch at all.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SyncError> {
        serde_json::from_slice(bytes).map_err(|e| {
            if e.is_eof() {
                SyncError::Truncated
            } else {
                SyncError::NotABatch(e.to_string())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn events(n: i64) -> Vec<EventRecord> {
        let mut prev = yichuang_store::GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let (id, at, payload) = (format!("id-{seq}"), "2026-11-23T09:00:00+08:00".to_owned(), format!("{{\"n\":{seq}}}"));
                let hash = chain_hash(&prev, seq, &id, "01", &at, "demo", "case.intake", "X", &payload);
                let e = EventRecord {
                    seq,
                    id,
                    terminal: "01".into(),
                    at,
                    actor: "demo".into(),
                    kind: "case.intake".into(),
                    subject: "X".into(),
                    payload,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    fn batch() -> Batch {
        Batch::build("450821102", "T1", yichuang_store::GENESIS_HASH, events(5), KEY, "2026-11-23T18:00:00+08:00").unwrap()
    }

    #[test]
    fn a_built_batch_checks_and_verifies_and_survives_the_round_trip() {
        let b = batch();
        b.check().unwrap();
        b.verify_signature(KEY).unwrap();
        let back = Batch::from_bytes(&b.to_bytes()).unwrap();
        assert_eq!(back, b);
        assert_eq!((b.from_seq, b.to_seq, b.manifest.count), (1, 5, 5));
    }

    #[test]
    fn every_kind_of_damage_is_named() {
        let mut b = batch();
        b.events[2].payload = "{\"n\":99}".into();
        assert!(matches!(b.check(), Err(SyncError::Tampered(3))));

        let mut b = batch();
        b.events.remove(2);
        b.manifest.count = 4;
        assert!(matches!(b.check(), Err(SyncError::Gap { expected: 3, found: 4 })));

        let mut b = batch();
        b.manifest.count = 6;
        assert!(matches!(b.check(), Err(SyncError::Manifest(_))));

        let b = batch();
        assert!(matches!(b.verify_signature("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh4="), Err(SyncError::BadSignature)));
        let mut forged = batch();
        forged.centre = "450821103".into();
        assert!(matches!(forged.verify_signature(KEY), Err(SyncError::BadSignature)));

        let bytes = batch().to_bytes();
        assert!(matches!(Batch::from_bytes(&bytes[..bytes.len() / 2]), Err(SyncError::Truncated)));
        assert!(matches!(Batch::from_bytes(b"hello"), Err(SyncError::NotABatch(_))));
        let mut other = batch();
        other.format = "yichuang-batch/9".into();
        assert!(matches!(other.check(), Err(SyncError::Format(_))));
        // Every error speaks Chinese.
        assert!(SyncError::Truncated.to_string().contains("不完整"));
    }
}
