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
}
