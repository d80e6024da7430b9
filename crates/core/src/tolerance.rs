//! 容缺受理: accepting an application whose main materials are complete while tolerable
//! materials follow, on the applicant's written commitment.
//!
//! The rules, in one place:
//! - which decision: [`crate::intake::decide`] gives [`Decision::Tolerated`] when the submission
//!   carries the commitment, the item is not an immediate one, and every missing or faulty
//!   material is one the catalogue marks as tolerable; otherwise the decision is what it was;
//! - which deadline: the owed materials are due [`owed_by`] the item's period (default 5) of
//!   working days after the day of intake, on the official calendar; the case's own clock runs
//!   from intake as for any accepted case;
//! - which states refuse approval: a case that owes anything cannot be approved (a negative
//!   decision, withdrawal and extension stay open), see [`crate::CaseState::apply`];
//! - when it may be terminated (终止办理): only when something is still owed and the day is
//!   past [`owed_by`], see [`may_terminate`];
//! - whether the commitment was kept: [`Commitment`].

use chrono::NaiveDate;

use crate::calendar::{Calendar, Limit};
use crate::catalogue::ServiceItem;
#[cfg(doc)]
use crate::intake::Decision;

/// The day by which owed materials are to be brought in: the item's period in working days
/// from the day of intake (the day itself not counted, as for every limit).
pub fn owed_by(calendar: &Calendar, intake_day: NaiveDate, item: &ServiceItem) -> NaiveDate {
    let days = item.tolerance_days().clamp(1, ServiceItem::MAX_TOLERANCE_DAYS);
    calendar.due(intake_day, Limit::const_working(days)).date()
}

/// Whether a case owing materials due `owed_by` may be terminated on `today`: only once the
/// day has passed (the applicant has the whole of the last day).
pub fn may_terminate(owed_by: NaiveDate, today: NaiveDate) -> bool {
    today > owed_by
}

/// What became of an applicant's commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commitment {
    /// Still owing, the day not yet passed.
    Open,
    /// Everything owed was brought on or before the day.
    Kept,
    /// Brought after the day, or the case was terminated for it.
    Broken,
}

