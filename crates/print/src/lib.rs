//! The documents the window prints. A document's frozen body (from the store) is composed into
//! a page model ([`layout::Page`]: positioned text, rules, a QR code), which the PDF backend
//! draws with the embedded Noto Serif CJK SC font, subset into each file.
//!
//! No I/O happens here except in [`printer`], which hands a finished file to the system.

pub mod deliver;
pub mod documents;
pub mod escpos;
pub mod font;
pub mod layout;
pub mod pdf;
pub mod printer;
pub mod report;
pub mod test_page;
pub mod text;

pub use deliver::{deliver, Delivered, Target};
pub use documents::{chinese_date, compose, qr_text, Layout};
use yichuang_store::DocumentRecord;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrintError {
    #[error("内置字体无法读取，打印组件已损坏，请重新安装程序")]
    Font,
    #[error("文件读写错误：{0}")]
    Io(#[from] std::io::Error),
    #[error("打印失败：{0}")]
    Printer(String),
}

impl PrintError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Font => "print.font",
            Self::Io(_) => "print.io",
            Self::Printer(_) => "print.printer",
        }
    }
}

/// The pages of a document, for tests and previews. `qr` is the text of its QR code (the
/// store's signed [`yichuang_store::Store::document_qr`]).
pub fn pages(record: &DocumentRecord, layout: Layout, stub_copies: bool, qr: &str) -> Result<Vec<layout::Page>, PrintError> {
    let font = font::font()?;
    let measure = |c: char| font.advance(c);
    Ok(compose(record, layout, stub_copies, qr, &measure))
}

/// Renders a document to PDF bytes.
pub fn render(record: &DocumentRecord, layout: Layout, stub_copies: bool, qr: &str) -> Result<Vec<u8>, PrintError> {
    let pages = pages(record, layout, stub_copies, qr)?;
    pdf::to_pdf(&format!("{} {}", record.body.title, record.number), &pages)
}
