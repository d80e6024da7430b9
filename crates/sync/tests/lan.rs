//! The LAN protocol between windows of one centre, against real servers on loopback and real
//! database files: a trusted window pulls another's stream, once; a stranger, another centre,
//! a forged or replayed request, a swapped key and an eavesdropper all get nothing, and
//! nothing is written by a refusal.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use yichuang_core::{CentreCode, TerminalId};
use yichuang_store::Store;
use yichuang_sync::lan::{self, PeerServer, RoundRequest, LAN_FORMAT};
use yichuang_sync::seal::Sealed;
use yichuang_sync::SyncError;

const CENTRE: &str = "450821102";
const T: Duration = Duration::from_secs(20);

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-23T09:30:00+08:00").unwrap()
}

struct Window {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Window {
    fn new(centre: &str, terminal: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("centre.db");
        let mut s = Store::open(&db).unwrap();
        s.initialise(CentreCode::parse(centre).unwrap(), "示范镇便民服务中心", TerminalId::parse(terminal).unwrap(), now()).unwrap();
        s.load_demo(now()).unwrap();
        Self { _dir: dir, db }
    }

    fn store(&self) -> Store {
        Store::open(&self.db).unwrap()
    }

    fn count(&self, table: &str) -> i64 {
        let c = rusqlite::Connection::open(&self.db).unwrap();
        c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
    }
}

/// A window's `serve-peer` on a free loopback port, stopped when dropped.
struct Served {
    url: String,
    stop: Arc<AtomicBool>,
    join: Option<JoinHandle<()>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(j) = self.join.take() {
            j.join().unwrap();
        }
    }
}

fn serve(w: &Window) -> Served {
    let server = PeerServer::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", server.local_addr());
    let stop = Arc::new(AtomicBool::new(false));
    let (db, flag) = (w.db.clone(), stop.clone());
    let join = std::thread::spawn(move || {
        let store = Store::open(&db).unwrap();
        server.serve(&store, &flag, &now);
    });
    Served { url, stop, join: Some(join) }
}

fn post(url: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(T)).http_status_as_error(false).build().into();
    let mut r = agent.post(format!("{url}/peer/v1/round")).header("content-type", "application/json").send(body).unwrap();
    (r.status().as_u16(), r.body_mut().read_to_vec().unwrap())
}

/// A genuine round request by `from` for the served window's whole stream.
fn request(from: &Store, url: &str) -> RoundRequest {
    let h = lan::hello(url, T).unwrap();
    let c = from.centre().unwrap();
    let pk = from.terminal_public_key().unwrap().unwrap();
    let (code, terminal) = (c.code.to_string(), c.terminal.to_string());
    let signature = from.sign_as_terminal(&lan::round_message(&code, &terminal, &pk, &h.nonce, None)).unwrap();
    RoundRequest { format: LAN_FORMAT.into(), centre: code, terminal, public_key: pk, nonce: h.nonce, held: None, signature }
}

fn message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body).unwrap()["message"].as_str().unwrap().to_owned()
}

#[test]
fn a_trusted_window_pulls_the_others_stream_once() {
    let (w1, w2) = (Window::new(CENTRE, "01"), Window::new(CENTRE, "02"));
    let (s1, s2) = (serve(&w1), serve(&w2));
    let (mut t1, mut t2) = (w1.store(), w2.store());

    // A key seen for the first time is taken only by a head, and never by a clerk.
    let err = lan::add_peer(&mut t2, &s1.url, None, now()).unwrap_err();
    assert!(err.to_string().contains("指纹"), "{err}");
    let err = lan::add_peer(&mut t2, &s1.url, Some("demo"), now()).unwrap_err();
    assert!(err.to_string().contains("没有认可其他窗口的权限"), "{err}");
    assert_eq!(w2.count("peer_endpoint"), 0, "nothing written by a refusal");
    let e1 = lan::add_peer(&mut t2, &s1.url, Some("head"), now()).unwrap();
    assert_eq!((e1.terminal.as_str(), e1.fingerprint.as_str()), ("01", yichuang_sync::key_fingerprint(&t1.terminal_public_key().unwrap().unwrap()).as_str()));

    // Window 01 does not know 02 yet: it refuses, and says what to do.
    let err = lan::round(&mut t2, &e1, T, now()).unwrap_err();
    assert!(matches!(err, SyncError::PeerRefused(ref m) if m.contains("尚未认可终端02")), "{err}");
    assert_eq!(w2.count("peer_event"), 0);

    lan::add_peer(&mut t1, &s2.url, Some("head"), now()).unwrap();
    let r = lan::round(&mut t2, &e1, T, now()).unwrap();
    let head1 = t1.head().unwrap().0;
    assert_eq!(r.new as i64, head1, "window 02 holds all of 01's stream");
    assert_eq!(w2.count("peer_event"), head1);
    let again = lan::round(&mut t2, &e1, T, now()).unwrap();
    assert_eq!((again.new, again.repeated), (0, 0), "a round with nothing new brings nothing");
    let p = t2.peer_streams().unwrap();
    assert_eq!((p[0].terminal.as_str(), p[0].last_via.as_deref(), p[0].held_seq), ("01", Some("lan"), head1));

    // And the other way: 01 pulls 02, including 02's `peer.trusted` event.
    let rounds = lan::rounds(&mut t1, T, now()).unwrap();
    assert_eq!(rounds.len(), 1);
    assert_eq!((rounds[0].error.as_deref(), rounds[0].new as i64), (None, t2.head().unwrap().0));
    assert!(t1.peer_endpoints().unwrap()[0].last_ok_at.is_some());
    assert_eq!(t2.verify().unwrap().fault, None);
    assert_eq!(t1.verify().unwrap().fault, None);
}

