//! Raw ESC/POS for 80 mm thermal printers: 576 dots, 24 Chinese characters (48 columns) a line.
//!
//! - Text mode: Chinese in GB18030 (the default; the national standard's encoding), GBK for
//!   older printers, or UTF-8 where the printer takes it (`FS ( C`); the native QR command
//!   `GS ( k`; a partial cut.
//! - Raster mode, for printers with no Chinese font: every line drawn with the embedded font
//!   into a 576-dot bitmap and sent as `GS v 0` bands, the QR code too.

use ab_glyph::{Font as _, FontRef, PxScale, ScaleFont as _};
use yichuang_core::DocKind;
use yichuang_store::DocumentRecord;

use crate::documents::chinese_date;
use crate::text::wrap;
use crate::PrintError;

pub const DOTS: usize = 576;
pub const COLUMNS: f32 = 48.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gb18030,
    Gbk,
    Utf8,
}

impl Encoding {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "gb18030" => Some(Self::Gb18030),
            "gbk" | "gb2312" => Some(Self::Gbk),
            "utf8" | "utf-8" => Some(Self::Utf8),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Text(Encoding),
    Raster,
}

/// The bytes for the printer, and the characters the chosen encoding could not carry (printed
/// as `?`; the clerk is told).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub bytes: Vec<u8>,
    pub unencodable: Vec<char>,
}

pub const INIT: &[u8] = &[0x1B, 0x40];
pub const CHINESE_ON: &[u8] = &[0x1C, 0x26];
pub const UTF8_ON: &[u8] = &[0x1C, 0x28, 0x43, 0x02, 0x00, 0x30, 0x02];
pub const CENTER: &[u8] = &[0x1B, 0x61, 0x01];
pub const LEFT: &[u8] = &[0x1B, 0x61, 0x00];
pub const DOUBLE: &[u8] = &[0x1D, 0x21, 0x11];
pub const NORMAL: &[u8] = &[0x1D, 0x21, 0x00];
pub const FEED_AND_CUT: &[u8] = &[0x1B, 0x64, 0x04, 0x1D, 0x56, 0x42, 0x00];

/// `GS ( k`: model 2, module size 6, error correction M, store, print.
pub fn qr_command(data: &str) -> Vec<u8> {
    let mut v = vec![0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00];
    v.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06]);
    v.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]);
    let len = data.len() + 3;
    v.extend([0x1D, 0x28, 0x6B, (len & 0xFF) as u8, (len >> 8) as u8, 0x31, 0x50, 0x30]);
    v.extend(data.as_bytes());
    v.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]);
    v
}

/// Columns a character takes: 2 for full-width, 1 for ASCII.
fn columns(c: char) -> f32 {
    if c.is_ascii() { 1.0 } else { 2.0 }
}

/// The slip's lines: (centered, double size, text).
fn lines(record: &DocumentRecord) -> Vec<(bool, bool, String)> {
    let b = &record.body;
    let mut out = vec![(true, false, b.centre_name.clone())];
    let title = if record.reprints > 0 { format!("{}（补打）", b.title) } else { b.title.clone() };
    out.push((true, true, title));
    out.push((true, false, b.number.clone()));
    if let Some(r) = &record.void_reason {
        out.push((false, false, format!("【作废】{r}")));
    }
    out.push((false, false, "-".repeat(48)));
    let mut field = |label: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            out.push((false, false, format!("{label}：{v}")));
        }
    };
    field("办件编号", b.case_number.clone());
    field("申请人", b.applicant_name.clone());
    field("证件号码", b.applicant_id_masked.clone());
    field("事项", b.item_name.clone());
    if let Some(q) = &b.inquiry {
        field("来询事项", Some(q.matter.clone()));
        field("移交部门", q.handed_to.clone());
        field("答复时限", q.reply_due.map(chinese_date));
    }
    if matches!(record.kind, DocKind::Receipt | DocKind::Extension) {
        field("受理日期", b.accepted_on.or(b.received_on).map(chinese_date));
        let due = b.due_date.map(chinese_date).map(|d| if b.due_provisional { format!("{d}（暂按周末计算）") } else { d });
        field("承诺办结", due);
    }
    if record.kind == DocKind::Refusal {
        for r in &b.reasons {
            field("理由", Some(r.clone()));
        }
    }
    if !b.materials.is_empty() && record.kind != DocKind::Extension {
        out.push((false, false, if record.kind == DocKind::Supplement { "需补正材料：".into() } else { "材料：".into() }));
        for (i, m) in b.materials.iter().enumerate() {
            let detail = match (m.pages, m.copies, &m.problem) {
                (_, _, Some(p)) if record.kind == DocKind::Supplement => format!("（{p}）"),
                (Some(p), Some(n), _) => format!("（{p}页{n}份）"),
                _ => String::new(),
            };
            out.push((false, false, format!("{}. {}{detail}", i + 1, m.name)));
        }
    }
    for n in &b.notes {
        out.push((false, false, n.clone()));
    }
    out.push((false, false, "-".repeat(48)));
    out.push((false, false, format!("经办人：{}", b.handler_name)));
    if !b.centre_phone.is_empty() {
        out.push((false, false, format!("咨询电话：{}", b.centre_phone)));
    }
    out.push((false, false, b.issued_on.map(chinese_date).unwrap_or_default()));
    out
}

