//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, FixedOffset};
use serde_json::Value;
use yichuang_core::ids::id_check_char;
use yichuang_core::{CentreCode, TerminalId};
use yichuang_store::Store;

pub const NOW: &str = "2026-11-23T09:00:00+08:00";

/// When a test centre is set up: before any day a test acts on, since a terminal refuses to
/// record an act dated before its last one (the PC's clock set back).
pub const SET_UP_AT: &str = "2026-11-01T08:00:00+08:00";

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_yichuang"))
}

pub fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

/// A valid ID number from 17 digits.
pub fn id(first17: &str) -> String {
    format!("{first17}{}", id_check_char(first17).unwrap())
}

/// A demo centre in a fresh temporary folder.
pub struct Centre {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Centre {
    pub fn new() -> Self {
        Self::terminal("01")
    }

    /// A window of the same demo centre with its own terminal number (its own PC).
    pub fn terminal(terminal: &str) -> Self {
        Self::new_at("450821102", terminal)
    }

    /// A window of the demo catalogue at centre `code`.
    pub fn new_at(code: &str, terminal: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("centre.db");
        let out = Self::run_in(&db, SET_UP_AT, &["init", "--centre-code", code, "--centre-name", "示范镇便民服务中心", "--terminal", terminal, "--demo"]);
        assert!(out.status.success(), "init: {}", String::from_utf8_lossy(&out.stderr));
        Self { dir, db }
    }

    /// Runs with the demo PIN on standard input: the head's proof for a privileged command
    /// (settings, staff, catalogue, calendar); any other command does not read it.
    fn run_in(db: &Path, now: &str, args: &[&str]) -> Output {
        Self::run_in_with(db, now, args, "123456\n")
    }

    /// Runs `yichuang --db <db> args…` at `now` with `input` on standard input.
    fn run_in_with(db: &Path, now: &str, args: &[&str], input: &str) -> Output {
        run_on_db(db, now, args, input, &[])
    }

    /// Runs `yichuang --db <db> args…` at `now`.
    pub fn run_at(&self, now: &str, args: &[&str]) -> Output {
        Self::run_in(&self.db, now, args)
    }

    /// Runs at `now` with `input` on standard input (PINs are never arguments).
    pub fn run_with_stdin(&self, now: &str, args: &[&str], input: &str) -> Output {
        Self::run_in_with(&self.db, now, args, input)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_at(NOW, args)
    }

    /// Runs and expects success; returns stdout.
    pub fn ok_at(&self, now: &str, args: &[&str]) -> String {
        let out = self.run_at(now, args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_at(NOW, args)
    }

    pub fn json_at(&self, now: &str, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok_at(now, args)).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        self.json_at(NOW, args)
    }

    /// Writes a JSON file into the centre's folder and returns its path.
    pub fn file(&self, name: &str, v: &Value) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
        p.to_string_lossy().into_owned()
    }

    /// This window's public key, as `yichuang key` prints it.
    pub fn key(&self) -> String {
        let out = self.ok(&["key"]);
        out.lines().find_map(|l| l.strip_prefix("本机公钥：")).unwrap().trim().to_owned()
    }

    pub fn store(&self) -> Store {
        Store::open(&self.db).unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.store().connection().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

/// A demo store opened directly through the library.
pub fn library_store(dir: &Path) -> Store {
    let mut s = Store::open(dir.join("centre.db")).unwrap();
    s.initialise(CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", TerminalId::parse("01").unwrap(), at(SET_UP_AT)).unwrap();
    s.load_demo(at(SET_UP_AT)).unwrap();
    s
}

/// An intake file for the disability certificate (CJ-01), with the given materials. Tests
/// take one person's application again and again (numbering, kills, pipes): each carries the
/// reason a second open case of the same item needs (`tests/bounds.rs` checks the refusal).
pub fn cj01(id_number: &str, materials: &[&str]) -> Value {
    serde_json::json!({
        "item": "CJ-01",
        "applicant": {"name": "李秀英", "id_number": id_number, "phone": "13807759876"},
        "materials": materials.iter().map(|m| serde_json::json!({"material": m, "pages": 1, "copies": if *m == "ZP" { 3 } else { 1 }})).collect::<Vec<_>>(),
        "clerk": "demo",
        "duplicate_reason": "测试：同一申请人再次申请"
    })
}

pub const CJ01_ALL: &[&str] = &["SFZ", "HKB", "ZP", "SQB"];

/// Runs `yichuang --db <db> args…` at `now` with `input` on standard input and `envs` set (a
/// key folder of another PC, say).
pub fn run_on_db(db: &Path, now: &str, args: &[&str], input: &str, envs: &[(&str, &std::ffi::OsStr)]) -> Output {
    use std::io::Write;
    let mut child = Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(args)
        .env("YICHUANG_NOW", now)
        .env_remove("YICHUANG_DB")
        .envs(envs.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A command that does not read it may have ended already: a closed pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child.wait_with_output().unwrap()
}
