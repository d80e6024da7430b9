//! The county headquarters (HQ) server: enrols terminals, takes in their batches (over the
//! network or as export files, through one path: [`ingest::ingest`]), sends down the signed
//! catalogue and calendars, and shows the centres, their cases and what is overdue.
//!
//! [`app`] builds the whole HTTP application from a pool, so that tests run the real thing.

pub mod documents;
pub mod enrol;
pub mod relay;
pub mod ingest;
pub mod pages;
pub mod report;
pub mod schema;
pub mod sms;
pub mod staff;
pub mod supervision;
pub mod tls;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use deadpool_postgres::Pool;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum HqError {
    #[error("{0}")]
    Batch(yichuang_sync::SyncError),
    #[error("未登记的终端“{0}”：请先用县级发放的登记码登记")]
    UnknownTerminal(String),
    #[error("终端{terminal}属于其他中心，不能写入中心{centre}的记录")]
    WrongCentre { terminal: String, centre: String },
    #[error("缺少记录：县级已收到第{held}条，这批从第{from}条开始，请先发送中间的记录（或先导入更早的导出文件）")]
    Gap { held: i64, from: i64 },
    #[error("终端{terminal}的第{seq}条记录与县级已收到的不同：已拒收并记录，请联系县级核查")]
    Conflict { terminal: String, seq: i64 },
    #[error("终端{terminal}第{seq}条记录接不上县级已收到的记录链")]
    Broken { terminal: String, seq: i64 },
    #[error("该终端已在恢复备份后重新登记为{0}，旧的登记不再接收新记录")]
    Replaced(String),
    #[error("终端“{uid}”尚未在县级登记，其数据文件由终端自己的密钥签名（公钥指纹{fingerprint}）：请县级管理员与中心核对指纹后，用 yichuang-hq import --accept-key 导入；终端登记后即可直接导入")]
    UnconfirmedKey { uid: String, fingerprint: String },
    #[error("登记码无效、已用过或已过期（连续输错会使该中心未用的登记码作废）")]
    BadCode,
    #[error("{0}")]
    TooMany(String),
    #[error("终端{0}已登记，尚待县级管理员核对公钥指纹并确认；确认后再同步即可")]
    Unconfirmed(String),
    #[error("终端{uid}已被县级吊销（{reason}），其记录和下载一律拒绝；如有疑问请联系县级管理员")]
    Revoked { uid: String, reason: String },
    #[error("{0}")]
    BadRequest(String),
    #[error("请先登录")]
    NoSession,
    #[error("用户名或密码不对")]
    SignIn,
    #[error("多次输入错误，该用户名已暂时锁定，请{0}后再试")]
    Locked(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("表单已失效或来自其他网站：请刷新页面后重新提交")]
    Csrf,
    #[error("没有这个办件，或它不在您可查看的中心")]
    NotFound,
    #[error("服务器内部错误：{0}")]
    Internal(String),
    #[error("请求过大（{0}），已拒收")]
    TooLarge(&'static str),
    #[error("县级服务器繁忙，请稍后重试")]
    Busy,
    #[error("请求处理超时，请稍后重试")]
    Timeout,
    #[error("请求格式不对，已拒收：{0}")]
    Malformed(String),
    #[error("“{0}”不是本县级服务器的地址，请用县级公布的地址访问")]
    WrongHost(String),
    #[error("数据库错误：{0}")]
    Db(#[from] tokio_postgres::Error),
    #[error("数据库连接失败：{0}")]
    Pool(#[from] deadpool_postgres::PoolError),
}

impl HqError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Batch(yichuang_sync::SyncError::BadSignature | yichuang_sync::SyncError::BadKey) => StatusCode::UNAUTHORIZED,
            Self::Batch(_) | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::UnknownTerminal(_) | Self::UnconfirmedKey { .. } | Self::BadCode => StatusCode::UNAUTHORIZED,
            Self::WrongCentre { .. } => StatusCode::FORBIDDEN,
            Self::Gap { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict { .. } | Self::Broken { .. } | Self::Replaced(_) => StatusCode::CONFLICT,
            Self::NoSession | Self::SignIn => StatusCode::UNAUTHORIZED,
            Self::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unconfirmed(_) | Self::Revoked { .. } => StatusCode::FORBIDDEN,
            Self::Locked(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Forbidden(_) | Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Busy | Self::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::WrongHost(_) => StatusCode::MISDIRECTED_REQUEST,
            Self::Db(_) | Self::Pool(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Batch(e) => e.code(),
            Self::UnknownTerminal(_) => "hq.unknown_terminal",
            Self::UnconfirmedKey { .. } => "hq.unconfirmed_key",
            Self::WrongCentre { .. } => "hq.wrong_centre",
            Self::Gap { .. } => "hq.gap",
            Self::Conflict { .. } => "hq.conflict",
            Self::Broken { .. } => "hq.broken_chain",
            Self::Replaced(_) => "hq.replaced",
            Self::BadCode => "hq.bad_code",
            Self::BadRequest(_) => "hq.bad_request",
            Self::NoSession => "hq.no_session",
            Self::TooMany(_) => "hq.too_many",
            Self::Unconfirmed(_) => "hq.unconfirmed_terminal",
            Self::Revoked { .. } => "hq.revoked",
            Self::SignIn => "hq.sign_in",
            Self::Locked(_) => "hq.locked",
            Self::Forbidden(_) => "hq.forbidden",
            Self::Csrf => "hq.csrf",
            Self::NotFound => "hq.not_found",
            Self::Internal(_) => "hq.internal",
            Self::TooLarge(_) => "hq.too_large",
            Self::Busy => "hq.busy",
            Self::Timeout => "hq.timeout",
            Self::Malformed(_) => "hq.malformed",
            Self::WrongHost(_) => "hq.wrong_host",
            Self::Db(_) => "hq.db",
            Self::Pool(_) => "hq.db",
        }
    }

    /// A fault of the server (not of the request): logged in full, answered with an id only.
    pub fn is_fault(&self) -> bool {
        matches!(self, Self::Db(_) | Self::Pool(_) | Self::Internal(_))
    }

    /// What the caller is told: a fault is not described beyond its request id.
    pub fn message(&self, request: &str) -> String {
        match self {
            Self::Db(_) | Self::Pool(_) => format!("县级服务器暂时无法处理（数据库），请稍后重试；如一再出现，请把编号{request}告知县级管理员"),
            Self::Internal(_) => format!("县级服务器内部错误，请把编号{request}告知县级管理员"),
            _ => self.to_string(),
        }
    }
}

/// A short id for one request's fault, in the answer and in HQ's log.
pub fn request_id() -> String {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).expect("the system's random source");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl IntoResponse for HqError {
    fn into_response(self) -> Response {
        let held = match &self {
            Self::Gap { held, .. } => Some(*held),
            _ => None,
        };
        let id = request_id();
        if self.is_fault() || matches!(self, Self::Conflict { .. }) {
            eprintln!("yichuang-hq [{id}] {}: {self:?}", self.code());
        }
        (self.status(), Json(json!({"code": self.code(), "message": self.message(&id), "held_seq": held, "request": id}))).into_response()
    }
}

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    /// The session cookie is marked `Secure` (staff pages served over TLS).
    pub secure_cookies: bool,
    /// Wrong enrolment codes, per address and in all.
    pub enrol_guard: std::sync::Arc<enrol::EnrolGuard>,
    /// Requests at work at once: beyond it, "busy" at once rather than a queue.
    pub at_work: std::sync::Arc<tokio::sync::Semaphore>,
    /// The host names this server answers to (empty: any).
    pub hosts: std::sync::Arc<Vec<String>>,
}

impl AppState {
    pub fn new(pool: Pool, secure_cookies: bool) -> Self {
        Self {
            pool,
            secure_cookies,
            enrol_guard: Default::default(),
            at_work: std::sync::Arc::new(tokio::sync::Semaphore::new(AT_WORK)),
            hosts: Default::default(),
        }
    }

    /// Answers only requests for one of `hosts` (names or addresses, without the port).
    pub fn with_hosts(mut self, hosts: Vec<String>) -> Self {
        self.hosts = std::sync::Arc::new(hosts.into_iter().map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()).collect());
        self
    }
}

/// Whether the request's `Host` is one this server answers to (a page fetched through a name
/// an attacker controls, rebinding it to HQ's address, is not).
pub fn host_allowed(hosts: &[String], host: Option<&str>) -> bool {
    if hosts.is_empty() {
        return true;
    }
    let Some(host) = host else { return false };
    let host = host.trim().to_ascii_lowercase();
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or("").to_owned(),
        None => host.rsplit_once(':').map_or(host.as_str(), |(h, p)| if p.bytes().all(|b| b.is_ascii_digit()) { h } else { host.as_str() }).to_owned(),
    };
    hosts.contains(&name)
}

