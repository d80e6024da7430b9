//! The terminal's signing key and the signatures in documents' QR codes.
//!
//! QR text: `YC2|<document, ASCII form>|<case number or empty>|<key id>|<digest>|<signature>`,
//! where the digest is the first 16 bytes of SHA-256 over the document's frozen body as stored
//! (its canonical JSON: keys sorted, no spaces — so a program with more fields in its
//! [`crate::DocumentBody`] computes the same digest) and the signature is Ed25519
//! over everything before the last `|`, both in base64url without padding. A changed name,
//! decision or date no longer matches the digest. Codes of the first version (`YC1`, without
//! the digest) printed before still verify, marked as binding the number only.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, FixedOffset};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rusqlite::{params, OptionalExtension};
use yichuang_events as ev;
use yichuang_events::Event;
use yichuang_core::DocumentNumber;

use crate::error::{Result, StoreError};
use crate::Store;

/// What checking a QR text found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrVerdict {
    /// The signature is good; `held` is the document as this database holds it (what the
    /// genuine paper says, to compare), `voided` whether it was voided here; `binds_content`
    /// is false for a first-version code, which signs the number only.
    Genuine {
        document: String,
        case: Option<String>,
        key_id: String,
        held: Option<Box<crate::DocumentRecord>>,
        voided: Option<String>,
        binds_content: bool,
    },
    /// The signature is good but the content it binds is not what was offered (the document
    /// file given, or the body this database holds): a genuine code on a changed document.
    ContentDiffers { document: String },
    /// Well-formed, but signed by a terminal whose key this database does not know.
    UnknownKey { key_id: String },
    /// The signature does not match: altered or forged.
    Forged,
    /// Not a 一窗通 document code.
    Malformed,
}

/// A base64url Ed25519 public key, checked to be one.
pub(crate) fn parse_public_key(text: &str, what: &'static str) -> Result<VerifyingKey> {
    URL_SAFE_NO_PAD
        .decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .filter(|k| !k.is_weak())
        .ok_or(StoreError::BadFile { what, detail: "不是有效的公钥（应为43个字符的base64url）".into() })
}

/// The digest a QR code binds: the first 16 bytes of SHA-256 over the body's canonical JSON
/// (serde_json's maps keep their keys sorted).
pub fn body_digest(body: &serde_json::Value) -> String {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(&Sha256::digest(&bytes)[..16])
}

impl Store {
    /// A document's frozen body exactly as stored (not as this program's struct would write it).
    pub fn document_body_json(&self, number: &str) -> Result<serde_json::Value> {
        let parsed = DocumentNumber::parse(number)?;
        let text: String = self
            .connection()
            .query_row("SELECT body FROM document WHERE number = ?1", [parsed.to_string()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::UnknownDocument(parsed.to_string()))?;
        serde_json::from_str(&text).map_err(|e| StoreError::BadFile { what: "文书", detail: crate::json_reason(&e) })
    }

    /// This terminal's key id: `<centre code>-<terminal>`.
    pub fn key_id(&self) -> Result<String> {
        let c = self.centre()?;
        Ok(format!("{}-{}", c.code, c.terminal))
    }

    /// The terminal's signing key, created (with its event) on first use.
    pub(crate) fn signing_key(&mut self, now: DateTime<FixedOffset>) -> Result<SigningKey> {
        let key_id = self.key_id()?;
        match self.terminal_secret() {
            Err(StoreError::NotFound(_)) => {}
            held => return held,
        }
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?;
        let key = SigningKey::from_bytes(&seed);
        let public = URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes());
        self.write("system", now, |w| {
            // Sealed under this PC's key: the file alone holds no usable signing key.
            let sealed = w.key.seal_secret(&secret_context(w.tx, "terminal", &key_id)?, &URL_SAFE_NO_PAD.encode(seed))?;
            w.tx.execute(
                "INSERT INTO terminal_key (key_id, public_key, secret_key, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![key_id, public, sealed, w.now_text()],
            )?;
            w.event(&key_id, Event::TerminalKey(ev::TerminalKey { key_id: key_id.clone(), public_key: public.clone() }))?;
            Ok(())
        })?;
        Ok(key)
    }

