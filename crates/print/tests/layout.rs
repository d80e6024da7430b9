//! The print crate's layouts, checked without a person looking: golden page descriptions,
//! and rules every page of every document must keep (nothing overlapping or clipped, no line
//! starting with closing punctuation, tables straight, long checklists paginated).
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use yichuang_core::DocKind;
use yichuang_print::layout::{Item, Page, PT};
use yichuang_print::{font, pages, Layout};
use yichuang_store::{DocGuide, DocInquiry, DocMaterial, DocumentBody, DocumentRecord};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn material(i: usize, name: &str) -> DocMaterial {
    DocMaterial {
        code: format!("M{i}"),
        name: name.into(),
        form: "原件及复印件".into(),
        copies_required: 1,
        requirement: "必需".into(),
        notes: if i % 3 == 0 { "核验原件后退还，复印件须本人签字确认".into() } else { String::new() },
        pages: Some(2),
        copies: Some(1),
        problem: Some(if i % 2 == 0 { "未提交".into() } else { "复印件不清晰，请重新复印。".into() }),
    }
}

fn record(kind: DocKind, materials: usize) -> DocumentRecord {
    let number = yichuang_core::DocumentNumber::new(kind, 2026, yichuang_core::TerminalId::parse("01").unwrap(), 7).unwrap().to_string();
    let names = ["申请人居民身份证", "户口簿", "近期二寸免冠白底彩色照片", "农村宅基地和建房（规划许可）申请表", "村民小组会议记录及公示材料（须加盖村民委员会公章）"];
    DocumentRecord {
        number: number.clone(),
        kind,
        case_number: Some("450821102012026112300016".into()),
        inquiry_id: None,
        issued_at: "2026-11-23T09:30:00+08:00".into(),
        issued_by: "demo".into(),
        body: DocumentBody {
            kind: kind.as_str().into(),
            title: kind.title().into(),
            number,
            centre_code: "450821102".into(),
            centre_name: "示范镇便民服务中心".into(),
            centre_phone: "0775-7801234".into(),
            centre_address: "示范镇人民路1号便民服务中心".into(),
            issued_on: Some(d("2026-11-23")),
            handler_id: "demo".into(),
            handler_name: "李梅".into(),
            case_number: Some("450821102012026112300016".into()),
            item_code: Some("ZJ-01".into()),
            item_name: Some("农村宅基地和建房（规划许可）审批".into()),
            item_kind: Some("承诺件".into()),
            catalogue_version: Some("2026.11-demo".into()),
            applicant_name: Some("阿依古丽·买买提".into()),
            applicant_id_masked: Some("450821********3025".into()),
            agent_name: None,
            received_on: Some(d("2026-11-23")),
            accepted_on: Some(d("2026-11-23")),
            limit_text: Some("20个工作日".into()),
            due_date: Some(d("2026-12-21")),
            due_provisional: kind == DocKind::Extension,
            calendar_version: Some("2025.1+2026.1".into()),
            materials: (0..materials).map(|i| material(i, &format!("{}（第{}项）", names[i % names.len()], i + 1))).collect(),
            reasons: vec!["申请人户籍不在本县，依据《最低生活保障审核确认办法》第八条，应向户籍所在地申请。".into()],
            extension_days: Some(10),
            approver: Some("王建国".into()),
            guide: Some(DocGuide {
                department: "乡镇人民政府（农业农村、自然资源联审）".into(),
                legal_basis: "《中华人民共和国土地管理法》第六十二条；《农业农村部 自然资源部关于规范农村宅基地审批管理的通知》（农经发〔2019〕6号）".into(),
                conditions: "本集体经济组织成员，以户为单位申请，一户只能拥有一处宅基地，符合国土空间规划和村庄规划。".into(),
                procedure: vec!["农户向村民小组提出申请".into(), "村民小组会议讨论通过并公示".into(), "乡镇政府审批，核发批准书和许可证".into()],
                limit_text: "20个工作日".into(),
                statutory_limit_text: Some("20个工作日".into()),
                fees: "不收费".into(),
                result: "《农村宅基地批准书》《乡村建设规划许可证》".into(),
                location: "示范镇便民服务中心一楼综合受理窗口".into(),
                consult_phone: "0775-7801234".into(),
                complaint_phone: "12345".into(),
            }),
            notes: vec!["补齐全部材料之日起，承诺办理时限重新计算。".into(), "如对本决定不服，可以自收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。".into()],
            inquiry: (kind == DocKind::InquirySlip).then(|| DocInquiry {
                id: "Q01202611230001".into(),
                received_at: "2026-11-23T09:30:00+08:00".into(),
                channel: "来访".into(),
                person_name: "赵大娘".into(),
                unit: None,
                phone: Some("13907750001".into()),
                matter: "低保年审何时进行，需要带哪些材料".into(),
                disposition: "移交办理".into(),
                handed_to: Some("县民政局社会救助股".into()),
                handover_due: Some(d("2026-11-24")),
                reply_due: Some(d("2026-11-27")),
            }),
        },
        voided_at: None,
        void_reason: None,
        reprints: 0,
    }
}

