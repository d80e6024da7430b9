//! The clerk's flows through the real desktop window: the built `yichuang-desktop` under Xvfb,
//! driven by tauri-driver and WebKitWebDriver, with the database checked afterwards through
//! the `yichuang` command line. `scripts/e2e.sh` builds everything and runs these.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const NOW: &str = "2026-11-23T09:00:00+08:00";

fn target() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| format!("{}/.cache/yichuang-target", std::env::var("HOME").unwrap())))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A demo centre, the driver, and a session on the real window.
struct Desk {
    _dir: tempfile::TempDir,
    db: PathBuf,
    driver: Child,
    client: Client,
}

impl Desk {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("centre.db");
        let cli = target().join("debug/yichuang");
        let ok = Command::new(&cli)
            .arg("--db")
            .arg(&db)
            .args(["init", "--centre-code", "450821102", "--centre-name", "示范镇便民服务中心", "--terminal", "01", "--demo"])
            .env("YICHUANG_NOW", NOW)
            .status()
            .unwrap();
        assert!(ok.success());
        let (port, native) = (free_port(), free_port());
        let driver = Command::new(std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into()))
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("YICHUANG_DB", &db)
            .env("YICHUANG_NOW", NOW)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver (scripts/e2e.sh installs it)");
        let caps: serde_json::Map<String, Value> = serde_json::from_value(json!({
            "tauri:options": {"application": target().join("debug/yichuang-desktop")}
        }))
        .unwrap();
        let mut client = None;
        for _ in 0..100 {
            let builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new()).capabilities(caps.clone()).connect(&format!("http://127.0.0.1:{port}")).await;
            if let Ok(c) = builder {
                client = Some(c);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { _dir: dir, db, driver, client: client.expect("a WebDriver session on the desktop window") }
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    async fn keys(&self, css: &str, keys: &str) {
        self.find(css).await.send_keys(keys).await.unwrap();
    }

    /// The `yichuang` CLI on the same database, as JSON.
    fn cli(&self, args: &[&str]) -> Value {
        let out = Command::new(target().join("debug/yichuang")).arg("--db").arg(&self.db).args(args).env("YICHUANG_NOW", NOW).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// A key to whatever has focus (the app's shortcuts listen on the window).
    async fn press(&self, k: Key) {
        self.client.active_element().await.unwrap().send_keys(&key(k)).await.unwrap();
    }

    async fn sign_in(&self) {
        self.keys("#pin", "1234").await;
        self.keys("#pin", &char::from(Key::Enter).to_string()).await;
        self.find("#today").await;
    }

    async fn stop(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Desk {
    /// Stops the driver even when a test panics: SIGTERM, so that tauri-driver stops
    /// WebKitWebDriver too (SIGKILL would leave it on its port).
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.driver.id().to_string()).status();
        let _ = self.driver.wait();
    }
}

fn key(k: Key) -> String {
    char::from(k).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supplement_then_bad_input_kept_on_screen() {
    let d = Desk::start().await;
    d.sign_in().await;
    // F3: New application. The item by its pinyin initials.
    d.find("#nav-intake").await.click().await.unwrap();
    d.keys("#item-search", "cjrz").await;
    d.keys("#item-search", &key(Key::Enter)).await;
    d.keys("#id-number", "45082119680405302").await;
    // A wrong check digit is shown at once, and what was typed stays.
    d.keys("#id-number", "1").await;
    let err = d.text("#id-error").await;
    assert!(err.contains("校验位不符"), "{err}");
    let typed = d.find("#id-number").await.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(typed, "450821196804053021");
    d.keys("#id-number", &key(Key::Backspace)).await;
    d.keys("#id-number", "5").await;
    d.keys("#name", "李秀英").await;
    for code in ["SFZ", "HKB", "SQB"] {
        d.find(&format!(".got-{code}")).await.click().await.unwrap();
    }
    d.press(Key::F9).await;
    let outcome = d.text("#outcome").await;
    assert!(outcome.contains("一次性告知补正"), "{outcome}");
    assert!(outcome.contains("近期二寸免冠白底彩色照片"), "{outcome}");
    assert!(outcome.contains("〔2026〕补字第01-0001号"), "{outcome}");
    // The database agrees.
    let cases = d.cli(&["case", "list", "--json"]);
    assert_eq!(cases.as_array().unwrap().len(), 1);
    assert_eq!(cases[0]["status"], "awaiting_supplement");
    assert_eq!(cases[0]["applicant_name"], "李秀英");
    d.stop().await;
}
