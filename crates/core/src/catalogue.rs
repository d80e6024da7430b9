//! The public catalogue of service items (服务事项目录 / 办事指南) and their materials.
//!
//! Items are built through [`ServiceItem::new`], which checks what a published guide must hold
//! (服务承诺制: name, basis, conditions, materials, procedure, promised limit, fees, result,
//! where to complain) so that an incomplete guide can never be printed as a one-time notice.

use std::fmt;

use crate::calendar::Limit;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    #[error("事项编码“{0}”无效：应为2至32位字母、数字、连字符或下划线")]
    ItemCode(String),
    #[error("材料编码“{0}”无效：应为1至32位字母、数字、连字符或下划线")]
    MaterialCode(String),
    #[error("事项“{item}”缺少{field}")]
    MissingField { item: String, field: &'static str },
    #[error("事项“{item}”的材料编码“{material}”重复")]
    DuplicateMaterial { item: String, material: String },
    #[error("事项“{item}”的材料“{material}”份数应至少为1")]
    ZeroCopies { item: String, material: String },
    #[error("事项“{item}”为承诺件或上报件，承诺时限不能为0天")]
    ZeroLimit { item: String },
    #[error("事项“{item}”的承诺时限{promised}超过法定时限{statutory}")]
    PromisedExceedsStatutory { item: String, promised: Limit, statutory: Limit },
    #[error("事项类型“{0}”无效：应为immediate（即办件）、promised（承诺件）或forwarded（上报件）")]
    ItemKind(String),
    #[error("事项“{item}”的容缺补交期限{days}个工作日无效：应为1至30个工作日")]
    ToleranceDays { item: String, days: u32 },
}

impl CatalogueError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::ItemCode(_) => "catalogue.item_code",
            Self::MaterialCode(_) => "catalogue.material_code",
            Self::MissingField { .. } => "catalogue.missing_field",
            Self::DuplicateMaterial { .. } => "catalogue.duplicate_material",
            Self::ZeroCopies { .. } => "catalogue.zero_copies",
            Self::ZeroLimit { .. } => "catalogue.zero_limit",
            Self::PromisedExceedsStatutory { .. } => "catalogue.exceeds_statutory",
            Self::ItemKind(_) => "catalogue.item_kind",
            Self::ToleranceDays { .. } => "catalogue.tolerance_days",
        }
    }
}

fn valid_code(s: &str, min: usize) -> bool {
    (min..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

macro_rules! code_type {
    ($name:ident, $min:expr, $err:ident) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);
        impl $name {
            pub fn parse(s: &str) -> Result<Self, CatalogueError> {
                let s = s.trim();
                if valid_code(s, $min) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(CatalogueError::$err(s.to_owned()))
                }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

code_type!(ItemCode, 2, ItemCode);
code_type!(MaterialCode, 1, MaterialCode);

/// 即办件, 承诺件, 上报件 (accepted here, decided by a county department).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Immediate,
    Promised,
    Forwarded,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Immediate => "immediate",
            Self::Promised => "promised",
            Self::Forwarded => "forwarded",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Immediate => "即办件",
            Self::Promised => "承诺件",
            Self::Forwarded => "上报件",
        }
    }
    pub fn parse(s: &str) -> Result<Self, CatalogueError> {
        match s {
            "immediate" | "即办件" => Ok(Self::Immediate),
            "promised" | "承诺件" => Ok(Self::Promised),
            "forwarded" | "上报件" => Ok(Self::Forwarded),
            other => Err(CatalogueError::ItemKind(other.to_owned())),
        }
    }
}

/// 原件, 复印件, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaterialForm {
    Original,
    Copy,
    OriginalAndCopy,
}

impl MaterialForm {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Original => "original",
            Self::Copy => "copy",
            Self::OriginalAndCopy => "original_and_copy",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Original => "原件",
            Self::Copy => "复印件",
            Self::OriginalAndCopy => "原件及复印件",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "original" | "原件" => Some(Self::Original),
            "copy" | "复印件" => Some(Self::Copy),
            "original_and_copy" | "原件及复印件" => Some(Self::OriginalAndCopy),
            _ => None,
        }
    }
}

/// Whether a material must be brought.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Requirement {
    Required,
    /// Required when the condition holds (e.g. “委托他人代办的”); the clerk says whether it does.
    RequiredWhen(String),
    Optional,
}

