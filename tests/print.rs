//! Printed documents of every kind, through the command line: the PDF carries the text a reader
//! needs (pdftotext), one embedded subset font with a Unicode map (pdffonts), and is a sound file
//! (qpdf --check). Needs poppler-utils and qpdf, which scripts/test.sh installs.

use std::process::Command;

use serde_json::json;

use crate::util::*;

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| panic!("{name} is needed (scripts/test.sh installs it): {e}"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Checks one PDF and returns its text.
fn check_pdf(path: &str) -> String {
    let fonts = tool("pdffonts", &[path]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 1, "one font: {fonts}");
    let cols: Vec<&str> = rows[0].split_whitespace().collect();
    assert!(cols[0].contains('+') && cols[0].contains("NotoSerifCJKsc"), "a subset of Noto Serif SC: {fonts}");
    assert_eq!(&cols[cols.len() - 5..cols.len() - 2], ["yes", "yes", "yes"], "embedded, subset, Unicode map: {fonts}");
    assert!(tool("qpdf", &["--check", path]).contains("No syntax or stream encoding errors"));
    tool("pdftotext", &[path, "-"])
}

#[test]
fn every_kind_of_document_prints_what_it_must() {
    let c = Centre::new();
    let dir = c.dir.path().join("pdf");
    let dir_s = dir.to_str().unwrap();
    let idn = id("45082119680405302");
    let masked = format!("{}********{}", &idn[..6], &idn[14..]);
    // Supplement notice, then receipt, via --print-dir.
    let o = c.json(&["case", "intake", &c.file("a.json", &cj01(&idn, &["SFZ", "HKB"])), "--json", "--print-dir", dir_s]);
    let n = o["case_number"].as_str().unwrap().to_owned();
    let pdf = o["documents"][0]["pdf"].as_str().unwrap().to_owned();
    assert!(pdf.ends_with("BZ-2026-01-0001.pdf"), "{pdf}");
    let text = check_pdf(&pdf);
    for needed in [masked.as_str(), "残疾人证申领", "近期二寸免冠白底彩色照片", "残疾人证申请表", "〔2026〕补字第01-0001号", "重新计算"] {
        assert!(text.contains(needed), "supplement notice lacks “{needed}”:\n{text}");
    }
    let rest = c.file("rest.json", &json!({"materials": [{"material": "ZP", "pages": 1, "copies": 3}, {"material": "SQB", "pages": 2}], "clerk": "demo"}));
    let o = c.json(&["case", "supplement", &n, &rest, "--json", "--print-dir", dir_s]);
    let text = check_pdf(o["documents"][0]["pdf"].as_str().unwrap());
    for needed in [masked.as_str(), "残疾人证申领", "申请人居民身份证", "户口簿", "近期二寸免冠白底彩色照片", "残疾人证申请表", "〔2026〕受字第01-0001号", "2026年12月21日", "存根联"] {
        assert!(text.contains(needed), "receipt lacks “{needed}”:\n{text}");
    }
    // Extension and collection slip.
    c.ok(&["case", "extend", &n, "--days", "5", "--reason", "需组织残疾评定", "--approver", "head", "--actor", "demo"]);
    c.ok(&["case", "decide", &n, "--approve", "--actor", "demo"]);
    c.ok(&["case", "ready", &n, "--actor", "demo"]);
    // Refusal and completion.
    let refused = c.json(&["case", "intake", &c.file("r.json", &json!({"item": "GL-01", "applicant": {"name": "刘桂兰", "id_number": id("45092319420101202")}, "materials": [{"material": "SFZ", "pages": 1}], "refuse": "户籍不在本县，应向户籍所在地申请", "clerk": "demo"})), "--json"]);
    let done = c.json(&["case", "intake", &c.file("i.json", &json!({"item": "YL-01", "applicant": {"name": "王小明", "id_number": id("45082119900301001")}, "materials": [{"material": "SFZ", "pages": 1}, {"material": "HKB", "pages": 2}, {"material": "DJB", "pages": 1}], "clerk": "demo"})), "--json"]);
    // Notice and inquiry slip.
    c.ok(&["doc", "notice", "ZJ-01", "--person", "陈建华", "--actor", "demo"]);
    c.json(&["inquiry", "add", &c.file("q.json", &json!({"channel": "visit", "person": "赵大娘", "matter": "低保年审何时进行", "disposition": "handover", "handed_to": "县民政局社会救助股", "responder": "demo"})), "--json"]);
    let checks: Vec<(String, Vec<String>)> = vec![
        ("YQ-2026-01-0001".into(), vec![masked.clone(), "残疾人证申领".into(), "需组织残疾评定".into(), "〔2026〕延字第01-0001号".into()]),
        ("LQ-2026-01-0001".into(), vec![masked.clone(), "残疾人证申领".into(), "近期二寸免冠白底彩色照片".into(), "〔2026〕领字第01-0001号".into(), "领取人".into()]),
        (refused["documents"][0]["number"].as_str().unwrap().into(), vec!["刘桂兰".into(), "高龄津贴申请".into(), "户籍不在本县".into(), "行政复议".into(), "〔2026〕不受字第01-0001号".into()]),
        (done["documents"][0]["number"].as_str().unwrap().into(), vec!["王小明".into(), "城乡居民基本养老保险参保登记".into(), "城乡居民基本养老保险参保登记表".into(), "〔2026〕结字第01-0001号".into()]),
        ("GZ-2026-01-0001".into(), vec!["陈建华".into(), "农村宅基地和建房（规划许可）审批".into(), "农村宅基地使用承诺书".into(), "住房设计图或通用图".into(), "土地管理法".into(), "〔2026〕告字第01-0001号".into(), "2026.11-demo".into()]),
        ("SW-2026-01-0001".into(), vec!["赵大娘".into(), "低保年审何时进行".into(), "县民政局社会救助股".into(), "〔2026〕问字第01-0001号".into(), "接收人".into()]),
    ];
    for (number, needed) in checks {
        for layout in ["a4", "slip"] {
            let out = c.dir.path().join(format!("{number}-{layout}.pdf"));
            c.ok(&["doc", "render", &number, "--layout", layout, "--out", out.to_str().unwrap()]);
            let text = check_pdf(out.to_str().unwrap());
            let flat: String = text.split_whitespace().collect();
            for n in &needed {
                if layout == "slip" && (n == "行政复议" || n == "土地管理法" || n == "接收人" || n == "领取人" || n == "农村宅基地使用承诺书" || n == "住房设计图或通用图") {
                    continue; // the slip carries the essentials; the A4 form carries all
                }
                assert!(flat.contains(n.as_str()), "{number} ({layout}) lacks “{n}”:\n{text}");
            }
            assert!(!flat.contains(&idn), "{number} ({layout}) must not carry the full ID number");
        }
    }
}

#[test]
fn a_printed_qr_code_verifies_and_a_forged_one_does_not() {
    let c = Centre::new();
    c.ok(&["doc", "notice", "YL-01", "--actor", "demo"]);
    let store = c.store();
    drop(store);
    let mut store = c.store();
    let qr = store.document_qr("GZ-2026-01-0001", at(NOW)).unwrap();
    let out = c.ok(&["doc", "verify", &qr]);
    assert!(out.contains("真实：〔2026〕告字第01-0001号"), "{out}");
    let forged = qr.replace("GZ-2026-01-0001", "GZ-2026-01-0009");
    let out = c.run(&["doc", "verify", &forged]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("签名不符"));
    c.ok(&["doc", "void", "GZ-2026-01-0001", "--reason", "打印错误", "--actor", "head"]);
    let out = c.ok(&["doc", "verify", &qr]);
    assert!(out.contains("已作废，原因：打印错误"), "{out}");
}