/// The largest body of each kind of request. A terminal sends batches of about 1 MiB at most.
pub const ENROL_BODY: usize = 16 << 10;
pub const RELAY_BODY: usize = 256 << 10;
pub const BATCH_BODY: usize = 4 << 20;
pub const FORM_BODY: usize = 16 << 10;
/// An export file uploaded at the import page (a whole stream of a terminal never enrolled).
pub const IMPORT_BODY: usize = 64 << 20;
/// Requests at work at once, and the longest one may take.
pub const AT_WORK: usize = 48;
pub const REQUEST_TIME: std::time::Duration = std::time::Duration::from_secs(120);

fn limited(bytes: usize) -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(bytes)
}

/// Every request: refused at once when too many are at work, cut off past [`REQUEST_TIME`],
/// and a refusal by the framework itself (a body over its limit, JSON that does not parse)
/// answered in Chinese like every other.
async fn limits(State(s): State<AppState>, req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let host = req.headers().get(axum::http::header::HOST).and_then(|v| v.to_str().ok());
    if !host_allowed(&s.hosts, host) {
        return HqError::WrongHost(host.unwrap_or("").chars().take(64).collect()).into_response();
    }
    let Ok(_permit) = s.at_work.clone().try_acquire_owned() else {
        return HqError::Busy.into_response();
    };
    let (method, path, started) = (req.method().clone(), req.uri().path().chars().take(80).collect::<String>(), std::time::Instant::now());
    let r = match tokio::time::timeout(REQUEST_TIME, next.run(req)).await {
        Ok(r) => r,
        Err(_) => return HqError::Timeout.into_response(),
    };
    // One line per request for the operator's log (no query string: it may name a person).
    eprintln!("yichuang-hq {method} {path} {} {} ms", r.status().as_u16(), started.elapsed().as_millis());
    let plain = r.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/plain"));
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return HqError::TooLarge("超过该类请求的上限").into_response();
    }
    if plain && r.status().is_client_error() {
        let status = r.status();
        let text = axum::body::to_bytes(r.into_body(), 4096).await.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
        let mut answer = HqError::Malformed(text.chars().take(200).collect()).into_response();
        *answer.status_mut() = status;
        return answer;
    }
    r
}

