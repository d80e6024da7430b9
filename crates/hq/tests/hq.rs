//! HQ against a real PostgreSQL (`scripts/pg-test-server.sh` starts one; `YICHUANG_PG_URL`
//! points at it) and real terminal databases: enrolment, batches over HTTP, every kind of bad
//! input, export files, HQ's documents coming down, a restore and its re-enrolment, and
//! exactly-once delivery with HQ and the client killed again and again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use yichuang_store::{ApplicantInput, IntakeRequest, Party, Store};
use yichuang_sync::{Batch, SyncOptions};

fn now(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}
const T: &str = "2026-11-23T09:00:00+08:00";

/// A fresh database of its own on the test PostgreSQL.
fn database() -> String {
    let admin = std::env::var("YICHUANG_PG_URL").expect("YICHUANG_PG_URL: run scripts/test.sh, or eval \"$(scripts/pg-test-server.sh)\"");
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let name = format!("hq_{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>());
    let out = Command::new("psql").args([&admin, "-qc", &format!("CREATE DATABASE {name}")]).output().expect("psql");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    admin.rsplit_once('/').map(|(base, _)| format!("{base}/{name}")).unwrap()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// HQ in this process, on a free port, on its own database.
struct Hq {
    url: String,
    db: String,
    rt: tokio::runtime::Runtime,
    pool: deadpool_postgres::Pool,
}

impl Hq {
    fn start() -> Self {
        let db = database();
        let rt = rt();
        let pool = yichuang_hq::pool(&db).unwrap();
        rt.block_on(yichuang_hq::migrate(&pool)).unwrap();
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let app = yichuang_hq::app(pool.clone());
        rt.spawn(async move { yichuang_hq::serve(listener, app).await.unwrap() });
        Self { url: format!("http://{addr}"), db, rt, pool }
    }

    fn code(&self, centre: &str) -> String {
        self.rt.block_on(async { yichuang_hq::enrol::make_code(&self.pool.get().await.unwrap(), centre, "测试中心", 1).await.unwrap() })
    }

    fn sql(&self, q: &str) -> i64 {
        self.rt.block_on(async { self.pool.get().await.unwrap().query_one(q, &[]).await.unwrap().get::<_, i64>(0) })
    }

    fn post(&self, path: &str, body: &[u8]) -> (u16, serde_json::Value) {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut req = agent.post(&format!("{}{path}", self.url)).header("content-type", "application/json");
        // A batch goes in its envelope, signed as the terminal it names signs it (a terminal,
        // or a thief, holding that stream's key): the checks inside are what the tests try.
        if let Some(b) = Batch::from_bytes(body).ok().filter(|_| path == "/api/v1/batches") {
            let key: Option<String> = self.rt.block_on(async {
                self.pool.get().await.unwrap().query_opt("SELECT hmac_key FROM terminal WHERE uid = $1", &[&b.terminal_uid]).await.unwrap().map(|r| r.get(0))
            });
            let mac = key.map(|k| yichuang_sync::client::hmac_b64(&k, body).unwrap()).unwrap_or_else(|| "bm90IGEgbWFj".into());
            req = req.header("x-yichuang-stream", &b.terminal_uid).header("x-yichuang-mac", &mac);
        }
        let mut r = req.send(body).unwrap();
        let status = r.status().as_u16();
        (status, serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap_or_default())
    }
}

/// A signed-in county staff member's cookie and CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

const PASSWORD: &str = "county-pass-2026";

fn no_redirects() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into()
}

impl Hq {
    /// A staff account with the test password.
    fn user(&self, login: &str, role: yichuang_hq::staff::Role, centres: &[&str]) {
        let centres: Vec<String> = centres.iter().map(|c| c.to_string()).collect();
        self.rt
            .block_on(async { yichuang_hq::staff::add_user(&self.pool.get().await.unwrap(), login, "测试员", role, &centres, PASSWORD).await })
            .unwrap();
    }

    /// Signs in through the real form: (status, the session if one was given).
    fn try_sign_in(&self, login: &str, password: &str) -> (u16, Option<Session>, String) {
        let mut r = no_redirects()
            .post(&format!("{}/signin", self.url))
            .send_form([("login", login), ("password", password), ("next", "/")])
            .unwrap();
        let status = r.status().as_u16();
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("yc_session=") && !v.starts_with("yc_session=;"))
            .map(|v| v.split(';').next().unwrap().to_owned());
        let body = r.body_mut().read_to_string().unwrap_or_default();
        let session = cookie.map(|cookie| {
            let (_, page) = self.page(Some(&Session { cookie: cookie.clone(), csrf: String::new() }), "/");
            let csrf = page.split("name=\"_csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("a CSRF token on the page").to_owned();
            Session { cookie, csrf }
        });
        (status, session, body)
    }

    fn sign_in(&self, login: &str) -> Session {
        let (status, session, body) = self.try_sign_in(login, PASSWORD);
        assert_eq!(status, 303, "{body}");
        session.unwrap()
    }

    /// An auditor (reads every centre), made on first use.
    fn auditor(&self) -> Session {
        if self.sql("SELECT count(*) FROM staff WHERE login = 'audit'") == 0 {
            self.user("audit", yichuang_hq::staff::Role::Auditor, &[]);
        }
        self.sign_in("audit")
    }

    /// A page, with a session or without: (status, body).
    fn page(&self, session: Option<&Session>, path: &str) -> (u16, String) {
        let mut req = no_redirects().get(&format!("{}{path}", self.url));
        if let Some(s) = session {
            req = req.header("cookie", &s.cookie);
        }
        let mut r = req.call().unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
    }

    /// A POST with a session's cookie and CSRF header: (status, JSON answer).
    fn post_as(&self, session: &Session, path: &str, body: &[u8]) -> (u16, serde_json::Value) {
        let mut r = no_redirects()
            .post(&format!("{}{path}", self.url))
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .header("content-type", "application/json")
            .send(body)
            .unwrap();
        let status = r.status().as_u16();
        (status, serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap_or_default())
    }

    /// A county administrator, made on first use.
    fn admin(&self) -> Session {
        if self.sql("SELECT count(*) FROM staff WHERE login = 'admin'") == 0 {
            self.user("admin", yichuang_hq::staff::Role::Admin, &[]);
        }
        self.sign_in("admin")
    }

    /// Enrols `s` with `code`, and a county administrator confirms it.
    fn enrol(&self, s: &mut Store, code: &str) -> yichuang_store::Enrolment {
        let e = yichuang_sync::enrol(s, &self.url, code, &quick(), now(T)).unwrap();
        // A stream whose key an administrator accepted from a file is confirmed already.
        if self.sql(&format!("SELECT count(*) FROM terminal WHERE uid = '{}' AND confirmed_at IS NULL", e.terminal_uid)) == 1 {
            self.confirm(&e.terminal_uid);
        }
        e
    }

    fn confirm(&self, uid: &str) {
        self.rt.block_on(async { yichuang_hq::enrol::confirm(&self.pool.get().await.unwrap(), uid, "测试管理员").await }).unwrap();
    }

    /// A page an auditor opens: its body, which must have answered 200.
    fn audit_page(&self, path: &str) -> String {
        let (status, body) = self.page(Some(&self.auditor()), path);
        assert_eq!(status, 200, "{path}: {body}");
        body
    }
}

/// A centre's terminal: a real database with the demo catalogue.
fn terminal(dir: &Path, centre: &str, name: &str) -> Store {
    let mut s = Store::open(dir.join(format!("{centre}.db"))).unwrap();
    s.initialise(yichuang_core::CentreCode::parse(centre).unwrap(), name, yichuang_core::TerminalId::parse("01").unwrap(), now(T)).unwrap();
    s.load_demo(now(T)).unwrap();
    s
}

fn id_number(n: u32) -> String {
    let born = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Days::new(u64::from(n / 1000));
    let first17 = format!("450821{}{:03}", born.format("%Y%m%d"), n % 1000);
    let check = yichuang_core::ids::id_check_char(&first17).unwrap();
    format!("{first17}{check}")
}

/// `n` applications: a third missing a material (a supplement notice), the rest accepted.
fn intakes(s: &mut Store, n: u32, offset: u32, at: &str) {
    use yichuang_core::{IdNumber, MaterialCode, PersonName, Presented};
    for i in 0..n {
        let mats: &[&str] = if i % 3 == 0 { &["SFZ", "HKB"] } else { &["SFZ", "HKB", "SQS", "KNZM"] };
        let req = IntakeRequest {
            item: "LS-01".into(),
            applicant: ApplicantInput {
                party: Party::Person { id_number: IdNumber::parse(&id_number(offset + i)).unwrap(), name: PersonName::parse("韦秀英").unwrap() },
                phone: None,
            },
            agent: None,
            presented: mats.iter().map(|m| Presented { material: MaterialCode::parse(m).unwrap(), pages: 1, copies: 1 }).collect(),
            defects: vec![],
            conditions: vec![],
            refusal: None,
            clerk: "demo".into(),
            received_on: None,
            confirm_rename: false,
            duplicate_reason: None,
            commitment: false,
            sms_consent: false,
        };
        s.intake(req, now(at)).unwrap();
    }
}

fn quick() -> SyncOptions {
    SyncOptions {
        max_attempts: 40,
        backoff: yichuang_sync::backoff::Backoff { base: Duration::from_millis(20), max: Duration::from_millis(300) },
        timeout: Duration::from_secs(10),
        ..SyncOptions::default()
    }
}

#[test]
fn a_terminal_enrols_sends_everything_once_and_hq_sees_its_cases() {
    let hq = Hq::start();
    let dir = tempfile::tempdir().unwrap();
    let mut s = terminal(dir.path(), "450821102", "示范镇便民服务中心");
    intakes(&mut s, 30, 0, T);
    // Not enrolled: a clear message, nothing sent.
    let e = yichuang_sync::sync(&mut s, &quick(), now(T), &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("尚未在县级登记"), "{e}");
    // A wrong code is refused.
    let e = yichuang_sync::enrol(&mut s, &hq.url, "00000000", &quick(), now(T)).unwrap_err();
    assert!(e.to_string().contains("登记码无效"), "{e}");
    let code = hq.code("450821102");
    let en = hq.enrol(&mut s, &code);
    // Enrolled once: a second enrolment (a second stream of the same events) is refused.
    let e = yichuang_sync::enrol(&mut s, &hq.url, &hq.code("450821102"), &quick(), now(T)).unwrap_err();
    assert!(e.to_string().contains("无需再次登记"), "{e}");
    // The stream starts at the terminal's first event: the 30 cases taken in before there was
    // any network go to HQ with the 40 after, in batches of 25.
    assert_eq!((en.base_seq, en.base_hash.as_str()), (0, yichuang_store::GENESIS_HASH));
    intakes(&mut s, 40, 100, "2026-11-23T10:00:00+08:00");
    let opts = SyncOptions { batch_events: 25, ..quick() };
    let mut seen = vec![];
    let r = yichuang_sync::sync(&mut s, &opts, now(T), &mut |p| seen.push(p)).unwrap();
    let (head, head_hash) = s.head().unwrap();
    assert_eq!(r.held_seq, head);
    assert_eq!(r.sent, head - en.base_seq);
    assert!(r.batches >= 4, "{r:?}");
    assert_eq!(seen.last().unwrap().pending, 0);
    assert_eq!(s.sync_status().unwrap().pending, 0);
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM event WHERE terminal_uid = '{}'", en.terminal_uid)), head - en.base_seq);
    assert_eq!(hq.sql(&format!("SELECT min(seq) FROM event WHERE terminal_uid = '{}' AND kind = 'centre.initialised'", en.terminal_uid)), 1);
    assert_eq!(hq.sql("SELECT count(*) FROM case_record"), 70);
    assert_eq!(hq.sql("SELECT count(*) FROM case_record WHERE status = 'awaiting_supplement'"), 10 + 14);
    let held_hash: String = hq.rt.block_on(async {
        hq.pool.get().await.unwrap().query_one("SELECT held_hash FROM terminal", &[]).await.unwrap().get(0)
    });
    assert_eq!(held_hash, head_hash, "HQ's chain head is the terminal's");
    // Each record's own state: acknowledged now; a new one pending until the next round.
    assert_eq!(s.event_sync(head).unwrap(), yichuang_store::EventSync::Acknowledged);
    intakes(&mut s, 1, 500, "2026-11-23T11:00:00+08:00");
    assert_eq!(s.event_sync(s.head().unwrap().0).unwrap(), yichuang_store::EventSync::Pending);
    yichuang_sync::sync(&mut s, &opts, now(T), &mut |_| {}).unwrap();
    assert_eq!(s.event_sync(s.head().unwrap().0).unwrap(), yichuang_store::EventSync::Acknowledged);
    assert_eq!(hq.sql("SELECT count(*) FROM case_record"), 71);
    // A second round sends nothing and changes nothing.
    let r = yichuang_sync::sync(&mut s, &opts, now(T), &mut |_| {}).unwrap();
    assert_eq!((r.sent, r.batches), (0, 0));
    // HQ's pages show the centre and its cases.
    let page = hq.audit_page("/");
    assert!(page.contains("450821102") && page.contains("各中心同步情况"), "{page}");
    let number: String = hq.rt.block_on(async {
        hq.pool.get().await.unwrap().query_one("SELECT number FROM case_record LIMIT 1", &[]).await.unwrap().get(0)
    });
    let page = hq.audit_page(&format!("/case/{number}"));
    assert!(page.contains("case.intake") && page.contains("已采用"), "{page}");
}

#[test]
fn bad_batches_are_refused_with_a_reason_and_write_nothing() {
    let hq = Hq::start();
    let dir = tempfile::tempdir().unwrap();
    let mut a = terminal(dir.path(), "450821102", "示范镇便民服务中心");
    let mut b = terminal(dir.path(), "450821103", "城关镇便民服务中心");
    let ea = hq.enrol(&mut a, &hq.code("450821102"));
    let eb = hq.enrol(&mut b, &hq.code("450821103"));
    intakes(&mut a, 5, 0, T);
    intakes(&mut b, 5, 50, T);
    let good = yichuang_sync::export::export_pending(&a, now(T)).unwrap();
    let events = || hq.sql("SELECT count(*) FROM event");

    // A tampered event.
    let mut bad = good.clone();
    let i = bad.events.iter().position(|e| e.payload.contains("韦秀英")).unwrap();
    bad.events[i].payload = bad.events[i].payload.replace("韦秀英", "韦秀华");
    let (status, body) = hq.post("/api/v1/batches", &bad.to_bytes());
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("被改动"), "{body}");
    // A wrong signature (signed with another terminal's key).
    let forged = Batch::build(&good.centre, &good.terminal_uid, &good.prev_hash, a.events_between(good.from_seq, good.to_seq).unwrap(), &eb.hmac_key, T).unwrap();
    let (status, body) = hq.post("/api/v1/batches", &forged.to_bytes());
    assert_eq!(status, 401, "{body}");
    assert!(body["message"].as_str().unwrap().contains("签名不符"));
    // A stranger.
    let stranger = Batch::build(&good.centre, "450821102-01-ffffffff", &good.prev_hash, a.events_between(good.from_seq, good.to_seq).unwrap(), &ea.hmac_key, T).unwrap();
    let (status, body) = hq.post("/api/v1/batches", &stranger.to_bytes());
    assert_eq!(status, 401);
    assert!(body["message"].as_str().unwrap().contains("未登记的终端"), "{body}");
    // A terminal claiming another centre.
    let claim = Batch::build("450821103", &good.terminal_uid, &good.prev_hash, a.events_between(good.from_seq, good.to_seq).unwrap(), &ea.hmac_key, T).unwrap();
    let (status, body) = hq.post("/api/v1/batches", &claim.to_bytes());
    assert_eq!(status, 403, "{body}");
    // A gap: the second half first.
    let half = (good.from_seq + good.to_seq) / 2;
    let late = Batch::build(&good.centre, &good.terminal_uid, &a.event_hash(half).unwrap(), a.events_between(half + 1, good.to_seq).unwrap(), &ea.hmac_key, T).unwrap();
    let (status, body) = hq.post("/api/v1/batches", &late.to_bytes());
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["held_seq"], ea.base_seq);
    assert!(body["message"].as_str().unwrap().contains("缺少记录"));
    // A truncated export file.
    let bytes = good.to_bytes();
    let (status, body) = hq.post_as(&hq.admin(), "/import", &bytes[..bytes.len() - 40]);
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("不完整"), "{body}");
    assert_eq!(events(), 0, "nothing written by any of them");

    // The good batch goes in; sent twice, the second is a repeat.
    let (status, ack) = hq.post("/api/v1/batches", &good.to_bytes());
    assert_eq!(status, 200, "{ack}");
    assert_eq!(ack["applied"], good.manifest.count as i64);
    let (status, ack) = hq.post("/api/v1/batches", &good.to_bytes());
    assert_eq!((status, ack["applied"].as_i64(), ack["repeated"].as_i64()), (200, Some(0), Some(good.manifest.count as i64)));
    assert_eq!(events(), good.manifest.count as i64);
    // The same seq with other content (a terminal whose database was copied and diverged): 409, logged.
    let twin = Store::open(dir.path().join("450821102.db")).unwrap();
    let conflicting = {
        let copy = dir.path().join("twin.db");
        twin.backup_to(&copy, None).unwrap();
        drop(twin);
        let mut t = Store::open(&copy).unwrap();
        // Rewrite history: a different event at the next seq, then the real terminal's own.
        intakes(&mut t, 1, 900, "2026-11-23T11:00:00+08:00");
        intakes(&mut a, 1, 901, "2026-11-23T11:00:00+08:00");
        let (h, _) = t.head().unwrap();
        Batch::build(&good.centre, &good.terminal_uid, &t.event_hash(good.to_seq).unwrap(), t.events_between(good.to_seq + 1, h).unwrap(), &ea.hmac_key, T).unwrap()
    };
    let r = yichuang_sync::sync(&mut a, &quick(), now(T), &mut |_| {}).unwrap();
    assert!(r.sent > 0);
    let (status, body) = hq.post("/api/v1/batches", &conflicting.to_bytes());
    assert_eq!(status, 409, "{body}");
    assert_eq!(hq.sql("SELECT count(*) FROM conflict"), 1);

    // A terminal writing another centre's case: that event is refused with the reason, the rest go in.
    let (head_b, _) = b.head().unwrap();
    let mut events_b = b.events_between(eb.base_seq + 1, head_b).unwrap();
    let foreign = events_b.iter().position(|e| e.kind == "case.intake").unwrap();
    let stolen = a.events_between(1, a.head().unwrap().0).unwrap().into_iter().find(|e| e.kind == "case.ready" || e.kind == "case.supplemented" || e.kind == "case.intake").unwrap();
    // Re-chain B's run with A's case number put into one of B's events.
    let mut prev = b.event_hash(eb.base_seq).unwrap();
    for (i, e) in events_b.iter_mut().enumerate() {
        if i == foreign {
            e.subject = stolen.subject.clone();
        }
        e.prev_hash = prev.clone();
        e.hash = yichuang_store::chain_hash(&e.prev_hash, e.seq, &e.id, &e.terminal, &e.at, &e.actor, &e.kind, &e.subject, &e.payload);
        prev = e.hash.clone();
    }
    let batch = Batch::build("450821103", &eb.terminal_uid, &b.event_hash(eb.base_seq).unwrap(), events_b.clone(), &eb.hmac_key, T).unwrap();
    let (status, ack) = hq.post("/api/v1/batches", &batch.to_bytes());
    assert_eq!(status, 200, "{ack}");
    let rejected = ack["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{ack}");
    assert!(rejected[0]["reason"].as_str().unwrap().contains("属于中心450821102"), "{ack}");
    assert_eq!(ack["applied"], events_b.len() as i64, "the rest went in");
    assert_eq!(hq.sql("SELECT count(*) FROM reject"), 1);
    assert_eq!(hq.sql("SELECT count(*) FROM case_record WHERE centre_code = '450821103'"), 4);
}