    /// This terminal's Ed25519 public key (base64url), if it has one yet.
    pub fn terminal_public_key(&self) -> Result<Option<String>> {
        Ok(self
            .connection()
            .query_row("SELECT public_key FROM terminal_key WHERE key_id = ?1 AND secret_key IS NOT NULL", [self.key_id()?], |r| r.get(0))
            .optional()?)
    }

    /// Signs `message` with this terminal's key (an export file made before any enrolment):
    /// the signature in base64url. The secret never leaves the store.
    pub fn sign_as_terminal(&self, message: &[u8]) -> Result<String> {
        Ok(URL_SAFE_NO_PAD.encode(self.terminal_secret()?.sign(message).to_bytes()))
    }

    /// A secret of this database as stored, opened with this PC's key. A plain value is taken
    /// only from a file not yet at migration 20 (opened read-only, never migrated); after it, a
    /// plain value was put there behind the program's back.
    pub(crate) fn open_secret(&self, kind: &str, id: &str, stored: &str) -> Result<String> {
        let tampered = || StoreError::BadFile { what: "数据库中的密钥", detail: "无法用本机密钥解开（数据库被绕过程序改动过）".into() };
        if !stored.starts_with(crate::machine_key::SEALED_SECRET) {
            return if crate::user_version(self.connection())? < crate::SECRETS_MIGRATION as i64 { Ok(stored.to_owned()) } else { Err(tampered()) };
        }
        self.key.open_secret(&secret_context(self.connection(), kind, id)?, stored).ok_or_else(tampered)
    }