/// The terminals' API: every request proves itself with a terminal's key, never a session.
pub fn terminal_api(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/enrol", post(enrol::enrol).layer(limited(ENROL_BODY)))
        .route("/api/v1/reenrol", post(enrol::reenrol).layer(limited(ENROL_BODY)))
        .route("/api/v1/batches", post(batches).layer(limited(BATCH_BODY)))
        .route("/api/v1/updates", get(documents::updates))
        .route("/api/v1/relay", post(relay::relay).layer(limited(RELAY_BODY)))
        .layer(axum::middleware::from_fn_with_state(state.clone(), limits))
        .with_state(state)
}

/// The county staff's pages: each one asks for a signed-in session with the right role.
pub fn staff_pages(state: AppState) -> Router {
    Router::new()
        .route("/signin", get(pages::sign_in_page).post(pages::sign_in))
        .route("/signout", post(pages::sign_out))
        .route("/", get(pages::centres))
        .route("/cases", get(pages::cases))
        .route("/overdue", get(pages::overdue))
        .route("/report", get(report::page))
        .route("/summary", get(report::summary))
        .route("/supervision", get(supervision::list))
        .route("/supervise", post(supervision::supervise))
        .route("/summary.xlsx", get(report::summary_xlsx))
        .route("/case/{number}", get(pages::case))
        .route("/import", get(pages::import_form).post(import).layer(limited(IMPORT_BODY)))
        .route("/access-log", get(pages::access_log))
        .route("/users", get(pages::users).post(pages::add_user))
        .route("/terminals", get(pages::terminals))
        .route("/terminals/confirm", post(pages::confirm_terminal))
        .route("/terminals/revoke", post(pages::revoke_terminal))
        .route("/enrol-codes", get(pages::codes).post(pages::make_code))
        .layer(limited(FORM_BODY))
        .layer(axum::middleware::from_fn_with_state(state.clone(), limits))
        .with_state(state)
}

/// The whole HTTP application on one listener (the terminals' API and the staff pages).
pub fn app(pool: Pool) -> Router {
    let state = AppState::new(pool, false);
    terminal_api(state.clone()).merge(staff_pages(state))
}

