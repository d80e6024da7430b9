//! The intake decision: what the materials presented at the window mean for the application.
//!
//! One-time notice (一次性告知制): when anything is missing or faulty, *every* missing required
//! material and *every* defective one goes into one list, with its reason, so that the applicant
//! is told once and completely.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalogue::{ItemKind, MaterialCode, Requirement, ServiceItem};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntakeError {
    #[error("事项“{item}”没有编码为“{material}”的材料")]
    UnknownMaterial { item: String, material: String },
    #[error("材料“{0}”重复登记，请合并为一行")]
    DuplicateMaterial(String),
    #[error("材料“{0}”的页数应为1至9999")]
    ZeroPages(String),
    #[error("材料“{0}”的份数应为1至99")]
    ZeroCopies(String),
    #[error("材料“{material}”的{text}")]
    Text { material: String, text: crate::TextError },
    #[error("不予受理的理由：{0}")]
    RefusalText(crate::TextError),
    #[error("材料“{0}”未收到，不能登记为有缺陷；未收到的材料会自动列入补正清单")]
    DefectNotPresented(String),
    #[error("请填写材料“{0}”的缺陷原因")]
    EmptyDefectReason(String),
    #[error("请填写不予受理的理由")]
    EmptyRefusalReason,
    #[error("材料“{0}”不是有条件的材料，无需勾选适用条件")]
    NotConditional(String),
}

impl IntakeError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownMaterial { .. } => "intake.unknown_material",
            Self::DuplicateMaterial(_) => "intake.duplicate_material",
            Self::ZeroPages(_) => "intake.zero_pages",
            Self::ZeroCopies(_) => "intake.zero_copies",
            Self::Text { .. } | Self::RefusalText(_) => "intake.text",
            Self::DefectNotPresented(_) => "intake.defect_not_presented",
            Self::EmptyDefectReason(_) => "intake.empty_defect_reason",
            Self::EmptyRefusalReason => "intake.empty_refusal_reason",
            Self::NotConditional(_) => "intake.not_conditional",
        }
    }
}

/// One material as it lies on the counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub material: MaterialCode,
    /// 1 to [`Presented::MAX_PAGES`].
    pub pages: u32,
    /// 1 to [`Presented::MAX_COPIES`].
    pub copies: u32,
}

impl Presented {
    pub const MAX_PAGES: u32 = 9999;
    pub const MAX_COPIES: u32 = 99;
}

/// A material presented but not acceptable as it is (expired, unsigned, illegible, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    pub material: MaterialCode,
    pub reason: String,
}

/// What the clerk records at the counter. Conditional materials (“委托他人代办的”) are required
/// when the clerk lists them in `conditions_met`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Submission {
    presented: Vec<Presented>,
    defects: Vec<Defect>,
    conditions_met: BTreeSet<MaterialCode>,
    refusal: Option<String>,
    /// The applicant signs the written commitment (承诺书) to bring what is owed.
    commitment: bool,
}

impl Submission {
    /// Checks the submission against the item: every code known, no duplicates, pages and
    /// copies at least one, defects only on presented materials and with a reason.
    pub fn new(
        item: &ServiceItem,
        presented: Vec<Presented>,
        defects: Vec<Defect>,
        conditions_met: impl IntoIterator<Item = MaterialCode>,
        refusal: Option<String>,
    ) -> Result<Self, IntakeError> {
        let unknown = |code: &MaterialCode| IntakeError::UnknownMaterial {
            item: item.name().to_owned(),
            material: code.to_string(),
        };
        let name_of = |code: &MaterialCode| item.material(code).map(|m| m.name().to_owned()).unwrap_or_default();
        let mut seen = BTreeSet::new();
        for p in &presented {
            if item.material(&p.material).is_none() {
                return Err(unknown(&p.material));
            }
            if !seen.insert(p.material.clone()) {
                return Err(IntakeError::DuplicateMaterial(name_of(&p.material)));
            }
            if p.pages == 0 || p.pages > Presented::MAX_PAGES {
                return Err(IntakeError::ZeroPages(name_of(&p.material)));
            }
            if p.copies == 0 || p.copies > Presented::MAX_COPIES {
                return Err(IntakeError::ZeroCopies(name_of(&p.material)));
            }
        }
        let mut defect_seen = BTreeSet::new();
        let mut defects = defects;
        for d in &mut defects {
            if item.material(&d.material).is_none() {
                return Err(unknown(&d.material));
            }
            if !seen.contains(&d.material) {
                return Err(IntakeError::DefectNotPresented(name_of(&d.material)));
            }
            if d.reason.trim().is_empty() {
                return Err(IntakeError::EmptyDefectReason(name_of(&d.material)));
            }
            d.reason = crate::FreeText::line("缺陷原因", &d.reason, crate::FreeText::LINE)
                .map_err(|text| IntakeError::Text { material: name_of(&d.material), text })?
                .into_string();
            if !defect_seen.insert(d.material.clone()) {
                return Err(IntakeError::DuplicateMaterial(name_of(&d.material)));
            }
        }
        let conditions_met: BTreeSet<MaterialCode> = conditions_met.into_iter().collect();
        for c in &conditions_met {
            match item.material(c) {
                None => return Err(unknown(c)),
                Some(m) if !matches!(m.requirement(), Requirement::RequiredWhen(_)) => {
                    return Err(IntakeError::NotConditional(m.name().to_owned()))
                }
                Some(_) => {}
            }
        }
        let refusal = match refusal {
            Some(r) if r.trim().is_empty() => return Err(IntakeError::EmptyRefusalReason),
            Some(r) => Some(
                crate::FreeText::note("不予受理的理由", &r, crate::FreeText::REASON)
                    .map_err(IntakeError::RefusalText)?
                    .into_string(),
            ),
            None => None,
        };
        Ok(Self { presented, defects, conditions_met, refusal, commitment: false })
    }