#[test]
fn an_export_file_and_the_network_deliver_each_event_once() {
    let hq = Hq::start();
    let dir = tempfile::tempdir().unwrap();
    let mut s = terminal(dir.path(), "450821102", "示范镇便民服务中心");
    let en = hq.enrol(&mut s, &hq.code("450821102"));
    intakes(&mut s, 60, 0, "2026-11-24T09:00:00+08:00");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let file = dir.path().join("2026-11-24.json");
    let batch = yichuang_sync::export::export_day(&s, day, now(T)).unwrap();
    yichuang_sync::export::write(&batch, &file).unwrap();
    // The network delivers the first half…
    let half = (batch.from_seq + batch.to_seq) / 2;
    let first = Batch::build(&batch.centre, &en.terminal_uid, &batch.prev_hash, s.events_between(batch.from_seq, half).unwrap(), &en.hmac_key, T).unwrap();
    assert_eq!(hq.post("/api/v1/batches", &first.to_bytes()).0, 200);
    // …then HQ staff import the day's file: only the rest is new.
    let out = Command::new(env!("CARGO_BIN_EXE_yichuang-hq"))
        .args(["import", file.to_str().unwrap()])
        .env("YICHUANG_HQ_DATABASE_URL", &hq.db)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains(&format!("新收{}条，重复{}条", batch.to_seq - half, half - batch.from_seq + 1)), "{text}");
    // Importing it again changes nothing; the terminal's next sync finds HQ holding everything.
    let again = Command::new(env!("CARGO_BIN_EXE_yichuang-hq")).args(["import", file.to_str().unwrap()]).env("YICHUANG_HQ_DATABASE_URL", &hq.db).output().unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("新收0条"));
    let r = yichuang_sync::sync(&mut s, &quick(), now(T), &mut |_| {}).unwrap();
    assert_eq!(r.sent, 0);
    assert_eq!(r.repeated as usize, batch.manifest.count, "HQ answered that it holds them");
    assert_eq!(hq.sql("SELECT count(*) FROM event"), batch.manifest.count as i64);
    // A cut-off file.
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 3]).unwrap();
    let cut = Command::new(env!("CARGO_BIN_EXE_yichuang-hq")).args(["import", file.to_str().unwrap()]).env("YICHUANG_HQ_DATABASE_URL", &hq.db).output().unwrap();
    assert!(!cut.status.success());
    assert!(String::from_utf8_lossy(&cut.stderr).contains("数据文件不完整"), "{}", String::from_utf8_lossy(&cut.stderr));
}

#[test]
fn a_catalogue_published_at_hq_reaches_the_terminal_and_old_cases_keep_theirs() {
    let hq = Hq::start();
    let dir = tempfile::tempdir().unwrap();
    let mut s = terminal(dir.path(), "450821102", "示范镇便民服务中心");
    hq.enrol(&mut s, &hq.code("450821102"));
    intakes(&mut s, 1, 0, T);
    let old_case = s.list_cases(&Default::default(), now(T).date_naive()).unwrap()[0].number.clone();
    let new_catalogue = yichuang_store::DEMO_CATALOGUE
        .replace("\"version\": \"2026.12-demo\"", "\"version\": \"2026.12\"")
        .replace("临时救助申请", "临时救助申请（急难型）");
    let published = hq.rt.block_on(async { yichuang_hq::documents::publish(&hq.pool.get().await.unwrap(), "catalogue", &new_catalogue).await }).unwrap();
    assert_eq!(published, "2026.12");
    let r = yichuang_sync::sync(&mut s, &quick(), now(T), &mut |_| {}).unwrap();
    assert_eq!(r.applied, ["事项目录 2026.12"]);
    assert_eq!(s.catalogue_version(), Some("2026.12"));
    // The next one-time notice uses it; the case taken in before keeps its version.
    let doc = s.issue_notice("LS-01", None, "demo", now(T)).unwrap();
    assert_eq!(s.document(&doc.number).unwrap().body.item_name.as_deref(), Some("临时救助申请（急难型）"));
    let v = s.case(&old_case, now(T).date_naive()).unwrap();
    assert_eq!(v.catalogue_version, "2026.12-demo");
    assert_eq!(v.item_name, "临时救助申请");
    // Nothing new the next time.
    assert!(yichuang_sync::sync(&mut s, &quick(), now(T), &mut |_| {}).unwrap().applied.is_empty());
}

#[test]
fn after_a_restore_the_terminal_enrols_again_and_nothing_is_doubled() {
    let hq = Hq::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("450821102.db");
    let mut s = terminal(dir.path(), "450821102", "示范镇便民服务中心");
    let first = hq.enrol(&mut s, &hq.code("450821102"));
    intakes(&mut s, 10, 0, T);
    let backup = dir.path().join("backup.db");
    s.backup_to(&backup, None).unwrap();
    // More work, sent to HQ, then the disk dies: those events live on only at HQ.
    intakes(&mut s, 10, 100, "2026-11-23T10:00:00+08:00");
    yichuang_sync::sync(&mut s, &quick(), now(T), &mut |_| {}).unwrap();
    drop(s);
    Store::restore(&path, &backup, yichuang_core::TerminalId::parse("02").unwrap(), now("2026-11-23T11:00:00+08:00")).unwrap();
    let mut s = Store::open(&path).unwrap();
    assert!(s.sync_status().unwrap().needs_reenrolment);
    intakes(&mut s, 5, 200, "2026-11-23T11:30:00+08:00");
    let r = yichuang_sync::sync(&mut s, &quick(), now(T), &mut |_| {}).unwrap();
    let second = r.reenrolled.expect("a new enrolment");
    assert_ne!(second, first.terminal_uid);
    assert!(!s.sync_status().unwrap().needs_reenrolment);
    // The old stream keeps what it had; the new one carries the restore and what followed.
    let (head, _) = s.head().unwrap();
    let new_stream = hq.sql(&format!("SELECT count(*) FROM event WHERE terminal_uid = '{second}'"));
    let base = s.enrolment().unwrap().unwrap().base_seq;
    assert_eq!(new_stream, head - base);
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM terminal WHERE uid = '{}' AND replaced_by = '{second}'", first.terminal_uid)), 1);
    // No case or document number is issued twice, across the old stream and the new one:
    // the lost copy's 10 cases live on at HQ, the restored database numbers as terminal 02.
    assert!(second.starts_with("450821102-02-"), "{second}");
    assert_eq!(hq.sql("SELECT count(*) FROM case_record"), 25);
    for kind in ["case.intake", "document.issued"] {
        let (all, distinct) = (
            hq.sql(&format!("SELECT count(*) FROM event WHERE kind = '{kind}'")),
            hq.sql(&format!("SELECT count(DISTINCT subject) FROM event WHERE kind = '{kind}'")),
        );
        assert_eq!(all, distinct, "{kind}: a number issued twice");
    }
    assert_eq!(hq.sql("SELECT count(*) FROM reject"), 0);
    // The old stream takes no more.
    let old = Batch::build("450821102", &first.terminal_uid, &s.event_hash(head - 1).unwrap(), s.events_between(head, head).unwrap(), &first.hmac_key, T).unwrap();
    let (status, _) = hq.post("/api/v1/batches", &old.to_bytes());
    assert!(status == 409 || status == 422, "{status}");
}

// ---------------------------------------------------------------------------------------------
// Exactly once, with HQ and the client killed again and again.
// ---------------------------------------------------------------------------------------------

/// `yichuang-hq serve` as its own process on a fixed port.
fn spawn_hq(db: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_yichuang-hq"))
        .arg("serve")
        .env("YICHUANG_HQ_DATABASE_URL", db)
        .env("YICHUANG_HQ_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The `yichuang` command line, built beside this test.
fn cli() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().join("yichuang")
}

fn wait_port(port: u16) {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("HQ did not come up on {port}");
}

#[test]
fn twenty_thousand_events_from_three_terminals_arrive_exactly_once_through_kills() {
    let db = database();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let mut hq = spawn_hq(&db, port);
    wait_port(port);
    let rt = rt();
    let pool = yichuang_hq::pool(&db).unwrap();
    let code = |c: &str| rt.block_on(async { yichuang_hq::enrol::make_code(&pool.get().await.unwrap(), c, "", 1).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    // Three terminals in two centres (centre 450821102 has two windows).
    let specs = [("450821102", "01"), ("450821102", "02"), ("450821103", "01")];
    let mut paths = vec![];
    for (i, (centre, term)) in specs.iter().enumerate() {
        let p = dir.path().join(format!("t{i}.db"));
        let mut s = Store::open(&p).unwrap();
        s.initialise(yichuang_core::CentreCode::parse(centre).unwrap(), "测试中心", yichuang_core::TerminalId::parse(term).unwrap(), now(T)).unwrap();
        s.load_demo(now(T)).unwrap();
        let e = yichuang_sync::enrol(&mut s, &url, &code(centre), &quick(), now(T)).unwrap();
        rt.block_on(async { yichuang_hq::enrol::confirm(&pool.get().await.unwrap(), &e.terminal_uid, "测试管理员").await }).unwrap();
        // 6,800 events each: an application writes two (the case and its document).
        intakes(&mut s, 3_400, i as u32 * 10_000, "2026-11-24T09:00:00+08:00");
        paths.push(p);
    }
    let total: i64 = paths.iter().map(|p| {
        let s = Store::open(p).unwrap();
        let e = s.enrolment().unwrap().unwrap();
        s.head().unwrap().0 - e.base_seq
    }).sum();
    assert!(total >= 20_000, "{total} events");

    // The day's export file of terminal 0, for HQ staff to import midway.
    let export = dir.path().join("t0-day.json");
    {
        let s = Store::open(&paths[0]).unwrap();
        yichuang_sync::export::write(&yichuang_sync::export::export_day(&s, chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(), now(T)).unwrap(), &export).unwrap();
    }

    // Clients in the background (the `yichuang` CLI, 200 events a batch), killed now and then;
    // HQ killed and restarted 20 times meanwhile.
    let spawn_client = |p: &Path| {
        Command::new(cli())
            .args(["--db", p.to_str().unwrap(), "sync", "--batch", "200", "--attempts", "60"])
            .env("YICHUANG_NOW", "2026-11-24T18:00:00+08:00")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut clients: Vec<Child> = paths.iter().map(|p| spawn_client(p)).collect();
    let mut client_kills = 0;
    for round in 0..20 {
        std::thread::sleep(Duration::from_millis(250));
        // SIGKILL HQ mid-transaction, then start it again.
        hq.kill().unwrap();
        hq.wait().unwrap();
        if round % 4 == 1 {
            // A client killed mid-batch, started again.
            let i = round % 3;
            clients[i].kill().unwrap();
            clients[i].wait().unwrap();
            clients[i] = spawn_client(&paths[i]);
            client_kills += 1;
        }
        hq = spawn_hq(&db, port);
        wait_port(port);
        if round == 10 {
            // HQ staff import terminal 0's day file while the network is delivering it too.
            let out = Command::new(env!("CARGO_BIN_EXE_yichuang-hq")).args(["import", export.to_str().unwrap()]).env("YICHUANG_HQ_DATABASE_URL", &db).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
    }
    // Let every client finish; a last round for any that gave up.
    for (i, c) in clients.iter_mut().enumerate() {
        let status = c.wait().unwrap();
        if !status.success() {
            let ok = Command::new(cli()).args(["--db", paths[i].to_str().unwrap(), "sync", "--attempts", "60"]).output().unwrap();
            assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
        }
    }
    // The same batch sent twice, for good measure: a repeat.
    {
        let s = Store::open(&paths[2]).unwrap();
        let e = s.enrolment().unwrap().unwrap();
        let b = Batch::build("450821103", &e.terminal_uid, &s.event_hash(e.base_seq).unwrap(), s.events_between(e.base_seq + 1, e.base_seq + 100).unwrap(), &e.hmac_key, T).unwrap();
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mac = yichuang_sync::client::hmac_b64(&e.hmac_key, &b.to_bytes()).unwrap();
        for _ in 0..2 {
            let mut r = agent
                .post(&format!("{url}/api/v1/batches"))
                .header("x-yichuang-stream", &e.terminal_uid)
                .header("x-yichuang-mac", &mac)
                .send(&b.to_bytes()[..])
                .unwrap();
            let ack: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
            assert_eq!(ack["applied"], 0);
            assert_eq!(ack["repeated"], 100);
        }
    }
    hq.kill().unwrap();
    hq.wait().unwrap();
    // Every event exactly once, and each chain head equal to the terminal's.
    let held = rt.block_on(async {
        let c = pool.get().await.unwrap();
        let mut out = vec![];
        for p in &paths {
            let s = Store::open(p).unwrap();
            let e = s.enrolment().unwrap().unwrap();
            let (head, hash) = s.head().unwrap();
            let r = c
                .query_one(
                    "SELECT count(*), count(DISTINCT seq), min(seq), max(seq), (SELECT held_hash FROM terminal WHERE uid = $1)
                     FROM event WHERE terminal_uid = $1",
                    &[&e.terminal_uid],
                )
                .await
                .unwrap();
            let (n, distinct, lo, hi, hq_hash): (i64, i64, i64, i64, String) = (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
            assert_eq!((n, distinct, lo, hi), (head - e.base_seq, head - e.base_seq, e.base_seq + 1, head));
            assert_eq!(hq_hash, hash);
            // Every hash at HQ equals the terminal's, seq by seq.
            let rows = c.query("SELECT seq, hash FROM event WHERE terminal_uid = $1 ORDER BY seq", &[&e.terminal_uid]).await.unwrap();
            let local = s.events_between(e.base_seq + 1, head).unwrap();
            assert!(rows.iter().zip(&local).all(|(r, l)| r.get::<_, i64>(0) == l.seq && r.get::<_, String>(1) == l.hash));
            out.push(n);
        }
        out
    });
    eprintln!("exactly once: {held:?} events, {client_kills} client kills, 20 HQ kills");
    assert_eq!(held.iter().sum::<i64>(), total);
}

/// A slow and lossy link between client and HQ. The kernel here has no `netem` qdisc
/// (`tc qdisc add … netem` answers “Specified qdisc kind is unknown”), so the link is a proxy
/// in this test: every chunk each way waits 300 ms, and one chunk in ten kills the connection
/// there and then (a packet loss TCP could not recover from in time).
fn lossy_proxy(to: SocketAddr) -> SocketAddr {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = std::net::TcpStream::connect(to) else { continue };
            for (mut from, mut into) in [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)] {
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16 * 1024];
                    loop {
                        let n = match from.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        std::thread::sleep(Duration::from_millis(300));
                        let mut r = [0u8; 1];
                        getrandom::fill(&mut r).unwrap();
                        if r[0] < 26 || into.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = from.shutdown(std::net::Shutdown::Both);
                    let _ = into.shutdown(std::net::Shutdown::Both);
                });
            }
        }
    });
    addr
}

