//! County staff: accounts with roles, passwords hashed with Argon2id, sessions held in an
//! HttpOnly cookie (only the token's SHA-256 is stored), a CSRF token on every form, sign-in
//! failures counted per name (known or not) with a lockout that doubles, idle and absolute
//! expiry, and the access log (个人信息保护法 第51条、第55条): who viewed or exported what, when
//! and from where, append-only.
//!
//! Roles: the county administrator (users, terminals, enrolment codes, imports: never a
//! person's case), the county auditor (reads every centre and the access log) and the centre
//! viewer (reads only the centres named on the account).

use std::net::SocketAddr;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use deadpool_postgres::GenericClient;
use sha2::{Digest, Sha256};

use crate::{AppState, HqError};

/// Minutes without a request after which a session ends.
pub const IDLE_MINUTES: i32 = 30;
/// Hours after sign-in after which a session ends however busy.
pub const MAX_HOURS: i32 = 12;
/// Wrong passwords in a row before a name is locked.
pub const FREE_ATTEMPTS: i32 = 4;
const COOKIE: &str = "yc_session";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// 县级管理员: users, terminals, enrolment codes, imports.
    Admin,
    /// 县级审计: reads every centre and the access log.
    Auditor,
    /// 中心查看: reads the centres on the account only.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Auditor, Role::Viewer];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Auditor => "auditor",
            Role::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "县级管理员",
            Role::Auditor => "县级审计",
            Role::Viewer => "中心查看",
        }
    }
}

/// The signed-in staff member of a request.
#[derive(Debug, Clone)]
pub struct Staff {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub centres: Vec<String>,
    pub csrf: String,
    pub address: String,
    token_hash: String,
}

impl Staff {
    /// Whether this account reads the cases of `centre`.
    pub fn reads(&self, centre: &str) -> bool {
        match self.role {
            Role::Auditor => true,
            Role::Viewer => self.centres.iter().any(|c| c == centre),
            Role::Admin => false,
        }
    }

    /// The centres whose cases this account reads: `None` for all of them.
    pub fn scope(&self) -> Result<Option<Vec<String>>, HqError> {
        match self.role {
            Role::Auditor => Ok(None),
            Role::Viewer => Ok(Some(self.centres.clone())),
            Role::Admin => Err(HqError::Forbidden("县级管理员账户不查看办件和申请人信息，请用审计或中心查看账户".into())),
        }
    }

    /// Refused unless the account has `role`.
    pub fn must_be(&self, role: Role) -> Result<(), HqError> {
        if self.role == role {
            Ok(())
        } else {
            Err(HqError::Forbidden(format!("此页面须{}账户，您的账户是{}", role.label(), self.role.label())))
        }
    }

    /// Refused unless `sent` is this session's CSRF token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), HqError> {
        if same(sent.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(HqError::Csrf)
        }
    }
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A password's rule: 10 to 128 characters, not all one kind.
pub fn password_rule(p: &str) -> Result<(), HqError> {
    let n = p.chars().count();
    if !(10..=128).contains(&n) {
        return Err(HqError::BadRequest("密码须为10至128个字符".into()));
    }
    let kinds = [p.chars().any(|c| c.is_ascii_digit()), p.chars().any(|c| c.is_alphabetic()), p.chars().any(|c| !c.is_alphanumeric())];
    if kinds.iter().filter(|k| **k).count() < 2 {
        return Err(HqError::BadRequest("密码须含字母、数字、符号中的至少两种".into()));
    }
    Ok(())
}

