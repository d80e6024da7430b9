//! Sending a finished PDF (or raw ESC/POS bytes) to a printer, the one place this crate does I/O.
//!
//! - Linux and other Unix: CUPS — `lpstat` lists the queues and the default, `lp` sends a job
//!   (`-o raw` for ESC/POS).
//! - Windows: the shell's print verb through PowerShell (`Start-Process -Verb PrintTo`), the same
//!   path Explorer's “打印” takes; `Get-Printer` lists the printers. Compiled on every platform,
//!   run only on Windows.
//! - No printer configured: the PDF is opened with the desktop's viewer so the clerk can print it
//!   from there.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::PrintError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printer {
    pub name: String,
    pub is_default: bool,
}

/// What happened to a print request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// Queued on a printer; the job id where the system gives one.
    Queued { printer: String, job: Option<String> },
    /// No printer is set up: the file was opened in the desktop's viewer.
    Opened(PathBuf),
    /// No printer and no viewer: the file was only kept.
    Saved(PathBuf),
}

/// A CUPS tool in the C locale: on a Chinese desktop (UOS, Kylin, Debian with zh_CN) `lpstat`
/// and `lp` translate their output, which is then read here in its one untranslated form.
fn cups(program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("LC_ALL", "C").env("LANG", "C").env_remove("LANGUAGE").env_remove("LC_MESSAGES");
    cmd
}

fn run(cmd: &mut Command) -> Result<String, PrintError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd.output().map_err(|e| PrintError::Printer(match e.kind() {
        std::io::ErrorKind::NotFound => format!("本机没有打印程序{program}：请安装CUPS打印系统（cups）后再试"),
        std::io::ErrorKind::PermissionDenied => format!("没有权限运行打印程序{program}：请联系管理员"),
        _ => format!("无法运行打印程序{program}（系统的说明：{e}）"),
    }))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        return Err(PrintError::Printer(explain(&program, &err)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The clerk's sentence for a CUPS tool's (C-locale) complaint; the tool's own words follow
/// in brackets for whoever maintains the PC.
pub fn explain(program: &str, err: &str) -> String {
    let e = err.to_ascii_lowercase();
    let what = if e.contains("does not exist") || e.contains("not found") || e.contains("unknown printer") {
        "打印机不存在：请在设置中重新选择打印机"
    } else if e.contains("not accepting") || e.contains("rejecting") {
        "打印机暂停接收作业：请在系统的打印机设置中启用它"
    } else if e.contains("scheduler is not running") || e.contains("unable to connect") || e.contains("connection refused") {
        "打印服务没有运行：请重新启动电脑或联系管理员"
    } else if e.contains("forbidden") || e.contains("not authorized") || e.contains("permission") {
        "没有使用这台打印机的权限：请联系管理员"
    } else {
        "打印失败：请检查打印机是否开机、联机，再重新打印"
    };
    if err.is_empty() { format!("{what}（{program}）") } else { format!("{what}（{program}：{err}）") }
}

/// Parses `lpstat -e` (one queue a line) and `lpstat -d` (“system default destination: X”,
/// or “X/instance”). The Chinese form (`系统默认目标：X`) is read too, in case a wrapper
/// translates it whatever the locale.
pub fn parse_lpstat(queues: &str, default: &str) -> Vec<Printer> {
    let line = default.lines().map(str::trim).find(|l| l.starts_with("system default destination") || l.starts_with("系统默认目标"));
    let default = line
        .and_then(|l| l.split_once([':', '：']))
        .map(|(_, d)| d.trim())
        .map(|d| d.split_once('/').map_or(d, |(name, _)| name))
        .filter(|d| !d.is_empty());
    queues
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|name| Printer { name: name.to_owned(), is_default: Some(name) == default })
        .collect()
}

/// Parses `lp`'s “request id is PDF-12 (1 file(s))” (or its Chinese form “请求 ID 为 PDF-12”).
pub fn parse_lp_job(out: &str) -> Option<String> {
    let line = out.lines().map(str::trim).find(|l| l.starts_with("request id is") || l.starts_with("请求 ID 为"))?;
    let rest = line.strip_prefix("request id is").or_else(|| line.strip_prefix("请求 ID 为"))?;
    rest.split(|c: char| c.is_whitespace() || c == '（' || c == '(').find(|w| !w.is_empty()).map(str::to_owned)
}

/// The printers the system knows.
pub fn list() -> Result<Vec<Printer>, PrintError> {
    if cfg!(windows) {
        let out = run(Command::new("powershell").args([
            "-NoProfile",
            "-Command",
            "Get-CimInstance Win32_Printer | ForEach-Object { \"$($_.Name)`t$($_.Default)\" }",
        ]))?;
        return Ok(out
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(n, d)| Printer { name: n.trim().to_owned(), is_default: d.trim().eq_ignore_ascii_case("true") })
            .collect());
    }
    // No CUPS on the PC: no printers (documents open in the viewer). CUPS there but its
    // scheduler stopped: that is said, not taken for “no such printer”.
    let queues = match cups("lpstat").arg("-e").output() {
        Err(_) => return Ok(vec![]),
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        Ok(out) => return Err(PrintError::Printer(explain("lpstat", String::from_utf8_lossy(&out.stderr).trim()))),
    };
    let default = run(cups("lpstat").arg("-d")).unwrap_or_default();
    Ok(parse_lpstat(&queues, &default))
}

