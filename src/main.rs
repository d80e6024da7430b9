//! `yichuang`: the counter's every operation from the command line, for scripts, tests and
//! HQ staff. The clock is read once per command through `yichuang_app::clock` (the system's, or
//! in a build for tests `YICHUANG_NOW`, RFC 3339).
//! Errors go to stderr in Chinese with a non-zero exit; never a panic or a backtrace.

mod demo;
mod dto;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, FixedOffset, NaiveDate};
use clap::{Args, Parser, Subcommand};
use serde_json::json;
use yichuang_core::{Limit, PauseKind};
use yichuang_store::{bundled_calendar, CaseFilter, Store};

#[derive(Parser)]
#[command(name = "yichuang", version, about = "一窗通：乡镇便民服务中心窗口受理（命令行）")]
struct Cli {
    /// The centre's database file (or YICHUANG_DB).
    #[arg(long, global = true, env = "YICHUANG_DB")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum PeerCmd {
    /// The centre's other terminals this one holds, and the windows it pulls from on the LAN.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Adds another window of the centre on the LAN (where it runs `serve-peer`), pinned to the
    /// key it proves it holds.
    Add {
        /// http://host:port
        url: String,
        /// Trust a window seen for the first time (a station head, having compared the
        /// fingerprint with the one the other window shows).
        #[arg(long)]
        accept: bool,
        /// Who accepts: a station head's staff id.
        #[arg(long)]
        actor: Option<String>,
    },
}

#[derive(Subcommand)]
enum RotaCmd {
    /// A window post with its A and B staff.
    Post {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        a: String,
        #[arg(long)]
        b: Option<String>,
        #[arg(long)]
        actor: String,
    },
    /// Leave, a meeting or training, from and to (inclusive).
    Leave {
        #[arg(long)]
        staff: String,
        #[arg(long)]
        from: chrono::NaiveDate,
        #[arg(long)]
        to: chrono::NaiveDate,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        actor: String,
    },
    /// Who covers each post today.
    Today,
}

#[derive(Subcommand)]
enum Command {
    /// Enrols this terminal with HQ, using a one-time code from HQ staff.
    Enrol {
        #[arg(long)]
        hq: String,
        #[arg(long)]
        code: String,
    },
    /// Sends pending events to HQ until it holds them all, then takes HQ's updates.
    Sync {
        /// HQ's address; with --code, enrols first when this terminal is not enrolled yet.
        #[arg(long)]
        hq: Option<String>,
        #[arg(long)]
        code: Option<String>,
        /// Events per batch.
        #[arg(long, default_value_t = 500)]
        batch: usize,
        /// Tries of one request before giving up this round.
        #[arg(long, default_value_t = 6)]
        attempts: u32,
        #[arg(long)]
        json: bool,
    },
    /// The statistics: a month's report (`--month 2026-11`) or a day's summary (`--day`), as
    /// text, JSON, an xlsx workbook or a PDF.
    Report {
        #[arg(long, conflicts_with = "day")]
        month: Option<String>,
        #[arg(long)]
        day: Option<chrono::NaiveDate>,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        xlsx: Option<PathBuf>,
        #[arg(long)]
        pdf: Option<PathBuf>,
    },
    /// The A/B rota: set a post's A and B staff (the head), or register an absence.
    Rota {
        #[command(subcommand)]
        cmd: RotaCmd,
    },
    /// Where this terminal stands with HQ: pending, acknowledged, rejected.
    SyncStatus {
        #[arg(long)]
        json: bool,
    },
    /// Writes a signed export file for HQ: one day's events, or everything pending; or, with
    /// --for-peers, this terminal's whole stream for the centre's other windows. The file is
    /// sealed to HQ (and the centre's windows), so a lost USB stick reveals nothing.
    Export {
        #[arg(long, conflicts_with_all = ["pending", "for_peers"])]
        day: Option<chrono::NaiveDate>,
        #[arg(long, conflicts_with = "for_peers")]
        pending: bool,
        #[arg(long)]
        for_peers: bool,
        #[arg(long)]
        out: PathBuf,
        /// Also seal it to this public key (another window's, from `yichuang key` there; a
        /// key may begin with `-`).
        #[arg(long, allow_hyphen_values = true)]
        to: Vec<String>,
    },
    /// This terminal's public key and its fingerprint (for `export --to` at another window,
    /// and for comparing at `peer add` and `import --accept`).
    Key,
    /// Takes in a file: another terminal's stream (a USB stick between windows), or a document
    /// HQ signed (a year's holiday calendar, the catalogue), applied by a station head.
    Import {
        file: PathBuf,
        /// Accept the key of a terminal seen for the first time (the head, after checking
        /// the fingerprint the other window shows).
        #[arg(long)]
        accept: bool,
        /// Who accepts: a station head's staff id.
        #[arg(long)]
        actor: Option<String>,
    },
    /// The centre's other terminals this one holds, and when each was last heard from.
    Peer {
        #[command(subcommand)]
        cmd: PeerCmd,
    },
    /// Serves this window's stream to the centre's other windows on the LAN until stopped.
    ServePeer {
        /// The address to listen on.
        #[arg(long, default_value = "0.0.0.0:47810")]
        listen: String,
    },
    /// Acts on a case that lost to another window's (two windows cut off from each other).
    Conflicts {
        #[arg(long)]
        json: bool,
    },
    /// Set up a new database for a centre.
    Init {
        #[arg(long)]
        centre_code: String,
        #[arg(long)]
        centre_name: String,
        #[arg(long)]
        terminal: String,
        /// Load the demo catalogue and demo staff (clerk `demo`, head `head`, PIN 123456).
        #[arg(long)]
        demo: bool,
    },
    /// A scripted walk through a day at the window, on a demo centre.
    Demo,
    #[command(subcommand)]
    Catalog(CatalogCmd),
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// Reads the identity card on the reader (the vendor library in the settings, in a helper
    /// process), or parses what a keyboard-emulation reader typed (`--typed TEXT`).
    Card {
        /// What a keyboard-emulation reader typed, instead of reading the library.
        #[arg(long)]
        typed: Option<String>,
        /// Stop a read that has no answer after this many seconds.
        #[arg(long, default_value_t = 15)]
        timeout: u64,
        #[arg(long)]
        json: bool,
    },
    /// The reader's helper process (started by `card`; not for people): loads LIB, reads one
    /// card on PORT, prints one line.
    #[command(hide = true)]
    CardHelper { lib: String, port: String, folder: String },
    /// Check an identifier: exit 0 and `ok`, or exit 1 and the reason.
    Validate {
        #[arg(value_parser = ["id", "uscc", "phone", "name"])]
        kind: String,
        value: String,
    },
    #[command(subcommand)]
    Staff(StaffCmd),
    #[command(subcommand)]
    Case(CaseCmd),
    #[command(subcommand)]
    Doc(DocCmd),
    #[command(subcommand)]
    Inquiry(InquiryCmd),
    #[command(subcommand)]
    Print(PrintCmd),
    /// The Today screen: overdue, due soon, paused, awaiting supplement, ready for collection,
    /// open inquiries, and today's counts.
    Today {
        #[arg(long)]
        json: bool,
    },
    /// Queues the SMS reminders and invitations due today (for applicants who agreed), each
    /// once; HQ sends them after the next sync. The window does this as Today opens.
    SmsQueue,
    /// The centre's settings: show them, or change one (head only).
    Settings {
        /// KEY=VALUE: warning_days, stub_copies, deemed_approval, phone, address, printer,
        /// slip_printer, slip_encoding, hq_public_key, peer_listen, hq_ca (KEY=@FILE reads the
        /// value from a file, e.g. hq_ca=@county-ca.pem).
        #[arg(long)]
        set: Option<String>,
        #[arg(long)]
        actor: Option<String>,
    },
    /// The county's supervision notices (督办): `supervision` lists the open ones (`--all`
    /// with the answered); `supervision --answer ID --text … --actor HEAD` answers one.
    Supervision {
        #[arg(long)]
        all: bool,
        #[arg(long, value_name = "ID")]
        answer: Option<String>,
        #[arg(long)]
        text: Option<String>,
        #[arg(long)]
        actor: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The PC's clock was set back (it had been fast): the head confirms, with the PIN from
    /// standard input, so that this terminal records again after the refusal "本机时钟可能不准".
    ClockConfirm {
        #[arg(long)]
        actor: String,
    },
    /// The event log (the sync outbox).
    Events {
        #[arg(long, default_value_t = 0)]
        after: i64,
        #[arg(long, default_value_t = 1000)]
        limit: i64,
        #[arg(long)]
        subject: Option<String>,
    },
    /// Check the event chain: exit 0 and `ok`, or exit 1 and the first broken event.
    Verify,
    /// Replace the database with a backup (the current one is kept beside it).
    Restore {
        #[arg(long)]
        from: PathBuf,
        /// The terminal number the restored database takes from now on: one this centre has
        /// not numbered anything with (the lost copy may have used its old number after the
        /// backup was taken).
        #[arg(long)]
        terminal: String,
        /// The backup is another centre's and the head confirms it is to replace this one's
        /// database (recorded in the restore's event).
        #[arg(long)]
        other_centre: bool,
    },
    /// Write an online backup of the database.
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// This PC's key, which seals the database and masks its PINs (kept outside the file).
    MachineKey {
        #[command(subcommand)]
        cmd: KeyCmd,
    },
}

#[derive(Subcommand)]
enum KeyCmd {
    /// Which key seals the database, and where this PC keeps its keys.
    Show,
    /// Write the database's key to a file (the head's PIN on standard input): kept apart from
    /// the backups, it lets another PC open them.
    Export {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = "head")]
        actor: String,
    },
    /// Add another PC's exported key to this PC's key folder.
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum CatalogCmd {
    List {
        #[arg(long)]
        json: bool,
    },
    Show {
        code: String,
        #[arg(long)]
        json: bool,
    },
    /// Find items by name, code or pinyin initials (`ylbx`).
    Search {
        query: String,
        #[arg(long)]
        json: bool,
    },
    Import {
        file: PathBuf,
        #[arg(long)]
        actor: String,
    },
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// The due date of a limit started on a day (that day does not count).
    Due {
        #[arg(long)]
        from: NaiveDate,
        #[arg(long)]
        days: u32,
        /// Natural days (自然日) instead of working days.
        #[arg(long)]
        natural: bool,
    },
    /// Import one year's official holiday arrangement.
    Import {
        file: PathBuf,
        #[arg(long)]
        actor: String,
    },
    /// Import a region's own days off.
    ImportRegional {
        file: PathBuf,
        #[arg(long)]
        actor: String,
    },
    /// Working days and holidays of a month.
    Month {
        /// YYYY-MM
        month: String,
    },
}

