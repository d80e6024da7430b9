//! A month of generated activity (`yichuang_report::testkit`) with the monthly report checked
//! figure by figure against the generator's ledger, and the xlsx read back by LibreOffice.
#![allow(clippy::unwrap_used)]

use chrono::Datelike;
use yichuang_report::testkit::{check, november};
use yichuang_report::Period;

#[test]
fn a_month_at_a_busy_centre_matches_the_ledger_figure_by_figure() {
    let dir = tempfile::tempdir().unwrap();
    let (s, l) = november(dir.path(), 100, &mut |_| {});
    let report = yichuang_report::from_store(&s, Period::month(2026, 11).unwrap()).unwrap();
    assert!(report.total.received >= 2_000, "{}", report.total.received);
    assert!(report.total.overdue > 0 && report.total.extensions > 0 && report.total.bad_ratings > 0, "{:?}", report.total);
    assert!(l.complaints > 0 && l.inquiries_closed > l.inquiries_on_time, "some inquiries replied late: {l:?}");
    check(&report, &l);
    eprintln!("November: {:?}\ncentre: {:?}", report.total, report.centre_figures);
    assert_eq!(report.period.from.month(), 11);
    // The xlsx has both sheets and the figures; LibreOffice reads it back (where installed).
    let bytes = yichuang_report::xlsx::workbook(&report).unwrap();
    let file = dir.path().join("report.xlsx");
    std::fs::write(&file, &bytes).unwrap();
    if std::process::Command::new("libreoffice").arg("--version").output().is_ok() {
        let out = std::process::Command::new("libreoffice")
            // Comma-separated, double-quoted, UTF-8 (character set 76).
            .args(["--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir"])
            .arg(dir.path())
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let csv = std::fs::read_to_string(dir.path().join("report.csv")).unwrap();
        let total = csv.lines().find(|l| l.contains("合计")).unwrap_or_else(|| panic!("{csv}"));
        let cells: Vec<&str> = total.split(',').collect();
        assert_eq!(cells[2], report.total.received.to_string(), "{total}");
        assert_eq!(cells[7], report.total.completed.to_string(), "{total}");
        assert_eq!(cells[9], report.total.overdue.to_string(), "{total}");
    } else {
        panic!("libreoffice is needed to check the xlsx (scripts/test.sh installs libreoffice-calc-nogui)");
    }
}
