//! Enrolment: HQ staff make a one-time code for a centre; the terminal trades it for its
//! stream id and HMAC key. After a restore from backup a terminal proves itself with its old
//! key and gets a new stream.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, State};
use axum::Json;
use deadpool_postgres::GenericClient;
use yichuang_sync::client::{enrol_message, hmac_b64, reenrol_message, verify_ed25519, EnrolRequest, EnrolResponse, ReenrolRequest};

use crate::{documents, random_b64, AppState, HqError};

/// The symbols of a code: Crockford's base32, without I, L, O and U, which a head would
/// mistake for 1, 1, 0 and V.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Symbols in a code: 16 × 5 = 80 random bits.
pub const CODE_SYMBOLS: usize = 16;
/// Wrong codes named for a centre before its open codes are burnt.
pub const BURN_AFTER: i32 = 5;
/// The longest a code may be valid.
pub const MAX_HOURS: i32 = 168;

/// A fresh code of 80 random bits, as a head types it: four groups of four.
pub fn new_code() -> String {
    let mut b = [0u8; 10];
    getrandom::fill(&mut b).expect("the system's random source");
    let bits = b.iter().fold(0u128, |a, x| (a << 8) | u128::from(*x));
    let symbols: Vec<char> = (0..CODE_SYMBOLS).map(|i| ALPHABET[((bits >> (5 * (CODE_SYMBOLS - 1 - i))) & 31) as usize] as char).collect();
    symbols.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// A code as typed: case, spaces and hyphens do not matter, and O, I, L read as 0, 1, 1.
/// `None` for anything that cannot be a code.
pub fn normalise(typed: &str) -> Option<String> {
    let s: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{3000}'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    (s.len() == CODE_SYMBOLS && s.bytes().all(|b| ALPHABET.contains(&b))).then_some(s)
}

/// What HQ keeps of a code: its SHA-256, so that a copy of the database enrols nobody.
fn code_hash(normalised: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(format!("yichuang-enrol-code/1\n{normalised}").as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Makes a one-time enrolment code for `centre` (registering the centre if new), valid for
/// `hours` (1 to 168).
pub async fn make_code(client: &impl GenericClient, centre: &str, name: &str, hours: i32) -> Result<String, HqError> {
    if centre.len() != 9 || !centre.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HqError::BadRequest(format!("中心代码“{centre}”应为9位数字")));
    }
    if !(1..=MAX_HOURS).contains(&hours) {
        return Err(HqError::BadRequest(format!("登记码有效期应为1至{MAX_HOURS}小时")));
    }
    client
        .execute(
            "INSERT INTO centre (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = CASE WHEN $2 = '' THEN centre.name ELSE $2 END",
            &[&centre, &name],
        )
        .await?;
    let code = new_code();
    let hash = code_hash(&normalise(&code).unwrap_or_default());
    client
        .execute(
            "INSERT INTO enrol_code (code, centre_code, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3))",
            &[&hash, &centre, &hours],
        )
        .await?;
    Ok(code)
}

/// Wrong codes counted in memory, per address and for the whole server: only a wrong code
/// helps someone guessing, so only wrong codes are counted.
#[derive(Debug, Default)]
pub struct EnrolGuard {
    state: std::sync::Mutex<GuardState>,
}

#[derive(Debug, Default)]
struct GuardState {
    by_address: HashMap<IpAddr, (Instant, u32)>,
    global: Option<(Instant, u32)>,
}

/// Wrong codes from one address in [`ADDRESS_WINDOW`] before it waits.
pub const ADDRESS_FAILS: u32 = 5;
pub const ADDRESS_WINDOW: Duration = Duration::from_secs(600);
/// Wrong codes from everywhere in [`GLOBAL_WINDOW`] before enrolment pauses.
pub const GLOBAL_FAILS: u32 = 30;
pub const GLOBAL_WINDOW: Duration = Duration::from_secs(60);

impl EnrolGuard {
    /// Refused while this address, or the whole server, has had too many wrong codes.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), HqError> {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((since, n)) = st.global {
            if n >= GLOBAL_FAILS && now.duration_since(since) < GLOBAL_WINDOW {
                return Err(HqError::TooMany("县级近期收到大量错误的登记码，登记已暂停，请一分钟后再试".into()));
            }
        }
        if let Some((since, n)) = st.by_address.get(&ip) {
            if *n >= ADDRESS_FAILS && now.duration_since(*since) < ADDRESS_WINDOW {
                return Err(HqError::TooMany("登记码错误次数过多，请10分钟后再试，或向县级核对登记码".into()));
            }
        }
        Ok(())
    }

    /// Counts a wrong code from `ip`.
    pub fn failed(&self, ip: IpAddr, now: Instant) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let bump = |slot: &mut (Instant, u32), window: Duration| {
            if now.duration_since(slot.0) >= window {
                *slot = (now, 0);
            }
            slot.1 += 1;
        };
        let global = st.global.get_or_insert((now, 0));
        bump(global, GLOBAL_WINDOW);
        if st.by_address.len() > 100_000 {
            st.by_address.retain(|_, (since, _)| now.duration_since(*since) < ADDRESS_WINDOW);
        }
        bump(st.by_address.entry(ip).or_insert((now, 0)), ADDRESS_WINDOW);
    }
}