#[derive(Subcommand)]
enum StaffCmd {
    List {
        #[arg(long)]
        json: bool,
    },
    /// The head adds a staff member. Standard input: the head's own PIN, then the new
    /// member's first PIN (a line each; never on the command line).
    Add {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["clerk", "head"])]
        role: String,
        #[arg(long)]
        actor: String,
    },
    /// The head sets a new PIN for a staff member; the PIN is read from standard input,
    /// never from the command line (where other users of the PC could see it).
    ResetPin {
        id: String,
        #[arg(long)]
        actor: String,
    },
    /// A staff member changes their own PIN: the old one and the new one, a line each, from
    /// standard input.
    ChangePin { id: String },
    /// The head changes a staff member's role, or takes them off duty (`--active false`) or
    /// back on; the head's PIN on standard input.
    Set {
        id: String,
        #[arg(long, value_parser = ["clerk", "head"])]
        role: Option<String>,
        #[arg(long)]
        active: Option<bool>,
        #[arg(long)]
        actor: String,
    },
}

#[derive(Args)]
struct Actor {
    /// Staff id of who acts.
    #[arg(long)]
    actor: String,
}

#[derive(Subcommand)]
enum CaseCmd {
    /// Take in an application from a JSON file.
    Intake {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// Take the same application in N times, printing one line per committed intake.
        #[arg(long, default_value_t = 1)]
        repeat: u32,
        /// Write the issued documents' PDFs into this folder.
        #[arg(long)]
        print_dir: Option<PathBuf>,
        /// Show the decision the rules propose and write nothing.
        #[arg(long, conflicts_with_all = ["repeat", "print_dir"])]
        preview: bool,
    },
    /// Record materials brought to complete an application.
    Supplement {
        number: String,
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// Write the issued documents' PDFs into this folder.
        #[arg(long)]
        print_dir: Option<PathBuf>,
    },
    Show {
        number: String,
        #[arg(long)]
        json: bool,
    },
    List {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        due_within: Option<u32>,
        /// 容缺 cases still owing materials, by the day they are owed by.
        #[arg(long)]
        owing: bool,
        #[arg(long)]
        status: Option<String>,
        /// Case number, ID number, phone or name.
        #[arg(long)]
        query: Option<String>,
        #[arg(long)]
        limit: Option<usize>,
    },
    Extend {
        number: String,
        #[arg(long)]
        days: u32,
        #[arg(long)]
        reason: String,
        /// The head who approves.
        #[arg(long)]
        approver: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Pause the clock for a procedure that does not count (行政许可法 第45条).
    Pause {
        number: String,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        expected_days: u32,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        actor: Actor,
    },
    Resume {
        number: String,
        #[command(flatten)]
        actor: Actor,
    },
    Forward {
        number: String,
        #[arg(long)]
        to: String,
        #[arg(long, default_value = "")]
        reason: String,
        #[command(flatten)]
        actor: Actor,
    },
    Decide {
        number: String,
        #[arg(long, conflicts_with = "reject")]
        approve: bool,
        #[arg(long)]
        reject: bool,
        #[arg(long, default_value = "")]
        reason: String,
        #[command(flatten)]
        actor: Actor,
    },
    Ready {
        number: String,
        #[command(flatten)]
        actor: Actor,
    },
    Collect {
        number: String,
        /// Who collected and signed.
        #[arg(long)]
        by: String,
        /// The collector's ID number, checked against the applicant's and the agent's.
        #[arg(long)]
        id_number: Option<String>,
        /// The collector is neither: they hold the applicant's power of attorney (委托书).
        #[arg(long)]
        attorney: bool,
        #[command(flatten)]
        actor: Actor,
    },
    /// 终止办理: end a 容缺 case whose owed materials are overdue (the head approves).
    Terminate {
        number: String,
        #[arg(long)]
        reason: String,
        /// The head who approves (staff id).
        #[arg(long)]
        approver: String,
        #[command(flatten)]
        actor: Actor,
    },
    Withdraw {
        number: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// The applicant withdraws their consent to SMS notices (个人信息保护法 第15条).
    SmsWithdraw {
        number: String,
        #[command(flatten)]
        actor: Actor,
    },
    Archive {
        number: String,
        #[command(flatten)]
        actor: Actor,
    },
}

#[derive(Subcommand)]
enum DocCmd {
    /// Render a document to PDF (A4 form or 80 mm slip).
    Render {
        number: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = "a4", value_parser = ["a4", "slip"])]
        layout: String,
    },
    /// Print a document: to the named printer, else the default one, else open the PDF.
    /// With --escpos, raw ESC/POS to a thermal printer's queue (needs --printer).
    Print {
        number: String,
        #[arg(long)]
        printer: Option<String>,
        #[arg(long, default_value = "a4", value_parser = ["a4", "slip"])]
        layout: String,
        #[arg(long, requires = "printer")]
        escpos: bool,
        /// With --escpos: gb18030 (default), gbk, utf8, or raster.
        #[arg(long, default_value = "gb18030")]
        encoding: String,
    },
    /// Write a document as raw ESC/POS for an 80 mm thermal printer.
    Escpos {
        number: String,
        #[arg(long)]
        out: PathBuf,
        /// Text encoding of the printer's Chinese font: gb18030 (default), gbk or utf8.
        #[arg(long, default_value = "gb18030")]
        encoding: String,
        /// Draw everything as a bitmap, for printers without a Chinese font.
        #[arg(long)]
        raster: bool,
    },
    Show {
        number: String,
        #[arg(long)]
        json: bool,
    },
    /// Issue an item's one-time notice (一次性告知单) without a case.
    Notice {
        item: String,
        #[arg(long)]
        person: Option<String>,
        /// Also write the notice as a PDF.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        actor: Actor,
    },
    /// Check the QR code of a printed document (genuine, forged, or from an unknown terminal),
    /// and show what the genuine document says; with `--document FILE` (a document as
    /// `doc show --json` writes it), check that the content is the one the code was signed for.
    Verify {
        qr: String,
        #[arg(long)]
        document: Option<PathBuf>,
    },
    /// The text of a document's QR code, as a scanner reads it off the paper.
    Qr { number: String },
    Void {
        number: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        actor: Actor,
    },
    Reprint {
        number: String,
        #[command(flatten)]
        actor: Actor,
    },
}

