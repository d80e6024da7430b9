//! The page model: positioned text, rules and QR codes, in millimetres from the top-left
//! corner. Documents are composed into it; the PDF backend draws it; golden tests read it.

use std::fmt::Write;

use crate::text::wrap;

pub const PT: f32 = 25.4 / 72.0;

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `y` is the baseline.
    Text { x: f32, y: f32, size: f32, text: String, bold: bool },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32 },
    /// A QR code: dark modules of an `n`×`n` grid drawn in a square of side `size`.
    Qr { x: f32, y: f32, size: f32, n: usize, dark: Vec<bool> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
}

impl Page {
    /// A plain-text picture of the page for golden tests: one item a line, one decimal.
    pub fn describe(&self) -> String {
        let mut s = format!("page {:.1}x{:.1}\n", self.width, self.height);
        for it in &self.items {
            let _ = match it {
                Item::Text { x, y, size, text, bold } => {
                    writeln!(s, "T {x:.1} {y:.1} {size:.1}{} {text}", if *bold { " b" } else { "" })
                }
                Item::Line { x1, y1, x2, y2, .. } => writeln!(s, "L {x1:.1} {y1:.1} {x2:.1} {y2:.1}"),
                Item::Qr { x, y, size, n, .. } => writeln!(s, "Q {x:.1} {y:.1} {size:.1} {n}"),
            };
        }
        s
    }

    /// The text lines of the page, top to bottom (for tests of what a reader sees).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter_map(|i| match i {
            Item::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// Page size and margins. A slip has no fixed height: it grows with its content.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSpec {
    pub width: f32,
    pub height: Option<f32>,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
    pub left: f32,
}

impl PageSpec {
    /// A4, with the margins of an official document (GB/T 9704 gives 37/26/35/28 mm for
    /// formal documents; a counter form uses a little less).
    pub const A4: Self = Self { width: 210.0, height: Some(297.0), top: 20.0, right: 20.0, bottom: 20.0, left: 22.0 };
    /// 80 mm thermal paper: 72 mm printable (576 dots at 203 dpi).
    pub const SLIP: Self = Self { width: 80.0, height: None, top: 4.0, right: 4.0, bottom: 6.0, left: 4.0 };

    pub fn content_width(&self) -> f32 {
        self.width - self.left - self.right
    }
}

/// A table column: title, width in mm, alignment.
#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    pub width: f32,
    pub align: Align,
}

impl Column {
    pub fn new(title: &str, width: f32, align: Align) -> Self {
        Self { title: title.to_owned(), width, align }
    }
}

pub type Measure<'a> = &'a dyn Fn(char) -> f32;

/// What a new page starts with (the title and number, “续”).
type Continuation<'a> = Box<dyn Fn(&mut Composer<'a>) + 'a>;

/// Lays content out top to bottom, breaking pages where needed.
pub struct Composer<'a> {
    pub spec: PageSpec,
    measure: Measure<'a>,
    pages: Vec<Page>,
    pub y: f32,
    /// Drawn at the top of every page after the first (e.g. the title and number, “续”).
    continuation: Option<Continuation<'a>>,
}

impl<'a> Composer<'a> {
    pub fn new(spec: PageSpec, measure: Measure<'a>) -> Self {
        let page = Page { width: spec.width, height: spec.height.unwrap_or(0.0), items: vec![] };
        Self { spec, measure, pages: vec![page], y: spec.top, continuation: None }
    }

    pub fn set_continuation(&mut self, f: impl Fn(&mut Composer<'a>) + 'a) {
        self.continuation = Some(Box::new(f));
    }

    /// Width of `text` at `size` pt, in mm.
    pub fn width_of(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| (self.measure)(c)).sum::<f32>() * size * PT
    }

    pub fn line_height(size: f32) -> f32 {
        size * PT * 1.6
    }

