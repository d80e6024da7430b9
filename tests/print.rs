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

/// Whether `needle` is in `hay`, allowing it to be wrapped inside a table cell: its characters
/// in order, the other columns' text of the same rows in between, within a short span.
fn contains_wrapped(hay: &str, needle: &str) -> bool {
    if hay.contains(needle) {
        return true;
    }
    let hay: Vec<char> = hay.chars().collect();
    let needle: Vec<char> = needle.chars().collect();
    let limit = needle.len() + 40;
    (0..hay.len()).filter(|&i| hay[i] == needle[0]).any(|start| {
        let mut k = 1;
        let mut i = start + 1;
        while k < needle.len() && i < hay.len() && i - start < limit {
            if hay[i] == needle[k] {
                k += 1;
            }
            i += 1;
        }
        k == needle.len()
    })
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
    // The hand-over slip, signed by who took the result: the applicant here.
    c.ok(&["case", "collect", &n, "--by", "李秀英", "--id-number", &idn, "--actor", "demo"]);
    // Refusal and completion.
    let refused = c.json(&["case", "intake", &c.file("r.json", &json!({"item": "GL-01", "applicant": {"name": "刘桂兰", "id_number": id("45092319420101202")}, "materials": [{"material": "SFZ", "pages": 1}], "refuse": "户籍不在本县，应向户籍所在地申请", "clerk": "demo"})), "--json"]);
    let done = c.json(&["case", "intake", &c.file("i.json", &json!({"item": "YL-01", "applicant": {"name": "王小明", "id_number": id("45082119900301001")}, "materials": [{"material": "SFZ", "pages": 1}, {"material": "HKB", "pages": 2}, {"material": "DJB", "pages": 1}], "clerk": "demo"})), "--json"]);
    // Notice and inquiry slip.
    c.ok(&["doc", "notice", "ZJ-01", "--person", "陈建华", "--actor", "demo"]);
    c.json(&["inquiry", "add", &c.file("q.json", &json!({"channel": "visit", "person": "赵大娘", "matter": "低保年审何时进行", "disposition": "handover", "handed_to": "县民政局社会救助股", "responder": "demo"})), "--json"]);
    let checks: Vec<(String, Vec<String>)> = vec![
        ("YQ-2026-01-0001".into(), vec![masked.clone(), "残疾人证申领".into(), "需组织残疾评定".into(), "〔2026〕延字第01-0001号".into()]),
        ("LQ-2026-01-0001".into(), vec![masked.clone(), "残疾人证申领".into(), "近期二寸免冠白底彩色照片".into(), "〔2026〕领字第01-0001号".into(), "领取人".into()]),
        (
            "JF-2026-01-0001".into(),
            vec![masked.clone(), "残疾人证申领".into(), "〔2026〕交字第01-0001号".into(), "李秀英（申请人本人）".into(), "领取人（签字".into(), "存根联".into()],
        ),
        (refused["documents"][0]["number"].as_str().unwrap().into(), vec!["刘桂兰".into(), "高龄津贴申请".into(), "户籍不在本县".into(), "行政复议".into(), "〔2026〕不受字第01-0001号".into()]),
        (done["documents"][0]["number"].as_str().unwrap().into(), vec!["王小明".into(), "城乡居民基本养老保险参保登记".into(), "城乡居民基本养老保险参保登记表".into(), "〔2026〕结字第01-0001号".into()]),
        ("GZ-2026-01-0001".into(), {
            // Every material of the item, by the catalogue.
            let item = c.json(&["catalog", "show", "ZJ-01", "--json"]);
            let mut v: Vec<String> = item["materials"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_owned()).collect();
            assert_eq!(v.len(), 7);
            v.extend(["陈建华".into(), "农村宅基地和建房（规划许可）审批".into(), "土地管理法".into(), "〔2026〕告字第01-0001号".into(), "2026.12-demo".into()]);
            v
        }),
        ("SW-2026-01-0001".into(), vec!["赵大娘".into(), "低保年审何时进行".into(), "县民政局社会救助股".into(), "〔2026〕问字第01-0001号".into(), "接收人".into()]),
    ];
    for (number, needed) in checks {
        for layout in ["a4", "slip"] {
            let out = c.dir.path().join(format!("{number}-{layout}.pdf"));
            c.ok(&["doc", "render", &number, "--layout", layout, "--out", out.to_str().unwrap()]);
            let text = check_pdf(out.to_str().unwrap());
            let flat: String = text.split_whitespace().collect();
            for n in &needed {
                if layout == "slip" && (n == "行政复议" || n == "土地管理法" || n == "接收人" || n == "领取人" || n == "存根联") {
                    continue; // the slip carries the essentials; the A4 form carries all
                }
                assert!(contains_wrapped(&flat, n), "{number} ({layout}) lacks “{n}”:\n{text}");
            }
            assert!(!flat.contains(&idn), "{number} ({layout}) must not carry the full ID number");
        }
    }
}

