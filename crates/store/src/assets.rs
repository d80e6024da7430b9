//! The file formats of the data the centre receives: the service-item catalogue and the
//! holiday calendar (from `assets/` at first, from HQ later). These DTOs live here, at the
//! store's edge; the core's types know nothing of JSON.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use yichuang_core::catalogue::Guide;
use yichuang_core::{
    Calendar, ItemCode, ItemKind, Limit, LimitUnit, Material, MaterialCode, MaterialForm,
    Requirement, ServiceItem, YearArrangement,
};

use crate::error::{Result, StoreError};

/// The calendars shipped with the application.
pub const BUNDLED_CALENDARS: &[&str] = &[
    include_str!("../../../assets/calendar/2025.json"),
    include_str!("../../../assets/calendar/2026.json"),
];

/// The demo centre's catalogue.
pub const DEMO_CATALOGUE: &str = include_str!("../../../assets/catalogue/demo.json");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarFile {
    pub year: i32,
    pub version: u32,
    pub source: String,
    pub holidays: Vec<HolidayRange>,
    pub working_weekends: Vec<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayRange {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A region's own days off, e.g. `{"region": "广西壮族自治区", "days_off": [{"name": "三月三", ...}]}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionalFile {
    pub region: String,
    pub days_off: Vec<HolidayRange>,
}

fn bad(what: &'static str, detail: impl ToString) -> StoreError {
    StoreError::BadFile { what, detail: detail.to_string() }
}

impl CalendarFile {
    pub fn parse(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| bad("节假日安排", crate::json_reason(&e)))
    }

    pub fn to_arrangement(&self) -> Result<YearArrangement> {
        let mut days: Vec<(NaiveDate, String)> = vec![];
        for r in &self.holidays {
            if r.to < r.from {
                return Err(bad("节假日安排", format!("“{}”的结束日期{}早于开始日期{}", r.name, r.to, r.from)));
            }
            // A holiday is never longer than a month; a longer range is a typing slip of a date.
            if (r.to - r.from).num_days() > 31 {
                return Err(bad("节假日安排", format!("“{}”从{}到{}超过一个月，请核对日期", r.name, r.from, r.to)));
            }
            for d in r.from.iter_days().take_while(|d| *d <= r.to) {
                if let Some((_, other)) = days.iter().find(|(o, _)| *o == d) {
                    return Err(bad("节假日安排", format!("“{}”与“{}”重叠（{d}）：一天只能属于一个假日", r.name, other)));
                }
                days.push((d, r.name.clone()));
            }
        }
        Ok(YearArrangement::new(self.year, self.version, self.source.clone(), days, self.working_weekends.iter().copied())?)
    }
}

impl RegionalFile {
    pub fn parse(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| bad("地方假日", crate::json_reason(&e)))
    }
    pub fn days(&self) -> Result<Vec<(NaiveDate, String)>> {
        let mut out = vec![];
        for r in &self.days_off {
            if r.to < r.from {
                return Err(bad("地方假日", format!("“{}”的结束日期早于开始日期", r.name)));
            }
            out.extend(r.from.iter_days().take_while(|d| *d <= r.to).map(|d| (d, r.name.clone())));
        }
        Ok(out)
    }
}