    fn page(&mut self) -> &mut Page {
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub fn push(&mut self, item: Item) {
        self.page().items.push(item);
    }

    /// Room left on this page, in mm (unbounded on a slip).
    pub fn room(&self) -> f32 {
        match self.spec.height {
            Some(h) => h - self.spec.bottom - self.y,
            None => f32::INFINITY,
        }
    }

    /// Starts a new page when less than `h` mm are left.
    pub fn ensure(&mut self, h: f32) {
        if self.room() < h {
            self.new_page();
        }
    }

    pub fn new_page(&mut self) {
        let spec = self.spec;
        self.pages.push(Page { width: spec.width, height: spec.height.unwrap_or(0.0), items: vec![] });
        self.y = spec.top;
        if let Some(f) = self.continuation.take() {
            f(self);
            self.continuation = Some(f);
        }
    }

    pub fn gap(&mut self, mm: f32) {
        self.y += mm;
    }

    /// Text at an absolute place (no wrapping, no page break).
    pub fn text_at(&mut self, x: f32, baseline: f32, size: f32, text: &str, bold: bool) {
        if !text.is_empty() {
            self.push(Item::Text { x, y: baseline, size, text: text.to_owned(), bold });
        }
    }

    pub fn rule(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        self.push(Item::Line { x1, y1, x2, y2, width });
    }

    /// A wrapped paragraph across the content width. `indent` is the first line's indent in em.
    pub fn para(&mut self, text: &str, size: f32, bold: bool, align: Align, indent: f32) {
        let x0 = self.spec.left;
        let width = self.spec.content_width();
        self.para_in(x0, width, text, size, bold, align, indent);
    }

    /// A section heading, kept with what follows it: never the last line of a page (the
    /// heading and at least two lines of its text start the next page together).
    pub fn heading(&mut self, text: &str, size: f32) {
        self.ensure(Self::line_height(size) * 3.0);
        self.para(text, size, true, Align::Left, 0.0);
    }

    /// A wrapped paragraph inside `[x0, x0 + width]`.
    #[allow(clippy::too_many_arguments)]
    pub fn para_in(&mut self, x0: f32, width: f32, text: &str, size: f32, bold: bool, align: Align, indent: f32) {
        let lh = Self::line_height(size);
        let em = size * PT;
        let lines = self.wrap_first_indented(text, width, size, indent);
        for (i, line) in lines.iter().enumerate() {
            self.ensure(lh);
            let ind = if i == 0 { indent * em } else { 0.0 };
            let w = self.width_of(line, size);
            let x = match align {
                Align::Left => x0 + ind,
                Align::Center => x0 + (width - w) / 2.0,
                Align::Right => x0 + width - w,
            };
            self.text_at(x, self.y + em * 0.88, size, line, bold);
            self.y += lh;
        }
    }

    fn wrap_first_indented(&self, text: &str, width: f32, size: f32, indent: f32) -> Vec<String> {
        let scale = size * PT;
        let measure = |c: char| (self.measure)(c) * scale;
        if indent <= 0.0 {
            return wrap(text, width, &measure);
        }
        // Indent by wrapping with placeholder ideographic spaces, then drop them.
        let pad: String = std::iter::repeat_n('\u{3000}', indent.round() as usize).collect();
        let mut lines = wrap(&format!("{pad}{text}"), width, &|c| if c == '\u{3000}' { scale } else { measure(c) });
        if let Some(first) = lines.first_mut() {
            *first = first.trim_start_matches('\u{3000}').to_owned();
        }
        lines
    }

    /// Label–value rows: the label in a fixed column, the value wrapped beside it.
    pub fn fields(&mut self, rows: &[(&str, String)], size: f32, label_width: f32) {
        let lh = Self::line_height(size);
        let em = size * PT;
        for (label, value) in rows {
            if value.trim().is_empty() {
                continue;
            }
            let x0 = self.spec.left + label_width;
            let width = self.spec.content_width() - label_width;
            let lines = wrap(value, width, &|c| (self.measure)(c) * em);
            self.ensure(lh);
            self.text_at(self.spec.left, self.y + em * 0.88, size, &format!("{label}："), true);
            for line in lines {
                self.ensure(lh);
                self.text_at(x0, self.y + em * 0.88, size, &line, false);
                self.y += lh;
            }
        }
    }

    /// A ruled table; rows break across pages with the header repeated.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>], size: f32) {
        let em = size * PT;
        let lh = Self::line_height(size);
        let pad = 1.5;
        let x0 = self.spec.left;
        let total: f32 = columns.iter().map(|c| c.width).sum();
        let wrap_cell = |this: &Self, text: &str, w: f32| wrap(text, w - 2.0 * pad, &|c| (this.measure)(c) * em);
        let draw_row = |this: &mut Self, cells: Vec<Vec<String>>, bold: bool| {
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = lines as f32 * lh + 2.0 * pad * 0.6;
            let top = this.y;
            this.rule(x0, top, x0 + total, top, 0.4);
            let mut x = x0;
            for (col, cell) in columns.iter().zip(&cells) {
                for (i, line) in cell.iter().enumerate() {
                    let w = this.width_of(line, size);
                    let tx = match col.align {
                        Align::Left => x + pad,
                        Align::Center => x + (col.width - w) / 2.0,
                        Align::Right => x + col.width - pad - w,
                    };
                    this.text_at(tx, top + pad * 0.6 + i as f32 * lh + em * 0.88 + (lh - em) / 2.0, size, line, bold);
                }
                this.rule(x, top, x, top + h, 0.4);
                x += col.width;
            }
            this.rule(x0 + total, top, x0 + total, top + h, 0.4);
            this.rule(x0, top + h, x0 + total, top + h, 0.4);
            this.y = top + h;
            h
        };
        let header: Vec<Vec<String>> = columns.iter().map(|c| wrap_cell(self, &c.title, c.width)).collect();
        let header_h = header.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad * 0.6;
        self.ensure(header_h + lh * 2.0);
        draw_row(self, header.clone(), true);
        for row in rows {
            let cells: Vec<Vec<String>> = columns.iter().zip(row).map(|(c, t)| wrap_cell(self, t, c.width)).collect();
            let h = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad * 0.6;
            if self.room() < h {
                self.new_page();
                draw_row(self, header.clone(), true);
            }
            draw_row(self, cells, false);
        }
    }