#[test]
fn a_slow_and_lossy_link_delivers_everything_once() {
    let hq = Hq::start();
    let dir = tempfile::tempdir().unwrap();
    let mut s = terminal(dir.path(), "450821102", "示范镇便民服务中心");
    let code = hq.code("450821102");
    let direct: SocketAddr = hq.url.trim_start_matches("http://").parse().unwrap();
    let proxy = format!("http://{}", lossy_proxy(direct));
    let opts = SyncOptions { batch_events: 50, max_attempts: 30, ..quick() };
    // Even enrolment goes over the bad link (a lost answer means trying a code again is refused,
    // so the test retries only until it is in).
    let en = loop {
        match yichuang_sync::enrol(&mut s, &proxy, &code, &opts, now(T)) {
            Ok(e) => break e,
            Err(e) if e.to_string().contains("登记码无效") => {
                // The code was used but the answer lost: HQ staff give a new one.
                let c = hq.code("450821102");
                if let Ok(e) = yichuang_sync::enrol(&mut s, &proxy, &c, &opts, now(T)) {
                    break e;
                }
            }
            Err(_) => {}
        }
    };
    hq.confirm(&en.terminal_uid);
    intakes(&mut s, 150, 0, T);
    let t = std::time::Instant::now();
    let r = yichuang_sync::sync(&mut s, &opts, now(T), &mut |_| {}).unwrap();
    let (head, hash) = s.head().unwrap();
    eprintln!("lossy link: {} events in {} batches, {} retries, {:.1} s", r.sent, r.batches, r.retries, t.elapsed().as_secs_f64());
    assert_eq!(r.held_seq, head);
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM event WHERE terminal_uid = '{}'", en.terminal_uid)), head - en.base_seq);
    assert_eq!(hq.sql(&format!("SELECT count(DISTINCT seq) FROM event WHERE terminal_uid = '{}'", en.terminal_uid)), head - en.base_seq);
    let held_hash: String = hq.rt.block_on(async {
        hq.pool.get().await.unwrap().query_one("SELECT held_hash FROM terminal WHERE uid = $1", &[&en.terminal_uid]).await.unwrap().get(0)
    });
    assert_eq!(held_hash, hash);
}

#[test]
fn with_a_certificate_hq_speaks_tls() {
    let db = database();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let ok = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut hq = Command::new(env!("CARGO_BIN_EXE_yichuang-hq"))
        .arg("serve")
        .env("YICHUANG_HQ_DATABASE_URL", &db)
        .env("YICHUANG_HQ_LISTEN", format!("127.0.0.1:{port}"))
        .env("YICHUANG_HQ_TLS_CERT", &cert)
        .env("YICHUANG_HQ_TLS_KEY", &key)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_port(port);
    // Trusting exactly this certificate, the page comes over TLS; plain HTTP gets nothing.
    let out = Command::new("curl").args(["-s", "--cacert"]).arg(&cert).arg(format!("https://127.0.0.1:{port}/signin")).output().unwrap();
    let plain = Command::new("curl").args(["-s", "-m", "3"]).arg(format!("http://127.0.0.1:{port}/signin")).output().unwrap();
    hq.kill().unwrap();
    hq.wait().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("用户名"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("用户名"));
    // Half a TLS setting is refused with the reason.
    let half = Command::new(env!("CARGO_BIN_EXE_yichuang-hq"))
        .arg("migrate")
        .env("YICHUANG_HQ_DATABASE_URL", &db)
        .env("YICHUANG_HQ_TLS_CERT", &cert)
        .output()
        .unwrap();
    assert!(!half.status.success());
    assert!(String::from_utf8_lossy(&half.stderr).contains("TLS 证书与私钥须同时设置"));
}

#[test]
fn hq_s_monthly_figures_equal_the_centre_s_own() {
    let hq = Hq::start();
    let dir = tempfile::tempdir().unwrap();
    // The generated month of the report's own tests (checked there against its ledger),
    // enrolled with HQ before the month's work begins.
    let code = hq.code("450821102");
    let (mut s, ledger) = yichuang_report::testkit::november(dir.path(), 60, &mut |s| {
        hq.enrol(s, &code);
    });
    yichuang_sync::sync(&mut s, &quick(), now(T), &mut |_| {}).unwrap();
    let month = yichuang_report::Period::month(2026, 11).unwrap();
    let mine = yichuang_report::from_store(&s, month).unwrap();
    yichuang_report::testkit::check(&mine, &ledger);
    let theirs = hq.rt.block_on(yichuang_hq::report::centre_report(&hq.pool, "450821102", month)).unwrap();
    assert!(mine.total.received >= 1_000 && mine.total.overdue > 0 && mine.total.bad_ratings > 0, "{:?}", mine.total);
    let unnamed = |r: &yichuang_report::Report| r.items.iter().map(|f| yichuang_report::ItemFigures { name: String::new(), limit: String::new(), ..f.clone() }).collect::<Vec<_>>();
    assert_eq!(unnamed(&theirs), unnamed(&mine));
    assert_eq!(theirs.total, mine.total);
    assert_eq!(theirs.centre_figures, mine.centre_figures);
    // The page shows it.
    let page = hq.audit_page("/report?centre=450821102&month=2026-11");
    assert!(page.contains(&format!("<td>{}</td>", mine.total.received)), "{page}");
}

#[test]
fn a_second_intake_under_a_number_hq_holds_is_refused_with_its_reason() {
    let hq = Hq::start();
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Two PCs of one centre both set up as terminal 01 (or a restore that kept its number):
    // they issue the same case numbers.
    let mut a = terminal(da.path(), "450821102", "示范镇便民服务中心");
    let mut b = terminal(db.path(), "450821102", "示范镇便民服务中心");
    hq.enrol(&mut a, &hq.code("450821102"));
    hq.enrol(&mut b, &hq.code("450821102"));
    intakes(&mut a, 3, 0, T);
    intakes(&mut b, 3, 100, T);
    yichuang_sync::sync(&mut a, &quick(), now(T), &mut |_| {}).unwrap();
    let r = yichuang_sync::sync(&mut b, &quick(), now(T), &mut |_| {}).unwrap();
    // The twin's stream is not taken in either: the same terminal number is refused by name.
    assert!(r.relay_refused.iter().any(|why| why.contains("不能用同一终端号")), "{:?}", r.relay_refused);
    let duplicates: Vec<_> = r.rejected.iter().filter(|(_, why)| why.contains("办件编号重复")).collect();
    assert_eq!(duplicates.len(), 3, "{:?}", r.rejected);
    // Both sides show it: the terminal keeps HQ's reason beside the event.
    let kept = b.rejections().unwrap();
    assert!(kept.iter().filter(|k| k.kind == "case.intake").all(|k| k.reason.contains("同一编号不能再次收件")), "{kept:?}");
    assert_eq!(kept.iter().filter(|k| k.kind == "case.intake").count(), 3);
    // HQ still shows the first terminal's cases, untouched.
    assert_eq!(hq.sql("SELECT count(*) FROM case_record"), 3);
    assert_eq!(hq.sql("SELECT count(*) FROM reject WHERE reason LIKE '%办件编号重复%'"), 3);
}

/// `yichuang-hq import FILE [--accept-key NAME]` against `db`.
fn hq_import(db: &str, file: &Path, accept: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yichuang-hq"));
    cmd.arg("import").arg(file);
    if let Some(by) = accept {
        cmd.args(["--accept-key", by]);
    }
    cmd.env("YICHUANG_HQ_DATABASE_URL", db).output().unwrap()
}

