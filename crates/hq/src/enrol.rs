//! Enrolment: HQ staff make a one-time code for a centre; the terminal trades it for its
//! stream id and HMAC key. After a restore from backup a terminal proves itself with its old
//! key and gets a new stream.

use axum::extract::State;
use axum::Json;
use deadpool_postgres::GenericClient;
use yichuang_sync::client::{enrol_message, hmac_b64, reenrol_message, verify_ed25519, EnrolRequest, EnrolResponse, ReenrolRequest};

use crate::{documents, random_b64, AppState, HqError};

/// Makes a one-time enrolment code for `centre` (registering the centre if new), valid for
/// `hours`.
pub async fn make_code(client: &impl GenericClient, centre: &str, name: &str, hours: i32) -> Result<String, HqError> {
    if centre.len() != 9 || !centre.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HqError::BadRequest(format!("中心代码“{centre}”应为9位数字")));
    }
    client
        .execute(
            "INSERT INTO centre (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = CASE WHEN $2 = '' THEN centre.name ELSE $2 END",
            &[&centre, &name],
        )
        .await?;
    let mut b = [0u8; 5];
    getrandom::fill(&mut b).expect("the system's random source");
    let n = b.iter().fold(0u64, |a, x| a * 256 + *x as u64) % 100_000_000;
    let code = format!("{n:08}");
    client
        .execute(
            "INSERT INTO enrol_code (code, centre_code, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3))",
            &[&code, &centre, &hours],
        )
        .await?;
    Ok(code)
}

pub async fn enrol(State(s): State<AppState>, Json(req): Json<EnrolRequest>) -> Result<Json<EnrolResponse>, HqError> {
    let mut client = s.pool.get().await?;
    let tx = client.transaction().await?;
    let row = tx
        .query_opt(
            "SELECT centre_code FROM enrol_code WHERE code = $1 AND used_by IS NULL AND expires_at > now() FOR UPDATE",
            &[&req.code.trim()],
        )
        .await?
        .ok_or(HqError::BadCode)?;
    let centre: String = row.get(0);
    if centre != req.centre {
        return Err(HqError::BadRequest(format!("登记码是发给中心{centre}的，本机是中心{}", req.centre)));
    }
    if req.terminal.len() != 2 || !req.terminal.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HqError::BadRequest(format!("终端号“{}”应为两位数字", req.terminal)));
    }
    if let Some(pk) = &req.public_key {
        let proof = req.key_proof.as_deref().unwrap_or("");
        verify_ed25519(pk, &enrol_message(req.code.trim(), &req.centre, &req.terminal), proof)?;
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
               AND terminal.public_key = excluded.public_key",
            &[&uid, &centre, &req.terminal, &key, &req.base_seq, &req.base_hash, &req.public_key],
        )
        .await?;
    if taken == 0 {
        return Err(HqError::BadRequest(format!("终端{uid}已登记过，不能再次登记")));
    }
    tx.execute("UPDATE enrol_code SET used_by = $2 WHERE code = $1", &[&req.code.trim(), &uid]).await?;
    let public = documents::public_key(&tx).await?;
    tx.commit().await?;
    Ok(Json(EnrolResponse { terminal_uid: uid, hmac_key: key, hq_public_key: public }))
}

pub async fn reenrol(State(s): State<AppState>, Json(req): Json<ReenrolRequest>) -> Result<Json<EnrolResponse>, HqError> {
    let mut client = s.pool.get().await?;
    let tx = client.transaction().await?;
    let row = tx
        .query_opt("SELECT centre_code, label, hmac_key, held_seq, replaced_by FROM terminal WHERE uid = $1 FOR UPDATE", &[&req.terminal_uid])
        .await?
        .ok_or_else(|| HqError::UnknownTerminal(req.terminal_uid.clone()))?;
    let (centre, label, key, held, replaced): (String, String, String, i64, Option<String>) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    let proof = hmac_b64(&key, &reenrol_message(&req.terminal_uid, req.base_seq, &req.base_hash, req.public_key.as_deref()))?;
    if proof != req.proof {
        return Err(HqError::Batch(yichuang_sync::SyncError::BadSignature));
    }
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
    tx.execute(
        "INSERT INTO terminal (uid, centre_code, label, hmac_key, base_seq, base_hash, held_seq, held_hash, public_key)
         VALUES ($1, $2, $3, $4, $5, $6, $5, $6, $7)",
        &[&uid, &centre, &label, &new_key, &req.base_seq, &req.base_hash, &req.public_key],
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