    /// The same submission with the applicant's written commitment (承诺书) to bring any
    /// tolerable material owed: what makes 容缺受理 possible.
    pub fn with_commitment(mut self, commitment: bool) -> Self {
        self.commitment = commitment;
        self
    }
    pub fn commitment(&self) -> bool {
        self.commitment
    }

    pub fn presented(&self) -> &[Presented] {
        &self.presented
    }
    pub fn defects(&self) -> &[Defect] {
        &self.defects
    }
    pub fn conditions_met(&self) -> impl Iterator<Item = &MaterialCode> {
        self.conditions_met.iter()
    }
    pub fn refusal(&self) -> Option<&str> {
        self.refusal.as_deref()
    }

    /// The submission after a supplement: what was held before and acceptable stays; what is
    /// brought now replaces the earlier copy and clears its defect.
    pub fn merged_with(&self, later: &Submission) -> Submission {
        let mut presented: BTreeMap<MaterialCode, Presented> =
            self.presented.iter().map(|p| (p.material.clone(), p.clone())).collect();
        let mut defects: BTreeMap<MaterialCode, Defect> =
            self.defects.iter().map(|d| (d.material.clone(), d.clone())).collect();
        for p in &later.presented {
            presented.insert(p.material.clone(), p.clone());
            defects.remove(&p.material);
        }
        for d in &later.defects {
            defects.insert(d.material.clone(), d.clone());
        }
        Submission {
            presented: presented.into_values().collect(),
            defects: defects.into_values().collect(),
            conditions_met: self.conditions_met.union(&later.conditions_met).cloned().collect(),
            refusal: later.refusal.clone(),
            commitment: self.commitment || later.commitment,
        }
    }
}

/// What is wrong with one material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Missing,
    Defective(String),
    TooFewCopies { required: u32, presented: u32 },
}

