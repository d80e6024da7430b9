//! The documents HQ sends down: the catalogue and each year's holiday calendar, versioned and
//! signed with HQ's Ed25519 key (made once, at the first migration's first use).

use axum::extract::{Query, State};
use axum::Json;
use base64::Engine;
use deadpool_postgres::GenericClient;
use ed25519_dalek::{Signer, SigningKey};
use yichuang_sync::client::Updates;
use yichuang_sync::SignedDocument;

use crate::{AppState, HqError};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

async fn key(client: &impl GenericClient) -> Result<SigningKey, HqError> {
    if let Some(row) = client.query_opt("SELECT secret FROM hq_key WHERE id = 1", &[]).await? {
        let secret: String = row.get(0);
        let bytes: [u8; 32] =
            B64.decode(secret).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| HqError::BadRequest("县级签名密钥已损坏".into()))?;
        return Ok(SigningKey::from_bytes(&bytes));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).expect("the system's random source");
    let k = SigningKey::from_bytes(&seed);
    client
        .execute(
            "INSERT INTO hq_key (id, secret, public) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING",
            &[&B64.encode(seed), &B64.encode(k.verifying_key().to_bytes())],
        )
        .await?;
    // Another process may have made one first: use whichever is stored.
    Box::pin(key(client)).await
}

pub async fn public_key(client: &impl GenericClient) -> Result<String, HqError> {
    Ok(B64.encode(key(client).await?.verifying_key().to_bytes()))
}

/// Opens a file sealed to HQ's key (a centre's export on a USB stick).
pub async fn open_sealed(client: &impl GenericClient, sealed: &yichuang_sync::seal::Sealed) -> Result<Vec<u8>, HqError> {
    let k = key(client).await?;
    let own = B64.encode(k.verifying_key().to_bytes());
    let scalar = k.to_scalar_bytes();
    Ok(sealed.open(&own, |point| {
        let shared = curve25519_dalek::MontgomeryPoint(point).mul_clamped(scalar).to_bytes();
        if shared == [0u8; 32] {
            return Err(yichuang_sync::SyncError::SealBroken);
        }
        Ok(shared)
    })?)
}

/// Signs a document HQ answers with (the centre's relayed streams) with HQ's key.
pub async fn sign(client: &impl GenericClient, kind: &str, version: &str, body: String) -> Result<SignedDocument, HqError> {
    let signature = B64.encode(key(client).await?.sign(&SignedDocument::message(kind, version, &body)).to_bytes());
    Ok(SignedDocument { kind: kind.to_owned(), version: version.to_owned(), body, signature })
}

/// Publishes a catalogue or calendar file (the same JSON the terminals import).
pub async fn publish(client: &impl GenericClient, kind: &str, body: &str) -> Result<String, HqError> {
    let v: serde_json::Value = serde_json::from_str(body).map_err(|e| HqError::BadRequest(format!("文件不是有效的JSON：{e}")))?;
    let (version, sort_key) = match kind {
        "catalogue" => {
            let v = v["version"].as_str().ok_or_else(|| HqError::BadRequest("目录文件缺少version".into()))?.to_owned();
            (v.clone(), v)
        }
        "calendar" => {
            let (y, n) = (v["year"].as_i64(), v["version"].as_i64());
            let (Some(y), Some(n)) = (y, n) else { return Err(HqError::BadRequest("日历文件缺少year或version".into())) };
            (format!("{y}:{n}"), format!("{y}:{n:04}"))
        }
        k => return Err(HqError::BadRequest(format!("未知的文件类型“{k}”"))),
    };
    let signature = B64.encode(key(client).await?.sign(&SignedDocument::message(kind, &version, body)).to_bytes());
    client
        .execute(
            "INSERT INTO published (kind, version, sort_key, body, signature) VALUES ($1, $2, $3, $4, $5)",
            &[&kind, &version, &sort_key, &body, &signature],
        )
        .await?;
    Ok(version)
}

/// The newest published document of `kind` (for a calendar, of `year`), as HQ signed it.
pub async fn newest(client: &impl GenericClient, kind: &str, year: Option<i32>) -> Result<SignedDocument, HqError> {
    let prefix = year.map(|y| format!("{y}:")).unwrap_or_default();
    let row = client
        .query_opt(
            "SELECT kind, version, body, signature FROM published WHERE kind = $1 AND version LIKE $2 || '%'
             ORDER BY sort_key DESC, published_at DESC LIMIT 1",
            &[&kind, &prefix],
        )
        .await?
        .ok_or_else(|| HqError::BadRequest(format!("县级还没有发布过{kind}{}", year.map(|y| format!("（{y}年）")).unwrap_or_default())))?;
    Ok(SignedDocument { kind: row.get(0), version: row.get(1), body: row.get(2), signature: row.get(3) })
}

#[derive(serde::Deserialize)]
pub struct UpdatesQuery {
    pub terminal_uid: String,
    #[serde(default)]
    pub catalogue: String,
    #[serde(default)]
    pub calendars: String,
}

/// What a terminal lacks: the newest catalogue if it is not the terminal's, and each year's
/// newest calendar above the version the terminal holds.
pub async fn updates(State(s): State<AppState>, Query(q): Query<UpdatesQuery>) -> Result<Json<Updates>, HqError> {
    let client = s.pool.get().await?;
    let Some(t) = client.query_opt("SELECT revoke_reason FROM terminal WHERE uid = $1", &[&q.terminal_uid]).await? else {
        return Err(HqError::UnknownTerminal(q.terminal_uid));
    };
    // A revoked terminal gets nothing more (an unconfirmed one may fetch the public catalogue).
    if let Some(reason) = t.get::<_, Option<String>>(0) {
        return Err(HqError::Revoked { uid: q.terminal_uid, reason });
    }
    let mut documents = vec![];
    let doc = |r: &tokio_postgres::Row| SignedDocument { kind: r.get(0), version: r.get(1), body: r.get(2), signature: r.get(3) };
    if let Some(r) = client
        .query_opt("SELECT kind, version, body, signature FROM published WHERE kind = 'catalogue' ORDER BY published_at DESC LIMIT 1", &[])
        .await?
    {
        if r.get::<_, String>(1) != q.catalogue {
            documents.push(doc(&r));
        }
    }
    let held: std::collections::HashMap<i64, i64> = q
        .calendars
        .split(',')
        .filter_map(|p| p.split_once(':'))
        .filter_map(|(y, v)| Some((y.trim().parse().ok()?, v.trim().parse().ok()?)))
        .collect();
    let rows = client
        .query(
            "SELECT DISTINCT ON (split_part(version, ':', 1)) kind, version, body, signature FROM published
             WHERE kind = 'calendar' ORDER BY split_part(version, ':', 1), sort_key DESC",
            &[],
        )
        .await?;
    for r in rows {
        let version: String = r.get(1);
        let (y, v) = version.split_once(':').unwrap_or(("0", "0"));
        let (y, v): (i64, i64) = (y.parse().unwrap_or(0), v.parse().unwrap_or(0));
        if held.get(&y).is_none_or(|h| *h < v) {
            documents.push(doc(&r));
        }
    }
    Ok(Json(Updates { documents }))
}
