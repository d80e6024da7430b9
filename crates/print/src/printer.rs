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

fn run(cmd: &mut Command) -> Result<String, PrintError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd.output().map_err(|e| PrintError::Printer(format!("无法运行{program}：{e}")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        return Err(PrintError::Printer(format!("{program}失败：{err}")));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Parses `lpstat -e` (one queue a line) and `lpstat -d` (“system default destination: X”).
pub fn parse_lpstat(queues: &str, default: &str) -> Vec<Printer> {
    let default = default.rsplit_once(':').map(|(_, d)| d.trim()).filter(|d| !d.is_empty() && !default.contains("no system default"));
    queues
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|name| Printer { name: name.to_owned(), is_default: Some(name) == default })
        .collect()
}

/// Parses `lp`'s “request id is PDF-12 (1 file(s))”.
pub fn parse_lp_job(out: &str) -> Option<String> {
    out.split_whitespace().skip_while(|w| *w != "is").nth(1).map(str::to_owned)
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
    // `lpstat -e` fails when the scheduler is not running: no printers then.
    let queues = run(Command::new("lpstat").arg("-e")).unwrap_or_default();
    let default = run(Command::new("lpstat").arg("-d")).unwrap_or_default();
    Ok(parse_lpstat(&queues, &default))
}

/// Whether the system has a default printer.
pub fn has_default() -> bool {
    list().map(|l| l.iter().any(|p| p.is_default)).unwrap_or(false)
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
        open(path)?;
        return Ok(Sent::Opened(path.to_owned()));
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
    let mut cmd = Command::new("lp");
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
    cmd.arg(path).spawn().map_err(|e| PrintError::Printer(format!("没有设置打印机，也无法打开PDF：{e}")))?;
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
    }
}
