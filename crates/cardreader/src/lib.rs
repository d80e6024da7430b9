//! The resident ID-card reader (二代身份证阅读器) with a vendor library: the library (the usual
//! `sdtapi` interface, `SDT_OpenPort` …, or `termb`, `InitComm` …) is loaded in a helper
//! process, never in the window's, so that a faulty driver can crash or hang only the helper.
//! The helper writes one line into the private folder the window's side made for it — `OK`
//! and the card's 256-byte text block in hex, or `ERR`, a code and a detail — and works in
//! that folder (termb writes its files there; the folder is removed afterwards, killed or not).
//! Its standard output and error go nowhere, so a chatty driver can neither garble the answer
//! nor block on a full pipe. The window's side ([`read`]) runs it with a deadline, kills it when
//! the deadline passes, and parses the block with `core::card` like any other input.
//!
//! The helper is the program itself started again with a flag (the desktop's
//! `--card-helper LIB PORT`, the CLI's `card-helper`), so no second binary is shipped.

mod ffi;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use yichuang_core::card::{Card, CardError};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error("本窗口未设置读卡器驱动库：键盘输出式读卡器在受理页面直接刷卡即可；使用厂家驱动的，请在“设置”中填写驱动库的位置")]
    NotSet,
    #[error("无法加载读卡器驱动库：{0}。请检查“设置”中驱动库的位置（32位的驱动库须配32位的本程序）")]
    NoLibrary(String),
    #[error("读卡器驱动库的位置须写完整路径（如 /opt/reader/libsdtapi.so），现在是“{0}”")]
    NotAbsolute(String),
    #[error("这个驱动库不是身份证阅读器的接口（没有 SDT_ReadBaseMsg 或 Read_Content）")]
    NotAReader,
    #[error("没有找到读卡器：请检查读卡器的USB线和电源后重试")]
    NoReader,
    #[error("读卡器上没有证件：请把身份证平放在读卡区后再读")]
    NoCard,
    #[error("读卡失败（读卡器返回代码{0:#04x}）：请把证件重新放好后再读")]
    Failed(i32),
    #[error("读卡程序意外退出（读卡器驱动出错），本窗口不受影响：请重新读卡，或手工录入")]
    HelperDied,
    #[error("读卡{0}秒没有结果，已停止读卡：请把证件重新放好后再读")]
    Timeout(u64),
    #[error("无法启动读卡程序：{0}")]
    Spawn(String),
    #[error("读卡程序的回答无法解读")]
    Garbled,
    #[error("{0}")]
    Card(#[from] CardError),
}

impl ReadError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotSet => "card.not_set",
            Self::NoLibrary(_) => "card.no_library",
            Self::NotAbsolute(_) => "card.not_absolute",
            Self::NotAReader => "card.not_a_reader",
            Self::NoReader => "card.no_reader",
            Self::NoCard => "card.no_card",
            Self::Failed(_) => "card.failed",
            Self::HelperDied => "card.helper_died",
            Self::Timeout(_) => "card.timeout",
            Self::Spawn(_) => "card.spawn",
            Self::Garbled => "card.garbled",
            Self::Card(e) => e.code(),
        }
    }
}

/// The file in the helper's folder that holds its answer.
const ANSWER: &str = "answer.txt";

/// The helper's whole work: one read through the library at `lib` on `port`, in `folder`
/// (its own, made by the window's side), the answer written to `folder/answer.txt`.
pub fn helper_main(lib: &str, port: &str, folder: &str) {
    let port: i32 = port.trim().parse().unwrap_or(0);
    let folder = Path::new(folder);
    // termb writes its files into the working folder: the helper's own.
    let _ = std::env::set_current_dir(folder);
    let line = helper_line(lib, port);
    let _ = std::fs::write(folder.join(ANSWER), line);
}

/// One read, as the line the helper answers with.
fn helper_line(lib: &str, port: i32) -> String {
    match ffi::read(Path::new(lib), port) {
        Ok(text) => format!("OK {}", text.iter().map(|b| format!("{b:02x}")).collect::<String>()),
        Err(ffi::Failure::NoLibrary(e)) => format!("ERR no_library {}", e.replace('\n', " ")),
        Err(ffi::Failure::NotAReader) => "ERR not_a_reader".to_owned(),
        Err(ffi::Failure::NoReader) => "ERR no_reader".to_owned(),
        Err(ffi::Failure::NoCard) => "ERR no_card".to_owned(),
        Err(ffi::Failure::Read(code)) => format!("ERR read {code}"),
    }
}

/// What the helper printed, as a card or the reason there is none.
pub fn parse_line(line: &str) -> Result<Card, ReadError> {
    let line = line.trim();
    if let Some(hex) = line.strip_prefix("OK ") {
        if hex.len() % 2 != 0 || hex.len() > 4096 {
            return Err(ReadError::Garbled);
        }
        let bytes: Option<Vec<u8>> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect();
        return Ok(Card::from_text_block(&bytes.ok_or(ReadError::Garbled)?)?);
    }
    let mut parts = line.splitn(3, ' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("ERR"), Some("no_library"), detail) => Err(ReadError::NoLibrary(detail.unwrap_or("").chars().take(200).collect())),
        (Some("ERR"), Some("not_a_reader"), _) => Err(ReadError::NotAReader),
        (Some("ERR"), Some("no_reader"), _) => Err(ReadError::NoReader),
        (Some("ERR"), Some("no_card"), _) => Err(ReadError::NoCard),
        (Some("ERR"), Some("read"), Some(code)) => Err(ReadError::Failed(code.trim().parse().unwrap_or(-1))),
        _ => Err(ReadError::Garbled),
    }
}

