//! One document from the store to paper: render it for the window's printer (A4 PDF, or
//! ESC/POS for a thermal slip printer), keep the file in the spool folder, and hand it to the
//! system. The CLI and the desktop both print through here.

use std::path::{Path, PathBuf};

use yichuang_store::DocumentRecord;

use crate::escpos::{escpos, Encoding, Mode};
use crate::printer::{self, Sent};
use crate::{render, Layout, PrintError};

/// Where and how a document is printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub layout: Layout,
    pub stub_copies: bool,
    /// The A4 printer; `None` for the system's default.
    pub printer: Option<String>,
    /// The slip printer's queue and its encoding (`gb18030`, `gbk`, `utf8`, `raster`); used for
    /// [`Layout::Slip`] when set, otherwise the slip prints as an 80 mm PDF.
    pub slip_printer: Option<(String, String)>,
    /// Where the files are kept (the spool folder).
    pub dir: PathBuf,
}

/// What was printed: the file kept, and what the system did with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub file: PathBuf,
    pub sent: Sent,
    /// Characters the slip printer's encoding could not print (shown to the clerk).
    pub unencodable: Vec<char>,
}

impl Delivered {
    /// One line for the clerk.
    pub fn message(&self) -> String {
        match &self.sent {
            Sent::Queued { printer, job } => {
                format!("已发送到打印机{printer}{}", job.as_ref().map(|j| format!("（作业{j}）")).unwrap_or_default())
            }
            Sent::Opened(p) => format!("尚未打印：没有可用的打印机，已用系统的查看器打开{}，请从那里打印", p.display()),
            Sent::Saved(p) => format!("尚未打印：没有可用的打印机，文书已保存为{}；接好打印机后点“重新打印”", p.display()),
        }
    }
}

/// Renders `record` (with its signed QR text) for `target` and prints it.
pub fn deliver(record: &DocumentRecord, qr: &str, target: &Target) -> Result<Delivered, PrintError> {
    yichuang_store::files::private_dir(&target.dir)?;
    let stem = file_stem(&record.number);
    if let (Layout::Slip, Some((queue, encoding))) = (target.layout, &target.slip_printer) {
        let mode = match encoding.as_str() {
            "raster" => Mode::Raster,
            e => Mode::Text(Encoding::parse(e).ok_or_else(|| {
                PrintError::Printer(format!("小票打印机编码“{e}”无效：应为gb18030、gbk、utf8或raster"))
            })?),
        };
        let out = escpos(record, qr, mode)?;
        let file = write_fresh(&case_dir(&target.dir, record), &stem, "bin", &out.bytes)?;
        let sent = printer::print_raw(&file, queue)?;
        return Ok(Delivered { file, sent, unencodable: out.unencodable });
    }
    let bytes = render(record, target.layout, target.stub_copies, qr)?;
    let file = write_fresh(&case_dir(&target.dir, record), &stem, "pdf", &bytes)?;
    let sent = printer::print_pdf(&file, target.printer.as_deref())?;
    Ok(Delivered { file, sent, unencodable: vec![] })
}

/// `〔2026〕受字第01-0001号` is not a good file name; the ASCII form is.
fn file_stem(number: &str) -> String {
    yichuang_core::DocumentNumber::parse(number)
        .map(|n| n.ascii())
        .unwrap_or_else(|_| number.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect())
}

/// A case's documents are kept together, in a folder named by the case number; a document
/// of no case (a one-time notice) beside them.
fn case_dir(dir: &Path, record: &DocumentRecord) -> std::path::PathBuf {
    match record.case_number.as_deref() {
        Some(c) if !c.is_empty() && c.bytes().all(|b| b.is_ascii_alphanumeric()) => dir.join(c),
        _ => dir.to_owned(),
    }
}

/// Writes `bytes` whole under a private name, then links it into place under the first free
/// name of `stem.ext`, `stem-2.ext`, …: a printer never reads half a file, and a reprint never
/// replaces the file of an earlier print.
fn write_fresh(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> Result<std::path::PathBuf, PrintError> {
    yichuang_store::files::private_dir(dir)?;
    // A name no other print (another thread, a later process with the same id) can share.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let tmp = dir.join(format!(".{stem}.{}-{nanos}-{}.part", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
    {
        use std::io::Write;
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let mut f = o.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    let mut n = 1;
    let linked = loop {
        let path = if n == 1 { dir.join(format!("{stem}.{ext}")) } else { dir.join(format!("{stem}-{n}.{ext}")) };
        match std::fs::hard_link(&tmp, &path) {
            Ok(()) => break Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 10_000 => n += 1,
            Err(e) => break Err(e),
        }
    };
    let _ = std::fs::remove_file(&tmp);
    Ok(linked?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reprint_never_replaces_the_file_of_an_earlier_print() {
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("450821102012026112300001");
        let first = write_fresh(&case, "SL-2026-01-0001", "pdf", b"first").unwrap();
        let second = write_fresh(&case, "SL-2026-01-0001", "pdf", b"second").unwrap();
        assert_eq!(first, case.join("SL-2026-01-0001.pdf"));
        assert_eq!(second, case.join("SL-2026-01-0001-2.pdf"));
        assert_eq!(std::fs::read(&first).unwrap(), b"first");
        assert_eq!(std::fs::read(&second).unwrap(), b"second");
        let left: Vec<_> = std::fs::read_dir(&case).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 2, "no part file left: {left:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&case).unwrap().permissions().mode() & 0o777, 0o700);
            assert_eq!(std::fs::metadata(&second).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
