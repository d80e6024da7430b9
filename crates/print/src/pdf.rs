//! The page model drawn with printpdf: one text section per positioned string, the font
//! subset into the file, rules and QR modules as vector shapes.

use printpdf::{
    Color, Greyscale, Line, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, Rect, TextItem, TextRenderingMode, WindingOrder,
};

use crate::font::font;
use crate::layout::{Item, Page};
use crate::PrintError;

fn pt(mm: f32) -> Pt {
    Mm(mm).into()
}

fn black() -> Color {
    Color::Greyscale(Greyscale { percent: 0.0, icc_profile: None })
}

/// `text` cut where `rare` changes: (rare, run) in order.
fn runs(text: &str, rare: impl Fn(char) -> bool) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = vec![];
    for c in text.chars() {
        let r = rare(c);
        match out.last_mut() {
            Some((last, run)) if *last == r => run.push(c),
            _ => out.push((r, c.to_string())),
        }
    }
    out
}

/// Renders pages to PDF bytes.
pub fn to_pdf(title: &str, pages: &[Page]) -> Result<Vec<u8>, PrintError> {
    let font = font()?;
    let mut doc = PdfDocument::new(title);
    let fid = doc.add_font(&font.parsed);
    // The rare-character font is embedded only in a document that needs it.
    let needs_rare = pages.iter().flat_map(|p| &p.items).any(|i| matches!(i, Item::Text { text, .. } if text.chars().any(|c| font.from_rare(c))));
    let rid = match crate::font::rare() {
        Some(r) if needs_rare => Some(doc.add_font(&r.parsed)),
        _ => None,
    };
    let mut out = vec![];
    for page in pages {
        let h = page.height;
        let mut ops = vec![Op::SetFillColor { col: black() }, Op::SetOutlineColor { col: black() }];
        for item in &page.items {
            match item {
                Item::Text { x, y, size, text, bold } => {
                    if *bold {
                        ops.push(Op::SetTextRenderingMode { mode: TextRenderingMode::FillStroke });
                        ops.push(Op::SetOutlineThickness { pt: Pt(size * 0.03) });
                    }
                    // Runs of one font each, placed one after another by their advances.
                    let mut at = *x;
                    for (rare, run) in runs(text, |c| rid.is_some() && font.from_rare(c)) {
                        let id = if rare { rid.clone().unwrap_or_else(|| fid.clone()) } else { fid.clone() };
                        ops.extend([
                            Op::StartTextSection,
                            Op::SetFont { font: PdfFontHandle::External(id), size: Pt(*size) },
                            Op::SetTextCursor { pos: Point { x: pt(at), y: pt(h - y) } },
                            Op::ShowText { items: vec![TextItem::Text(run.clone())] },
                            Op::EndTextSection,
                        ]);
                        at += run.chars().map(|c| font.advance(c)).sum::<f32>() * size * crate::layout::PT;
                    }
                    if *bold {
                        ops.push(Op::SetTextRenderingMode { mode: TextRenderingMode::Fill });
                    }
                }
                Item::Line { x1, y1, x2, y2, width } => {
                    ops.push(Op::SetOutlineThickness { pt: Pt(*width / crate::layout::PT) });
                    ops.push(Op::DrawLine {
                        line: Line {
                            points: vec![
                                LinePoint { p: Point { x: pt(*x1), y: pt(h - y1) }, bezier: false },
                                LinePoint { p: Point { x: pt(*x2), y: pt(h - y2) }, bezier: false },
                            ],
                            is_closed: false,
                        },
                    });
                }
                Item::Qr { x, y, size, n, dark } => {
                    let m = size / *n as f32;
                    for (i, d) in dark.iter().enumerate() {
                        if *d {
                            let (col, row) = ((i % n) as f32, (i / n) as f32);
                            ops.push(Op::DrawRectangle {
                                rectangle: Rect {
                                    x: pt(x + col * m),
                                    y: pt(h - (y + (row + 1.0) * m)),
                                    width: pt(m),
                                    height: pt(m),
                                    mode: Some(PaintMode::Fill),
                                    winding_order: Some(WindingOrder::NonZero),
                                },
                            });
                        }
                    }
                }
            }
        }
        out.push(PdfPage::new(Mm(page.width), Mm(page.height), ops));
    }
    let options = PdfSaveOptions { optimize: true, subset_fonts: true, secure: true, image_optimization: None };
    let mut warnings = vec![];
    Ok(doc.with_pages(out).save(&options, &mut warnings))
}
