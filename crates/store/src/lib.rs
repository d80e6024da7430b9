//! The centre's local store (SQLite): the one writer of the database.
//!
//! - `schema.sql` at the repository root is migration 1; later migrations are appended to
//!   [`MIGRATIONS`] and never edited. A database from a newer version is refused; a backup is
//!   taken before an existing database is migrated.
//! - WAL, `synchronous=FULL`, foreign keys on.
//! - One transaction per user action: the change, its event (the sync outbox) and any number it
//!   takes are committed together or not at all.
//! - Nothing is ever deleted (the schema refuses it).
//! - Time is passed in by the caller (`now`); the store never reads the clock.

mod assets;
mod board;
mod cases;
mod documents;
mod drafts;
mod error;
mod events;
pub mod files;
mod inquiries;
mod keys;
mod lan;
mod machine_key;
mod peers;
mod pins;
mod quality;
mod service_rating;
mod sms;
mod supervision;
mod sync;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};
use yichuang_core::{Calendar, CentreCode, FreeText, ServiceItem, TerminalId};
use yichuang_events as ev;
use yichuang_events::Event;

pub use assets::{bundled_calendar, CalendarFile, CatalogueFile, ItemFile, RegionalFile, DEMO_CATALOGUE};
pub use board::{QueueItem, QueueKind, TodayBoard};
pub use drafts::MAX_DRAFT_BYTES;
pub use cases::{
    ApplicantInput, ApplicantMatch, ApplicantView, CaseFilter, CaseSummary, CaseView, IntakeOutcome, IntakePreview, IntakeRequest, OpenCase,
    MaterialView, Party, SupplementRequest,
};
pub use sms::{SmsReport, SmsRow};
pub use documents::{DocCollector, DocGuide, DocInquiry, DocMaterial, DocumentBody, DocumentRecord, DocumentRef};
pub use error::{io_reason, json_reason, sqlite_reason, Result, StoreError};
pub use events::{chain_hash, ChainFault, EventRecord, GENESIS_HASH};
pub use inquiries::{Channel, Disposition, InquiryInput, InquiryView};
pub use keys::QrVerdict;
pub use lan::{parse_peer_url, PeerEndpoint, PeerHello};
pub use machine_key::{Keyring, MachineKey};
pub use pins::{pin_rule, FREE_ATTEMPTS};
pub use peers::{Acceptance, Conflict, PeerBatch, PeerImport, PeerStream};
pub use quality::{ComplaintInput, ComplaintView, DutyView, RatingInput, ReturnVisit};
pub use service_rating::{ServiceRated, ServiceRatingRow, ServiceToRate};
pub use supervision::{Supervision, SupervisionNotice};
pub use sync::{Enrolment, EventSync, Rejection, SyncStatus};

/// Migration 1 is the schema; append later migrations, never edit one that has shipped.
pub const MIGRATIONS: &[&str] = &[include_str!("../../../schema.sql"), include_str!("migrations/002_terminal_key.sql"),
    include_str!("migrations/003_sync.sql"),
    include_str!("migrations/004_quality.sql"),
    include_str!("migrations/005_peers.sql"),
    include_str!("migrations/006_lan.sql"),
    include_str!("migrations/007_pins.sql"),
    include_str!("migrations/008_revoked.sql"),
    include_str!("migrations/009_supervision.sql"),
    include_str!("migrations/010_clock.sql"),
    include_str!("migrations/011_seal.sql"),
    include_str!("migrations/012_pin_binding.sql"),
    include_str!("migrations/013_tolerance.sql"),
    include_str!("migrations/014_service_rating.sql"),
    include_str!("migrations/015_handover.sql"),
    include_str!("migrations/016_sms.sql"),
    include_str!("migrations/017_search.sql"),
    include_str!("migrations/018_period_index.sql"),
    include_str!("migrations/019_agent_phone.sql"),
    include_str!("migrations/020_sealed_secrets.sql"),
    include_str!("migrations/021_intake_draft.sql"),
];

/// The migration after whose SQL the chain is sealed and the PINs masked with this PC's key.
const SEAL_MIGRATION: usize = 11;
/// The migration after whose SQL the first-form PIN masks are bound to their owners.
const REBIND_MIGRATION: usize = 12;
/// The migration after whose SQL the CHECK lists of statuses, decisions and document kinds
/// take the 容缺 ones.
const TOLERANCE_MIGRATION: usize = 13;
/// The migration after whose SQL document kinds take the hand-over slip.
const HANDOVER_MIGRATION: usize = 15;
/// The migration that adds the applicants' pinyin columns, filled for those already held.
const SEARCH_MIGRATION: usize = 17;
/// The migration whose transaction seals the stored secrets (the terminal's signing key, each
/// enrolment's batch key) under this PC's key.
pub(crate) const SECRETS_MIGRATION: usize = 20;

/// Checks that `pem` holds at least one certificate (`-----BEGIN CERTIFICATE-----`, base64),
/// and gives the first one's SHA-256 fingerprint in groups of four hex digits (as
/// `yichuang-hq tls-init` prints it, to compare by phone).
pub fn pem_certificate(pem: &str) -> Result<String> {
    use base64::Engine;
    use sha2::Digest;
    let body = pem.split("-----BEGIN CERTIFICATE-----").nth(1).and_then(|r| r.split("-----END CERTIFICATE-----").next());
    let der = body.and_then(|b| {
        let b: String = b.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD.decode(b).ok().filter(|der| der.len() > 100 && der[0] == 0x30)
    });
    match der {
        Some(der) => {
            let hex: Vec<String> = sha2::Sha256::digest(&der).iter().map(|b| format!("{b:02X}")).collect();
            Ok(hex.chunks(2).map(|c| c.concat()).collect::<Vec<_>>().join(" "))
        }
        None => Err(StoreError::Rule("县级根证书应为PEM格式（以 -----BEGIN CERTIFICATE----- 开头的文本），请用县级提供的 county-ca.pem".into())),
    }
}

/// The centre this database belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Centre {
    pub code: CentreCode,
    pub name: String,
    pub terminal: TerminalId,
    pub settings: Settings,
}

/// The centre's settings, kept as JSON in the `centre` row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Yellow when this many working days or fewer are left.
    pub warning_days: u32,
    /// Print a stub copy (存根联) kept by the centre.
    pub stub_copies: bool,
    /// 超时默认制: an item not completed in time is deemed approved (off by default).
    pub deemed_approval: bool,
    /// The centre's consultation phone printed on documents.
    pub phone: String,
    /// The centre's address, printed on documents.
    pub address: String,
    /// The A4 printer's name (CUPS queue or Windows printer); empty for the system default.
    pub printer: String,
    /// The 80 mm slip printer's queue, if the window has one.
    pub slip_printer: String,
    /// The slip printer's text encoding: `gb18030`, `gbk`, `utf8`, or `raster`.
    pub slip_encoding: String,
    /// Working days to answer a complex complaint.
    pub complaint_complex_days: u32,
    /// Working days to rectify a bad rating (15 in some provinces, 5 in others).
    pub rectification_days: u32,
    /// The county's public key (base64url Ed25519), as the county hands it out with the
    /// installer: files for HQ are sealed to it before this terminal ever enrols (after
    /// enrolment, the key HQ gave at enrolment is used).
    pub hq_public_key: String,
    /// Where this window serves its stream to the centre's other windows (`0.0.0.0:47810`);
    /// empty: it does not.
    pub peer_listen: String,
    /// The county's own root certificate (PEM), as the county hands it out with the installer:
    /// HQ's HTTPS certificate is then trusted only if that CA issued it. Empty: public roots.
    pub hq_ca: String,
    /// The window locks after this many minutes without a key or a click (the applicant may
    /// be looking at the screen), 1 to 120.
    pub idle_lock_minutes: u32,
    /// 容缺受理 is not offered to an applicant with a recorded broken commitment (a case of
    /// theirs terminated for materials owed); off by default.
    pub bar_broken_commitments: bool,
    /// Each window has a rating screen (评价器) that faces the applicant: it opens full screen
    /// on a second monitor, or as a window of its own where there is none. Off by default.
    pub rating_screen: bool,
    /// The identity-card reader's vendor library (`libsdtapi.so`, `termb.dll` …), loaded in a
    /// helper process; empty: no library (a keyboard-emulation reader needs none).
    pub card_reader_lib: String,
    /// The reader's port: 0 tries the USB ports 1001–1016 and then the serial ports 1–16.
    pub card_reader_port: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            warning_days: 2,
            stub_copies: true,
            deemed_approval: false,
            phone: String::new(),
            address: String::new(),
            printer: String::new(),
            slip_printer: String::new(),
            slip_encoding: "gb18030".into(),
            complaint_complex_days: yichuang_core::quality::limits::COMPLAINT_COMPLEX_DEFAULT,
            rectification_days: yichuang_core::quality::limits::RECTIFICATION_DEFAULT,
            hq_public_key: String::new(),
            peer_listen: String::new(),
            hq_ca: String::new(),
            idle_lock_minutes: 5,
            bar_broken_commitments: false,
            rating_screen: false,
            card_reader_lib: String::new(),
            card_reader_port: 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Clerk,
    Head,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Clerk => "clerk",
            Self::Head => "head",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "clerk" | "窗口工作人员" => Some(Self::Clerk),
            "head" | "中心负责人" => Some(Self::Head),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Clerk => "窗口工作人员",
            Self::Head => "中心负责人",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
}