/// A helper to run: the command (the program and its flag, the library and the port) and
/// the private folder it works and answers in, removed when this is dropped.
pub struct Helper {
    command: Command,
    folder: tempfile::TempDir,
}

/// The helper for a library at `lib` on `port`: `program` with `flag`, as the desktop and the
/// CLI each start themselves, and a folder of its own (0700, a random name).
pub fn helper_command(program: &Path, flag: &[&str], lib: &str, port: u32) -> Result<Helper, ReadError> {
    let lib = lib.trim();
    if lib.is_empty() {
        return Err(ReadError::NotSet);
    }
    if !Path::new(lib).is_absolute() {
        return Err(ReadError::NotAbsolute(lib.chars().take(200).collect()));
    }
    let folder = tempfile::Builder::new().prefix("yichuang-card-").tempdir().map_err(|e| ReadError::Spawn(e.to_string()))?;
    let mut command = Command::new(program);
    command.args(flag).arg(lib).arg(port.to_string()).arg(folder.path());
    Ok(Helper { command, folder })
}

/// Runs `helper` (nothing inherited, its output going nowhere) until it ends or `deadline`
/// passes, when it is killed; then reads its answer. The window stays as it was whatever the
/// helper does.
pub fn read(helper: Helper, deadline: Duration) -> Result<Card, ReadError> {
    let Helper { mut command, folder } = helper;
    let mut child = command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().map_err(|e| ReadError::Spawn(e.to_string()))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ReadError::Timeout(deadline.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(ReadError::Spawn(e.to_string())),
        }
    };
    let mut out = String::new();
    if let Ok(f) = std::fs::File::open(folder.path().join(ANSWER)) {
        let _ = f.take(16 * 1024).read_to_string(&mut out);
    }
    drop(folder);
    // Killed, crashed (a signal), or gone without its answer: the driver failed.
    if !status.success() || out.trim().is_empty() {
        return Err(ReadError::HelperDied);
    }
    parse_line(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_helper_s_line_is_read_strictly() {
        assert!(matches!(parse_line("ERR no_card"), Err(ReadError::NoCard)));
        assert!(matches!(parse_line("ERR read 65"), Err(ReadError::Failed(65))));
        assert!(matches!(parse_line("ERR no_library libx.so: cannot open"), Err(ReadError::NoLibrary(d)) if d.contains("libx.so")));
        for bad in ["", "OK zz", "OK 0", "hello", "ERR", "ERR something"] {
            assert!(matches!(parse_line(bad), Err(ReadError::Garbled)), "{bad}");
        }
        // Hex that decodes but is no card's block: the card's own reason.
        assert_eq!(parse_line("OK 0000").unwrap_err().code(), "card.length");
    }

    #[test]
    fn no_library_set_or_a_relative_one_is_said_before_anything_runs() {
        assert_eq!(helper_command(Path::new("/bin/true"), &[], " ", 0).err().map(|e| e.code()), Some("card.not_set"));
        assert_eq!(helper_command(Path::new("/bin/true"), &[], "drivers/termb.so", 0).err().map(|e| e.code()), Some("card.not_absolute"));
    }

    /// A helper that exits without its line, or is killed by a signal, is a driver that died;
    /// one that never answers is stopped at the deadline.
    #[test]
    fn a_helper_that_dies_or_hangs_is_reported_and_never_waited_for_past_the_deadline() {
        // A helper is `sh -c SCRIPT` with the library, port and folder after it ($1 $2 $3).
        let sh = |script: &str| {
            let folder = tempfile::tempdir().unwrap();
            let mut command = Command::new("sh");
            command.args(["-c", script, "helper", "/lib/none.so", "0"]).arg(folder.path());
            Helper { command, folder }
        };
        assert_eq!(read(sh("exit 0"), Duration::from_secs(30)).unwrap_err().code(), "card.helper_died");
        assert_eq!(read(sh("kill -9 $$"), Duration::from_secs(30)).unwrap_err().code(), "card.helper_died");
        assert_eq!(read(sh("echo 'ERR no_card' > \"$3/answer.txt\""), Duration::from_secs(30)).unwrap_err().code(), "card.no_card");
        // A chatty driver on standard output changes nothing, and fills no pipe.
        assert_eq!(read(sh("yes | head -c 1000000; echo 'ERR no_card' > \"$3/answer.txt\""), Duration::from_secs(30)).unwrap_err().code(), "card.no_card");
        assert_eq!(read(sh("exec sleep 600"), Duration::from_millis(300)).unwrap_err().code(), "card.timeout");
    }
}