const QR: &str = "YC1|SL-2026-01-0007|450821102012026112300016|450821102-01|AAAA";

/// The box a text item covers: (x0, y0, x1, y1), y down.
fn text_box(it: &Item) -> Option<(f32, f32, f32, f32, String)> {
    let f = font::font().unwrap();
    match it {
        Item::Text { x, y, size, text, .. } => {
            let w: f32 = text.chars().map(|c| f.advance(c)).sum::<f32>() * size * PT;
            Some((*x, y - size * PT * 0.88, x + w, y + size * PT * 0.12, text.clone()))
        }
        Item::Qr { x, y, size, .. } => Some((*x, *y, x + size, y + size, "QR".into())),
        Item::Line { .. } => None,
    }
}

/// The rules of every page.
fn check_page(p: &Page, what: &str) {
    let boxes: Vec<_> = p.items.iter().filter_map(text_box).collect();
    for (x0, y0, x1, y1, t) in &boxes {
        assert!(*x0 >= 2.0 && *x1 <= p.width - 2.0 + 0.01, "{what}: “{t}” runs off the side ({x0:.1}..{x1:.1})");
        assert!(*y0 >= 1.0 && *y1 <= p.height - 1.0, "{what}: “{t}” runs off the top or bottom ({y0:.1}..{y1:.1})");
        if t != "QR" {
            let first = t.chars().next().unwrap();
            assert!(!yichuang_print::text::NO_LINE_START.contains(first), "{what}: a line starts with “{first}”: {t}");
        }
    }
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let overlap = a.0 < b.2 - 0.05 && b.0 < a.2 - 0.05 && a.1 < b.3 - 0.05 && b.1 < a.3 - 0.05;
            assert!(!overlap, "{what}: “{}” overlaps “{}”", a.4, b.4);
        }
    }
    // Table rules are straight: horizontal or vertical.
    for it in &p.items {
        if let Item::Line { x1, y1, x2, y2, .. } = it {
            assert!((x1 - x2).abs() < 1e-3 || (y1 - y2).abs() < 1e-3, "{what}: a slanted rule");
        }
    }
}

#[test]
fn every_kind_in_both_layouts_keeps_the_rules() {
    for kind in DocKind::ALL {
        for layout in [Layout::A4, Layout::Slip] {
            for stubs in [false, true] {
                let r = record(kind, 5);
                let ps = pages(&r, layout, stubs, QR).unwrap();
                for (i, p) in ps.iter().enumerate() {
                    check_page(p, &format!("{kind:?} {layout:?} page {}", i + 1));
                }
                let text: String = ps.iter().flat_map(Page::texts).collect();
                assert!(text.contains(&r.number), "{kind:?} {layout:?} has its number");
                if kind != DocKind::InquirySlip {
                    assert!(text.contains("农村宅基地和建房"), "{kind:?} {layout:?} names the item");
                }
                if stubs && kind != DocKind::Notice {
                    assert!(text.contains("存根联") && text.contains("申请人联"), "{kind:?} {layout:?} has both copies");
                }
            }
        }
    }
}

