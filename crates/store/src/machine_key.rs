//! This PC's key: a secret kept outside every database file, in the user's own key folder
//! (`$YICHUANG_KEY_DIR`, else the platform's application data folder: `~/.local/share/yichuang/keys`
//! on Linux, `%APPDATA%\yichuang\keys` on Windows; 0700, files 0600).
//!
//! Two things a copied or edited database file must not give away are keyed with it:
//! - **the chain seal**: `chain_seal` holds an HMAC-SHA256 of the chain head (its number and
//!   hash), moved in the same transaction as every event. Re-chaining an inserted or edited
//!   event with sqlite3 gives a head whose seal nobody without the key can compute.
//! - **the PINs**: each stored Argon2id output is masked with an HMAC of its salt under the
//!   key. Without the key a copied database holds no value a guessed PIN can be checked
//!   against, so an offline search of the million 6-digit PINs has nothing to test; a hash
//!   planted with sqlite3 (a PIN the attacker knows) is not a masked one and never matches.
//!
//! A database records the id of the key that seals it. A centre's backup restored on another
//! PC needs that PC's key: `yichuang machine-key export` writes it (the head's PIN; kept apart from
//! the backups), `yichuang machine-key import` adds it to the other PC's key folder.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};
use crate::files;

const HEADER: &str = "yichuang-machine-key-v1";
const OWN: &str = "machine.key";
const SEALED: &str = "sealed-chains";

/// A 32-byte secret and its public id (the first 8 bytes of its SHA-256, in hex).
#[derive(Clone)]
pub struct MachineKey {
    id: String,
    bytes: [u8; 32],
}

impl std::fmt::Debug for MachineKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MachineKey({})", self.id)
    }
}

impl MachineKey {
    fn from_bytes(bytes: [u8; 32]) -> Self {
        let id = crate::events::hex(&Sha256::digest(bytes)[..8]);
        Self { id, bytes }
    }

    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?;
        Ok(Self::from_bytes(bytes))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key file's text: a header line and the key in base64url.
    pub fn to_text(&self) -> String {
        format!("{HEADER}\n{}\n", URL_SAFE_NO_PAD.encode(self.bytes))
    }

    /// Reads a key file's text, refusing anything else.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || StoreError::BadFile { what: "本机密钥", detail: "不是一窗通的密钥文件".into() };
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        if lines.next() != Some(HEADER) {
            return Err(bad());
        }
        let bytes: [u8; 32] =
            lines.next().and_then(|l| URL_SAFE_NO_PAD.decode(l).ok()).and_then(|b| b.try_into().ok()).ok_or_else(bad)?;
        if lines.next().is_some() {
            return Err(bad());
        }
        Ok(Self::from_bytes(bytes))
    }

    /// HMAC-SHA256 of `message` under this key, with `label` naming its use.
    pub(crate) fn mac(&self, label: &str, message: &[u8]) -> [u8; 32] {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.bytes).expect("HMAC takes any key length");
        m.update(label.as_bytes());
        m.update(&[0x1f]);
        m.update(message);
        m.finalize().into_bytes().into()
    }

    /// A secret of a database (the terminal's signing key, an enrolment's batch key) sealed under
    /// this key: `m1:` and, in base64url, a random 16-byte nonce, the text XORed with a keystream
    /// of HMACs of `what` it is (which secret of which database) and the nonce, and a 16-byte tag
    /// over all of it (encrypt, then MAC). Without this PC's key the file holds no usable secret;
    /// a sealed value edited, or moved to another row or database, does not open.
    pub(crate) fn seal_secret(&self, what: &str, secret: &str) -> Result<String> {
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?;
        let mut out = nonce.to_vec();
        out.extend(secret.bytes().zip(self.keystream(what, &nonce, secret.len())).map(|(a, b)| a ^ b));
        let tag = self.secret_tag(what, &out);
        out.extend_from_slice(&tag);
        Ok(format!("{SEALED_SECRET}{}", URL_SAFE_NO_PAD.encode(out)))
    }

    /// The secret [`MachineKey::seal_secret`] sealed; `None` for a value that is not one, does
    /// not open under this key or was changed.
    pub(crate) fn open_secret(&self, what: &str, stored: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD.decode(stored.strip_prefix(SEALED_SECRET)?).ok()?;
        if bytes.len() < 32 {
            return None;
        }
        let (body, tag) = bytes.split_at(bytes.len() - 16);
        let expected = self.secret_tag(what, body);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(&expected[..], tag)) {
            return None;
        }
        let (nonce, sealed) = body.split_at(16);
        let plain: Vec<u8> = sealed.iter().zip(self.keystream(what, nonce, sealed.len())).map(|(a, b)| a ^ b).collect();
        String::from_utf8(plain).ok()
    }

    fn keystream(&self, what: &str, nonce: &[u8], len: usize) -> Vec<u8> {
        (0u32..)
            .take(len.div_ceil(32))
            .flat_map(|i| {
                let mut m = format!("{what}\u{1f}{i}\u{1f}").into_bytes();
                m.extend_from_slice(nonce);
                self.mac("yichuang-secret", &m)
            })
            .take(len)
            .collect()
    }

    fn secret_tag(&self, what: &str, body: &[u8]) -> [u8; 16] {
        let mut m = format!("{what}\u{1f}").into_bytes();
        m.extend_from_slice(body);
        let full = self.mac("yichuang-secret-tag", &m);
        let mut tag = [0u8; 16];
        tag.copy_from_slice(&full[..16]);
        tag
    }

    /// The seal of the chain head `(seq, hash)`.
    pub(crate) fn seal(&self, seq: i64, hash: &str) -> String {
        crate::events::hex(&self.mac("yichuang-chain-seal", format!("{seq}\u{1f}{hash}").as_bytes()))
    }
}