    /// The terminal's secret key as stored; it never leaves the store.
    fn terminal_secret(&self) -> Result<SigningKey> {
        let key_id = self.key_id()?;
        let row: Option<(String, Option<String>)> = self
            .connection()
            .query_row("SELECT public_key, secret_key FROM terminal_key WHERE key_id = ?1", [&key_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((public, Some(stored))) = row else { return Err(StoreError::NotFound("本终端的签名密钥".into())) };
        let bytes: [u8; 32] = URL_SAFE_NO_PAD
            .decode(self.open_secret("terminal", &key_id, &stored)?)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(StoreError::BadFile { what: "终端密钥", detail: "密钥长度不对".into() })?;
        let key = SigningKey::from_bytes(&bytes);
        // The secret opened must be the half of the public key the centre knows.
        if URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes()) != public {
            return Err(StoreError::BadFile { what: "终端密钥", detail: "与本终端登记的公钥不符（数据库被绕过程序改动过）".into() });
        }
        Ok(key)
    }

    /// X25519 agreement of this terminal's key with `their` point (a sealed file's or a LAN
    /// answer's ephemeral key): the shared secret, never the key, leaves the store. Refuses a
    /// point of small order, which would make the secret known to anyone.
    pub fn agree_as_terminal(&self, their: [u8; 32]) -> Result<[u8; 32]> {
        let scalar = self.terminal_secret()?.to_scalar_bytes();
        let shared = curve25519_dalek::MontgomeryPoint(their).mul_clamped(scalar).to_bytes();
        if shared == [0u8; 32] {
            return Err(StoreError::BadFile { what: "加密文件", detail: "密钥无效".into() });
        }
        Ok(shared)
    }

    /// The QR text of a stored document, signed with this terminal's key over its number and
    /// the digest of its frozen body.
    pub fn document_qr(&mut self, number: &str, now: DateTime<FixedOffset>) -> Result<String> {
        let doc = self.document(number)?;
        let ascii = DocumentNumber::parse(&doc.number)?.ascii();
        let key = self.signing_key(now)?;
        let digest = body_digest(&self.document_body_json(&doc.number)?);
        let message = format!("YC2|{}|{}|{}|{digest}", ascii, doc.case_number.unwrap_or_default(), self.key_id()?);
        let sig = URL_SAFE_NO_PAD.encode(key.sign(message.as_bytes()).to_bytes());
        Ok(format!("{message}|{sig}"))
    }

    /// Records another terminal's public key (as HQ distributes them).
    pub fn add_known_key(&mut self, key_id: &str, public_key: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<()> {
        let bytes: [u8; 32] = URL_SAFE_NO_PAD
            .decode(public_key.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(StoreError::BadFile { what: "终端公钥", detail: "应为32字节的base64url".into() })?;
        VerifyingKey::from_bytes(&bytes).map_err(|_| StoreError::BadFile { what: "终端公钥", detail: "不是有效的Ed25519公钥".into() })?;
        self.write(actor, now, |w| {
            let n = w.tx.execute(
                "INSERT INTO terminal_key (key_id, public_key, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (key_id) DO NOTHING",
                params![key_id.trim(), public_key.trim(), w.now_text()],
            )?;
            if n == 1 {
                w.event(
                    key_id.trim(),
                    Event::TerminalKnownKey(ev::TerminalKey { key_id: key_id.trim().to_owned(), public_key: public_key.trim().to_owned() }),
                )?;
            }
            Ok(())
        })
    }

    /// Checks a QR text read from a printed document; with `offered`, the document as it was
    /// presented (its body), which must be the one the code was signed for.
    pub fn verify_qr(&self, text: &str) -> Result<QrVerdict> {
        self.verify_qr_against(text, None)
    }

    pub fn verify_qr_against(&self, text: &str, offered: Option<&serde_json::Value>) -> Result<QrVerdict> {
        let text = text.trim();
        if text.len() > 512 {
            return Ok(QrVerdict::Malformed);
        }
        let Some((message, sig)) = text.rsplit_once('|') else { return Ok(QrVerdict::Malformed) };
        let parts: Vec<&str> = message.split('|').collect();
        let digest = match (parts.first().copied(), parts.len()) {
            (Some("YC1"), 4) => None,
            (Some("YC2"), 5) if parts[4].len() == 22 => Some(parts[4]),
            _ => return Ok(QrVerdict::Malformed),
        };
        if DocumentNumber::parse(parts[1]).is_err() {
            return Ok(QrVerdict::Malformed);
        }
        let key_id = parts[3].to_owned();
        let Some(sig) = URL_SAFE_NO_PAD.decode(sig).ok().and_then(|b| <[u8; 64]>::try_from(b).ok()) else {
            return Ok(QrVerdict::Malformed);
        };
        let public: Option<String> =
            self.connection().query_row("SELECT public_key FROM terminal_key WHERE key_id = ?1", [&key_id], |r| r.get(0)).optional()?;
        let Some(public) = public else { return Ok(QrVerdict::UnknownKey { key_id }) };
        let Some(key) = URL_SAFE_NO_PAD
            .decode(public)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        else {
            return Ok(QrVerdict::UnknownKey { key_id });
        };
        if key.verify(message.as_bytes(), &Signature::from_bytes(&sig)).is_err() {
            return Ok(QrVerdict::Forged);
        }
        let document = DocumentNumber::parse(parts[1])?.to_string();
        let held = self.document(&document).ok();
        if let Some(digest) = digest {
            let differs = |body: &serde_json::Value| body_digest(body) != digest;
            let held_body = match &held {
                Some(_) => Some(self.document_body_json(&document)?),
                None => None,
            };
            if offered.is_some_and(differs) || held_body.as_ref().is_some_and(differs) {
                return Ok(QrVerdict::ContentDiffers { document });
            }
        }
        Ok(QrVerdict::Genuine {
            case: (!parts[2].is_empty()).then(|| parts[2].to_owned()),
            key_id,
            voided: held.as_ref().and_then(|d| d.void_reason.clone()),
            held: held.map(Box::new),
            binds_content: digest.is_some(),
            document,
        })
    }
}

/// What a sealed secret is: which kind, whose, and of which database (its first event), so a
/// sealed value copied onto another row or into another database opens to nothing usable.
pub(crate) fn secret_context(conn: &rusqlite::Connection, kind: &str, id: &str) -> Result<String> {
    Ok(format!("{kind}\u{1f}{id}\u{1f}{}", crate::pins::chain_origin(conn)?))
}
