//! The print crate's layouts, checked without a person looking: golden page descriptions,
//! and rules every page of every document must keep (nothing overlapping or clipped, no line
//! starting with closing punctuation, tables straight, long checklists paginated).
#![allow(clippy::unwrap_used)]

mod fixture;

use fixture::record;
use yichuang_core::DocKind;
use yichuang_print::layout::{Item, Page, PT};
use yichuang_print::{font, pages, Layout};

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
                    let (stub, other) = match kind {
                        DocKind::InquirySlip => ("存根联", "接收部门联"),
                        // The applicant signs both; the centre files one.
                        DocKind::Commitment => ("中心存档联", "申请人留存联"),
                        _ => ("存根联", "申请人联"),
                    };
                    assert!(text.contains(stub) && text.contains(other), "{kind:?} {layout:?} has both copies");
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
    // YICHUANG_PDF_OUT=dir writes the PDFs of these tests for a person to look at.
    if let Some(dir) = std::env::var_os("YICHUANG_PDF_OUT") {
        std::fs::write(std::path::Path::new(&dir).join("notice-40.pdf"), yichuang_print::render(&r, Layout::A4, false, QR).unwrap()).unwrap();
    }
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

/// The 承诺书 speaks as whoever applies: a person (本人, the number masked, 签名或按手印) or an
/// organisation (本单位, its public credit code, 盖章); an agent who brought it signs too.
#[test]
fn the_commitment_speaks_as_the_applicant_and_the_agent_signs_too() {
    let text = |r: &yichuang_store::DocumentRecord| pages(r, Layout::A4, false, QR).unwrap().iter().flat_map(Page::texts).collect::<String>();
    let person = record(DocKind::Commitment, 1);
    let t = text(&person);
    assert!(t.contains("本人") && t.contains("身份证号码：") && t.contains("承诺人（签名或按手印）"), "{t}");
    assert!(!t.contains("本单位"));
    let mut org = record(DocKind::Commitment, 1);
    org.body.applicant_name = Some("示范镇惠民农机专业合作社".into());
    org.body.applicant_id_masked = Some("93450821MA5N7X2K3B".into());
    org.body.agent_name = Some("黄志强".into());
    let t = text(&org);
    assert!(t.contains("本单位示范镇惠民农机专业合作社（统一社会信用代码：93450821MA5N7X2K3B）"), "{t}");
    assert!(t.contains("委托黄志强代为办理") && t.contains("承诺单位（盖章）") && t.contains("代办人（签名）"), "{t}");
    assert!(!t.contains("身份证号码"));
}
