//! The terminal's side: enrol once, then send whatever HQ does not hold yet, in batches,
//! until it holds everything; then take HQ's newer catalogue and calendars.
//!
//! - Nothing is marked acknowledged before HQ's answer says so; a crash or a cut at any point
//!   only means some events are sent again, which HQ acknowledges as repeats.
//! - Network failures and HQ's 5xx answers are retried with backoff and jitter; a refusal
//!   (4xx) is not retried and says why.
//! - Events HQ refuses by a business rule come back in its answer, are kept with the reason,
//!   and do not hold up the rest.
//! - After a restore from backup the terminal first sends the old stream up to the backup's last
//!   event, then enrols again under a new terminal id for what follows.

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, FixedOffset};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use yichuang_store::{Enrolment, Store, GENESIS_HASH};

use crate::backoff::{random, Backoff};
use crate::{Batch, SignedDocument, SyncError};

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// At most this many events in one batch.
    pub batch_events: usize,
    /// And at most about this many bytes.
    pub batch_bytes: usize,
    /// Tries of one request before giving up for this round.
    pub max_attempts: u32,
    pub backoff: Backoff,
    /// Timeout of one request.
    pub timeout: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            batch_events: 500,
            batch_bytes: 1 << 20,
            max_attempts: 6,
            backoff: Backoff { base: Duration::from_millis(500), max: Duration::from_secs(30) },
            timeout: Duration::from_secs(30),
        }
    }
}

/// Where a round stands, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub sent: i64,
    pub pending: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub batches: usize,
    /// Events HQ took in this round.
    pub sent: i64,
    /// Events HQ already held (sent again after a cut).
    pub repeated: i64,
    pub rejected: Vec<(i64, String)>,
    pub retries: u32,
    pub held_seq: i64,
    /// Documents applied from HQ (`catalogue 2026.12`, `calendar 2027 v1`).
    pub applied: Vec<String>,
    /// A new enrolment made after a restore.
    pub reenrolled: Option<String>,
    /// Events of the centre's other terminals taken in from HQ this round.
    pub relayed: usize,
    /// Streams HQ relayed that this terminal refused, with why (kept out, the rest goes on).
    pub relay_refused: Vec<String>,
    /// Streams of the centre the county revoked, learnt this round.
    pub revoked: Vec<String>,
    /// Supervision notices (督办) received this round.
    pub supervisions: usize,
    /// What HQ reported of this terminal's messages, newly recorded.
    pub sms_reports: usize,
}

/// HQ's answer to a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub held_seq: i64,
    pub applied: i64,
    pub repeated: i64,
    #[serde(default)]
    pub rejected: Vec<Rejected>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    pub seq: i64,
    pub reason: String,
}

/// HQ's refusal: a stable code, a Chinese message, and for a gap the seq it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub held_seq: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct EnrolRequest {
    pub code: String,
    pub centre: String,
    pub terminal: String,
    pub base_seq: i64,
    pub base_hash: String,
    /// The terminal's Ed25519 public key (base64url): HQ names the stream by it, so that
    /// export files the terminal made before enrolling belong to the same stream.
    #[serde(default)]
    pub public_key: Option<String>,
    /// The key's Ed25519 signature (base64url) over [`enrol_message`]: whoever enrols a key
    /// holds its secret.
    #[serde(default)]
    pub key_proof: Option<String>,
}

pub fn enrol_message(code: &str, centre: &str, terminal: &str) -> Vec<u8> {
    format!("yichuang-enrol/1\n{code}\n{centre}\n{terminal}").into_bytes()
}