#[test]
fn a_printed_qr_code_verifies_and_a_forged_one_does_not() {
    let c = Centre::new();
    let pdf = c.dir.path().join("notice.pdf");
    c.ok(&["doc", "notice", "YL-01", "--actor", "demo", "--out", pdf.to_str().unwrap()]);
    let text = check_pdf(pdf.to_str().unwrap());
    assert!(text.contains("城乡居民基本养老保险参保登记") && text.contains("2026.12-demo"), "{text}");
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

/// The QR code binds the document's content: a genuine code on a receipt whose name or date
/// was changed fails `doc verify --document`, and the genuine content is shown to compare.
#[test]
fn a_forged_document_with_a_genuine_qr_code_fails_verification() {
    let c = Centre::new();
    c.json(&["case", "intake", &c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL)), "--json"]);
    let qr = c.ok(&["doc", "qr", "SL-2026-01-0001"]).trim().to_owned();
    assert!(qr.starts_with("YC2|SL-2026-01-0001|"), "{qr}");
    let out = c.ok(&["doc", "verify", &qr]);
    assert!(out.contains("真实：〔2026〕受字第01-0001号") && out.contains("申请人：李秀英") && out.contains("承诺办结日期：2026-12-21"), "{out}");
    let genuine: serde_json::Value = c.json(&["doc", "show", "SL-2026-01-0001", "--json"]);
    let f = c.file("genuine.json", &genuine);
    assert!(c.ok(&["doc", "verify", &qr, "--document", &f]).contains("真实"));
    for (field, value) in [("applicant_name", json!("李秀兰")), ("due_date", json!("2026-12-01")), ("title", json!("准予许可决定书"))] {
        let mut forged = genuine.clone();
        forged["body"][field] = value;
        let f = c.file(&format!("forged-{field}.json"), &forged);
        let out = c.run(&["doc", "verify", &qr, "--document", &f]);
        assert!(!out.status.success(), "{field}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("伪造：二维码是〔2026〕受字第01-0001号的真实二维码，但文书内容与它签发时不同"), "{field}");
    }
}

/// The first page of a PDF as 8-bit grey pixels: (width, height, pixels).
fn gray(pdf: &std::path::Path) -> (usize, usize, Vec<u8>) {
    let out = Command::new("pdftoppm").args(["-r", "30", "-gray", "-f", "1", "-l", "1", "-singlefile"]).arg(pdf).output().unwrap();
    assert!(out.status.success());
    let data = out.stdout;
    // PGM: "P5\n<w> <h>\n255\n" then the pixels.
    let mut fields = vec![];
    let mut i = 0;
    while fields.len() < 4 {
        while data[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..i]).into_owned());
    }
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, data[i + 1..].to_vec())
}

