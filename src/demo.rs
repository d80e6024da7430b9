//! `yichuang demo`: a scripted day at the window of a demo centre, told in Chinese, on a real
//! database file. It is the newcomer's first look until the desktop application exists.

use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::{DateTime, Duration, FixedOffset};
use yichuang_core::ids::id_check_char;
use yichuang_core::{Defect, IdNumber, MaterialCode, PersonName, Phone, Presented};
use yichuang_store::{ApplicantInput, CaseFilter, Channel, Disposition, InquiryInput, IntakeRequest, Party, Store, SupplementRequest};

/// A demo ID number: 17 digits and the check character they call for.
fn id(first17: &str) -> Result<IdNumber> {
    let check = id_check_char(first17).ok_or_else(|| anyhow::anyhow!("演示身份证号码前17位无效：{first17}"))?;
    Ok(IdNumber::parse(&format!("{first17}{check}"))?)
}

fn person(name: &str, first17: &str, phone: &str) -> Result<ApplicantInput> {
    Ok(ApplicantInput {
        party: Party::Person { id_number: id(first17)?, name: PersonName::parse(name)? },
        phone: Some(Phone::parse(phone)?),
    })
}

fn m(code: &str, pages: u32, copies: u32) -> Result<Presented> {
    Ok(Presented { material: MaterialCode::parse(code)?, pages, copies })
}

