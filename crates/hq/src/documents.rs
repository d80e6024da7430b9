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

static KEY_FILE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Keeps HQ's signing key in `path` (a file only its owner reads) instead of the database:
/// set once, at start-up, from the configuration. A key the database held is moved there.
pub fn keep_key_in(path: std::path::PathBuf) {
    let _ = KEY_FILE.set(path);
}

fn parse_seed(text: &str) -> Result<[u8; 32], HqError> {
    B64.decode(text.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| HqError::Internal("县级签名密钥已损坏".into()))
}

/// The key from its file (made there, or moved there from the database, on first use); the
/// database keeps only the public half, which must match.
async fn key_from_file(client: &impl GenericClient, path: &std::path::Path) -> Result<SigningKey, HqError> {
    let row = client.query_opt("SELECT secret, public FROM hq_key WHERE id = 1", &[]).await?;
    let k = match std::fs::read_to_string(path) {
        Ok(text) => SigningKey::from_bytes(&parse_seed(&text)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let seed = match row.as_ref().map(|r| r.get::<_, String>(0)).filter(|s| !s.is_empty()) {
                Some(held) => parse_seed(&held)?,
                None => {
                    let mut seed = [0u8; 32];
                    getrandom::fill(&mut seed).expect("the system's random source");
                    seed
                }
            };
            let io = |e: std::io::Error| HqError::Internal(format!("无法写入县级密钥文件{}：{e}", path.display()));
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                o.mode(0o600);
            }
            use std::io::Write;
            let mut f = o.open(path).map_err(io)?;
            f.write_all(B64.encode(seed).as_bytes()).map_err(io)?;
            f.sync_all().map_err(io)?;
            SigningKey::from_bytes(&seed)
        }
        Err(e) => return Err(HqError::Internal(format!("无法读取县级密钥文件{}：{e}", path.display()))),
    };
    let public = B64.encode(k.verifying_key().to_bytes());
    if let Some(r) = &row {
        if r.get::<_, String>(1) != public {
            return Err(HqError::Internal(format!("县级密钥文件{}与数据库记录的县级公钥不符：各中心认的是数据库里的那把，请找回原密钥文件", path.display())));
        }
    }
    // The database keeps the public key only.
    client
        .execute(
            "INSERT INTO hq_key (id, secret, public) VALUES (1, '', $1) ON CONFLICT (id) DO UPDATE SET secret = '' WHERE hq_key.secret <> ''",
            &[&public],
        )
        .await?;
    Ok(k)
}

/// The key read from its file, once per process: signing a relay is a hot path, and the
/// file and the database row are checked (and the row emptied) only the first time.
static FILE_KEY: tokio::sync::OnceCell<SigningKey> = tokio::sync::OnceCell::const_new();

async fn key(client: &impl GenericClient) -> Result<SigningKey, HqError> {
    if let Some(path) = KEY_FILE.get() {
        return FILE_KEY.get_or_try_init(|| key_from_file(client, path)).await.cloned();
    }
    if let Some(row) = client.query_opt("SELECT secret FROM hq_key WHERE id = 1", &[]).await? {
        let secret: String = row.get(0);
        if secret.is_empty() {
            return Err(HqError::Internal("县级签名密钥保存在密钥文件中：请在配置中设置 key_file（或 YICHUANG_HQ_KEY_FILE）".into()));
        }
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
