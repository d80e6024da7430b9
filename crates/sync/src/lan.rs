//! The centre's LAN: windows exchange their streams directly, with no county link.
//!
//! Every window serves its own stream (`serve-peer`) and pulls the others' on each sync round.
//! A round is two requests:
//! 1. `GET /peer/v1/hello?challenge=C`: the window answers who it is (centre, terminal, key),
//!    how far its stream goes, and a fresh single-use nonce, all signed by its key over the
//!    caller's challenge: the caller knows it speaks to the key it pinned, now.
//! 2. `POST /peer/v1/round`: the caller names itself and what it holds of the window's stream,
//!    signed by its own key over the nonce. The window answers only a trusted key of its own
//!    centre (a stream it holds, or an address a head added), once per nonce, with the next
//!    run of its stream as a key-signed batch sealed to the caller's key: a machine outside the
//!    centre can neither ask nor read, and a replayed request finds its nonce spent.
//!
//! The caller then checks the batch exactly as a file from a USB stick ([`crate::export`]).

use std::collections::VecDeque;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use yichuang_store::{PeerEndpoint, PeerHello, PeerImport, Store};

use crate::client::{verify_ed25519, Refusal};
use crate::seal::Sealed;
use crate::{key_fingerprint, local_stream_id, Batch, SyncError};

pub const LAN_FORMAT: &str = "yichuang-lan/1";
/// The port a window listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 47810;
/// At most this many events in one answer; the caller asks again for the rest.
pub const ROUND_EVENTS: i64 = 5000;
const MAX_REQUEST: usize = 16 << 10;
const NONCE_LIFE: Duration = Duration::from_secs(60);
const NONCES_HELD: usize = 4096;

/// A window's answer to `hello`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub format: String,
    pub centre: String,
    pub terminal: String,
    pub public_key: String,
    /// The last seq of its stream.
    pub head_seq: i64,
    pub nonce: String,
    /// Ed25519 over [`hello_message`] with the caller's challenge.
    pub signature: String,
}

pub fn hello_message(centre: &str, terminal: &str, public_key: &str, challenge: &str, nonce: &str, head_seq: i64) -> Vec<u8> {
    format!("yichuang-lan-hello/1\n{centre}\n{terminal}\n{public_key}\n{challenge}\n{nonce}\n{head_seq}").into_bytes()
}

/// The caller's request for the next run of the window's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundRequest {
    pub format: String,
    pub centre: String,
    pub terminal: String,
    pub public_key: String,
    /// The window's nonce from `hello`.
    pub nonce: String,
    /// What the caller holds of the window's stream: its last seq and hash (none: nothing yet).
    pub held: Option<(i64, String)>,
    /// Ed25519 over [`round_message`].
    pub signature: String,
}

pub fn round_message(centre: &str, terminal: &str, public_key: &str, nonce: &str, held: Option<&(i64, String)>) -> Vec<u8> {
    let held = held.map_or("-".to_owned(), |(s, h)| format!("{s}:{h}"));
    format!("yichuang-lan-round/1\n{centre}\n{terminal}\n{public_key}\n{nonce}\n{held}").into_bytes()
}

fn random_b64(n: usize) -> Result<String, SyncError> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).map_err(|e| SyncError::Io(std::io::Error::other(e.to_string())))?;
    Ok(URL_SAFE_NO_PAD.encode(b))
}

/// A window's `serve-peer`: one listener, answering one request at a time from one store.
pub struct PeerServer {
    http: tiny_http::Server,
    nonces: Mutex<VecDeque<(String, Instant)>>,
}

struct Reply {
    status: u16,
    body: Vec<u8>,
}

fn refuse(status: u16, code: &str, message: impl Into<String>) -> Reply {
    let r = Refusal { code: code.to_owned(), message: message.into(), held_seq: None };
    Reply { status, body: serde_json::to_vec(&r).unwrap_or_default() }
}

impl PeerServer {
    /// Listens on `addr` (`0.0.0.0:47810`, `127.0.0.1:0` for any free port).
    pub fn bind(addr: &str) -> Result<Self, SyncError> {
        let http = tiny_http::Server::http(addr).map_err(|e| SyncError::Io(std::io::Error::other(format!("无法在{addr}上监听：{e}"))))?;
        Ok(Self { http, nonces: Mutex::new(VecDeque::new()) })
    }

    /// The address it listens on, with the port the system chose.
    pub fn local_addr(&self) -> String {
        self.http.server_addr().to_string()
    }