#[derive(Subcommand)]
enum PrintCmd {
    /// The printers the system knows, the default marked.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum InquiryCmd {
    Add {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    Reply {
        id: String,
        #[arg(long)]
        result: String,
        #[command(flatten)]
        actor: Actor,
    },
    List {
        #[arg(long)]
        open: bool,
        #[arg(long)]
        json: bool,
    },
}

/// `n` lines from standard input (PINs: never on the command line).
/// A privileged command (staff, settings, catalogue, calendar) is the head's: `actor` must be a
/// head, proven by a PIN on standard input, counted and locked like a sign-in.
fn head_pin(store: &mut Store, actor: &str, now: DateTime<FixedOffset>) -> Result<()> {
    // A centre set up without the demo has no head yet: "system" adds its first one.
    if yichuang_app::acting::system_may_act(store, actor)? {
        return Ok(());
    }
    let pin = stdin_lines(1).map_err(|_| anyhow!("此操作须由中心负责人办理：请从标准输入给出{actor}的密码（一行）"))?.remove(0);
    Ok(yichuang_app::acting::prove_head(store, actor, &pin, now)?)
}

/// The approving head's PIN for an act they approve at a clerk's counter (延期, 终止办理), one
/// line on standard input, counted and locked like a sign-in (as the window's dialog does).
/// Whether the approver may approve is the store's to say, in its words.
fn approver_pin(store: &mut Store, approver: &str, now: DateTime<FixedOffset>) -> Result<()> {
    let pin = stdin_lines(1).map_err(|_| anyhow!("须由批准人确认：请从标准输入给出{approver}的密码（一行）"))?.remove(0);
    Ok(yichuang_app::acting::approve(store, approver, &pin, now)?)
}

fn stdin_lines(n: usize) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(n);
    for line in std::io::stdin().lines().take(n) {
        out.push(line.context("无法读取标准输入")?.trim().to_owned());
    }
    if out.len() < n {
        bail!("请从标准输入给出{n}行密码（每行一个）");
    }
    Ok(out)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("无法读取文件{}", path.display()))
}

fn print_json(v: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// A command-line mistake in Chinese, with what to type for help.
fn usage_error(e: &clap::Error) -> String {
    use clap::error::{ContextKind as C, ErrorKind as K};
    let ctx = |k| e.get(k).map(|v| v.to_string()).unwrap_or_default();
    let what = match e.kind() {
        K::InvalidSubcommand => format!("没有“{}”这个命令", ctx(C::InvalidSubcommand)),
        K::UnknownArgument => format!("不认识的参数“{}”", ctx(C::InvalidArg)),
        K::MissingRequiredArgument => format!("缺少必填的参数{}", ctx(C::InvalidArg)),
        K::MissingSubcommand => "缺少要执行的命令".to_owned(),
        K::InvalidValue | K::ValueValidation => format!("参数{}的值“{}”无效", ctx(C::InvalidArg), ctx(C::InvalidValue)),
        K::ArgumentConflict => format!("参数{}不能与{}同时使用", ctx(C::InvalidArg), ctx(C::PriorArg)),
        K::NoEquals => format!("参数{}须写成 参数=值", ctx(C::InvalidArg)),
        K::TooManyValues | K::TooFewValues | K::WrongNumberOfValues => format!("参数{}的值的个数不对", ctx(C::InvalidArg)),
        K::InvalidUtf8 => "参数中有无法识别的字符（不是UTF-8）".to_owned(),
        _ => "命令行有误".to_owned(),
    };
    format!("{what}；用法见 yichuang --help（或 yichuang 命令 --help）")
}

/// No panic reaches the user as a backtrace: output cut off by a closed pipe (`| head`) ends
/// the program quietly as a pipe's closing would; anything else is said once, in Chinese.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if what.contains("failed printing to stdout") && what.contains("Broken pipe") {
            std::process::exit(141);
        }
        eprintln!("错误：程序内部错误，未完成的操作没有写入任何内容；请把这条信息告诉技术支持：{what}");
        std::process::exit(101);
    }));
}

fn main() -> ExitCode {
    quiet_panics();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind as K;
            if !e.use_stderr() || e.kind() == K::DisplayHelpOnMissingArgumentOrSubcommand {
                let _ = e.print();
            } else {
                eprintln!("错误：{}", usage_error(&e));
            }
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match run(cli) {
        Ok(code) => code,
        // The reader went away (`| head`): end as a closed pipe ends a program, silently.
        Err(e) if e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)) => {
            ExitCode::from(141)
        }
        Err(e) => {
            let mut msg = match e.downcast_ref::<std::io::Error>() {
                Some(io) => yichuang_store::io_reason(io),
                None => e.to_string(),
            };
            for cause in e.chain().skip(1) {
                // A file system's refusal in Chinese; a cause already said is not said again.
                let text = match cause.downcast_ref::<std::io::Error>() {
                    Some(io) => yichuang_store::io_reason(io),
                    None => cause.to_string(),
                };
                if !msg.contains(&text) {
                    msg.push_str(&format!("：{text}"));
                }
            }
            eprintln!("错误：{msg}");
            ExitCode::FAILURE
        }
    }
}

fn open(db: &Option<PathBuf>) -> Result<Store> {
    let path = db.as_ref().ok_or_else(|| anyhow!("请用 --db 指定数据库文件（或设置 YICHUANG_DB）"))?;
    if !path.exists() {
        bail!("数据库文件{}不存在，请先用 init 建立", path.display());
    }
    // The whole file is checked before any command: one found damaged is marked and opened
    // for reading only, so nothing is written onto it.
    Store::check_file(path)?;
    Ok(Store::open(path)?)
}