/// Serves `app` on `listener`, each request knowing the caller's address (for the access log).
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await
}

/// A batch over the network: its raw bytes are checked against the stream's key (the
/// envelope headers) before anything parses them; then the batch's own checks.
async fn batches(State(s): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Result<Json<yichuang_sync::client::Ack>, HqError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    let (Some(uid), Some(mac)) = (header("x-yichuang-stream"), header("x-yichuang-mac")) else {
        return Err(HqError::Batch(yichuang_sync::SyncError::BadSignature));
    };
    let key: Option<String> =
        s.pool.get().await?.query_opt("SELECT hmac_key FROM terminal WHERE uid = $1", &[&uid]).await?.map(|r| r.get(0));
    let key = key.ok_or_else(|| HqError::UnknownTerminal(uid.chars().take(64).collect()))?;
    yichuang_sync::client::verify_hmac(&key, &body, mac)?;
    let ack = ingest::ingest(&s.pool, &body, None).await?;
    Ok(Json(ack))
}

#[derive(serde::Deserialize)]
struct ImportQuery {
    #[serde(default)]
    html: bool,
}

/// An export file uploaded through the import page (the same checks as the network).
async fn import(State(s): State<AppState>, staff: staff::Staff, headers: HeaderMap, Query(q): Query<ImportQuery>, body: axum::body::Bytes) -> Response {
    let allowed = staff.must_be(staff::Role::Admin).and_then(|()| staff.check_csrf(headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("")));
    if let Err(e) = allowed {
        return e.into_response();
    }
    let result = ingest::ingest(&s.pool, &body, None).await;
    if let Ok(client) = s.pool.get().await {
        let _ = staff.log(&client, "import_file", &format!("{} 字节", body.len())).await;
    }
    if !q.html {
        return match result {
            Ok(ack) => Json(ack).into_response(),
            Err(e) => e.into_response(),
        };
    }
    pages::import_result(result).into_response()
}

/// A random secret, base64.
pub fn random_b64(n: usize) -> String {
    use base64::Engine;
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).expect("the system's random source");
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// A connection pool on `url` (`postgres://user@host:port/db`).
pub fn pool(url: &str) -> anyhow::Result<Pool> {
    let cfg: tokio_postgres::Config = url.parse().map_err(|e| anyhow::anyhow!("数据库地址“{url}”无效：{e}"))?;
    let mgr = deadpool_postgres::Manager::new(cfg, tokio_postgres::NoTls);
    Ok(Pool::builder(mgr).max_size(16).build()?)
}

/// Runs HQ's migrations on the pool's database.
pub async fn migrate(pool: &Pool) -> anyhow::Result<usize> {
    let mut client = pool.get().await?;
    let client: &mut tokio_postgres::Client = &mut client;
    Ok(schema::migrate(client).await?)
}

/// HQ's settings: from a JSON file, then the environment (`YICHUANG_HQ_DATABASE_URL`,
/// `YICHUANG_HQ_LISTEN`, `YICHUANG_HQ_TLS_CERT`, `YICHUANG_HQ_TLS_KEY`) over it.
#[derive(Debug, Clone, Default, serde::Deserialize, PartialEq, Eq)]
pub struct Config {
    #[serde(default)]
    pub database_url: String,
    #[serde(default)]
    pub listen: String,
    /// HQ's signing key's file (0600); without it the key stays in the database.
    #[serde(default)]
    pub key_file: Option<String>,
    /// The host names (or addresses) HQ answers to; a request for any other is refused.
    /// Empty: any.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// The staff pages' own listener; without it they share `listen` with the terminals' API.
    #[serde(default)]
    pub staff_listen: Option<String>,
    #[serde(default)]
    pub tls_cert: Option<String>,
    #[serde(default)]
    pub tls_key: Option<String>,
    /// The SMS gateway; without it nothing is sent (messages wait in the outbox).
    #[serde(default)]
    pub sms: Option<sms::SmsConfig>,
}