/// Checks an Ed25519 signature (base64url) by a base64url public key.
pub fn verify_ed25519(public_key: &str, message: &[u8], signature: &str) -> Result<(), SyncError> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let key: [u8; 32] = URL_SAFE_NO_PAD.decode(public_key).ok().and_then(|b| b.try_into().ok()).ok_or(SyncError::BadKey)?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| SyncError::BadKey)?;
    let sig: [u8; 64] = URL_SAFE_NO_PAD.decode(signature.trim()).ok().and_then(|b| b.try_into().ok()).ok_or(SyncError::BadSignature)?;
    key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&sig)).map_err(|_| SyncError::BadSignature)
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ReenrolRequest {
    pub terminal_uid: String,
    pub base_seq: i64,
    pub base_hash: String,
    /// HMAC with the old stream's key over [`reenrol_message`].
    pub proof: String,
    /// The terminal number the restored database numbers with (a restore takes a new one).
    #[serde(default)]
    pub terminal: Option<String>,
    /// The restored database's own key (a new epoch, a new key): HQ names the new stream by
    /// it, so the centre's other windows receive it. Covered by `proof`.
    #[serde(default)]
    pub public_key: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct EnrolResponse {
    pub terminal_uid: String,
    pub hmac_key: String,
    pub hq_public_key: String,
}

/// A terminal asks HQ for the rest of its centre: what it holds of each other terminal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelayRequest {
    pub terminal_uid: String,
    pub have: Vec<Held>,
    pub at: String,
    /// HMAC with the stream's key over [`relay_message`]: only an enrolled terminal of the
    /// centre reads the centre's streams.
    pub proof: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub stream: String,
    pub seq: i64,
}

pub fn relay_message(uid: &str, have: &[Held], at: &str) -> Vec<u8> {
    let mut m = format!("yichuang-relay/1\n{uid}\n{at}\n");
    for h in have {
        m.push_str(&format!("{}:{}\n", h.stream, h.seq));
    }
    m.into_bytes()
}

/// Another terminal's events, as HQ holds them, after what the asking terminal has.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelayedStream {
    pub stream: String,
    pub centre: String,
    pub terminal: String,
    pub public_key: String,
    pub prev_hash: String,
    pub events: Vec<crate::BatchEvent>,
}

