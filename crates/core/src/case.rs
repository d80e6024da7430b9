//! The case state machine (办件状态).
//!
//! ```text
//! intake ─┬─ complete & immediate ─────────────────────────────► Completed (办结)
//!         ├─ complete & promised/forwarded ─► Accepted (clock runs)
//!         ├─ incomplete ─► AwaitingSupplement ─┬─ supplemented, complete ─► Accepted / Completed
//!         │                                    ├─ still incomplete ─► AwaitingSupplement
//!         │                                    └─ refused / withdrawn
//!         └─ refused ─► Refused
//! Accepted ─┬─ extend (stays), pause/resume (第45条), forward ─► Forwarded
//!           ├─ decide ─► Approved | NotApproved ─► ReadyForCollection ─► Collected
//!           └─ withdraw ─► Withdrawn
//! Accepted/Forwarded owing (容缺) ─┬─ owed materials brought ─► the same status, owing nothing
//!                                 └─ past the day, terminated ─► Terminated (终止办理)
//! Completed | Collected | Refused | Withdrawn | Terminated ─► Archived
//! ```
//! Every transition the store performs is checked here first; an impossible one is a
//! [`TransitionError`], never a silent no-op.

use crate::intake::Decision;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseStatus {
    AwaitingSupplement,
    Accepted,
    Forwarded,
    Approved,
    NotApproved,
    ReadyForCollection,
    Collected,
    Completed,
    Refused,
    Withdrawn,
    Archived,
    /// 终止办理: a 容缺 case whose owed materials did not come in time.
    Terminated,
}

impl CaseStatus {
    pub const ALL: [Self; 12] = [
        Self::AwaitingSupplement,
        Self::Accepted,
        Self::Forwarded,
        Self::Approved,
        Self::NotApproved,
        Self::ReadyForCollection,
        Self::Collected,
        Self::Completed,
        Self::Refused,
        Self::Withdrawn,
        Self::Archived,
        Self::Terminated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingSupplement => "awaiting_supplement",
            Self::Accepted => "accepted",
            Self::Forwarded => "forwarded",
            Self::Approved => "approved",
            Self::NotApproved => "not_approved",
            Self::ReadyForCollection => "ready",
            Self::Collected => "collected",
            Self::Completed => "completed",
            Self::Refused => "refused",
            Self::Withdrawn => "withdrawn",
            Self::Archived => "archived",
            Self::Terminated => "terminated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::AwaitingSupplement => "待补正",
            Self::Accepted => "已受理",
            Self::Forwarded => "已上报/转办",
            Self::Approved => "已决定（准予）",
            Self::NotApproved => "已决定（不予）",
            Self::ReadyForCollection => "待领取",
            Self::Collected => "已领取",
            Self::Completed => "已办结",
            Self::Refused => "不予受理",
            Self::Withdrawn => "已撤回",
            Self::Archived => "已归档",
            Self::Terminated => "终止办理",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the case's clock runs (and so it can be yellow or red).
    pub fn clock_runs(self) -> bool {
        matches!(self, Self::Accepted | Self::Forwarded)
    }

    /// Whether the case is still open at the centre (not finished, refused or withdrawn).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::AwaitingSupplement
                | Self::Accepted
                | Self::Forwarded
                | Self::Approved
                | Self::NotApproved
                | Self::ReadyForCollection
        )
    }
}

/// What the outcome of checking supplemented materials was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupplementOutcome {
    StillIncomplete,
    Accepted,
    /// Some of what a 容缺 case owes came, not all of it: it still owes the rest.
    StillOwing,
    /// Complete, and the item is handled on the spot.
    Completed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAction {
    Supplement(SupplementOutcome),
    Refuse,
    Extend,
    Forward,
    Pause,
    Resume,
    Decide { approved: bool },
    Ready,
    Collect,
    Withdraw,
    Archive,
    /// 终止办理 of a 容缺 case whose owed materials are overdue.
    Terminate,
}