/// A real print job through CUPS to a PDF queue (cups-pdf), by the same code path the app uses.
#[test]
fn a_document_goes_to_a_cups_printer() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let setup = Command::new("bash").arg(root.join("scripts/cups-test-printer.sh")).output().unwrap();
    assert!(setup.status.success(), "the test printer could not be set up: {}", String::from_utf8_lossy(&setup.stderr));
    let c = Centre::new();
    let printers = c.json(&["print", "list", "--json"]);
    assert!(printers.as_array().unwrap().iter().any(|p| p["name"] == "YichuangPDF"), "{printers}");
    c.ok(&["doc", "notice", "SY-01", "--person", "周小红", "--actor", "demo"]);
    let out_dir = std::path::PathBuf::from(std::env::var("HOME").unwrap()).join("PDF");
    let before: Vec<_> = std::fs::read_dir(&out_dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    let out = c.ok(&["doc", "print", "GZ-2026-01-0001", "--printer", "YichuangPDF"]);
    assert!(out.contains("已发送到打印机YichuangPDF（作业YichuangPDF-"), "{out}");
    // cups-pdf writes the printed file; wait for it.
    let mut printed = None;
    for _ in 0..150 {
        if let Ok(d) = std::fs::read_dir(&out_dir) {
            printed = d.flatten().map(|e| e.path()).find(|p| !before.contains(p) && p.to_string_lossy().contains("GZ-2026-01-0001"));
        }
        if printed.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let printed = printed.expect("the printed file appears in ~/PDF");
    std::thread::sleep(std::time::Duration::from_millis(500));
    // cups-pdf re-distils the file (its text layer is not kept), so compare what the pages look
    // like: ours and the printed one, rasterised the same way, pixel by pixel.
    let ours = c.dir.path().join("ours.pdf");
    c.ok(&["doc", "render", "GZ-2026-01-0001", "--out", ours.to_str().unwrap()]);
    assert!(tool("qpdf", &["--check", printed.to_str().unwrap()]).contains("No syntax or stream encoding errors"));
    let a = gray(&ours);
    let b = gray(&printed);
    assert!(a.0.abs_diff(b.0) <= 2 && a.1.abs_diff(b.1) <= 2, "same page size: {:?} {:?}", (a.0, a.1), (b.0, b.1));
    let (w, h) = (a.0.min(b.0), a.1.min(b.1));
    let px = |img: &(usize, usize, Vec<u8>), x: usize, y: usize| i32::from(img.2[y * img.0 + x]);
    let total: u64 = (0..h).flat_map(|y| (0..w).map(move |x| (x, y))).map(|(x, y)| (px(&a, x, y) - px(&b, x, y)).unsigned_abs() as u64).sum();
    let diff = total / (w * h) as u64;
    let ink = a.2.iter().filter(|v| **v < 128).count();
    assert!(ink > 1000, "the page has content");
    assert!(diff < 6, "the printed page looks like ours (mean difference {diff})");
    // A printer that does not exist is a clear error.
    let out = c.run(&["doc", "print", "GZ-2026-01-0001", "--printer", "NoSuchPrinter"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("找不到打印机“NoSuchPrinter”"));
}

/// ESC/POS through CUPS to a network thermal printer (a raw socket, as on port 9100): the bytes
/// that arrive are exactly the ones `doc escpos` writes.
#[test]
fn escpos_goes_raw_to_a_socket_printer() {
    use std::io::Read;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let setup = Command::new("bash").arg(root.join("scripts/cups-test-printer.sh")).output().unwrap();
    assert!(setup.status.success(), "the test printer could not be set up: {}", String::from_utf8_lossy(&setup.stderr));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let add = Command::new("lpadmin").args(["-p", "YichuangThermal", "-E", "-v", &format!("socket://127.0.0.1:{port}")]).output().unwrap();
    assert!(add.status.success(), "lpadmin: {}", String::from_utf8_lossy(&add.stderr));
    let receiver = std::thread::spawn(move || {
        listener.set_nonblocking(false).unwrap();
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
        let mut got = vec![];
        conn.read_to_end(&mut got).unwrap();
        got
    });
    let c = Centre::new();
    let o = c.json(&["case", "intake", &c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL)), "--json"]);
    let number = o["documents"][0]["number"].as_str().unwrap().to_owned();
    let out = c.ok(&["doc", "print", &number, "--printer", "YichuangThermal", "--escpos"]);
    assert!(out.contains("已发送到打印机YichuangThermal"), "{out}");
    let got = receiver.join().unwrap();
    let direct = c.dir.path().join("direct.bin");
    c.ok(&["doc", "escpos", &number, "--out", direct.to_str().unwrap()]);
    let want = std::fs::read(&direct).unwrap();
    assert!(want.len() > 500);
    assert_eq!(got, want, "the printer received exactly the ESC/POS stream");
    let _ = Command::new("lpadmin").args(["-x", "YichuangThermal"]).output();
}

/// 王𪚥 (U+2A6A5, CJK Extension B): a name as it is on the card is printed as it is, the rare
/// character from the rare-character font (fonts-hanazono) beside the document's own, both
/// embedded as subsets with a Unicode map, so the text reads back whole.
#[test]
fn a_rare_character_in_a_name_is_printed_not_boxed() {
    let c = Centre::new();
    let dir = c.dir.path().join("pdf");
    let idn = id("45082119680405302");
    let mut form = cj01(&idn, &["SFZ", "HKB", "ZP", "SQB"]);
    form["applicant"]["name"] = json!("王𪚥");
    let o = c.json(&["case", "intake", &c.file("a.json", &form), "--json", "--print-dir", dir.to_str().unwrap()]);
    let pdf = o["documents"][0]["pdf"].as_str().unwrap().to_owned();
    let fonts = tool("pdffonts", &[&pdf]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 2, "the document's font and the rare-character font: {fonts}");
    assert!(rows.iter().any(|r| r.contains("NotoSerifCJKsc")) && rows.iter().any(|r| r.contains("HanaMinB")), "{fonts}");
    for r in &rows {
        let cols: Vec<&str> = r.split_whitespace().collect();
        assert_eq!(&cols[cols.len() - 5..cols.len() - 2], ["yes", "yes", "yes"], "embedded, subset, Unicode map: {fonts}");
    }
    assert!(tool("qpdf", &["--check", &pdf]).contains("No syntax or stream encoding errors"));
    let text: String = tool("pdftotext", &[&pdf, "-"]).split_whitespace().collect();
    assert!(text.contains("王𪚥"), "{text}");
}
