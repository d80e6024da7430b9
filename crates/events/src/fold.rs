//! The fold of one case over every stream of its centre, the same at every terminal and at
//! HQ: the rule by which acts made while two windows could not see each other are decided.

use chrono::{DateTime, NaiveDate};
use yichuang_core::case::SupplementOutcome;
use yichuang_core::{CaseAction, CaseState, CaseStatus};

use crate::{Deficiency, Due, Event, EventError, EventRecord};

/// An extension as the fold rebuilds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedExtension {
    pub days: u32,
    pub approver: String,
    pub reason: String,
    pub granted_on: NaiveDate,
}

/// A pause of the clock (第45条) as the fold rebuilds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedPause {
    pub kind: String,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    pub expected_days: u32,
}

/// An event about a case with where it comes from: the stream (`""` for this terminal's own
/// log) and its seq there.
#[derive(Debug, Clone)]
pub struct Sourced {
    pub stream: String,
    pub record: EventRecord,
}

/// The centre's one order of a case's events, the same on every terminal and at HQ: by the
/// instant each was written, then by stream, then by seq. (Own events carry their stream's
/// name, so that two terminals order them alike.)
pub fn centre_order(events: &mut [Sourced], own_stream: &str) {
    let key = |s: &Sourced| {
        let at = DateTime::parse_from_rfc3339(&s.record.at).map(|t| t.timestamp_micros()).unwrap_or(i64::MAX);
        let stream = if s.stream.is_empty() { own_stream.to_owned() } else { s.stream.clone() };
        (at, stream, s.record.seq)
    };
    events.sort_by_cached_key(key);
}

/// What a case's events, folded in the centre's order, make of it.
#[derive(Debug, Default)]
pub struct FoldedCase {
    pub status: String,
    pub paused: bool,
    pub clock_start: Option<NaiveDate>,
    pub due: Option<Due>,
    pub extensions: Vec<FoldedExtension>,
    pub pauses: Vec<FoldedPause>,
    pub outcome_reason: Option<String>,
    pub collected_by: Option<String>,
    pub completed_on: Option<NaiveDate>,
    pub forwarded_to: Option<String>,
    /// 容缺: what the case owes now (empty when nothing), and the day it is owed by.
    pub owed: Vec<Deficiency>,
    pub owed_by: Option<NaiveDate>,
    /// Who collected, as checked at the counter (their ID number and role).
    pub collector_id_number: Option<String>,
    pub collector_role: Option<String>,
    pub updated_at: String,
    /// Acts the state machine refused at their place in the order: (stream, seq, kind, why).
    pub losers: Vec<(String, i64, String, String)>,
}

fn action_of(e: &Event) -> Option<CaseAction> {
    Some(match e {
        Event::CaseSupplemented(p) => match p.status.as_str() {
            _ if p.decision == "tolerated" => CaseAction::Supplement(SupplementOutcome::StillOwing),
            "refused" => CaseAction::Refuse,
            "awaiting_supplement" => CaseAction::Supplement(SupplementOutcome::StillIncomplete),
            "completed" => CaseAction::Supplement(SupplementOutcome::Completed),
            _ => CaseAction::Supplement(SupplementOutcome::Accepted),
        },
        Event::CaseExtended(_) => CaseAction::Extend,
        Event::CasePaused(_) => CaseAction::Pause,
        Event::CaseResumed(_) => CaseAction::Resume,
        Event::CaseForwarded(_) => CaseAction::Forward,
        Event::CaseDecided(p) => CaseAction::Decide { approved: p.approved },
        Event::CaseReady(_) => CaseAction::Ready,
        Event::CaseCollected(_) => CaseAction::Collect,
        Event::CaseWithdrawn(_) => CaseAction::Withdraw,
        Event::CaseArchived(_) => CaseAction::Archive,
        Event::CaseRefused(_) => CaseAction::Refuse,
        Event::CaseTerminated(_) => CaseAction::Terminate,
        _ => return None,
    })
}