impl CaseAction {
    /// Every action, with every outcome a supplement or a decision can have.
    pub const EVERY: [CaseAction; 16] = [
        Self::Supplement(SupplementOutcome::StillIncomplete),
        Self::Supplement(SupplementOutcome::Accepted),
        Self::Supplement(SupplementOutcome::Completed),
        Self::Supplement(SupplementOutcome::StillOwing),
        Self::Refuse,
        Self::Extend,
        Self::Forward,
        Self::Pause,
        Self::Resume,
        Self::Decide { approved: true },
        Self::Decide { approved: false },
        Self::Ready,
        Self::Collect,
        Self::Withdraw,
        Self::Archive,
        Self::Terminate,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Supplement(_) => "补正材料",
            Self::Refuse => "不予受理",
            Self::Extend => "延期",
            Self::Forward => "上报/转办",
            Self::Pause => "暂停计时",
            Self::Resume => "恢复计时",
            Self::Decide { .. } => "作出决定",
            Self::Ready => "通知领取",
            Self::Collect => "领取",
            Self::Withdraw => "撤回",
            Self::Archive => "归档",
            Self::Terminate => "终止办理",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransitionError {
    #[error("办件当前状态为“{}”，不能{}", .status.label(), .action.label())]
    NotAllowed { status: CaseStatus, action: CaseAction },
    #[error("办件计时暂停中（法定不计入时限的程序），不能{}，请先恢复计时", .0.label())]
    Paused(CaseAction),
    #[error("办件尚欠容缺材料，不能作出准予决定：请先补齐所欠材料，或逾期后终止办理")]
    Owed,
}

impl TransitionError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAllowed { .. } => "case.transition",
            Self::Paused(_) => "case.paused",
            Self::Owed => "case.owed",
        }
    }
}

impl CaseStatus {
    /// Whether a case in this status can come to `to` through the machine's steps, in any
    /// number of them (none included). HQ, which may hear of a window's later act before
    /// another window's earlier one, refuses only a status that no order of acts explains.
    pub fn can_become(self, to: CaseStatus) -> bool {
        let mut seen = vec![self];
        let mut i = 0;
        while let Some(&s) = seen.get(i) {
            i += 1;
            for (paused, owes) in [(false, false), (true, false), (false, true), (true, true)] {
                let state = CaseState::restore(s, paused).owing(owes);
                for a in CaseAction::EVERY {
                    if let Ok(n) = state.apply(a) {
                        if !seen.contains(&n.status) {
                            seen.push(n.status);
                        }
                    }
                }
            }
        }
        seen.contains(&to)
    }
}

/// A case's status, whether its clock is paused, and whether it owes 容缺 materials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseState {
    status: CaseStatus,
    paused: bool,
    owes: bool,
}

impl CaseState {
    /// The state right after intake.
    pub fn after_intake(decision: &Decision) -> Self {
        let status = match decision {
            Decision::Immediate => CaseStatus::Completed,
            Decision::Accepted => CaseStatus::Accepted,
            Decision::Supplement(_) => CaseStatus::AwaitingSupplement,
            Decision::Refused(_) => CaseStatus::Refused,
            Decision::Tolerated(_) => CaseStatus::Accepted,
        };
        Self { status, paused: false, owes: matches!(decision, Decision::Tolerated(_)) }
    }

    /// Rebuilds a state read back from storage.
    pub fn restore(status: CaseStatus, paused: bool) -> Self {
        Self { status, paused: paused && status.clock_runs(), owes: false }
    }

    /// The same state owing 容缺 materials, or not; only a running case can owe.
    pub fn owing(self, owes: bool) -> Self {
        Self { owes: owes && self.status.clock_runs(), ..self }
    }

    pub fn owes(self) -> bool {
        self.owes
    }

    pub fn status(self) -> CaseStatus {
        self.status
    }
    pub fn paused(self) -> bool {
        self.paused
    }

    /// The actions this state allows, in the order a case page offers them (supplements are
    /// represented by their accepting outcome, decisions by approval, or by refusal where only
    /// that is open: a case owing 容缺 materials).
    pub fn allowed_actions(self) -> Vec<CaseAction> {
        let approved = self.apply(CaseAction::Decide { approved: true }).is_ok();
        [
            CaseAction::Supplement(SupplementOutcome::Accepted),
            CaseAction::Extend,
            CaseAction::Forward,
            CaseAction::Pause,
            CaseAction::Resume,
            CaseAction::Decide { approved },
            CaseAction::Ready,
            CaseAction::Collect,
            CaseAction::Withdraw,
            CaseAction::Refuse,
            CaseAction::Terminate,
            CaseAction::Archive,
        ]
        .into_iter()
        .filter(|a| self.apply(*a).is_ok())
        .collect()
    }

