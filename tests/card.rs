//! The identity-card reader through the command line, with the stand-in vendor library the
//! workspace builds (`crates/cardreader/standin`): a card read in a helper process, the name
//! exactly as on the card, a foreigner's card, no card, a driver that crashes, and one that
//! hangs and is killed mid-read; and what a keyboard-emulation reader types.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util::*;

/// The stand-in library, built beside the `yichuang` binary (`scripts/test.sh` builds it).
fn standin() -> PathBuf {
    let dir = bin().parent().unwrap().to_owned();
    let lib = ["libyichuang_card_standin.so", "libyichuang_card_standin.dylib", "yichuang_card_standin.dll"].iter().map(|n| dir.join(n)).find(|p| p.exists());
    lib.unwrap_or_else(|| panic!("the stand-in reader library is not built in {}: cargo build -p yichuang-card-standin (scripts/test.sh does)", dir.display()))
}

/// A card's 256-byte text block: each field UTF-16LE at its place, padded with spaces.
fn block(fields: &[(usize, &str)], mark: &str) -> Vec<u8> {
    let mut b: Vec<u8> = std::iter::repeat_n([0x20u8, 0x00], 128).flatten().collect();
    for (from, v) in fields.iter().copied().chain(std::iter::once((248, mark))) {
        let units: Vec<u8> = v.encode_utf16().flat_map(u16::to_le_bytes).collect();
        b[from..from + units.len()].copy_from_slice(&units);
    }
    b
}

fn resident(name: &str, id: &str, birth: &str, sex: &str) -> Vec<u8> {
    block(&[(0, name), (30, sex), (32, "01"), (36, birth), (52, "广西壮族自治区平南县平南镇人民路1号"), (122, id), (158, "平南县公安局"), (188, "20160101"), (204, "20360101")], "")
}

/// A centre whose reader is the stand-in, answering from `folder`.
struct Desk {
    c: Centre,
    folder: tempfile::TempDir,
}

impl Desk {
    fn new() -> Self {
        let c = Centre::new();
        c.ok(&["settings", "--set", &format!("card_reader_lib={}", standin().display()), "--actor", "head"]);
        Self { c, folder: tempfile::tempdir().unwrap() }
    }
    fn card(&self, mode: &str, block: &[u8]) -> &Self {
        std::fs::write(self.folder.path().join("mode"), mode).unwrap();
        std::fs::write(self.folder.path().join("card"), block).unwrap();
        self
    }
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.arg("--db").arg(&self.c.db).args(args).env("YICHUANG_NOW", NOW).env("YICHUANG_CARD_STANDIN", self.folder.path());
        cmd
    }
    fn read(&self) -> Output {
        self.command(&["card", "--json"]).output().unwrap()
    }
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_card_is_read_through_the_vendor_library_with_its_extension_b_name() {
    let d = Desk::new();
    let out = d.card("ok", &resident("王𪚥", "450821196804053025", "19680405", "2")).read();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!((v["name"].as_str(), v["id_number"].as_str(), v["sex"].as_str()), (Some("王𪚥"), Some("450821196804053025"), Some("女")));
    assert_eq!(v["kind"], "居民身份证");
    // A foreigner's permanent residence card (2023): its Chinese name and its 18-character number.
    let first17 = "93115619900101001";
    let fid = id(first17);
    let y = block(&[(0, "安娜"), (30, "1"), (36, "19900101"), (52, "SMITH ANNA"), (122, &fid), (204, "20330101")], "Y");
    let v: serde_json::Value = serde_json::from_str(&text(&d.card("ok", &y).read()).0).unwrap();
    assert_eq!((v["kind"].as_str(), v["name"].as_str(), v["english_name"].as_str(), v["id_number"].as_str()), (Some("外国人永久居留身份证"), Some("安娜"), Some("SMITH ANNA"), Some(fid.as_str())));
}

#[test]
fn no_card_a_misread_card_and_a_crashing_driver_each_say_so_and_write_nothing() {
    let d = Desk::new();
    let events = d.c.count("SELECT count(*) FROM event");
    for (mode, card, says) in [
        ("no_card", resident("王芳", "450821196804053025", "19680405", "2"), "读卡器上没有证件"),
        ("no_reader", vec![], "没有找到读卡器"),
        ("ok", resident("王芳", "450821196804053021", "19680405", "2"), "校验位不符"),
        ("ok", resident("王芳", "450821196804053025", "19700101", "2"), "与卡上所记不符"),
        ("crash", resident("王芳", "450821196804053025", "19680405", "2"), "读卡程序意外退出"),
    ] {
        let out = d.card(mode, &card).read();
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{mode}: {stderr}");
        assert!(stderr.contains(says), "{mode}: {stderr}");
    }
    assert_eq!(d.c.count("SELECT count(*) FROM event"), events, "a read writes nothing");
    // No library set: said plainly.
    let c = Centre::new();
    let out = Command::new(bin()).arg("--db").arg(&c.db).args(["card"]).env("YICHUANG_NOW", NOW).output().unwrap();
    assert!(text(&out).1.contains("未设置读卡器驱动库"), "{}", text(&out).1);
}

/// The helpers (processes whose parent is `pid`).
fn children(pid: u32) -> Vec<u32> {
    let mut out = vec![];
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let stat = std::fs::read_to_string(Path::new("/proc").join(p.to_string()).join("stat")).unwrap_or_default();
        // pid (comm) state ppid …: the parent is the field after the closing parenthesis.
        let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)).and_then(|x| x.parse::<u32>().ok());
        if ppid == Some(pid) {
            out.push(p);
        }
    }
    out
}

/// A driver that hangs mid-read: the helper is killed while it reads, and the command says
/// what happened (the window does the same: `read_card`).
#[test]
fn a_helper_killed_mid_read_is_reported_and_harms_nothing() {
    let d = Desk::new();
    d.card("hang", &resident("王芳", "450821196804053025", "19680405", "2"));
    let child = d.command(&["card", "--json", "--timeout", "600"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pid = child.id();
    // Wait for the helper to be there (a condition, polled), then kill it mid-read.
    let mut helper = None;
    for _ in 0..600 {
        if let Some(h) = children(pid).first() {
            helper = Some(*h);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let helper = helper.expect("the helper process started");
    assert!(Command::new("kill").args(["-9", &helper.to_string()]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("读卡程序意外退出"), "{}", text(&out).1);
    // The reader works again at once.
    let again = d.card("ok", &resident("王芳", "450821196804053025", "19680405", "2")).read();
    assert!(again.status.success(), "{}", text(&again).1);
}

#[test]
fn what_a_keyboard_reader_types_is_parsed_by_the_same_rules() {
    let c = Centre::new();
    let v = c.json(&["card", "--typed", "王𪚥\t女\t19680405\t广西壮族自治区平南县平南镇人民路1号\t450821196804053025", "--json"]);
    assert_eq!((v["name"].as_str(), v["id_number"].as_str(), v["address"].as_str()), (Some("王𪚥"), Some("450821196804053025"), Some("广西壮族自治区平南县平南镇人民路1号")));
    let out = c.run(&["card", "--typed", "王芳|450821196804053021"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有有效的18位证件号码"));
}
