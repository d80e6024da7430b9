//! The same statistics at HQ, folded from the events as they reached HQ (refused events left
//! out), with the same function the centres use: a centre's month at HQ equals its own.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Html;
use deadpool_postgres::Pool;
use serde::Deserialize;
use yichuang_report::{Ev, Period, Report};

use crate::{AppState, HqError};

/// The calendar HQ counts working days on: the bundled official years and every published one.
async fn calendar(pool: &Pool) -> Result<yichuang_core::Calendar, HqError> {
    let mut cal = yichuang_store::bundled_calendar().map_err(|e| HqError::BadRequest(e.to_string()))?;
    let client = pool.get().await?;
    for r in client.query("SELECT body FROM published WHERE kind = 'calendar' ORDER BY sort_key", &[]).await? {
        if let Ok(f) = yichuang_store::CalendarFile::parse(r.get::<_, &str>(0)) {
            if let Ok(a) = f.to_arrangement() {
                let _ = cal.load_year(a);
            }
        }
    }
    Ok(cal)
}

/// Item names and limits from the latest published catalogue (codes where there is none).
async fn names(pool: &Pool) -> Result<HashMap<String, (String, String)>, HqError> {
    let client = pool.get().await?;
    let Some(r) = client.query_opt("SELECT body FROM published WHERE kind = 'catalogue' ORDER BY published_at DESC LIMIT 1", &[]).await? else {
        return Ok(HashMap::new());
    };
    let names = yichuang_store::CatalogueFile::parse(r.get::<_, &str>(0))
        .map(|(_, items)| items.iter().map(|i| (i.code().to_string(), (i.name().to_owned(), yichuang_report::limit_label(i)))).collect())
        .unwrap_or_default();
    Ok(names)
}

/// The report of one centre for `period`.
pub async fn centre_report(pool: &Pool, centre: &str, period: Period) -> Result<Report, HqError> {
    let cal = calendar(pool).await?;
    let names = names(pool).await?;
    let client = pool.get().await?;
    let name: String = client
        .query_opt("SELECT name FROM centre WHERE code = $1", &[&centre])
        .await?
        .map(|r| r.get(0))
        .ok_or_else(|| HqError::BadRequest(format!("没有代码为{centre}的中心")))?;
    let rows = client
        .query(
            "SELECT e.at, e.kind, e.subject, e.payload FROM event e JOIN terminal t ON t.uid = e.terminal_uid
             WHERE t.centre_code = $1 AND NOT e.rejected AND substr(e.at, 1, 10) <= $2
               AND (e.kind LIKE 'case.%' OR e.kind LIKE 'inquiry.%' OR e.kind LIKE 'complaint.%')
             ORDER BY e.terminal_uid, e.seq",
            &[&centre, &period.to.to_string()],
        )
        .await?;
    Ok(yichuang_report::fold(
        &name,
        rows.iter().map(|r| Ev { at: r.get(0), kind: r.get(1), subject: r.get(2), payload: r.get(3) }),
        &cal,
        period,
        &names,
    ))
}

#[derive(Deserialize)]
pub struct ReportQuery {
    pub centre: String,
    /// `2026-11`
    pub month: String,
}

pub async fn page(State(s): State<AppState>, staff: crate::staff::Staff, Query(q): Query<ReportQuery>) -> Result<Html<String>, crate::pages::PageError> {
    staff.scope()?;
    if !staff.reads(q.centre.trim()) {
        return Err(HqError::Forbidden(format!("您的账户不能查看中心{}的统计", crate::pages::esc(q.centre.trim()))).into());
    }
    let period = q
        .month
        .split_once('-')
        .and_then(|(y, m)| Period::month(y.parse().ok()?, m.parse().ok()?))
        .ok_or_else(|| HqError::BadRequest(format!("月份“{}”应写作YYYY-MM", q.month)))?;
    // A month in progress stands as of today, in Beijing time.
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    let period = period.as_of(chrono::Utc::now().with_timezone(&beijing).date_naive());
    let r = centre_report(&s.pool, q.centre.trim(), period).await?;
    staff.log(&s.pool.get().await?, "view_report", &format!("{} {}", q.centre.trim(), q.month)).await?;
    let rows: Vec<Vec<String>> = r
        .items
        .iter()
        .chain(std::iter::once(&r.total))
        .map(|f| yichuang_report::xlsx::COLUMNS.iter().map(|(_, get)| crate::pages::esc(&get(f))).collect())
        .collect();
    let head: Vec<&str> = yichuang_report::xlsx::COLUMNS.iter().map(|(h, _)| *h).collect();
    let c = &r.centre_figures;
    // 一次一评 at the windows' rating screens, per window and per clerk who served (by 工号).
    let screen = if r.by_staff.is_empty() {
        String::new()
    } else {
        let rows: Vec<Vec<String>> = r
            .by_staff
            .iter()
            .map(|s| {
                let mut row = vec![format!("{}号", crate::pages::esc(&s.window)), crate::pages::esc(&s.clerk), s.ratings.to_string()];
                row.extend(s.levels.iter().map(u32::to_string));
                row.push(s.satisfaction_rate().map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into()));
                row
            })
            .collect();
        format!(
            "<h2>窗口服务评价（评价器，一次一评）</h2>{}",
            crate::pages::table(&["窗口", "工号", "评价（次）", "非常满意", "满意", "基本满意", "不满意", "非常不满意", "满意率"], &rows)
        )
    };
    Ok(crate::pages::page(
        &staff,
        &format!("{} {} 办件统计", r.centre, r.period.label()),
        &format!(
            "{}<p>首问{}件（办结{}，按时{}）；投诉{}件（答复{}，按时{}）。由各终端同步到县级的记录统计，与中心自己的统计口径相同。</p>{screen}",
            crate::pages::table(&head, &rows),
            c.inquiries,
            c.inquiries_closed,
            c.inquiries_on_time,
            c.complaints,
            c.complaints_answered,
            c.complaints_on_time
        ),
    ))
}