    /// Answers requests until `stop` is set (checked at least every 200 ms).
    pub fn serve(&self, store: &Store, stop: &AtomicBool, now: &dyn Fn() -> DateTime<FixedOffset>) {
        while !stop.load(Ordering::Relaxed) {
            let Ok(Some(mut req)) = self.http.recv_timeout(Duration::from_millis(200)) else { continue };
            let reply = self.handle(store, &mut req, now());
            let resp = tiny_http::Response::from_data(reply.body).with_status_code(reply.status).with_header(
                tiny_http::Header::from_bytes(&b"content-type"[..], &b"application/json; charset=utf-8"[..]).expect("a static header"),
            );
            let _ = req.respond(resp);
        }
    }

    fn handle(&self, store: &Store, req: &mut tiny_http::Request, now: DateTime<FixedOffset>) -> Reply {
        let url = req.url().to_owned();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        match (req.method(), path) {
            (tiny_http::Method::Get, "/peer/v1/hello") => {
                let challenge = query.split('&').find_map(|kv| kv.strip_prefix("challenge=")).unwrap_or("");
                if challenge.len() < 16 || challenge.len() > 64 || !challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                    return refuse(400, "lan.bad_request", "请求缺少有效的挑战值");
                }
                self.hello(store, challenge).unwrap_or_else(|e| refuse(500, "lan.error", e.to_string()))
            }
            (tiny_http::Method::Post, "/peer/v1/round") => {
                if req.body_length().is_some_and(|n| n > MAX_REQUEST) {
                    return refuse(413, "lan.too_large", "请求过大");
                }
                let mut body = Vec::new();
                if req.as_reader().take(MAX_REQUEST as u64 + 1).read_to_end(&mut body).is_err() || body.len() > MAX_REQUEST {
                    return refuse(413, "lan.too_large", "请求过大或不完整");
                }
                let Ok(r) = serde_json::from_slice::<RoundRequest>(&body) else {
                    return refuse(400, "lan.bad_request", "请求无法理解");
                };
                match self.round(store, &r, now) {
                    Ok(reply) | Err(reply) => reply,
                }
            }
            _ => refuse(404, "lan.not_found", "没有这个地址"),
        }
    }

    fn hello(&self, store: &Store, challenge: &str) -> Result<Reply, SyncError> {
        let centre = store.centre()?.clone();
        let public_key = store.terminal_public_key()?.ok_or(SyncError::BadKey)?;
        let nonce = random_b64(18)?;
        {
            let mut n = self.nonces.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            while n.front().is_some_and(|(_, at)| now.duration_since(*at) > NONCE_LIFE) || n.len() >= NONCES_HELD {
                n.pop_front();
            }
            n.push_back((nonce.clone(), now));
        }
        let (head_seq, _) = store.head()?;
        let (code, terminal) = (centre.code.to_string(), centre.terminal.to_string());
        let signature = store.sign_as_terminal(&hello_message(&code, &terminal, &public_key, challenge, &nonce, head_seq))?;
        let h = Hello { format: LAN_FORMAT.to_owned(), centre: code, terminal, public_key, head_seq, nonce, signature };
        Ok(Reply { status: 200, body: serde_json::to_vec(&h).unwrap_or_default() })
    }

    fn take_nonce(&self, nonce: &str) -> bool {
        let mut n = self.nonces.lock().unwrap_or_else(|p| p.into_inner());
        let Some(i) = n.iter().position(|(v, _)| v == nonce) else { return false };
        let fresh = n[i].1.elapsed() <= NONCE_LIFE;
        n.remove(i);
        fresh
    }

    fn round(&self, store: &Store, r: &RoundRequest, now: DateTime<FixedOffset>) -> Result<Reply, Reply> {
        let fail = |e: SyncError| refuse(500, "lan.error", e.to_string());
        let centre = store.centre().map_err(|e| fail(e.into()))?.clone();
        if r.format != LAN_FORMAT {
            return Err(refuse(400, "lan.format", format!("协议“{}”不受支持，请升级程序", r.format)));
        }
        if r.centre != centre.code.as_str() {
            return Err(refuse(403, "lan.other_centre", "不是本中心的窗口，拒绝"));
        }
        // The signature before anything else is looked up: a stranger learns nothing.
        let message = round_message(&r.centre, &r.terminal, &r.public_key, &r.nonce, r.held.as_ref());
        if verify_ed25519(&r.public_key, &message, &r.signature).is_err() {
            return Err(refuse(401, "lan.bad_signature", "签名不符，拒绝"));
        }
        match store.trusted_peer(&r.public_key).map_err(|e| fail(e.into()))? {
            Some(t) if t == r.terminal => {}
            Some(_) | None => {
                let fp = key_fingerprint(&r.public_key);
                return Err(refuse(403, "lan.unknown_peer", format!("本窗口尚未认可终端{}（密钥指纹{fp}）：请中心负责人在本窗口添加它", r.terminal)));
            }
        }
        if !self.take_nonce(&r.nonce) {
            return Err(refuse(401, "lan.stale", "请求已用过或已过期，请重新发起"));
        }
        let base = store.local_stream_base().map_err(|e| fail(e.into()))?;
        let (head, _) = store.head().map_err(|e| fail(e.into()))?;
        let from = match &r.held {
            None => base + 1,
            Some((seq, hash)) => {
                if *seq < base || *seq > head || store.event_hash(*seq).map_err(|e| fail(e.into()))? != *hash {
                    return Err(refuse(409, "lan.diverged", format!("对方所持本窗口的第{seq}条记录与本窗口不一致")));
                }
                seq + 1
            }
        };
        let to = head.min(from + ROUND_EVENTS - 1);
        let batch = crate::export::key_signed(store, from, to.max(from - 1), now).map_err(fail)?;
        let sealed = crate::seal::seal(&batch.to_bytes(), "一窗通：本中心窗口之间的记录（已加密）", std::slice::from_ref(&r.public_key)).map_err(fail)?;
        Ok(Reply { status: 200, body: sealed.to_bytes() })
    }
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).build().into()
}

