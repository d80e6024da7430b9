//! Sealed envelopes: what crosses a USB stick or the centre's LAN is readable only by the
//! terminals (and HQ) it is sealed to.
//!
//! One random content key encrypts the body (ChaCha20-Poly1305). For each recipient, named by
//! its Ed25519 public key, the content key is wrapped under a key derived from an X25519
//! agreement between a fresh ephemeral key and the recipient's key (its Ed25519 key taken to
//! its Montgomery form). Opening needs the recipient's secret, which stays in its store: the
//! store answers the agreement, see `Store::agree_as_terminal`. The format is written in
//! `docs/batch-format.md`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use curve25519_dalek::MontgomeryPoint;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::SyncError;

pub const SEALED_FORMAT: &str = "yichuang-sealed/1";

/// A sealed body and the wrapped keys of its recipients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub format: String,
    /// What is inside, in plain words for whoever finds the stick (never personal data).
    pub label: String,
    /// base64url X25519 point of the ephemeral key.
    pub ephemeral: String,
    pub recipients: Vec<Recipient>,
    /// base64url 12-byte nonce of the body.
    pub nonce: String,
    /// base64url ChaCha20-Poly1305 of the body, the label and the format bound as associated data.
    pub ciphertext: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// base64url Ed25519 public key of the recipient.
    pub key: String,
    /// base64url ChaCha20-Poly1305 of the content key under the recipient's wrapping key.
    pub wrapped: String,
}

fn random<const N: usize>() -> Result<[u8; N], SyncError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| SyncError::Io(std::io::Error::other(e.to_string())))?;
    Ok(b)
}

fn b64<const N: usize>(s: &str) -> Result<[u8; N], SyncError> {
    URL_SAFE_NO_PAD.decode(s.trim()).ok().and_then(|b| b.try_into().ok()).ok_or(SyncError::SealBroken)
}

/// The recipient's Montgomery point, from its Ed25519 public key.
fn montgomery(ed25519_b64: &str) -> Result<MontgomeryPoint, SyncError> {
    let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(ed25519_b64.trim()).ok().and_then(|b| b.try_into().ok()).ok_or(SyncError::BadKey)?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| SyncError::BadKey)?;
    if key.is_weak() {
        return Err(SyncError::BadKey);
    }
    Ok(key.to_montgomery())
}

fn wrapping_key(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &MontgomeryPoint) -> Key {
    let mut h = Sha256::new();
    h.update(b"yichuang-seal/1\n");
    h.update(shared);
    h.update(ephemeral);
    h.update(recipient.as_bytes());
    let out: [u8; 32] = h.finalize().into();
    Key::from(out)
}

fn aad(label: &str) -> Vec<u8> {
    format!("{SEALED_FORMAT}\n{label}").into_bytes()
}

/// Seals `body` to every key of `recipients` (base64url Ed25519 public keys, repeats dropped).
pub fn seal(body: &[u8], label: &str, recipients: &[String]) -> Result<Sealed, SyncError> {
    if recipients.is_empty() {
        return Err(SyncError::NoRecipient("没有接收方".into()));
    }
    let content: [u8; 32] = random()?;
    let secret: [u8; 32] = random()?;
    let ephemeral = MontgomeryPoint::mul_base_clamped(secret);
    let mut list = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for r in recipients {
        if !seen.insert(r.trim().to_owned()) {
            continue;
        }
        let point = montgomery(r)?;
        let shared = point.mul_clamped(secret).to_bytes();
        let kek = wrapping_key(&shared, ephemeral.as_bytes(), &point);
        // Each wrapping key is used once (a fresh ephemeral key per envelope): a zero nonce is safe.
        let wrapped = ChaCha20Poly1305::new(&kek)
            .encrypt(&Nonce::default(), content.as_slice())
            .map_err(|_| SyncError::SealBroken)?;
        list.push(Recipient { key: r.trim().to_owned(), wrapped: URL_SAFE_NO_PAD.encode(wrapped) });
    }
    let nonce: [u8; 12] = random()?;
    let ciphertext = ChaCha20Poly1305::new(&Key::from(content))
        .encrypt(&Nonce::from(nonce), Payload { msg: body, aad: &aad(label) })
        .map_err(|_| SyncError::SealBroken)?;
    Ok(Sealed {
        format: SEALED_FORMAT.to_owned(),
        label: label.to_owned(),
        ephemeral: URL_SAFE_NO_PAD.encode(ephemeral.as_bytes()),
        recipients: list,
        nonce: URL_SAFE_NO_PAD.encode(nonce),
        ciphertext: URL_SAFE_NO_PAD.encode(ciphertext),
    })
}

impl Sealed {
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The envelope in `bytes`, or `None` when they are not one (a plain batch, say).
    pub fn sniff(bytes: &[u8]) -> Option<Sealed> {
        #[derive(Deserialize)]
        struct Head {
            format: String,
        }
        let head: Head = serde_json::from_slice(bytes).ok()?;
        if head.format != SEALED_FORMAT {
            return None;
        }
        serde_json::from_slice(bytes).ok()
    }