/// HQ's answer, sent as a document it signs (`kind` `relay`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Relay {
    pub streams: Vec<RelayedStream>,
    /// More is held than one answer carries: ask again.
    pub more: bool,
    /// The centre's terminals the county revoked (a stolen PC): trusted by no window again.
    #[serde(default)]
    pub revoked: Vec<RevokedTerminal>,
    /// Supervision notices (督办) about the centre's cases that no window has answered yet.
    #[serde(default)]
    pub supervisions: Vec<RelayedSupervision>,
    /// What became of the centre's queued messages (短信): HQ sent them, or would not.
    #[serde(default)]
    pub sms: Vec<RelayedSms>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RelayedSms {
    /// The id of the `case.sms_queued` event.
    pub queued: String,
    pub case: String,
    /// `sent`, `delivered`, `failed` or `refused`.
    pub status: String,
    /// RFC 3339.
    pub at: String,
    #[serde(default)]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RelayedSupervision {
    pub id: String,
    pub case: String,
    pub text: String,
    /// YYYY-MM-DD
    pub deadline: String,
    pub issued_by: String,
    pub issued_at: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RevokedTerminal {
    pub stream: String,
    pub public_key: String,
    pub revoked_at: String,
    pub reason: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Updates {
    pub documents: Vec<SignedDocument>,
}

pub fn reenrol_message(uid: &str, base_seq: i64, base_hash: &str, public_key: Option<&str>) -> Vec<u8> {
    match public_key {
        Some(pk) => format!("yichuang-reenrol/2\n{uid}\n{base_seq}\n{base_hash}\n{pk}").into_bytes(),
        None => format!("yichuang-reenrol/1\n{uid}\n{base_seq}\n{base_hash}").into_bytes(),
    }
}

/// Checks an HMAC-SHA256 (base64) of `msg` with a base64 key, in constant time.
pub fn verify_hmac(key_b64: &str, msg: &[u8], mac_b64: &str) -> Result<(), SyncError> {
    let key = base64::engine::general_purpose::STANDARD.decode(key_b64.trim()).map_err(|_| SyncError::BadKey)?;
    let sent = base64::engine::general_purpose::STANDARD.decode(mac_b64.trim()).map_err(|_| SyncError::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| SyncError::BadKey)?;
    mac.update(msg);
    mac.verify_slice(&sent).map_err(|_| SyncError::BadSignature)
}

/// HMAC-SHA256 (base64) of `msg` with a base64 key.
pub fn hmac_b64(key_b64: &str, msg: &[u8]) -> Result<String, SyncError> {
    let key = base64::engine::general_purpose::STANDARD.decode(key_b64.trim()).map_err(|_| SyncError::BadKey)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| SyncError::BadKey)?;
    mac.update(msg);
    Ok(base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

struct Http {
    agent: ureq::Agent,
    opts: SyncOptions,
    retries: u32,
    /// The terminal's last event, told to HQ with each batch (HQ shows what is pending).
    head: Option<i64>,
}

enum Answer {
    Ok(String),
    Refused(u16, Refusal),
}

/// Refuses an HQ address that would carry the enrolment code and the stream's key in clear:
/// only `https://`, or `http://` to this very computer (a test, or a tunnel it runs).
pub fn check_hq_url(url: &str) -> Result<(), SyncError> {
    let url = url.trim();
    if let Some(rest) = url.strip_prefix("https://") {
        if !rest.is_empty() {
            return Ok(());
        }
    }
    if let Some(rest) = url.strip_prefix("http://") {
        let authority = rest.split('/').next().unwrap_or("");
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
        };
        let loopback = host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if loopback {
            return Ok(());
        }
        return Err(SyncError::Refused(format!(
            "县级地址“{url}”是明文 http：登记码和同步密钥会在网上明文传输，已拒绝。请使用 https:// 地址（县级可用 yichuang-hq tls-init 生成证书，本机在设置中导入县级根证书）"
        )));
    }
    Err(SyncError::Refused(format!("县级地址“{url}”应以 https:// 开头")))
}

impl Http {
    /// An agent that trusts, over TLS, only certificates the county's CA (`ca_pem`) issued;
    /// with no CA, the public roots.
    fn trusting(opts: &SyncOptions, ca_pem: &str) -> Result<Self, SyncError> {
        let mut config = ureq::Agent::config_builder().timeout_global(Some(opts.timeout)).http_status_as_error(false);
        if !ca_pem.trim().is_empty() {
            let roots: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(ca_pem.as_bytes())
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c.to_owned()),
                    _ => None,
                })
                .collect();
            if roots.is_empty() {
                return Err(SyncError::Refused("设置中的县级根证书无法读取，请重新导入县级提供的 county-ca.pem".into()));
            }
            let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::Specific(std::sync::Arc::new(roots))).build();
            config = config.tls_config(tls);
        }
        Ok(Self { agent: config.build().into(), opts: opts.clone(), retries: 0, head: None })
    }

    /// The agent for `store`'s HQ: its county CA, if the centre imported one.
    fn for_store(store: &Store, opts: &SyncOptions) -> Result<Self, SyncError> {
        Self::trusting(opts, &store.centre()?.settings.hq_ca)
    }

    /// One request, retried on network errors and 5xx with backoff and jitter.
    fn request(&mut self, method: &str, url: &str, body: Option<&[u8]>) -> Result<Answer, SyncError> {
        self.request_as(method, url, body, None)
    }

    /// A request whose raw body the stream's key signs (`x-yichuang-stream`,
    /// `x-yichuang-mac`): HQ checks that before it parses a byte of it.
    fn request_as(&mut self, method: &str, url: &str, body: Option<&[u8]>, signer: Option<(&str, &str)>) -> Result<Answer, SyncError> {
        let envelope = match (signer, body) {
            (Some((uid, key)), Some(b)) => Some((uid.to_owned(), hmac_b64(key, b)?)),
            _ => None,
        };
        let mut last = String::new();
        for attempt in 0..self.opts.max_attempts.max(1) {
            if attempt > 0 {
                self.retries += 1;
                std::thread::sleep(self.opts.backoff.delay(attempt - 1, random()));
            }
            let result = match body {
                Some(b) => {
                    let mut req = self.agent.post(url).header("content-type", "application/json");
                    if let Some((uid, mac)) = &envelope {
                        req = req.header("x-yichuang-stream", uid.as_str()).header("x-yichuang-mac", mac.as_str());
                    }
                    req.send(b)
                }
                None if method == "GET" => self.agent.get(url).call(),
                None => self.agent.post(url).send_empty(),
            };
            let mut resp = match result {
                Ok(r) => r,
                // A certificate nobody here trusts does not get better by trying again.
                Err(e) if certificate_refused(&e) => {
                    return Err(SyncError::Unreachable(format!(
                        "{}：县级的证书不是本机信任的机构签发的（{e}）；若县级使用自己的根证书，请在设置中导入县级提供的 county-ca.pem",
                        network_words(&e)
                    )))
                }
                Err(e) => {
                    last = network_words(&e);
                    continue;
                }
            };
            let status = resp.status().as_u16();
            let text = match resp.body_mut().with_config().limit(64 << 20).read_to_string() {
                Ok(t) => t,
                Err(e) => {
                    last = e.to_string();
                    continue;
                }
            };
            if status >= 500 {
                last = format!("HTTP {status}");
                continue;
            }
            if status >= 400 {
                let refusal = serde_json::from_str(&text).unwrap_or(Refusal { code: format!("http.{status}"), message: text, held_seq: None });
                return Ok(Answer::Refused(status, refusal));
            }
            return Ok(Answer::Ok(text));
        }
        Err(SyncError::Unreachable(last))
    }
}