impl Requirement {
    pub fn label(&self) -> String {
        match self {
            Self::Required => "必需".to_owned(),
            Self::RequiredWhen(c) => format!("{c}时必需"),
            Self::Optional => "可选".to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Material {
    code: MaterialCode,
    name: String,
    form: MaterialForm,
    copies: u32,
    requirement: Requirement,
    notes: String,
    tolerable: bool,
}

impl Material {
    pub fn new(
        code: MaterialCode,
        name: impl Into<String>,
        form: MaterialForm,
        copies: u32,
        requirement: Requirement,
        notes: impl Into<String>,
    ) -> Self {
        Self { code, name: name.into(), form, copies, requirement, notes: notes.into(), tolerable: false }
    }
    /// The same material marked as tolerable (容缺材料): the catalogue allows it to follow
    /// the application, on the applicant's written commitment.
    pub fn with_tolerable(mut self, tolerable: bool) -> Self {
        self.tolerable = tolerable;
        self
    }
    pub fn is_tolerable(&self) -> bool {
        self.tolerable
    }
    pub fn code(&self) -> &MaterialCode {
        &self.code
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn form(&self) -> MaterialForm {
        self.form
    }
    pub fn copies(&self) -> u32 {
        self.copies
    }
    pub fn requirement(&self) -> &Requirement {
        &self.requirement
    }
    pub fn notes(&self) -> &str {
        &self.notes
    }
    pub fn is_required(&self) -> bool {
        matches!(self.requirement, Requirement::Required)
    }
}

/// The texts of a published guide, in the order a one-time notice prints them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Guide {
    pub department: String,
    pub legal_basis: String,
    pub conditions: String,
    pub procedure: Vec<String>,
    pub fees: String,
    pub result: String,
    pub consult_phone: String,
    pub complaint_phone: String,
    pub location: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceItem {
    code: ItemCode,
    name: String,
    kind: ItemKind,
    promised: Limit,
    statutory: Option<Limit>,
    guide: Guide,
    materials: Vec<Material>,
    sensitive: bool,
    tolerance_days: u32,
}

impl ServiceItem {
    /// The period for owed materials (容缺补交期限) when the catalogue names none.
    pub const DEFAULT_TOLERANCE_DAYS: u32 = 5;
    /// The longest period the catalogue may give.
    pub const MAX_TOLERANCE_DAYS: u32 = 30;

    /// Builds an item, refusing a guide that lacks what the public must be told.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        code: ItemCode,
        name: impl Into<String>,
        kind: ItemKind,
        promised: Limit,
        statutory: Option<Limit>,
        guide: Guide,
        materials: Vec<Material>,
        sensitive: bool,
    ) -> Result<Self, CatalogueError> {
        let name = name.into();
        let missing = |field: &'static str| CatalogueError::MissingField { item: name.clone(), field };
        if name.trim().is_empty() {
            return Err(missing("事项名称"));
        }
        for (value, field) in [
            (&guide.department, "实施部门"),
            (&guide.legal_basis, "设定依据"),
            (&guide.conditions, "受理条件"),
            (&guide.fees, "收费标准"),
            (&guide.result, "办理结果"),
            (&guide.consult_phone, "咨询电话"),
            (&guide.complaint_phone, "投诉电话"),
        ] {
            if value.trim().is_empty() {
                return Err(missing(field));
            }
        }
        if guide.procedure.is_empty() {
            return Err(missing("办理程序"));
        }
        if materials.is_empty() {
            return Err(missing("申请材料"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for m in &materials {
            if !seen.insert(m.code.clone()) {
                return Err(CatalogueError::DuplicateMaterial { item: name, material: m.code.0.clone() });
            }
            if m.copies == 0 {
                return Err(CatalogueError::ZeroCopies { item: name, material: m.name.clone() });
            }
            if m.name.trim().is_empty() {
                return Err(missing("材料名称"));
            }
        }
        if kind != ItemKind::Immediate && promised.days() == 0 {
            return Err(CatalogueError::ZeroLimit { item: name });
        }
        if let Some(statutory) = statutory {
            if statutory.unit() == promised.unit() && promised.days() > statutory.days() {
                return Err(CatalogueError::PromisedExceedsStatutory { item: name, promised, statutory });
            }
        }
        Ok(Self { code, name, kind, promised, statutory, guide, materials, sensitive, tolerance_days: Self::DEFAULT_TOLERANCE_DAYS })
    }

    /// The same item with its own period for owed materials, in working days (1 to
    /// [`ServiceItem::MAX_TOLERANCE_DAYS`]).
    pub fn with_tolerance_days(mut self, days: u32) -> Result<Self, CatalogueError> {
        if days == 0 || days > Self::MAX_TOLERANCE_DAYS {
            return Err(CatalogueError::ToleranceDays { item: self.name, days });
        }
        self.tolerance_days = days;
        Ok(self)
    }
    /// Working days within which owed materials are to be brought (容缺补交期限).
    pub fn tolerance_days(&self) -> u32 {
        self.tolerance_days
    }
    /// Whether any material of the item may be owed (容缺受理 applies to it at all).
    pub fn has_tolerable(&self) -> bool {
        self.kind != ItemKind::Immediate && self.materials.iter().any(Material::is_tolerable)
    }

    pub fn code(&self) -> &ItemCode {
        &self.code
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn kind(&self) -> ItemKind {
        self.kind
    }
    /// The promised limit (承诺时限); 0 for immediate items.
    pub fn promised_limit(&self) -> Limit {
        self.promised
    }
    pub fn statutory_limit(&self) -> Option<Limit> {
        self.statutory
    }
    pub fn guide(&self) -> &Guide {
        &self.guide
    }
    pub fn materials(&self) -> &[Material] {
        &self.materials
    }
    pub fn material(&self, code: &MaterialCode) -> Option<&Material> {
        self.materials.iter().find(|m| &m.code == code)
    }
    /// Items about disability, subsistence allowances and the like: sensitive personal
    /// information (个人信息保护法 第28条), kept out of anything that leaves the centre
    /// except the case records HQ needs.
    pub fn is_sensitive(&self) -> bool {
        self.sensitive
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn guide() -> Guide {
        Guide {
            department: "县人力资源和社会保障局".into(),
            legal_basis: "《中华人民共和国社会保险法》".into(),
            conditions: "年满16周岁".into(),
            procedure: vec!["申请".into(), "受理".into()],
            fees: "不收费".into(),
            result: "参保登记".into(),
            consult_phone: "0771-1234567".into(),
            complaint_phone: "12345".into(),
            location: "便民服务中心1号窗口".into(),
        }
    }

    pub(crate) fn material(code: &str, name: &str, req: Requirement) -> Material {
        Material::new(MaterialCode::parse(code).unwrap(), name, MaterialForm::OriginalAndCopy, 1, req, "")
    }

    pub(crate) fn item(kind: ItemKind, days: u32) -> ServiceItem {
        ServiceItem::new(
            ItemCode::parse("YL-001").unwrap(),
            "城乡居民养老保险参保登记",
            kind,
            Limit::working(days).unwrap(),
            Some(Limit::working(20).unwrap()),
            guide(),
            vec![
                material("ID", "居民身份证", Requirement::Required),
                material("HK", "户口簿", Requirement::Required),
                material("WT", "授权委托书", Requirement::RequiredWhen("委托他人代办".into())),
                material("ZP", "近期免冠照片", Requirement::Optional),
            ],
            false,
        )
        .unwrap()
    }

    #[test]
    fn codes_are_parsed() {
        assert!(ItemCode::parse("YL-001").is_ok());
        assert_eq!(ItemCode::parse("养老").unwrap_err().code(), "catalogue.item_code");
        assert_eq!(ItemCode::parse("A").unwrap_err().code(), "catalogue.item_code");
        assert!(MaterialCode::parse("A").is_ok());
        assert_eq!(MaterialCode::parse("").unwrap_err().code(), "catalogue.material_code");
    }

    #[test]
    fn an_incomplete_guide_is_refused() {
        let mut g = guide();
        g.complaint_phone.clear();
        let e = ServiceItem::new(
            ItemCode::parse("X1").unwrap(),
            "事项",
            ItemKind::Promised,
            Limit::working(5).unwrap(),
            None,
            g,
            vec![material("A", "甲", Requirement::Required)],
            false,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "事项“事项”缺少投诉电话");
        let dup = ServiceItem::new(
            ItemCode::parse("X1").unwrap(),
            "事项",
            ItemKind::Promised,
            Limit::working(5).unwrap(),
            None,
            guide(),
            vec![material("A", "甲", Requirement::Required), material("A", "乙", Requirement::Required)],
            false,
        );
        assert_eq!(dup.unwrap_err().code(), "catalogue.duplicate_material");
        let zero = ServiceItem::new(
            ItemCode::parse("X1").unwrap(),
            "事项",
            ItemKind::Promised,
            Limit::working(0).unwrap(),
            None,
            guide(),
            vec![material("A", "甲", Requirement::Required)],
            false,
        );
        assert_eq!(zero.unwrap_err().code(), "catalogue.zero_limit");
        let over = ServiceItem::new(
            ItemCode::parse("X1").unwrap(),
            "事项",
            ItemKind::Promised,
            Limit::working(25).unwrap(),
            Some(Limit::working(20).unwrap()),
            guide(),
            vec![material("A", "甲", Requirement::Required)],
            false,
        );
        assert_eq!(over.unwrap_err().code(), "catalogue.exceeds_statutory");
    }
}