/// A wrong code named for `centre`: counted against that centre's open codes, which are burnt
/// at the fifth, so that nobody can go on guessing one.
async fn count_failure(client: &impl GenericClient, centre: &str) -> Result<(), HqError> {
    client
        .execute(
            "UPDATE enrol_code SET failures = failures + 1, burnt_at = CASE WHEN failures + 1 >= $2 THEN now() END
             WHERE centre_code = $1 AND used_by IS NULL AND burnt_at IS NULL AND expires_at > now()",
            &[&centre, &BURN_AFTER],
        )
        .await?;
    Ok(())
}

pub async fn enrol(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Json(req): Json<EnrolRequest>,
) -> Result<Json<EnrolResponse>, HqError> {
    let ip = peer.ip();
    s.enrol_guard.check(ip, Instant::now())?;
    let mut client = s.pool.get().await?;
    let centre_named: String = req.centre.chars().take(9).collect();
    // One answer for every kind of wrong code: unknown, used, expired, burnt, or another
    // centre's (which would otherwise name that centre).
    let wrong = |client: deadpool_postgres::Object| {
        let s = s.clone();
        let centre = centre_named.clone();
        async move {
            s.enrol_guard.failed(ip, Instant::now());
            count_failure(&client, &centre).await?;
            Err::<Json<EnrolResponse>, HqError>(HqError::BadCode)
        }
    };
    let Some(code) = normalise(&req.code) else { return wrong(client).await };
    let tx = client.transaction().await?;
    let row = tx
        .query_opt(
            "SELECT centre_code, used_by FROM enrol_code WHERE code = $1 AND burnt_at IS NULL AND expires_at > now() FOR UPDATE",
            &[&code_hash(&code)],
        )
        .await?;
    let (centre, used_by): (String, Option<String>) = match row {
        Some(r) if r.get::<_, &str>(0) == req.centre => (r.get(0), r.get(1)),
        _ => {
            drop(tx);
            return wrong(client).await;
        }
    };
    if req.terminal.len() != 2 || !req.terminal.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HqError::BadRequest(format!("终端号“{}”应为两位数字", req.terminal.chars().take(8).collect::<String>())));
    }
    if let Some(pk) = &req.public_key {
        let proof = req.key_proof.as_deref().unwrap_or("");
        verify_ed25519(pk, &enrol_message(req.code.trim(), &req.centre, &req.terminal), proof)?;
    }
    if let Some(used_by) = used_by {
        // The same terminal asking again with the same code, proven by its key (its answer
        // was lost on the way): the same enrolment again. Anyone else: a used code.
        let same = req.public_key.as_deref().map(|pk| yichuang_sync::local_stream_id(&centre, &req.terminal, pk)) == Some(used_by.clone());
        let again = if same {
            tx.query_opt("SELECT hmac_key FROM terminal WHERE uid = $1 AND revoked_at IS NULL AND replaced_by IS NULL", &[&used_by]).await?
        } else {
            None
        };
        let Some(again) = again else {
            drop(tx);
            return wrong(client).await;
        };
        let public = documents::public_key(&tx).await?;
        return Ok(Json(EnrolResponse { terminal_uid: used_by, hmac_key: again.get(0), hq_public_key: public }));
    }
    let key = random_b64(32);
    // A terminal with its own key is named by it: files it exported (and a county
    // administrator accepted) before this enrolment are the start of the same stream.
    let uid = match &req.public_key {
        Some(pk) => yichuang_sync::local_stream_id(&centre, &req.terminal, pk),
        None => new_uid(&centre, &req.terminal),
    };
    let taken = tx
        .execute(
            "INSERT INTO terminal (uid, centre_code, label, hmac_key, base_seq, base_hash, held_seq, held_hash, public_key)
             VALUES ($1, $2, $3, $4, $5, $6, $5, $6, $7)
             ON CONFLICT (uid) DO UPDATE SET hmac_key = excluded.hmac_key
             WHERE terminal.centre_code = excluded.centre_code AND terminal.replaced_by IS NULL
               AND terminal.public_key = excluded.public_key AND terminal.revoked_at IS NULL",
            &[&uid, &centre, &req.terminal, &key, &req.base_seq, &req.base_hash, &req.public_key],
        )
        .await?;
    if taken == 0 {
        return Err(HqError::BadRequest(format!("终端{uid}已登记过，不能再次登记")));
    }
    tx.execute("UPDATE enrol_code SET used_by = $2 WHERE code = $1", &[&code_hash(&code), &uid]).await?;
    let public = documents::public_key(&tx).await?;
    tx.commit().await?;
    Ok(Json(EnrolResponse { terminal_uid: uid, hmac_key: key, hq_public_key: public }))
}