fn run(cli: Cli) -> Result<ExitCode> {
    // The clock, read in Beijing time whatever the PC's time zone (`YICHUANG_NOW` only in a
    // build for tests): the use-case layer's, as the window's.
    let clock = yichuang_app::clock::Clock::from_env()?;
    let now = clock.now();
    let today = now.date_naive();
    match cli.command {
        Command::Init { centre_code, centre_name, terminal, demo } => {
            let path = cli.db.as_ref().ok_or_else(|| anyhow!("请用 --db 指定数据库文件"))?;
            // Every value parsed before any file is made.
            let centre = yichuang_app::setup::NewCentre::parse(&centre_code, &centre_name, &terminal)?;
            let mut store = Store::open(path)?;
            // One transaction: a kill part-way leaves no centre, and `init` can be run again.
            yichuang_app::setup::init(&mut store, &centre, demo, now)?;
            println!("已建立：{}（{}），终端{}", centre.name, centre_code.trim(), centre.terminal);
        }
        Command::Demo => demo::run(cli.db.as_deref(), now)?,
        Command::Catalog(c) => catalog(&cli.db, c, now)?,
        Command::Calendar(c) => return calendar(&cli.db, c, now),
        Command::CardHelper { lib, port, folder } => yichuang_cardreader::helper_main(&lib, &port, &folder),
        Command::Card { typed, timeout, json } => {
            let card = match typed {
                Some(t) => yichuang_core::card::Card::from_typed(&t)?,
                None => {
                    let store = open(&cli.db)?;
                    let s = &store.centre()?.settings;
                    let me = std::env::current_exe().context("找不到本程序的位置")?;
                    let cmd = yichuang_cardreader::helper_command(&me, &["card-helper"], &s.card_reader_lib, s.card_reader_port)?;
                    yichuang_cardreader::read(cmd, std::time::Duration::from_secs(timeout.max(1)))?
                }
            };
            let v = dto::card_json(&card);
            if json {
                print_json(&v);
            } else {
                println!("{} {} {}", v["kind"].as_str().unwrap_or(""), v["name"].as_str().unwrap_or(""), v["id_number"].as_str().unwrap_or(""));
            }
        }
        Command::Validate { kind, value } => {
            let result = yichuang_app::forms::check_value(yichuang_app::forms::ValueKind::parse(&kind), &value).map_err(|e| e.to_string());
            return Ok(match result {
                Ok(()) => {
                    println!("ok");
                    ExitCode::SUCCESS
                }
                Err(reason) => {
                    println!("{reason}");
                    ExitCode::FAILURE
                }
            });
        }
        Command::Staff(StaffCmd::List { json }) => {
            let store = open(&cli.db)?;
            let staff = store.staff_list()?;
            if json {
                print_json(&json!(staff.iter().map(|s| json!({"id": s.id, "name": s.name, "role": s.role.as_str(), "active": s.active})).collect::<Vec<_>>()));
            } else {
                for s in staff {
                    println!("{}\t{}\t{}", s.id, s.name, s.role.label());
                }
            }
        }
        Command::Staff(StaffCmd::Add { id, name, role, actor }) => {
            let mut store = open(&cli.db)?;
            let role = yichuang_app::forms::role(&role)?;
            head_pin(&mut store, &actor, now)?;
            let first = stdin_lines(1).map_err(|_| anyhow!("请在负责人的密码之后，另起一行给出新工作人员的密码（6到12位数字）"))?.remove(0);
            let s = store.add_staff(&actor, &id, &name, role, Some(&first), now)?;
            println!("已添加：{} {}（{}）", s.id, s.name, s.role.label());
        }
        Command::Staff(StaffCmd::ResetPin { id, actor }) => {
            let mut store = open(&cli.db)?;
            // The head's own PIN first, then the new one: a head's word is proven, not typed.
            head_pin(&mut store, &actor, now)?;
            let pin = stdin_lines(1).map_err(|_| anyhow!("请在负责人的密码之后，另起一行给出新密码（6到12位数字）"))?.remove(0);
            store.reset_pin(&actor, &id, &pin, now)?;
            println!("已重置{}的密码", store.staff(&id)?.name);
        }
        Command::Staff(StaffCmd::Set { id, role, active, actor }) => {
            let mut store = open(&cli.db)?;
            head_pin(&mut store, &actor, now)?;
            let current = store.staff(&id)?;
            let role = match role.as_deref() {
                Some(r) => yichuang_app::forms::role(r)?,
                None => current.role,
            };
            let s = store.change_staff(&actor, &id, role, active.unwrap_or(current.active), now)?;
            println!("已调整：{} {}（{}，{}）", s.id, s.name, s.role.label(), if s.active { "在岗" } else { "已停用" });
        }
        Command::Staff(StaffCmd::ChangePin { id }) => {
            let mut store = open(&cli.db)?;
            let mut lines = stdin_lines(2)?;
            let (old, new) = (lines.remove(0), lines.remove(0));
            store.change_pin(&id, &old, &new, now)?;
            println!("已修改{}的密码", store.staff(&id)?.name);
        }
        Command::Case(c) => return case(&cli.db, c, now),
        Command::Doc(c) => doc(&cli.db, c, now)?,
        Command::Print(PrintCmd::List { json }) => {
            let printers = yichuang_print::printer::list()?;
            if json {
                print_json(&json!(printers.iter().map(|p| json!({"name": p.name, "default": p.is_default})).collect::<Vec<_>>()));
            } else if printers.is_empty() {
                println!("没有设置打印机");
            } else {
                for p in printers {
                    println!("{}{}", p.name, if p.is_default { "（默认）" } else { "" });
                }
            }
        }
        Command::Inquiry(c) => inquiry(&cli.db, c, now)?,
        Command::SmsQueue => {
            let mut store = open(&cli.db)?;
            let n = store.queue_due_sms(now)?;
            println!("已排队短信{n}条，同步后由县级发送");
        }
        Command::Today { json } => {
            let store = open(&cli.db)?;
            let b = store.today_board(today)?;
            let (c, centre) = yichuang_report::day_figures(&store, today)?;
            if json {
                print_json(&dto::board_json(&b, &c, &centre));
            } else {
                println!("{}（{}）", store.centre()?.name, today);
                println!(
                    "今日全中心：收件{}件（即办{}、受理{}、补正告知{}、不予受理{}），办结{}件，首问登记{}件",
                    c.received, c.immediate, c.accepted, c.supplement_notices, c.refused, c.completed, centre.inquiries
                );
                let n = &b.counts;
                for (title, list, count) in [
                    ("办理中", &b.in_progress, n.in_progress),
                    ("超期（红牌）", &b.overdue, n.overdue),
                    ("即将到期（黄牌）", &b.due_soon, n.due_soon),
                    ("暂停计时", &b.paused, n.paused),
                    ("待补正", &b.awaiting_supplement, n.awaiting_supplement),
                    ("待领取", &b.ready_for_collection, n.ready_for_collection),
                ] {
                    let more = if count > list.len() { format!("（列出前{}件）", list.len()) } else { String::new() };
                    println!("{title}：{count}件{more}");
                    for s in list.iter() {
                        println!("  {}  {}  {}  {}", s.number, s.applicant_name, s.item_name, dto::warning_label(s.warning));
                    }
                }
                println!("未办结首问：{}件", b.open_inquiries.len());
            }
        }
        Command::Settings { set, actor } => {
            let mut store = open(&cli.db)?;
            if let Some(kv) = set {
                let actor = actor.ok_or_else(|| anyhow!("修改设置须用 --actor 指定中心负责人"))?;
                head_pin(&mut store, &actor, now)?;
                let settings = yichuang_app::settings::set_one(&store.centre()?.settings, &kv)?;
                store.update_settings(&actor, settings, now)?;
            }
            print_json(&serde_json::to_value(&store.centre()?.settings)?);
        }
        Command::ClockConfirm { actor } => {
            let mut store = open(&cli.db)?;
            let pin = stdin_lines(1)?.remove(0);
            yichuang_app::acting::confirm_clock(&mut store, &actor, &pin, now)?;
            println!("已确认本机时钟已校正（{}），此后的记录按现在的时间登记", now.format("%Y-%m-%d %H:%M"));
        }
        Command::Supervision { all, answer, text, actor, json } => {
            let mut store = open(&cli.db)?;
            if let Some(id) = answer {
                let actor = actor.ok_or_else(|| anyhow!("答复督办须用 --actor 指定中心负责人"))?;
                let text = text.ok_or_else(|| anyhow!("请用 --text 写明办理情况"))?;
                head_pin(&mut store, &actor, now)?;
                store.answer_supervision(&actor, &id, &text, now)?;
                println!("已答复督办{}，下次同步送达县级", id.trim());
            } else {
                let list = store.supervisions(!all)?;
                if json {
                    let rows: Vec<_> = list
                        .iter()
                        .map(|s| json!({"id": s.notice.id, "case": s.notice.case_number, "text": s.notice.text, "deadline": s.notice.deadline.to_string(),
                                        "issued_by": s.notice.issued_by, "answer": s.answer, "answered_by": s.answered_by}))
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&rows)?);
                } else if list.is_empty() {
                    println!("没有待答复的县级督办");
                } else {
                    for s in list {
                        let state = s.answer.as_deref().map(|a| format!("已答复：{a}")).unwrap_or_else(|| "待答复".into());
                        println!("{}\t{}\t期限{}\t{}\t{state}", s.notice.id, s.notice.case_number, s.notice.deadline, s.notice.text);
                    }
                }
            }
        }
        Command::Events { after, limit, subject } => {
            let store = open(&cli.db)?;
            let events = match subject {
                Some(s) => store.events_of(&s)?,
                None => store.events_after(after, limit)?,
            };
            let mut out = std::io::stdout().lock();
            for e in events {
                let payload: serde_json::Value = serde_json::from_str(&e.payload).unwrap_or_default();
                writeln!(
                    out,
                    "{}",
                    json!({"seq": e.seq, "id": e.id, "terminal": e.terminal, "at": e.at, "actor": e.actor,
                           "kind": e.kind, "subject": e.subject, "payload": payload, "hash": e.hash})
                )?;
            }
        }
        Command::Verify => {
            let store = open(&cli.db)?;
            let report = store.verify()?;
            return Ok(match report.fault {
                None => {
                    println!("ok");
                    ExitCode::SUCCESS
                }
                Some(f) => {
                    println!("{f}");
                    ExitCode::FAILURE
                }
            });
        }
        Command::Enrol { hq, code } => {
            let mut store = open(&cli.db)?;
            let e = yichuang_sync::enrol(&mut store, &hq, &code, &yichuang_sync::SyncOptions::default(), now)?;
            println!("已登记：终端{}，县级{}", e.terminal_uid, e.hq_url);
        }
        Command::Sync { hq, code, batch, attempts, json } => {
            let mut store = open(&cli.db)?;
            let opts = yichuang_sync::SyncOptions { batch_events: batch, max_attempts: attempts, ..Default::default() };
            if store.enrolment()?.is_none() {
                if let (Some(hq), Some(code)) = (hq.as_deref(), code.as_deref()) {
                    yichuang_sync::enrol(&mut store, hq, code, &opts, now)?;
                }
            }
            let enrolled = store.enrolment()?.is_some();
            let round = yichuang_sync::lan::sync_everywhere(&mut store, &opts, now, &mut |p| {
                if !json {
                    eprint!("\r已发送{}条，待发送{}条   ", p.sent, p.pending);
                }
            })?;
            let failed = round.failed();
            let (hq_result, lan) = (round.hq, round.lan);
            let lan_json: Vec<_> = lan
                .iter()
                .map(|l| json!({"url": l.url, "terminal": l.terminal, "new": l.new, "repeated": l.repeated, "conflicts": l.conflicts, "error": l.error}))
                .collect();
            if json {
                let mut v = match &hq_result {
                    Some(Ok(r)) => json!({"batches": r.batches, "sent": r.sent, "repeated": r.repeated, "retries": r.retries,
                        "held_seq": r.held_seq, "rejected": r.rejected.iter().map(|(s, m)| json!({"seq": s, "reason": m})).collect::<Vec<_>>(),
                        "applied": r.applied, "reenrolled": r.reenrolled, "relayed": r.relayed, "relay_refused": r.relay_refused}),
                    Some(Err(e)) => json!({"hq_error": e.to_string(), "hq_code": e.code()}),
                    None => json!({}),
                };
                v["lan"] = json!(lan_json);
                print_json(&v);
            } else {
                if !json && enrolled {
                    eprintln!();
                }
                match &hq_result {
                    Some(Ok(r)) => {
                        println!("同步完成：{}批，新送{}条，重复{}条，县级已收到第{}条", r.batches, r.sent, r.repeated, r.held_seq);
                        for (seq, reason) in &r.rejected {
                            println!("  第{seq}条被县级拒收：{reason}");
                        }
                        for a in &r.applied {
                            println!("  已采用县级下发的{a}");
                        }
                        if let Some(uid) = &r.reenrolled {
                            println!("  恢复备份后已重新登记为终端{uid}");
                        }
                        if r.relayed > 0 {
                            println!("  收到本中心其他终端的记录{}条", r.relayed);
                        }
                        for why in &r.relay_refused {
                            println!("  未采用县级转来的{why}");
                        }
                    }
                    Some(Err(e)) => println!("县级同步未完成：{e}"),
                    None => {}
                }
                for l in &lan {
                    match &l.error {
                        None => println!("局域网：终端{}（{}）新收{}条，重复{}条，冲突{}条", l.terminal, l.url, l.new, l.repeated, l.conflicts),
                        Some(e) => println!("局域网：终端{}（{}）未同步：{e}", l.terminal, l.url),
                    }
                }
            }
            if failed {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Report { month, day, json, xlsx, pdf } => {
            let store = open(&cli.db)?;
            let period = match (month, day) {
                (Some(m), _) => yichuang_app::period::month(&m, today)?,
                (None, Some(d)) => yichuang_report::Period::day(d),
                (None, None) => yichuang_report::Period::day(today),
            };
            let r = yichuang_report::from_store(&store, period.as_of(now.date_naive()))?;
            if let Some(f) = &xlsx {
                yichuang_store::files::write_private(f, &yichuang_report::xlsx::workbook(&r)?).with_context(|| format!("无法写入{}", f.display()))?;
            }
            if let Some(f) = &pdf {
                let bytes = yichuang_print::report::report_pdf(&r, &yichuang_print::chinese_date(now.date_naive()))?;
                yichuang_store::files::write_private(f, &bytes).with_context(|| format!("无法写入{}", f.display()))?;
            }
            if json {
                print_json(&serde_json::to_value(&r)?);
            } else {
                println!("{}　{}", r.centre, r.period.label());
                for f in r.items.iter().chain(std::iter::once(&r.total)) {
                    println!(
                        "{}：收件{} 即办{} 受理{} 补正{} 不予受理{} 办结{}（按时{}） 超期{} 延期{} 平均{}个工作日 评价{}（满意率{}）",
                        f.name, f.received, f.immediate, f.accepted, f.supplement_notices, f.refused, f.completed, f.completed_on_time,
                        f.overdue, f.extensions, f.average_days().map(|d| format!("{d:.1}")).unwrap_or_else(|| "—".into()), f.ratings,
                        f.satisfaction_rate().map(|d| format!("{d:.1}%")).unwrap_or_else(|| "—".into())
                    );
                }
                let c = &r.centre_figures;
                println!("首问{}件（办结{}，按时{}）；投诉{}件（答复{}，按时{}）", c.inquiries, c.inquiries_closed, c.inquiries_on_time, c.complaints, c.complaints_answered, c.complaints_on_time);
                for s in &r.by_staff {
                    println!(
                        "评价器 {}号窗口 {}：评价{}次（满意率{}，不满意{}次）",
                        s.window,
                        s.name,
                        s.ratings,
                        s.satisfaction_rate().map(|d| format!("{d:.1}%")).unwrap_or_else(|| "—".into()),
                        s.bad
                    );
                }
            }
        }
        Command::Rota { cmd } => {
            let mut store = open(&cli.db)?;
            match cmd {
                RotaCmd::Post { code, name, a, b, actor } => store.set_post(&code, &name, &a, b.as_deref(), &actor, now)?,
                RotaCmd::Leave { staff, from, to, reason, actor } => store.record_absence(&staff, from, to, &reason, &actor, now)?,
                RotaCmd::Today => {}
            }
            for d in store.duty(now.date_naive())? {
                let who = match d.duty {
                    yichuang_core::Duty::A(a) => a,
                    yichuang_core::Duty::B { b, for_a } => format!("{b}（B岗，代{for_a}）"),
                    yichuang_core::Duty::Unstaffed => "无人在岗".into(),
                };
                println!("{} {}：{}", d.post, d.name, who);
            }
        }
        Command::SyncStatus { json } => {
            let store = open(&cli.db)?;
            let s = store.sync_status()?;
            let rejections = store.rejections()?;
            if json {
                print_json(&json!({"enrolled": s.enrolled, "terminal_uid": s.terminal_uid, "hq_url": s.hq_url, "head_seq": s.head_seq,
                    "acked_seq": s.acked_seq, "pending": s.pending, "rejected": s.rejected, "last_ack_at": s.last_ack_at,
                    "needs_reenrolment": s.needs_reenrolment,
                    "rejections": rejections.iter().map(|r| json!({"seq": r.seq, "kind": r.kind, "subject": r.subject, "reason": r.reason})).collect::<Vec<_>>()}));
            } else if !s.enrolled {
                println!("尚未在县级登记；本机有{}条记录待上传", s.pending);
            } else {
                println!("终端{}：县级已收到第{}条，待上传{}条，拒收{}条", s.terminal_uid.unwrap_or_default(), s.acked_seq, s.pending, s.rejected);
                for r in rejections {
                    println!("  第{}条（{} {}）被拒收：{}", r.seq, r.kind, r.subject, r.reason);
                }
            }
        }
        Command::Export { day, pending, for_peers, out, to } => {
            let store = open(&cli.db)?;
            let batch = match (day, pending, for_peers) {
                (Some(d), _, _) => yichuang_sync::export::export_day(&store, d, now)?,
                (None, true, _) => yichuang_sync::export::export_pending(&store, now)?,
                (None, false, true) => yichuang_sync::export::export_for_peers(&store, now)?,
                (None, false, false) => bail!("请用 --day YYYY-MM-DD、--pending 或 --for-peers 指定导出的范围"),
            };
            let recipients = yichuang_sync::export::recipients(&store, for_peers, &to)?;
            let sealed = yichuang_sync::export::seal_batch(&batch, &recipients)?;
            yichuang_sync::export::write_bytes(&sealed.to_bytes(), &out)?;
            println!("{}：第{}至{}条，共{}条，已加密，可由{}方打开", out.display(), batch.from_seq, batch.to_seq, batch.manifest.count, sealed.recipients.len());
            if let Some(pk) = &batch.public_key {
                println!("本机尚未在县级登记：文件由本终端的密钥签名，公钥指纹 {}（县级首次导入时请与县级核对）", yichuang_sync::key_fingerprint(pk));
            }
        }
        Command::Key => {
            let store = open(&cli.db)?;
            let pk = store.terminal_public_key()?.ok_or_else(|| anyhow!("本机还没有签名密钥：请先完成中心设置"))?;
            println!("本机公钥：{pk}");
            println!("指纹：{}", yichuang_sync::key_fingerprint(&pk));
        }
        Command::Import { file, accept, actor } => {
            let mut store = open(&cli.db)?;
            let bytes = std::fs::read(&file).with_context(|| format!("无法读取{}", file.display()))?;
            if accept && actor.is_none() {
                bail!("确认其他终端的密钥须由中心负责人办理：请加 --actor 工号");
            }
            match yichuang_sync::transfer::import_file(&mut store, &bytes, actor.as_deref(), accept, now)? {
                yichuang_sync::transfer::Imported::Peer(r) => println!(
                    "已导入终端{}的记录：新收{}条，重复{}条，冲突{}条{}",
                    r.terminal,
                    r.new,
                    r.repeated,
                    r.conflicts,
                    if r.accepted { "（已认可该终端的密钥）" } else { "" }
                ),
                yichuang_sync::transfer::Imported::Document(what) => println!("已采用县级下发的{what}（县级签名核验无误）"),
            }
        }
        Command::Peer { cmd: PeerCmd::List { json } } => {
            let store = open(&cli.db)?;
            let peers = store.peer_streams()?;
            let windows = store.peer_endpoints()?;
            if json {
                print_json(&json!({
                    "streams": peers.iter().map(|p| json!({"stream": p.stream, "terminal": p.terminal, "fingerprint": p.fingerprint,
                        "held_seq": p.held_seq, "accepted_by": p.accepted_by, "last_heard_at": p.last_heard_at, "via": p.last_via})).collect::<Vec<_>>(),
                    "windows": windows.iter().map(|w| json!({"url": w.url, "terminal": w.terminal, "fingerprint": w.fingerprint,
                        "accepted_by": w.accepted_by, "last_ok_at": w.last_ok_at, "last_error": w.last_error, "last_error_at": w.last_error_at})).collect::<Vec<_>>(),
                }));
            } else {
                for p in peers {
                    println!("终端{}　已收到第{}条　最近{}（{}）　指纹{}", p.terminal, p.held_seq, p.last_heard_at.unwrap_or_default(), p.last_via.unwrap_or_default(), p.fingerprint);
                }
                for w in windows {
                    println!("局域网窗口{}　终端{}　指纹{}　最近成功{}{}", w.url, w.terminal, w.fingerprint, w.last_ok_at.unwrap_or_else(|| "—".into()),
                        w.last_error.map(|e| format!("　最近失败：{e}")).unwrap_or_default());
                }
            }
        }
        Command::Peer { cmd: PeerCmd::Add { url, accept, actor } } => {
            let mut store = open(&cli.db)?;
            if accept && actor.is_none() {
                bail!("认可其他窗口须由中心负责人办理：请加 --actor 工号");
            }
            let w = yichuang_sync::lan::add_peer(&mut store, &url, if accept { actor.as_deref() } else { None }, now)?;
            println!("已添加本中心窗口{}：终端{}，密钥指纹{}", w.url, w.terminal, w.fingerprint);
        }
        Command::ServePeer { listen } => {
            let store = open(&cli.db)?;
            store.terminal_public_key()?.ok_or_else(|| anyhow!("本机还没有签名密钥：请先完成中心设置"))?;
            let server = yichuang_sync::lan::PeerServer::bind(&listen)?;
            println!("正在{}上为本中心其他窗口提供本机记录（按Ctrl+C停止）", server.local_addr());
            use std::io::Write as _;
            std::io::stdout().flush()?;
            let stop = std::sync::atomic::AtomicBool::new(false);
            server.serve(&store, &stop, &|| clock.now());
        }
        Command::Conflicts { json } => {
            let store = open(&cli.db)?;
            let list = store.conflicts()?;
            if json {
                print_json(&json!(list
                    .iter()
                    .map(|c| json!({"case": c.case_number, "stream": c.stream, "seq": c.seq, "kind": c.kind, "reason": c.reason, "found_at": c.found_at}))
                    .collect::<Vec<_>>()));
            } else {
                for c in list {
                    println!("办件{}　{}（{}#{}）：{}", c.case_number, c.kind, if c.stream.is_empty() { "本机" } else { &c.stream }, c.seq, c.reason);
                }
            }
        }
        Command::Restore { from, terminal, other_centre } => {
            let path = cli.db.as_ref().ok_or_else(|| anyhow!("请用 --db 指定数据库文件"))?;
            let (terminal, r) = yichuang_app::acting::restore(path, &from, &terminal, other_centre, now)?;
            println!("已从{}恢复（{}条事件），本机今后的终端号为{terminal}", from.display(), r.events);
            if let Some(k) = r.kept_as {
                println!("恢复前的数据库已保留为{}", k.display());
            }
        }
        Command::Backup { out } => {
            let store = open(&cli.db)?;
            store.backup_to(&out, None)?;
            println!("已备份到{}", out.display());
            println!("提示：备份只能在持有本机密钥的电脑上打开；请用 yichuang machine-key export 导出密钥，与备份分开保管");
        }
        Command::MachineKey { cmd: KeyCmd::Import { file } } => {
            let text = std::fs::read_to_string(&file).map_err(|e| anyhow!("无法读取密钥文件{}：{}", file.display(), yichuang_store::io_reason(&e)))?;
            let ring = yichuang_store::Keyring::locate()?;
            let id = ring.import(&text)?;
            println!("已导入密钥{id}到{}", ring.dir().display());
        }
        Command::MachineKey { cmd: KeyCmd::Show } => {
            let store = open(&cli.db)?;
            println!("数据库由密钥{}保护；本机密钥文件夹：{}", store.key_id_sealing(), store.keyring().dir().display());
        }
        Command::MachineKey { cmd: KeyCmd::Export { out, actor } } => {
            let mut store = open(&cli.db)?;
            head_pin(&mut store, &actor, now)?;
            if out.exists() {
                bail!("{}已存在：请换一个文件名（不覆盖已有文件）", out.display());
            }
            let text = store.export_key(&actor, now)?;
            yichuang_store::files::write_private(&out, text.as_bytes())
                .map_err(|e| anyhow!("无法写入{}：{}", out.display(), yichuang_store::io_reason(&e)))?;
            println!("已导出密钥{}到{}：请与备份分开保管（例如负责人的U盘），不要放在备份旁边", store.key_id_sealing(), out.display());
        }
    }
    let _ = today;
    Ok(ExitCode::SUCCESS)
}