    /// The state after `action`, or why it cannot be taken.
    pub fn apply(self, action: CaseAction) -> Result<Self, TransitionError> {
        use CaseAction as A;
        use CaseStatus as S;
        let not_allowed = Err(TransitionError::NotAllowed { status: self.status, action });
        // Owed 容缺 materials may come while the clock is paused: it stays paused.
        let owed_in = self.owes && matches!(action, A::Supplement(SupplementOutcome::StillOwing | SupplementOutcome::Accepted));
        if self.paused && !owed_in && !matches!(action, A::Resume | A::Withdraw | A::Extend) {
            return Err(TransitionError::Paused(action));
        }
        let next = |status| Ok(Self { status, paused: false, owes: false });
        match (self.status, action) {
            (S::AwaitingSupplement, A::Supplement(SupplementOutcome::StillOwing)) => not_allowed,
            (S::AwaitingSupplement, A::Supplement(o)) => next(match o {
                SupplementOutcome::StillIncomplete | SupplementOutcome::StillOwing => S::AwaitingSupplement,
                SupplementOutcome::Accepted => S::Accepted,
                SupplementOutcome::Completed => S::Completed,
            }),
            // 容缺: owed materials come in through the supplement path; the clock, which has
            // run since intake, goes on.
            (S::Accepted | S::Forwarded, A::Supplement(SupplementOutcome::StillOwing)) if self.owes => Ok(self),
            (S::Accepted | S::Forwarded, A::Supplement(SupplementOutcome::Accepted)) if self.owes => {
                Ok(Self { owes: false, ..self })
            }
            (S::Accepted | S::Forwarded, A::Decide { approved: true }) if self.owes => Err(TransitionError::Owed),
            (S::Accepted | S::Forwarded, A::Terminate) if self.owes => next(S::Terminated),
            (S::AwaitingSupplement, A::Refuse) => next(S::Refused),
            (S::Accepted | S::Forwarded, A::Extend) => Ok(self),
            (S::Accepted, A::Forward) => Ok(Self { status: S::Forwarded, paused: false, owes: self.owes }),
            (S::Accepted | S::Forwarded, A::Pause) => Ok(Self { paused: true, ..self }),
            (S::Accepted | S::Forwarded, A::Resume) if self.paused => Ok(Self { paused: false, ..self }),
            (S::Accepted | S::Forwarded, A::Decide { approved }) => {
                next(if approved { S::Approved } else { S::NotApproved })
            }
            (S::Approved | S::NotApproved, A::Ready) => next(S::ReadyForCollection),
            (S::ReadyForCollection, A::Collect) => next(S::Collected),
            (S::AwaitingSupplement | S::Accepted | S::Forwarded, A::Withdraw) => next(S::Withdrawn),
            (S::Completed | S::Collected | S::Refused | S::Withdrawn | S::Terminated, A::Archive) => next(S::Archived),
            _ => not_allowed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseAction as A;
    use CaseStatus as S;

    fn run(start: S, actions: &[A]) -> Result<S, String> {
        let mut st = CaseState::restore(start, false);
        for &a in actions {
            st = st.apply(a).map_err(|e| e.to_string())?;
        }
        Ok(st.status())
    }

    #[test]
    fn a_full_life() {
        let got = run(
            S::AwaitingSupplement,
            &[
                A::Supplement(SupplementOutcome::StillIncomplete),
                A::Supplement(SupplementOutcome::Accepted),
                A::Extend,
                A::Pause,
                A::Resume,
                A::Forward,
                A::Decide { approved: true },
                A::Ready,
                A::Collect,
                A::Archive,
            ],
        );
        assert_eq!(got, Ok(S::Archived));
    }

    #[test]
    fn impossible_transitions_are_typed_errors() {
        assert_eq!(run(S::Refused, &[A::Collect]), Err("办件当前状态为“不予受理”，不能领取".into()));
        assert_eq!(run(S::Completed, &[A::Extend]), Err("办件当前状态为“已办结”，不能延期".into()));
        assert_eq!(run(S::Accepted, &[A::Collect]), Err("办件当前状态为“已受理”，不能领取".into()));
        assert_eq!(run(S::Accepted, &[A::Resume]), Err("办件当前状态为“已受理”，不能恢复计时".into()));
        assert_eq!(run(S::Forwarded, &[A::Forward]), Err("办件当前状态为“已上报/转办”，不能上报/转办".into()));
        assert_eq!(run(S::Archived, &[A::Archive]).unwrap_err(), "办件当前状态为“已归档”，不能归档");
        assert_eq!(run(S::Accepted, &[A::Pause, A::Decide { approved: true }]).unwrap_err(), "办件计时暂停中（法定不计入时限的程序），不能作出决定，请先恢复计时");
        let e = CaseState::restore(S::Refused, false).apply(A::Collect).unwrap_err();
        assert_eq!(e.code(), "case.transition");
    }

    #[test]
    fn every_pair_is_either_allowed_or_a_typed_error() {
        // Exhaustive: no pair panics, and terminal states allow nothing but archiving.
        let actions = [
            A::Supplement(SupplementOutcome::Accepted),
            A::Refuse,
            A::Extend,
            A::Forward,
            A::Pause,
            A::Resume,
            A::Decide { approved: false },
            A::Ready,
            A::Collect,
            A::Withdraw,
            A::Archive,
        ];
        for s in S::ALL {
            for a in actions {
                let r = CaseState::restore(s, false).apply(a);
                if matches!(s, S::Completed | S::Collected | S::Refused | S::Withdrawn | S::Terminated) {
                    assert_eq!(r.is_ok(), a == A::Archive, "{s:?} {a:?}");
                }
                if s == S::Archived {
                    assert!(r.is_err());
                }
            }
        }
    }

    #[test]
    fn what_a_status_can_become_follows_the_machine_and_a_final_status_stays() {
        assert!(S::Accepted.can_become(S::Collected));
        assert!(S::AwaitingSupplement.can_become(S::Archived));
        assert!(S::Accepted.can_become(S::Accepted));
        assert!(!S::Withdrawn.can_become(S::Approved));
        assert!(!S::Collected.can_become(S::Accepted));
        assert!(!S::Refused.can_become(S::Approved));
        assert!(!S::Approved.can_become(S::NotApproved));
        assert!(!S::Archived.can_become(S::Completed));
        for s in S::ALL {
            assert!(s.can_become(s), "{s:?}");
            assert!(S::Archived == s || !S::Archived.can_become(s));
        }
    }

    #[test]
    fn allowed_actions_follow_the_machine() {
        let names = |s: S, paused| CaseState::restore(s, paused).allowed_actions().iter().map(|a| a.label()).collect::<Vec<_>>();
        assert_eq!(names(S::AwaitingSupplement, false), ["补正材料", "撤回", "不予受理"]);
        assert_eq!(names(S::Accepted, false), ["延期", "上报/转办", "暂停计时", "作出决定", "撤回"]);
        assert_eq!(names(S::Accepted, true), ["延期", "恢复计时", "撤回"]);
        assert_eq!(names(S::Approved, false), ["通知领取"]);
        assert_eq!(names(S::ReadyForCollection, false), ["领取"]);
        assert_eq!(names(S::Collected, false), ["归档"]);
        assert!(names(S::Archived, false).is_empty());
    }

    #[test]
    fn after_intake() {
        assert_eq!(CaseState::after_intake(&Decision::Immediate).status(), S::Completed);
        assert_eq!(CaseState::after_intake(&Decision::Accepted).status(), S::Accepted);
        assert_eq!(CaseState::after_intake(&Decision::Supplement(vec![])).status(), S::AwaitingSupplement);
        assert_eq!(CaseState::after_intake(&Decision::Refused("x".into())).status(), S::Refused);
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
    }
}