    pub fn qr(&mut self, x: f32, y: f32, size: f32, text: &str) {
        if let Ok(code) = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M) {
            let n = code.width();
            let dark = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
            self.push(Item::Qr { x, y, size, n, dark });
        }
    }

    /// Ends the document: numbers the pages (“第1页 共2页”) when there is more than one, and
    /// fixes a slip's height to its content.
    pub fn finish(mut self, footer_size: f32) -> Vec<Page> {
        if self.spec.height.is_none() {
            let h = self.y + self.spec.bottom;
            for p in &mut self.pages {
                p.height = h;
            }
            return self.pages;
        }
        let n = self.pages.len();
        if n > 1 {
            let spec = self.spec;
            for (i, p) in self.pages.iter_mut().enumerate() {
                let text = format!("第{}页  共{}页", i + 1, n);
                let w: f32 = text.chars().map(|c| (self.measure)(c)).sum::<f32>() * footer_size * PT;
                let h = p.height;
                p.items.push(Item::Text { x: (spec.width - w) / 2.0, y: h - spec.bottom / 2.0, size: footer_size, text, bold: false });
            }
        }
        self.pages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(c: char) -> f32 {
        if c.is_ascii() { 0.5 } else { 1.0 }
    }

    #[test]
    fn a_long_table_breaks_pages_and_repeats_its_header() {
        let mut c = Composer::new(PageSpec::A4, &m);
        let cols = [Column::new("序号", 15.0, Align::Center), Column::new("材料名称", 100.0, Align::Left), Column::new("份数", 20.0, Align::Center)];
        let rows: Vec<Vec<String>> = (1..=60).map(|i| vec![i.to_string(), format!("第{i}项材料的名称"), "1".into()]).collect();
        c.table(&cols, &rows, 10.5);
        let pages = c.finish(9.0);
        assert!(pages.len() >= 2, "{} pages", pages.len());
        for p in &pages {
            assert_eq!(p.texts().filter(|t| *t == "材料名称").count(), 1, "header once per page");
            for it in &p.items {
                if let Item::Text { y, .. } = it {
                    assert!(*y < 297.0 - 5.0, "nothing below the bottom edge");
                }
            }
        }
        let all: Vec<&str> = pages.iter().flat_map(Page::texts).collect();
        for i in 1..=60 {
            assert!(all.contains(&format!("第{i}项材料的名称").as_str()), "row {i} printed");
        }
        assert!(all.contains(&"第1页  共2页"));
    }

    #[test]
    fn long_cells_wrap_inside_their_column() {
        let mut c = Composer::new(PageSpec::A4, &m);
        let cols = [Column::new("材料名称", 30.0, Align::Left), Column::new("备注", 30.0, Align::Left)];
        c.table(&cols, &[vec!["农村宅基地和建房（规划许可）申请表".into(), "".into()]], 10.5);
        let p = &c.finish(9.0)[0];
        let lines: Vec<&str> = p.texts().skip(2).collect();
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(lines.concat(), "农村宅基地和建房（规划许可）申请表");
    }

    #[test]
    fn a_slip_grows_with_its_content() {
        let mut c = Composer::new(PageSpec::SLIP, &m);
        for _ in 0..40 {
            c.para("一行文字", 9.0, false, Align::Left, 0.0);
        }
        let pages = c.finish(8.0);
        assert_eq!(pages.len(), 1);
        assert!(pages[0].height > 100.0);
    }
}