fn hash_password(p: &str) -> Result<String, HqError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| HqError::Internal(format!("随机数：{e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| HqError::Internal(e.to_string()))?;
    Ok(argon2().hash_password(p.as_bytes(), &salt).map_err(|e| HqError::Internal(e.to_string()))?.to_string())
}

/// Verifies off the async threads (about 30 ms of work each).
async fn verify(stored: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        // A name that does not exist costs the same as one that does.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let stored = stored.unwrap_or_else(|| DUMMY.get_or_init(|| hash_password("no such account 0").unwrap_or_default()).clone());
        let Ok(h) = PasswordHash::new(&stored) else { return false };
        argon2().verify_password(password.as_bytes(), &h).is_ok()
    })
    .await
    .unwrap_or(false)
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn random_token() -> String {
    use base64::Engine;
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the system's random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Adds a staff account (the command line, or an administrator's form).
pub async fn add_user(client: &impl GenericClient, login: &str, name: &str, role: Role, centres: &[String], password: &str) -> Result<(), HqError> {
    let login = login.trim();
    if login.is_empty() || login.chars().count() > 32 || !login.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-') {
        return Err(HqError::BadRequest(format!("用户名“{login}”应为1至32个字母、数字或 . _ -")));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 32 {
        return Err(HqError::BadRequest("请填写姓名（不超过32个字）".into()));
    }
    for c in centres {
        if c.len() != 9 || !c.bytes().all(|b| b.is_ascii_digit()) {
            return Err(HqError::BadRequest(format!("中心代码“{c}”应为9位数字")));
        }
    }
    if role == Role::Viewer && centres.is_empty() {
        return Err(HqError::BadRequest("中心查看账户须指定至少一个中心".into()));
    }
    password_rule(password)?;
    let hash = { let p = password.to_owned(); tokio::task::spawn_blocking(move || hash_password(&p)).await.map_err(|e| HqError::Internal(e.to_string()))?? };
    let centres: Vec<String> = if role == Role::Viewer { centres.to_vec() } else { vec![] };
    let n = client
        .execute(
            "INSERT INTO staff (login, name, role, centres, password_hash) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (login) DO NOTHING",
            &[&login, &name, &role.as_str(), &centres, &hash],
        )
        .await?;
    if n == 0 {
        return Err(HqError::BadRequest(format!("用户名“{login}”已有人使用")));
    }
    Ok(())
}

/// Sets a new password (the command line); the account's sessions end and its lock is lifted.
pub async fn set_password(client: &impl GenericClient, login: &str, password: &str) -> Result<(), HqError> {
    password_rule(password)?;
    let hash = { let p = password.to_owned(); tokio::task::spawn_blocking(move || hash_password(&p)).await.map_err(|e| HqError::Internal(e.to_string()))?? };
    if client.execute("UPDATE staff SET password_hash = $2 WHERE login = $1", &[&login.trim(), &hash]).await? == 0 {
        return Err(HqError::BadRequest(format!("没有用户“{}”", login.trim())));
    }
    client.execute("DELETE FROM sign_in_failure WHERE login = $1", &[&login.trim()]).await?;
    client.execute("UPDATE staff_session SET ended_at = now() WHERE login = $1 AND ended_at IS NULL", &[&login.trim()]).await?;
    Ok(())
}

/// Disables an account: its sessions end at once.
pub async fn disable(client: &impl GenericClient, login: &str) -> Result<(), HqError> {
    if client.execute("UPDATE staff SET disabled = true WHERE login = $1", &[&login.trim()]).await? == 0 {
        return Err(HqError::BadRequest(format!("没有用户“{}”", login.trim())));
    }
    client.execute("UPDATE staff_session SET ended_at = now() WHERE login = $1 AND ended_at IS NULL", &[&login.trim()]).await?;
    Ok(())
}

/// Writes one line of the access log.
pub async fn log(client: &impl GenericClient, login: &str, address: &str, action: &str, target: &str) -> Result<(), HqError> {
    client
        .execute("INSERT INTO access_log (login, address, action, target) VALUES ($1, $2, $3, $4)", &[&login, &address, &action, &target])
        .await?;
    Ok(())
}

impl Staff {
    /// Logs this staff member's `action` on `target`.
    pub async fn log(&self, client: &impl GenericClient, action: &str, target: &str) -> Result<(), HqError> {
        log(client, &self.login, &self.address, action, target).await
    }
}