fn answer(resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>, url: &str) -> Result<Vec<u8>, SyncError> {
    let mut resp = resp.map_err(|e| SyncError::PeerUnreachable(url.to_owned(), crate::client::network_words(&e)))?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(256 << 20)
        .read_to_vec()
        .map_err(|e| SyncError::PeerUnreachable(url.to_owned(), crate::client::network_words(&e)))?;
    if status >= 400 {
        let message = serde_json::from_slice::<Refusal>(&body).map(|r| r.message).unwrap_or_else(|_| format!("HTTP {status}"));
        return Err(SyncError::PeerRefused(message));
    }
    Ok(body)
}

/// Asks the window at `url` who it is, and checks that it holds the key it names.
pub fn hello(url: &str, timeout: Duration) -> Result<Hello, SyncError> {
    let challenge = random_b64(18)?;
    let body = answer(agent(timeout).get(format!("{url}/peer/v1/hello?challenge={challenge}")).call(), url)?;
    let h: Hello = serde_json::from_slice(&body).map_err(|_| SyncError::PeerRefused(format!("{url}不是一窗通窗口")))?;
    if h.format != LAN_FORMAT {
        return Err(SyncError::Format(h.format));
    }
    verify_ed25519(&h.public_key, &hello_message(&h.centre, &h.terminal, &h.public_key, &challenge, &h.nonce, h.head_seq), &h.signature)
        .map_err(|_| SyncError::PeerRefused(format!("{url}的签名不符：它不持有它所称的密钥")))?;
    Ok(h)
}

/// `peer add URL`: asks the window who it is and pins its key (a key not trusted yet needs a
/// station head who compared its fingerprint with the one the other window shows).
pub fn add_peer(store: &mut Store, url: &str, accept_by: Option<&str>, now: DateTime<FixedOffset>) -> Result<PeerEndpoint, SyncError> {
    let url = yichuang_store::parse_peer_url(url)?;
    let h = hello(&url, Duration::from_secs(5))?;
    Ok(store.add_peer_endpoint(&url, &PeerHello { centre: h.centre, terminal: h.terminal, public_key: h.public_key }, accept_by, now)?)
}

/// What one window's round brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanRound {
    pub url: String,
    pub terminal: String,
    pub new: usize,
    pub repeated: usize,
    pub conflicts: usize,
    /// Why the round failed (the window is off, refused us, or answered wrongly).
    pub error: Option<String>,
}

