//! The printer test page that Settings prints: the centre's name, the printer, a ruled table,
//! a paragraph that exercises the line-breaking rules, and a 100 mm scale to check the printer
//! does not shrink the page.

use chrono::NaiveDate;

use crate::documents::chinese_date;
use crate::layout::{Align, Column, Composer, Page, PageSpec};
use crate::{font, pdf, Layout, PrintError};

/// The pages of the test page.
pub fn test_pages(centre: &str, printer: &str, day: NaiveDate, layout: Layout, measure: &dyn Fn(char) -> f32) -> Vec<Page> {
    let spec = match layout {
        Layout::A4 => PageSpec::A4,
        Layout::Slip => PageSpec::SLIP,
    };
    let a4 = layout == Layout::A4;
    let (small, body, title) = if a4 { (10.5, 12.0, 22.0) } else { (8.0, 9.0, 12.0) };
    let mut c = Composer::new(spec, measure);
    c.para(centre, if a4 { 14.0 } else { body }, false, Align::Center, 0.0);
    c.para("打印测试页", title, true, Align::Center, 0.0);
    c.gap(3.0);
    c.fields(&[("打印机", printer.to_owned()), ("日期", chinese_date(day))], body, if a4 { 24.0 } else { 14.0 });
    c.gap(3.0);
    let w = spec.content_width();
    let cols = [Column::new("项目", w * 0.5, Align::Left), Column::new("份数", w * 0.2, Align::Center), Column::new("页数", w * 0.3, Align::Right)];
    let rows = vec![
        vec!["居民身份证复印件".into(), "1".into(), "2".into()],
        vec!["户口簿首页及本人页复印件".into(), "1".into(), "2".into()],
        vec!["近期一寸免冠彩色照片".into(), "3".into(), "—".into()],
    ];
    c.table(&cols, &rows, body);
    c.gap(3.0);
    c.para(
        "本页用于检查打印效果：表格线应连续、对齐；文字应清楚、不缺字；句末的“。”“，”“）”等标点不应出现在行首。如有缺字、错位或缩放，请检查打印机驱动的纸张和缩放设置（应为实际大小）。",
        body,
        false,
        Align::Left,
        2.0,
    );
    c.gap(4.0);
    // A 100 mm (or, on a slip, 60 mm) scale: measure it with a ruler.
    let len = if a4 { 100.0 } else { 60.0 };
    let (x0, y) = (spec.left, c.y + 2.0);
    c.rule(x0, y, x0 + len, y, 0.4);
    for i in 0..=(len as i32 / 10) {
        let x = x0 + i as f32 * 10.0;
        c.rule(x, y - 2.0, x, y, 0.3);
    }
    c.gap(4.0);
    c.para(&format!("上方刻度线全长{}毫米，用直尺量一量，以确认未被缩放。", len as i32), small, false, Align::Left, 0.0);
    c.finish(small)
}

/// The test page as a PDF.
pub fn test_page(centre: &str, printer: &str, day: NaiveDate, layout: Layout) -> Result<Vec<u8>, PrintError> {
    let f = font::font()?;
    let measure = |ch: char| f.advance(ch);
    pdf::to_pdf("打印测试页", &test_pages(centre, printer, day, layout, &measure))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_page_names_the_printer_and_keeps_to_one_page() {
        let f = font::font().unwrap();
        let measure = |ch: char| f.advance(ch);
        for layout in [Layout::A4, Layout::Slip] {
            let pages = test_pages("示范镇便民服务中心", "YichuangPDF", NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), layout, &measure);
            assert_eq!(pages.len(), 1, "{layout:?}");
            let text: String = pages[0].texts().collect();
            assert!(text.contains("YichuangPDF") && text.contains("2026年11月23日") && text.contains("打印测试页"), "{text}");
        }
        let pdf = test_page("示范镇便民服务中心", "YichuangPDF", NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), Layout::A4).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    }
}
