//! The Today screen's lists (工作台): what needs the clerk's attention now, across the whole
//! centre. Today's figures are not counted here: they are the day's report
//! (`yichuang_report::day_figures`), the same fold as 统计, so the two never disagree.

use chrono::NaiveDate;

use crate::cases::{CaseFilter, CaseSummary};
use crate::error::Result;
use crate::inquiries::InquiryView;
use crate::Store;
use yichuang_core::CaseStatus;

/// Rows a list of the Today screen shows at most; its count is of them all.
pub const TODAY_ROWS: usize = 50;

#[derive(Debug, Clone)]
pub struct TodayBoard {
    pub today: NaiveDate,
    /// Running cases whose clock runs, soonest due first (办理中, days left).
    pub in_progress: Vec<CaseSummary>,
    /// Running cases past their due date (red).
    pub overdue: Vec<CaseSummary>,
    /// Running cases due within the warning threshold, today included (yellow).
    pub due_soon: Vec<CaseSummary>,
    /// Running cases whose clock is paused (第45条).
    pub paused: Vec<CaseSummary>,
    pub awaiting_supplement: Vec<CaseSummary>,
    pub ready_for_collection: Vec<CaseSummary>,
    /// 容缺 cases still owing materials, by the day they are owed by (past it: the head may
    /// terminate them).
    pub owing: Vec<CaseSummary>,
    /// Open inquiries, by reply date.
    pub open_inquiries: Vec<InquiryView>,
    /// How many there are of each list, beyond the [`TODAY_ROWS`] shown.
    pub counts: TodayCounts,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TodayCounts {
    pub in_progress: usize,
    pub overdue: usize,
    pub due_soon: usize,
    pub paused: usize,
    pub awaiting_supplement: usize,
    pub ready_for_collection: usize,
    pub owing: usize,
}

impl Store {
    pub fn today_board(&self, today: NaiveDate) -> Result<TodayBoard> {
        let threshold = self.centre()?.settings.warning_days;
        // Each list from its index, its first rows and its count: as flat at 100,000 cases as
        // at 100.
        let filters = [
            CaseFilter { running: true, ..CaseFilter::default() },
            CaseFilter { overdue: true, ..CaseFilter::default() },
            CaseFilter { due_within: Some(threshold), ..CaseFilter::default() },
            CaseFilter { paused: true, ..CaseFilter::default() },
            // Those waiting longest first: a list cut at its first rows never hides them.
            CaseFilter { status: Some(CaseStatus::AwaitingSupplement), oldest_first: true, ..CaseFilter::default() },
            CaseFilter { status: Some(CaseStatus::ReadyForCollection), oldest_first: true, ..CaseFilter::default() },
            CaseFilter { owing: true, ..CaseFilter::default() },
        ];
        let mut lists = vec![];
        let mut counts = vec![];
        for f in filters {
            lists.push(self.list_cases(&CaseFilter { limit: Some(TODAY_ROWS), ..f.clone() }, today)?);
            counts.push(self.count_cases(&f, today)?);
        }
        let mut lists = lists.into_iter();
        let mut next = || lists.next().unwrap_or_default();
        let board = TodayBoard {
            today,
            in_progress: next(),
            overdue: next(),
            due_soon: next(),
            paused: next(),
            awaiting_supplement: next(),
            ready_for_collection: next(),
            owing: next(),
            open_inquiries: self.list_inquiries(true, today)?,
            counts: TodayCounts {
                in_progress: counts[0],
                overdue: counts[1],
                due_soon: counts[2],
                paused: counts[3],
                awaiting_supplement: counts[4],
                ready_for_collection: counts[5],
                owing: counts[6],
            },
        };
        Ok(board)
    }

    /// What waits for the station head (负责人待办), the late first, then by due date:
    /// complaints answered and waiting to be closed, complaints still to be answered, bad
    /// ratings whose rectification is open, and conflicts between windows. Each row names
    /// what opens it. `viewer` is the head: a complaint about them is not shown to them.
    pub fn head_queue(&self, viewer: &str, today: NaiveDate) -> Result<Vec<QueueItem>> {
        let mut out = vec![];
        for c in self.list_complaints(viewer, true, today)? {
            let answered = c.status == "answered";
            out.push(QueueItem {
                kind: if answered { QueueKind::ComplaintToClose } else { QueueKind::ComplaintToAnswer },
                key: c.id,
                case_number: c.case_number,
                text: c.matter,
                due: (!answered).then_some(c.due_date),
                late: c.overdue,
            });
        }
        let mut stmt = self.connection().prepare(
            "SELECT x.case_number, x.due_date, coalesce(a.name, ''), coalesce(i.name, c.item_code, '')
             FROM rectification x LEFT JOIN case_file c ON c.number = x.case_number
             LEFT JOIN applicant a ON a.id = c.applicant_id
             LEFT JOIN catalogue_item i ON i.version = c.catalogue_version AND i.code = c.item_code
             WHERE x.status = 'open' ORDER BY x.due_date, x.case_number LIMIT ?1",
        )?;
        let rows = stmt.query_map([TODAY_ROWS as i64], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)))?;
        for row in rows {
            let (number, due, name, item) = row?;
            let due = NaiveDate::parse_from_str(&due, "%Y-%m-%d").ok();
            out.push(QueueItem {
                kind: QueueKind::Rectification,
                key: number.clone(),
                case_number: Some(number),
                text: format!("{name}　{item}"),
                late: due.is_some_and(|d| today > d),
                due,
            });
        }
        for c in self.conflicts()? {
            out.push(QueueItem {
                kind: QueueKind::Conflict,
                key: format!("{}#{}", if c.stream.is_empty() { "本机" } else { &c.stream }, c.seq),
                case_number: Some(c.case_number),
                text: c.reason,
                due: None,
                late: false,
            });
        }
        out.sort_by_key(|q| (!q.late, q.due.is_none(), q.due));
        Ok(out)
    }
}

/// One thing that waits for the station head on Today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    pub kind: QueueKind,
    /// What opens it: a complaint's id, a case's number, a conflict's event.
    pub key: String,
    pub case_number: Option<String>,
    /// The complaint's matter, the rated applicant and item, the conflict's reason.
    pub text: String,
    pub due: Option<NaiveDate>,
    pub late: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueKind {
    ComplaintToClose,
    ComplaintToAnswer,
    Rectification,
    Conflict,
}

impl QueueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QueueKind::ComplaintToClose => "complaint_to_close",
            QueueKind::ComplaintToAnswer => "complaint_to_answer",
            QueueKind::Rectification => "rectification",
            QueueKind::Conflict => "conflict",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            QueueKind::ComplaintToClose => "投诉待办结",
            QueueKind::ComplaintToAnswer => "投诉待答复",
            QueueKind::Rectification => "不满意评价待整改",
            QueueKind::Conflict => "窗口间数据冲突",
        }
    }
}
