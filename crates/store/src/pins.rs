//! Staff PINs: Argon2id with a random salt, 6 to 12 digits, and wrong PINs counted in the
//! database with a lockout that doubles (each wrong PIN an event), at sign-in and at a head's
//! approval alike. A PIN is changed by its owner or reset by the head.

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, FixedOffset};
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};
use yichuang_events as ev;
use yichuang_events::Event;

use crate::error::{Result, StoreError};
use crate::{MachineKey, Staff, Store};

/// Wrong PINs in a row before the account locks.
pub const FREE_ATTEMPTS: u32 = 5;
const FIRST_LOCK_SECS: i64 = 30;
const LONGEST_LOCK_SECS: i64 = 3600;

/// Argon2id as OWASP recommends at least (19 MiB, 2 passes, 1 lane): about 30 ms here, so a
/// sign-in stays instant while each guess against a copied database costs the same.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The rule for a PIN people choose: 6 to 12 digits.
pub fn pin_rule(pin: &str) -> Result<()> {
    let p = pin.trim();
    if !(6..=12).contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(StoreError::WeakPin);
    }
    Ok(())
}

/// Stored PINs are masked with this PC's key (see [`crate::machine_key`]): `k2` before an
/// Argon2id PHC string whose hash is XORed with an HMAC, under the key, of whose PIN it is
/// (the staff id and the database's first event) and of its salt, so that a hash copied onto
/// another staff member or into another database on this PC matches nothing; `k0$` before an
/// old SHA-256 hex digest XORed likewise (replaced at its owner's next sign-in). `k1` was the
/// first form (the salt alone), rebound by migration 12.
const MASKED: &str = "k2";
const UNBOUND: &str = "k1";
const MASKED_OLD: &str = "k0$";

fn xor(a: &[u8], b: &[u8; 32]) -> Vec<u8> {
    a.iter().zip(b.iter().cycle()).map(|(x, y)| x ^ y).collect()
}

/// Whose PIN a stored hash is: `id` of the database whose first event's hash is `chain`.
pub(crate) fn owner(id: &str, chain: &str) -> String {
    format!("{id}\u{1f}{chain}")
}

fn salt_mask(key: &MachineKey, who: &str, salt: &str) -> [u8; 32] {
    key.mac("yichuang-pin-2", format!("{who}\u{1f}{salt}").as_bytes())
}

fn with_hash(h: &PasswordHash<'_>, bytes: &[u8]) -> Option<String> {
    let mut h = h.clone();
    h.hash = Some(argon2::password_hash::Output::new(bytes).ok()?);
    Some(format!("{MASKED}{h}"))
}

/// Masks the hash in a PHC string with the key, for `who`.
fn mask_phc(h: &PasswordHash<'_>, key: &MachineKey, who: &str) -> Option<String> {
    let salt = h.salt?;
    let out = h.hash?;
    with_hash(h, &xor(out.as_bytes(), &salt_mask(key, who, salt.as_str())))
}

/// A stored hash from before the key, masked (`None` when it already is, or is no hash).
pub(crate) fn mask_stored(id: &str, stored: &str, key: &MachineKey, who: &str) -> Option<String> {
    if is_masked(stored) || stored.starts_with(UNBOUND) {
        return None;
    }
    if let Ok(h) = PasswordHash::new(stored) {
        return mask_phc(&h, key, who);
    }
    let bytes = (0..stored.len() / 2).map(|i| u8::from_str_radix(stored.get(2 * i..2 * i + 2)?, 16).ok()).collect::<Option<Vec<u8>>>()?;
    (bytes.len() == 32).then(|| format!("{MASKED_OLD}{}", crate::events::hex(&xor(&bytes, &key.mac("yichuang-pin-old", id.as_bytes())))))
}