/// A county administrator confirms a terminal that enrolled (after comparing the key's
/// fingerprint with the centre): from then on its batches are applied.
pub async fn confirm(client: &impl GenericClient, uid: &str, by: &str) -> Result<(), HqError> {
    let by = by.trim();
    if by.is_empty() {
        return Err(HqError::BadRequest("请写明确认人".into()));
    }
    let n = client
        .execute("UPDATE terminal SET confirmed_at = now(), confirmed_by = $2 WHERE uid = $1 AND revoked_at IS NULL AND confirmed_at IS NULL", &[&uid, &by])
        .await?;
    if n == 0 {
        return Err(HqError::BadRequest(format!("没有待确认的终端“{uid}”（不存在、已确认或已吊销）")));
    }
    Ok(())
}

/// A county administrator revokes a terminal (a stolen PC): its batches, downloads and
/// relays are refused from now on, and the centre's other terminals learn of it.
pub async fn revoke(client: &impl GenericClient, uid: &str, by: &str, reason: &str) -> Result<(), HqError> {
    let (by, reason) = (by.trim(), reason.trim());
    if by.is_empty() || reason.is_empty() {
        return Err(HqError::BadRequest("吊销须写明操作人和原因".into()));
    }
    let n = client
        .execute(
            "UPDATE terminal SET revoked_at = now(), revoked_by = $2, revoke_reason = $3 WHERE uid = $1 AND revoked_at IS NULL",
            &[&uid, &by, &reason],
        )
        .await?;
    if n == 0 {
        return Err(HqError::BadRequest(format!("没有可吊销的终端“{uid}”（不存在或已吊销）")));
    }
    Ok(())
}

/// Refused unless the terminal may send and receive: enrolled, confirmed, not revoked.
pub fn admitted(uid: &str, confirmed: bool, revoked: Option<&str>) -> Result<(), HqError> {
    if let Some(reason) = revoked {
        return Err(HqError::Revoked { uid: uid.to_owned(), reason: reason.to_owned() });
    }
    if !confirmed {
        return Err(HqError::Unconfirmed(uid.to_owned()));
    }
    Ok(())
}

pub async fn reenrol(State(s): State<AppState>, Json(req): Json<ReenrolRequest>) -> Result<Json<EnrolResponse>, HqError> {
    let mut client = s.pool.get().await?;
    let tx = client.transaction().await?;
    let row = tx
        .query_opt(
            "SELECT centre_code, label, hmac_key, held_seq, replaced_by, confirmed_at IS NOT NULL, revoke_reason FROM terminal WHERE uid = $1 FOR UPDATE",
            &[&req.terminal_uid],
        )
        .await?
        .ok_or_else(|| HqError::UnknownTerminal(req.terminal_uid.clone()))?;
    let (centre, label, key, held, replaced): (String, String, String, i64, Option<String>) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    let (confirmed, revoked): (bool, Option<String>) = (row.get(5), row.get(6));
    let proof = hmac_b64(&key, &reenrol_message(&req.terminal_uid, req.base_seq, &req.base_hash, req.public_key.as_deref()))?;
    if proof != req.proof {
        return Err(HqError::Batch(yichuang_sync::SyncError::BadSignature));
    }
    admitted(&req.terminal_uid, confirmed, revoked.as_deref())?;
    if replaced.is_some() {
        return Err(HqError::Replaced(replaced.unwrap_or_default()));
    }
    if req.base_seq > held {
        return Err(HqError::Gap { held, from: req.base_seq });
    }
    // A restored database numbers under a new terminal number; the new stream is named by it.
    let label = match req.terminal.as_deref() {
        Some(t) if t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()) => t.to_owned(),
        _ => label,
    };
    let uid = match &req.public_key {
        Some(pk) => yichuang_sync::local_stream_id(&centre, &label, pk),
        None => new_uid(&centre, &label),
    };
    let new_key = random_b64(32);
    // The same PC, proven by the old stream's key: confirmed as the old stream was.
    tx.execute(
        "INSERT INTO terminal (uid, centre_code, label, hmac_key, base_seq, base_hash, held_seq, held_hash, public_key, confirmed_at, confirmed_by)
         SELECT $1, $2, $3, $4, $5, $6, $5, $6, $7, confirmed_at, confirmed_by FROM terminal WHERE uid = $8",
        &[&uid, &centre, &label, &new_key, &req.base_seq, &req.base_hash, &req.public_key, &req.terminal_uid],
    )
    .await?;
    tx.execute("UPDATE terminal SET replaced_by = $2 WHERE uid = $1", &[&req.terminal_uid, &uid]).await?;
    let public = documents::public_key(&tx).await?;
    tx.commit().await?;
    Ok(Json(EnrolResponse { terminal_uid: uid, hmac_key: new_key, hq_public_key: public }))
}

fn new_uid(centre: &str, label: &str) -> String {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("the system's random source");
    format!("{centre}-{label}-{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>())
}