impl Config {
    pub fn load(file: Option<&std::path::Path>, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut c = match file {
            Some(f) => {
                let text = std::fs::read_to_string(f).map_err(|e| anyhow::anyhow!("无法读取配置文件{}：{e}", f.display()))?;
                serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("配置文件{}有误：{e}", f.display()))?
            }
            None => Config::default(),
        };
        if let Some(v) = env("YICHUANG_HQ_DATABASE_URL") {
            c.database_url = v;
        }
        if let Some(v) = env("YICHUANG_HQ_LISTEN") {
            c.listen = v;
        }
        if let Some(v) = env("YICHUANG_HQ_KEY_FILE") {
            c.key_file = Some(v);
        }
        if let Some(v) = env("YICHUANG_HQ_HOSTS") {
            c.hosts = v.split(',').map(|h| h.trim().to_owned()).filter(|h| !h.is_empty()).collect();
        }
        if let Some(v) = env("YICHUANG_HQ_STAFF_LISTEN") {
            c.staff_listen = Some(v);
        }
        if let Some(v) = env("YICHUANG_HQ_TLS_CERT") {
            c.tls_cert = Some(v);
        }
        if let Some(v) = env("YICHUANG_HQ_TLS_KEY") {
            c.tls_key = Some(v);
        }
        if let Some(s) = &mut c.sms {
            if let Some(v) = env("YICHUANG_HQ_SMS_SECRET_KEY") {
                s.secret_key = v;
            }
            if s.secret_key.is_empty() || s.secret_id.is_empty() || s.sdk_app_id.is_empty() {
                anyhow::bail!("短信平台的 secret_id、secret_key（或 YICHUANG_HQ_SMS_SECRET_KEY）和 sdk_app_id 都须配置");
            }
        }
        if c.listen.is_empty() {
            c.listen = "127.0.0.1:8470".into();
        }
        if c.database_url.is_empty() {
            anyhow::bail!("没有设置数据库地址：在配置文件写 database_url，或设置环境变量 YICHUANG_HQ_DATABASE_URL");
        }
        if c.tls_cert.is_some() != c.tls_key.is_some() {
            anyhow::bail!("TLS 证书与私钥须同时设置");
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_file_and_a_missing_database_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("hq.json");
        std::fs::write(&f, r#"{"database_url": "postgres://a@127.0.0.1/hq", "listen": "0.0.0.0:8470"}"#).unwrap();
        let c = Config::load(Some(&f), |k| (k == "YICHUANG_HQ_LISTEN").then(|| "127.0.0.1:9000".to_owned())).unwrap();
        assert_eq!(c.database_url, "postgres://a@127.0.0.1/hq");
        assert_eq!(c.listen, "127.0.0.1:9000");
        let e = Config::load(None, |_| None).unwrap_err();
        assert!(e.to_string().contains("YICHUANG_HQ_DATABASE_URL"), "{e}");
        let e = Config::load(Some(&f), |k| (k == "YICHUANG_HQ_TLS_CERT").then(|| "c.pem".to_owned())).unwrap_err();
        assert!(e.to_string().contains("同时"), "{e}");
        std::fs::write(&f, "{oops").unwrap();
        assert!(Config::load(Some(&f), |_| None).unwrap_err().to_string().contains("配置文件"));
    }

    #[test]
    fn only_the_hosts_given_are_answered() {
        let hosts = vec!["hq.county.gov.cn".to_owned(), "10.1.2.3".to_owned(), "::1".to_owned()];
        assert!(host_allowed(&[], Some("anything")));
        assert!(host_allowed(&hosts, Some("hq.county.gov.cn:8470")));
        assert!(host_allowed(&hosts, Some("HQ.County.gov.cn")));
        assert!(host_allowed(&hosts, Some("10.1.2.3:8470")));
        assert!(host_allowed(&hosts, Some("[::1]:8470")));
        assert!(!host_allowed(&hosts, Some("evil.example")));
        assert!(!host_allowed(&hosts, Some("hq.county.gov.cn.evil.example")));
        assert!(!host_allowed(&hosts, None));
    }

    #[test]
    fn every_refusal_has_its_status_and_a_chinese_message() {
        let cases = [
            (HqError::UnknownTerminal("x".into()), 401),
            (HqError::WrongCentre { terminal: "t".into(), centre: "c".into() }, 403),
            (HqError::Gap { held: 5, from: 9 }, 422),
            (HqError::Conflict { terminal: "t".into(), seq: 3 }, 409),
            (HqError::Batch(yichuang_sync::SyncError::BadSignature), 401),
            (HqError::Batch(yichuang_sync::SyncError::Truncated), 400),
        ];
        for (e, status) in cases {
            assert_eq!(e.status().as_u16(), status, "{e}");
            assert!(e.to_string().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{e}");
        }
    }
}