/// A `k1` hash (masked with the salt alone) bound to `who` as `k2`.
pub(crate) fn rebind(stored: &str, key: &MachineKey, who: &str) -> Option<String> {
    let h = PasswordHash::new(stored.strip_prefix(UNBOUND)?).ok()?;
    let (salt, out) = (h.salt?, h.hash?);
    let raw = xor(out.as_bytes(), &key.mac("yichuang-pin", salt.as_str().as_bytes()));
    with_hash(&h, &xor(&raw, &salt_mask(key, who, salt.as_str())))
}

/// Whether `stored` is masked with a key (anything else was not written by this program).
pub(crate) fn is_masked(stored: &str) -> bool {
    stored.starts_with(MASKED_OLD) || stored.strip_prefix(MASKED).is_some_and(|s| s.starts_with('$'))
}

/// A new Argon2id hash of `pin` with a fresh random salt, masked with the key for `who`.
pub(crate) fn hash_pin(pin: &str, key: &MachineKey, who: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Rule(format!("密码加密失败：{e}")))?;
    let h = argon2().hash_password(pin.trim().as_bytes(), &salt).map_err(|e| StoreError::Rule(format!("密码加密失败：{e}")))?;
    mask_phc(&h, key, who).ok_or_else(|| StoreError::Rule("密码加密失败".into()))
}

/// Whether `pin` matches `stored` (the PIN of `who`), and whether `stored` is an old SHA-256
/// hash to replace. A hash not masked with the key for `who` never matches: it was planted
/// with another tool, or copied from another staff member or database.
fn matches(stored: &str, id: &str, pin: &str, key: &MachineKey, who: &str) -> (bool, bool) {
    use subtle::ConstantTimeEq;
    if let Some(old) = stored.strip_prefix(MASKED_OLD) {
        let digest = Sha256::digest(format!("yichuang-pin\u{1f}{id}\u{1f}{}", pin.trim()).as_bytes());
        let masked = crate::events::hex(&xor(&digest, &key.mac("yichuang-pin-old", id.as_bytes())));
        return (bool::from(masked.as_bytes().ct_eq(old.as_bytes())), true);
    }
    let Some(h) = stored.strip_prefix(MASKED).and_then(|s| PasswordHash::new(s).ok()) else {
        return (false, false);
    };
    let (Some(salt), Some(want)) = (h.salt, h.hash) else {
        return (false, false);
    };
    let Ok(got) = argon2().hash_password(pin.trim().as_bytes(), salt) else {
        return (false, false);
    };
    let Some(out) = got.hash else {
        return (false, false);
    };
    let masked = xor(out.as_bytes(), &salt_mask(key, who, salt.as_str()));
    (bool::from(masked.as_slice().ct_eq(want.as_bytes())), false)
}

fn wait_text(secs: i64) -> String {
    if secs >= 60 {
        format!("{}分钟", (secs + 59) / 60)
    } else {
        format!("{secs}秒")
    }
}

/// The hash of a database's first event (its own stream), which binds its PINs to it.
pub(crate) fn chain_origin(conn: &rusqlite::Connection) -> Result<String> {
    Ok(conn.query_row("SELECT hash FROM event WHERE seq = 1", [], |r| r.get(0)).optional()?.unwrap_or_default())
}

impl Store {
    /// Whose PIN the stored hash of staff member `id` is, in this database.
    pub(crate) fn pin_owner(&self, id: &str) -> Result<String> {
        Ok(owner(id.trim(), &chain_origin(self.connection())?))
    }

    /// Signs a staff member in: refused while locked, and each wrong PIN counted.
    pub fn sign_in(&mut self, id: &str, pin: &str, now: DateTime<FixedOffset>) -> Result<Staff> {
        self.check_pin(id, pin, now)?;
        let staff = self.staff(id.trim())?;
        if !staff.active {
            return Err(StoreError::InactiveStaff(staff.name));
        }
        Ok(staff)
    }