/// One round with one window: pulls its stream until caught up.
pub fn round(store: &mut Store, peer: &PeerEndpoint, timeout: Duration, now: DateTime<FixedOffset>) -> Result<PeerImport, SyncError> {
    let centre = store.centre()?.clone();
    let (code, terminal) = (centre.code.to_string(), centre.terminal.to_string());
    let public_key = store.terminal_public_key()?.ok_or(SyncError::BadKey)?;
    let stream = local_stream_id(&code, &peer.terminal, &peer.public_key);
    if let Some(reason) = store.revoked(&peer.public_key)? {
        return Err(SyncError::PeerRefused(format!("{}（终端{}）已被县级吊销（{reason}），不再与它交换记录", peer.url, peer.terminal)));
    }
    let agent = agent(timeout);
    let mut total = PeerImport { stream: stream.clone(), terminal: peer.terminal.clone(), ..PeerImport::default() };
    for _ in 0..10_000 {
        let h = hello(&peer.url, timeout)?;
        if h.public_key != peer.public_key || h.terminal != peer.terminal || h.centre != code {
            return Err(SyncError::PeerRefused(format!(
                "{}现在的密钥（指纹{}）与认可时的不同：可能换了电脑或从备份恢复过，请中心负责人重新添加",
                peer.url,
                key_fingerprint(&h.public_key)
            )));
        }
        let held = store.held_peer(&stream)?;
        if held.as_ref().is_some_and(|(s, _)| *s >= h.head_seq) {
            break;
        }
        let message = round_message(&code, &terminal, &public_key, &h.nonce, held.as_ref());
        let req = RoundRequest {
            format: LAN_FORMAT.to_owned(),
            centre: code.clone(),
            terminal: terminal.clone(),
            public_key: public_key.clone(),
            nonce: h.nonce,
            held: held.clone(),
            signature: store.sign_as_terminal(&message)?,
        };
        let body = answer(
            agent
                .post(format!("{}/peer/v1/round", peer.url))
                .header("content-type", "application/json")
                .send(&serde_json::to_vec(&req).unwrap_or_default()),
            &peer.url,
        )?;
        let sealed = Sealed::sniff(&body).ok_or_else(|| SyncError::PeerRefused(format!("{}的答复不是加密的记录", peer.url)))?;
        let plain = sealed.open(&public_key, |e| Ok(store.agree_as_terminal(e)?))?;
        let b = Batch::from_bytes(&plain)?;
        b.check()?;
        b.verify_key_signature()?;
        if b.public_key.as_deref() != Some(peer.public_key.as_str()) || b.terminal_uid != stream {
            return Err(SyncError::PeerRefused(format!("{}发来的不是它自己的记录", peer.url)));
        }
        let got = b.events.len();
        let accept = match peer.accepted_by.as_str() {
            "held" => yichuang_store::Acceptance::None,
            by => yichuang_store::Acceptance::Head(by),
        };
        let r = store.import_peer(crate::export::peer_batch(b), accept, "lan", now)?;
        total.new += r.new;
        total.repeated += r.repeated;
        total.conflicts += r.conflicts;
        total.accepted |= r.accepted;
        if got == 0 {
            break;
        }
    }
    Ok(total)
}

/// One round with every window this one knows; each failure is noted for Settings and
/// reported, never stopping the others.
pub fn rounds(store: &mut Store, timeout: Duration, now: DateTime<FixedOffset>) -> Result<Vec<LanRound>, SyncError> {
    let mut out = Vec::new();
    for p in store.peer_endpoints()? {
        let r = round(store, &p, timeout, now);
        let error = r.as_ref().err().map(ToString::to_string);
        store.note_peer_round(&p.url, error.as_deref(), now)?;
        let r = r.unwrap_or_default();
        out.push(LanRound { url: p.url, terminal: p.terminal, new: r.new, repeated: r.repeated, conflicts: r.conflicts, error });
    }
    Ok(out)
}

/// A whole sync round, as the CLI and the window both run it: HQ first (its relay may bring
/// the keys of windows added later), then every window on the LAN; one path failing never
/// stops the other.
#[derive(Debug)]
pub struct Round {
    /// `None` when this terminal is not enrolled with HQ.
    pub hq: Option<Result<crate::SyncReport, SyncError>>,
    pub lan: Vec<LanRound>,
}

impl Round {
    /// Whether any path failed.
    pub fn failed(&self) -> bool {
        matches!(self.hq, Some(Err(_))) || self.lan.iter().any(|l| l.error.is_some())
    }

    /// Events of the centre's other windows taken in, by HQ's relay and by the LAN.
    pub fn brought(&self) -> usize {
        let relayed = match &self.hq {
            Some(Ok(r)) => r.relayed,
            _ => 0,
        };
        relayed + self.lan.iter().map(|l| l.new).sum::<usize>()
    }
}

/// Runs a round: refused (with what to do) when there is nowhere to sync with.
pub fn sync_everywhere(
    store: &mut Store,
    opts: &crate::SyncOptions,
    now: DateTime<FixedOffset>,
    progress: &mut dyn FnMut(crate::Progress),
) -> Result<Round, SyncError> {
    let enrolled = store.enrolment()?.is_some();
    if !enrolled && store.peer_endpoints()?.is_empty() {
        return Err(SyncError::NowhereToSync);
    }
    let hq = enrolled.then(|| crate::sync(store, opts, now, progress));
    let lan = rounds(store, opts.timeout.min(Duration::from_secs(10)), now)?;
    Ok(Round { hq, lan })
}