/// How a sealed secret begins.
pub(crate) const SEALED_SECRET: &str = "m1:";

/// The folder of this PC's keys: its own (`machine.key`) and any imported from another PC
/// (`<id>.key`).
#[derive(Debug, Clone)]
pub struct Keyring {
    dir: PathBuf,
}

impl Keyring {
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// `$YICHUANG_KEY_DIR`, else the platform's application data folder for this user.
    pub fn locate() -> Result<Self> {
        if let Some(d) = std::env::var_os("YICHUANG_KEY_DIR").filter(|d| !d.is_empty()) {
            return Ok(Self::at(PathBuf::from(d)));
        }
        let base = files::app_data_dir().ok_or_else(|| StoreError::Rule("找不到本机用户的数据文件夹（HOME或APPDATA未设置），无法保存本机密钥".into()))?;
        Ok(Self::at(base.join("keys")))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// This PC's own key, made on first use. Two programs starting at once agree on one: the
    /// key is written whole under a private name and linked into place only if none is there.
    pub fn own(&self) -> Result<MachineKey> {
        let path = self.dir.join(OWN);
        if let Some(k) = read_key(&path)? {
            return Ok(k);
        }
        files::private_dir(&self.dir)?;
        let key = MachineKey::generate()?;
        let tmp = self.dir.join(format!(".{OWN}.{}-{}", std::process::id(), key.id));
        files::write_private(&tmp, key.to_text().as_bytes())?;
        let linked = std::fs::hard_link(&tmp, &path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => {
                if let Ok(d) = std::fs::File::open(&self.dir) {
                    let _ = d.sync_all();
                }
                Ok(key)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                read_key(&path)?.ok_or_else(|| StoreError::Rule("本机密钥文件无法读取".into()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The key with `id`: this PC's own, or one imported.
    pub fn find(&self, id: &str) -> Result<Option<MachineKey>> {
        let own = self.own()?;
        if own.id == id {
            return Ok(Some(own));
        }
        if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        Ok(read_key(&self.dir.join(format!("{id}.key")))?.filter(|k| k.id == id))
    }

    /// The chains this PC's keys have sealed, by the hash of their first event, with the head
    /// each was first sealed at: a database whose seal was stripped (its schema version set back
    /// to before the seal) is not sealed afresh over a head at or past that point.
    /// Also the head's hash there, when recorded: the very state that was sealed may be sealed
    /// again (the backup the migration took just before it).
    pub fn sealed_at(&self, origin: &str) -> Option<(i64, Option<String>)> {
        std::fs::read_to_string(self.dir.join(SEALED)).ok()?.lines().find_map(|l| {
            let mut f = l.split_whitespace();
            (f.next()? == origin).then_some(())?;
            let seq = f.next()?.parse().ok()?;
            Some((seq, f.next().map(str::to_owned)))
        })
    }

    /// Records that the chain starting with `origin` was first sealed at head `seq` (hash `head`).
    pub fn record_sealed(&self, origin: &str, seq: i64, head: &str) -> Result<()> {
        if origin.is_empty() || self.sealed_at(origin).is_some() {
            return Ok(());
        }
        use std::io::Write;
        files::private_dir(&self.dir)?;
        let mut o = std::fs::OpenOptions::new();
        o.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let mut f = o.open(self.dir.join(SEALED))?;
        f.write_all(format!("{origin} {seq} {head}\n").as_bytes())?;
        f.sync_all()?;
        Ok(())
    }

    /// Adds another PC's key (from `yichuang machine-key export`); returns its id.
    pub fn import(&self, text: &str) -> Result<String> {
        let key = MachineKey::parse(text)?;
        if self.find(&key.id)?.is_some() {
            return Ok(key.id);
        }
        files::private_dir(&self.dir)?;
        files::write_private(&self.dir.join(format!("{}.key", key.id)), key.to_text().as_bytes())?;
        Ok(key.id)
    }
}

fn read_key(path: &Path) -> Result<Option<MachineKey>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let _ = files::private_file(path);
            MachineKey::parse(&text).map(Some)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_sealed_secret_opens_only_as_it_was_sealed_here() {
        let k = super::MachineKey::generate().unwrap();
        let a = k.seal_secret("terminal\u{1f}x\u{1f}o", "secret-text").unwrap();
        let b = k.seal_secret("terminal\u{1f}x\u{1f}o", "secret-text").unwrap();
        assert!(a.starts_with("m1:") && a != b, "a fresh nonce each time");
        assert_eq!(k.open_secret("terminal\u{1f}x\u{1f}o", &a).as_deref(), Some("secret-text"));
        // Another row or database, another PC's key, an edited value, a plain one: nothing.
        assert_eq!(k.open_secret("terminal\u{1f}y\u{1f}o", &a), None);
        assert_eq!(super::MachineKey::generate().unwrap().open_secret("terminal\u{1f}x\u{1f}o", &a), None);
        let mut edited = a.clone().into_bytes();
        let i = edited.len() - 20;
        edited[i] = if edited[i] == b'A' { b'B' } else { b'A' };
        assert_eq!(k.open_secret("terminal\u{1f}x\u{1f}o", &String::from_utf8(edited).unwrap()), None);
        assert_eq!(k.open_secret("terminal\u{1f}x\u{1f}o", "secret-text"), None);
    }

    use super::*;

    #[test]
    fn a_key_file_reads_back_as_the_same_key_and_nothing_else_is_a_key() {
        let k = MachineKey::generate().unwrap();
        let back = MachineKey::parse(&k.to_text()).unwrap();
        assert_eq!(back.id(), k.id());
        assert_eq!(back.seal(3, "ab"), k.seal(3, "ab"));
        assert_ne!(MachineKey::generate().unwrap().seal(3, "ab"), k.seal(3, "ab"));
        for bad in ["", "yichuang-machine-key-v1\n", "yichuang-machine-key-v1\nAAAA\n", "hello\nworld", &format!("{}extra\n", k.to_text())] {
            assert!(MachineKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_own_key_is_made_once_private_and_imports_are_found_by_id() {
        let dir = tempfile::tempdir().unwrap();
        let ring = Keyring::at(dir.path().join("keys"));
        let a = ring.own().unwrap();
        assert_eq!(ring.own().unwrap().id(), a.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir.path().join("keys")), 0o700);
            assert_eq!(mode(&dir.path().join("keys/machine.key")), 0o600);
        }
        let other = MachineKey::generate().unwrap();
        assert!(ring.find(other.id()).unwrap().is_none());
        assert_eq!(ring.import(&other.to_text()).unwrap(), other.id());
        assert_eq!(ring.find(other.id()).unwrap().unwrap().seal(1, "x"), other.seal(1, "x"));
        assert!(ring.find("../machine").unwrap().is_none());
    }
}