    /// Checks `pin` for staff member `id` (sign-in, or a head approving at the counter). A
    /// wrong PIN is counted and recorded; from the fifth in a row the account is locked.
    pub fn check_pin(&mut self, id: &str, pin: &str, now: DateTime<FixedOffset>) -> Result<()> {
        let id = id.trim();
        let row: Option<(Option<String>, u32, Option<String>, String)> = self
            .connection()
            .query_row("SELECT pin_hash, failed_attempts, locked_until, name FROM staff WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        // An unknown id is told the same as a wrong PIN.
        let Some((stored, failed, locked_until, name)) = row else {
            return Err(StoreError::BadPin { hint: String::new() });
        };
        if let Some(until) = locked_until.as_deref().and_then(|u| DateTime::parse_from_rfc3339(u).ok()) {
            let left = (until - now).num_seconds();
            if left > 0 {
                return Err(StoreError::PinLocked { name, wait: wait_text(left) });
            }
        }
        let who = self.pin_owner(id)?;
        let (ok, legacy) = stored.as_deref().map_or((false, false), |s| matches(s, id, pin, &self.key, &who));
        // A damaged file takes no writes: wrong PINs are counted beside it, and from the fifth
        // the account stays locked until the centre is restored.
        if self.damaged().is_some() {
            let counts = crate::damaged_attempts(self.path());
            let n = counts.get(id).copied().unwrap_or(0);
            if n >= FREE_ATTEMPTS {
                return Err(StoreError::PinLocked { name, wait: "数据库恢复之后".into() });
            }
            if ok {
                return Ok(());
            }
            crate::count_damaged_attempt(self.path(), id, n + 1);
            return Err(StoreError::BadPin { hint: format!("（再错{}次将锁定至数据库恢复）", FREE_ATTEMPTS.saturating_sub(n + 1)) });
        }
        if ok {
            if failed > 0 || legacy {
                let rehash = if legacy { Some(hash_pin(pin, &self.key, &self.pin_owner(id)?)?) } else { None };
                self.write(id, now, |w| {
                    w.tx.execute("UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE id = ?1", [id])?;
                    if let Some(h) = &rehash {
                        w.tx.execute("UPDATE staff SET pin_hash = ?2 WHERE id = ?1", params![id, h])?;
                        w.event(id, Event::PinSet(ev::PinSet { reason: "rehashed".into(), by: id.to_owned() }))?;
                    }
                    Ok(())
                })?;
            }
            return Ok(());
        }
        let attempts = failed + 1;
        let lock = (attempts >= FREE_ATTEMPTS).then(|| {
            let secs = (FIRST_LOCK_SECS << (attempts - FREE_ATTEMPTS).min(10)).min(LONGEST_LOCK_SECS);
            (secs, (now + chrono::Duration::seconds(secs)).to_rfc3339())
        });
        self.write(id, now, |w| {
            w.tx.execute(
                "UPDATE staff SET failed_attempts = ?2, locked_until = ?3 WHERE id = ?1",
                params![id, attempts, lock.as_ref().map(|(_, u)| u.clone())],
            )?;
            w.event(id, Event::SignInFailed(ev::SignInFailed { attempts, locked_until: lock.as_ref().map(|(_, u)| u.clone()) }))?;
            Ok(())
        })?;
        Err(match lock {
            Some((secs, _)) => StoreError::PinLocked { name, wait: wait_text(secs) },
            None => StoreError::BadPin { hint: format!("（再错{}次将暂时锁定）", FREE_ATTEMPTS - attempts) },
        })
    }

    /// A staff member changes their own PIN, proving the old one.
    pub fn change_pin(&mut self, id: &str, old: &str, new: &str, now: DateTime<FixedOffset>) -> Result<()> {
        pin_rule(new)?;
        self.check_pin(id, old, now)?;
        let hash = hash_pin(new, &self.key, &self.pin_owner(id.trim())?)?;
        let id = id.trim();
        self.write(id, now, |w| {
            w.tx.execute("UPDATE staff SET pin_hash = ?2, failed_attempts = 0, locked_until = NULL WHERE id = ?1", params![id, hash])?;
            w.event(id, Event::PinSet(ev::PinSet { reason: "changed".into(), by: id.to_owned() }))?;
            Ok(())
        })
    }

    /// The head sets a new PIN for a staff member (a forgotten PIN, a locked account).
    pub fn reset_pin(&mut self, head: &str, id: &str, new: &str, now: DateTime<FixedOffset>) -> Result<()> {
        let head = self.require_head(head, "重置密码")?;
        pin_rule(new)?;
        let staff = self.staff(id.trim())?;
        let hash = hash_pin(new, &self.key, &self.pin_owner(&staff.id)?)?;
        self.write(&head.id, now, |w| {
            w.tx.execute("UPDATE staff SET pin_hash = ?2, failed_attempts = 0, locked_until = NULL WHERE id = ?1", params![staff.id, hash])?;
            w.event(&staff.id, Event::PinSet(ev::PinSet { reason: "reset".into(), by: head.id.clone() }))?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_six_to_twelve_digits_and_hashed_with_a_salt() {
        for bad in ["1234", "12345", "1234567890123", "12345a", " ", "１２３４５６"] {
            assert!(pin_rule(bad).is_err(), "{bad}");
        }
        pin_rule("123456").unwrap();
        let key = MachineKey::generate().unwrap();
        let who = owner("demo", "chain-a");
        let (a, b) = (hash_pin("123456", &key, &who).unwrap(), hash_pin("123456", &key, &who).unwrap());
        assert!(a.starts_with("k2$argon2id$") && a != b, "{a} {b}");
        assert_eq!(matches(&a, "demo", "123456", &key, &who), (true, false));
        assert_eq!(matches(&a, "demo", "123457", &key, &who), (false, false));
        // Another PC's key (or none) cannot check a guess against the stored value.
        assert_eq!(matches(&a, "demo", "123456", &MachineKey::generate().unwrap(), &who), (false, false));
        // Copied onto another staff member, or into another database on this PC: no match.
        assert_eq!(matches(&a, "head", "123456", &key, &owner("head", "chain-a")), (false, false));
        assert_eq!(matches(&a, "demo", "123456", &key, &owner("demo", "chain-b")), (false, false));
        // The stored hash is not the plain Argon2id output of the right PIN with its salt.
        let plain = PasswordHash::new(a.strip_prefix("k2").unwrap()).unwrap();
        let unmasked = argon2().hash_password(b"123456", plain.salt.unwrap()).unwrap();
        assert_ne!(unmasked.hash, plain.hash);
        // A plain hash planted with another tool never matches, and is not taken as masked.
        let planted = unmasked.to_string();
        assert!(!is_masked(&planted));
        assert_eq!(matches(&planted, "demo", "123456", &key, &who), (false, false));
        // Hashes from before the key are masked without their PINs, and still match.
        let masked = mask_stored("demo", &planted, &key, &who).unwrap();
        assert_eq!(matches(&masked, "demo", "123456", &key, &who), (true, false));
        let old = crate::events::hex(&Sha256::digest("yichuang-pin\u{1f}demo\u{1f}1234".as_bytes()));
        let old_masked = mask_stored("demo", &old, &key, &who).unwrap();
        assert!(is_masked(&old_masked) && !old_masked.contains(&old));
        assert_eq!(matches(&old_masked, "demo", "1234", &key, &who), (true, true));
        assert_eq!(matches(&old_masked, "demo", "1235", &key, &who), (false, true));
        assert_eq!(mask_stored("demo", &masked, &key, &who), None);
        // The first masked form (salt alone) is rebound to its owner and still matches.
        let h = PasswordHash::new(&planted).unwrap();
        let k1 = format!("k1{}", {
            let mut h2 = h.clone();
            let m = xor(h.hash.unwrap().as_bytes(), &key.mac("yichuang-pin", h.salt.unwrap().as_str().as_bytes()));
            h2.hash = Some(argon2::password_hash::Output::new(&m).unwrap());
            h2
        });
        assert!(!is_masked(&k1));
        let k2 = rebind(&k1, &key, &who).unwrap();
        assert_eq!(matches(&k2, "demo", "123456", &key, &who), (true, false));
        assert_eq!(wait_text(30), "30秒");
        assert_eq!(wait_text(3600), "60分钟");
    }
}