#[test]
fn a_forty_material_checklist_paginates_cleanly() {
    let r = record(DocKind::Notice, 40);
    let ps = pages(&r, Layout::A4, false, QR).unwrap();
    assert!(ps.len() >= 3, "{} pages", ps.len());
    let all: Vec<String> = ps.iter().flat_map(|p| p.texts().map(str::to_owned).collect::<Vec<_>>()).collect();
    let joined = all.concat();
    for i in 1..=40 {
        assert!(joined.contains(&format!("（第{i}项）")), "material {i} printed");
    }
    for (i, p) in ps.iter().enumerate() {
        check_page(p, &format!("notice page {}", i + 1));
        assert!(p.texts().any(|t| t == format!("第{}页  共{}页", i + 1, ps.len())), "page number on page {}", i + 1);
        if i > 0 {
            assert!(p.texts().any(|t| t.ends_with("（续）")), "continuation heading on page {}", i + 1);
        }
    }
    // The table header is repeated on every page the table continues on.
    let with_header = ps.iter().filter(|p| p.texts().any(|t| t == "材料名称")).count();
    assert!(with_header >= 2, "header on {with_header} pages");
}

#[test]
fn reprints_and_voids_are_marked() {
    let mut r = record(DocKind::Receipt, 3);
    r.reprints = 1;
    let text: String = pages(&r, Layout::A4, false, QR).unwrap().iter().flat_map(Page::texts).collect();
    assert!(text.contains("（补打）"));
    r.void_reason = Some("申请人姓名录入错误".into());
    r.voided_at = Some("2026-11-24T10:00:00+08:00".into());
    let text: String = pages(&r, Layout::Slip, false, QR).unwrap().iter().flat_map(Page::texts).collect();
    assert!(text.contains("【作废】申请人姓名录入错误"));
}

/// Golden layouts: a regression in positions or lines shows as a diff. Regenerate with
/// `UPDATE_GOLDEN=1 cargo test -p yichuang-print --test layout` and read the diff.
#[test]
fn golden_layouts() {
    for (name, kind, layout) in [
        ("receipt-a4", DocKind::Receipt, Layout::A4),
        ("receipt-slip", DocKind::Receipt, Layout::Slip),
        ("supplement-a4", DocKind::Supplement, Layout::A4),
        ("notice-a4", DocKind::Notice, Layout::A4),
    ] {
        let ps = pages(&record(kind, 5), layout, true, QR).unwrap();
        let got: String = ps.iter().map(Page::describe).collect();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/{name}.txt"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &got).unwrap();
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(got == want, "{name} differs from {} (UPDATE_GOLDEN=1 to accept):\n{}", path.display(), first_difference(&want, &got));
    }
}

fn first_difference(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n- {x}\n+ {y}", i + 1);
        }
    }
    format!("lengths differ: {} vs {} lines", a.lines().count(), b.lines().count())
}

#[test]
fn the_page_rules_catch_what_they_are_for() {
    let text = |x: f32, y: f32, t: &str| Item::Text { x, y, size: 12.0, text: t.into(), bold: false };
    let page = |items| Page { width: 210.0, height: 297.0, items };
    let fails = |p: Page| std::panic::catch_unwind(|| check_page(&p, "bad")).is_err();
    assert!(fails(page(vec![text(30.0, 50.0, "受理通知书"), text(35.0, 51.0, "重叠")])), "overlap");
    assert!(fails(page(vec![text(30.0, 50.0, "，开头")])), "punctuation at a line start");
    assert!(fails(page(vec![text(200.0, 50.0, "出界")])), "off the side");
    assert!(fails(page(vec![Item::Line { x1: 0.0, y1: 0.0, x2: 10.0, y2: 10.0, width: 0.4 }])), "slanted rule");
    assert!(!fails(page(vec![text(30.0, 50.0, "受理通知书"), text(30.0, 60.0, "下一行")])));
}