    /// Whether it is sealed to the Ed25519 key `own`.
    pub fn is_for(&self, own: &str) -> bool {
        self.recipients.iter().any(|r| r.key == own.trim())
    }

    /// Opens the envelope as the holder of `own` (its base64url Ed25519 public key);
    /// `agree` answers the X25519 agreement of that key's secret with a point.
    pub fn open(&self, own: &str, agree: impl FnOnce([u8; 32]) -> Result<[u8; 32], SyncError>) -> Result<Vec<u8>, SyncError> {
        if self.format != SEALED_FORMAT {
            return Err(SyncError::Format(self.format.clone()));
        }
        let Some(r) = self.recipients.iter().find(|r| r.key == own.trim()) else {
            return Err(SyncError::NotForUs);
        };
        let ephemeral: [u8; 32] = b64(&self.ephemeral)?;
        let shared = agree(ephemeral)?;
        let kek = wrapping_key(&shared, &ephemeral, &montgomery(own)?);
        let wrapped = URL_SAFE_NO_PAD.decode(r.wrapped.trim()).map_err(|_| SyncError::SealBroken)?;
        let content: [u8; 32] = ChaCha20Poly1305::new(&kek)
            .decrypt(&Nonce::default(), wrapped.as_slice())
            .ok()
            .and_then(|k| k.try_into().ok())
            .ok_or(SyncError::SealBroken)?;
        let nonce: [u8; 12] = b64(&self.nonce)?;
        let ciphertext = URL_SAFE_NO_PAD.decode(self.ciphertext.trim()).map_err(|_| SyncError::SealBroken)?;
        ChaCha20Poly1305::new(&Key::from(content))
            .decrypt(&Nonce::from(nonce), Payload { msg: &ciphertext, aad: &aad(&self.label) })
            .map_err(|_| SyncError::SealBroken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn party(seed: u8) -> (SigningKey, String) {
        let k = SigningKey::from_bytes(&[seed; 32]);
        let p = URL_SAFE_NO_PAD.encode(k.verifying_key().to_bytes());
        (k, p)
    }

    fn agree(k: &SigningKey) -> impl FnOnce([u8; 32]) -> Result<[u8; 32], SyncError> + '_ {
        |e| Ok(MontgomeryPoint(e).mul_clamped(k.to_scalar_bytes()).to_bytes())
    }

    #[test]
    fn each_recipient_opens_and_nobody_else() {
        let (a, pa) = party(1);
        let (b, pb) = party(2);
        let (c, pc) = party(3);
        let s = seal("王小明 110101199003074512".as_bytes(), "一窗通数据", &[pa.clone(), pb.clone(), pa.clone()]).unwrap();
        assert_eq!(s.recipients.len(), 2, "a repeated recipient is wrapped once");
        assert!(!String::from_utf8_lossy(&s.to_bytes()).contains("王小明"));
        assert_eq!(s.open(&pa, agree(&a)).unwrap(), "王小明 110101199003074512".as_bytes());
        assert_eq!(s.open(&pb, agree(&b)).unwrap(), "王小明 110101199003074512".as_bytes());
        assert!(matches!(s.open(&pc, agree(&c)), Err(SyncError::NotForUs)));
        // Claiming to be a recipient without its secret fails.
        assert!(matches!(s.open(&pa, agree(&c)), Err(SyncError::SealBroken)));
    }

    #[test]
    fn any_change_is_caught() {
        let (a, pa) = party(7);
        let s = seal(b"body", "label", std::slice::from_ref(&pa)).unwrap();
        let mut t = s.clone();
        t.label = "other".into();
        assert!(matches!(t.open(&pa, agree(&a)), Err(SyncError::SealBroken)), "the label is bound");
        let mut t = s.clone();
        let mut ct = URL_SAFE_NO_PAD.decode(&t.ciphertext).unwrap();
        ct[0] ^= 1;
        t.ciphertext = URL_SAFE_NO_PAD.encode(ct);
        assert!(matches!(t.open(&pa, agree(&a)), Err(SyncError::SealBroken)));
        let mut t = s.clone();
        t.ephemeral = URL_SAFE_NO_PAD.encode([9u8; 32]);
        assert!(matches!(t.open(&pa, agree(&a)), Err(SyncError::SealBroken)));
        assert_eq!(Sealed::sniff(&s.to_bytes()), Some(s));
        assert_eq!(Sealed::sniff(br#"{"format":"yichuang-batch/2"}"#), None);
        assert_eq!(Sealed::sniff(b"\x00garbage"), None);
    }

    #[test]
    fn no_recipient_or_a_bad_key_is_refused() {
        assert!(seal(b"x", "l", &[]).is_err());
        assert!(matches!(seal(b"x", "l", &["not a key".into()]), Err(SyncError::BadKey)));
        // The identity point (small order) is not a key anyone could hold.
        let mut id = [0u8; 32];
        id[0] = 1;
        assert!(matches!(seal(b"x", "l", &[URL_SAFE_NO_PAD.encode(id)]), Err(SyncError::BadKey)));
    }
}