impl Commitment {
    /// The state of a commitment due `owed_by`: `cleared_on` is the day the last owed material
    /// came, `terminated` whether the case was ended for it, as of `today`.
    pub fn judge(owed_by: NaiveDate, cleared_on: Option<NaiveDate>, terminated: bool, today: NaiveDate) -> Self {
        match cleared_on {
            _ if terminated => Self::Broken,
            Some(d) if d <= owed_by => Self::Kept,
            Some(_) => Self::Broken,
            None if today > owed_by => Self::Broken,
            None => Self::Open,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Kept => "kept",
            Self::Broken => "broken",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::YearArrangement;
    use crate::case::{CaseAction, CaseState, CaseStatus, SupplementOutcome};
    use crate::catalogue::tests::{guide, material};
    use crate::catalogue::{ItemCode, ItemKind, MaterialCode, Requirement};
    use crate::intake::{decide, Decision, Defect, Presented, Submission};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// An item whose photo (ZP) and certificate (ZM) may follow; ID and form (SQ) may not.
    fn item(kind: ItemKind, days: Option<u32>) -> ServiceItem {
        let it = ServiceItem::new(
            ItemCode::parse("CJ-01").unwrap(),
            "残疾人证新办",
            kind,
            Limit::working(if kind == ItemKind::Immediate { 0 } else { 20 }).unwrap(),
            None,
            guide(),
            vec![
                material("ID", "居民身份证", Requirement::Required),
                material("SQ", "申请表", Requirement::Required),
                material("ZP", "近期免冠照片", Requirement::Required).with_tolerable(true),
                material("ZM", "诊断证明", Requirement::RequiredWhen("已有诊断的".into())).with_tolerable(true),
                material("HK", "户口簿", Requirement::Optional),
            ],
            false,
        )
        .unwrap();
        match days {
            Some(n) => it.with_tolerance_days(n).unwrap(),
            None => it,
        }
    }

    fn code(s: &str) -> MaterialCode {
        MaterialCode::parse(s).unwrap()
    }

    /// The decision table: (item kind, presented, defects, conditions, commitment) -> decision.
    #[test]
    fn which_decision() {
        use ItemKind::*;
        type Row<'a> = (ItemKind, &'a [&'a str], &'a [&'a str], &'a [&'a str], bool, &'a str);
        #[rustfmt::skip]
        let table: &[Row] = &[
            // complete: the commitment changes nothing
            (Promised,  &["ID", "SQ", "ZP"], &[], &[], true,  "accepted"),
            // only a tolerable one missing, with the commitment: tolerated, it is owed
            (Promised,  &["ID", "SQ"],       &[], &[], true,  "tolerated: ZP"),
            (Forwarded, &["ID", "SQ"],       &[], &[], true,  "tolerated: ZP"),
            // ... without it: the one-time supplement notice as always
            (Promised,  &["ID", "SQ"],       &[], &[], false, "supplement: ZP"),
            // a tolerable one faulty: owed as well
            (Promised,  &["ID", "SQ", "ZP"], &["ZP"], &[], true, "tolerated: ZP"),
            // a conditional tolerable one, its condition met
            (Promised,  &["ID", "SQ"],       &[], &["ZM"], true, "tolerated: ZP, ZM"),
            // a main material missing: no 容缺, everything goes on one supplement notice
            (Promised,  &["ID", "ZP"],       &[], &[], true,  "supplement: SQ"),
            (Promised,  &["ID"],             &[], &[], true,  "supplement: SQ, ZP"),
            // a main material faulty: the same
            (Promised,  &["ID", "SQ"],       &["ID"], &[], true, "supplement: ID, ZP"),
            // an immediate item is handled now or not at all
            (Immediate, &["ID", "SQ"],       &[], &[], true,  "supplement: ZP"),
        ];
        for (kind, presented, defects, conditions, commitment, expected) in table {
            let it = item(*kind, None);
            let sub = Submission::new(
                &it,
                presented.iter().map(|c| Presented { material: code(c), pages: 1, copies: 1 }).collect(),
                defects.iter().map(|c| Defect { material: code(c), reason: "不清晰".into() }).collect(),
                conditions.iter().map(|c| code(c)),
                None,
            )
            .unwrap()
            .with_commitment(*commitment);
            let got = match decide(&it, &sub) {
                Decision::Tolerated(l) => format!("tolerated: {}", l.iter().map(|x| x.material.to_string()).collect::<Vec<_>>().join(", ")),
                Decision::Supplement(l) => format!("supplement: {}", l.iter().map(|x| x.material.to_string()).collect::<Vec<_>>().join(", ")),
                other => other.as_str().to_owned(),
            };
            assert_eq!(&got, expected, "{kind:?} {presented:?} {defects:?} {conditions:?} {commitment}");
        }
    }

    /// The deadline table: intake day, period -> owed by, on the 2026 official calendar.
    #[test]
    fn which_deadline_across_holidays() {
        let mut cal = Calendar::weekends_only();
        // 2026: 国庆节 1–7 Oct off, Sun 20 Sep and Sat 10 Oct worked (国务院办公厅关于2026年部分节假日安排的通知).
        cal.load_year(
            YearArrangement::new(
                2026,
                1,
                "test",
                (1..=7).map(|n| (d(&format!("2026-10-0{n}")), "国庆节".to_owned())).collect::<Vec<_>>(),
                vec![d("2026-09-20"), d("2026-10-10")],
            )
            .unwrap(),
        )
        .unwrap();
        #[rustfmt::skip]
        let table: &[(&str, Option<u32>, &str)] = &[
            ("2026-11-23", None,     "2026-11-30"), // Monday + 5 working days
            ("2026-11-27", None,     "2026-12-04"), // Friday: the weekend does not count
            ("2026-11-28", None,     "2026-12-04"), // taken on a Saturday: Monday is the first day
            ("2026-09-29", None,     "2026-10-12"), // across the National Day week, Sat 10 Oct worked
            ("2026-09-30", Some(1),  "2026-10-08"),
            ("2026-11-23", Some(10), "2026-12-07"),
        ];
        for (day, period, expected) in table {
            let it = item(ItemKind::Promised, *period);
            assert_eq!(owed_by(&cal, d(day), &it), d(expected), "{day} {period:?}");
        }
    }

    #[test]
    fn the_period_is_bounded() {
        assert_eq!(item(ItemKind::Promised, None).tolerance_days(), 5);
        let e = item(ItemKind::Promised, None).with_tolerance_days(0).unwrap_err();
        assert_eq!(e.code(), "catalogue.tolerance_days");
        assert!(item(ItemKind::Promised, None).with_tolerance_days(31).is_err());
        assert!(item(ItemKind::Promised, None).with_tolerance_days(30).is_ok());
        assert!(item(ItemKind::Promised, None).has_tolerable());
        assert!(!item(ItemKind::Immediate, None).has_tolerable());
    }

    /// The states table: what an owing case may and may not do.
    #[test]
    fn which_states_refuse_approval() {
        use CaseAction as A;
        use CaseStatus as S;
        let owing = CaseState::after_intake(&Decision::Tolerated(vec![]));
        assert_eq!(owing.status(), S::Accepted);
        assert!(owing.owes());
        let e = owing.apply(A::Decide { approved: true }).unwrap_err();
        assert_eq!(e.code(), "case.owed");
        assert_eq!(e.to_string(), "办件尚欠容缺材料，不能作出准予决定：请先补齐所欠材料，或逾期后终止办理");
        let forwarded = owing.apply(A::Forward).unwrap();
        assert!(forwarded.owes());
        assert!(forwarded.apply(A::Decide { approved: true }).is_err());
        type Expected = Result<(S, bool), &'static str>;
        #[rustfmt::skip]
        let table: &[(CaseAction, Expected)] = &[
            (A::Decide { approved: false },                   Ok((S::NotApproved, false))),
            (A::Extend,                                       Ok((S::Accepted, true))),
            (A::Withdraw,                                     Ok((S::Withdrawn, false))),
            (A::Supplement(SupplementOutcome::StillOwing),    Ok((S::Accepted, true))),
            (A::Supplement(SupplementOutcome::Accepted),      Ok((S::Accepted, false))),
            (A::Supplement(SupplementOutcome::Completed),     Err("case.transition")),
            (A::Terminate,                                    Ok((S::Terminated, false))),
            (A::Refuse,                                       Err("case.transition")),
            (A::Ready,                                        Err("case.transition")),
        ];
        for (action, expected) in table {
            let got = owing.apply(*action).map(|s| (s.status(), s.owes())).map_err(|e| e.code());
            assert_eq!(&got, expected, "{action:?}");
        }
        // A case that owes nothing cannot be terminated, nor take an owed material.
        let clear = owing.apply(A::Supplement(SupplementOutcome::Accepted)).unwrap();
        assert!(clear.apply(A::Terminate).is_err());
        assert!(clear.apply(A::Supplement(SupplementOutcome::StillOwing)).is_err());
        assert_eq!(clear.apply(A::Decide { approved: true }).unwrap().status(), S::Approved);
        // A terminated case is final: only archiving.
        let ended = owing.apply(A::Terminate).unwrap();
        for a in CaseAction::EVERY {
            assert_eq!(ended.apply(a).is_ok(), a == A::Archive, "{a:?}");
        }
        assert!(S::Accepted.can_become(S::Terminated));
        assert!(!S::Terminated.can_become(S::Approved));
        // The page offers what is open: supplement (the owed materials), a negative decision
        // (approval is not), no termination before the day is the store's to refuse.
        let offered: Vec<&str> = owing.allowed_actions().iter().map(|a| a.label()).collect();
        assert_eq!(offered, ["补正材料", "延期", "上报/转办", "暂停计时", "作出决定", "撤回", "终止办理"]);
        assert!(owing.allowed_actions().contains(&A::Decide { approved: false }));
        // Paused (第45条), an owing case still takes its owed materials, and stays paused.
        let paused = owing.apply(A::Pause).unwrap();
        let got = paused.apply(A::Supplement(SupplementOutcome::Accepted)).unwrap();
        assert!(got.paused() && !got.owes() && got.status() == S::Accepted);
        assert!(paused.apply(A::Supplement(SupplementOutcome::StillOwing)).unwrap().paused());
        assert_eq!(paused.apply(A::Terminate).unwrap_err().code(), "case.paused");
        assert_eq!(paused.apply(A::Decide { approved: true }).unwrap_err().code(), "case.paused");
    }

    #[test]
    fn termination_only_after_the_day_and_the_commitment_judged() {
        let by = d("2026-11-30");
        assert!(!may_terminate(by, d("2026-11-30")));
        assert!(may_terminate(by, d("2026-12-01")));
        use Commitment::*;
        assert_eq!(Commitment::judge(by, None, false, d("2026-11-30")), Open);
        assert_eq!(Commitment::judge(by, None, false, d("2026-12-01")), Broken);
        assert_eq!(Commitment::judge(by, Some(d("2026-11-30")), false, d("2026-12-09")), Kept);
        assert_eq!(Commitment::judge(by, Some(d("2026-12-01")), false, d("2026-12-09")), Broken);
        assert_eq!(Commitment::judge(by, None, true, d("2026-12-09")), Broken);
    }
}