fn catalog(db: &Option<PathBuf>, c: CatalogCmd, now: DateTime<FixedOffset>) -> Result<()> {
    let mut store = open(db)?;
    match c {
        CatalogCmd::List { json } => {
            let items = store.catalogue()?;
            if json {
                print_json(&json!(items.iter().map(|e| dto::item_json(e)).collect::<Vec<_>>()));
            } else {
                for e in items {
                    println!("{}\t{}\t{}\t{}", e.item.code(), e.item.kind().label(), e.item.promised_limit(), e.item.name());
                }
            }
        }
        CatalogCmd::Show { code, json } => {
            let e = store.item(&code)?;
            if json {
                print_json(&dto::item_json(e));
            } else {
                let i = &e.item;
                println!("{}（{}，{}）", i.name(), i.code(), i.kind().label());
                println!("承诺时限：{}", i.promised_limit());
                println!("设定依据：{}", i.guide().legal_basis);
                println!("受理条件：{}", i.guide().conditions);
                println!("申请材料：");
                for (n, m) in i.materials().iter().enumerate() {
                    println!("  {}. {}（{}{}份，{}）", n + 1, m.name(), m.form().label(), m.copies(), m.requirement().label());
                }
            }
        }
        CatalogCmd::Search { query, json } => {
            let hits = store.search_items(&query)?;
            if json {
                print_json(&json!(hits.iter().map(|e| dto::item_json(e)).collect::<Vec<_>>()));
            } else {
                for e in hits {
                    println!("{}\t{}", e.item.code(), e.item.name());
                }
            }
        }
        CatalogCmd::Import { file, actor } => {
            head_pin(&mut store, &actor, now)?;
            let version = store.import_catalogue(&actor, &read(&file)?, now)?;
            println!("已导入目录版本{version}");
        }
    }
    Ok(())
}

