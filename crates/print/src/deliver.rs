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
            Sent::Opened(p) => format!("没有设置打印机，已用系统的查看器打开{}，请从那里打印", p.display()),
            Sent::Saved(p) => format!("没有可用的打印机，文书已保存为{}", p.display()),
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
        let file = target.dir.join(format!("{stem}.bin"));
        write_new(&file, &out.bytes)?;
        let sent = printer::print_raw(&file, queue)?;
        return Ok(Delivered { file, sent, unencodable: out.unencodable });
    }
    let bytes = render(record, target.layout, target.stub_copies, qr)?;
    let file = target.dir.join(format!("{stem}.pdf"));
    write_new(&file, &bytes)?;
    let sent = match printer::print_pdf(&file, target.printer.as_deref()) {
        Ok(s) => s,
        // No printer chosen, no default printer, and no viewer to open the file: the file is
        // kept, and the clerk is told where.
        Err(_) if target.printer.is_none() && !printer::has_default() => Sent::Saved(file.clone()),
        Err(e) => return Err(e),
    };
    Ok(Delivered { file, sent, unencodable: vec![] })
}

/// `〔2026〕受字第01-0001号` is not a good file name; the ASCII form is.
fn file_stem(number: &str) -> String {
    yichuang_core::DocumentNumber::parse(number)
        .map(|n| n.ascii())
        .unwrap_or_else(|_| number.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect())
}

/// Writes through a temporary file and a rename, so that a printer never reads half a file.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), PrintError> {
    let tmp = path.with_extension("part");
    yichuang_store::files::write_private(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}
