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

/// The report reads only what its period needs (the cases touched in it or running, the
/// period's inquiries and complaints), and says exactly what a fold of the whole history says:
/// for every day of the month, the month, and the month in progress.
#[test]
fn a_period_read_from_its_own_events_is_the_fold_of_the_whole_history() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = november(dir.path(), 30, &mut |_| {});
    let mut all = vec![];
    let mut after = 0;
    loop {
        let batch = s.events_after(after, 10_000).unwrap();
        let Some(last) = batch.last() else { break };
        after = last.seq;
        all.extend(batch);
    }
    let names: std::collections::HashMap<String, (String, String)> = s
        .catalogue()
        .unwrap()
        .iter()
        .map(|e| (e.item.code().to_string(), (e.item.name().to_owned(), yichuang_report::limit_label(&e.item))))
        .collect();
    let whole = |period: Period| {
        let evs = all.iter().map(|e| yichuang_report::Ev { at: &e.at, kind: &e.kind, subject: &e.subject, payload: &e.payload });
        yichuang_report::fold(&s.centre().unwrap().name, evs, s.calendar(), period, &names)
    };
    let month = Period::month(2026, 11).unwrap();
    let mut periods: Vec<Period> = (1..=30).map(|d| Period::day(chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap())).collect();
    periods.push(month);
    periods.push(month.as_of(chrono::NaiveDate::from_ymd_opt(2026, 11, 18).unwrap()));
    let read = s.events_for_period(month.from, month.to).unwrap().len();
    assert!(read > 0 && read <= all.len());
    for p in periods {
        let bounded = yichuang_report::from_store(&s, p).unwrap();
        let full = whole(p);
        assert_eq!((&bounded.items, &bounded.total, &bounded.centre_figures), (&full.items, &full.total, &full.centre_figures), "{p:?}");
        assert_eq!(bounded.by_staff.len(), full.by_staff.len(), "{p:?}");
        let day = s.events_for_period(p.from, p.to).unwrap().len();
        if p.from == p.to {
            assert!(day < all.len(), "a day reads less than the whole history: {day} of {}", all.len());
        }
    }
}