/// Sends a PDF to `printer`, or to the default printer, or opens it when there is none.
pub fn print_pdf(path: &Path, printer: Option<&str>) -> Result<Sent, PrintError> {
    send(path, printer, false)
}

/// Sends raw bytes (ESC/POS) to a thermal printer's queue.
pub fn print_raw(path: &Path, printer: &str) -> Result<Sent, PrintError> {
    send(path, Some(printer), true)
}

fn send(path: &Path, printer: Option<&str>, raw: bool) -> Result<Sent, PrintError> {
    if !path.exists() {
        return Err(PrintError::Printer(format!("要打印的文件{}不存在", path.display())));
    }
    let printers = list()?;
    let target = match printer {
        Some(p) => {
            if !printers.iter().any(|x| x.name == p) {
                return Err(PrintError::Printer(format!("找不到打印机“{p}”，请在设置中重新选择")));
            }
            Some(p.to_owned())
        }
        None => printers.iter().find(|p| p.is_default).map(|p| p.name.clone()),
    };
    let Some(target) = target else {
        if raw {
            return Err(PrintError::Printer("没有设置小票打印机".into()));
        }
        // No printer at all: the desktop's viewer, or failing that the file is only kept, and
        // the clerk is told so (never as a success).
        return Ok(match open(path) {
            Ok(()) => Sent::Opened(path.to_owned()),
            Err(_) => Sent::Saved(path.to_owned()),
        });
    };
    if cfg!(windows) {
        let script = format!(
            "Start-Process -FilePath '{}' -Verb PrintTo -ArgumentList '\"{}\"' -WindowStyle Hidden",
            path.display().to_string().replace('\'', "''"),
            target.replace('\'', "''")
        );
        run(Command::new("powershell").args(["-NoProfile", "-Command", &script]))?;
        return Ok(Sent::Queued { printer: target, job: None });
    }
    // The job is titled by the file's name (the document number), as the queue shows it.
    let title = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "yichuang".into());
    let mut cmd = cups("lp");
    cmd.args(["-d", &target, "-t", &title]);
    if raw {
        cmd.args(["-o", "raw"]);
    }
    let out = run(cmd.arg(path))?;
    Ok(Sent::Queued { printer: target, job: parse_lp_job(&out) })
}

/// Opens a file in the desktop's default viewer.
pub fn open(path: &Path) -> Result<(), PrintError> {
    let mut cmd = if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else if cfg!(target_os = "macos") {
        Command::new("open")
    } else {
        Command::new("xdg-open")
    };
    let mut child = cmd.arg(path).spawn().map_err(|e| {
        PrintError::Printer(match e.kind() {
            std::io::ErrorKind::NotFound => "没有可用的打印机，本机也没有打开PDF的程序：请安装打印机，或安装PDF阅读器后再打印".to_owned(),
            _ => format!("没有可用的打印机，也无法打开PDF（系统的说明：{e}）"),
        })
    })?;
    // xdg-open hands the file to a viewer and returns; one that fails at once found none.
    // Still running after a few seconds: the viewer is up (it waits for it on some desktops).
    for _ in 0..30 {
        match child.try_wait() {
            Ok(Some(status)) if !status.success() => {
                return Err(PrintError::Printer("没有可用的打印机，本机也没有能打开PDF的程序：请安装打印机或PDF阅读器".into()));
            }
            Ok(Some(_)) => return Ok(()),
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(100)),
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lpstat_and_lp_output_are_read() {
        let p = parse_lpstat("PDF\nReceipt80\n", "system default destination: Receipt80\n");
        assert_eq!(p, [Printer { name: "PDF".into(), is_default: false }, Printer { name: "Receipt80".into(), is_default: true }]);
        assert!(parse_lpstat("PDF\n", "no system default destination\n").iter().all(|p| !p.is_default));
        assert_eq!(parse_lp_job("request id is PDF-12 (1 file(s))\n").as_deref(), Some("PDF-12"));
        assert_eq!(parse_lp_job(""), None);
        // An instance of a queue is that queue.
        assert!(parse_lpstat("PDF\n", "system default destination: PDF/duplex\n")[0].is_default);
        // The Chinese forms, should a wrapper translate whatever the locale.
        assert!(parse_lpstat("打印机\n", "系统默认目标：打印机\n")[0].is_default);
        assert_eq!(parse_lp_job("请求 ID 为 PDF-7（1 个文件）\n").as_deref(), Some("PDF-7"));
        // A warning line before the answer is passed over.
        assert_eq!(parse_lp_job("lp: warning - x\nrequest id is PDF-3 (1 file(s))\n").as_deref(), Some("PDF-3"));
    }

    #[test]
    fn a_cups_complaint_reaches_the_clerk_in_chinese() {
        let m = explain("lp", "lp: The printer or class does not exist.");
        assert!(m.starts_with("打印机不存在"), "{m}");
        assert!(explain("lp", "lp: Destination \"X\" is not accepting jobs.").starts_with("打印机暂停接收作业"));
        assert!(explain("lpstat", "lpstat: Scheduler is not running.").starts_with("打印服务没有运行"));
        assert!(explain("lp", "").starts_with("打印失败"));
    }

    #[test]
    fn the_cups_tools_run_in_the_c_locale() {
        let cmd = cups("lpstat");
        let envs: Vec<_> = cmd.get_envs().collect();
        assert!(envs.contains(&(std::ffi::OsStr::new("LC_ALL"), Some(std::ffi::OsStr::new("C")))));
        assert!(envs.contains(&(std::ffi::OsStr::new("LANGUAGE"), None)));
    }
}
