//! The Today screen's lists (工作台): what needs the clerk's attention now, across the whole
//! centre. Today's figures are not counted here: they are the day's report
//! (`yichuang_report::day_figures`), the same fold as 统计, so the two never disagree.

use chrono::NaiveDate;

use crate::cases::{CaseFilter, CaseSummary};
use crate::error::Result;
use crate::inquiries::InquiryView;
use crate::Store;
use yichuang_core::{CaseStatus, Warning};

#[derive(Debug, Clone)]
pub struct TodayBoard {
    pub today: NaiveDate,
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
}

impl Store {
    pub fn today_board(&self, today: NaiveDate) -> Result<TodayBoard> {
        let threshold = self.centre()?.settings.warning_days;
        let list = |f: CaseFilter| self.list_cases(&f, today);
        let overdue = list(CaseFilter { overdue: true, ..CaseFilter::default() })?;
        let due_soon = list(CaseFilter { due_within: Some(threshold), ..CaseFilter::default() })?;
        let running: Vec<CaseSummary> = list(CaseFilter { status: Some(CaseStatus::Accepted), ..CaseFilter::default() })?
            .into_iter()
            .chain(list(CaseFilter { status: Some(CaseStatus::Forwarded), ..CaseFilter::default() })?)
            .collect();
        let paused = running.into_iter().filter(|c| c.warning == Some(Warning::Paused)).collect();
        let awaiting_supplement = list(CaseFilter { status: Some(CaseStatus::AwaitingSupplement), ..CaseFilter::default() })?;
        let ready_for_collection = list(CaseFilter { status: Some(CaseStatus::ReadyForCollection), ..CaseFilter::default() })?;
        let owing = list(CaseFilter { owing: true, ..CaseFilter::default() })?;
        let open_inquiries = self.list_inquiries(true, today)?;
        Ok(TodayBoard {
            today,
            overdue,
            due_soon,
            paused,
            awaiting_supplement,
            ready_for_collection,
            owing,
            open_inquiries,
        })
    }
}
