//! Where a document goes: the centre's A4 and slip printers from its settings, and the folder
//! its files are kept in (beside the database, under the platform's data folder for the window;
//! each case's documents in a folder of their own, a reprint never over an earlier file — that
//! is `yichuang_print::deliver`'s).

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use yichuang_print::{Delivered, Layout, Target};
use yichuang_store::Store;

use crate::{filled, AppError, AppResult, Choice};

/// The folder beside the database where a centre keeps what it prints, its backups (`backups`)
/// and its reports (`reports`).
pub fn folder(db: &Path, name: &str) -> PathBuf {
    db.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).join(name)
}

/// A layout as either edge names it (`a4`, `slip`).
pub fn layout(text: &str) -> AppResult<Layout> {
    Layout::parse(text.trim()).ok_or_else(|| AppError::Choice { choice: Choice::Layout, given: text.trim().to_owned() })
}

/// How this centre prints `layout`: its printers and stub setting; files kept in the database's
/// `print` folder.
pub fn target(store: &Store, layout: Layout) -> AppResult<Target> {
    let set = &store.centre()?.settings;
    Ok(Target {
        layout,
        stub_copies: set.stub_copies,
        printer: filled(&set.printer).map(str::to_owned),
        slip_printer: filled(&set.slip_printer).map(|p| (p.to_owned(), set.slip_encoding.clone())),
        dir: folder(store.path(), "print"),
    })
}

/// Prints the stored document `number` (with its signed QR code) to `target`.
pub fn print(store: &mut Store, number: &str, target: &Target, now: DateTime<FixedOffset>) -> AppResult<Delivered> {
    let record = store.document(number)?;
    let qr = store.document_qr(number, now)?;
    Ok(yichuang_print::deliver(&record, &qr, target)?)
}

/// 补打: the reprint recorded by `clerk`, then the document printed marked as such.
pub fn reprint(store: &mut Store, number: &str, clerk: &str, now: DateTime<FixedOffset>) -> AppResult<Delivered> {
    store.reprint_document(number, clerk, now)?;
    let target = target(store, Layout::A4)?;
    print(store, number, &target, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_kept_beside_the_database_never_in_the_working_directory_s_guess() {
        assert_eq!(folder(Path::new("/data/yichuang/centre.db"), "print"), PathBuf::from("/data/yichuang/print"));
        assert_eq!(folder(Path::new("centre.db"), "reports"), PathBuf::from("./reports"));
        assert!(layout("slip").is_ok() && layout(" a4 ").is_ok());
        assert_eq!(layout("letter").unwrap_err().code(), "input.choice");
    }
}