#[test]
fn a_terminal_never_enrolled_exports_signed_by_its_own_key_and_its_enrolment_continues_that_stream() {
    let hq = Hq::start();
    let dir = tempfile::tempdir().unwrap();
    let mut s = terminal(dir.path(), "450821102", "示范镇便民服务中心");
    intakes(&mut s, 12, 0, T);
    // No enrolment, no network: the day's file is signed with the terminal's own key, from seq 1.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let batch = yichuang_sync::export::export_day(&s, day, now(T)).unwrap();
    let (head, _) = s.head().unwrap();
    assert_eq!((batch.from_seq, batch.to_seq), (1, head));
    let pk = batch.public_key.clone().expect("signed by the terminal's key");
    assert_eq!(batch.terminal_uid, yichuang_sync::local_stream_id("450821102", "01", &pk));
    batch.verify_key_signature().unwrap();
    let file = dir.path().join("2026-11-23.json");
    yichuang_sync::export::write(&batch, &file).unwrap();

    // HQ does not take a stranger's key on its own word: refused with the fingerprint to check.
    let out = hq_import(&hq.db, &file, None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("尚未在县级登记") && err.contains(&yichuang_sync::key_fingerprint(&pk)), "{err}");
    assert_eq!(hq.sql("SELECT count(*) FROM event"), 0);
    // The network path never accepts a key.
    let (status, body) = hq.post("/api/v1/batches", &batch.to_bytes());
    assert_eq!(status, 401, "{body}");
    // A forgery: the same events re-signed by another key under the real stream's name.
    let other_dir = tempfile::tempdir().unwrap();
    let other = terminal(other_dir.path(), "450821102", "示范镇便民服务中心");
    let forged_src = yichuang_sync::export::export_pending(&other, now(T)).unwrap();
    let mut forged = batch.clone();
    forged.public_key = forged_src.public_key.clone();
    forged.signature = other.sign_as_terminal(&forged.signed_bytes()).unwrap();
    let forged_file = dir.path().join("forged.json");
    yichuang_sync::export::write(&forged, &forged_file).unwrap();
    let out = hq_import(&hq.db, &forged_file, Some("张科长"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("签名不符"), "{}", String::from_utf8_lossy(&out.stderr));
    // A tampered event in a key-signed file.
    let mut bad = batch.clone();
    let i = bad.events.iter().position(|e| e.payload.contains("韦秀英")).unwrap();
    bad.events[i].payload = bad.events[i].payload.replace("韦秀英", "韦秀华");
    let bad_file = dir.path().join("bad.json");
    yichuang_sync::export::write(&bad, &bad_file).unwrap();
    assert!(String::from_utf8_lossy(&hq_import(&hq.db, &bad_file, Some("张科长")).stderr).contains("被改动"));
    assert_eq!(hq.sql("SELECT count(*) FROM event"), 0, "nothing written by any of them");

    // The file on the stick is sealed to the county's key, which the county handed out with
    // the installer (`yichuang-hq public-key`): a lost stick reveals nothing.
    let out = Command::new(env!("CARGO_BIN_EXE_yichuang-hq")).arg("public-key").env("YICHUANG_HQ_DATABASE_URL", &hq.db).output().unwrap();
    let hq_key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let mut settings = s.centre().unwrap().settings.clone();
    settings.hq_public_key = hq_key.clone();
    s.update_settings("head", settings, now(T)).unwrap();
    let to = yichuang_sync::export::recipients(&s, false, &[]).unwrap();
    assert_eq!(to, [s.terminal_public_key().unwrap().unwrap(), hq_key]);
    let sealed = yichuang_sync::export::seal_batch(&yichuang_sync::export::export_day(&s, day, now(T)).unwrap(), &to).unwrap();
    assert!(!String::from_utf8_lossy(&sealed.to_bytes()).contains("韦秀英"));
    let file = dir.path().join("2026-11-23.sealed.json");
    yichuang_sync::export::write_bytes(&sealed.to_bytes(), &file).unwrap();
    // One sealed to another key only: HQ cannot open it, and says so.
    let elsewhere = yichuang_sync::export::seal_batch(&batch, &[other.terminal_public_key().unwrap().unwrap()]).unwrap();
    let elsewhere_file = dir.path().join("elsewhere.json");
    yichuang_sync::export::write_bytes(&elsewhere.to_bytes(), &elsewhere_file).unwrap();
    let out = hq_import(&hq.db, &elsewhere_file, Some("张科长"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("不是给本机的"), "{}", String::from_utf8_lossy(&out.stderr));
    let (head, _) = s.head().unwrap();
    let filed = head;

    // A county administrator checks the fingerprint and accepts the key.
    let out = hq_import(&hq.db, &file, Some("张科长"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("新收{head}条，重复0条")));
    assert_eq!(hq.sql("SELECT count(*) FROM case_record"), 12);
    assert_eq!(hq.sql("SELECT count(*) FROM terminal WHERE key_accepted_by = '张科长'"), 1);
    // The same file again changes nothing.
    assert!(String::from_utf8_lossy(&hq_import(&hq.db, &file, None).stdout).contains("新收0条"));

    // Later the network comes: the enrolment continues the very same stream.
    let en = hq.enrol(&mut s, &hq.code("450821102"));
    assert_eq!(en.terminal_uid, batch.terminal_uid);
    intakes(&mut s, 5, 100, "2026-11-24T09:00:00+08:00");
    let r = yichuang_sync::sync(&mut s, &quick(), now(T), &mut |_| {}).unwrap();
    let (head, _) = s.head().unwrap();
    assert_eq!(r.repeated, filed);
    assert_eq!(r.sent, head - filed);
    assert_eq!(hq.sql("SELECT count(*) FROM terminal"), 1, "one stream");
    assert_eq!(hq.sql("SELECT count(*) FROM event"), head);
    assert_eq!(hq.sql("SELECT count(DISTINCT seq) FROM event"), head);
    assert_eq!(hq.sql("SELECT count(*) FROM case_record"), 17);
}

#[test]
fn hq_shows_the_state_every_window_shows_when_two_windows_decide_one_case_apart() {
    let hq = Hq::start();
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut t1 = terminal(d1.path(), "450821102", "示范镇便民服务中心");
    let mut t2 = Store::open(d2.path().join("t2.db")).unwrap();
    t2.initialise(yichuang_core::CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", yichuang_core::TerminalId::parse("02").unwrap(), now(T)).unwrap();
    t2.load_demo(now(T)).unwrap();
    hq.enrol(&mut t1, &hq.code("450821102"));
    hq.enrol(&mut t2, &hq.code("450821102"));
    intakes(&mut t1, 2, 0, T);
    let number = t1.list_cases(&yichuang_store::CaseFilter { status: Some(yichuang_core::CaseStatus::Accepted), ..Default::default() }, now(T).date_naive()).unwrap()[0].number.clone();
    // Window 02 holds window 01's work (a file between them), then they are cut off.
    let file = yichuang_sync::export::export_for_peers(&t1, now(T)).unwrap();
    yichuang_sync::export::import_from_peer(&mut t2, &file.to_bytes(), Some("head"), "file", now(T)).unwrap();
    yichuang_sync::sync(&mut t1, &quick(), now(T), &mut |_| {}).unwrap();
    t1.decide(&number, true, "", "demo", now("2026-11-23T10:10:00+08:00")).unwrap();
    t2.decide(&number, false, "材料不实", "demo", now("2026-11-23T10:20:00+08:00")).unwrap();
    // HQ hears window 01's approval first, then window 02's later refusal.
    yichuang_sync::sync(&mut t1, &quick(), now(T), &mut |_| {}).unwrap();
    yichuang_sync::sync(&mut t2, &quick(), now(T), &mut |_| {}).unwrap();
    let status: String = hq.rt.block_on(async {
        hq.pool.get().await.unwrap().query_one("SELECT status FROM case_record WHERE number = $1", &[&number]).await.unwrap().get(0)
    });
    // The earlier act wins everywhere: at HQ, and at each window once they meet.
    assert_eq!(status, "approved");
    let back = yichuang_sync::export::export_for_peers(&t2, now(T)).unwrap();
    yichuang_sync::export::import_from_peer(&mut t1, &back.to_bytes(), Some("head"), "file", now(T)).unwrap();
    let again = yichuang_sync::export::export_for_peers(&t1, now(T)).unwrap();
    yichuang_sync::export::import_from_peer(&mut t2, &again.to_bytes(), None, "file", now(T)).unwrap();
    for t in [&t1, &t2] {
        assert_eq!(t.case(&number, now(T).date_naive()).unwrap().status.as_str(), "approved");
        assert_eq!(t.conflicts().unwrap().len(), 1);
        assert_eq!(t.verify().unwrap().fault, None);
    }
    // Both streams reached HQ whole, from seq 1.
    assert_eq!(hq.sql("SELECT count(*) FROM terminal"), 2);
    assert_eq!(hq.sql("SELECT count(*) FROM event WHERE seq = 1"), 2);
}

/// A second window (terminal 02) of a centre, with the demo catalogue.
fn window_two(dir: &Path, centre: &str) -> Store {
    let mut s = Store::open(dir.join(format!("{centre}-02.db"))).unwrap();
    s.initialise(yichuang_core::CentreCode::parse(centre).unwrap(), "示范镇便民服务中心", yichuang_core::TerminalId::parse("02").unwrap(), now(T)).unwrap();
    s.load_demo(now(T)).unwrap();
    s
}

#[test]
fn hq_relays_a_centre_s_streams_to_its_own_terminals_and_never_to_another_centre() {
    let hq = Hq::start();
    let (d1, d2, d3) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut t1 = terminal(d1.path(), "450821102", "示范镇便民服务中心");
    let mut t2 = window_two(d2.path(), "450821102");
    let mut t3 = terminal(d3.path(), "450821103", "城关镇便民服务中心");
    for (t, c) in [(&mut t1, "450821102"), (&mut t2, "450821102"), (&mut t3, "450821103")] {
        hq.enrol(t, &hq.code(c));
    }
    intakes(&mut t1, 3, 0, T);
    let r = yichuang_sync::sync(&mut t1, &quick(), now(T), &mut |_| {}).unwrap();
    assert_eq!(r.relayed, 0, "window 02 has sent nothing yet");
    // Window 02's sync brings window 01's work: it finds and hands out window 01's case.
    let r = yichuang_sync::sync(&mut t2, &quick(), now(T), &mut |_| {}).unwrap();
    assert_eq!(r.relayed as i64, t1.head().unwrap().0, "window 01's whole stream, from seq 1");
    let number = t2
        .list_cases(&yichuang_store::CaseFilter { status: Some(yichuang_core::CaseStatus::Accepted), ..Default::default() }, now(T).date_naive())
        .unwrap()[0]
        .number
        .clone();
    assert_eq!(t2.peer_streams().unwrap()[0].last_via.as_deref(), Some("hq"));
    let later = now("2026-11-23T10:00:00+08:00");
    t2.decide(&number, true, "", "demo", later).unwrap();
    t2.ready(&number, "demo", later).unwrap();
    t2.collect(&number, "韦秀英", "demo", later).unwrap();
    yichuang_sync::sync(&mut t2, &quick(), now(T), &mut |_| {}).unwrap();
    let r = yichuang_sync::sync(&mut t1, &quick(), now(T), &mut |_| {}).unwrap();
    assert_eq!(r.relayed as i64, t2_head(&t2), "window 02's whole stream: its set-up and its acts");
    assert_eq!(t1.case(&number, now(T).date_naive()).unwrap().status.as_str(), "collected");
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM case_record WHERE number = '{number}' AND status = 'collected'")), 1);
    for t in [&t1, &t2] {
        assert_eq!(t.verify().unwrap().fault, None);
        assert!(t.conflicts().unwrap().is_empty());
    }
    // Nothing new: nothing relayed.
    assert_eq!(yichuang_sync::sync(&mut t2, &quick(), now(T), &mut |_| {}).unwrap().relayed, 0);
    // Another centre's terminal never receives this centre's streams.
    let r = yichuang_sync::sync(&mut t3, &quick(), now(T), &mut |_| {}).unwrap();
    assert_eq!(r.relayed, 0);
    assert!(t3.peer_streams().unwrap().is_empty());
    assert!(t3.case(&number, now(T).date_naive()).is_err());
    // A request without the stream's key is refused and says nothing.
    let e1 = t1.enrolment().unwrap().unwrap();
    let forged = serde_json::json!({"terminal_uid": e1.terminal_uid, "have": [], "at": T, "proof": "AAAA"});
    let (status, body) = hq.post("/api/v1/relay", forged.to_string().as_bytes());
    assert_eq!(status, 401, "{body}");
    assert!(body.get("body").is_none());
}

fn t2_head(t: &Store) -> i64 {
    t.head().unwrap().0
}

#[test]
fn a_restored_window_gets_back_only_what_its_lost_copy_did_and_its_new_stream_reaches_the_others() {
    let hq = Hq::start();
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let path = d1.path().join("450821102.db");
    let mut t1 = terminal(d1.path(), "450821102", "示范镇便民服务中心");
    let mut t2 = window_two(d2.path(), "450821102");
    hq.enrol(&mut t1, &hq.code("450821102"));
    hq.enrol(&mut t2, &hq.code("450821102"));
    intakes(&mut t1, 3, 0, T);
    let backup = d1.path().join("backup.db");
    t1.backup_to(&backup, None).unwrap();
    intakes(&mut t1, 2, 100, "2026-11-23T10:00:00+08:00");
    yichuang_sync::sync(&mut t1, &quick(), now(T), &mut |_| {}).unwrap();
    yichuang_sync::sync(&mut t2, &quick(), now(T), &mut |_| {}).unwrap();
    drop(t1);
    Store::restore(&path, &backup, yichuang_core::TerminalId::parse("03").unwrap(), now("2026-11-23T11:00:00+08:00")).unwrap();
    let mut t1 = Store::open(&path).unwrap();
    intakes(&mut t1, 1, 200, "2026-11-23T11:30:00+08:00");
    let r = yichuang_sync::sync(&mut t1, &quick(), now(T), &mut |_| {}).unwrap();
    // Of its old stream only what the lost copy did after the backup comes back: the two
    // cases the disk took with it are held again, nothing twice.
    assert!(r.relay_refused.is_empty(), "{:?}", r.relay_refused);
    let peers: Vec<String> = t1.peer_streams().unwrap().into_iter().map(|p| p.terminal).collect();
    assert_eq!(peers, ["01", "02"]);
    assert!(t1.conflicts().unwrap().is_empty());
    let all = t1.list_cases(&yichuang_store::CaseFilter::default(), now(T).date_naive()).unwrap();
    assert_eq!(all.len(), 3 + 2 + 1, "the backup's 3, the lost copy's 2, the restored window's 1");
    let own_old: i64 = t1.connection().query_row("SELECT count(*) FROM peer_event p JOIN event e ON e.id = p.id", [], |r| r.get(0)).unwrap();
    assert_eq!(own_old, 0, "no event held twice");
    assert_eq!(t1.verify().unwrap().fault, None);
    // The new stream is named by the new epoch's key, and window 02 receives it.
    let uid = r.reenrolled.unwrap();
    assert!(uid.starts_with("450821102-03-k"), "{uid}");
    let r = yichuang_sync::sync(&mut t2, &quick(), now(T), &mut |_| {}).unwrap();
    assert!(r.relay_refused.is_empty(), "{:?}", r.relay_refused);
    let peers: Vec<String> = t2.peer_streams().unwrap().into_iter().map(|p| p.terminal).collect();
    assert_eq!(peers, ["01", "03"]);
    assert_eq!(t2.verify().unwrap().fault, None);
}

#[test]
fn an_act_that_reaches_hq_before_its_case_is_kept_and_counted_once_the_case_arrives() {
    let hq = Hq::start();
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut t1 = terminal(d1.path(), "450821102", "示范镇便民服务中心");
    let mut t2 = window_two(d2.path(), "450821102");
    hq.enrol(&mut t1, &hq.code("450821102"));
    hq.enrol(&mut t2, &hq.code("450821102"));
    intakes(&mut t1, 2, 0, T);
    let number = t1.list_cases(&yichuang_store::CaseFilter { status: Some(yichuang_core::CaseStatus::Accepted), ..Default::default() }, now(T).date_naive()).unwrap()[0].number.clone();
    // The case reaches window 02 on a USB stick; 02 hands it out and syncs first.
    let file = yichuang_sync::export::export_for_peers(&t1, now(T)).unwrap();
    yichuang_sync::export::import_from_peer(&mut t2, &file.to_bytes(), Some("head"), "file", now(T)).unwrap();
    let later = now("2026-11-23T10:00:00+08:00");
    t2.decide(&number, true, "", "demo", later).unwrap();
    t2.ready(&number, "demo", later).unwrap();
    t2.collect(&number, "韦秀英", "demo", later).unwrap();
    let r = yichuang_sync::sync(&mut t2, &quick(), now(T), &mut |_| {}).unwrap();
    assert!(r.rejected.is_empty(), "kept, not refused: {:?}", r.rejected);
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM case_record WHERE number = '{number}'")), 0);
    // Window 01 syncs later: the intake arrives and the case is folded over both streams.
    yichuang_sync::sync(&mut t1, &quick(), now(T), &mut |_| {}).unwrap();
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM case_record WHERE number = '{number}' AND status = 'collected'")), 1);
    assert_eq!(hq.sql("SELECT count(*) FROM reject"), 0);
}

/// A window's `serve-peer` in this process, on a free loopback port.
fn serve_peer(db: PathBuf) -> (String, std::sync::Arc<std::sync::atomic::AtomicBool>, std::thread::JoinHandle<()>) {
    let server = yichuang_sync::lan::PeerServer::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", server.local_addr());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let join = std::thread::spawn(move || {
        let store = Store::open(&db).unwrap();
        server.serve(&store, &flag, &|| now(T));
    });
    (url, stop, join)
}

#[test]
fn with_hq_stopped_the_windows_exchange_over_the_lan_and_trust_what_hq_confirmed() {
    let hq = Hq::start();
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut t1 = terminal(d1.path(), "450821102", "示范镇便民服务中心");
    let mut t2 = window_two(d2.path(), "450821102");
    for t in [&mut t1, &mut t2] {
        hq.enrol(t, &hq.code("450821102"));
    }
    for t in [&mut t1, &mut t2] {
        yichuang_sync::sync(t, &quick(), now(T), &mut |_| {}).unwrap();
    }
    yichuang_sync::sync(&mut t1, &quick(), now(T), &mut |_| {}).unwrap();
    let (u1, stop1, j1) = serve_peer(d1.path().join("450821102.db"));
    let (u2, stop2, j2) = serve_peer(d2.path().join("450821102-02.db"));
    // HQ confirmed both windows' keys when it relayed their streams: no head is needed to add them.
    let p1 = yichuang_sync::lan::add_peer(&mut t2, &u1, None, now(T)).unwrap();
    assert_eq!(p1.accepted_by, "held");
    yichuang_sync::lan::add_peer(&mut t1, &u2, None, now(T)).unwrap();

    // The county link goes down for the day.
    drop(hq);
    intakes(&mut t1, 2, 500, "2026-11-23T10:00:00+08:00");
    let cut = SyncOptions { max_attempts: 1, timeout: Duration::from_secs(5), ..quick() };
    assert!(matches!(yichuang_sync::sync(&mut t2, &cut, now(T), &mut |_| {}), Err(yichuang_sync::SyncError::Unreachable(_))));
    let rounds = yichuang_sync::lan::rounds(&mut t2, Duration::from_secs(10), now(T)).unwrap();
    assert_eq!((rounds.len(), rounds[0].error.as_deref()), (1, None));
    assert!(rounds[0].new >= 2, "{rounds:?}");
    let filter = yichuang_store::CaseFilter { status: Some(yichuang_core::CaseStatus::Accepted), ..Default::default() };
    let at_t1 = t1.list_cases(&filter, now(T).date_naive()).unwrap();
    let at_t2 = t2.list_cases(&filter, now(T).date_naive()).unwrap();
    assert_eq!(at_t1.iter().map(|c| &c.number).collect::<Vec<_>>(), at_t2.iter().map(|c| &c.number).collect::<Vec<_>>());
    assert_eq!(t2.peer_streams().unwrap()[0].last_via.as_deref(), Some("lan"));
    // Window 02 hands one out; window 01 learns it on its round, still with no HQ.
    let number = at_t2[0].number.clone();
    let later = now("2026-11-23T11:00:00+08:00");
    t2.decide(&number, true, "", "demo", later).unwrap();
    t2.ready(&number, "demo", later).unwrap();
    t2.collect(&number, "韦秀英", "demo", later).unwrap();
    let back = yichuang_sync::lan::rounds(&mut t1, Duration::from_secs(10), now(T)).unwrap();
    assert_eq!(back[0].error, None);
    assert_eq!(t1.case(&number, now(T).date_naive()).unwrap().status.as_str(), "collected");
    for t in [&t1, &t2] {
        assert_eq!(t.verify().unwrap().fault, None);
    }
    for (stop, join) in [(stop1, j1), (stop2, j2)] {
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        join.join().unwrap();
    }
}

fn hq_cli(db: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_yichuang-hq")).args(args).env("YICHUANG_HQ_DATABASE_URL", db).output().unwrap()
}

#[test]
fn a_centre_that_never_had_a_network_moves_everything_by_usb_stick_and_nothing_is_doubled() {
    let hq = Hq::start();
    let y2027 = r#"{"year":2027,"version":1,"source":"国务院办公厅关于2027年部分节假日安排的通知（测试）","holidays":[{"name":"元旦","from":"2027-01-01","to":"2027-01-03"}],"working_weekends":[]}"#;
    hq.rt.block_on(async { yichuang_hq::documents::publish(&hq.pool.get().await.unwrap(), "calendar", y2027).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    let cal = dir.path().join("2027.json");
    let out = hq_cli(&hq.db, &["document", "calendar", "--year", "2027", "--out", cal.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let hq_key = String::from_utf8(hq_cli(&hq.db, &["public-key"]).stdout).unwrap().trim().to_owned();

    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut t1 = terminal(d1.path(), "450821102", "示范镇便民服务中心");
    let mut t2 = window_two(d2.path(), "450821102");
    // The county's key came with the installer; the head sets it once.
    let mut settings = t1.centre().unwrap().settings.clone();
    settings.hq_public_key = hq_key.clone();
    t1.update_settings("head", settings, now(T)).unwrap();

    // HQ's calendar file, imported by the head with no network; only a head may, and only HQ's.
    let bytes = std::fs::read(&cal).unwrap();
    use yichuang_sync::transfer::{import_file, Imported};
    let e = import_file(&mut t1, &bytes, Some("demo"), false, now(T)).unwrap_err();
    assert!(e.to_string().contains("没有导入县级下发的文件的权限"), "{e}");
    let mut forged: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    forged["body"] = serde_json::Value::String(y2027.replace("2027-01-03", "2027-01-09"));
    let e = import_file(&mut t1, &serde_json::to_vec(&forged).unwrap(), Some("head"), false, now(T)).unwrap_err();
    assert!(e.to_string().contains("签名不符"), "{e}");
    assert!(!t1.calendar_versions().unwrap().iter().any(|(y, _)| *y == 2027), "nothing written by a refusal");
    let what = import_file(&mut t1, &bytes, Some("head"), false, now(T)).unwrap();
    assert_eq!(what, Imported::Document("2027年节假日安排 第1版".into()));
    let due = t1.calendar().due(chrono::NaiveDate::from_ymd_opt(2026, 12, 28).unwrap(), yichuang_core::Limit::working(5).unwrap());
    assert!(!due.provisional(), "due dates into 2027 now rest on the official calendar");

    // The day's work, on one stick, sealed to HQ and to window 02.
    intakes(&mut t1, 4, 700, T);
    let to = yichuang_sync::export::recipients(&t1, true, &[t2.terminal_public_key().unwrap().unwrap()]).unwrap();
    assert_eq!(to.len(), 3, "itself, HQ and window 02");
    let batch = yichuang_sync::export::export_for_peers(&t1, now(T)).unwrap();
    let stick = dir.path().join("stick.json");
    yichuang_sync::export::write_bytes(&yichuang_sync::export::seal_batch(&batch, &to).unwrap().to_bytes(), &stick).unwrap();
    let file = std::fs::read(&stick).unwrap();
    assert!(!String::from_utf8_lossy(&file).contains("韦秀英"));
    let head = t1.head().unwrap().0;
    for round in 0..2 {
        let Imported::Peer(r) = import_file(&mut t2, &file, Some("head"), true, now(T)).unwrap() else { panic!() };
        assert_eq!((r.new as i64, r.repeated as i64), if round == 0 { (head, 0) } else { (0, head) });
        let out = hq_import(&hq.db, &stick, Some("张科长"));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let said = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(said.contains(&if round == 0 { format!("新收{head}条") } else { "新收0条".into() }), "{said}");
    }
    assert_eq!(hq.sql("SELECT count(*) FROM event"), head, "every event once");
    assert_eq!(hq.sql("SELECT count(*) FROM case_record"), 4);
    let filter = yichuang_store::CaseFilter { status: Some(yichuang_core::CaseStatus::Accepted), ..Default::default() };
    assert_eq!(t2.list_cases(&filter, now(T).date_naive()).unwrap().len(), 2, "two of four wait for supplement");
    assert_eq!(t2.verify().unwrap().fault, None);
}

#[test]
fn the_county_sees_whom_a_case_is_about_and_the_centre_keeps_the_rest() {
    use yichuang_core::{IdNumber, MaterialCode, PersonName, Phone, Presented};
    let hq = Hq::start();
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut t1 = terminal(d1.path(), "450821102", "示范镇便民服务中心");
    let mut t2 = window_two(d2.path(), "450821102");
    for t in [&mut t1, &mut t2] {
        hq.enrol(t, &hq.code("450821102"));
    }
    let req = IntakeRequest {
        item: "LS-01".into(),
        applicant: ApplicantInput {
            party: Party::Person { id_number: IdNumber::parse("450821196804053025").unwrap(), name: PersonName::parse("韦秀英").unwrap() },
            phone: Some(Phone::parse("13907751234").unwrap()),
        },
        agent: Some((PersonName::parse("韦建华").unwrap(), IdNumber::parse("11010519491231002X").unwrap(), Some(Phone::parse("13807750000").unwrap()))),
        presented: ["SFZ", "HKB", "SQS", "KNZM"].iter().map(|m| Presented { material: MaterialCode::parse(m).unwrap(), pages: 1, copies: 1 }).collect(),
        defects: vec![],
        conditions: vec![],
        refusal: None,
        clerk: "demo".into(),
        received_on: None,
        confirm_rename: false,
        duplicate_reason: None,
        commitment: false,
        sms_consent: false,
    };
    let number = t1.intake(req, now(T)).unwrap().case_number.to_string();
    yichuang_sync::sync(&mut t1, &quick(), now(T), &mut |_| {}).unwrap();
    let page = hq.audit_page(&format!("/case/{number}"));
    let cases = hq.audit_page("/cases");
    for shown in [&page, &cases] {
        for gone in ["13907751234", "196804", "11010519491231002X", "13807750000"] {
            assert!(!shown.contains(gone), "{gone} shown at HQ");
        }
    }
    assert!(cases.contains("韦秀英"), "whom the case is about");
    // The centre's other window gets everything, through HQ's relay.
    yichuang_sync::sync(&mut t2, &quick(), now(T), &mut |_| {}).unwrap();
    let found = t2.list_cases(&yichuang_store::CaseFilter { query: Some("13907751234".into()), ..Default::default() }, now(T).date_naive()).unwrap();
    assert_eq!(found.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(), [number.as_str()], "found by phone at window 02");
}

fn window(dir: &Path, centre: &str, terminal: &str) -> Store {
    let mut s = Store::open(dir.join(format!("{centre}-{terminal}.db"))).unwrap();
    s.initialise(yichuang_core::CentreCode::parse(centre).unwrap(), "示范镇便民服务中心", yichuang_core::TerminalId::parse(terminal).unwrap(), now(T)).unwrap();
    s.load_demo(now(T)).unwrap();
    s
}

/// A terminal's own work alone: the fold of its own stream.
fn own_work(s: &Store, month: yichuang_report::Period) -> yichuang_report::ItemFigures {
    let events = s.events_after(0, 1_000_000).unwrap();
    let names = std::collections::HashMap::new();
    yichuang_report::fold(
        "",
        events.iter().map(|e| yichuang_report::Ev { at: &e.at, kind: &e.kind, subject: &e.subject, payload: &e.payload }),
        s.calendar(),
        month,
        &names,
    )
    .total
}

#[test]
fn three_windows_and_another_centre_on_one_hq_hold_one_record() {
    let hq = Hq::start();
    let dir = tempfile::tempdir().unwrap();
    let (mut t1, mut t2, mut t3) = (window(dir.path(), "450821102", "01"), window(dir.path(), "450821102", "02"), window(dir.path(), "450821102", "03"));
    let mut t4 = window(dir.path(), "450821103", "01");
    // Window 01 works before it is ever enrolled.
    intakes(&mut t1, 6, 0, T);
    for (t, c) in [(&mut t1, "450821102"), (&mut t2, "450821102"), (&mut t3, "450821102"), (&mut t4, "450821103")] {
        hq.enrol(t, &hq.code(c));
    }
    intakes(&mut t2, 3, 100, "2026-11-24T09:00:00+08:00");
    intakes(&mut t3, 4, 200, "2026-11-25T09:00:00+08:00");
    intakes(&mut t4, 5, 300, T);
    let round = |t: &mut Store| yichuang_sync::sync(t, &quick(), now(T), &mut |_| {}).unwrap();
    for t in [&mut t1, &mut t2, &mut t3, &mut t4] {
        round(t);
    }
    // Window 02 hands out a case window 01 took in before its enrolment.
    let filter = yichuang_store::CaseFilter { status: Some(yichuang_core::CaseStatus::Accepted), ..Default::default() };
    let number = t2.list_cases(&filter, now(T).date_naive()).unwrap().into_iter().find(|c| c.number.contains("01202611230")).unwrap().number;
    let later = now("2026-11-26T10:00:00+08:00");
    t2.decide(&number, true, "", "demo", later).unwrap();
    t2.ready(&number, "demo", later).unwrap();
    t2.collect(&number, "韦秀英", "demo", later).unwrap();
    for _ in 0..2 {
        for t in [&mut t2, &mut t1, &mut t3] {
            round(t);
        }
    }
    assert_eq!(t1.case(&number, now(T).date_naive()).unwrap().status.as_str(), "collected");

    // HQ holds every event of every stream from seq 1, once.
    for t in [&t1, &t2, &t3, &t4] {
        let uid = t.enrolment().unwrap().unwrap().terminal_uid;
        let head = t.head().unwrap().0;
        assert_eq!(hq.sql(&format!("SELECT count(*) FROM event WHERE terminal_uid = '{uid}'")), head, "{uid}");
        assert_eq!(hq.sql(&format!("SELECT min(seq) FROM event WHERE terminal_uid = '{uid}'")), 1);
    }
    assert_eq!(hq.sql("SELECT count(*) FROM (SELECT terminal_uid, seq FROM event GROUP BY 1, 2 HAVING count(*) > 1) d"), 0);
    // The head's month at window 03 is HQ's for the centre, and what the windows took in is
    // the sum of their own work, each application once. (A decision counts where the case is
    // known: window 02's approval of window 01's case counts at the centre, not in 02's own
    // stream alone.)
    let month = yichuang_report::Period::month(2026, 11).unwrap();
    let at_t3 = yichuang_report::from_store(&t3, month).unwrap();
    let at_hq = hq.rt.block_on(yichuang_hq::report::centre_report(&hq.pool, "450821102", month)).unwrap();
    assert_eq!(at_t3.total, at_hq.total);
    assert_eq!(at_t3.centre_figures, at_hq.centre_figures);
    let own: Vec<_> = [&t1, &t2, &t3].iter().map(|t| own_work(t, month)).collect();
    assert_eq!((at_t3.total.received, at_t3.total.completed), (13, 1));
    for (name, get) in [
        ("received", (|f: &yichuang_report::ItemFigures| f.received) as fn(&yichuang_report::ItemFigures) -> u32),
        ("accepted", |f| f.accepted),
        ("supplement_notices", |f| f.supplement_notices),
        ("immediate", |f| f.immediate),
    ] {
        assert_eq!(get(&at_t3.total), own.iter().map(get).sum::<u32>(), "{name}");
    }
    // Another centre's window never receives this centre's events.
    assert!(t4.peer_streams().unwrap().is_empty());
    assert!(t4.case(&number, now(T).date_naive()).is_err());
    for t in [&t1, &t2, &t3, &t4] {
        assert_eq!(t.verify().unwrap().fault, None);
    }
}

/// Two centres with cases in every state a fresh intake leaves (accepted, awaiting
/// supplement), synced to HQ: (HQ, a case number of 450821102, one of 450821103).
fn two_centres_synced(dir: &Path) -> (Hq, String, String) {
    let hq = Hq::start();
    let mut numbers = vec![];
    for (i, centre) in ["450821102", "450821103"].into_iter().enumerate() {
        let mut s = terminal(dir, centre, "测试中心");
        intakes(&mut s, 6, 500 * i as u32, T);
        hq.enrol(&mut s, &hq.code(centre));
        yichuang_sync::sync(&mut s, &quick(), now(T), &mut |_| {}).unwrap();
        numbers.push(hq.rt.block_on(async {
            let c = hq.pool.get().await.unwrap();
            c.query_one("SELECT number FROM case_record WHERE centre_code = $1 AND status = 'awaiting_supplement' LIMIT 1", &[&centre]).await.unwrap().get::<_, String>(0)
        }));
    }
    let b = numbers.pop().unwrap();
    (hq, numbers.pop().unwrap(), b)
}

#[test]
fn county_pages_ask_for_a_session_and_each_role_sees_only_what_it_may() {
    use yichuang_hq::staff::Role;
    let dir = tempfile::tempdir().unwrap();
    let (hq, a, b) = two_centres_synced(dir.path());
    let pages = ["/", "/cases", "/overdue", &format!("/case/{a}"), "/report?centre=450821102&month=2026-11", "/import", "/access-log", "/users"];
    // Without a session: sent to sign in, and nobody's name on the way.
    for p in pages {
        let (status, body) = hq.page(None, p);
        assert_eq!(status, 303, "{p}: {body}");
        assert!(!body.contains("韦秀英") && !body.contains(&a), "{p}: {body}");
    }
    let (status, body) = hq.post("/import", b"{}");
    assert_eq!(status, 401, "{body}");
    assert!(body["message"].as_str().unwrap().contains("请先登录"));

    // A centre viewer reads its own centre and nothing of another, answered as if absent.
    hq.user("zhen102", Role::Viewer, &["450821102"]);
    let viewer = hq.sign_in("zhen102");
    let (status, cases) = hq.page(Some(&viewer), "/cases");
    assert_eq!(status, 200, "{cases}");
    assert!(cases.contains(&a) && !cases.contains(&b) && !cases.contains("450821103"), "{cases}");
    assert!(cases.contains("待补正"), "a case awaiting supplement is listed: {cases}");
    let (_, other) = hq.page(Some(&viewer), "/cases?centre=450821103");
    assert!(other.contains("0件") && !other.contains(&b), "{other}");
    let (status, body) = hq.page(Some(&viewer), &format!("/case/{b}"));
    let (status_absent, absent) = hq.page(Some(&viewer), "/case/450821103000000000000099");
    assert_eq!((status, status_absent), (404, 404));
    assert_eq!(body.replace(&b, ""), absent.replace("450821103000000000000099", ""), "another centre's case is answered as a missing one");
    assert!(!body.contains("韦秀英"));
    assert_eq!(hq.page(Some(&viewer), &format!("/case/{a}")).0, 200);
    assert_eq!(hq.page(Some(&viewer), "/report?centre=450821103&month=2026-11").0, 403);
    assert_eq!(hq.page(Some(&viewer), "/report?centre=450821102&month=2026-11").0, 200);
    for p in ["/access-log", "/users", "/import"] {
        let (status, body) = hq.page(Some(&viewer), p);
        assert_eq!(status, 403, "{p}: {body}");
        assert!(body.contains("账户"), "{body}");
    }
    // The administrator runs the county's accounts and terminals, and reads nobody's case.
    let admin = hq.admin();
    for p in ["/cases", "/overdue", &format!("/case/{a}"), "/report?centre=450821102&month=2026-11", "/access-log"] {
        let (status, body) = hq.page(Some(&admin), p);
        assert_eq!(status, 403, "{p}: {body}");
        assert!(!body.contains("韦秀英"), "{p}");
    }
    assert_eq!(hq.page(Some(&admin), "/users").0, 200);
    assert_eq!(hq.page(Some(&admin), "/import").0, 200);

    // The auditor reads every centre, and each view is in the access log with who and from where.
    let audit = hq.auditor();
    for p in pages.iter().filter(|p| !["/import", "/users"].contains(p)) {
        let (status, body) = hq.page(Some(&audit), p);
        assert_eq!(status, 200, "{p}: {body}");
    }
    let (_, all) = hq.page(Some(&audit), "/cases");
    assert!(all.contains(&a) && all.contains(&b), "{all}");
    assert_eq!(hq.page(Some(&audit), &format!("/case/{b}")).0, 200);
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM access_log WHERE login = 'audit' AND action = 'view_case' AND target = '{b}' AND address = '127.0.0.1'")), 1);
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM access_log WHERE login = 'zhen102' AND action = 'view_case' AND target = '{a}'")), 1);
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM access_log WHERE target = '{b}' AND login = 'zhen102'")), 0, "a refused view showed nothing");
    let (_, log) = hq.page(Some(&audit), &format!("/access-log?target={b}"));
    assert!(log.contains("view_case") && log.contains("audit"), "{log}");
    // The log is append-only, even for HQ's own database user.
    let edited = hq.rt.block_on(async { hq.pool.get().await.unwrap().execute("DELETE FROM access_log", &[]).await });
    assert!(edited.is_err(), "a DELETE on the access log must fail");
    assert!(hq.sql("SELECT count(*) FROM access_log") > 3);
    let updated = hq.rt.block_on(async { hq.pool.get().await.unwrap().execute("UPDATE access_log SET login = 'x'", &[]).await });
    assert!(updated.is_err());

    // The county summary: every centre side by side for the auditor, its own for a viewer.
    let (status, summary) = hq.page(Some(&audit), "/summary?month=2026-11");
    assert_eq!(status, 200, "{summary}");
    assert!(summary.contains("450821102") && summary.contains("450821103") && summary.contains("承诺兑现率"), "{summary}");
    assert!(summary.contains("<td>6</td>"), "six cases received at each centre: {summary}");
    let (_, own) = hq.page(Some(&viewer), "/summary?month=2026-11");
    assert!(own.contains("450821102") && !own.contains("450821103"), "{own}");
    assert_eq!(hq.page(Some(&admin), "/summary").0, 403);
    let mut r = no_redirects().get(&format!("{}/summary.xlsx?month=2026-11", hq.url)).header("cookie", &audit.cookie).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.body_mut().read_to_vec().unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx workbook");
    assert_eq!(hq.sql("SELECT count(*) FROM access_log WHERE login = 'audit' AND action = 'export_summary'"), 1);
    assert_eq!(hq.page(Some(&audit), "/summary?month=2026-13").0, 400);

    // Bad input answers 400 in Chinese, and the page keeps working.
    let (status, body) = hq.page(Some(&audit), "/cases?q=%00");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("不能使用的字符"), "{body}");
    assert_eq!(hq.page(Some(&audit), "/cases?q=%25").0, 200);
}

#[test]
fn sign_in_locks_out_and_a_forged_replayed_idle_or_cross_site_session_does_nothing() {
    use yichuang_hq::staff::Role;
    let dir = tempfile::tempdir().unwrap();
    let (hq, a, _) = two_centres_synced(dir.path());
    hq.user("audit", Role::Auditor, &[]);
    // A wrong password and an unknown name get the same answer.
    let (s1, none1, wrong) = hq.try_sign_in("audit", "wrong-password-1");
    let (s2, none2, unknown) = hq.try_sign_in("nobody", "wrong-password-1");
    assert_eq!((s1, s2), (401, 401));
    assert!(none1.is_none() && none2.is_none());
    assert!(wrong.contains("用户名或密码不对") && unknown.contains("用户名或密码不对"));
    // From the fifth wrong password in a row the name is locked: the right one waits too.
    for _ in 0..3 {
        assert_eq!(hq.try_sign_in("audit", "wrong-password-1").0, 401);
    }
    let (status, _, body) = hq.try_sign_in("audit", "wrong-password-1");
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("锁定") && body.contains("30秒"), "{body}");
    let (status, session, _) = hq.try_sign_in("audit", PASSWORD);
    assert_eq!(status, 429);
    assert!(session.is_none());
    assert_eq!(hq.sql("SELECT count(*) FROM access_log WHERE login = 'audit' AND action = 'sign_in_failed'"), 5);
    // The lock runs out (moved into the past here, as the clock would) and the right password works.
    hq.sql("WITH u AS (UPDATE sign_in_failure SET locked_until = now() - interval '1 second' RETURNING 1) SELECT count(*) FROM u");
    let audit = hq.sign_in("audit");
    assert_eq!(hq.page(Some(&audit), &format!("/case/{a}")).0, 200);

    // A forged cookie, and a cookie of a session that ended, sign nobody in.
    let forged = Session { cookie: "yc_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(), csrf: String::new() };
    assert_eq!(hq.page(Some(&forged), "/cases").0, 303);
    let copy = Session { cookie: audit.cookie.clone(), csrf: audit.csrf.clone() };
    // A sign-out posted without the form's token is refused, and the session stays.
    let r = no_redirects().post(&format!("{}/signout", hq.url)).header("cookie", &audit.cookie).send_form([("_csrf", "guess")]).unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(hq.page(Some(&audit), "/cases").0, 200);
    let r = no_redirects().post(&format!("{}/signout", hq.url)).header("cookie", &audit.cookie).send_form([("_csrf", audit.csrf.as_str())]).unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let (status, body) = hq.page(Some(&copy), "/cases");
    assert_eq!(status, 303, "a replayed cookie after sign-out: {body}");
    // An idle session ends after 30 minutes without a request.
    let idle = hq.sign_in("audit");
    assert_eq!(hq.page(Some(&idle), "/cases").0, 200);
    hq.sql("WITH u AS (UPDATE staff_session SET last_seen = now() - interval '31 minutes' WHERE ended_at IS NULL RETURNING 1) SELECT count(*) FROM u");
    assert_eq!(hq.page(Some(&idle), "/cases").0, 303);
    // The database holds no token that would sign anyone in.
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM staff_session WHERE token_hash = '{}'", idle.cookie.trim_start_matches("yc_session="))), 0);

    // A cross-site form: the administrator's cookie without the page's token, or from another origin.
    let admin = hq.admin();
    let before = hq.sql("SELECT count(*) FROM event");
    let r = no_redirects().post(&format!("{}/import", hq.url)).header("cookie", &admin.cookie).send(b"{}" as &[u8]).unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = no_redirects()
        .post(&format!("{}/import", hq.url))
        .header("cookie", &admin.cookie)
        .header("x-csrf-token", &admin.csrf)
        .header("origin", "https://evil.example")
        .send(b"{}" as &[u8])
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = no_redirects()
        .post(&format!("{}/users", hq.url))
        .header("cookie", &admin.cookie)
        .send_form([("login", "mole"), ("name", "内鬼"), ("role", "auditor"), ("password", "county-pass-2026")])
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(hq.sql("SELECT count(*) FROM staff WHERE login = 'mole'"), 0);
    assert_eq!(hq.sql("SELECT count(*) FROM event"), before);
    // With the page's token the administrator opens an account; a disabled account's session ends.
    let mut r = no_redirects()
        .post(&format!("{}/users", hq.url))
        .header("cookie", &admin.cookie)
        .send_form([("_csrf", admin.csrf.as_str()), ("login", "zhen103"), ("name", "李查看"), ("role", "viewer"), ("centres", "450821103"), ("password", "county-pass-2026")])
        .unwrap();
    let body = r.body_mut().read_to_string().unwrap();
    assert_eq!(r.status().as_u16(), 200, "{body}");
    assert!(body.contains("已开设账户zhen103"), "{body}");
    let viewer = hq.sign_in("zhen103");
    assert_eq!(hq.page(Some(&viewer), "/cases").0, 200);
    hq.rt.block_on(async { yichuang_hq::staff::disable(&hq.pool.get().await.unwrap(), "zhen103").await }).unwrap();
    assert_eq!(hq.page(Some(&viewer), "/cases").0, 303);
}

/// Events a thief with terminal `s`'s key would append after its head: each one hashed and
/// chained as a real one, the batch signed with the stolen key.
fn forged_batch(s: &Store, edits: Vec<(&str, String, String)>, head: Option<i64>) -> Batch {
    forged_as(s, "", edits, head)
}

fn forged_as(s: &Store, actor: &str, edits: Vec<(&str, String, String)>, head: Option<i64>) -> Batch {
    let e = s.enrolment().unwrap().unwrap();
    let (mut seq, mut prev) = s.head().unwrap();
    let template = s.events_between(1, 1).unwrap().remove(0);
    let from_prev = prev.clone();
    let mut events = vec![];
    for (kind, subject, payload) in edits {
        seq += 1;
        let mut r = yichuang_events::EventRecord {
            seq,
            id: format!("forged-{seq}"),
            kind: kind.into(),
            subject,
            payload,
            prev_hash: prev.clone(),
            hash: String::new(),
            actor: if actor.is_empty() { template.actor.clone() } else { actor.to_owned() },
            ..template.clone()
        };
        r.hash = r.computed_hash();
        prev = r.hash.clone();
        events.push(r);
    }
    Batch::build_reporting(&s.centre().unwrap().code.to_string(), &e.terminal_uid, &from_prev, events, &e.hmac_key, T, head.or(Some(seq))).unwrap()
}

fn payload_of(s: &Store, kind: &str) -> (String, serde_json::Value) {
    let (head, _) = s.head().unwrap();
    let e = s.events_between(1, head).unwrap().into_iter().rev().find(|e| e.kind == kind).unwrap_or_else(|| panic!("no {kind}"));
    (e.subject, serde_json::from_str(&e.payload).unwrap())
}

#[test]
fn a_stolen_terminal_key_cannot_move_another_centre_s_case_nor_a_closed_one_and_every_page_keeps_working() {
    let hq = Hq::start();
    let dir = tempfile::tempdir().unwrap();
    let mut a = terminal(dir.path(), "450821102", "示范镇");
    let mut b = terminal(dir.path(), "450821103", "邻镇");
    intakes(&mut a, 3, 0, T);
    intakes(&mut b, 3, 100, T);
    for s in [&mut a, &mut b] {
        let centre = s.centre().unwrap().code.to_string();
        hq.enrol(s, &hq.code(&centre));
    }
    // b withdraws one of its own cases, and HQ holds that.
    let (theirs, _) = payload_of(&a, "case.intake");
    let (own, _) = payload_of(&b, "case.intake");
    b.withdraw(&own, "申请人撤回", "demo", now(T)).unwrap();
    for s in [&mut a, &mut b] {
        yichuang_sync::sync(s, &quick(), now(T), &mut |_| {}).unwrap();
    }
    let status = |n: &str| hq.rt.block_on(async { hq.pool.get().await.unwrap().query_one("SELECT status FROM case_record WHERE number = $1", &[&n]).await.unwrap().get::<_, String>(0) });
    let (theirs_before, own_before) = (status(&theirs), status(&own));
    assert_eq!(own_before, "withdrawn");
    let (_, withdrawn) = payload_of(&b, "case.withdrawn");
    let mut approved = withdrawn.clone();
    approved["status"] = "approved".into();
    approved["approved"] = true.into();
    let approval = json_text(&approved);
    let (doc_subject, mut doc) = payload_of(&b, "document.issued");
    doc["case"] = theirs.clone().into();
    let (_, intake) = payload_of(&b, "case.intake");
    let forged = forged_batch(
        &b,
        vec![
            // Another centre's case, by its subject and by a document naming it.
            ("case.decided", theirs.clone(), approval.clone()),
            ("document.issued", doc_subject, json_text(&doc)),
            // Its own case, closed at HQ, approved anyway; and a second intake of a number HQ holds.
            ("case.decided", own.clone(), approval.clone()),
            ("case.intake", own.clone(), json_text(&intake)),
            // A payload no page could show, and one that is no event at all.
            ("case.extended", own.clone(), r#"{"reason":"\u0000","days":3}"#.into()),
            ("case.ready", own.clone(), "[1,2".into()),
        ],
        None,
    );
    let last_sync = || hq.rt.block_on(async { hq.pool.get().await.unwrap().query_one("SELECT last_sync_at::text FROM terminal WHERE centre_code = '450821103'", &[]).await.unwrap().get::<_, String>(0) });
    let (code, ack) = hq.post("/api/v1/batches", &forged.to_bytes());
    assert_eq!(code, 200, "{ack}");
    let reasons: Vec<String> = ack["rejected"].as_array().unwrap().iter().map(|r| r["reason"].as_str().unwrap().to_owned()).collect();
    assert_eq!(reasons.len(), 6, "every forged event refused: {reasons:?}");
    for (i, needle) in ["无权写入", "无权写入", "不能再变为", "办件编号重复", "空字符", "无法识别"].iter().enumerate() {
        assert!(reasons[i].contains(needle), "{i}: {}", reasons[i]);
    }
    assert!(reasons[2].contains("已撤回") || reasons[2].contains("撤回"), "{}", reasons[2]);
    // Nothing moved, and each refusal is kept with its reason.
    assert_eq!((status(&theirs), status(&own)), (theirs_before, own_before));
    assert_eq!(hq.sql("SELECT count(*) FROM reject"), 6);
    // The other centre's case shows nothing of the stranger.
    let page = hq.audit_page(&format!("/case/{theirs}"));
    assert!(!page.contains(&forged.terminal_uid), "{page}");
    // A replay changes nothing, not even when HQ last heard from the terminal.
    let heard = last_sync();
    let (code, ack) = hq.post("/api/v1/batches", &forged.to_bytes());
    assert_eq!(code, 200, "{ack}");
    assert_eq!((ack["applied"].as_i64(), ack["repeated"].as_i64()), (Some(0), Some(6)));
    assert_eq!(last_sync(), heard);
    // A head changed on the way breaks the signature; a signed absurd head is refused.
    let mut edited = forged.clone();
    edited.manifest.head = Some(i64::MAX / 2);
    assert_eq!(hq.post("/api/v1/batches", &edited.to_bytes()).0, 401);
    // a, whose head HQ holds: a signed absurd head, and a NUL in a field, are refused whole.
    let before = hq.sql("SELECT count(*) FROM event");
    let absurd = forged_batch(&a, vec![("case.ready", theirs.clone(), "{}".into())], Some(i64::MAX / 2));
    let (code, body) = hq.post("/api/v1/batches", &absurd.to_bytes());
    assert_eq!(code, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("不符"), "{body}");
    let nul = forged_as(&a, "de\0mo", vec![("case.ready", theirs.clone(), "{}".into())], None);
    let (code, body) = hq.post("/api/v1/batches", &nul.to_bytes());
    assert_eq!(code, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("空字符"), "{body}");
    assert_eq!(hq.sql("SELECT count(*) FROM event"), before);
    assert_eq!(hq.sql("SELECT count(*) FROM reject"), 6);
    // Every page still answers.
    for p in ["/", "/cases", "/overdue", &format!("/case/{own}"), &format!("/case/{theirs}"), "/report?centre=450821103&month=2026-11", "/cases?q=韦"] {
        hq.audit_page(p);
    }
}

fn json_text(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap()
}

/// One enrolment attempt from the loopback address `from` (127.0.0.x), over a socket bound to
/// it, as a guesser on the network would send it: the HTTP status.
fn enrol_from(hq: &Hq, from: std::net::Ipv4Addr, centre: &str, code: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = serde_json::json!({"code": code, "centre": centre, "terminal": "01", "base_seq": 0, "base_hash": yichuang_store::GENESIS_HASH}).to_string();
    let to: SocketAddr = hq.url.trim_start_matches("http://").parse().unwrap();
    hq.rt.block_on(async {
        let sock = tokio::net::TcpSocket::new_v4().unwrap();
        sock.bind(SocketAddr::new(from.into(), 0)).unwrap();
        let mut c = sock.connect(to).await.unwrap();
        let req = format!(
            "POST /api/v1/enrol HTTP/1.1\r\nHost: {to}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        c.write_all(req.as_bytes()).await.unwrap();
        let mut answer = String::new();
        c.read_to_string(&mut answer).await.unwrap();
        answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
    })
}

fn wrong_code(i: u32) -> String {
    // Wrong, well-formed codes: 16 symbols of the alphabet.
    format!("{:016X}", 0x1234_5678_9ABC_u64 + u64::from(i) * 7919).replace('I', "1").replace('L', "1").replace('O', "0").replace('U', "V")
}

#[test]
fn enrolment_codes_of_80_bits_burn_after_five_wrong_tries_and_guessing_from_anywhere_is_stopped() {
    let hq = Hq::start();
    let code = hq.code("450821102");
    // What a head types: four groups of four symbols without look-alikes.
    assert_eq!(code.len(), 19, "{code}");
    assert!(code.split('-').all(|g| g.len() == 4 && g.bytes().all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b))), "{code}");
    assert_eq!(hq.sql("SELECT count(*) FROM enrol_code WHERE code LIKE '%-%'"), 0, "HQ keeps only a hash of the code");
    // 10,000 wrong codes from one address: five are looked at, the rest wait.
    let one = std::net::Ipv4Addr::new(127, 0, 0, 1);
    let mut seen = std::collections::BTreeMap::new();
    for i in 0..10_000 {
        *seen.entry(enrol_from(&hq, one, "450821102", &wrong_code(i))).or_insert(0) += 1;
    }
    assert_eq!(seen.get(&200), None, "{seen:?}");
    assert_eq!(seen.get(&401), Some(&5), "{seen:?}");
    assert_eq!(seen.get(&429), Some(&9_995), "{seen:?}");
    // The fifth wrong try burnt the centre's open code: the real one no longer enrols anyone,
    // and says the same as a wrong one (from an address that may still try).
    assert_eq!(hq.sql("SELECT count(*) FROM enrol_code WHERE burnt_at IS NOT NULL"), 1);
    assert_eq!(enrol_from(&hq, std::net::Ipv4Addr::new(127, 0, 0, 2), "450821102", &code), 401);
    // From many addresses: the server stops all enrolment after 30 wrong codes a minute.
    let code2 = hq.code("450821102");
    let mut seen = std::collections::BTreeMap::new();
    let started = std::time::Instant::now();
    for i in 0..10_000u32 {
        let from = std::net::Ipv4Addr::new(127, 0, (3 + i / 250) as u8, (1 + i % 250) as u8);
        *seen.entry(enrol_from(&hq, from, "450821102", &wrong_code(20_000 + i))).or_insert(0) += 1;
    }
    // The global window is a minute: on a machine so busy that this loop outlasts one, each
    // new minute lets its thirty through again, and no more.
    let minutes = (started.elapsed().as_secs() / 60 + 2) as i32;
    let looked_at = seen.get(&401).copied().unwrap_or(0);
    assert_eq!(seen.get(&200), None, "{seen:?}");
    assert!(looked_at <= yichuang_hq::enrol::GLOBAL_FAILS as i32 * minutes, "{seen:?} in {minutes} windows");
    assert_eq!(looked_at + seen.get(&429).copied().unwrap_or(0), 10_000, "{seen:?}");
    assert!(looked_at < 1_000, "{seen:?}");
    assert_eq!(hq.sql("SELECT count(*) FROM enrol_code WHERE burnt_at IS NOT NULL"), 2, "the second code burnt too");
    let _ = code2;
    // A right code for the wrong centre is answered as any wrong code, naming no centre.
    let hq2 = Hq::start();
    let code3 = hq2.code("450821102");
    let (status, body) = hq2.post(
        "/api/v1/enrol",
        serde_json::json!({"code": code3, "centre": "450821103", "terminal": "01", "base_seq": 0, "base_hash": yichuang_store::GENESIS_HASH}).to_string().as_bytes(),
    );
    assert_eq!(status, 401);
    assert!(!body.to_string().contains("450821102"), "{body}");
    // How long guessing would take. A code is burnt at the fifth wrong try named for its centre,
    // so within its life at most 5 of the 2^80 codes are tried: with a new code every day, the
    // expected wait for one success is 2^80 / 5 days.
    let per_code = 5.0 / 2f64.powi(80);
    let years = 1.0 / per_code / 365.25;
    // Without the burning, at the global limit (30 a minute) for a code's longest life (168 h):
    let unburnt_years = 2f64.powi(80) / (f64::from(yichuang_hq::enrol::GLOBAL_FAILS) * 60.0 * 24.0 * 365.25);
    eprintln!("expected time to guess an enrolment code: {years:.2e} years (a code a day); {unburnt_years:.2e} years at the global limit without burning");
    assert!(years > 100.0 && unburnt_years > 100.0);
}

#[test]
fn a_new_terminal_waits_for_the_county_and_a_revoked_one_gets_nothing_and_its_centre_learns_it() {
    let hq = Hq::start();
    let dir = tempfile::tempdir().unwrap();
    let mut t1 = window(dir.path(), "450821102", "01");
    let mut t2 = window(dir.path(), "450821102", "02");
    intakes(&mut t1, 3, 0, T);
    let e1 = yichuang_sync::enrol(&mut t1, &hq.url, &hq.code("450821102"), &quick(), now(T)).unwrap();
    // Enrolled, not yet confirmed: nothing is taken in, and the terminal is told why.
    let err = yichuang_sync::sync(&mut t1, &quick(), now(T), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("尚待县级管理员"), "{err}");
    assert_eq!(hq.sql("SELECT count(*) FROM event"), 0);
    // The administrator compares the fingerprint and confirms it on the terminals page.
    let admin = hq.admin();
    let (_, page) = hq.page(Some(&admin), "/terminals");
    assert!(page.contains("待确认") && page.contains(&e1.terminal_uid), "{page}");
    let mut r = no_redirects()
        .post(&format!("{}/terminals/confirm", hq.url))
        .header("cookie", &admin.cookie)
        .send_form([("_csrf", admin.csrf.as_str()), ("uid", e1.terminal_uid.as_str())])
        .unwrap();
    let body = r.body_mut().read_to_string().unwrap();
    assert_eq!(r.status().as_u16(), 200, "{body}");
    assert!(body.contains("已确认终端"), "{body}");
    yichuang_sync::sync(&mut t1, &quick(), now(T), &mut |_| {}).unwrap();
    assert!(hq.sql("SELECT count(*) FROM event") > 0);
    hq.enrol(&mut t2, &hq.code("450821102"));
    yichuang_sync::sync(&mut t2, &quick(), now(T), &mut |_| {}).unwrap();
    let t1_key = t1.terminal_public_key().unwrap().unwrap();
    assert!(t2.trusted_peer(&t1_key).unwrap().is_some(), "t2 holds t1's stream through HQ");

    // The PC of window 01 is stolen: the administrator revokes it.
    let r = no_redirects()
        .post(&format!("{}/terminals/revoke", hq.url))
        .header("cookie", &admin.cookie)
        .send_form([("_csrf", admin.csrf.as_str()), ("uid", e1.terminal_uid.as_str()), ("reason", "电脑失窃")])
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let held = hq.sql("SELECT count(*) FROM event");
    intakes(&mut t1, 2, 50, T);
    let err = yichuang_sync::sync(&mut t1, &quick(), now(T), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("已被县级吊销") && err.to_string().contains("电脑失窃"), "{err}");
    assert_eq!(hq.sql("SELECT count(*) FROM event"), held, "nothing of a revoked terminal is taken in");
    let (status, _) = {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let r = agent.get(&format!("{}/api/v1/updates?terminal_uid={}", hq.url, e1.terminal_uid)).call().unwrap();
        (r.status().as_u16(), ())
    };
    assert_eq!(status, 403, "no download for a revoked terminal");
    // Window 02 learns it at its next sync, and trusts that key no more, on any path.
    let r = yichuang_sync::sync(&mut t2, &quick(), now(T), &mut |_| {}).unwrap();
    assert_eq!(r.revoked, vec![e1.terminal_uid.clone()]);
    assert!(t2.revoked(&t1_key).unwrap().unwrap().contains("电脑失窃"));
    assert!(t2.trusted_peer(&t1_key).unwrap().is_none());
    assert!(!t2.centre_keys().unwrap().contains(&t1_key));
    let r = yichuang_sync::sync(&mut t2, &quick(), now(T), &mut |_| {}).unwrap();
    assert!(r.revoked.is_empty(), "learnt once");
    let (_, page) = hq.page(Some(&admin), "/terminals");
    assert!(page.contains("已吊销：电脑失窃"), "{page}");
    assert_eq!(hq.sql("SELECT count(*) FROM access_log WHERE action IN ('confirm_terminal', 'revoke_terminal') AND login = 'admin'"), 2);
}

#[test]
fn a_300_mib_body_and_malformed_requests_are_refused_in_chinese_and_hq_keeps_working() {
    use std::io::{Read, Write};
    let hq = Hq::start();
    let to = hq.url.trim_start_matches("http://").to_owned();
    // A batch declared as 300 MiB: refused once past the batch limit, never read whole.
    let mut c = std::net::TcpStream::connect(&to).unwrap();
    write!(c, "POST /api/v1/batches HTTP/1.1\r\nHost: {to}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", 300u64 << 20).unwrap();
    let chunk = vec![b'a'; 64 << 10];
    for _ in 0..(yichuang_hq::BATCH_BODY / chunk.len() + 16) {
        if c.write_all(&chunk).is_err() {
            break;
        }
    }
    let _ = c.shutdown(std::net::Shutdown::Write);
    let mut answer = vec![];
    let _ = c.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("请求过大"), "{answer}");
    // A batch without its envelope, or with a MAC that is not the stream's, is refused before
    // a byte of it is parsed (garbage gets the same 401 as a batch).
    let (status, body) = hq.post("/api/v1/batches", b"{not even json");
    assert_eq!(status, 401, "{body}");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let r = agent.post(&format!("{}/api/v1/batches", hq.url)).header("x-yichuang-stream", "450821102-01-ffffffff").header("x-yichuang-mac", "AAAA").send(&b"{}"[..]).unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // JSON that does not parse, and a form that is no form: a Chinese 400, nothing written.
    let (status, body) = hq.post("/api/v1/enrol", b"{not json");
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("请求格式不对"), "{body}");
    let (status, body) = hq.post("/api/v1/relay", b"[]");
    assert!((400..500).contains(&status), "{status} {body}");
    assert!(body["message"].as_str().unwrap().contains("请求格式不对"), "{body}");
    assert_eq!(hq.sql("SELECT count(*) FROM event"), 0);
    // And HQ answers as before.
    assert_eq!(hq.page(None, "/signin").0, 200);
    hq.admin();
}

#[test]
fn a_terminal_enrols_over_https_with_the_county_s_own_root_and_plain_http_is_refused() {
    let db = database();
    let dir = tempfile::tempdir().unwrap();
    let tls = dir.path().join("tls");
    let out = Command::new(env!("CARGO_BIN_EXE_yichuang-hq"))
        .args(["tls-init", "--county", "测试县", "--host", "127.0.0.1", "--host", "localhost", "--out"])
        .arg(&tls)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("根证书指纹"));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let hq = Command::new(env!("CARGO_BIN_EXE_yichuang-hq"))
        .arg("serve")
        .env("YICHUANG_HQ_DATABASE_URL", &db)
        .env("YICHUANG_HQ_LISTEN", format!("127.0.0.1:{port}"))
        .env("YICHUANG_HQ_TLS_CERT", tls.join("hq.pem"))
        .env("YICHUANG_HQ_TLS_KEY", tls.join("hq.key"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Stopped however the test ends (a process left running would hold the test's output open).
    struct Stop(Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let hq = Stop(hq);
    wait_port(port);
    let rt = rt();
    let pool = yichuang_hq::pool(&db).unwrap();
    let code = rt.block_on(async { yichuang_hq::enrol::make_code(&pool.get().await.unwrap(), "450821102", "示范镇", 1).await.unwrap() });
    let url = format!("https://127.0.0.1:{port}");
    let mut s = terminal(dir.path(), "450821102", "示范镇便民服务中心");
    intakes(&mut s, 3, 0, T);
    // Plain http to another computer is refused before anything is sent.
    let e = yichuang_sync::enrol(&mut s, "http://192.0.2.10:8470", &code, &quick(), now(T)).unwrap_err();
    assert!(e.to_string().contains("明文 http"), "{e}");
    // Without the county's root the certificate is not trusted, and the terminal says what to do.
    let e = yichuang_sync::enrol(&mut s, &url, &code, &quick(), now(T)).unwrap_err();
    assert!(e.to_string().contains("county-ca.pem"), "{e}");
    // A root of another county is no better.
    let other = yichuang_hq::tls::issue("别的县", &["127.0.0.1".into()], chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), 1, 30).unwrap();
    let mut settings = s.centre().unwrap().settings.clone();
    settings.hq_ca = other.ca_pem;
    s.update_settings("head", settings.clone(), now(T)).unwrap();
    assert!(yichuang_sync::enrol(&mut s, &url, &code, &quick(), now(T)).is_err());
    // A clerk may not change it, and text that is no certificate is refused.
    settings.hq_ca = "not a certificate".into();
    assert!(s.update_settings("head", settings.clone(), now(T)).unwrap_err().to_string().contains("PEM"));
    assert!(s.update_settings("demo", settings.clone(), now(T)).is_err());
    // The head imports the county's root: enrolment and sync go over TLS.
    settings.hq_ca = std::fs::read_to_string(tls.join("county-ca.pem")).unwrap();
    s.update_settings("head", settings, now(T)).unwrap();
    let e = yichuang_sync::enrol(&mut s, &url, &code, &quick(), now(T)).unwrap();
    rt.block_on(async { yichuang_hq::enrol::confirm(&pool.get().await.unwrap(), &e.terminal_uid, "测试管理员").await }).unwrap();
    let r = yichuang_sync::sync(&mut s, &quick(), now(T), &mut |_| {}).unwrap();
    drop(hq);
    assert_eq!(r.held_seq, s.head().unwrap().0);
    let held: i64 = rt.block_on(async { pool.get().await.unwrap().query_one("SELECT count(*) FROM event", &[]).await.unwrap().get(0) });
    assert_eq!(held, s.head().unwrap().0);
}

#[test]
fn a_supervision_sent_at_hq_reaches_the_centre_s_today_board_and_its_answer_returns() {
    use yichuang_hq::staff::Role;
    let hq = Hq::start();
    let dir = tempfile::tempdir().unwrap();
    let mut t1 = window(dir.path(), "450821102", "01");
    let mut t2 = window(dir.path(), "450821102", "02");
    intakes(&mut t1, 3, 0, T);
    for t in [&mut t1, &mut t2] {
        hq.enrol(t, &hq.code("450821102"));
        yichuang_sync::sync(t, &quick(), now(T), &mut |_| {}).unwrap();
    }
    let (case, _) = payload_of(&t1, "case.intake");
    let deadline = ((chrono::Utc::now() + chrono::Duration::hours(8)).date_naive() + chrono::Days::new(7)).to_string();
    let send = |s: &Session, csrf: &str| {
        let mut r = no_redirects()
            .post(&format!("{}/supervise", hq.url))
            .header("cookie", &s.cookie)
            .send_form([("_csrf", csrf), ("case", case.as_str()), ("text", "请于期限前办结并说明进度"), ("deadline", deadline.as_str())])
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
    };
    // Only the auditor sends one, and only with the page's token.
    hq.user("zhen102", Role::Viewer, &["450821102"]);
    let viewer = hq.sign_in("zhen102");
    assert_eq!(send(&viewer, &viewer.csrf).0, 403);
    let audit = hq.auditor();
    assert_eq!(send(&audit, "forged").0, 403);
    let (status, body) = send(&audit, &audit.csrf);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("已发出督办"), "{body}");
    assert_eq!(hq.sql("SELECT count(*) FROM supervision"), 1);
    // Both windows have it on their Today board after their next sync.
    for t in [&mut t1, &mut t2] {
        let r = yichuang_sync::sync(t, &quick(), now(T), &mut |_| {}).unwrap();
        assert_eq!(r.supervisions, 1);
        let open = t.supervisions(true).unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].notice.case_number, case);
    }
    let id = t2.supervisions(true).unwrap()[0].notice.id.clone();
    // The head of window 02 answers; a clerk may not, and a second answer is refused.
    assert!(t2.answer_supervision("demo", &id, "已于12月3日办结", now(T)).is_err());
    assert!(t2.answer_supervision("head", &id, "好", now(T)).unwrap_err().to_string().contains("4至500字"));
    t2.answer_supervision("head", &id, "已于12月3日办结，超期原因已整改", now(T)).unwrap();
    assert!(t2.answer_supervision("head", &id, "再答一次试试", now(T)).unwrap_err().to_string().contains("已答复过"));
    assert!(t2.supervisions(true).unwrap().is_empty());
    yichuang_sync::sync(&mut t2, &quick(), now(T), &mut |_| {}).unwrap();
    // HQ has the answer, and the notice goes down no more; window 01 learns the answer.
    let answered = hq.rt.block_on(async {
        hq.pool.get().await.unwrap().query_one("SELECT answer FROM supervision", &[]).await.unwrap().get::<_, Option<String>>(0)
    });
    assert_eq!(answered.as_deref(), Some("已于12月3日办结，超期原因已整改"));
    let r = yichuang_sync::sync(&mut t1, &quick(), now(T), &mut |_| {}).unwrap();
    assert_eq!(r.supervisions, 0);
    assert!(t1.supervisions(true).unwrap().is_empty(), "window 01 holds window 02's answer");
    assert_eq!(t1.supervisions(false).unwrap()[0].answer.as_deref(), Some("已于12月3日办结，超期原因已整改"));
    let page = hq.audit_page("/supervision");
    assert!(page.contains("已答复") && page.contains("超期原因已整改"), "{page}");
    let page = hq.audit_page(&format!("/case/{case}"));
    assert!(page.contains("督办") && page.contains("请于期限前办结"), "{page}");
    // Another centre's terminal answering it (with a stolen key) is refused with the reason.
    let mut other = terminal(dir.path(), "450821103", "邻镇");
    hq.enrol(&mut other, &hq.code("450821103"));
    yichuang_sync::sync(&mut other, &quick(), now(T), &mut |_| {}).unwrap();
    let forged = forged_batch(
        &other,
        vec![("supervision.answered", id.clone(), json_text(&serde_json::json!({"id": id, "case": case, "answer": "伪造的答复"})))],
        None,
    );
    let (code, ack) = hq.post("/api/v1/batches", &forged.to_bytes());
    assert_eq!(code, 200, "{ack}");
    assert!(ack["rejected"][0]["reason"].as_str().unwrap().contains("县级没有发给本中心"), "{ack}");
    assert_eq!(answered_now(&hq).as_deref(), Some("已于12月3日办结，超期原因已整改"), "the forged answer changed nothing");
}

fn answered_now(hq: &Hq) -> Option<String> {
    hq.rt.block_on(async { hq.pool.get().await.unwrap().query_one("SELECT answer FROM supervision", &[]).await.unwrap().get::<_, Option<String>>(0) })
}

#[test]
fn a_request_for_a_host_name_hq_does_not_answer_to_is_refused() {
    use std::io::{Read, Write};
    let db = database();
    let rt = rt();
    let pool = yichuang_hq::pool(&db).unwrap();
    rt.block_on(yichuang_hq::migrate(&pool)).unwrap();
    let state = yichuang_hq::AppState::new(pool, false).with_hosts(vec!["127.0.0.1".into(), "hq.county.gov.cn".into()]);
    let app = yichuang_hq::terminal_api(state.clone()).merge(yichuang_hq::staff_pages(state));
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move { yichuang_hq::serve(listener, app).await.unwrap() });
    let ask = |host: &str| {
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        write!(c, "GET /signin HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
        let mut answer = String::new();
        c.read_to_string(&mut answer).unwrap();
        answer
    };
    assert!(ask(&addr.to_string()).starts_with("HTTP/1.1 200"));
    assert!(ask("hq.county.gov.cn").starts_with("HTTP/1.1 200"));
    // A name an attacker points at HQ's address (DNS rebinding) gets nothing.
    let refused = ask("evil.example:8470");
    assert!(refused.starts_with("HTTP/1.1 421"), "{refused}");
    assert!(refused.contains("不是本县级服务器的地址"), "{refused}");
}

#[test]
fn hq_s_signing_key_moves_out_of_the_database_into_a_file_only_its_owner_reads() {
    let db = database();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hq-signing.key");
    let run = |key_file: Option<&Path>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_yichuang-hq"));
        c.arg("public-key").env("YICHUANG_HQ_DATABASE_URL", &db);
        if let Some(f) = key_file {
            c.env("YICHUANG_HQ_KEY_FILE", f);
        }
        c.output().unwrap()
    };
    // An HQ that began with its key in the database...
    let before = run(None);
    assert!(before.status.success(), "{}", String::from_utf8_lossy(&before.stderr));
    // ...configured with a key file: the same key, now in the file, and gone from the rows.
    let after = run(Some(&file));
    assert!(after.status.success(), "{}", String::from_utf8_lossy(&after.stderr));
    assert_eq!(before.stdout, after.stdout, "the centres keep the key they know");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let rt = rt();
    let pool = yichuang_hq::pool(&db).unwrap();
    let secret: String = rt.block_on(async { pool.get().await.unwrap().query_one("SELECT secret FROM hq_key", &[]).await.unwrap().get(0) });
    assert_eq!(secret, "", "no secret left in the database");
    assert_eq!(run(Some(&file)).stdout, before.stdout);
    // Without the file configured HQ says what is missing; with a file of another key, it refuses.
    let e = run(None);
    assert!(!e.status.success());
    assert!(String::from_utf8_lossy(&e.stderr).contains("key_file"), "{}", String::from_utf8_lossy(&e.stderr));
    let other = dir.path().join("other.key");
    std::fs::write(&other, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
    let e = run(Some(&other));
    assert!(String::from_utf8_lossy(&e.stderr).contains("不符"), "{}", String::from_utf8_lossy(&e.stderr));
}

/// One application: its case number.
fn intake_one(s: &mut Store, item: &str, mats: &[&str], refusal: Option<&str>, n: u32) -> String {
    intake_with(s, item, mats, refusal, n, false)
}

/// One application, with or without the applicant's 容缺 commitment.
fn intake_with(s: &mut Store, item: &str, mats: &[&str], refusal: Option<&str>, n: u32, commitment: bool) -> String {
    let req = IntakeRequest { refusal: refusal.map(str::to_owned), commitment, ..intake_request(item, mats, &id_number(9_000 + n)) };
    s.intake(req, now(T)).unwrap().case_number.to_string()
}

/// 韦秀英's application for `item` with `mats`, taken in by the demo clerk.
fn intake_request(item: &str, mats: &[&str], id: &str) -> IntakeRequest {
    use yichuang_core::{IdNumber, MaterialCode, PersonName, Presented};
    IntakeRequest {
        item: item.into(),
        applicant: ApplicantInput {
            party: Party::Person { id_number: IdNumber::parse(id).unwrap(), name: PersonName::parse("韦秀英").unwrap() },
            phone: None,
        },
        agent: None,
        presented: mats.iter().map(|m| Presented { material: MaterialCode::parse(m).unwrap(), pages: 1, copies: 1 }).collect(),
        defects: vec![],
        conditions: vec![],
        refusal: None,
        clerk: "demo".into(),
        received_on: None,
        confirm_rename: false,
        duplicate_reason: None,
        commitment: false,
        sms_consent: false,
    }
}

/// A 临时救助 application with the hardship proof owed on the applicant's commitment (容缺).
fn intake_tolerated(s: &mut Store, n: u32) -> String {
    let number = intake_with(s, "LS-01", &["SFZ", "HKB", "SQS"], None, n, true);
    assert_eq!(s.case(&number, now(T).date_naive()).unwrap().decision, "tolerated");
    number
}

#[test]
fn every_county_page_opens_with_cases_in_every_state() {
    use yichuang_core::CaseStatus as S;
    let hq = Hq::start();
    let dir = tempfile::tempdir().unwrap();
    let mut s = terminal(dir.path(), "450821102", "示范镇便民服务中心");
    let full = ["SFZ", "HKB", "SQS", "KNZM"];
    let accepted = |s: &mut Store, n| intake_one(s, "LS-01", &full, None, n);
    let mut cases = vec![
        intake_one(&mut s, "LS-01", &["SFZ"], None, 1),                     // awaiting supplement
        intake_one(&mut s, "LS-01", &full, Some("申请人户籍不在本镇"), 2), // refused
        intake_one(&mut s, "YL-01", &["SFZ", "HKB", "DJB"], None, 3),       // completed on the spot
    ];
    cases.push(accepted(&mut s, 4)); // accepted
    let n = accepted(&mut s, 5);
    s.forward(&n, "县民政局", "须县级审批", "demo", now(T)).unwrap();
    cases.push(n);
    let n = accepted(&mut s, 6);
    s.pause(&n, yichuang_core::PauseKind::Inspection, 5, "实地核查", "demo", now(T)).unwrap();
    cases.push(n);
    let n = accepted(&mut s, 7);
    s.decide(&n, true, "", "demo", now(T)).unwrap();
    cases.push(n);
    let n = accepted(&mut s, 8);
    s.decide(&n, false, "家庭收入超过标准", "demo", now(T)).unwrap();
    cases.push(n);
    let n = accepted(&mut s, 9);
    s.decide(&n, true, "", "demo", now(T)).unwrap();
    s.ready(&n, "demo", now(T)).unwrap();
    cases.push(n);
    let n = accepted(&mut s, 10);
    s.decide(&n, true, "", "demo", now(T)).unwrap();
    s.ready(&n, "demo", now(T)).unwrap();
    s.collect(&n, "韦秀英", "demo", now(T)).unwrap();
    // The applicant rated the collection at the window's screen (一次一评).
    let svc = s.service_to_rate(&n, now(T)).unwrap().expect("the collection to rate");
    s.rate_service(&svc.service_event, yichuang_core::Rating::FairlySatisfied, &yichuang_core::BadReasons::default(), now(T)).unwrap();
    cases.push(n.clone());
    let archived = accepted(&mut s, 11);
    s.decide(&archived, true, "", "demo", now(T)).unwrap();
    s.ready(&archived, "demo", now(T)).unwrap();
    s.collect(&archived, "韦秀英", "demo", now(T)).unwrap();
    s.archive(&archived, "demo", now(T)).unwrap();
    cases.push(archived);
    let n = accepted(&mut s, 12);
    s.withdraw(&n, "申请人撤回", "demo", now(T)).unwrap();
    cases.push(n);
    // 容缺: the hardship proof owed (3 working days), not brought, terminated the day after.
    let n = intake_tolerated(&mut s, 13);
    s.terminate(&n, "逾期未补交遭遇困难的相关证明材料", "head", "demo", now("2026-11-27T09:00:00+08:00")).unwrap();
    cases.push(n);
    hq.enrol(&mut s, &hq.code("450821102"));
    let r = yichuang_sync::sync(&mut s, &quick(), now(T), &mut |_| {}).unwrap();
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    // HQ holds a case in every state the machine has.
    let states: Vec<String> = hq.rt.block_on(async {
        hq.pool.get().await.unwrap().query("SELECT DISTINCT status FROM case_record ORDER BY 1", &[]).await.unwrap().iter().map(|r| r.get(0)).collect()
    });
    for st in S::ALL {
        assert!(states.iter().any(|x| x == st.as_str()), "no case {} at HQ: {states:?}", st.as_str());
    }
    let audit = hq.auditor();
    let mut pages: Vec<String> = ["/", "/cases", "/overdue", "/report?centre=450821102&month=2026-11", "/summary?month=2026-11", "/supervision", "/access-log"]
        .iter()
        .map(|p| p.to_string())
        .collect();
    pages.extend(S::ALL.iter().map(|st| format!("/cases?status={}", st.as_str())));
    pages.extend(cases.iter().map(|n| format!("/case/{n}")));
    for p in &pages {
        let (status, body) = hq.page(Some(&audit), p);
        assert_eq!(status, 200, "{p}: {body}");
        assert!(body.contains("</html>"), "{p}: the whole page");
    }
    // The county's report counts the screen's rating for window 01 and its clerk.
    let (_, report) = hq.page(Some(&audit), "/report?centre=450821102&month=2026-11");
    assert!(report.contains("窗口服务评价") && report.contains("<td>demo</td>"), "{report}");
    let (_, list) = hq.page(Some(&audit), "/cases");
    for n in &cases {
        assert!(list.contains(n.as_str()), "{n} listed");
    }
    let admin = hq.admin();
    for p in ["/", "/terminals", "/enrol-codes", "/users", "/import"] {
        let (status, body) = hq.page(Some(&admin), p);
        assert_eq!(status, 200, "{p}: {body}");
    }
}

/// A local stand-in for Tencent Cloud SMS (API 3.0): it answers `SendSms` and
/// `PullSmsSendStatus` as the provider documents them, and only to a request signed with
/// TC3-HMAC-SHA256 over exactly what was sent, with its own secret and a fresh timestamp;
/// anything else gets the provider's `AuthFailure` answer. Each message it took is reported
/// delivered at the next pull.
struct SmsStandIn {
    url: String,
    taken: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
    /// Every signed SendSms, taken or not.
    tried: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
}

/// A number the stand-in answers with the provider's rate limit (one per 30 s).
const RATE_LIMITED: &str = "+8613807750005";

const SMS_ID: &str = "AKIDstandin0001";
const SMS_KEY: &str = "standin-secret-key-0001";

impl SmsStandIn {
    fn start() -> Self {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let taken = std::sync::Arc::new(std::sync::Mutex::new(Vec::<serde_json::Value>::new()));
        let log = taken.clone();
        let tried = std::sync::Arc::new(std::sync::Mutex::new(Vec::<serde_json::Value>::new()));
        let tries = tried.clone();
        std::thread::spawn(move || {
            let mut pending: Vec<serde_json::Value> = vec![];
            for mut req in server.incoming_requests() {
                let headers: Vec<(String, String)> = req.headers().iter().map(|h| (h.field.as_str().as_str().to_ascii_lowercase(), h.value.as_str().to_owned())).collect();
                let header = |name: &str| headers.iter().find(|(k, _)| k == &name.to_ascii_lowercase()).map(|(_, v)| v.clone()).unwrap_or_default();
                let (action, ts, auth, host, ct) = (header("X-TC-Action"), header("X-TC-Timestamp"), header("Authorization"), header("Host"), header("Content-Type"));
                let mut body = vec![];
                std::io::Read::read_to_end(req.as_reader(), &mut body).unwrap();
                let ts: i64 = ts.parse().unwrap_or(0);
                let canonical = yichuang_hq::sms::canonical_request(&host, &action, &ct, &body);
                let expected = yichuang_hq::sms::authorization(SMS_ID, SMS_KEY, ts, "sms", &canonical);
                let fresh = (chrono::Utc::now().timestamp() - ts).abs() <= 300;
                let answer = if header("X-TC-Version") != "2021-01-11" || header("X-TC-Region").is_empty() {
                    serde_json::json!({"Error": {"Code": "MissingParameter", "Message": "version or region"}, "RequestId": "r0"})
                } else if !fresh {
                    serde_json::json!({"Error": {"Code": "AuthFailure.SignatureExpire", "Message": "expired"}, "RequestId": "r1"})
                } else if auth != expected {
                    serde_json::json!({"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "The provided credentials could not be validated."}, "RequestId": "r2"})
                } else {
                    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                    match action.as_str() {
                        "SendSms" if v["PhoneNumberSet"][0] == RATE_LIMITED => {
                            tries.lock().unwrap().push(v.clone());
                            serde_json::json!({"SendStatusSet": [{"SerialNo": "", "PhoneNumber": RATE_LIMITED, "Fee": 0, "SessionContext": v["SessionContext"], "Code": "LimitExceeded.PhoneNumberThirtySecondLimit", "Message": "30秒内限发1条", "IsoCode": "CN"}], "RequestId": "r6"})
                        }
                        "SendSms" => {
                            tries.lock().unwrap().push(v.clone());
                            log.lock().unwrap().push(v.clone());
                            let serial = format!("5000:{}", 1000 + log.lock().unwrap().len());
                            let phone = v["PhoneNumberSet"][0].as_str().unwrap_or("").to_owned();
                            pending.push(serde_json::json!({"UserReceiveTime": chrono::Utc::now().timestamp(), "CountryCode": "86", "SubscriberNumber": phone.trim_start_matches("+86"), "PhoneNumber": phone, "SerialNo": serial, "ReportStatus": "SUCCESS", "Description": "DELIVRD", "SessionContext": v["SessionContext"]}));
                            serde_json::json!({"SendStatusSet": [{"SerialNo": serial, "PhoneNumber": phone, "Fee": 1, "SessionContext": v["SessionContext"], "Code": "Ok", "Message": "send success", "IsoCode": "CN"}], "RequestId": "r3"})
                        }
                        "PullSmsSendStatus" => serde_json::json!({"PullSmsSendStatusSet": std::mem::take(&mut pending), "RequestId": "r4"}),
                        _ => serde_json::json!({"Error": {"Code": "InvalidAction", "Message": action}, "RequestId": "r5"}),
                    }
                };
                let text = serde_json::json!({ "Response": answer }).to_string();
                let _ = req.respond(tiny_http::Response::from_string(text));
            }
        });
        Self { url, taken, tried }
    }

    fn config(&self, key: &str) -> yichuang_hq::sms::SmsConfig {
        yichuang_hq::sms::SmsConfig {
            endpoint: self.url.clone(),
            region: "ap-guangzhou".into(),
            secret_id: SMS_ID.into(),
            secret_key: key.into(),
            sdk_app_id: "1400000001".into(),
            sign_name: "示范县政务服务".into(),
            templates: [("ready", "1001"), ("owed_due", "1002"), ("supplement_reminder", "1003"), ("rating_invite", "1004")]
                .into_iter()
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect(),
        }
    }
}

fn ready_case(s: &mut Store, n: u32, consent: bool) -> String {
    let mut req = intake_request("LS-01", &["SFZ", "HKB", "SQS", "KNZM"], &id_number(n));
    req.applicant.phone = Some(yichuang_core::Phone::parse(&format!("1380775{n:04}")).unwrap());
    req.sms_consent = consent;
    let number = s.intake(req, now(T)).unwrap().case_number.to_string();
    s.decide(&number, true, "", "demo", now(T)).unwrap();
    s.ready(&number, "demo", now(T)).unwrap();
    number
}

/// 短信: no consent, nothing queued (and a message forged without one is never sent); with
/// consent, ready queues one message that HQ sends to the provider signed as it requires, and
/// its delivery comes back to the case's timeline at the window.
#[test]
fn the_applicant_who_agreed_is_told_by_sms_through_hq_and_the_delivery_comes_back() {
    let hq = Hq::start();
    let gateway = SmsStandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let mut t = window(dir.path(), "450821102", "01");
    let silent = ready_case(&mut t, 1, false);
    let told = ready_case(&mut t, 2, true);
    assert!(t.sms_of(&silent).unwrap().is_empty(), "no consent: nothing queued");
    let queued = t.sms_of(&told).unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!((queued[0].notice, queued[0].status.as_str(), queued[0].phone_masked.as_str()), (yichuang_core::Notice::Ready, "queued", "138****0002"));
    assert!(!queued[0].text.contains(&id_number(2)), "{}", queued[0].text);
    // Ready twice is not possible; the day's reminders queue nothing more for a ready case.
    assert_eq!(t.queue_due_sms(now(T)).unwrap(), 0);
    hq.enrol(&mut t, &hq.code("450821102"));
    yichuang_sync::sync(&mut t, &quick(), now(T), &mut |_| {}).unwrap();
    assert_eq!(hq.sql("SELECT count(*) FROM sms_outbox WHERE status = 'queued'"), 1);

    // A gateway key that is not the provider's: refused by the provider, recorded as failed.
    let wrong = ready_case(&mut t, 3, true);
    // An applicant who withdrew their consent after the message was queued: never sent.
    let withdrawn = ready_case(&mut t, 4, true);
    t.withdraw_sms_consent(&withdrawn, "demo", now(T)).unwrap();
    assert!(t.withdraw_sms_consent(&withdrawn, "demo", now(T)).is_err(), "withdrawn once");
    yichuang_sync::sync(&mut t, &quick(), now(T), &mut |_| {}).unwrap();
    let r = hq.rt.block_on(async {
        // Only the third case's message goes with the wrong key: the second's is held back.
        let c = hq.pool.get().await.unwrap();
        c.execute("UPDATE sms_outbox SET status = 'sending' WHERE case_number = $1", &[&told]).await.unwrap();
        let r = yichuang_hq::sms::round(&hq.pool, &gateway.config("not-the-key")).await.unwrap();
        c.execute("UPDATE sms_outbox SET status = 'queued' WHERE case_number = $1", &[&told]).await.unwrap();
        r
    });
    assert_eq!((r.sent, r.failed), (0, 1));
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM sms_outbox WHERE case_number = '{wrong}' AND status = 'failed' AND detail LIKE '%AuthFailure.SignatureFailure%'")), 1);
    assert!(gateway.taken.lock().unwrap().is_empty(), "nothing got through");

    // With the provider's key: sent once, signed, to the applicant's number, its delivery
    // reported; a second round sends nothing again.
    let r = hq.rt.block_on(yichuang_hq::sms::round(&hq.pool, &gateway.config(SMS_KEY))).unwrap();
    assert_eq!((r.sent, r.failed, r.reported), (1, 0, 1));
    let r = hq.rt.block_on(yichuang_hq::sms::round(&hq.pool, &gateway.config(SMS_KEY))).unwrap();
    assert_eq!((r.sent, r.reported), (0, 0));
    let taken = gateway.taken.lock().unwrap().clone();
    assert_eq!(taken.len(), 1, "{taken:?}");
    assert_eq!(taken[0]["PhoneNumberSet"], serde_json::json!(["+8613807750002"]));
    assert_eq!(taken[0]["TemplateId"], "1001");
    assert_eq!(taken[0]["SignName"], "示范县政务服务");
    assert_eq!(taken[0]["TemplateParamSet"][1], "示范镇便民服务中心");
    assert_eq!(taken[0]["SessionContext"], queued[0].queued_event.as_str());
    assert!(!taken[0].to_string().contains(&id_number(2)), "no ID number leaves");

    // The next sync brings the delivery back to the case at the window: recorded once, as an
    // event of the window's own stream; another sync records nothing again.
    let r = yichuang_sync::sync(&mut t, &quick(), now(T), &mut |_| {}).unwrap();
    assert_eq!(r.sms_reports, 2, "the delivered message, and the one the provider refused");
    let rows = t.sms_of(&told).unwrap();
    assert_eq!((rows[0].status.as_str(), rows[0].detail.as_deref()), ("delivered", Some("DELIVRD")));
    assert_eq!(t.sms_of(&wrong).unwrap()[0].status, "failed");
    let kinds: Vec<String> = t.events_of(&told).unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "case.sms_reported").count(), 1, "{kinds:?}");
    assert_eq!(yichuang_sync::sync(&mut t, &quick(), now(T), &mut |_| {}).unwrap().sms_reports, 0);
    assert!(t.sms_of(&silent).unwrap().is_empty(), "the case without consent has none");
    // What HQ's pages read of the events carries no phone.
    let e = yichuang_events::Event::parse("case.sms_queued", &t.events_of(&told).unwrap().into_iter().find(|e| e.kind == "case.sms_queued").unwrap().payload).unwrap();
    assert!(!e.for_county().payload().to_string().contains("1380775"), "{:?}", e.for_county());

    // A message forged for the case without consent (a thief with the terminal's key) waits
    // unsent for a consent that never comes; one carrying an ID number is refused outright; a
    // second copy of a message already queued (another window's) is kept as refused.
    let forged = forged_batch(
        &t,
        vec![
            (
                "case.sms_queued",
                silent.clone(),
                r#"{"notice":"ready","occasion":"1","phone":"13807750001","params":["低保申请","示范镇便民服务中心"],"text":"您申请办理的“低保申请”已办结"}"#.into(),
            ),
            (
                "case.sms_queued",
                told.clone(),
                format!(r#"{{"notice":"ready","occasion":"2","phone":"13807750002","params":["x"],"text":"身份证{}"}}"#, id_number(2)),
            ),
            (
                "case.sms_queued",
                told.clone(),
                r#"{"notice":"ready","occasion":"1","phone":"13807750002","params":["残疾人证申领","示范镇便民服务中心"],"text":"您申请办理的“残疾人证申领”已办结"}"#.into(),
            ),
            // A screen rating of a service this terminal never recorded.
            (
                "case.service_rated",
                told.clone(),
                r#"{"service_event":"T01-nothing","service":"collected","rating":"very_satisfied","bad":false,"reasons":[],"clerk":"demo","window":"01","on":"2026-11-23","rectification_due":null}"#.into(),
            ),
        ],
        None,
    );
    let (code, body) = hq.post("/api/v1/batches", &forged.to_bytes());
    assert_eq!(code, 200, "{body}");
    assert!(body.to_string().contains("身份证号码"), "{body}");
    assert!(body.to_string().contains("评价所说的服务“T01-nothing”不是本终端"), "{body}");
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM sms_outbox WHERE case_number = '{told}' AND status = 'refused' AND detail LIKE '%不重复发送%'")), 1);
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM sms_outbox WHERE case_number = '{told}'")), 2, "the one delivered, the copy refused");
    let r = hq.rt.block_on(yichuang_hq::sms::round(&hq.pool, &gateway.config(SMS_KEY))).unwrap();
    assert_eq!(r.sent, 0, "no consent, no message");
    assert_eq!(gateway.taken.lock().unwrap().len(), 1);
    // Two days later, what still has no standing consent is refused for good.
    hq.sql("WITH u AS (UPDATE sms_outbox SET updated_at = now() - interval '3 days' WHERE status = 'queued' RETURNING 1) SELECT count(*) FROM u");
    hq.rt.block_on(yichuang_hq::sms::round(&hq.pool, &gateway.config(SMS_KEY))).unwrap();
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM sms_outbox WHERE case_number IN ('{silent}', '{withdrawn}') AND status = 'refused'")), 2);
    assert_eq!(gateway.taken.lock().unwrap().len(), 1, "still only the one consented to");

}

/// A rate limit from the provider puts the message back for the next round, tried once a
/// round (never a burst at one number); a notice with no template configured waits, unsent.
#[test]
fn a_rate_limited_message_waits_for_the_next_round_and_a_missing_template_sends_nothing() {
    let hq = Hq::start();
    let gateway = SmsStandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let mut t = window(dir.path(), "450821102", "01");
    let limited = ready_case(&mut t, 5, true);
    let untemplated = ready_case(&mut t, 6, true);
    hq.enrol(&mut t, &hq.code("450821102"));
    yichuang_sync::sync(&mut t, &quick(), now(T), &mut |_| {}).unwrap();
    let mut cfg = gateway.config(SMS_KEY);
    // The sixth case's number is not limited, but its notice has no template here.
    hq.sql(&format!("WITH u AS (UPDATE sms_outbox SET notice = 'supplement_reminder' WHERE case_number = '{untemplated}' RETURNING 1) SELECT count(*) FROM u"));
    cfg.templates.remove("supplement_reminder");
    for round in 1..=2 {
        let r = hq.rt.block_on(yichuang_hq::sms::round(&hq.pool, &cfg)).unwrap();
        assert_eq!((r.sent, r.failed), (0, 0), "round {round}");
        assert_eq!(gateway.tried.lock().unwrap().len(), round, "one try a round at the limited number");
    }
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM sms_outbox WHERE case_number = '{limited}' AND status = 'queued' AND detail LIKE 'LimitExceeded%'")), 1);
    assert_eq!(hq.sql(&format!("SELECT count(*) FROM sms_outbox WHERE case_number = '{untemplated}' AND status = 'queued' AND detail LIKE '%未配置%'")), 1);
    assert!(gateway.taken.lock().unwrap().is_empty());
}