#[test]
fn strangers_forgers_and_replays_get_nothing() {
    let (w1, w2, w3) = (Window::new(CENTRE, "01"), Window::new(CENTRE, "02"), Window::new(CENTRE, "03"));
    let s1 = serve(&w1);
    let (mut t1, mut t2, t3) = (w1.store(), w2.store(), w3.store());
    let s2 = serve(&w2);
    lan::add_peer(&mut t1, &s2.url, Some("head"), now()).unwrap();
    let before = w1.count("event");

    // Another centre's window is refused at `peer add`, and by the server.
    let other = Window::new("450821103", "05");
    let mut t9 = other.store();
    let err = lan::add_peer(&mut t9, &s1.url, Some("head"), now()).unwrap_err();
    assert!(err.to_string().contains("本机属于中心450821103"), "{err}");
    let (status, body) = post(&s1.url, &serde_json::to_vec(&request(&t9, &s1.url)).unwrap());
    assert_eq!((status, message(&body).as_str()), (403, "不是本中心的窗口，拒绝"));

    // A window of this centre that 01 never trusted: refused, told its fingerprint.
    let (status, body) = post(&s1.url, &serde_json::to_vec(&request(&t3, &s1.url)).unwrap());
    assert_eq!(status, 403);
    assert!(message(&body).contains("尚未认可终端03"));

    // A forged signature; a trusted key claiming another terminal number; garbage; a flood.
    let mut forged = request(&t2, &s1.url);
    forged.held = Some((0, "x".into()));
    assert_eq!(post(&s1.url, &serde_json::to_vec(&forged).unwrap()).0, 401);
    let mut claim = request(&t2, &s1.url);
    claim.terminal = "04".into();
    claim.signature = t2
        .sign_as_terminal(&lan::round_message(&claim.centre, &claim.terminal, &claim.public_key, &claim.nonce, None))
        .unwrap();
    assert_eq!(post(&s1.url, &serde_json::to_vec(&claim).unwrap()).0, 403);
    assert_eq!(post(&s1.url, b"{not json").0, 400);
    assert_eq!(post(&s1.url, &vec![b' '; 1 << 20]).0, 413);

    // A genuine request works once; the same bytes again find their nonce spent.
    let good = serde_json::to_vec(&request(&t2, &s1.url)).unwrap();
    let (status, answer) = post(&s1.url, &good);
    assert_eq!(status, 200);
    assert_eq!(post(&s1.url, &good).0, 401, "a replayed request is refused");

    // The answer is sealed to 02 alone: 03, or anyone on the wire, cannot open it.
    let sealed = Sealed::sniff(&answer).unwrap();
    assert!(!String::from_utf8_lossy(&answer).contains("示范镇"), "nothing readable on the wire");
    let pk3 = t3.terminal_public_key().unwrap().unwrap();
    assert!(matches!(sealed.open(&pk3, |e| Ok(t3.agree_as_terminal(e)?)), Err(SyncError::NotForUs)));
    let pk2 = t2.terminal_public_key().unwrap().unwrap();
    let plain = sealed.open(&pk2, |e| Ok(t2.agree_as_terminal(e)?)).unwrap();
    yichuang_sync::Batch::from_bytes(&plain).unwrap().verify_key_signature().unwrap();

    // A window whose key changed since it was added (another PC at that address) is refused.
    let mut e = lan::add_peer(&mut t2, &s1.url, Some("head"), now()).unwrap();
    e.public_key = pk3;
    let err = lan::round(&mut t2, &e, T, now()).unwrap_err();
    assert!(err.to_string().contains("与认可时的不同"), "{err}");
    assert_eq!(w2.count("peer_event"), 0);
    assert_eq!(w1.count("event"), before, "the server wrote nothing for any of it");
}

#[test]
fn a_window_that_is_off_is_noted_and_the_others_go_on() {
    let (w1, w2, w3) = (Window::new(CENTRE, "01"), Window::new(CENTRE, "02"), Window::new(CENTRE, "03"));
    let (s1, s3) = (serve(&w1), serve(&w3));
    let (mut t1, mut t2, mut t3) = (w1.store(), w2.store(), w3.store());
    let url3 = s3.url.clone();
    lan::add_peer(&mut t2, &s1.url, Some("head"), now()).unwrap();
    lan::add_peer(&mut t2, &url3, Some("head"), now()).unwrap();
    lan::add_peer(&mut t1, &format!("http://{}", "127.0.0.1:9"), Some("head"), now()).unwrap_err();
    // Both trust 02 through the LAN; then 03 is switched off.
    let s2 = serve(&w2);
    lan::add_peer(&mut t1, &s2.url, Some("head"), now()).unwrap();
    lan::add_peer(&mut t3, &s2.url, Some("head"), now()).unwrap();
    drop(s3);
    let rounds = lan::rounds(&mut t2, Duration::from_secs(5), now()).unwrap();
    assert_eq!(rounds.len(), 2);
    assert!(rounds[0].error.is_none() && rounds[0].new > 0, "{rounds:?}");
    assert!(rounds[1].error.as_deref().unwrap().contains("连不上本中心的窗口"), "{rounds:?}");
    let e = t2.peer_endpoints().unwrap();
    assert!(e[0].last_ok_at.is_some() && e[1].last_error.is_some());
}
