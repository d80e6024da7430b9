//! The resident ID-card reader (二代身份证阅读器) with a vendor library: the library (the usual
//! `sdtapi` interface, `SDT_OpenPort` …, or `termb`, `InitComm` …) is loaded in a helper
//! process, never in the window's, so that a faulty driver can crash or hang only the helper.
//! The helper prints one line — `OK` and the card's 256-byte text block in hex, or `ERR`, a
//! code and a detail — and the window's side ([`read`]) runs it with a deadline, kills it when
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
    #[error("无法加载读卡器驱动库：{0}。请检查“设置”中驱动库的位置")]
    NoLibrary(String),
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

/// The helper's whole work: one read through the library at `lib` on `port`, as the line it
/// prints.
pub fn helper_line(lib: &str, port: &str) -> String {
    let port: i32 = port.trim().parse().unwrap_or(0);
    // termb writes its files into the working folder: the helper's own, never the centre's.
    let own = std::env::temp_dir().join(format!("yichuang-card-{}", std::process::id()));
    if std::fs::create_dir_all(&own).is_ok() {
        let _ = std::env::set_current_dir(&own);
    }
    let out = match ffi::read(Path::new(lib), port) {
        Ok(text) => format!("OK {}", text.iter().map(|b| format!("{b:02x}")).collect::<String>()),
        Err(ffi::Failure::NoLibrary(e)) => format!("ERR no_library {}", e.replace('\n', " ")),
        Err(ffi::Failure::NotAReader) => "ERR not_a_reader".to_owned(),
        Err(ffi::Failure::NoReader) => "ERR no_reader".to_owned(),
        Err(ffi::Failure::NoCard) => "ERR no_card".to_owned(),
        Err(ffi::Failure::Read(code)) => format!("ERR read {code}"),
    };
    let _ = std::fs::remove_dir_all(&own);
    out
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

/// Runs the helper `command` (standard output piped, nothing else inherited) and waits for its
/// line until `deadline`; a helper still running then is killed. The window stays as it was
/// whatever the helper does.
pub fn read(mut command: Command, deadline: Duration) -> Result<Card, ReadError> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| ReadError::Spawn(e.to_string()))?;
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
    if let Some(mut s) = child.stdout.take() {
        let _ = s.by_ref().take(16 * 1024).read_to_string(&mut out);
    }
    // Killed, crashed (a signal), or gone without its line: the driver failed.
    if !status.success() || out.trim().is_empty() {
        return Err(ReadError::HelperDied);
    }
    parse_line(&out)
}

/// The helper command for a library at `lib` on `port`: `program` with `flag`, as the desktop
/// and the CLI each start themselves.
pub fn helper_command(program: &Path, flag: &[&str], lib: &str, port: u32) -> Result<Command, ReadError> {
    if lib.trim().is_empty() {
        return Err(ReadError::NotSet);
    }
    let mut c = Command::new(program);
    c.args(flag).arg(lib.trim()).arg(port.to_string());
    Ok(c)
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
    fn no_library_set_is_said_before_anything_runs() {
        assert_eq!(helper_command(Path::new("/bin/true"), &[], " ", 0).unwrap_err().code(), "card.not_set");
    }

    /// A helper that exits without its line, or is killed by a signal, is a driver that died;
    /// one that never answers is stopped at the deadline.
    #[test]
    fn a_helper_that_dies_or_hangs_is_reported_and_never_waited_for_past_the_deadline() {
        let sh = |script: &str| {
            let mut c = Command::new("sh");
            c.arg("-c").arg(script);
            c
        };
        assert_eq!(read(sh("exit 0"), Duration::from_secs(30)).unwrap_err().code(), "card.helper_died");
        assert_eq!(read(sh("kill -9 $$"), Duration::from_secs(30)).unwrap_err().code(), "card.helper_died");
        assert_eq!(read(sh("echo 'ERR no_card'"), Duration::from_secs(30)).unwrap_err().code(), "card.no_card");
        assert_eq!(read(sh("exec sleep 600"), Duration::from_millis(300)).unwrap_err().code(), "card.timeout");
    }
}
