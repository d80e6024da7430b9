//! The Today screen's data (工作台): what needs the clerk's attention now, and today's counts,
//! counted from the event log so that they agree with what happened.

use chrono::NaiveDate;
use rusqlite::params;

use crate::cases::{CaseFilter, CaseSummary};
use crate::error::Result;
use crate::inquiries::InquiryView;
use crate::Store;
use yichuang_core::{CaseStatus, Warning};

/// Today's counts at the centre (this terminal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayCounts {
    /// Applications taken in.
    pub received: u32,
    pub immediate: u32,
    pub accepted: u32,
    pub supplement_notices: u32,
    pub refused: u32,
    /// Cases decided (办结) today, immediate ones included.
    pub completed: u32,
    pub collected: u32,
    pub inquiries: u32,
    pub documents: u32,
}

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
    /// Open inquiries, by reply date.
    pub open_inquiries: Vec<InquiryView>,
    pub counts: DayCounts,
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
        let open_inquiries = self.list_inquiries(true, today)?;
        Ok(TodayBoard {
            today,
            overdue,
            due_soon,
            paused,
            awaiting_supplement,
            ready_for_collection,
            open_inquiries,
            counts: self.day_counts(today)?,
        })
    }

    /// Counts of one day, from the events written on it.
    pub fn day_counts(&self, day: NaiveDate) -> Result<DayCounts> {
        let count = |kind: &str, extra: &str| -> Result<u32> {
            Ok(self.connection().query_row(
                &format!("SELECT count(*) FROM event WHERE substr(at, 1, 10) = ?1 AND kind = ?2 {extra}"),
                params![day.to_string(), kind],
                |r| r.get(0),
            )?)
        };
        let decision = |d: &str| format!("AND json_extract(payload, '$.decision') = '{d}'");
        let supplement_docs = count("document.issued", "AND json_extract(payload, '$.kind') = 'supplement'")?;
        Ok(DayCounts {
            received: count("case.intake", "")?,
            immediate: count("case.intake", &decision("immediate"))?,
            accepted: count("case.intake", &decision("accepted"))? + count("case.supplemented", &decision("accepted"))?,
            supplement_notices: supplement_docs,
            refused: count("case.intake", &decision("refused"))? + count("case.supplemented", &decision("refused"))?,
            completed: count("case.decided", "")?
                + count("case.intake", &decision("immediate"))?
                + count("case.supplemented", &decision("immediate"))?,
            collected: count("case.collected", "")?,
            inquiries: count("inquiry.registered", "")?,
            documents: count("document.issued", "")?,
        })
    }
}