pub fn run(db: Option<&Path>, start: DateTime<FixedOffset>) -> Result<()> {
    let path: PathBuf = match db {
        Some(p) => p.to_owned(),
        None => std::env::temp_dir().join(format!("yichuang-demo-{}.db", std::process::id())),
    };
    let day = start.date_naive().and_hms_opt(8, 30, 0).unwrap_or_default().and_local_timezone(*start.offset()).single().unwrap_or(start);
    let at = |minutes: i64| day + Duration::minutes(minutes);
    let mut s = Store::open(&path)?;
    if s.centre().is_err() {
        // The demo centre in one transaction, as the window's and `init --demo`'s.
        yichuang_app::setup::demo_centre(&mut s, at(0))?;
    }
    let c = s.centre()?.clone();
    println!("== 一窗通演示：{}（中心代码{}，终端{}）", c.name, c.code, c.terminal);
    println!("   数据库：{}", path.display());
    println!("   日历版本：{}；目录版本：{}", s.calendar().version(), s.catalogue_version().unwrap_or("无"));

    println!("\n08:35 张大爷来电咨询高龄津贴怎么办（首问登记，一次性告知）");
    let (q, docs) = s.register_inquiry(
        InquiryInput {
            channel: Channel::Phone,
            person_name: "张德福".into(),
            unit: None,
            phone: Some(Phone::parse("13907751234")?),
            matter: "咨询八十岁以上老人高龄津贴的办理条件和材料".into(),
            item_code: Some("GL-01".into()),
            disposition: Disposition::Notice,
            handed_to: None,
            result: None,
            responder: "demo".into(),
            scope: yichuang_core::InquiryScope::Ordinary,
        },
        at(5),
    )?;
    println!("   登记号{}，出具{}", q.id, docs.iter().map(|d| d.number.clone()).collect::<Vec<_>>().join("、"));

    println!("\n09:00 李秀英申领残疾人证，缺照片，身份证复印件不清晰");
    let li = person("李秀英", "45082119680405302", "13807759876")?;
    let o = s.intake(
        IntakeRequest {
            item: "CJ-01".into(),
            applicant: li.clone(),
            agent: None,
            presented: vec![m("SFZ", 1, 1)?, m("HKB", 2, 1)?, m("SQB", 2, 1)?],
            defects: vec![Defect { material: MaterialCode::parse("SFZ")?, reason: "复印件字迹不清，请重新复印".into() }],
            conditions: vec![],
            refusal: None,
            clerk: "demo".into(),
            received_on: None,
            confirm_rename: false,
            duplicate_reason: None,
            commitment: false,
            sms_consent: false,
        },
        at(30),
    )?;
    let li_case = o.case_number.to_string();
    println!("   办件{}：需补正，出具{}", li_case, o.documents[0].number);
    if let yichuang_core::Decision::Supplement(list) = &o.decision {
        for d in list {
            println!("     · {}：{}", d.name, d.problem.describe());
        }
    }

    println!("\n09:20 王小明为新生儿办理城乡居民医保参保登记（即办件）");
    let o = s.intake(
        IntakeRequest {
            item: "YB-01".into(),
            applicant: person("王小明", "45082120260301001", "13607751111")?,
            agent: None,
            presented: vec![m("SFZ", 1, 1)?, m("DJB", 1, 1)?, m("CSZ", 1, 1)?],
            defects: vec![],
            conditions: vec![MaterialCode::parse("CSZ")?],
            refusal: None,
            clerk: "b1".into(),
            received_on: None,
            confirm_rename: false,
            duplicate_reason: None,
            commitment: false,
            sms_consent: false,
        },
        at(50),
    )?;
    println!("   办件{}：当场办结，出具{}", o.case_number, o.documents[0].number);

    println!("\n10:10 李秀英带来照片和清晰的复印件（补正完成，时限重新起算）");
    let o = s.supplement(
        &li_case,
        SupplementRequest { presented: vec![m("SFZ", 1, 1)?, m("ZP", 1, 3)?], defects: vec![], conditions: vec![], refusal: None, clerk: "demo".into() },
        at(100),
    )?;
    let due = o.due.as_ref().map(|d| format!("{}{}", d.date(), if d.provisional() { "（暂按周末计算）" } else { "" }));
    println!("   已受理，承诺办结日期{}，出具{}", due.unwrap_or_default(), o.documents[0].number);

    println!("\n10:40 陈建华申请宅基地和建房审批，材料齐全（承诺件20个工作日）");
    let o = s.intake(
        IntakeRequest {
            item: "ZJ-01".into(),
            applicant: person("陈建华", "45082119800815101", "13977512345")?,
            agent: None,
            presented: vec![m("SQB", 2, 1)?, m("CNS", 1, 1)?, m("HKB", 4, 1)?, m("SFZ", 3, 1)?, m("HYJL", 3, 1)?, m("SJT", 6, 1)?],
            defects: vec![],
            conditions: vec![],
            refusal: None,
            clerk: "demo".into(),
            received_on: None,
            confirm_rename: false,
            duplicate_reason: None,
            commitment: false,
            sms_consent: false,
        },
        at(130),
    )?;
    let chen = o.case_number.to_string();
    println!("   办件{}：已受理，承诺办结日期{}", chen, o.due.as_ref().map(|d| d.date().to_string()).unwrap_or_default());
    s.pause(&chen, yichuang_core::PauseKind::Inspection, 5, "联审部门实地踏勘测量", "demo", at(140))?;
    println!("   实地踏勘，暂停计时（告知申请人约需5个工作日）");
    s.resume(&chen, "demo", at(150))?;
    let v = s.extend(&chen, 5, "涉及相邻权争议，需补充调查", "head", "demo", at(160))?;
    println!("   经站长王建国批准延期5个工作日，新的办结日期{}", v.due_date.map(|d| d.to_string()).unwrap_or_default());

    println!("\n11:20 外县户籍的刘某申请高龄津贴：不属于本中心受理范围，不予受理并说明理由");
    let o = s.intake(
        IntakeRequest {
            item: "GL-01".into(),
            applicant: person("刘桂兰", "45092319420101202", "13507750000")?,
            agent: None,
            presented: vec![m("SFZ", 1, 1)?, m("HKB", 2, 1)?],
            defects: vec![],
            conditions: vec![],
            refusal: Some("申请人户籍不在本县，应向户籍所在地乡镇便民服务中心申请".into()),
            clerk: "demo".into(),
            received_on: None,
            confirm_rename: false,
            duplicate_reason: None,
            commitment: false,
            sms_consent: false,
        },
        at(170),
    )?;
    println!("   办件{}：不予受理，出具{}", o.case_number, o.documents[0].number);

    println!("\n下班前：在办件一览");
    for c in s.list_cases(&CaseFilter::default(), day.date_naive())? {
        println!(
            "   {}  {}  {}  {}",
            c.number,
            c.applicant_name,
            c.item_name,
            c.status.label()
        );
    }
    let report = s.verify()?;
    println!("\n事件链校验：{}（共{}条事件）", report.fault.map(|f| f.to_string()).unwrap_or_else(|| "完好".into()), report.events);
    println!("今天的记录已写入{}，可用 `yichuang --db {} case list` 查看。", path.display(), path.display());
    Ok(())
}
