//! HQ's documents sent down to the terminals (the catalogue, a year's holiday calendar): the
//! text as HQ published it, its version, and HQ's Ed25519 signature over both.

use base64::Engine;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::SyncError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedDocument {
    /// `catalogue` or `calendar`.
    pub kind: String,
    pub version: String,
    /// The document's text (the same JSON files the CLI imports).
    pub body: String,
    /// base64url Ed25519 signature over [`SignedDocument::message`].
    pub signature: String,
}

impl SignedDocument {
    /// What the signature covers.
    pub fn message(kind: &str, version: &str, body: &str) -> Vec<u8> {
        format!("yichuang-document/1\n{kind}\n{version}\n{body}").into_bytes()
    }

    /// Checks HQ's signature with the public key received at enrolment.
    pub fn verify(&self, hq_public_key: &str) -> Result<(), SyncError> {
        let bad = || SyncError::BadDocument(self.label());
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let key: [u8; 32] = engine.decode(hq_public_key.trim()).ok().and_then(|k| k.try_into().ok()).ok_or_else(bad)?;
        let key = VerifyingKey::from_bytes(&key).map_err(|_| bad())?;
        let sig: [u8; 64] = engine.decode(self.signature.trim()).ok().and_then(|s| s.try_into().ok()).ok_or_else(bad)?;
        key.verify(&Self::message(&self.kind, &self.version, &self.body), &Signature::from_bytes(&sig)).map_err(|_| bad())
    }

    fn label(&self) -> String {
        match self.kind.as_str() {
            "catalogue" => format!("事项目录（版本{}）", self.version),
            "calendar" => format!("节假日安排（{}）", self.version),
            k => format!("{k}（{}）", self.version),
        }
    }
}
