//! The report as an Excel workbook, because that is what offices pass around: the monthly
//! figures per item, and the service promise fulfilment table (服务承诺兑现表).

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::{ItemFigures, Report};

/// Reads one column's value from a row.
pub type Cell = fn(&ItemFigures) -> String;

/// The columns of the figures sheet, with how to read each from a row.
pub const COLUMNS: [(&str, Cell); 16] = [
    ("事项编码", |f| f.code.clone()),
    ("事项名称", |f| f.name.clone()),
    ("收件", |f| f.received.to_string()),
    ("即办", |f| f.immediate.to_string()),
    ("受理", |f| f.accepted.to_string()),
    ("补正告知", |f| f.supplement_notices.to_string()),
    ("不予受理", |f| f.refused.to_string()),
    ("办结", |f| f.completed.to_string()),
    ("按时办结", |f| f.completed_on_time.to_string()),
    ("超期", |f| f.overdue.to_string()),
    ("延期", |f| f.extensions.to_string()),
    ("平均办结工作日", |f| f.average_days().map(|d| format!("{d:.1}")).unwrap_or_default()),
    ("评价", |f| f.ratings.to_string()),
    ("满意", |f| f.satisfied.to_string()),
    ("差评", |f| f.bad_ratings.to_string()),
    ("满意率%", |f| f.satisfaction_rate().map(|r| format!("{r:.1}")).unwrap_or_default()),
];

fn write(report: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center).set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let num = Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::Right);

    let sheet = wb.add_worksheet().set_name("月度统计")?;
    sheet.write_string_with_format(0, 0, format!("{}　{}　办件统计", report.centre, report.period.label()), &title)?;
    for (c, (h, _)) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &head)?;
        sheet.set_column_width(c as u16, if c == 1 { 34 } else { 10 })?;
    }
    for (r, f) in report.items.iter().chain(std::iter::once(&report.total)).enumerate() {
        let row = 3 + r as u32;
        for (c, (_, get)) in COLUMNS.iter().enumerate() {
            let v = get(f);
            match v.parse::<f64>() {
                Ok(n) if c >= 2 => sheet.write_number_with_format(row, c as u16, n, &num)?,
                _ => sheet.write_string_with_format(row, c as u16, v, &cell)?,
            };
        }
    }
    let first = 5 + report.items.len() as u32;
    let cf = &report.centre_figures;
    for (row, (label, value)) in (first..).zip([
        ("首问登记", cf.inquiries),
        ("首问办结", cf.inquiries_closed),
        ("其中按时答复", cf.inquiries_on_time),
        ("投诉", cf.complaints),
        ("投诉已答复", cf.complaints_answered),
        ("其中按时答复", cf.complaints_on_time),
    ]) {
        sheet.write_string_with_format(row, 1, label, &cell)?;
        sheet.write_number_with_format(row, 2, value as f64, &num)?;
    }

    let sheet = wb.add_worksheet().set_name("服务承诺兑现表")?;
    sheet.write_string_with_format(0, 0, format!("{}　{}　服务承诺兑现表", report.centre, report.period.label()), &title)?;
    for (c, h) in ["事项名称", "承诺时限", "办结", "按时办结", "超期", "兑现率%"].iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &head)?;
        sheet.set_column_width(c as u16, if c == 0 { 34 } else { 12 })?;
    }
    for (r, f) in report.items.iter().chain(std::iter::once(&report.total)).enumerate() {
        let row = 3 + r as u32;
        sheet.write_string_with_format(row, 0, &f.name, &cell)?;
        sheet.write_string_with_format(row, 1, &f.limit, &cell)?;
        sheet.write_number_with_format(row, 2, f.completed as f64, &num)?;
        sheet.write_number_with_format(row, 3, f.completed_on_time as f64, &num)?;
        sheet.write_number_with_format(row, 4, f.overdue as f64, &num)?;
        match f.on_time_rate() {
            Some(v) => sheet.write_number_with_format(row, 5, v, &num)?,
            None => sheet.write_string_with_format(row, 5, "—", &cell)?,
        };
    }
    wb.save_to_buffer()
}

/// The workbook's bytes.
pub fn workbook(report: &Report) -> Result<Vec<u8>, crate::ReportError> {
    write(report).map_err(|e| crate::ReportError::Xlsx(e.to_string()))
}

/// One centre's line of the county summary.
type SummaryCell = fn(&Report) -> String;

fn opt(v: Option<f64>) -> String {
    v.map(|r| format!("{r:.1}")).unwrap_or_default()
}

/// The county summary's columns: every centre side by side for one period.
pub const SUMMARY_COLUMNS: [(&str, SummaryCell); 12] = [
    ("中心", |r| r.centre.clone()),
    ("收件", |r| r.total.received.to_string()),
    ("办结", |r| r.total.completed.to_string()),
    ("按时办结", |r| r.total.completed_on_time.to_string()),
    ("超期", |r| r.total.overdue.to_string()),
    ("补正告知", |r| r.total.supplement_notices.to_string()),
    ("不予受理", |r| r.total.refused.to_string()),
    ("投诉", |r| r.centre_figures.complaints.to_string()),
    ("投诉按时答复", |r| r.centre_figures.complaints_on_time.to_string()),
    ("评价", |r| r.total.ratings.to_string()),
    ("满意率%", |r| opt(r.total.satisfaction_rate())),
    ("承诺兑现率%", |r| opt(r.total.on_time_rate())),
];

fn write_summary(title: &str, reports: &[Report]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_font_size(14);
    let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center).set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let num = Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::Right);
    let sheet = wb.add_worksheet().set_name("各中心对比")?;
    sheet.write_string_with_format(0, 0, title, &bold)?;
    for (c, (h, _)) in SUMMARY_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &head)?;
        sheet.set_column_width(c as u16, if c == 0 { 30 } else { 11 })?;
    }
    for (r, report) in reports.iter().enumerate() {
        for (c, (_, get)) in SUMMARY_COLUMNS.iter().enumerate() {
            let v = get(report);
            match v.parse::<f64>() {
                Ok(n) if c >= 1 => sheet.write_number_with_format(3 + r as u32, c as u16, n, &num)?,
                _ => sheet.write_string_with_format(3 + r as u32, c as u16, v, &cell)?,
            };
        }
    }
    wb.save_to_buffer()
}

/// The county summary's workbook: one row per centre.
pub fn summary_workbook(title: &str, reports: &[Report]) -> Result<Vec<u8>, crate::ReportError> {
    write_summary(title, reports).map_err(|e| crate::ReportError::Xlsx(e.to_string()))
}