/// A catalogue item as the centre holds it, with the version it belongs to.
#[derive(Debug, Clone)]
pub struct CatalogueEntry {
    pub version: String,
    /// The initials as stored: computed from the name at import, or as the file typed them.
    pub initials: String,
    /// The name's pinyin, computed from it when the catalogue is read.
    pub pinyin: yichuang_core::search::PinyinKeys,
    pub item: ServiceItem,
}

/// What `verify` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub events: i64,
    pub fault: Option<ChainFault>,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The key that seals this database's chain and masks its PINs (never in the file).
    key: MachineKey,
    ring: Keyring,
    centre: Option<Centre>,
    calendar: Calendar,
    catalogue: Option<(String, BTreeMap<String, CatalogueEntry>)>,
    /// SQLite's `data_version` when the cached centre, calendar and catalogue were read: it
    /// changes when another connection (the background sync, `serve-peer`'s peers, the CLI)
    /// commits, and [`Store::refresh`] then reads them again.
    seen_version: i64,
    /// Inside [`Store::atomically`]: each action is a savepoint of the one outer transaction.
    batch: bool,
}

/// A file that is there but is no database is never taken for a new one: an empty file (a
/// copy cut short) is refused here, untouched; another kind of file (the wrong one chosen) is
/// refused by SQLite itself when it is opened. (The file is never opened outside SQLite: in a
/// process that holds it open, closing any other handle to it would drop SQLite's locks.)
fn refuse_odd_file(path: &Path) -> Result<()> {
    let Ok(meta) = std::fs::metadata(path) else { return Ok(()) };
    let bad = |detail: &str| Err(StoreError::BadFile { what: "数据库", detail: detail.to_owned() });
    if meta.is_dir() {
        return bad("这是一个文件夹，不是数据库文件");
    }
    if meta.len() == 0 {
        return bad("文件是空的（0字节），可能是拷贝或关机时中断：没有把它当作新数据库，请从备份恢复（restore）");
    }
    Ok(())
}

/// A new database file, built whole beside `path` and linked into place only when its schema
/// is complete: a kill part-way leaves no file at `path` (never an empty one, which is refused
/// as damage), and two processes creating it at once do not replace each other's.
fn create_whole(path: &Path, migrations: &[&str], key: &MachineKey, ring: &Keyring) -> Result<()> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let tmp = PathBuf::from(format!("{}.new-{}-{nanos}", path.display(), std::process::id()));
    remove_with_wal(&tmp);
    let result = (|| {
        let mut conn = open_connection(&tmp)?;
        migrate(&mut conn, &tmp, migrations, key, ring)?;
        settle(conn, &tmp)?;
        match std::fs::hard_link(&tmp, path) {
            Ok(()) => sync_dir(path),
            // Another process made it first: theirs is the database.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(e.into()),
        }
    })();
    remove_with_wal(&tmp);
    result
}

/// Makes the database at `tmp` one self-contained file (its WAL checkpointed and removed, the
/// file synced), ready to be linked or renamed into place; the connection is closed.
fn settle(conn: Connection, tmp: &Path) -> Result<()> {
    let _: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    conn.close().map_err(|(_, e)| StoreError::from(e))?;
    std::fs::File::open(tmp)?.sync_all()?;
    Ok(())
}

/// Syncs the folder holding `path`, so that a rename or link into it survives a power cut.
fn sync_dir(path: &Path) -> Result<()> {
    // A folder cannot be opened as a file on Windows; there NTFS journals the rename itself.
    if cfg!(windows) {
        return Ok(());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Copies the database at `db` to `aside`: through SQLite when it can be read (its WAL
/// included), byte for byte (with its WAL) when it is damaged, so nothing is lost either way.
fn keep_aside(db: &Path, aside: &Path) -> Result<()> {
    // Through SQLite only when SQLite finds the file sound: a damaged one is kept as it is.
    let copied = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).and_then(|c| {
        let ok: String = c.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if ok != "ok" {
            return Err(rusqlite::Error::InvalidQuery);
        }
        c.backup(rusqlite::MAIN_DB, aside, None)
    });
    if copied.is_err() {
        remove_with_wal(aside);
        std::fs::copy(db, aside)?;
        let wal = PathBuf::from(format!("{}-wal", db.display()));
        if wal.exists() {
            std::fs::copy(&wal, format!("{}-wal", aside.display()))?;
        }
    }
    let _ = files::private_file(aside);
    std::fs::File::open(aside)?.sync_all()?;
    Ok(())
}

/// The file beside a database that says it was found damaged (and why): every program then
/// opens it for reading only, until a restore or a clean `verify` removes it.
fn damage_marker(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.damaged", db.display()))
}

/// The marker's first line is the clerk's summary (which pages SQLite named); SQLite's own
/// words follow for whoever restores it.
/// Wrong PINs tried on a damaged database (which takes no writes): `id count` lines beside it.
fn damage_attempts_file(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.damaged-pins", db.display()))
}

pub(crate) fn damaged_attempts(db: &Path) -> std::collections::HashMap<String, u32> {
    std::fs::read_to_string(damage_attempts_file(db))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' ').and_then(|(id, n)| Some((id.to_owned(), n.trim().parse().ok()?))))
        .collect()
}

pub(crate) fn count_damaged_attempt(db: &Path, id: &str, n: u32) {
    let mut counts = damaged_attempts(db);
    counts.insert(id.to_owned(), n);
    let text: String = counts.iter().map(|(id, n)| format!("{id} {n}\n")).collect();
    let _ = files::write_private(&damage_attempts_file(db), text.as_bytes());
}

fn clear_damage(db: &Path) {
    let _ = std::fs::remove_file(damage_marker(db));
    let _ = std::fs::remove_file(damage_attempts_file(db));
}

fn write_damage_marker(db: &Path, detail: &str) {
    let _ = files::write_private(&damage_marker(db), format!("{}\n{}\n", damage_summary(detail), detail.chars().take(2000).collect::<String>()).as_bytes());
}

/// "SQLite的完整性检查未通过（第5、7页）" from SQLite's findings, in Chinese whatever it said.
pub(crate) fn damage_summary(detail: &str) -> String {
    let mut pages: Vec<u64> = Vec::new();
    let lower = detail.to_lowercase();
    for (i, _) in lower.match_indices("page ") {
        let n: String = lower[i + 5..].chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = n.parse::<u64>() {
            if !pages.contains(&n) {
                pages.push(n);
            }
        }
    }
    pages.truncate(5);
    if pages.is_empty() {
        "SQLite的完整性检查未通过，部分数据无法读取".into()
    } else {
        format!("SQLite的完整性检查未通过，第{}页无法正确读取", pages.iter().map(u64::to_string).collect::<Vec<_>>().join("、"))
    }
}

/// Removes a file and its WAL companions: a half-built file a kill left behind.
fn remove_with_wal(p: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
    }
}

/// SQLite's "not a database" in the clerk's words.
fn not_a_database(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            StoreError::BadFile { what: "数据库", detail: "不是一窗通的数据库文件（可能选错了文件），未作任何改动".into() }
        }
        _ => e.into(),
    }
}

fn open_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).map_err(not_a_database)?;
    // The centre's data is its owner's only (a file left readable by others is made so).
    let _ = files::private_file(path);
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(not_a_database)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Sqlite(rusqlite::Error::InvalidQuery));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // What a change frees (a draft emptied, a key sealed in place of its plain text) is
    // overwritten with zeros, not left readable in the file's free space.
    conn.pragma_update(None, "secure_delete", true)?;
    Ok(conn)
}

/// The schema version of the database at `conn`.
pub(crate) fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// A free path beside `path` for the pre-migration backup.
fn backup_path(path: &Path, version: i64) -> PathBuf {
    let mut n = 0;
    loop {
        let suffix = if n == 0 { format!("v{version}.bak") } else { format!("v{version}.{n}.bak") };
        let candidate = PathBuf::from(format!("{}.{suffix}", path.display()));
        if !candidate.exists() {
            return candidate;
        }
        n += 1;
    }
}

pub(crate) fn migrate(conn: &mut Connection, path: &Path, migrations: &[&str], key: &MachineKey, ring: &Keyring) -> Result<()> {
    let found = user_version(conn)?;
    let supported = migrations.len() as i64;
    if found > supported {
        return Err(StoreError::NewerDatabase { found, supported });
    }
    let copy = (found > 0 && found < supported).then(|| backup_path(path, found));
    if let Some(copy) = &copy {
        conn.backup(rusqlite::MAIN_DB, copy, None)?;
    }
    for (i, sql) in migrations.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        tx.execute_batch(sql)?;
        if i + 1 == SEAL_MIGRATION {
            seal_existing(&tx, key, ring)?;
        }
        if i + 1 == REBIND_MIGRATION {
            rebind_pins(&tx, key)?;
        }
        if i + 1 == TOLERANCE_MIGRATION {
            widen_checks(&tx, &TOLERANCE_EDITS)?;
        }
        if i + 1 == HANDOVER_MIGRATION {
            widen_checks(&tx, &HANDOVER_EDITS)?;
        }
        if i + 1 == SEARCH_MIGRATION {
            cases::fill_name_pinyin(&tx)?;
        }
        if i + 1 == SECRETS_MIGRATION {
            seal_secrets(&tx, key)?;
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    if found > 0 && (found as usize) < SECRETS_MIGRATION && supported as usize >= SECRETS_MIGRATION {
        // The plain secrets are gone from the pages (secure_delete) once the log is written
        // back, and the copy taken before migrating holds them sealed too.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        if let Some(copy) = &copy {
            seal_old_copy(copy, key)?;
        }
    }
    Ok(())
}