/// The calendar of the bundled files alone (for tools that have no database).
pub fn bundled_calendar() -> Result<Calendar> {
    let mut c = Calendar::weekends_only();
    for text in BUNDLED_CALENDARS {
        c.load_year(CalendarFile::parse(text)?.to_arrangement()?)?;
    }
    Ok(c)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueFile {
    pub version: String,
    pub published_at: NaiveDate,
    pub source: String,
    pub items: Vec<ItemFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemFile {
    pub code: String,
    pub name: String,
    /// Extra pinyin initials for search, beside those computed from the name at import
    /// (optional: a catalogue from HQ needs none typed by hand).
    #[serde(default)]
    pub initials: String,
    pub department: String,
    pub kind: String,
    pub limit: LimitFile,
    pub statutory_limit: Option<LimitFile>,
    pub legal_basis: String,
    pub conditions: String,
    pub procedure: Vec<String>,
    pub fees: String,
    pub result: String,
    pub consult_phone: String,
    pub complaint_phone: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub sensitive: bool,
    /// Working days within which tolerable materials owed under 容缺受理 are to be brought.
    #[serde(default = "default_tolerance_days")]
    pub tolerance_days: u32,
    pub materials: Vec<MaterialFile>,
}

fn default_tolerance_days() -> u32 {
    ServiceItem::DEFAULT_TOLERANCE_DAYS
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitFile {
    pub days: u32,
    pub unit: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialFile {
    pub code: String,
    pub name: String,
    pub form: String,
    pub copies: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_when: Option<String>,
    #[serde(default)]
    pub notes: String,
    /// A 容缺材料: it may follow the application on the applicant's written commitment.
    #[serde(default)]
    pub tolerable: bool,
}

impl LimitFile {
    fn to_limit(&self, item: &str) -> Result<Limit> {
        let unit = LimitUnit::parse(&self.unit)
            .ok_or_else(|| bad("服务事项目录", format!("事项“{item}”的时限单位“{}”无效，应为working或natural", self.unit)))?;
        Ok(Limit::new(self.days, unit)?)
    }
}

impl ItemFile {
    pub fn to_item(&self) -> Result<ServiceItem> {
        let name = &self.name;
        let mut materials = vec![];
        for m in &self.materials {
            let requirement = match (m.required, &m.required_when) {
                (Some(true), None) => Requirement::Required,
                (Some(false), None) => Requirement::Optional,
                (None, Some(c)) if !c.trim().is_empty() => Requirement::RequiredWhen(c.clone()),
                _ => {
                    return Err(bad(
                        "服务事项目录",
                        format!("事项“{name}”的材料“{}”须且只须填写required或required_when之一", m.name),
                    ))
                }
            };
            let form = MaterialForm::parse(&m.form)
                .ok_or_else(|| bad("服务事项目录", format!("事项“{name}”的材料“{}”的形式“{}”无效", m.name, m.form)))?;
            materials.push(
                Material::new(MaterialCode::parse(&m.code)?, m.name.clone(), form, m.copies, requirement, m.notes.clone())
                    .with_tolerable(m.tolerable),
            );
        }
        let guide = Guide {
            department: self.department.clone(),
            legal_basis: self.legal_basis.clone(),
            conditions: self.conditions.clone(),
            procedure: self.procedure.clone(),
            fees: self.fees.clone(),
            result: self.result.clone(),
            consult_phone: self.consult_phone.clone(),
            complaint_phone: self.complaint_phone.clone(),
            location: self.location.clone(),
        };
        Ok(ServiceItem::new(
            ItemCode::parse(&self.code)?,
            name.clone(),
            ItemKind::parse(&self.kind)?,
            self.limit.to_limit(name)?,
            self.statutory_limit.as_ref().map(|l| l.to_limit(name)).transpose()?,
            guide,
            materials,
            self.sensitive,
        )?
        .with_tolerance_days(self.tolerance_days)?)
    }
}

impl CatalogueFile {
    /// Parses and checks a whole catalogue: every item must build, codes must be unique.
    pub fn parse(text: &str) -> Result<(Self, Vec<ServiceItem>)> {
        let file: Self = serde_json::from_str(text).map_err(|e| bad("服务事项目录", crate::json_reason(&e)))?;
        if file.version.trim().is_empty() {
            return Err(bad("服务事项目录", "缺少版本号"));
        }
        if file.items.is_empty() {
            return Err(bad("服务事项目录", "没有任何事项"));
        }
        let mut codes = BTreeSet::new();
        let mut items = vec![];
        for i in &file.items {
            if !codes.insert(i.code.clone()) {
                return Err(bad("服务事项目录", format!("事项编码“{}”重复", i.code)));
            }
            items.push(i.to_item()?);
        }
        Ok((file, items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_catalogue_is_complete_and_realistic() {
        let (file, items) = CatalogueFile::parse(DEMO_CATALOGUE).unwrap();
        assert!(items.len() >= 15, "{} items", items.len());
        let kinds: BTreeSet<_> = items.iter().map(|i| i.kind().as_str()).collect();
        assert_eq!(kinds.len(), 3, "immediate, promised and forwarded all present");
        assert!(items.iter().any(|i| i.promised_limit().unit() == LimitUnit::Natural));
        assert!(items.iter().any(|i| i.is_sensitive()));
        for (f, i) in file.items.iter().zip(&items) {
            assert!(i.guide().legal_basis.contains('《'), "{} cites a law or notice", i.name());
            assert!(f.initials.chars().all(|c| c.is_ascii_lowercase()), "{}", f.initials);
        }
        assert!(file.items.iter().any(|i| i.initials.contains("ylbx")));
    }

    #[test]
    fn bundled_calendars_match_the_official_notices() {
        let c = bundled_calendar().unwrap();
        assert_eq!(c.version(), "2025.1+2026.1");
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(!c.is_working_day(d("2025-02-04")));
        assert!(c.is_working_day(d("2025-02-08")));
        assert!(c.is_working_day(d("2025-10-11")));
        assert!(!c.is_working_day(d("2025-10-08")));
        assert!(!c.is_working_day(d("2026-02-23")));
        assert!(c.is_working_day(d("2026-02-28")));
        assert!(!c.is_official(2027));
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let e = CatalogueFile::parse("{").unwrap_err();
        assert_eq!(e.code(), "store.bad_file");
        assert!(e.to_string().starts_with("服务事项目录文件有误"), "{e}");
        let e = CalendarFile::parse(r#"{"year":2027,"version":1,"source":"x","holidays":[{"name":"元旦","from":"2027-01-03","to":"2027-01-01"}],"working_weekends":[]}"#)
            .unwrap()
            .to_arrangement()
            .unwrap_err();
        assert!(e.to_string().contains("结束日期2027-01-01早于开始日期2027-01-03"), "{e}");
    }
}