fn encode(text: &str, enc: Encoding, bad: &mut Vec<char>) -> Vec<u8> {
    match enc {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Gb18030 | Encoding::Gbk => {
            let coder = if enc == Encoding::Gb18030 { encoding_rs::GB18030 } else { encoding_rs::GBK };
            let mut out = vec![];
            for c in text.chars() {
                let mut buf = [0u8; 4];
                let (bytes, _, unmappable) = coder.encode(c.encode_utf8(&mut buf));
                if unmappable {
                    bad.push(c);
                    out.push(b'?');
                } else {
                    out.extend_from_slice(&bytes);
                }
            }
            out
        }
    }
}

/// The ESC/POS stream of a document.
pub fn escpos(record: &DocumentRecord, qr: &str, mode: Mode) -> Result<Output, PrintError> {
    let mut bytes = INIT.to_vec();
    let mut bad = vec![];
    match mode {
        Mode::Text(enc) => {
            bytes.extend(if enc == Encoding::Utf8 { UTF8_ON } else { CHINESE_ON });
            for (center, double, text) in lines(record) {
                let width = if double { COLUMNS / 2.0 } else { COLUMNS };
                bytes.extend(if center { CENTER } else { LEFT });
                bytes.extend(if double { DOUBLE } else { NORMAL });
                for line in wrap(&text, width, &columns) {
                    bytes.extend(encode(&line, enc, &mut bad));
                    bytes.push(b'\n');
                }
            }
            bytes.extend(NORMAL);
            bytes.extend(CENTER);
            bytes.extend(qr_command(qr));
            bytes.push(b'\n');
        }
        Mode::Raster => {
            let font = FontRef::try_from_slice(crate::font::FONT_BYTES).map_err(|_| PrintError::Font)?;
            for (center, double, text) in lines(record) {
                let (px, width) = if double { (48.0, COLUMNS / 2.0) } else { (24.0, COLUMNS) };
                for line in wrap(&text, width, &columns) {
                    bytes.extend(raster_band(&rasterize_line(&font, &line, px, center)));
                }
            }
            bytes.extend(raster_band(&qr_bitmap(qr)));
        }
    }
    bytes.extend(FEED_AND_CUT);
    bad.sort_unstable();
    bad.dedup();
    Ok(Output { bytes, unencodable: bad })
}

/// A 1-bit bitmap, `DOTS` wide, rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub height: usize,
    pub rows: Vec<[bool; DOTS]>,
}

impl Bitmap {
    fn new(height: usize) -> Self {
        Self { height, rows: vec![[false; DOTS]; height] }
    }
    pub fn dark(&self) -> usize {
        self.rows.iter().map(|r| r.iter().filter(|b| **b).count()).sum()
    }
}