/// The copy a migration took of a database older than migration 20: its plain secrets sealed
/// in place (its schema version stays as it was), and the file rewritten so none is left in
/// its free space.
fn seal_old_copy(copy: &Path, key: &MachineKey) -> Result<()> {
    let mut c = Connection::open(copy)?;
    c.pragma_update(None, "secure_delete", true)?;
    let has = |c: &Connection, name: &str| -> Result<bool> {
        Ok(c.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'trigger' AND name = ?1)", [name], |r| r.get(0))?)
    };
    if !(has(&c, "terminal_key_frozen")? && has(&c, "sync_enrolment_frozen")?) {
        return Ok(());
    }
    let tx = c.transaction()?;
    tx.execute_batch("DROP TRIGGER terminal_key_frozen; DROP TRIGGER sync_enrolment_frozen;")?;
    seal_secrets(&tx, key)?;
    tx.commit()?;
    c.execute_batch("VACUUM")?;
    Ok(())
}

/// Seals a database first keyed now (new, or older than the seal): the chain head as it stands
/// and every stored PIN hash masked, in the migration's transaction.
fn seal_existing(tx: &Connection, key: &MachineKey, ring: &Keyring) -> Result<()> {
    let (seq, hash): (i64, String) = tx
        .query_row("SELECT seq, hash FROM chain_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, events::GENESIS_HASH.to_owned()));
    // A chain this PC sealed before is not sealed again over a head at or past that point: its
    // seal was stripped (the schema version set back), to have a rewritten chain sealed afresh.
    // A backup older than the seal (its head before that point) is sealed as any old database.
    // The very state first sealed (the backup a migration took just before it) may be sealed
    // again: it is the chain as sealed.
    let origin = pins::chain_origin(tx)?;
    match ring.sealed_at(&origin) {
        Some((at, Some(head))) if seq == at && head == hash => {}
        Some((at, _)) if seq >= at => return Err(StoreError::SealStripped { seq, at }),
        Some(_) => {}
        None => ring.record_sealed(&origin, seq, &hash)?,
    }
    tx.execute("INSERT INTO chain_seal (id, key_id, seq, mac) VALUES (1, ?1, ?2, ?3)", params![key.id(), seq, key.seal(seq, &hash)])?;
    let mut stmt = tx.prepare("SELECT id, pin_hash FROM staff WHERE pin_hash IS NOT NULL")?;
    let rows: Vec<(String, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    drop(stmt);
    let origin = pins::chain_origin(tx)?;
    for (id, stored) in rows {
        if let Some(masked) = pins::mask_stored(&id, &stored, key, &pins::owner(&id, &origin)) {
            tx.execute("UPDATE staff SET pin_hash = ?2 WHERE id = ?1", params![id, masked])?;
        }
    }
    Ok(())
}

/// The CHECK lists of migration 1 that take the 容缺 statuses, decisions and document kinds.
const TOLERANCE_EDITS: [(&str, &str, &str); 3] = [
    ("case_file", "'withdrawn', 'archived'))", "'withdrawn', 'archived', 'terminated'))"),
    (
        "case_file",
        "decision IN ('immediate', 'accepted', 'supplement', 'refused'))",
        "decision IN ('immediate', 'accepted', 'supplement', 'refused', 'tolerated'))",
    ),
    (
        "document",
        "'completion', 'collection', 'inquiry_slip'))",
        "'completion', 'collection', 'inquiry_slip', 'tolerance', 'commitment', 'termination'))",
    ),
];
/// The document kinds' CHECK list taking the hand-over slip.
const HANDOVER_EDITS: [(&str, &str, &str); 1] =
    [("document", "'tolerance', 'commitment', 'termination'))", "'tolerance', 'commitment', 'termination', 'handover'))")];

/// Widens the CHECK lists of migration 1 (SQLite cannot alter a CHECK constraint):
/// the schema's text is edited in the migration's transaction, as SQLite documents for
/// changes that leave every stored row valid. Each edit must find its text exactly once: a
/// schema that differs from what this program created is left as it was, and refused.
fn widen_checks(tx: &Connection, edits: &[(&'static str, &str, &str)]) -> Result<()> {
    let mut edited: Vec<(&str, String)> = vec![];
    for &(table, from, to) in edits {
        let sql = match edited.iter().find(|(t, _)| *t == table) {
            Some((_, sql)) => sql.clone(),
            None => tx.query_row("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1", [table], |r| r.get::<_, String>(0))?,
        };
        // Widened already: a schema whose rows and text are this migration's, or a later
        // migration's that widened the same list further (its text runs on past this one's).
        let widened = sql.matches(to).count() + sql.matches(&format!("{}, ", to.trim_end_matches(')'))).count();
        let sql = match (sql.matches(from).count(), widened) {
            (_, 1) => sql,
            (1, 0) => sql.replacen(from, to, 1),
            _ => return Err(StoreError::SchemaUnexpected(table)),
        };
        edited.retain(|(t, _)| *t != table);
        edited.push((table, sql));
    }
    let version: i64 = tx.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
    tx.execute_batch("PRAGMA writable_schema = ON")?;
    let written = (|| -> Result<()> {
        for (table, sql) in &edited {
            tx.execute("UPDATE sqlite_schema SET sql = ?2 WHERE type = 'table' AND name = ?1", params![table, sql])?;
        }
        tx.pragma_update(None, "schema_version", version + 1)?;
        Ok(())
    })();
    tx.execute_batch("PRAGMA writable_schema = OFF")?;
    written?;
    // The edited schema is read back (a statement over both tables) before the commit.
    tx.query_row("SELECT count(*) FROM case_file, document WHERE 0", [], |r| r.get::<_, i64>(0))?;
    Ok(())
}

/// The triggers migration 20 drops to seal the secrets held, made again with their text of
/// migrations 2 and 3: outside that transaction a key or an enrolment is never changed.
const FROZEN_SECRETS: [&str; 2] = [
    "CREATE TRIGGER terminal_key_frozen BEFORE UPDATE ON terminal_key BEGIN SELECT RAISE(ABORT, 'a key is never changed; enrol a new terminal instead'); END;",
    "CREATE TRIGGER sync_enrolment_frozen BEFORE UPDATE ON sync_enrolment BEGIN SELECT RAISE(ABORT, 'an enrolment is never changed; enrol again'); END;",
];

/// Seals the terminal's signing key and each enrolment's batch key held in plain text
/// (migration 20), then freezes both tables again.
fn seal_secrets(tx: &Connection, key: &MachineKey) -> Result<()> {
    let plain = |sql: &str| -> Result<Vec<(String, String)>> {
        let mut stmt = tx.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    };
    let like = format!("{}%", machine_key::SEALED_SECRET);
    for (id, secret) in plain(&format!("SELECT key_id, secret_key FROM terminal_key WHERE secret_key IS NOT NULL AND secret_key NOT LIKE '{like}'"))? {
        let sealed = key.seal_secret(&keys::secret_context(tx, "terminal", &id)?, &secret)?;
        tx.execute("UPDATE terminal_key SET secret_key = ?2 WHERE key_id = ?1", params![id, sealed])?;
    }
    for (uid, secret) in plain(&format!("SELECT terminal_uid, hmac_key FROM sync_enrolment WHERE hmac_key NOT LIKE '{like}'"))? {
        let sealed = key.seal_secret(&keys::secret_context(tx, "enrolment", &uid)?, &secret)?;
        tx.execute("UPDATE sync_enrolment SET hmac_key = ?2 WHERE terminal_uid = ?1", params![uid, sealed])?;
    }
    for sql in FROZEN_SECRETS {
        tx.execute_batch(sql)?;
    }
    Ok(())
}

/// Binds the first-form PIN masks (`k1`) to whose PIN they are (`k2`).
fn rebind_pins(tx: &Connection, key: &MachineKey) -> Result<()> {
    let origin = pins::chain_origin(tx)?;
    let mut stmt = tx.prepare("SELECT id, pin_hash FROM staff WHERE pin_hash LIKE 'k1$%'")?;
    let rows: Vec<(String, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    drop(stmt);
    for (id, stored) in rows {
        if let Some(bound) = pins::rebind(&stored, key, &pins::owner(&id, &origin)) {
            tx.execute("UPDATE staff SET pin_hash = ?2 WHERE id = ?1", params![id, bound])?;
        }
    }
    Ok(())
}

/// The writer of one user action: the transaction, who acts, and when.
pub(crate) struct Writer<'a> {
    pub tx: &'a Connection,
    pub key: &'a MachineKey,
    pub ring: &'a Keyring,
    pub terminal: String,
    pub now: DateTime<FixedOffset>,
    pub actor: String,
}

impl Writer<'_> {
    /// Appends the typed event about `subject`: the only way anything enters the log.
    /// Behind the typed parsers, no string it records holds a control character or runs
    /// longer than any field allows: a form the parsers missed is refused, not recorded.
    pub fn event(&self, subject: &str, event: Event) -> Result<i64> {
        let payload = event.payload();
        check_strings(&payload)?;
        yichuang_core::text::check_recorded(subject)?;
        events::append(self, event.kind(), subject, &payload)
    }

    /// The next number of a gapless series, taken inside this transaction.
    pub fn next_number(&self, series: &str) -> Result<u32> {
        let n: i64 = self.tx.query_row(
            "INSERT INTO number_series (series, last) VALUES (?1, 1)
             ON CONFLICT (series) DO UPDATE SET last = last + 1 RETURNING last",
            [series],
            |r| r.get(0),
        )?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    pub fn now_text(&self) -> String {
        self.now.to_rfc3339()
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }
}

fn check_strings(v: &serde_json::Value) -> Result<()> {
    match v {
        serde_json::Value::String(s) => Ok(yichuang_core::text::check_recorded(s)?),
        serde_json::Value::Array(a) => a.iter().try_for_each(check_strings),
        serde_json::Value::Object(o) => o.iter().try_for_each(|(k, v)| {
            yichuang_core::text::check_recorded(k)?;
            check_strings(v)
        }),
        _ => Ok(()),
    }
}

impl Store {
    /// Opens (creating if absent) the database at `path` and brings its schema up to date.
    /// The database's key is looked up in this PC's key folder ([`Keyring::locate`]).
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_in(path.as_ref(), &Keyring::locate()?)
    }

    /// [`Store::open`] with the keys of `ring` (another PC's key folder, in tests).
    pub fn open_in(path: &Path, ring: &Keyring) -> Result<Self> {
        Self::open_with(path, MIGRATIONS, ring)
    }

    pub(crate) fn open_with(path: &Path, migrations: &[&str], ring: &Keyring) -> Result<Self> {
        let own = ring.own()?;
        if !path.exists() {
            create_whole(path, migrations, &own, ring)?;
        }
        refuse_odd_file(path)?;
        // The key that sealed this database: this PC's, or one imported from the PC it came
        // from. Looked up before anything is written to the file (not even its journal mode),
        // unless a read-only look cannot open it (a log a killed program left needs recovery).
        let sealed_by = |c: &Connection| -> rusqlite::Result<Option<String>> {
            let has: bool = c.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'chain_seal')", [], |r| r.get(0))?;
            if has {
                c.query_row("SELECT key_id FROM chain_seal WHERE id = 1", [], |r| r.get(0)).optional()
            } else {
                Ok(None)
            }
        };
        let key_for = |id: Option<String>| -> Result<MachineKey> {
            match id {
                None => Ok(own.clone()),
                Some(id) => ring.find(&id)?.ok_or(StoreError::ForeignKey { id, dir: ring.dir().display().to_string() }),
            }
        };
        let peek = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY);
        if let Ok(c) = &peek {
            // Another program's database (tables, but none of ours): never made into a centre.
            let foreign: rusqlite::Result<bool> = c.query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table')
                        AND ((SELECT user_version FROM pragma_user_version) = 0
                             OR NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event'))",
                [],
                |r| r.get(0),
            );
            if let Ok(true) = foreign {
                return Err(StoreError::BadFile { what: "数据库", detail: "这是其他程序的数据库，不是一窗通的数据库文件（可能选错了文件），未作任何改动".into() });
            }
            if let Ok(id) = sealed_by(c) {
                key_for(id)?;
            }
        }
        drop(peek);
        // A database found damaged opens for reading only, until it is restored.
        if damage_marker(path).exists() {
            let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(not_a_database)?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            let key = key_for(sealed_by(&conn).ok().flatten())?;
            let mut store = Self::assemble(conn, path, key, ring);
            // What can still be read is shown; when not even the centre can be, the damage is told.
            if store.reload().is_err() {
                return Err(StoreError::Damaged(store.damaged().unwrap_or_default()));
            }
            return Ok(store);
        }
        let mut conn = open_connection(path)?;
        let key = key_for(sealed_by(&conn).map_err(not_a_database)?)?;
        migrate(&mut conn, path, migrations, &key, ring)?;
        let mut store = Self::assemble(conn, path, key, ring);
        store.reload()?;
        Ok(store)
    }

    /// A store on `conn` before anything is read from it.
    fn assemble(conn: Connection, path: &Path, key: MachineKey, ring: &Keyring) -> Self {
        Self {
            conn,
            path: path.to_owned(),
            key,
            ring: ring.clone(),
            centre: None,
            calendar: Calendar::weekends_only(),
            catalogue: None,
            seen_version: 0,
            batch: false,
        }
    }

    /// Reads the centre, the calendar and the catalogue again when another connection has
    /// committed since they were read (a calendar from HQ, a peer's catalogue): what arrives
    /// takes effect in a running window at once. Says whether it read them.
    pub fn refresh(&mut self) -> Result<bool> {
        let v: i64 = self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        if v == self.seen_version {
            return Ok(false);
        }
        self.reload()?;
        Ok(true)
    }

    /// Re-reads the centre, the calendar and the current catalogue from the database.
    fn reload(&mut self) -> Result<()> {
        self.seen_version = self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        self.centre = self
            .conn
            .query_row("SELECT code, name, terminal, settings FROM centre WHERE id = 1", [], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })
            .optional()?
            .map(|(code, name, terminal, settings)| -> Result<Centre> {
                Ok(Centre {
                    code: CentreCode::parse(&code)?,
                    name,
                    terminal: TerminalId::parse(&terminal)?,
                    settings: serde_json::from_str(&settings).unwrap_or_default(),
                })
            })
            .transpose()?;
        let mut calendar = Calendar::weekends_only();
        let mut stmt = self.conn.prepare(
            "SELECT body FROM calendar_year c WHERE version = (SELECT max(version) FROM calendar_year WHERE year = c.year) ORDER BY year",
        )?;
        let bodies: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        drop(stmt);
        for body in bodies {
            calendar.load_year(CalendarFile::parse(&body)?.to_arrangement()?)?;
        }
        let mut stmt = self.conn.prepare("SELECT date, name FROM calendar_regional")?;
        let regional: Vec<(NaiveDate, String)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        drop(stmt);
        for (d, name) in regional {
            calendar.add_regional_day_off(d, name);
        }
        self.calendar = calendar;
        let version: Option<String> =
            self.conn.query_row("SELECT version FROM catalogue_version WHERE current = 1", [], |r| r.get(0)).optional()?;
        self.catalogue = match version {
            None => None,
            Some(v) => Some((v.clone(), self.load_catalogue_version(&v)?)),
        };
        Ok(())
    }

    fn load_catalogue_version(&self, version: &str) -> Result<BTreeMap<String, CatalogueEntry>> {
        let mut stmt = self.conn.prepare("SELECT code, initials, body FROM catalogue_item WHERE version = ?1 ORDER BY rowid")?;
        let rows: Vec<(String, String, String)> =
            stmt.query_map([version], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
        let mut out = BTreeMap::new();
        for (code, initials, body) in rows {
            let file: ItemFile = serde_json::from_str(&body)
                .map_err(|e| StoreError::BadFile { what: "服务事项目录", detail: e.to_string() })?;
            let item = file.to_item()?;
            let pinyin = yichuang_core::search::PinyinKeys::of(item.name());
            out.insert(code, CatalogueEntry { version: version.to_owned(), initials, pinyin, item });
        }
        Ok(out)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raw connection, for read-only tools and tests.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub fn centre(&self) -> Result<&Centre> {
        self.centre.as_ref().ok_or(StoreError::NotInitialised)
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// Runs one user action in one IMMEDIATE transaction.
    pub(crate) fn write<T>(
        &mut self,
        actor: &str,
        now: DateTime<FixedOffset>,
        f: impl FnOnce(&Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        if let Some(detail) = self.damaged() {
            return Err(StoreError::Damaged(detail));
        }
        let out = self.write_unchecked(actor, now, f);
        // SQLite found the file damaged in the middle of the change (rolled back): from now on
        // the database is open for reading only.
        if let Err(StoreError::Sqlite(e)) = &out {
            if matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseCorrupt)) {
                self.mark_damaged(&sqlite_reason(e));
            }
        }
        out
    }

    fn write_unchecked<T>(
        &mut self,
        actor: &str,
        now: DateTime<FixedOffset>,
        f: impl FnOnce(&Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        let terminal = self.centre.as_ref().map(|c| c.terminal.to_string()).unwrap_or_else(|| "00".into());
        // Every record is in Beijing time, whatever offset the PC or a caller gave.
        let now = yichuang_core::clock::in_beijing(now);
        if self.batch {
            let sp = self.conn.savepoint()?;
            let w = Writer { tx: &sp, key: &self.key, ring: &self.ring, terminal, now, actor: actor.to_owned() };
            let out = f(&w)?;
            sp.commit()?;
            return Ok(out);
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let w = Writer { tx: &tx, key: &self.key, ring: &self.ring, terminal, now, actor: actor.to_owned() };
        let out = f(&w)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs several actions as one: all of them commit, or none (setting a centre up, with
    /// its catalogue, staff and settings). A kill or a refusal part-way leaves the database as
    /// it was before, and the cached centre, calendar and catalogue are read again.
    pub fn atomically<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        if self.batch {
            return f(self);
        }
        if let Some(detail) = self.damaged() {
            return Err(StoreError::Damaged(detail));
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        self.batch = true;
        let out = f(self);
        self.batch = false;
        let out = out.and_then(|v| self.conn.execute_batch("COMMIT").map(|_| v).map_err(StoreError::from));
        if out.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.centre = None;
            self.reload()?;
        }
        out
    }

    /// Sets the database up for a centre, with the bundled holiday calendars.
    pub fn initialise(
        &mut self,
        code: CentreCode,
        name: &str,
        terminal: TerminalId,
        now: DateTime<FixedOffset>,
    ) -> Result<()> {
        if let Some(c) = &self.centre {
            return Err(StoreError::AlreadyInitialised(c.name.clone()));
        }
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::MissingField("中心名称"));
        }
        let settings = Settings::default();
        let term = terminal.to_string();
        self.centre = Some(Centre { code: code.clone(), name: name.to_owned(), terminal, settings: settings.clone() });
        let result = self.write("system", now, |w| {
            w.tx.execute(
                "INSERT INTO centre (id, code, name, terminal, created_at, settings) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
                params![code.as_str(), name, term, w.now_text(), serde_json::to_string(&settings).unwrap_or_default()],
            )?;
            w.event(
                code.as_str(),
                Event::CentreInitialised(ev::CentreInitialised { code: code.to_string(), name: name.to_owned(), terminal: term.clone() }),
            )?;
            for text in assets::BUNDLED_CALENDARS {
                import_calendar_year(w, text)?;
            }
            Ok(())
        });
        if result.is_err() {
            self.centre = None;
        }
        result?;
        self.reload()?;
        // The terminal's signing key, made now so that printing never has to write.
        self.signing_key(now)?;
        Ok(())
    }

    /// Changes the centre's settings.
    pub fn update_settings(&mut self, actor: &str, mut settings: Settings, now: DateTime<FixedOffset>) -> Result<()> {
        self.require_head(actor, "修改设置")?;
        // Each setting within what makes sense, said in the Settings page's words.
        let range = |name: &str, v: u32, lo: u32, hi: u32| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(StoreError::Rule(format!("{name}应为{lo}至{hi}，现在是{v}")))
            }
        };
        range("预警天数（工作日）", settings.warning_days, 1, 10)?;
        range("复杂投诉的答复期限（工作日）", settings.complaint_complex_days, 1, 30)?;
        range("差评整改期限（工作日）", settings.rectification_days, 1, 30)?;
        range("读卡器端口", settings.card_reader_port, 0, 9999)?;
        range("无操作自动锁屏的分钟数", settings.idle_lock_minutes, 1, 120)?;
        if !["gb18030", "gbk", "utf8", "raster"].contains(&settings.slip_encoding.as_str()) {
            return Err(StoreError::Rule(format!("小票打印机编码“{}”无效：应为gb18030、gbk、utf8或raster", settings.slip_encoding)));
        }
        if !settings.phone.trim().chars().all(|c| c.is_ascii_digit() || c == '-') {
            return Err(StoreError::Rule("咨询电话只能包含数字和“-”".into()));
        }
        for (name, v) in [("咨询电话", &mut settings.phone), ("中心地址", &mut settings.address), ("打印机", &mut settings.printer), ("小票打印机", &mut settings.slip_printer), ("读卡器驱动库", &mut settings.card_reader_lib)] {
            *v = if v.trim().is_empty() { String::new() } else { FreeText::line(name, v, FreeText::LINE)?.into_string() };
        }
        if !settings.card_reader_lib.is_empty() && !std::path::Path::new(&settings.card_reader_lib).is_absolute() {
            return Err(StoreError::Rule(format!("读卡器驱动库的位置须写完整路径（如 /opt/reader/libsdtapi.so），现在是“{}”", settings.card_reader_lib)));
        }
        settings.hq_public_key = settings.hq_public_key.trim().to_owned();
        if !settings.hq_public_key.is_empty() {
            keys::parse_public_key(&settings.hq_public_key, "县级公钥")?;
        }
        settings.hq_ca = settings.hq_ca.trim().replace("\r\n", "\n");
        if !settings.hq_ca.is_empty() {
            pem_certificate(&settings.hq_ca)?;
        }
        settings.peer_listen = settings.peer_listen.trim().to_owned();
        if !settings.peer_listen.is_empty() && settings.peer_listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(StoreError::Rule(format!("“{}”不是监听地址：应写成 IP:端口，如 0.0.0.0:47810", settings.peer_listen)));
        }
        let code = self.centre()?.code.to_string();
        self.write(actor, now, |w| {
            let text = serde_json::to_string(&settings).unwrap_or_default();
            w.tx.execute("UPDATE centre SET settings = ?1 WHERE id = 1", [&text])?;
            w.event(&code, Event::CentreSettings(serde_json::from_str(&text).unwrap_or_default()))?;
            Ok(())
        })?;
        self.reload()
    }

    /// Imports one year's official holiday arrangement (from HQ or a file).
    pub fn import_calendar(&mut self, actor: &str, text: &str, now: DateTime<FixedOffset>) -> Result<(i32, u32)> {
        self.centre()?;
        let file = CalendarFile::parse(text)?;
        let arrangement = file.to_arrangement()?;
        // The same version again is the same file, or a conflict to be resolved at HQ.
        let held: Option<String> = self
            .conn
            .query_row("SELECT body FROM calendar_year WHERE year = ?1 AND version = ?2", params![file.year, file.version], |r| r.get(0))
            .optional()?;
        if let Some(held) = held {
            let same = CalendarFile::parse(&held).map(|h| h.to_arrangement().ok() == Some(arrangement.clone())).unwrap_or(false);
            if !same {
                return Err(StoreError::CalendarVersionConflict { year: file.year, version: file.version });
            }
        }
        // Refuse an older version before writing anything.
        self.calendar.clone().load_year(arrangement)?;
        self.write(actor, now, |w| import_calendar_year(w, text))?;
        self.reload()?;
        Ok((file.year, file.version))
    }

    /// Imports a region's own days off.
    pub fn import_regional_days(&mut self, actor: &str, text: &str, now: DateTime<FixedOffset>) -> Result<usize> {
        self.centre()?;
        let file = RegionalFile::parse(text)?;
        let days = file.days()?;
        let n = days.len();
        self.write(actor, now, |w| {
            for (d, name) in &days {
                w.tx.execute(
                    "INSERT INTO calendar_regional (date, name, region, imported_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (date) DO NOTHING",
                    params![d, name, file.region, w.now_text()],
                )?;
            }
            w.event(
                &file.region,
                Event::CalendarRegional(ev::CalendarRegional {
                    region: file.region.clone(),
                    days: days.iter().map(|(d, n)| ev::RegionalDay { date: *d, name: n.clone() }).collect(),
                }),
            )?;
            Ok(())
        })?;
        self.reload()?;
        Ok(n)
    }

    /// Imports a catalogue version and makes it current. Importing the same version again is
    /// a no-op (idempotent); a different body under a version already held is refused.
    pub fn import_catalogue(&mut self, actor: &str, text: &str, now: DateTime<FixedOffset>) -> Result<String> {
        self.centre()?;
        let (file, items) = CatalogueFile::parse(text)?;
        let sha = events::hex(&Sha256::digest(text.as_bytes()));
        let existing: Option<String> = self
            .conn
            .query_row("SELECT sha256 FROM catalogue_version WHERE version = ?1", [&file.version], |r| r.get(0))
            .optional()?;
        match existing {
            Some(s) if s == sha => return Ok(file.version),
            Some(_) => {
                return Err(StoreError::BadFile {
                    what: "服务事项目录",
                    detail: format!("版本“{}”已导入过且内容不同，请使用新的版本号", file.version),
                })
            }
            None => {}
        }
        self.write(actor, now, |w| {
            w.tx.execute("UPDATE catalogue_version SET current = 0 WHERE current = 1", [])?;
            w.tx.execute(
                "INSERT INTO catalogue_version (version, published_at, source, body, sha256, imported_at, current)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)",
                params![file.version, file.published_at, file.source, text, sha, w.now_text()],
            )?;
            for (f, item) in file.items.iter().zip(&items) {
                w.tx.execute(
                    "INSERT INTO catalogue_item (version, code, name, initials, kind, limit_days, limit_unit, body)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        file.version,
                        item.code().as_str(),
                        item.name(),
                        if f.initials.trim().is_empty() { yichuang_core::search::PinyinKeys::of(item.name()).initials } else { f.initials.trim().to_lowercase() },
                        item.kind().as_str(),
                        item.promised_limit().days(),
                        item.promised_limit().unit().as_str(),
                        serde_json::to_string(f).unwrap_or_default()
                    ],
                )?;
            }
            w.event(
                &file.version,
                Event::CatalogueImported(ev::CatalogueImported {
                    version: file.version.clone(),
                    sha256: sha.clone(),
                    items: items.len(),
                    published_at: file.published_at,
                }),
            )?;
            Ok(())
        })?;
        self.reload()?;
        Ok(file.version)
    }

    /// The current catalogue version, if any.
    pub fn catalogue_version(&self) -> Option<&str> {
        self.catalogue.as_ref().map(|(v, _)| v.as_str())
    }

    /// The current catalogue, in published order.
    pub fn catalogue(&self) -> Result<Vec<&CatalogueEntry>> {
        let (_, items) = self.catalogue.as_ref().ok_or(StoreError::NoCatalogue)?;
        let mut v: Vec<&CatalogueEntry> = items.values().collect();
        v.sort_by_key(|e| e.item.code().as_str().to_owned());
        Ok(v)
    }

    /// Finds items by name (any run of its characters, in order), code, full pinyin or
    /// initials (`ylbx`, `zuidi`), best matches first.
    pub fn search_items(&self, query: &str) -> Result<Vec<&CatalogueEntry>> {
        use yichuang_core::search::{normalise, rank, PinyinKeys};
        let q = normalise(query);
        let mut hits: Vec<(u8, &CatalogueEntry)> = self
            .catalogue()?
            .into_iter()
            .filter_map(|e| {
                let code = e.item.code().as_str();
                // The initials as stored count too (a catalogue's own abbreviation).
                let typed = PinyinKeys { full: String::new(), initials: e.initials.clone() };
                let best = [rank(&q, e.item.name(), code, &e.pinyin), rank(&q, e.item.name(), code, &typed)].into_iter().flatten().min()?;
                Some((best, e))
            })
            .collect();
        hits.sort_by_key(|(rank, e)| (*rank, e.item.code().as_str().to_owned()));
        Ok(hits.into_iter().map(|(_, e)| e).collect())
    }

    /// An item of the current catalogue.
    pub fn item(&self, code: &str) -> Result<&CatalogueEntry> {
        let (_, items) = self.catalogue.as_ref().ok_or(StoreError::NoCatalogue)?;
        items.get(code).ok_or_else(|| StoreError::UnknownItem(code.to_owned()))
    }

    /// An item as it was in a given catalogue version (for cases taken in under it).
    pub fn item_in_version(&self, version: &str, code: &str) -> Result<ServiceItem> {
        if let Some((v, items)) = &self.catalogue {
            if v == version {
                return items.get(code).map(|e| e.item.clone()).ok_or_else(|| StoreError::UnknownItem(code.to_owned()));
            }
        }
        let body: String = self
            .conn
            .query_row("SELECT body FROM catalogue_item WHERE version = ?1 AND code = ?2", [version, code], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::UnknownItem(code.to_owned()))?;
        let file: ItemFile =
            serde_json::from_str(&body).map_err(|e| StoreError::BadFile { what: "服务事项目录", detail: json_reason(&e) })?;
        file.to_item()
    }

    // -----------------------------------------------------------------------------------------
    // Staff
    // -----------------------------------------------------------------------------------------

    /// Adds a staff member. `actor` is `system` at set-up, otherwise a head.
    pub fn add_staff(
        &mut self,
        actor: &str,
        id: &str,
        name: &str,
        role: Role,
        pin: Option<&str>,
        now: DateTime<FixedOffset>,
    ) -> Result<Staff> {
        self.centre()?;
        if actor != "system" {
            self.require_head(actor, "添加工作人员")?;
        } else if self.head_ever_added()? {
            // "system" sets a centre up: its first head. After that only a head adds staff.
            return Err(StoreError::NotPermitted { name: "system".into(), action: "添加工作人员（中心已有负责人，须由负责人添加）" });
        }
        let id = id.trim();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(StoreError::MissingField("工号（字母、数字）"));
        }
        let name = yichuang_core::PersonName::parse(name)?;
        if self.staff(id).is_ok() {
            return Err(StoreError::DuplicateStaff(id.to_owned()));
        }
        let pin_hash = match pin {
            Some(p) => {
                pins::pin_rule(p)?;
                Some(pins::hash_pin(p, &self.key, &self.pin_owner(id)?)?)
            }
            None => None,
        };
        self.write(actor, now, |w| {
            w.tx.execute(
                "INSERT INTO staff (id, name, role, pin_hash, active, created_at) VALUES (?1, ?2, ?3, ?4, 1, ?5)",
                params![id, name.as_str(), role.as_str(), pin_hash, w.now_text()],
            )?;
            w.event(id, Event::StaffAdded(ev::StaffAdded { id: id.to_owned(), name: name.as_str().to_owned(), role: role.as_str().to_owned() }))?;
            Ok(())
        })?;
        self.staff(id)
    }

    pub fn staff(&self, id: &str) -> Result<Staff> {
        self.conn
            .query_row("SELECT id, name, role, active FROM staff WHERE id = ?1", [id], |r| {
                Ok(Staff {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    role: Role::parse(&r.get::<_, String>(2)?).unwrap_or(Role::Clerk),
                    active: r.get(3)?,
                })
            })
            .optional()?
            .ok_or_else(|| StoreError::UnknownStaff(id.to_owned()))
    }

    pub fn staff_list(&self) -> Result<Vec<Staff>> {
        let mut stmt = self.conn.prepare("SELECT id FROM staff ORDER BY role DESC, id")?;
        let ids: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        ids.iter().map(|id| self.staff(id)).collect()
    }

    pub(crate) fn require_staff(&self, id: &str) -> Result<Staff> {
        let s = self.staff(id)?;
        if !s.active {
            return Err(StoreError::InactiveStaff(s.name));
        }
        Ok(s)
    }

    /// The head confirms that the PC's clock was set back because it had been fast: an event
    /// dated now, before the last one, after which this terminal records again. The head's
    /// PIN is checked by the caller ([`Store::check_pin`]), counted like a sign-in.
    pub fn confirm_clock(&mut self, head: &str, now: DateTime<FixedOffset>) -> Result<()> {
        let head = self.require_head(head, "确认时钟校正")?;
        let code = self.centre()?.code.to_string();
        self.write(&head.id, now, |w| {
            let previous: String = w
                .tx
                .query_row("SELECT latest_at FROM chain_head WHERE id = 1", [], |r| r.get::<_, Option<String>>(0))
                .optional()?
                .flatten()
                .unwrap_or_default();
            w.event(&code, Event::ClockConfirmed(ev::ClockConfirmed { previous, head: head.id.clone() }))?;
            Ok(())
        })
    }

    pub(crate) fn require_head(&self, id: &str, action: &'static str) -> Result<Staff> {
        let s = self.require_staff(id)?;
        if s.role != Role::Head {
            return Err(StoreError::NotPermitted { name: s.name, action });
        }
        Ok(s)
    }

    /// Loads the demo catalogue and demo staff (`demo`, a clerk; `head`, the station head;
    /// `b1`, the B post of the first window). PINs are `123456`.
    pub fn load_demo(&mut self, now: DateTime<FixedOffset>) -> Result<()> {
        self.import_catalogue("system", DEMO_CATALOGUE, now)?;
        for (id, name, role) in [("head", "王建国", Role::Head), ("demo", "李梅", Role::Clerk), ("b1", "张磊", Role::Clerk)] {
            if self.staff(id).is_err() {
                // The first head is set up by the system, the rest by that head.
                let by = if role == Role::Head { "system" } else { "head" };
                self.add_staff(by, id, name, role, Some("123456"), now)?;
            }
        }
        let mut settings = self.centre()?.settings.clone();
        if settings.phone.is_empty() {
            settings.phone = "0775-7801234".into();
            settings.address = "示范镇人民路1号便民服务中心".into();
            self.update_settings("head", settings, now)?;
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Integrity and backup
    // -----------------------------------------------------------------------------------------

    /// Checks the event chain and that every record has its event.
    pub fn verify(&self) -> Result<VerifyReport> {
        let total: i64 = self.conn.query_row("SELECT count(*) FROM event", [], |r| r.get(0)).unwrap_or(0);
        let own = self.own_stream().ok().flatten().unwrap_or_default();
        let report = match events::verify(&self.conn, &own)? {
            Ok(n) => match self.seal_fault()? {
                None => VerifyReport { events: n, fault: None },
                Some(fault) => VerifyReport { events: total, fault: Some(fault) },
            },
            Err(fault) => VerifyReport { events: total, fault: Some(fault) },
        };
        // A damaged file is marked, so that every program opens it for reading only; a file
        // that checks out whole (restored, or found sound again) is no longer marked.
        match &report.fault {
            Some(ChainFault::Damaged(detail)) => self.mark_damaged(detail),
            None => clear_damage(&self.path),
            Some(_) => {}
        }
        Ok(report)
    }

    /// SQLite's quick check of the whole file (the window runs it at start, in the
    /// background): the file is marked damaged when it fails. Says what it found.
    pub fn check_file(path: &Path) -> Result<Option<String>> {
        // Not an SQLite file at all (empty, text): `open` refuses it as such.
        let mut head = [0u8; 16];
        if std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_err() || &head != b"SQLite format 3\0" {
            return Ok(None);
        }
        let Ok(conn) = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) else {
            return Ok(None);
        };
        let lines: std::result::Result<Vec<String>, rusqlite::Error> =
            conn.prepare("PRAGMA quick_check(5)").and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect());
        // Only SQLite's own verdict marks the file: a lock or a log it cannot read now does not.
        let found = match lines {
            Ok(l) if l == ["ok"] => None,
            Ok(l) => Some(l.join("；")),
            Err(e) if matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)) => {
                Some(sqlite_reason(&e))
            }
            Err(_) => None,
        };
        if let Some(detail) = &found {
            write_damage_marker(path, detail);
        }
        Ok(found)
    }

    /// Why the database is open for reading only, if it was found damaged.
    pub fn damaged(&self) -> Option<String> {
        std::fs::read_to_string(damage_marker(&self.path))
            .ok()
            .map(|t| t.lines().next().map(str::trim).filter(|l| !l.is_empty()).unwrap_or("已发现损坏").to_owned())
    }

    /// For the few bookkeeping writes outside [`Store::write`] (HQ's answers, the LAN's notes):
    /// refused on a damaged file with the reason, as every change is.
    pub(crate) fn refuse_if_damaged(&self) -> Result<()> {
        match self.damaged() {
            Some(detail) => Err(StoreError::Damaged(detail)),
            None => Ok(()),
        }
    }

    fn mark_damaged(&self, detail: &str) {
        write_damage_marker(&self.path, detail);
    }

    /// What the keyed checks find: the chain head's seal, and PIN hashes this program did not
    /// write (each is masked with the key).
    fn seal_fault(&self) -> Result<Option<ChainFault>> {
        let (seq, hash): (i64, String) = self
            .conn
            .query_row("SELECT seq, hash FROM chain_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or((0, events::GENESIS_HASH.to_owned()));
        let seal: Option<(String, i64, String)> = self
            .conn
            .query_row("SELECT key_id, seq, mac FROM chain_seal WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        match seal {
            Some((id, s, mac)) if id == self.key.id() && s == seq && mac == self.key.seal(seq, &hash) => {}
            _ => return Ok(Some(ChainFault::Unsealed { seq })),
        }
        let mut stmt = self.conn.prepare("SELECT name, pin_hash FROM staff WHERE pin_hash IS NOT NULL ORDER BY id")?;
        let rows: Vec<(String, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        Ok(rows.into_iter().find(|(_, h)| !pins::is_masked(h)).map(|(staff, _)| ChainFault::UnmaskedPin { staff }))
    }

    /// The id of the key that seals this database.
    pub fn key_id_sealing(&self) -> &str {
        self.key.id()
    }

    /// This PC's key folder.
    pub fn keyring(&self) -> &Keyring {
        &self.ring
    }

    /// Whether any head was ever added to this centre, by the record (this window's events or
    /// another's), whatever the staff table now says: only before that may "system" add one.
    pub fn head_ever_added(&self) -> Result<bool> {
        let has_peers: bool = self.conn.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'peer_event')", [], |r| r.get(0))?;
        let sql = if has_peers {
            "SELECT EXISTS (SELECT 1 FROM event WHERE kind IN ('staff.added', 'staff.changed') AND json_extract(payload, '$.role') = 'head')
                 OR EXISTS (SELECT 1 FROM peer_event WHERE kind IN ('staff.added', 'staff.changed') AND json_extract(payload, '$.role') = 'head')"
        } else {
            "SELECT EXISTS (SELECT 1 FROM event WHERE kind IN ('staff.added', 'staff.changed') AND json_extract(payload, '$.role') = 'head')"
        };
        Ok(self.conn.query_row(sql, [], |r| r.get(0))?)
    }

    /// The head changes a staff member's role or takes them off (or back on) duty. A head does
    /// not change their own standing (another head does), and the centre keeps at least one
    /// active head.
    pub fn change_staff(&mut self, head: &str, id: &str, role: Role, active: bool, now: DateTime<FixedOffset>) -> Result<Staff> {
        let head = self.require_head(head, "调整工作人员")?;
        let staff = self.staff(id.trim())?;
        if staff.role == role && staff.active == active {
            return Err(StoreError::Rule(format!("{}的角色和状态没有改动", staff.name)));
        }
        if staff.id == head.id {
            return Err(StoreError::Rule("不能停用自己或降低自己的权限：请由另一名负责人办理".into()));
        }
        let heads_after = self
            .staff_list()?
            .iter()
            .filter(|s| s.active && s.role == Role::Head && s.id != staff.id)
            .count()
            + usize::from(active && role == Role::Head);
        if heads_after == 0 {
            return Err(StoreError::Rule("中心至少要有一名在岗的负责人".into()));
        }
        self.write(&head.id, now, |w| {
            w.tx.execute("UPDATE staff SET role = ?2, active = ?3 WHERE id = ?1", params![staff.id, role.as_str(), active])?;
            w.event(&staff.id, Event::StaffChanged(ev::StaffChanged { id: staff.id.clone(), role: role.as_str().to_owned(), active }))?;
            Ok(())
        })?;
        self.staff(&staff.id)
    }

    /// The key that seals this database, as a key file's text for the head to keep apart from
    /// the backups (a backup opens on another PC only with it). The export is on the record.
    pub fn export_key(&mut self, head: &str, now: DateTime<FixedOffset>) -> Result<String> {
        let head = self.require_head(head, "导出本机密钥")?;
        let key_id = self.key.id().to_owned();
        self.write(&head.id, now, |w| {
            w.event(&key_id, Event::KeyExported(ev::KeyExported { key_id: key_id.clone(), head: head.id.clone() }))?;
            Ok(())
        })?;
        Ok(self.key.to_text())
    }

    /// `PRAGMA integrity_check`: `ok` or SQLite's list of problems.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// Writes an online backup of the whole database to `dest` (the app keeps working), then
    /// opens the copy and checks it. `progress` gets (pages done, pages total).
    pub fn backup_to(&self, dest: &Path, progress: Option<fn(rusqlite::backup::Progress)>) -> Result<()> {
        self.backup_with_progress(dest, &mut |done, total| {
            if let Some(f) = progress {
                f(rusqlite::backup::Progress { remaining: total - done, pagecount: total })
            }
        })
    }

    /// [`Store::backup_to`], reporting (pages copied, pages in all) after every step of 256
    /// pages, so that a window can show a progress bar.
    pub fn backup_with_progress(&self, dest: &Path, progress: &mut dyn FnMut(i32, i32)) -> Result<()> {
        if dest.exists() {
            return Err(StoreError::Io(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("备份文件{}已存在，不会覆盖", dest.display()),
            )));
        }
        {
            let mut target = Connection::open(dest)?;
            files::private_file(dest)?;
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut target)?;
            loop {
                let step = backup.step(256)?;
                let p = backup.progress();
                progress(p.pagecount - p.remaining, p.pagecount);
                match step {
                    rusqlite::backup::StepResult::Done => break,
                    rusqlite::backup::StepResult::More => {}
                    // Another connection holds a lock: wait a little and go on.
                    _ => std::thread::sleep(std::time::Duration::from_millis(20)),
                }
            }
            drop(backup);
            // A backup is one self-contained file: no -wal or -shm beside it.
            target.pragma_update(None, "journal_mode", "DELETE")?;
        }
        check_backup(dest)?;
        Ok(())
    }

    /// The events, in order, from `after` (exclusive); for sync and audit.
    pub fn events_after(&self, after: i64, limit: i64) -> Result<Vec<EventRecord>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {} FROM event WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            events::EVENT_COLUMNS
        ))?;
        let rows = stmt.query_map(params![after, limit], events::read_row)?.collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The events the figures of the days `from..=to` depend on, this terminal's and the
    /// centre's other windows' (less those that lost a conflict), in the order of time: the
    /// whole history up to `to` of every case with an event from `from` on or running now,
    /// and the inquiries' and complaints' events of the period. A case that ended before the
    /// period and was not touched in it counts for nothing in it, and is not read.
    pub fn events_for_period(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<EventRecord>> {
        // A day either side: the fold takes each event's own day; the text bounds only narrow.
        let lo = (from - chrono::Days::new(1)).to_string();
        let hi = (to + chrono::Days::new(2)).to_string();
        let queries = period_queries();
        // Each stream (this terminal's, each peer's) keeps its own order: an event is placed at
        // the latest time its stream had reached (a clock set back a little, or a correction the
        // head confirmed, never puts an act before the intake it follows); the streams are then
        // merged by that time, stably.
        let mut keyed: Vec<(i64, EventRecord)> = vec![];
        for (i, sql) in queries.iter().enumerate() {
            // The first two are this terminal's own log, one stream whatever terminal number
            // it has had; the peers' come stream by stream.
            let own = i < 2;
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map(params![lo, hi], events::read_row)?;
            let mut stream = String::new();
            let mut reached = i64::MIN;
            for r in rows {
                let r = r?;
                if !own && r.terminal != stream {
                    stream.clone_from(&r.terminal);
                    reached = i64::MIN;
                }
                let t = chrono::DateTime::parse_from_rfc3339(&r.at).map(|t| t.timestamp_micros()).unwrap_or(reached);
                reached = reached.max(t);
                keyed.push((reached, r));
            }
        }
        keyed.sort_by_key(|(t, _)| *t);
        Ok(keyed.into_iter().map(|(_, e)| e).collect())
    }

    /// The events about one subject (a case, a document, an inquiry), in order.
    pub fn events_of(&self, subject: &str) -> Result<Vec<EventRecord>> {
        let mut stmt =
            self.conn.prepare(&format!("SELECT {} FROM event WHERE subject = ?1 ORDER BY seq", events::EVENT_COLUMNS))?;
        let rows = stmt.query_map([subject], events::read_row)?.collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}

/// The four queries of [`Store::events_for_period`] (`?1` the lower, `?2` the upper bound of
/// `at`): cases touched or running, then the period's inquiries and complaints; own, then peer.
pub(crate) fn period_queries() -> [String; 4] {
    let own = events::EVENT_COLUMNS;
    let peer = events::EVENT_COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ");
    let lost = "NOT (p.kind IN ('case.service_rated', 'case.rated')
                    AND EXISTS (SELECT 1 FROM case_conflict c WHERE c.stream = p.stream AND c.seq = p.seq))";
    let touched = "SELECT subject FROM event WHERE at >= ?1 AND kind GLOB 'case.*'
                   UNION SELECT subject FROM peer_event WHERE at >= ?1 AND kind GLOB 'case.*'
                   UNION SELECT number FROM case_file WHERE status IN ('accepted', 'forwarded')";
    [
        format!("SELECT {own} FROM event WHERE subject IN ({touched}) AND at < ?2 AND kind GLOB 'case.*' ORDER BY seq"),
        format!(
            "SELECT {own} FROM event WHERE at >= ?1 AND at < ?2 AND (kind GLOB 'inquiry.*' OR kind GLOB 'complaint.*') ORDER BY seq"
        ),
        format!("SELECT {peer} FROM peer_event p WHERE p.subject IN ({touched}) AND p.at < ?2 AND p.kind GLOB 'case.*' AND {lost} ORDER BY p.stream, p.seq"),
        format!(
            "SELECT {peer} FROM peer_event p WHERE p.at >= ?1 AND p.at < ?2 AND (p.kind GLOB 'inquiry.*' OR p.kind GLOB 'complaint.*') ORDER BY p.stream, p.seq"
        ),
    ]
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    /// Where the database as it was before the restore was kept (nothing is deleted).
    pub kept_as: Option<PathBuf>,
    /// Events in the restored database.
    pub events: i64,
}