/// Whether TLS refused the other side's certificate (rustls reports it through an I/O error).
fn certificate_refused(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => true,
        ureq::Error::Io(io) => io.get_ref().is_some_and(|inner| inner.to_string().contains("certificate")),
        _ => false,
    }
}

/// A network failure in words a clerk can act on (the system's own text only as a last resort).
pub(crate) fn network_words(e: &ureq::Error) -> String {
    use std::io::ErrorKind;
    let io_kind = match e {
        ureq::Error::Io(io) => Some(io.kind()),
        _ => None,
    };
    match (e, io_kind) {
        (_, Some(ErrorKind::ConnectionRefused)) => "对方拒绝连接：那台电脑未开机，或一窗通未在运行".into(),
        (_, Some(ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe)) => "连接中途断开".into(),
        (_, Some(ErrorKind::TimedOut)) | (ureq::Error::Timeout(_), _) => "等待应答超时".into(),
        (_, Some(ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable | ErrorKind::AddrNotAvailable)) => "网络不通".into(),
        (ureq::Error::HostNotFound, _) => "找不到这个地址的电脑".into(),
        (ureq::Error::Tls(_) | ureq::Error::Rustls(_), _) => "安全连接（TLS）建立失败".into(),
        _ => format!("网络错误：{e}"),
    }
}