fn rasterize_line(font: &FontRef<'_>, text: &str, px: f32, center: bool) -> Bitmap {
    let scale = PxScale::from(px);
    let scaled = font.as_scaled(scale);
    let height = (px * 1.3).ceil() as usize;
    let mut bmp = Bitmap::new(height);
    if !text.is_empty() && text.chars().all(|c| c == '-') {
        // A separator: a rule across the paper.
        for row in &mut bmp.rows[height / 2..height / 2 + 2] {
            row.iter_mut().for_each(|d| *d = true);
        }
        return bmp;
    }
    let width: f32 = text.chars().map(|c| scaled.h_advance(font.glyph_id(c))).sum();
    let mut x = if center { ((DOTS as f32 - width) / 2.0).max(0.0) } else { 0.0 };
    // The ideographic em box runs from 0.88 em above the baseline to 0.12 em below it.
    let baseline = px * 1.03;
    for c in text.chars() {
        let id = font.glyph_id(c);
        let glyph = id.with_scale_and_position(scale, ab_glyph::point(x, baseline));
        if let Some(outlined) = font.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            outlined.draw(|gx, gy, coverage| {
                let (px_x, px_y) = (bounds.min.x as i32 + gx as i32, bounds.min.y as i32 + gy as i32);
                if coverage > 0.25 && (0..DOTS as i32).contains(&px_x) && (0..height as i32).contains(&px_y) {
                    bmp.rows[px_y as usize][px_x as usize] = true;
                }
            });
        }
        x += scaled.h_advance(id);
    }
    bmp
}

fn qr_bitmap(text: &str) -> Bitmap {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M) else {
        return Bitmap::new(0);
    };
    let n = code.width();
    let module = 6;
    let side = (n + 8) * module;
    let left = (DOTS.saturating_sub(side)) / 2;
    let mut bmp = Bitmap::new(side);
    for (i, c) in code.to_colors().into_iter().enumerate() {
        if c == qrcode::Color::Dark {
            let (col, row) = (i % n + 4, i / n + 4);
            for dy in 0..module {
                for dx in 0..module {
                    let x = left + col * module + dx;
                    if x < DOTS {
                        bmp.rows[row * module + dy][x] = true;
                    }
                }
            }
        }
    }
    bmp
}

/// `GS v 0`: one band of a raster image, 72 bytes a row.
pub fn raster_band(b: &Bitmap) -> Vec<u8> {
    let wb = DOTS / 8;
    let mut v = vec![0x1D, 0x76, 0x30, 0x00, (wb & 0xFF) as u8, (wb >> 8) as u8, (b.height & 0xFF) as u8, (b.height >> 8) as u8];
    for row in &b.rows {
        for chunk in row.chunks(8) {
            v.push(chunk.iter().enumerate().fold(0u8, |acc, (i, on)| if *on { acc | (0x80 >> i) } else { acc }));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_command_is_byte_exact() {
        assert_eq!(
            qr_command("AB"),
            [
                0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00, // model 2
                0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06, // module size 6
                0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31, // error correction M
                0x1D, 0x28, 0x6B, 0x05, 0x00, 0x31, 0x50, 0x30, b'A', b'B', // store 2 bytes
                0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30, // print
            ]
        );
        // Length over 255 uses the high byte.
        let long = qr_command(&"x".repeat(300));
        assert_eq!(&long[25..30], &[0x1D, 0x28, 0x6B, (303 & 0xFF) as u8, 1]);
    }

    #[test]
    fn encodings() {
        let mut bad = vec![];
        assert_eq!(encode("受理", Encoding::Gb18030, &mut bad), [0xCA, 0xDC, 0xC0, 0xED]);
        assert_eq!(encode("受理", Encoding::Gbk, &mut bad), [0xCA, 0xDC, 0xC0, 0xED]);
        assert_eq!(encode("受理", Encoding::Utf8, &mut bad), "受理".as_bytes());
        // A rare character outside GBK is four bytes in GB18030 and unencodable in GBK.
        assert_eq!(encode("𠀾", Encoding::Gb18030, &mut bad).len(), 4);
        assert!(bad.is_empty());
        assert_eq!(encode("𠀾", Encoding::Gbk, &mut bad), b"?");
        assert_eq!(bad, ['𠀾']);
    }

    #[test]
    fn a_raster_band_packs_eight_dots_a_byte() {
        let mut b = Bitmap::new(2);
        b.rows[0][0] = true;
        b.rows[0][9] = true;
        b.rows[1][575] = true;
        let v = raster_band(&b);
        assert_eq!(&v[..8], &[0x1D, 0x76, 0x30, 0x00, 72, 0, 2, 0]);
        assert_eq!(v.len(), 8 + 2 * 72);
        assert_eq!((v[8], v[9], v[8 + 71], v[8 + 72 + 71]), (0x80, 0x40, 0x00, 0x01));
    }
}