/// What signing in came to.
pub enum SignIn {
    /// The cookie's token and where to go.
    Ok { token: String },
    Refused(HqError),
}

/// Signs `login` in from `address`: a locked name is refused before its password is looked at;
/// a wrong password (or an unknown name: the same answer, the same work) is counted.
pub async fn sign_in(client: &impl GenericClient, login: &str, password: &str, address: &str) -> Result<SignIn, HqError> {
    let login = login.trim().chars().take(64).collect::<String>();
    let locked: Option<f64> = client
        .query_opt(
            "SELECT extract(epoch FROM locked_until - now())::float8 FROM sign_in_failure WHERE login = $1 AND locked_until > now()",
            &[&login],
        )
        .await?
        .map(|r| r.get(0));
    if let Some(secs) = locked {
        log(client, &login, address, "sign_in_locked", "").await?;
        return Ok(SignIn::Refused(HqError::Locked(wait_text(secs.ceil() as i64))));
    }
    let stored: Option<String> =
        client.query_opt("SELECT password_hash FROM staff WHERE login = $1 AND NOT disabled", &[&login]).await?.map(|r| r.get(0));
    let known = stored.is_some();
    if known && verify(stored, password.to_owned()).await {
        client.execute("DELETE FROM sign_in_failure WHERE login = $1", &[&login]).await?;
        let token = random_token();
        client
            .execute(
                "INSERT INTO staff_session (token_hash, login, csrf, address) VALUES ($1, $2, $3, $4)",
                &[&token_hash(&token), &login, &random_token(), &address],
            )
            .await?;
        log(client, &login, address, "sign_in", "").await?;
        return Ok(SignIn::Ok { token });
    }
    if !known {
        verify(None, password.to_owned()).await;
    }
    let row = client
        .query_one(
            "INSERT INTO sign_in_failure (login, failed) VALUES ($1, 1)
             ON CONFLICT (login) DO UPDATE SET failed = sign_in_failure.failed + 1
             RETURNING failed",
            &[&login],
        )
        .await?;
    let failed: i32 = row.get(0);
    log(client, &login, address, "sign_in_failed", "").await?;
    if failed > FREE_ATTEMPTS {
        let secs = lock_seconds(failed);
        client
            .execute("UPDATE sign_in_failure SET locked_until = now() + make_interval(secs => $2) WHERE login = $1", &[&login, &(secs as f64)])
            .await?;
        return Ok(SignIn::Refused(HqError::Locked(wait_text(secs))));
    }
    Ok(SignIn::Refused(HqError::SignIn))
}

/// 30 s from the fifth wrong password in a row, doubling to an hour.
pub fn lock_seconds(failed: i32) -> i64 {
    let n = (failed - FREE_ATTEMPTS - 1).clamp(0, 10) as u32;
    (30i64 << n).min(3600)
}

fn wait_text(secs: i64) -> String {
    if secs >= 60 {
        format!("{}分钟", (secs + 59) / 60)
    } else {
        format!("{}秒", secs.max(1))
    }
}

/// Ends the session of `staff`.
pub async fn sign_out(client: &impl GenericClient, staff: &Staff) -> Result<(), HqError> {
    client.execute("UPDATE staff_session SET ended_at = now() WHERE token_hash = $1", &[&staff.token_hash]).await?;
    staff.log(client, "sign_out", "").await
}

/// The cookie that carries `token`.
pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let v = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{}", if secure { "; Secure" } else { "" });
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static("yc_session=; Path=/"))
}

/// The cookie that clears it.
pub fn cleared_cookie() -> HeaderValue {
    HeaderValue::from_static("yc_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == COOKIE && !v.is_empty() && v.len() <= 64).then(|| v.to_owned())
    })
}