impl Problem {
    /// The reason as the supplement notice prints it.
    pub fn describe(&self) -> String {
        match self {
            Self::Missing => "未提交".to_owned(),
            Self::Defective(reason) => reason.clone(),
            Self::TooFewCopies { required, presented } => {
                format!("份数不足：需{required}份，已交{presented}份")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deficiency {
    pub material: MaterialCode,
    pub name: String,
    pub problem: Problem,
}

/// The decision the rules propose; the clerk sees it before it is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Complete materials for an immediate item: handled on the spot (即办).
    Immediate,
    /// Complete materials for a promised or forwarded item: accepted, the clock starts.
    Accepted,
    /// Something missing or faulty: one notice listing every deficiency, in catalogue order.
    Supplement(Vec<Deficiency>),
    /// Not within the centre's remit or the applicant is not eligible: refused with a reason.
    Refused(String),
    /// 容缺受理: the main materials are complete, only tolerable ones are missing or faulty, and
    /// the applicant signed the commitment: accepted, the clock runs, the list is owed.
    Tolerated(Vec<Deficiency>),
}

impl Decision {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Immediate => "immediate",
            Self::Accepted => "accepted",
            Self::Supplement(_) => "supplement",
            Self::Refused(_) => "refused",
            Self::Tolerated(_) => "tolerated",
        }
    }
}

/// Decides an application for `item` from `submission`.
pub fn decide(item: &ServiceItem, submission: &Submission) -> Decision {
    if let Some(reason) = submission.refusal() {
        return Decision::Refused(reason.to_owned());
    }
    let presented: BTreeMap<&MaterialCode, &Presented> =
        submission.presented.iter().map(|p| (&p.material, p)).collect();
    let defects: BTreeMap<&MaterialCode, &Defect> =
        submission.defects.iter().map(|d| (&d.material, d)).collect();
    let mut deficiencies = vec![];
    for m in item.materials() {
        let needed = match m.requirement() {
            Requirement::Required => true,
            Requirement::RequiredWhen(_) => submission.conditions_met.contains(m.code()),
            Requirement::Optional => false,
        };
        let problem = match (presented.get(m.code()), defects.get(m.code())) {
            (_, Some(d)) => Some(Problem::Defective(d.reason.clone())),
            (None, None) if needed => Some(Problem::Missing),
            (Some(p), None) if p.copies < m.copies() => {
                Some(Problem::TooFewCopies { required: m.copies(), presented: p.copies })
            }
            _ => None,
        };
        if let Some(problem) = problem {
            deficiencies.push(Deficiency { material: m.code().clone(), name: m.name().to_owned(), problem });
        }
    }
    if !deficiencies.is_empty() {
        // 容缺受理 only for an item with a period of its own (an immediate item is handled
        // now or not at all), only on the commitment, and only when every problem is with a
        // material the catalogue marks as tolerable.
        let tolerable = |d: &Deficiency| item.material(&d.material).is_some_and(|m| m.is_tolerable());
        if submission.commitment && item.kind() != ItemKind::Immediate && deficiencies.iter().all(tolerable) {
            return Decision::Tolerated(deficiencies);
        }
        return Decision::Supplement(deficiencies);
    }
    match item.kind() {
        ItemKind::Immediate => Decision::Immediate,
        ItemKind::Promised | ItemKind::Forwarded => Decision::Accepted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::tests::item;

    fn code(s: &str) -> MaterialCode {
        MaterialCode::parse(s).unwrap()
    }
    fn p(c: &str, pages: u32, copies: u32) -> Presented {
        Presented { material: code(c), pages, copies }
    }
    fn d(c: &str, reason: &str) -> Defect {
        Defect { material: code(c), reason: reason.into() }
    }

    /// (kind, presented, defects, conditions, refusal) -> decision summary
    fn check(kind: ItemKind, presented: &[(&str, u32)], defects: &[(&str, &str)], conditions: &[&str], refusal: Option<&str>, expected: &str) {
        let item = item(kind, if kind == ItemKind::Immediate { 0 } else { 10 });
        let sub = Submission::new(
            &item,
            presented.iter().map(|(c, copies)| p(c, 2, *copies)).collect(),
            defects.iter().map(|(c, r)| d(c, r)).collect(),
            conditions.iter().map(|c| code(c)),
            refusal.map(str::to_owned),
        )
        .unwrap();
        let got = match decide(&item, &sub) {
            Decision::Supplement(list) => format!(
                "supplement: {}",
                list.iter().map(|x| format!("{}={}", x.material, x.problem.describe())).collect::<Vec<_>>().join(", ")
            ),
            Decision::Refused(r) => format!("refused: {r}"),
            other => other.as_str().to_owned(),
        };
        assert_eq!(got, expected);
    }

    #[test]
    fn decisions() {
        use ItemKind::*;
        check(Immediate, &[("ID", 1), ("HK", 1)], &[], &[], None, "immediate");
        check(Promised, &[("ID", 1), ("HK", 1)], &[], &[], None, "accepted");
        check(Forwarded, &[("ID", 1), ("HK", 1), ("ZP", 1)], &[], &[], None, "accepted");
        check(Promised, &[("ID", 1)], &[], &[], None, "supplement: HK=未提交");
        check(Promised, &[], &[], &["WT"], None, "supplement: ID=未提交, HK=未提交, WT=未提交");
        check(
            Promised,
            &[("ID", 1), ("HK", 1)],
            &[("ID", "身份证已过有效期")],
            &["WT"],
            None,
            "supplement: ID=身份证已过有效期, WT=未提交",
        );
        // A defective optional material is still listed: it was brought and is not acceptable.
        check(Promised, &[("ID", 1), ("HK", 1), ("ZP", 1)], &[("ZP", "非近期照片")], &[], None, "supplement: ZP=非近期照片");
        check(Promised, &[("ID", 1), ("HK", 1)], &[], &[], Some("申请人不属于本辖区"), "refused: 申请人不属于本辖区");
    }

    #[test]
    fn too_few_copies_is_a_deficiency() {
        let mut it = item(ItemKind::Promised, 10);
        // Rebuild with a material that needs 2 copies.
        let mats: Vec<_> = it
            .materials()
            .iter()
            .map(|m| {
                crate::catalogue::Material::new(m.code().clone(), m.name(), m.form(), if m.code().as_str() == "HK" { 2 } else { 1 }, m.requirement().clone(), "")
            })
            .collect();
        it = ServiceItem::new(it.code().clone(), it.name(), it.kind(), it.promised_limit(), None, it.guide().clone(), mats, false).unwrap();
        let sub = Submission::new(&it, vec![p("ID", 1, 1), p("HK", 3, 1)], vec![], [], None).unwrap();
        assert_eq!(
            decide(&it, &sub),
            Decision::Supplement(vec![Deficiency {
                material: code("HK"),
                name: "户口簿".into(),
                problem: Problem::TooFewCopies { required: 2, presented: 1 }
            }])
        );
    }

    #[test]
    fn bad_submissions_are_refused_with_a_reason() {
        let it = item(ItemKind::Promised, 10);
        let err = |presented, defects, conditions: Vec<&str>, refusal: Option<&str>| {
            Submission::new(&it, presented, defects, conditions.into_iter().map(code), refusal.map(str::to_owned))
                .unwrap_err()
                .code()
        };
        assert_eq!(err(vec![p("XX", 1, 1)], vec![], vec![], None), "intake.unknown_material");
        assert_eq!(err(vec![p("ID", 1, 1), p("ID", 1, 1)], vec![], vec![], None), "intake.duplicate_material");
        assert_eq!(err(vec![p("ID", 0, 1)], vec![], vec![], None), "intake.zero_pages");
        assert_eq!(err(vec![p("ID", 1, 0)], vec![], vec![], None), "intake.zero_copies");
        // A billion pages or a million copies is a slip of the keyboard, not a material.
        assert_eq!(err(vec![p("ID", 1_000_000_000, 1)], vec![], vec![], None), "intake.zero_pages");
        assert_eq!(err(vec![p("ID", 1, 1_000_000)], vec![], vec![], None), "intake.zero_copies");
        assert_eq!(err(vec![p("ID", 1, 100)], vec![], vec![], None), "intake.zero_copies");
        assert!(Submission::new(&it, vec![p("ID", 9999, 99)], vec![], [], None).is_ok());
        let long = "过".repeat(101);
        assert_eq!(err(vec![p("ID", 1, 1)], vec![d("ID", &long)], vec![], None), "intake.text");
        assert_eq!(err(vec![], vec![], vec![], Some("理由\u{0}")), "intake.text");
        assert_eq!(err(vec![], vec![d("ID", "过期")], vec![], None), "intake.defect_not_presented");
        assert_eq!(err(vec![p("ID", 1, 1)], vec![d("ID", " ")], vec![], None), "intake.empty_defect_reason");
        assert_eq!(err(vec![], vec![], vec!["ID"], None), "intake.not_conditional");
        assert_eq!(err(vec![], vec![], vec![], Some("  ")), "intake.empty_refusal_reason");
        let e = Submission::new(&it, vec![p("XX", 1, 1)], vec![], [], None).unwrap_err();
        assert_eq!(e.to_string(), "事项“城乡居民养老保险参保登记”没有编码为“XX”的材料");
    }

    #[test]
    fn a_supplement_merges_with_what_was_held() {
        let it = item(ItemKind::Promised, 10);
        let first = Submission::new(&it, vec![p("ID", 1, 1), p("HK", 4, 1)], vec![d("ID", "复印件不清晰")], [], None).unwrap();
        assert!(matches!(decide(&it, &first), Decision::Supplement(ref l) if l.len() == 1));
        let later = Submission::new(&it, vec![p("ID", 1, 1)], vec![], [], None).unwrap();
        let merged = first.merged_with(&later);
        assert_eq!(decide(&it, &merged), Decision::Accepted);
        assert_eq!(merged.presented().len(), 2);
        assert!(merged.defects().is_empty());
    }
}