/// Folds a case's events (already in the centre's order). The rule for acts made while two
/// windows could not see each other: the first act in the order that the state machine
/// allows wins; a later act it no longer allows loses, is kept, and is listed as a conflict.
pub fn fold_case(events: &[Sourced]) -> Result<Option<FoldedCase>, EventError> {
    let mut out: Option<FoldedCase> = None;
    let mut state: Option<CaseState> = None;
    for s in events {
        let e = s.record.event()?;
        let day = DateTime::parse_from_rfc3339(&s.record.at)
            .map(|t| t.date_naive())
            .map_err(|_| EventError::Payload { kind: s.record.kind.clone(), detail: format!("时间“{}”无法解读", s.record.at) })?;
        if let Event::CaseIntake(p) = &e {
            if state.is_some() {
                let f = out.get_or_insert_with(FoldedCase::default);
                f.losers.push((s.stream.clone(), s.record.seq, s.record.kind.clone(), "同一办件编号的第二次收件".into()));
                continue;
            }
            let status = CaseStatus::parse(&p.status).unwrap_or(CaseStatus::Accepted);
            // A case owes what its intake lists: "tolerated" with nothing listed owes nothing,
            // as the store reads it.
            let tolerated = p.decision == "tolerated" && !p.deficiencies.is_empty();
            state = Some(CaseState::restore(status, false).owing(tolerated));
            out = Some(FoldedCase {
                status: p.status.clone(),
                owed: if tolerated { p.deficiencies.clone() } else { vec![] },
                owed_by: p.owed_by.filter(|_| tolerated),
                clock_start: p.clock_start,
                due: p.due.clone(),
                completed_on: (status == CaseStatus::Completed).then_some(day),
                updated_at: s.record.at.clone(),
                losers: out.map(|o| o.losers).unwrap_or_default(),
                ..FoldedCase::default()
            });
            continue;
        }
        let Some(mut action) = action_of(&e) else { continue };
        let f = out.get_or_insert_with(FoldedCase::default);
        // Owed materials brought in at two windows that could not see each other: each lists
        // what it thought still owed; what is owed is what the fold owed and the event still
        // lists. Nothing left: the case owes nothing, whatever the event thought.
        let mut still_owed = None;
        if let (Event::CaseSupplemented(p), Some(current)) = (&e, state) {
            if current.owes() {
                let listed: Vec<&str> = if p.decision == "tolerated" { p.deficiencies.iter().map(|d| d.material.as_str()).collect() } else { vec![] };
                let still: Vec<Deficiency> = f.owed.iter().filter(|d| listed.contains(&d.material.as_str())).cloned().collect();
                action = CaseAction::Supplement(if still.is_empty() { SupplementOutcome::Accepted } else { SupplementOutcome::StillOwing });
                still_owed = Some(still);
            }
        }
        let Some(current) = state else {
            f.losers.push((s.stream.clone(), s.record.seq, s.record.kind.clone(), "办件尚未收件".into()));
            continue;
        };
        let next = match current.apply(action) {
            Ok(n) => n,
            Err(err) => {
                f.losers.push((s.stream.clone(), s.record.seq, s.record.kind.clone(), err.to_string()));
                continue;
            }
        };
        let (status, paused, due) = e.case_state().unwrap_or((next.status().as_str(), next.paused(), None));
        // The state is the state machine's; an event that records another (forged, or from
        // a program with other rules) loses.
        if CaseStatus::parse(status) != Some(next.status()) || paused != next.paused() {
            f.losers.push((s.stream.clone(), s.record.seq, s.record.kind.clone(), format!("记录的状态“{status}”与办件规则不符")));
            continue;
        }
        let next_status = next.status();
        state = Some(next);
        f.status = status.to_owned();
        f.paused = paused;
        f.updated_at = s.record.at.clone();
        match &e {
            Event::CaseSupplemented(p) if current.owes() => {
                // Owed materials brought in: the clock runs on from intake.
                f.owed = still_owed.take().unwrap_or_default();
                f.due = p.due.clone().or_else(|| f.due.clone());
            }
            Event::CaseSupplemented(p) => {
                if p.clock_start.is_some() {
                    f.clock_start = p.clock_start;
                }
                f.due = p.due.clone();
                if next_status == CaseStatus::Completed {
                    f.completed_on = Some(day);
                }
                if p.refusal.is_some() {
                    f.outcome_reason = p.refusal.clone();
                }
            }
            _ => {
                let keep_due = !next_status.clock_runs() && !paused;
                if !keep_due {
                    f.due = due.cloned();
                }
            }
        }
        match &e {
            Event::CaseExtended(p) => f.extensions.push(FoldedExtension {
                days: p.days,
                approver: p.approver_name.clone(),
                reason: p.reason.clone(),
                granted_on: day,
            }),
            Event::CasePaused(p) => {
                f.pauses.push(FoldedPause { kind: p.kind.clone(), from: day, until: None, expected_days: p.expected_days })
            }
            Event::CaseResumed(_) => {
                if let Some(last) = f.pauses.iter_mut().rev().find(|p| p.until.is_none()) {
                    last.until = Some(day);
                }
            }
            Event::CaseForwarded(p) => f.forwarded_to = Some(p.to.clone()),
            Event::CaseDecided(p) => {
                f.completed_on = Some(day);
                if !p.reason.is_empty() {
                    f.outcome_reason = Some(p.reason.clone());
                }
            }
            Event::CaseWithdrawn(p) if !p.reason.is_empty() => f.outcome_reason = Some(p.reason.clone()),
            Event::CaseTerminated(p) => f.outcome_reason = Some(p.reason.clone()),
            Event::CaseCollected(p) => {
                f.collected_by = Some(p.by.clone());
                f.collector_id_number = p.id_number.clone();
                f.collector_role = p.role.clone();
            }
            _ => {}
        }
    }
    Ok(out.filter(|f| !f.status.is_empty()))
}