#[derive(Deserialize)]
pub struct SummaryQuery {
    /// `2026-11`; this month when absent.
    #[serde(default)]
    pub month: String,
}

/// Every centre the account reads, side by side for one month (a month in progress as of
/// today), in the same fold as each centre's own report.
async fn summary_reports(s: &AppState, staff: &crate::staff::Staff, month: &str) -> Result<(Period, Vec<Report>), HqError> {
    let scope = staff.scope()?;
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    let today = chrono::Utc::now().with_timezone(&beijing).date_naive();
    let month = if month.trim().is_empty() { today.format("%Y-%m").to_string() } else { month.trim().to_owned() };
    let period = month
        .split_once('-')
        .and_then(|(y, m)| Period::month(y.parse().ok()?, m.parse().ok()?))
        .ok_or_else(|| HqError::BadRequest(format!("月份“{}”应写作YYYY-MM", crate::pages::esc(&month))))?
        .as_of(today);
    let client = s.pool.get().await?;
    let centres: Vec<String> = client
        .query("SELECT code FROM centre WHERE $1::text[] IS NULL OR code = ANY($1) ORDER BY code", &[&scope])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut reports = vec![];
    for c in centres {
        let mut r = centre_report(&s.pool, &c, period).await?;
        r.centre = format!("{c} {}", r.centre);
        reports.push(r);
    }
    Ok((period, reports))
}

pub async fn summary(State(s): State<AppState>, staff: crate::staff::Staff, Query(q): Query<SummaryQuery>) -> Result<Html<String>, crate::pages::PageError> {
    let (period, reports) = summary_reports(&s, &staff, &q.month).await?;
    staff.log(&s.pool.get().await?, "view_summary", &period.label()).await?;
    let head: Vec<&str> = yichuang_report::xlsx::SUMMARY_COLUMNS.iter().map(|(h, _)| *h).collect();
    let rows: Vec<Vec<String>> =
        reports.iter().map(|r| yichuang_report::xlsx::SUMMARY_COLUMNS.iter().map(|(_, get)| crate::pages::esc(&get(r))).collect()).collect();
    let month = period.from.format("%Y-%m").to_string();
    Ok(crate::pages::page(
        &staff,
        &format!("各中心办件对比 {}", period.label()),
        &format!(
            r#"<form>月份 <input name="month" value="{m}" size="8"> <button>查看</button> <a href="/summary.xlsx?month={m}">导出Excel</a></form>{}<p class="muted">由各终端同步到县级的记录统计，口径与中心自己的月报相同；本月按截至今日计。承诺兑现率＝按时办结÷办结。</p>"#,
            crate::pages::table(&head, &rows),
            m = crate::pages::esc(&month)
        ),
    ))
}

pub async fn summary_xlsx(State(s): State<AppState>, staff: crate::staff::Staff, Query(q): Query<SummaryQuery>) -> Result<axum::response::Response, crate::pages::PageError> {
    use axum::response::IntoResponse;
    let (period, reports) = summary_reports(&s, &staff, &q.month).await?;
    let title = format!("各中心办件对比　{}", period.label());
    let bytes = yichuang_report::xlsx::summary_workbook(&title, &reports).map_err(|e| HqError::Internal(e.to_string()))?;
    staff.log(&s.pool.get().await?, "export_summary", &period.label()).await?;
    let name = format!("county-summary-{}.xlsx", period.from.format("%Y-%m"));
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}