fn url(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, SyncError> {
    serde_json::from_str(text).map_err(|e| SyncError::Refused(format!("县级服务器的答复无法理解：{e}")))
}

/// Enrols this terminal with a one-time code from HQ staff.
pub fn enrol(store: &mut Store, hq_url: &str, code: &str, opts: &SyncOptions, now: DateTime<FixedOffset>) -> Result<Enrolment, SyncError> {
    let centre = store.centre()?.clone();
    if let Some(e) = store.enrolment()? {
        // A second stream of the same events would count every case twice at HQ.
        return Err(SyncError::Refused(format!("本机已在县级登记为终端{}，无需再次登记", e.terminal_uid)));
    }
    // The stream starts at the terminal's first event, not at the head: what the centre did
    // before it had a network reaches HQ too.
    let (base_seq, base_hash) = (0, GENESIS_HASH.to_owned());
    let public_key = store.terminal_public_key()?;
    let key_proof = match public_key {
        Some(_) => Some(store.sign_as_terminal(&enrol_message(code.trim(), centre.code.as_str(), &centre.terminal.to_string()))?),
        None => None,
    };
    let req = EnrolRequest {
        code: code.trim().to_owned(),
        centre: centre.code.to_string(),
        terminal: centre.terminal.to_string(),
        base_seq,
        base_hash: base_hash.clone(),
        public_key,
        key_proof,
    };
    let body = serde_json::to_vec(&req).unwrap_or_default();
    check_hq_url(hq_url)?;
    let mut http = Http::for_store(store, opts)?;
    let hq_url = hq_url.trim_end_matches('/');
    enrol_with(store, &mut http, hq_url, "/api/v1/enrol", &body, base_seq, base_hash, now)
}

/// Posts an enrolment request and keeps the stream HQ answers with.
#[allow(clippy::too_many_arguments)]
fn enrol_with(
    store: &mut Store,
    http: &mut Http,
    hq_url: &str,
    path: &str,
    body: &[u8],
    base_seq: i64,
    base_hash: String,
    now: DateTime<FixedOffset>,
) -> Result<Enrolment, SyncError> {
    let resp: EnrolResponse = match http.request("POST", &url(hq_url, path), Some(body))? {
        Answer::Ok(t) => parse(&t)?,
        Answer::Refused(_, r) => return Err(SyncError::Refused(r.message)),
    };
    let e = Enrolment {
        terminal_uid: resp.terminal_uid,
        hq_url: hq_url.to_owned(),
        hmac_key: resp.hmac_key,
        hq_public_key: resp.hq_public_key,
        base_seq,
        base_hash,
        enrolled_at: now.to_rfc3339(),
    };
    store.record_enrolment(&e)?;
    Ok(e)
}

/// One round: send everything pending, then take HQ's updates.
pub fn sync(
    store: &mut Store,
    opts: &SyncOptions,
    now: DateTime<FixedOffset>,
    progress: &mut dyn FnMut(Progress),
) -> Result<SyncReport, SyncError> {
    let mut e = store.enrolment()?.ok_or(SyncError::NotEnrolled)?;
    check_hq_url(&e.hq_url)?;
    let mut http = Http::for_store(store, opts)?;
    let mut report = SyncReport::default();
    http.head = Some(store.head()?.0);
    if let Some((_, backup_head)) = store.unseen_restore(&e)? {
        // The old stream ends with the backup's last event; what follows is a new stream.
        send(store, &mut http, &e, backup_head, opts, now, &mut report, progress)?;
        e = reenrol(store, &mut http, &e, backup_head, now)?;
        report.reenrolled = Some(e.terminal_uid.clone());
    }
    let (head, _) = store.head()?;
    http.head = Some(head);
    send(store, &mut http, &e, head, opts, now, &mut report, progress)?;
    fetch_updates(store, &mut http, &e, now, &mut report)?;
    fetch_centre(store, &mut http, &e, now, &mut report)?;
    report.retries = http.retries;
    report.held_seq = store.held_seq(&e)?;
    Ok(report)
}

fn reenrol(store: &mut Store, http: &mut Http, old: &Enrolment, base_seq: i64, now: DateTime<FixedOffset>) -> Result<Enrolment, SyncError> {
    let base_hash = store.event_hash(base_seq)?;
    let public_key = store.terminal_public_key()?;
    let req = ReenrolRequest {
        terminal_uid: old.terminal_uid.clone(),
        base_seq,
        base_hash: base_hash.clone(),
        proof: hmac_b64(&old.hmac_key, &reenrol_message(&old.terminal_uid, base_seq, &base_hash, public_key.as_deref()))?,
        terminal: Some(store.centre()?.terminal.to_string()),
        public_key,
    };
    let body = serde_json::to_vec(&req).unwrap_or_default();
    enrol_with(store, http, &old.hq_url, "/api/v1/reenrol", &body, base_seq, base_hash, now)
}

/// Sends the stream's events up to `upto` until HQ holds them.
#[allow(clippy::too_many_arguments)]
fn send(
    store: &mut Store,
    http: &mut Http,
    e: &Enrolment,
    upto: i64,
    opts: &SyncOptions,
    now: DateTime<FixedOffset>,
    report: &mut SyncReport,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), SyncError> {
    let centre = store.centre()?.code.to_string();
    let mut gaps = 0;
    loop {
        let held = store.held_seq(e)?;
        progress(Progress { sent: report.sent, pending: (upto - held).max(0) });
        if held >= upto {
            return Ok(());
        }
        let mut events = store.events_between(held + 1, upto.min(held + opts.batch_events.max(1) as i64))?;
        // Keep the batch under its byte bound (always at least one event).
        let mut bytes = 0;
        let keep = events
            .iter()
            .take_while(|ev| {
                bytes += ev.payload.len() + 400;
                bytes <= opts.batch_bytes
            })
            .count()
            .max(1);
        events.truncate(keep);
        let prev = store.event_hash(held)?;
        let batch = Batch::build_reporting(&centre, &e.terminal_uid, &prev, events, &e.hmac_key, &now.to_rfc3339(), http.head)?;
        match http.request_as("POST", &url(&e.hq_url, "/api/v1/batches"), Some(&batch.to_bytes()), Some((&e.terminal_uid, &e.hmac_key)))? {
            Answer::Ok(t) => {
                let ack: Ack = parse(&t)?;
                let rejected: Vec<(i64, String)> = ack.rejected.iter().map(|r| (r.seq, r.reason.clone())).collect();
                store.record_ack(&e.terminal_uid, ack.held_seq, &rejected, now)?;
                report.batches += 1;
                report.sent += ack.applied;
                report.repeated += ack.repeated;
                report.rejected.extend(rejected);
            }
            // HQ holds less (or more) than this terminal thought: go on from what it holds.
            Answer::Refused(422, Refusal { held_seq: Some(h), .. }) if gaps < 3 && h != held => {
                gaps += 1;
                store.record_ack(&e.terminal_uid, h, &[], now)?;
            }
            Answer::Refused(_, r) => return Err(SyncError::Refused(r.message)),
        }
    }
}

/// Takes HQ's catalogue and calendars newer than this terminal's, each checked against HQ's
/// signature and applied in one transaction (the store's import), or refused as a whole.
fn fetch_updates(store: &mut Store, http: &mut Http, e: &Enrolment, now: DateTime<FixedOffset>, report: &mut SyncReport) -> Result<(), SyncError> {
    let catalogue = store.catalogue_version().unwrap_or_default().to_owned();
    let calendars: Vec<String> = store.calendar_versions()?.iter().map(|(y, v)| format!("{y}:{v}")).collect();
    let q = format!(
        "/api/v1/updates?terminal_uid={}&catalogue={}&calendars={}",
        e.terminal_uid,
        percent(&catalogue),
        percent(&calendars.join(","))
    );
    let updates: Updates = match http.request("GET", &url(&e.hq_url, &q), None)? {
        Answer::Ok(t) => parse(&t)?,
        Answer::Refused(_, r) => return Err(SyncError::Refused(r.message)),
    };
    for doc in updates.documents {
        if let Err(err) = doc.verify(&e.hq_public_key) {
            store.record_download(&doc.kind, &doc.version, false, Some(&err.to_string()), now)?;
            continue;
        }
        let applied = match doc.kind.as_str() {
            "catalogue" => store.import_catalogue("hq", &doc.body, now).map(|v| format!("事项目录 {v}")),
            "calendar" => store.import_calendar("hq", &doc.body, now).map(|(y, v)| format!("{y}年节假日安排 第{v}版")),
            _ => continue,
        };
        match applied {
            Ok(what) => {
                store.record_download(&doc.kind, &doc.version, true, None, now)?;
                report.applied.push(what);
            }
            Err(err) => store.record_download(&doc.kind, &doc.version, false, Some(&err.to_string()), now)?,
        }
    }
    Ok(())
}

/// Takes the centre's other terminals' streams that HQ holds and this terminal lacks, each
/// answer checked against HQ's signature, each stream against its chain, and folded in.
fn fetch_centre(store: &mut Store, http: &mut Http, e: &Enrolment, now: DateTime<FixedOffset>, report: &mut SyncReport) -> Result<(), SyncError> {
    // Streams refused this round are asked for no more (as if held to the end), so that they
    // do not come first again and starve the others.
    let mut refused_streams: Vec<String> = vec![];
    for _ in 0..1000 {
        let mut have: Vec<Held> = store.peer_streams()?.into_iter().map(|p| Held { stream: p.stream, seq: p.held_seq }).collect();
        have.retain(|h| !refused_streams.contains(&h.stream));
        have.extend(refused_streams.iter().map(|s| Held { stream: s.clone(), seq: i64::MAX }));
        let at = now.to_rfc3339();
        let proof = hmac_b64(&e.hmac_key, &relay_message(&e.terminal_uid, &have, &at))?;
        let body = serde_json::to_vec(&RelayRequest { terminal_uid: e.terminal_uid.clone(), have, at: at.clone(), proof }).unwrap_or_default();
        let doc: SignedDocument = match http.request("POST", &url(&e.hq_url, "/api/v1/relay"), Some(&body))? {
            Answer::Ok(t) => parse(&t)?,
            // An HQ of an earlier version relays nothing.
            Answer::Refused(404, _) => return Ok(()),
            Answer::Refused(_, r) => return Err(SyncError::Refused(r.message)),
        };
        if doc.kind != "relay" {
            return Err(SyncError::BadDocument("本中心其他终端的记录".into()));
        }
        doc.verify(&e.hq_public_key)?;
        if doc.version != at {
            return Err(SyncError::BadDocument("本中心其他终端的记录（答复与请求不符）".into()));
        }
        let relay: Relay = parse(&doc.body)?;
        for r in &relay.revoked {
            if store.note_revoked(&r.public_key, &r.stream, &r.reason, &r.revoked_at, now)? {
                report.revoked.push(r.stream.clone());
            }
        }
        for n in &relay.supervisions {
            let Ok(deadline) = n.deadline.parse() else { continue };
            let notice = yichuang_store::SupervisionNotice {
                id: n.id.clone(),
                case_number: n.case.clone(),
                text: n.text.clone(),
                deadline,
                issued_by: n.issued_by.clone(),
                issued_at: n.issued_at.clone(),
            };
            match store.note_supervision(&notice, now) {
                Ok(true) => report.supervisions += 1,
                Ok(false) => {}
                Err(e) => report.relay_refused.push(e.to_string()),
            }
        }
        for m in &relay.sms {
            let sms = yichuang_store::SmsReport {
                queued_event: m.queued.clone(),
                case_number: m.case.clone(),
                status: m.status.clone(),
                at: m.at.clone(),
                detail: m.detail.clone(),
            };
            match store.note_sms_report(&sms, now) {
                Ok(true) => report.sms_reports += 1,
                Ok(false) => {}
                Err(e) => report.relay_refused.push(e.to_string()),
            }
        }
        for r in relay.streams {
            if r.events.is_empty() {
                continue;
            }
            let events = r.events.into_iter().map(crate::BatchEvent::into_record).collect();
            let terminal = r.terminal.clone();
            let stream = r.stream.clone();
            let got = store.import_peer(
                yichuang_store::PeerBatch { stream: r.stream, centre: r.centre, terminal: r.terminal, public_key: r.public_key, prev_hash: r.prev_hash, events },
                yichuang_store::Acceptance::Hq,
                "hq",
                now,
            );
            match got {
                Ok(got) => report.relayed += got.new,
                // One stream refused (a PC set up with this one's terminal number, a chain that
                // does not continue) holds up neither the others nor the next round.
                Err(err) => {
                    report.relay_refused.push(format!("终端{terminal}：{err}"));
                    refused_streams.push(stream);
                }
            }
        }
        if !relay.more {
            return Ok(());
        }
    }
    Ok(())
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~:,".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[cfg(test)]
mod url_tests {
    use super::check_hq_url;

    #[test]
    fn only_https_or_this_computer_may_carry_the_code_and_key() {
        for ok in ["https://hq.county.gov.cn", "https://10.1.2.3:8470/", "http://127.0.0.1:8470", "http://localhost:1", "http://[::1]:8470"] {
            assert!(check_hq_url(ok).is_ok(), "{ok}");
        }
        for bad in ["http://10.1.2.3:8470", "http://hq.county.gov.cn", "http://127.0.0.1.evil.example", "ftp://x", "https://", "hq.county"] {
            let e = check_hq_url(bad).unwrap_err();
            assert!(e.to_string().contains("https://"), "{bad}: {e}");
        }
    }
}