/// The caller's address, as the listener saw it.
pub fn address(parts: &Parts) -> String {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// Refused when a browser says the request comes from another site (a form posted from a page
/// elsewhere): `Origin` (or `Referer`) must name this very host.
pub fn same_origin(headers: &HeaderMap) -> Result<(), HqError> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let from = headers.get(header::ORIGIN).or_else(|| headers.get(header::REFERER)).and_then(|h| h.to_str().ok());
    match from {
        None => Ok(()),
        Some(o) => {
            let rest = o.split_once("://").map(|(_, r)| r).unwrap_or("");
            let authority = rest.split('/').next().unwrap_or("");
            if !host.is_empty() && authority == host {
                Ok(())
            } else {
                Err(HqError::Csrf)
            }
        }
    }
}

/// Without a session: a page sends the browser to sign in, anything else answers 401.
pub struct NoSession {
    method: Method,
    path: String,
}

impl IntoResponse for NoSession {
    fn into_response(self) -> Response {
        if self.method == Method::GET {
            let next: String = self.path.chars().filter(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c)).collect();
            (StatusCode::SEE_OTHER, Redirect::to(&format!("/signin?next={next}"))).into_response()
        } else {
            HqError::NoSession.into_response()
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let refuse = || NoSession { method: parts.method.clone(), path: parts.uri.path().to_owned() }.into_response();
        let Some(token) = cookie_token(&parts.headers) else { return Err(refuse()) };
        let client = s.pool.get().await.map_err(|e| HqError::from(e).into_response())?;
        let row = client
            .query_opt(
                "UPDATE staff_session s SET last_seen = now() FROM staff u
                 WHERE s.token_hash = $1 AND s.ended_at IS NULL AND u.login = s.login AND NOT u.disabled
                   AND s.last_seen > now() - make_interval(mins => $2) AND s.created_at > now() - make_interval(hours => $3)
                 RETURNING u.login, u.name, u.role, u.centres, s.csrf",
                &[&token_hash(&token), &IDLE_MINUTES, &MAX_HOURS],
            )
            .await
            .map_err(|e| HqError::from(e).into_response())?;
        let Some(r) = row else { return Err(refuse()) };
        let Some(role) = Role::parse(r.get::<_, &str>(2)) else { return Err(refuse()) };
        let staff = Staff {
            login: r.get(0),
            name: r.get(1),
            role,
            centres: r.get(3),
            csrf: r.get(4),
            address: address(parts),
            token_hash: token_hash(&token),
        };
        if parts.method != Method::GET && parts.method != Method::HEAD {
            same_origin(&parts.headers).map_err(IntoResponse::into_response)?;
        }
        Ok(staff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_doubles_from_the_fifth_wrong_password_to_an_hour() {
        assert_eq!(lock_seconds(5), 30);
        assert_eq!(lock_seconds(6), 60);
        assert_eq!(lock_seconds(7), 120);
        assert_eq!(lock_seconds(40), 3600);
    }

    #[test]
    fn a_password_is_long_and_of_two_kinds() {
        assert!(password_rule("short1").is_err());
        assert!(password_rule("aaaaaaaaaaaa").is_err());
        assert!(password_rule("县级审计员密码很长很长").is_err());
        assert!(password_rule("county-audit").is_ok());
        assert!(password_rule("县级审计员2026年").is_ok());
    }

    #[test]
    fn a_foreign_origin_is_refused_and_this_host_passes() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("hq.county:8470"));
        assert!(same_origin(&h).is_ok());
        h.insert(header::ORIGIN, HeaderValue::from_static("https://hq.county:8470"));
        assert!(same_origin(&h).is_ok());
        h.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(matches!(same_origin(&h), Err(HqError::Csrf)));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(same_origin(&h).is_err());
    }

    #[test]
    fn the_cookie_is_http_only_same_site_and_secure_over_tls() {
        let c = session_cookie("abc", true);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.ends_with("; Secure"), "{c}");
        assert!(!session_cookie("abc", false).to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn only_the_session_cookie_is_read() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=b; yc_session=abc; c=d"));
        assert_eq!(cookie_token(&h).as_deref(), Some("abc"));
        h.insert(header::COOKIE, HeaderValue::from_static("yc_sessionx=abc"));
        assert_eq!(cookie_token(&h), None);
    }
}
