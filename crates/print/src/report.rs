//! The monthly report as a PDF on landscape A4: the figures per item, the centre's inquiries
//! and complaints, and the service promise fulfilment table (服务承诺兑现表), in the plain look of
//! an official form.

use yichuang_report::{Report, xlsx::COLUMNS};

use crate::layout::{Align, Column, Composer, Page, PageSpec};
use crate::{font, pdf, PrintError};

const LANDSCAPE: PageSpec = PageSpec { width: 297.0, height: Some(210.0), top: 16.0, right: 14.0, bottom: 16.0, left: 14.0 };

/// The pages of the report.
pub fn report_pages(r: &Report, printed_on: &str, measure: &dyn Fn(char) -> f32) -> Vec<Page> {
    let mut c = Composer::new(LANDSCAPE, measure);
    let w = LANDSCAPE.content_width();
    c.para(&format!("{}　{}", r.centre, r.period.label()), 16.0, true, Align::Center, 0.0);
    c.para("办件情况统计表", 16.0, true, Align::Center, 0.0);
    c.gap(3.0);
    // Code and name wide; the fourteen figures share the rest.
    let narrow = (w - 16.0 - 58.0) / 14.0;
    let columns: Vec<Column> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (h, _))| match i {
            0 => Column::new(h, 16.0, Align::Center),
            1 => Column::new(h, 58.0, Align::Left),
            // Figures centred, as statistical forms print them.
            _ => Column::new(h, narrow, Align::Center),
        })
        .collect();
    let rows: Vec<Vec<String>> = r.items.iter().chain(std::iter::once(&r.total)).map(|f| COLUMNS.iter().map(|(_, get)| get(f)).collect()).collect();
    c.table(&columns, &rows, 9.0);
    c.gap(4.0);
    let cf = &r.centre_figures;
    c.para(
        &format!(
            "首问登记{}件，办结{}件，其中按时答复{}件；投诉{}件，已答复{}件，其中按时答复{}件。",
            cf.inquiries, cf.inquiries_closed, cf.inquiries_on_time, cf.complaints, cf.complaints_answered, cf.complaints_on_time
        ),
        10.5,
        false,
        Align::Left,
        0.0,
    );
    c.new_page();
    c.para(&format!("{}　{}", r.centre, r.period.label()), 16.0, true, Align::Center, 0.0);
    c.para("服务承诺兑现表", 16.0, true, Align::Center, 0.0);
    c.gap(3.0);
    let cols = [
        Column::new("服务事项", 100.0, Align::Left),
        Column::new("承诺时限", 30.0, Align::Center),
        Column::new("办结（件）", 30.0, Align::Center),
        Column::new("按时办结（件）", 34.0, Align::Center),
        Column::new("超期（件）", 30.0, Align::Center),
        Column::new("兑现率", 30.0, Align::Center),
    ];
    let rows: Vec<Vec<String>> = r
        .items
        .iter()
        .chain(std::iter::once(&r.total))
        .map(|f| {
            vec![
                f.name.clone(),
                f.limit.clone(),
                f.completed.to_string(),
                f.completed_on_time.to_string(),
                f.overdue.to_string(),
                f.on_time_rate().map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    c.table(&cols, &rows, 10.5);
    if !r.by_staff.is_empty() {
        c.gap(6.0);
        c.para("窗口服务评价（评价器，一次一评）", 14.0, true, Align::Center, 0.0);
        c.gap(2.0);
        let cols = [
            Column::new("窗口", 24.0, Align::Center),
            Column::new("工作人员", 40.0, Align::Left),
            Column::new("评价（次）", 28.0, Align::Center),
            Column::new("非常满意", 26.0, Align::Center),
            Column::new("满意", 22.0, Align::Center),
            Column::new("基本满意", 26.0, Align::Center),
            Column::new("不满意", 24.0, Align::Center),
            Column::new("非常不满意", 28.0, Align::Center),
            Column::new("满意率", 26.0, Align::Center),
        ];
        let rows: Vec<Vec<String>> = r
            .by_staff
            .iter()
            .map(|s| {
                let mut row = vec![format!("{}号", s.window), s.name.clone(), s.ratings.to_string()];
                row.extend(s.levels.iter().map(u32::to_string));
                row.push(s.satisfaction_rate().map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into()));
                row
            })
            .collect();
        c.table(&cols, &rows, 10.5);
    }
    c.gap(6.0);
    c.para(&format!("制表日期：{printed_on}　　制表人：　　　　　　中心负责人：　　　　　　"), 10.5, false, Align::Left, 0.0);
    c.finish(9.0)
}

pub fn report_pdf(r: &Report, printed_on: &str) -> Result<Vec<u8>, PrintError> {
    let f = font::font()?;
    let measure = |ch: char| f.advance(ch);
    pdf::to_pdf(&format!("{} {} 办件情况统计表", r.centre, r.period.label()), &report_pages(r, printed_on, &measure))
}

#[cfg(test)]
mod tests {
    use super::*;
    use yichuang_report::{CentreFigures, ItemFigures, Period};

    #[test]
    fn the_report_has_its_two_tables_on_landscape_pages() {
        let f = ItemFigures { code: "LS-01".into(), name: "临时救助申请".into(), limit: "10个工作日".into(), received: 120, completed: 80, completed_on_time: 76, overdue: 4, ..Default::default() };
        let r = Report {
            centre: "示范镇便民服务中心".into(),
            period: Period::month(2026, 11).unwrap(),
            items: vec![f.clone()],
            total: ItemFigures { name: "合计".into(), ..f },
            centre_figures: CentreFigures { inquiries: 12, ..Default::default() },
            by_staff: vec![],
        };
        let font = font::font().unwrap();
        let pages = report_pages(&r, "2026年12月1日", &|ch| font.advance(ch));
        assert_eq!(pages.len(), 2);
        assert!(pages.iter().all(|p| p.width > p.height), "landscape");
        let first: String = pages[0].texts().collect();
        let second: String = pages[1].texts().collect();
        assert!(first.contains("办件情况统计表") && first.contains("临时救助申请") && first.contains("首问登记12件"), "{first}");
        assert!(second.contains("服务承诺兑现表") && second.contains("95.0%") && second.contains("10个工作日"), "{second}");
        assert!(report_pdf(&r, "2026年12月1日").unwrap().starts_with(b"%PDF"));
    }
}