impl Store {
    /// Replaces the database at `db` with the backup at `backup`, after checking the backup and
    /// keeping a copy of the current database beside it. Close every `Store` on `db` first.
    ///
    /// The restored database starts a new numbering epoch under `terminal`, a terminal number
    /// that neither the backup nor the database it replaces has numbered anything with: the
    /// copy that was lost may have issued case and document numbers after the backup was
    /// taken, and those numbers must never be issued again.
    pub fn restore(db: &Path, backup: &Path, terminal: TerminalId, now: DateTime<FixedOffset>) -> Result<RestoreReport> {
        Self::restore_with(db, backup, terminal, false, now)
    }

    /// [`Store::restore`]; a backup of another centre than the one at `db` is refused unless
    /// `other_centre` says the head confirmed it, and the confirmation is then recorded in the
    /// `store.restored` event with the centre it replaced.
    pub fn restore_with(db: &Path, backup: &Path, terminal: TerminalId, other_centre: bool, now: DateTime<FixedOffset>) -> Result<RestoreReport> {
        let report = check_backup(backup)?;
        if report.fault.is_some() {
            return Err(StoreError::BadBackup(backup.display().to_string()));
        }
        let (found, mut used) = {
            let conn = Connection::open_with_flags(backup, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            (user_version(&conn)?, terminals_used(&conn)?)
        };
        if found > MIGRATIONS.len() as i64 {
            return Err(StoreError::NewerDatabase { found, supported: MIGRATIONS.len() as i64 });
        }
        if db.exists() {
            // What the database being replaced numbered with, when it can still be read.
            if let Ok(conn) = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) {
                used.extend(terminals_used(&conn).unwrap_or_default());
            }
        }
        let new_terminal = terminal.to_string();
        if used.contains(&new_terminal) {
            return Err(StoreError::TerminalUsed(new_terminal));
        }
        // Whose backup it is, against whose database it replaces (when that can be read).
        let centre_of = |p: &Path| -> Option<String> {
            Connection::open_with_flags(p, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .ok()?
                .query_row("SELECT code FROM centre WHERE id = 1", [], |r| r.get(0))
                .ok()
        };
        let replaced_centre = match (db.exists().then(|| centre_of(db)).flatten(), centre_of(backup)) {
            (Some(here), Some(theirs)) if here != theirs => {
                if !other_centre {
                    return Err(StoreError::OtherCentreBackup { here, theirs });
                }
                Some(here)
            }
            _ => None,
        };
        // The database it replaces is kept beside it, even when it can no longer be read.
        let kept_as = if db.exists() {
            let mut n = 1;
            let aside = loop {
                let p = PathBuf::from(format!("{}.before-restore-{n}", db.display()));
                if !p.exists() {
                    break p;
                }
                n += 1;
            };
            Some(aside)
        } else {
            None
        };
        // The restored database is built whole beside the live one, its restore event and new
        // terminal number in it, and takes the live one's place in one rename: a kill at any
        // point leaves either the old database or the restored one with its event.
        let tmp = PathBuf::from(format!("{}.restoring", db.display()));
        remove_with_wal(&tmp);
        let built = (|| {
            {
                let mut conn = open_connection(&tmp)?;
                conn.restore(rusqlite::MAIN_DB, backup, None::<fn(rusqlite::backup::Progress)>)?;
            }
            // Bring an older backup up to this program's schema, as any open does.
            let mut store = Store::open(&tmp)?;
            let after = store.verify()?;
            if after.fault.is_some() {
                return Err(StoreError::BadBackup(backup.display().to_string()));
            }
            // The restore itself is on the record, with the new terminal number, in one
            // transaction. Sync reads it: events after the backup's last one are a new history,
            // sent to HQ under a new enrolment.
            let (backup_head, _) = store.head()?;
            let name = backup.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let kept = kept_as.as_ref().map(|p| p.display().to_string());
            let before = store.centre()?.terminal.to_string();
            if let Some(c) = store.centre.as_mut() {
                c.terminal = terminal;
            }
            store.write("system", now, |w| {
                w.tx.execute("UPDATE centre SET terminal = ?1 WHERE id = 1", [&new_terminal])?;
                w.event(
                    "database",
                    Event::StoreRestored(ev::StoreRestored {
                        backup: name.clone(),
                        backup_head,
                        kept_as: kept.clone(),
                        terminal_before: Some(before.clone()),
                        terminal: Some(new_terminal.clone()),
                        replaced_centre: replaced_centre.clone(),
                    }),
                )?;
                Ok(())
            })?;
            // The new epoch signs with a key of its own (its documents and export files).
            store.signing_key(now)?;
            settle(store.conn, &tmp)
        })();
        // An older backup was migrated: the copy taken first is the backup file itself.
        if let (Some(dir), Some(stem)) = (tmp.parent(), tmp.file_name().map(|n| n.to_string_lossy().into_owned())) {
            for e in std::fs::read_dir(if dir.as_os_str().is_empty() { Path::new(".") } else { dir }).into_iter().flatten().flatten() {
                if e.file_name().to_string_lossy().starts_with(&format!("{stem}.v")) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        if let Err(e) = built {
            remove_with_wal(&tmp);
            return Err(e);
        }
        // The database it replaces is kept, whole, before anything takes its place.
        if let Some(aside) = &kept_as {
            if let Err(e) = keep_aside(db, aside) {
                remove_with_wal(&tmp);
                return Err(e);
            }
        }
        // No write-ahead log of the old database may be left to pair with the new file.
        if db.exists() {
            if let Ok(conn) = Connection::open(db) {
                // Busy: another program (a window, a sync) is reading or writing it right now;
                // its last commits would be cut off with the log. Nothing is replaced then.
                let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0)).unwrap_or(0);
                let _ = conn.close();
                if busy != 0 {
                    remove_with_wal(&tmp);
                    return Err(StoreError::Rule("数据库正被另一个程序使用（另一个一窗通窗口或同步）：请先关闭它，再恢复".into()));
                }
            }
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
        }
        std::fs::rename(&tmp, db)?;
        sync_dir(db)?;
        clear_damage(db);
        let store = Store::open(db)?;
        Ok(RestoreReport { kept_as, events: store.head()?.0 })
    }

    /// The terminal numbers this database's events were written under: every number series
    /// a terminal keeps carries its number, so these may not be taken again.
    pub fn terminals_used(&self) -> Result<std::collections::BTreeSet<String>> {
        terminals_used(&self.conn)
    }
}

fn terminals_used(conn: &Connection) -> Result<std::collections::BTreeSet<String>> {
    // The centre's other windows too, when the database knows them (migration 5 onwards).
    let has_peers: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'peer_stream')", [], |r| r.get(0))?;
    let sql = if has_peers {
        "SELECT DISTINCT terminal FROM event UNION SELECT terminal FROM centre UNION SELECT terminal FROM peer_stream"
    } else {
        "SELECT DISTINCT terminal FROM event UNION SELECT terminal FROM centre"
    };
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Opens a backup file read-only and checks that it is a sound 一窗通 database.
pub fn check_backup(path: &Path) -> Result<VerifyReport> {
    let bad = || StoreError::BadBackup(path.display().to_string());
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|_| bad())?;
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|_| bad())?;
    let version = user_version(&conn).map_err(|_| bad())?;
    if ok != "ok" || version < 1 {
        return Err(bad());
    }
    let report = match events::verify(&conn, "").map_err(|_| bad())? {
        Ok(n) => VerifyReport { events: n, fault: None },
        Err(f) => VerifyReport { events: 0, fault: Some(f) },
    };
    Ok(report)
}

fn import_calendar_year(w: &Writer<'_>, text: &str) -> Result<()> {
    let file = CalendarFile::parse(text)?;
    file.to_arrangement()?;
    let inserted = w.tx.execute(
        "INSERT INTO calendar_year (year, version, source, body, imported_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (year, version) DO NOTHING",
        params![file.year, file.version, file.source, text, w.now_text()],
    )?;
    if inserted == 1 {
        w.event(
            &file.year.to_string(),
            Event::CalendarImported(ev::CalendarImported { year: file.year, version: file.version, source: file.source.clone() }),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