fn calendar(db: &Option<PathBuf>, c: CalendarCmd, now: DateTime<FixedOffset>) -> Result<ExitCode> {
    let cal = match db {
        Some(_) => open(db)?.calendar().clone(),
        None => bundled_calendar()?,
    };
    match c {
        CalendarCmd::Due { from, days, natural } => {
            let limit = if natural { Limit::natural(days)? } else { Limit::working(days)? };
            let due = cal.due(from, limit);
            println!("{}{}", due.date(), if due.provisional() { " provisional" } else { "" });
        }
        CalendarCmd::Import { file, actor } => {
            let mut store = open(db)?;
            head_pin(&mut store, &actor, now)?;
            let (year, version) = store.import_calendar(&actor, &read(&file)?, now)?;
            println!("已导入{year}年节假日安排（第{version}版）");
        }
        CalendarCmd::ImportRegional { file, actor } => {
            let mut store = open(db)?;
            head_pin(&mut store, &actor, now)?;
            let n = store.import_regional_days(&actor, &read(&file)?, now)?;
            println!("已导入地方假日{n}天");
        }
        CalendarCmd::Month { month } => {
            let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
                .map_err(|_| anyhow!("月份“{month}”无效，应如2026-10"))?;
            use chrono::Datelike;
            let official = cal.is_official(first.year());
            println!("{month}（日历版本{}{}）", cal.version(), if official { "" } else { "，本年尚无官方安排，暂按周末计算" });
            for d in first.iter_days().take_while(|d| d.month() == first.month()) {
                let mark = if cal.is_working_day(d) { "上班" } else { "休息" };
                println!("{d} {} {mark} {}", ["一", "二", "三", "四", "五", "六", "日"][d.weekday().num_days_from_monday() as usize], cal.holiday_name(d).unwrap_or(""));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn case(db: &Option<PathBuf>, c: CaseCmd, now: DateTime<FixedOffset>) -> Result<ExitCode> {
    let mut store = open(db)?;
    let today = now.date_naive();
    let show = |store: &Store, number: &str, json: bool| -> Result<()> {
        let v = store.case(number, today)?;
        if json {
            let mut j = dto::case_json(&v);
            j["sms"] = dto::sms_json(&store.sms_of(number)?);
            print_json(&j);
        } else {
            println!("办件编号：{}", v.number);
            println!("事项：{}（{}）", v.item_name, v.item_code);
            println!("申请人：{}（{}）", v.applicant.name, v.applicant.id_masked);
            println!("状态：{}{}", v.status.label(), if v.paused { "（暂停计时）" } else { "" });
            if let Some(d) = v.due_date {
                println!("承诺办结日期：{d}{}  {}", if v.due_provisional { "（暂按周末计算）" } else { "" }, dto::warning_label(v.warning));
            }
            for d in &v.deficiencies {
                println!("  需补正：{}（{}）", d.name, d.problem.describe());
            }
            for d in &v.owed {
                println!("  容缺待补交：{}（{}），期限{}", d.name, d.problem, v.owed_by.map(|d| d.to_string()).unwrap_or_default());
            }
            for d in &v.documents {
                println!("  文书：{} {}{}", d.kind.title(), d.number, if d.voided { "（已作废）" } else { "" });
            }
        }
        Ok(())
    };
    match c {
        CaseCmd::Intake { file, preview: true, .. } => {
            let req = dto::IntakeFile::parse(&read(&file)?)?.into_request()?;
            let p = store.preview_intake(&req, today)?;
            println!("{}", dto::preview_json(&p));
        }
        CaseCmd::Intake { file, json, repeat, print_dir, .. } => {
            let text = read(&file)?;
            let mut out = std::io::stdout().lock();
            for _ in 0..repeat.max(1) {
                let req = dto::IntakeFile::parse(&text)?.into_request()?;
                let o = store.intake(req, now)?;
                let pdfs = print_documents(&mut store, &o.documents, print_dir.as_deref(), now)?;
                if json || repeat > 1 {
                    writeln!(out, "{}", with_pdfs(dto::intake_json(&o), &pdfs))?;
                    out.flush()?;
                } else {
                    print_outcome(&o);
                    for p in pdfs.iter().flatten() {
                        println!("  PDF：{p}");
                    }
                }
            }
        }
        CaseCmd::Supplement { number, file, json, print_dir } => {
            let req = dto::IntakeFile::parse(&read(&file)?)?.into_supplement()?;
            let o = store.supplement(&number, req, now)?;
            let pdfs = print_documents(&mut store, &o.documents, print_dir.as_deref(), now)?;
            if json {
                println!("{}", with_pdfs(dto::intake_json(&o), &pdfs));
            } else {
                print_outcome(&o);
            }
        }
        CaseCmd::Show { number, json } => show(&store, &number, json)?,
        CaseCmd::List { json, overdue, due_within, owing, status, query, limit } => {
            let status = yichuang_app::forms::status(status.as_deref().unwrap_or(""))?;
            let list = store.list_cases(&CaseFilter { status, overdue, due_within, owing, query, limit, ..CaseFilter::default() }, today)?;
            if json {
                print_json(&json!(list.iter().map(dto::summary_json).collect::<Vec<_>>()));
            } else {
                for s in list {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        s.number,
                        s.applicant_name,
                        s.item_name,
                        s.status.label(),
                        s.due_date.map(|d| d.to_string()).unwrap_or_default(),
                        dto::warning_label(s.warning)
                    );
                }
            }
        }
        CaseCmd::Extend { number, days, reason, approver, actor } => {
            approver_pin(&mut store, &approver, now)?;
            store.extend(&number, days, &reason, &approver, &actor.actor, now)?;
            show(&store, &number, false)?;
        }
        CaseCmd::Pause { number, kind, expected_days, reason, actor } => {
            let kind = PauseKind::parse(&kind).ok_or_else(|| {
                anyhow!("暂停类型“{kind}”无效：应为hearing、tendering、auction、testing、inspection、quarantine、appraisal或expert_review")
            })?;
            store.pause(&number, kind, expected_days, &reason, &actor.actor, now)?;
            show(&store, &number, false)?;
        }
        CaseCmd::Resume { number, actor } => {
            store.resume(&number, &actor.actor, now)?;
            show(&store, &number, false)?;
        }
        CaseCmd::Forward { number, to, reason, actor } => {
            store.forward(&number, &to, &reason, &actor.actor, now)?;
            show(&store, &number, false)?;
        }
        CaseCmd::Decide { number, approve, reject, reason, actor } => {
            if approve == reject {
                bail!("请用 --approve（准予）或 --reject（不予）说明决定");
            }
            store.decide(&number, approve, &reason, &actor.actor, now)?;
            show(&store, &number, false)?;
        }
        CaseCmd::Ready { number, actor } => {
            store.ready(&number, &actor.actor, now)?;
            show(&store, &number, false)?;
        }
        CaseCmd::Collect { number, by, id_number, attorney, actor } => {
            match id_number {
                Some(id) => {
                    let (name, id) = yichuang_app::forms::person(&by, &id, yichuang_app::Who::Collector)?;
                    store.collect_checked(&number, &name, &id, attorney, &actor.actor, now)?;
                }
                None if attorney => bail!("持委托书代领的，请用 --id-number 填写领取人的身份证号"),
                None => {
                    store.collect(&number, &by, &actor.actor, now)?;
                }
            }
            show(&store, &number, false)?;
        }
        CaseCmd::Terminate { number, reason, approver, actor } => {
            approver_pin(&mut store, &approver, now)?;
            store.terminate(&number, &reason, &approver, &actor.actor, now)?;
            show(&store, &number, false)?;
        }
        CaseCmd::Withdraw { number, reason, actor } => {
            store.withdraw(&number, &reason, &actor.actor, now)?;
            show(&store, &number, false)?;
        }
        CaseCmd::SmsWithdraw { number, actor } => {
            store.withdraw_sms_consent(&number, &actor.actor, now)?;
            println!("已撤回短信通知的同意：此后不再发送短信");
        }
        CaseCmd::Archive { number, actor } => {
            store.archive(&number, &actor.actor, now)?;
            show(&store, &number, false)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes each issued document's PDF into `dir` (named by the ASCII document number).
fn print_documents(
    store: &mut Store,
    docs: &[yichuang_store::DocumentRef],
    dir: Option<&Path>,
    now: DateTime<FixedOffset>,
) -> Result<Vec<Option<String>>> {
    let Some(dir) = dir else { return Ok(vec![None; docs.len()]) };
    yichuang_store::files::private_dir(dir).with_context(|| format!("无法建立目录{}", dir.display()))?;
    docs.iter()
        .map(|d| {
            let ascii = yichuang_core::DocumentNumber::parse(&d.number)?.ascii();
            let path = dir.join(format!("{ascii}.pdf"));
            write_pdf(store, &d.number, yichuang_print::Layout::A4, &path, now)?;
            Ok(Some(path.display().to_string()))
        })
        .collect()
}

/// Adds `"pdf"` to each entry of `documents` where one was written.
fn with_pdfs(mut v: serde_json::Value, pdfs: &[Option<String>]) -> serde_json::Value {
    if let Some(docs) = v["documents"].as_array_mut() {
        for (d, p) in docs.iter_mut().zip(pdfs) {
            if let Some(p) = p {
                d["pdf"] = json!(p);
            }
        }
    }
    v
}

fn print_outcome(o: &yichuang_store::IntakeOutcome) {
    let label = match o.decision.as_str() {
        "immediate" => "即办件，当场办结",
        "accepted" if o.deemed_accepted => "依法视为受理（补正告知超过五日）",
        "accepted" => "已受理",
        "supplement" => "材料不全，需补正",
        "tolerated" => "容缺受理（须按期补交所欠材料）",
        _ => "不予受理",
    };
    println!("办件编号：{}  {}", o.case_number, label);
    if let Some(d) = &o.due {
        println!("承诺办结日期：{}{}", d.date(), if d.provisional() { "（暂按周末计算）" } else { "" });
    }
    if let yichuang_core::Decision::Supplement(list) = &o.decision {
        for d in list {
            println!("  需补正：{}（{}）", d.name, d.problem.describe());
        }
    }
    if let yichuang_core::Decision::Tolerated(list) = &o.decision {
        for d in list {
            println!("  容缺待补交：{}（{}）", d.name, d.problem.describe());
        }
        if let Some(by) = o.owed_by {
            println!("  补交期限：{by}");
        }
    }
    for d in &o.documents {
        println!("  出具：{} {}", d.kind.title(), d.number);
    }
}

fn doc(db: &Option<PathBuf>, c: DocCmd, now: DateTime<FixedOffset>) -> Result<()> {
    let mut store = open(db)?;
    // The body as stored, for --json: what a QR code's digest was computed over.
    let print_doc = |d: &yichuang_store::DocumentRecord, json: bool, body_json: Option<serde_json::Value>| {
        if json {
            print_json(&json!({
                "number": d.number, "kind": d.kind.as_str(), "case_number": d.case_number, "inquiry_id": d.inquiry_id,
                "issued_at": d.issued_at, "issued_by": d.issued_by, "voided_at": d.voided_at, "void_reason": d.void_reason,
                "reprints": d.reprints, "body": body_json.clone().unwrap_or_else(|| serde_json::to_value(&d.body).unwrap_or_default()),
            }));
        } else {
            println!("{} {}{}", d.kind.title(), d.number, d.void_reason.as_ref().map(|r| format!("（已作废：{r}）")).unwrap_or_default());
            if let Some(c) = &d.case_number {
                println!("办件编号：{c}");
            }
            for m in &d.body.materials {
                println!("  {}{}", m.name, m.problem.as_ref().map(|p| format!("（{p}）")).unwrap_or_default());
            }
        }
    };
    match c {
        DocCmd::Render { number, out, layout } => {
            let layout = yichuang_app::printing::layout(&layout)?;
            write_pdf(&mut store, &number, layout, &out, now)?;
            println!("{}", out.display());
        }
        DocCmd::Print { number, printer, layout, escpos, encoding } => {
            // The centre's printers and files folder, as the window prints; a printer named
            // here stands in for the centre's.
            let layout = if escpos { yichuang_print::Layout::Slip } else { yichuang_app::printing::layout(&layout)? };
            let mut target = yichuang_app::printing::target(&store, layout)?;
            if escpos {
                if yichuang_print::escpos::Encoding::parse(&encoding).is_none() && encoding != "raster" {
                    bail!("编码“{encoding}”无效：应为gb18030、gbk、utf8或raster");
                }
                let queue = printer.or_else(|| target.slip_printer.take().map(|(p, _)| p)).unwrap_or_default();
                target.slip_printer = Some((queue, encoding));
            } else if let Some(p) = printer {
                // The printer named takes the document, whatever the layout (no raw slip
                // printing unless --escpos asks for it).
                target.printer = Some(p);
                target.slip_printer = None;
            }
            let done = yichuang_app::printing::print(&mut store, &number, &target, now)?;
            if !done.unencodable.is_empty() {
                eprintln!("注意：打印机编码无法显示“{}”，已印为“?”", done.unencodable.iter().collect::<String>());
            }
            println!("{}", done.message());
        }
        DocCmd::Escpos { number, out, encoding, raster } => {
            use yichuang_print::escpos::{escpos, Encoding, Mode};
            let enc = Encoding::parse(&encoding).ok_or_else(|| anyhow!("编码“{encoding}”无效：应为gb18030、gbk或utf8"))?;
            let record = store.document(&number)?;
            let qr = store.document_qr(&number, now)?;
            let o = escpos(&record, &qr, if raster { Mode::Raster } else { Mode::Text(enc) })?;
            yichuang_store::files::write_private(&out, &o.bytes).with_context(|| format!("无法写入{}", out.display()))?;
            if !o.unencodable.is_empty() {
                eprintln!("注意：打印机编码{encoding}无法显示“{}”，已印为“?”，请改用gb18030或位图模式（--raster）", o.unencodable.iter().collect::<String>());
            }
            println!("{}（{}字节）", out.display(), o.bytes.len());
        }
        DocCmd::Show { number, json } => print_doc(&store.document(&number)?, json, Some(store.document_body_json(&number)?)),
        DocCmd::Notice { item, person, out, actor } => {
            let d = store.issue_notice(&item, person.as_deref(), &actor.actor, now)?;
            print_doc(&store.document(&d.number)?, false, None);
            if let Some(out) = out {
                write_pdf(&mut store, &d.number, yichuang_print::Layout::A4, &out, now)?;
                println!("{}", out.display());
            }
        }
        DocCmd::Qr { number } => println!("{}", store.document_qr(&number, now)?),
        DocCmd::Verify { qr, document } => {
            let offered = match document {
                Some(f) => {
                    let v: serde_json::Value = serde_json::from_str(&read(&f)?).map_err(|e| anyhow!("文书文件格式有误：{}", yichuang_store::json_reason(&e)))?;
                    let body = v.get("body").cloned().unwrap_or(v);
                    if !body.is_object() {
                        bail!("文书文件格式有误：没有文书内容（body）");
                    }
                    Some(body)
                }
                None => None,
            };
            match store.verify_qr_against(&qr, offered.as_ref())? {
            yichuang_store::QrVerdict::Genuine { document, case, key_id, held, voided, binds_content } => {
                println!("真实：{document}，由终端{key_id}签发{}", case.map(|c| format!("，办件编号{c}")).unwrap_or_default());
                if let Some(d) = &held {
                    let b = &d.body;
                    println!("原件内容（请与纸面逐项核对）：{}", b.title);
                    if let Some(n) = &b.applicant_name {
                        println!("  申请人：{n}{}", b.applicant_id_masked.as_ref().map(|i| format!("（{i}）")).unwrap_or_default());
                    }
                    if let Some(i) = &b.item_name {
                        println!("  事项：{i}");
                    }
                    if let Some(o) = b.issued_on {
                        println!("  出具日期：{o}");
                    }
                    if let Some(due) = b.due_date {
                        println!("  承诺办结日期：{due}");
                    }
                    for r in &b.reasons {
                        println!("  理由：{r}");
                    }
                }
                if !binds_content {
                    println!("（旧版二维码：只核验文书编号，未核验内容）");
                }
                match (held.is_some(), voided) {
                    (_, Some(r)) => println!("注意：该文书已作废，原因：{r}"),
                    (false, _) => println!("（本机没有该文书的记录，签名由已知终端公钥核验）"),
                    _ => {}
                }
            }
            yichuang_store::QrVerdict::ContentDiffers { document } => {
                bail!("伪造：二维码是{document}的真实二维码，但文书内容与它签发时不同（姓名、决定或日期被改动过）")
            }
            yichuang_store::QrVerdict::UnknownKey { key_id } => bail!("无法核验：本机不知道终端{key_id}的公钥，请先从县级同步"),
            yichuang_store::QrVerdict::Forged => bail!("签名不符：该文书的二维码被改动或伪造"),
            yichuang_store::QrVerdict::Malformed => bail!("这不是一窗通文书的二维码"),
            }
        }
        DocCmd::Void { number, reason, actor } => {
            head_pin(&mut store, &actor.actor, now)?;
            print_doc(&store.void_document(&number, &reason, &actor.actor, now)?, false, None)
        }
        DocCmd::Reprint { number, actor } => {
            let d = store.reprint_document(&number, &actor.actor, now)?;
            println!("补打第{}次", d.reprints);
            print_doc(&d, false, None);
        }
    }
    Ok(())
}

/// Renders a stored document to a PDF file, with its signed QR code and the centre's stub-copy
/// setting.
fn write_pdf(store: &mut Store, number: &str, layout: yichuang_print::Layout, out: &Path, now: DateTime<FixedOffset>) -> Result<()> {
    let record = store.document(number)?;
    let qr = store.document_qr(number, now)?;
    let stubs = store.centre()?.settings.stub_copies;
    let bytes = yichuang_print::render(&record, layout, stubs, &qr)?;
    yichuang_store::files::write_private(out, &bytes).with_context(|| format!("无法写入{}", out.display()))?;
    Ok(())
}

fn inquiry(db: &Option<PathBuf>, c: InquiryCmd, now: DateTime<FixedOffset>) -> Result<()> {
    let mut store = open(db)?;
    let today = now.date_naive();
    match c {
        InquiryCmd::Add { file, json } => {
            let input: dto::InquiryFile = serde_json::from_str(&read(&file)?).map_err(|e| anyhow!("首问登记文件格式有误：{}", yichuang_store::json_reason(&e)))?;
            let (v, _) = store.register_inquiry(input.into_input()?, now)?;
            if json {
                print_json(&dto::inquiry_json(&v));
            } else {
                println!("首问登记：{}  {}", v.id, v.reply_due.map(|d| format!("答复期限{d}")).unwrap_or_else(|| "已办结".into()));
            }
        }
        InquiryCmd::Reply { id, result, actor } => {
            let v = store.reply_inquiry(&id, &result, &actor.actor, now)?;
            println!("首问登记{}已答复", v.id);
        }
        InquiryCmd::List { open, json } => {
            let list = store.list_inquiries(open, today)?;
            if json {
                print_json(&json!(list.iter().map(dto::inquiry_json).collect::<Vec<_>>()));
            } else {
                for v in list {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        v.id,
                        v.person_name,
                        v.matter,
                        v.reply_due.map(|d| d.to_string()).unwrap_or_default(),
                        dto::warning_label(v.warning)
                    );
                }
            }
        }
    }
    Ok(())
}
