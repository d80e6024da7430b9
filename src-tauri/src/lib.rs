//! The desktop shell: each command parses its DTO, calls a crate, and maps the error to a code
//! and a Chinese message. No SQL and no rules here.

mod dto;
mod screen;

use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, FixedOffset};
use dto::{ApiError, ApiResult};
use tauri::ipc::Channel;
use yichuang_app::clock::Clock;
use yichuang_print::Layout;
use yichuang_store::{CaseFilter, Role, Staff, Store};

/// The one writer: the store behind a lock (taken out only while a backup is restored), and
/// who is signed in at this window. A poisoned lock is an error, never a panic.
pub struct AppState {
    store: Mutex<Option<Store>>,
    db: PathBuf,
    session: Mutex<Option<Session>>,
    /// The returning applicants the last search offered this window: only those may be picked.
    offered: Mutex<Vec<i64>>,
    /// What the rating screen facing the applicant is asked to show.
    screen: screen::Screen,
}

/// Who is signed in, and when they last did something: after the centre's idle minutes
/// without a command the clerk gave, the session is gone (the applicant may be at the screen).
struct Session {
    staff: Staff,
    last: std::time::Instant,
    idle: std::time::Duration,
}

impl Session {
    fn expired(&self, now: std::time::Instant) -> bool {
        now.saturating_duration_since(self.last) > self.idle
    }
}

impl AppState {
    pub fn new(store: Store) -> Self {
        let db = store.path().to_owned();
        Self { store: Mutex::new(Some(store)), db, session: Mutex::new(None), offered: Mutex::new(Vec::new()), screen: screen::Screen::default() }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Store) -> ApiResult<T>) -> ApiResult<T> {
        let mut guard = self.store.lock().map_err(|_| ApiError::internal("数据库锁已损坏，请重新启动程序"))?;
        let store = guard.as_mut().ok_or_else(|| ApiError::new("store.closed", "数据库正在恢复，请稍候再试"))?;
        // What another connection committed (HQ's calendar, another window's streams) is
        // read before the clerk's command runs on it.
        store.refresh()?;
        f(store)
    }

    /// The staff member signed in at this window.
    fn clerk(&self) -> ApiResult<Staff> {
        self.signed_in(true)
    }

    /// The session, if still alive; `touch` says the clerk acted (a poll of the page does not).
    fn signed_in(&self, touch: bool) -> ApiResult<Staff> {
        let mut guard = self.session.lock().map_err(|_| ApiError::internal("登录状态已损坏，请重新启动程序"))?;
        let now = std::time::Instant::now();
        match guard.as_mut() {
            None => Err(ApiError::new("auth.signed_out", "请先登录")),
            Some(s) if s.expired(now) => {
                let minutes = s.idle.as_secs() / 60;
                let id = s.staff.id.clone();
                *guard = None;
                drop(guard);
                // The idle lock ends the session as signing out does: the kept draft goes too.
                let _ = self.with(|st| Ok(st.keep_intake_draft(&id, None, self::now())?));
                Err(ApiError::new("auth.idle", format!("已{minutes}分钟无操作，窗口已自动锁定，请重新登录")))
            }
            Some(s) => {
                if touch {
                    s.last = now;
                }
                Ok(s.staff.clone())
            }
        }
    }

    /// Whether `id` is still the one signed in (a look that neither touches nor ends the session).
    fn still_signed_in(&self, id: &str) -> bool {
        let now = std::time::Instant::now();
        self.session.lock().map(|g| g.as_ref().is_some_and(|s| s.staff.id == id && !s.expired(now))).unwrap_or(false)
    }

    /// The signed-in station head, for what only the head may do.
    fn head(&self, what: &str) -> ApiResult<Staff> {
        let s = self.clerk()?;
        yichuang_app::acting::is_head(&s).map_err(|e| ApiError::new(e.code(), format!("只有中心负责人可以{what}，请由负责人登录")))?;
        Ok(s)
    }

    /// A service given at this window: the rating screen, if there is one, asks the applicant
    /// to rate it (the store says which service that was and who gave it).
    fn offer_rating(&self, app: &tauri::AppHandle, s: &Store, number: &str) -> ApiResult<()> {
        if !screen::is_open(app) {
            return Ok(());
        }
        // The act is done and committed: a screen that cannot ask is said, never the act's failure.
        match s.service_to_rate(number, now()) {
            Ok(svc) => self.screen.offer(app, svc.map(|v| (v.case_number, v.service_event))),
            Err(e) => {
                eprintln!("评价器：未能显示办件{number}的评价：{e}");
                Ok(())
            }
        }
    }

    /// Where printed files, backups and reports are kept: beside the database.
    fn folder(&self, name: &str) -> PathBuf {
        yichuang_app::printing::folder(&self.db, name)
    }
}

/// The process's clock (the use-case layer's: Beijing time whatever the PC's time zone,
/// `YICHUANG_NOW` only in a build for tests), read once; `main` refuses to start on a
/// `YICHUANG_NOW` that is not a time.
static CLOCK: std::sync::OnceLock<Clock> = std::sync::OnceLock::new();

/// Reads the process's clock once: an error is said before the window opens.
pub fn start_clock() -> Result<(), yichuang_app::AppError> {
    let clock = Clock::from_env()?;
    let _ = CLOCK.set(clock);
    Ok(())
}

fn now() -> DateTime<FixedOffset> {
    CLOCK.get_or_init(|| Clock::from_env().unwrap_or(Clock::System)).now()
}

#[tauri::command(async)]
fn app_info(state: tauri::State<'_, AppState>) -> ApiResult<dto::AppInfo> {
    let mut info = state.with(|s| dto::AppInfo::from_store(s, now().date_naive()))?;
    // A staff id only, beside the database (this PC's), and only one still on duty.
    let last = std::fs::read_to_string(state.folder(LAST_STAFF)).ok().map(|l| l.trim().to_owned());
    info.last_staff = last.filter(|l| info.staff.iter().any(|s| &s.id == l));
    Ok(info)
}

/// Who signed in last at this PC, so that sign-in (after the idle lock, or the next morning)
/// has them preselected.
const LAST_STAFF: &str = "last-staff";

#[tauri::command(async)]
fn sign_in(app: tauri::AppHandle, state: tauri::State<'_, AppState>, staff_id: String, pin: String) -> ApiResult<dto::StaffDto> {
    // Wrong PINs are counted in the database and lock the account (the store's rule).
    state.with(|s| Ok((s.sign_in(staff_id.trim(), pin.trim(), now())?, s.centre()?.settings.idle_lock_minutes)))
    .and_then(|(staff, minutes)| {
        let dto = dto::StaffDto::from(&staff);
        // Not worth failing a sign-in over: the list's default is only a convenience.
        let _ = yichuang_store::files::write_private(&state.folder(LAST_STAFF), staff.id.as_bytes());
        let idle = std::time::Duration::from_secs(u64::from(minutes.max(1)) * 60);
        *state.session.lock().map_err(|_| ApiError::internal("登录状态已损坏，请重新启动程序"))? =
            Some(Session { staff, last: std::time::Instant::now(), idle });
        // The rating screen greets the applicant with who now serves at this window.
        state.screen.touch(&app);
        Ok(dto)
    })
}

#[tauri::command(async)]
fn sign_out(app: tauri::AppHandle, state: tauri::State<'_, AppState>) -> ApiResult<()> {
    let gone = state.session.lock().map_err(|_| ApiError::internal("登录状态已损坏，请重新启动程序"))?.take();
    // Signing out drops the drafts with the session, the kept application too (a damaged
    // file, read only, keeps nothing to drop).
    if let Some(s) = gone {
        let _ = state.with(|st| Ok(st.keep_intake_draft(&s.staff.id, None, now())?));
    }
    state.screen.touch(&app);
    Ok(())
}

/// The flag that starts this program as the ID-card reader's helper process.
pub const CARD_HELPER_FLAG: &str = "--card-helper";

/// Reads the card on the reader through the vendor library, in a helper process (this program
/// started again), so that a driver that crashes or hangs harms only the helper.
#[tauri::command(async)]
fn read_card(state: tauri::State<'_, AppState>) -> ApiResult<dto::CardDto> {
    state.clerk()?;
    let (lib, port) = state.with(|s| {
        let set = &s.centre()?.settings;
        Ok((set.card_reader_lib.clone(), set.card_reader_port))
    })?;
    let me = std::env::current_exe().map_err(|e| ApiError::new("card.spawn", format!("找不到本程序的位置：{e}")))?;
    let cmd = yichuang_cardreader::helper_command(&me, &[CARD_HELPER_FLAG], &lib, port)?;
    Ok(dto::CardDto::from(&yichuang_cardreader::read(cmd, std::time::Duration::from_secs(15))?))
}

/// What a keyboard-emulation reader typed (a burst of keys the page caught), parsed.
#[tauri::command(async)]
fn typed_card(state: tauri::State<'_, AppState>, text: String) -> ApiResult<dto::CardDto> {
    state.clerk()?;
    let text: String = text.chars().take(400).collect();
    Ok(dto::CardDto::from(&yichuang_core::card::Card::from_typed(&text)?))
}

/// What the rating screen shows; asked by the screen itself, which acts as no one. The
/// question about the service just given stays while the store says it may be answered (the
/// window's latest service, given minutes ago), signed in or not: the applicant may still be
/// at the counter after the clerk signed out.
#[tauri::command(async)]
fn applicant_screen(window: tauri::Window, state: tauri::State<'_, AppState>) -> ApiResult<dto::ScreenDto> {
    screen::only_applicant(&window)?;
    let clerk = state.signed_in(false).ok();
    state.with(|s| {
        let base = dto::ScreenDto::welcome(s.centre()?, clerk.as_ref());
        if let Some((case, event)) = state.screen.pending()? {
            if let Some(svc) = s.service_to_rate(&case, now())?.filter(|v| v.service_event == event) {
                return Ok(base.rating(&svc));
            }
        }
        Ok(base.serving(state.screen.item()?))
    })
}

/// The applicant's tap on the rating screen: only that window, only for the service this
/// window gave last (the store's rule, read inside its change); who served is that service's.
/// The clerk's window is told that a rating came in, not which.
#[tauri::command(async)]
fn applicant_rate(
    window: tauri::Window,
    app: tauri::AppHandle,
    state: tauri::State<'_, AppState>,
    service_event: String,
    rating: String,
    reasons: Vec<String>,
) -> ApiResult<()> {
    screen::only_applicant(&window)?;
    let rating = yichuang_core::Rating::parse(&rating)?;
    let reasons = yichuang_core::BadReasons::parse(&reasons)?;
    if state.screen.pending()?.is_none_or(|(_, e)| e != service_event) {
        return Err(ApiError::new("screen.stale", "这次服务已评价或已结束，谢谢您"));
    }
    state.with(|s| Ok(s.rate_service(&service_event, rating, &reasons, now())?))?;
    state.screen.rated(&app, &service_event)?;
    let _ = tauri::Emitter::emit_to(&app, "main", screen::RATED, ());
    Ok(())
}

/// The item the clerk is taking in, for the rating screen (nothing is written).
#[tauri::command(async)]
fn screen_item(app: tauri::AppHandle, state: tauri::State<'_, AppState>, code: Option<String>) -> ApiResult<()> {
    state.clerk()?;
    let name = match code {
        Some(c) => state.with(|s| Ok(s.item(c.trim()).ok().map(|e| e.item.name().to_owned())))?,
        None => None,
    };
    state.screen.show_item(&app, name)
}

/// Whether this database has a centre yet (first start) and where it is.
#[tauri::command(async)]
fn setup_status(state: tauri::State<'_, AppState>) -> ApiResult<dto::SetupStatus> {
    let db = state.db.display().to_string();
    state.with(|s| Ok(dto::SetupStatus { configured: s.centre().is_ok(), db }))
}

/// First start: the centre, this terminal, the station head, a first clerk, the printer.
#[tauri::command(async)]
fn setup_centre(state: tauri::State<'_, AppState>, form: dto::SetupForm) -> ApiResult<dto::AppInfo> {
    let parsed = form.parse()?;
    state.with(|s| {
        let t = now();
        // One transaction: a power cut part-way leaves the first start to be done again.
        yichuang_app::setup::first_start(s, parsed, t)?;
        dto::AppInfo::from_store(s, t.date_naive())
    })
}

/// First start: open the demo centre instead (demo catalogue, staff 王建国/李梅/张磊, PIN 123456).
#[tauri::command(async)]
fn setup_demo(state: tauri::State<'_, AppState>) -> ApiResult<dto::AppInfo> {
    state.with(|s| {
        let t = now();
        yichuang_app::setup::demo_centre(s, t)?;
        dto::AppInfo::from_store(s, t.date_naive())
    })
}

#[tauri::command(async)]
fn today_board(state: tauri::State<'_, AppState>) -> ApiResult<dto::BoardDto> {
    let me = state.clerk()?;
    let today = now().date_naive();
    state.with(|s| {
        // The SMS reminders due today are queued as the day's list opens (each once); a
        // database open for reading only queues nothing and still shows the list.
        let _ = s.queue_due_sms(now());
        let notices = s.supervisions(true)?.iter().map(|n| dto::SupervisionDto::new(n, today)).collect();
        // The head's own queue (负责人待办) is the head's only.
        let queue = if me.role == Role::Head { s.head_queue(&me.id, today)?.iter().map(dto::QueueDto::from).collect() } else { vec![] };
        Ok(dto::BoardDto::new(&s.today_board(today)?, &yichuang_report::day_figures(s, today)?.0, notices, queue))
    })
}

#[tauri::command(async)]
fn answer_supervision(state: tauri::State<'_, AppState>, id: String, answer: String) -> ApiResult<()> {
    let head = state.head("答复县级督办")?;
    state.with(|s| Ok(s.answer_supervision(&head.id, &id, &answer, now())?))
}

/// The PC's clock was set back (it had been fast): the head confirms with a PIN, counted and
/// locked like a sign-in, and the window records again.
#[tauri::command(async)]
fn confirm_clock(state: tauri::State<'_, AppState>, head_id: String, head_pin: String) -> ApiResult<()> {
    state.clerk()?;
    state.with(|s| {
        Ok(yichuang_app::acting::confirm_clock(s, &head_id, &head_pin, now())?)
    })
}

/// The verify screen: a scanned or typed QR code of a printed document.
#[tauri::command(async)]
fn verify_document(state: tauri::State<'_, AppState>, qr: String) -> ApiResult<dto::VerifyDto> {
    state.clerk()?;
    state.with(|s| Ok(dto::VerifyDto::from_verdict(s.verify_qr(&qr)?)))
}

#[tauri::command(async)]
fn search_items(state: tauri::State<'_, AppState>, query: String) -> ApiResult<Vec<dto::ItemDto>> {
    state.clerk()?;
    state.with(|s| {
        let hits = if query.trim().is_empty() { s.catalogue()? } else { s.search_items(&query)? };
        Ok(hits.into_iter().map(dto::ItemDto::from).collect())
    })
}

#[tauri::command(async)]
fn item_detail(state: tauri::State<'_, AppState>, code: String) -> ApiResult<dto::ItemDto> {
    state.clerk()?;
    state.with(|s| Ok(dto::ItemDto::from(s.item(&code)?)))
}

#[tauri::command(async)]
fn check_id(state: tauri::State<'_, AppState>, value: String) -> ApiResult<dto::IdCheck> {
    state.clerk()?;
    state.with(|s| dto::IdCheck::check(s, &value))
}

#[tauri::command(async)]
fn preview_intake(state: tauri::State<'_, AppState>, form: dto::IntakeForm) -> ApiResult<dto::PreviewDto> {
    let me = state.clerk()?;
    let req = form.into_request(&me.id)?;
    state.with(|s| Ok(dto::PreviewDto::from(&s.preview_intake(&req, now().date_naive())?)))
}

#[tauri::command(async)]
fn submit_intake(app: tauri::AppHandle, state: tauri::State<'_, AppState>, form: dto::IntakeForm) -> ApiResult<dto::OutcomeDto> {
    let me = state.clerk()?;
    let req = form.into_request(&me.id)?;
    state.with(|s| {
        let out = s.intake(req, now())?;
        let _ = state.offer_rating(&app, s, &out.case_number.to_string());
        Ok(dto::OutcomeDto::from(&out))
    })
}

/// Keeps the application the signed-in clerk is typing (as the page holds it), so that a restart
/// of the app loses nothing; `None` empties it (taken, discarded).
#[tauri::command(async)]
fn keep_intake_draft(state: tauri::State<'_, AppState>, body: Option<String>) -> ApiResult<()> {
    let me = state.clerk()?;
    state.with(|s| {
        // Signed out (or locked) while this was on its way: nothing is kept for a session gone.
        if !state.still_signed_in(&me.id) {
            return Ok(());
        }
        Ok(s.keep_intake_draft(&me.id, body.as_deref(), now())?)
    })
}

/// The signed-in clerk's kept application, if any (after a restart).
#[tauri::command(async)]
fn intake_draft(state: tauri::State<'_, AppState>) -> ApiResult<Option<String>> {
    let me = state.clerk()?;
    state.with(|s| Ok(s.intake_draft(&me.id)?))
}

#[tauri::command(async)]
fn find_cases(state: tauri::State<'_, AppState>, query: String, status: Option<String>) -> ApiResult<Vec<dto::CaseRow>> {
    state.clerk()?;
    // A state alone lists its cases, those waiting longest first (what Today's list cut off).
    let status = yichuang_app::forms::status(status.as_deref().unwrap_or(""))?;
    let query = Some(query.trim().to_owned()).filter(|q| !q.is_empty());
    state.with(|s| {
        let filter = CaseFilter { oldest_first: query.is_none() && status.is_some(), status, query, limit: Some(200), ..CaseFilter::default() };
        Ok(s.list_cases(&filter, now().date_naive())?.iter().map(dto::CaseRow::from).collect())
    })
}

#[tauri::command(async)]
fn case_detail(state: tauri::State<'_, AppState>, number: String) -> ApiResult<dto::CaseDetail> {
    state.clerk()?;
    state.with(|s| dto::CaseDetail::load(s, &number, now().date_naive()))
}

#[tauri::command(async)]
fn supplement_case(app: tauri::AppHandle, state: tauri::State<'_, AppState>, number: String, materials: Vec<dto::MaterialInput>) -> ApiResult<dto::OutcomeDto> {
    let me = state.clerk()?;
    let req = dto::supplement_request(materials, &me.id)?;
    state.with(|s| {
        let out = s.supplement(&number, req, now())?;
        let _ = state.offer_rating(&app, s, &number);
        Ok(dto::OutcomeDto::from(&out))
    })
}

/// The approving head's PIN for an act they approve at a clerk's counter (延期, 终止办理,
/// 作废), counted and locked like a sign-in; whether they may approve is the store's to say.
fn approver_checked(s: &mut yichuang_store::Store, approver: &str, pin: &str) -> ApiResult<()> {
    Ok(yichuang_app::acting::approve(s, approver, pin, now())?)
}

/// An extension needs the head: their PIN is checked here, at the counter.
#[tauri::command(async)]
fn extend_case(
    state: tauri::State<'_, AppState>,
    number: String,
    days: u32,
    reason: String,
    approver: String,
    approver_pin: String,
) -> ApiResult<dto::CaseDetail> {
    let me = state.clerk()?;
    state.with(|s| {
        approver_checked(s, &approver, &approver_pin)?;
        s.extend(&number, days, &reason, &approver, &me.id, now())?;
        dto::CaseDetail::load(s, &number, now().date_naive())
    })
}

#[tauri::command(async)]
fn decide_case(state: tauri::State<'_, AppState>, number: String, approved: bool, reason: String) -> ApiResult<dto::CaseDetail> {
    let me = state.clerk()?;
    state.with(|s| {
        s.decide(&number, approved, &reason, &me.id, now())?;
        dto::CaseDetail::load(s, &number, now().date_naive())
    })
}

#[tauri::command(async)]
fn ready_case(state: tauri::State<'_, AppState>, number: String) -> ApiResult<dto::CaseDetail> {
    let me = state.clerk()?;
    state.with(|s| {
        s.ready(&number, &me.id, now())?;
        dto::CaseDetail::load(s, &number, now().date_naive())
    })
}

#[tauri::command(async)]
fn collect_case(app: tauri::AppHandle, state: tauri::State<'_, AppState>, number: String, by: String, id_number: String, attorney: bool) -> ApiResult<dto::CaseDetail> {
    let me = state.clerk()?;
    let (by, id) = yichuang_app::forms::person(&by, &id_number, yichuang_app::Who::Collector)?;
    state.with(|s| {
        s.collect_checked(&number, &by, &id, attorney, &me.id, now())?;
        let _ = state.offer_rating(&app, s, &number);
        dto::CaseDetail::load(s, &number, now().date_naive())
    })
}

#[tauri::command(async)]
fn terminate_case(
    state: tauri::State<'_, AppState>,
    number: String,
    reason: String,
    approver: String,
    approver_pin: String,
) -> ApiResult<dto::CaseDetail> {
    let me = state.clerk()?;
    state.with(|s| {
        approver_checked(s, &approver, &approver_pin)?;
        s.terminate(&number, &reason, &approver, &me.id, now())?;
        dto::CaseDetail::load(s, &number, now().date_naive())
    })
}

#[tauri::command(async)]
fn register_inquiry(state: tauri::State<'_, AppState>, form: dto::InquiryForm) -> ApiResult<dto::InquiryDto> {
    let me = state.clerk()?;
    let input = form.into_input(&me.id)?;
    state.with(|s| Ok(dto::InquiryDto::from(&s.register_inquiry(input, now())?.0)))
}

#[tauri::command(async)]
fn list_inquiries(state: tauri::State<'_, AppState>, open_only: bool) -> ApiResult<Vec<dto::InquiryDto>> {
    state.clerk()?;
    state.with(|s| Ok(s.list_inquiries(open_only, now().date_naive())?.iter().map(dto::InquiryDto::from).collect()))
}

#[tauri::command(async)]
fn reply_inquiry(state: tauri::State<'_, AppState>, id: String, result: String) -> ApiResult<dto::InquiryDto> {
    let me = state.clerk()?;
    state.with(|s| Ok(dto::InquiryDto::from(&s.reply_inquiry(&id, &result, &me.id, now())?)))
}

#[tauri::command(async)]
fn find_applicants(state: tauri::State<'_, AppState>, query: String) -> ApiResult<Vec<dto::ApplicantHit>> {
    state.clerk()?;
    let hits: Vec<dto::ApplicantHit> = state.with(|s| Ok(s.find_applicants(&query, 6)?.iter().map(dto::ApplicantHit::from).collect()))?;
    *state.offered.lock().map_err(|_| ApiError::internal("窗口状态已损坏，请重新启动程序"))? = hits.iter().map(|h| h.pick).collect();
    Ok(hits)
}

/// Every staff member of this window, off duty too (the head's staff list).
#[tauri::command(async)]
fn list_staff(state: tauri::State<'_, AppState>) -> ApiResult<Vec<dto::StaffRow>> {
    state.head("管理工作人员")?;
    state.with(|s| Ok(s.staff_list()?.iter().map(dto::StaffRow::from).collect()))
}

/// The head adds a staff member with a first PIN.
#[tauri::command(async)]
fn add_staff(state: tauri::State<'_, AppState>, form: dto::NewStaff) -> ApiResult<dto::StaffRow> {
    let head = state.head("添加工作人员")?;
    let role = yichuang_app::forms::role(&form.role)?;
    state.with(|s| Ok(dto::StaffRow::from(&s.add_staff(&head.id, &form.id, &form.name, role, Some(&form.pin), now())?)))
}

/// The head changes a staff member's role, or takes them off duty or back on.
#[tauri::command(async)]
fn change_staff(state: tauri::State<'_, AppState>, id: String, role: String, active: bool) -> ApiResult<dto::StaffRow> {
    let head = state.head("调整工作人员")?;
    let role = yichuang_app::forms::role(&role)?;
    state.with(|s| Ok(dto::StaffRow::from(&s.change_staff(&head.id, &id, role, active, now())?)))
}

/// The head sets a new PIN for a staff member (forgotten, or locked out).
#[tauri::command(async)]
fn reset_pin(state: tauri::State<'_, AppState>, id: String, pin: String) -> ApiResult<()> {
    let head = state.head("重置密码")?;
    state.with(|s| Ok(s.reset_pin(&head.id, &id, &pin, now())?))
}

/// The signed-in staff member changes their own PIN, proving the old one.
#[tauri::command(async)]
fn change_my_pin(state: tauri::State<'_, AppState>, old: String, new: String) -> ApiResult<()> {
    let me = state.clerk()?;
    state.with(|s| Ok(s.change_pin(&me.id, &old, &new, now())?))
}

/// The returning applicant the clerk picked from the offer, in full for the form.
#[tauri::command(async)]
fn pick_applicant(state: tauri::State<'_, AppState>, pick: i64) -> ApiResult<dto::PickedApplicant> {
    state.clerk()?;
    // Only one of those just offered: a page cannot walk the applicant table by row number.
    if !state.offered.lock().map_err(|_| ApiError::internal("窗口状态已损坏，请重新启动程序"))?.contains(&pick) {
        return Err(ApiError::new("input.not_offered", "只能选取刚才查到的申请人，请重新查找"));
    }
    state.with(|s| Ok(s.applicant_by_id(pick)?.into()))
}

/// Prints a stored document on this window's printer (A4, or the slip printer).
#[tauri::command(async)]
fn print_document(state: tauri::State<'_, AppState>, number: String, slip: bool) -> ApiResult<dto::Printed> {
    state.clerk()?;
    state.with(|s| {
        let target = yichuang_app::printing::target(s, if slip { Layout::Slip } else { Layout::A4 })?;
        Ok(dto::Printed::from(yichuang_app::printing::print(s, &number, &target, now())?))
    })
}

/// 补打: records the reprint, then prints the document marked as such.
#[tauri::command(async)]
fn reprint_document(state: tauri::State<'_, AppState>, number: String) -> ApiResult<dto::Printed> {
    let clerk = state.clerk()?;
    state.with(|s| {
        Ok(dto::Printed::from(yichuang_app::printing::reprint(s, &number, &clerk.id, now())?))
    })
}

/// 作废: needs the station head, whose PIN is checked here, at the counter.
#[tauri::command(async)]
fn void_document(state: tauri::State<'_, AppState>, number: String, reason: String, approver: String, approver_pin: String) -> ApiResult<()> {
    state.clerk()?;
    state.with(|s| {
        // The approver's PIN, counted and locked like a sign-in.
        approver_checked(s, &approver, &approver_pin)?;
        s.void_document(&number, &reason, &approver, now())?;
        Ok(())
    })
}

#[tauri::command(async)]
fn forward_case(state: tauri::State<'_, AppState>, number: String, to: String, reason: String) -> ApiResult<dto::CaseDetail> {
    let clerk = state.clerk()?;
    state.with(|s| {
        s.forward(&number, &to, &reason, &clerk.id, now())?;
        dto::CaseDetail::load(s, &number, now().date_naive())
    })
}

#[tauri::command(async)]
fn withdraw_case(state: tauri::State<'_, AppState>, number: String, reason: String) -> ApiResult<dto::CaseDetail> {
    let clerk = state.clerk()?;
    state.with(|s| {
        s.withdraw(&number, &reason, &clerk.id, now())?;
        dto::CaseDetail::load(s, &number, now().date_naive())
    })
}

#[tauri::command(async)]
fn withdraw_sms_consent(state: tauri::State<'_, AppState>, number: String) -> ApiResult<dto::CaseDetail> {
    let clerk = state.clerk()?;
    state.with(|s| {
        s.withdraw_sms_consent(&number, &clerk.id, now())?;
        dto::CaseDetail::load(s, &number, now().date_naive())
    })
}

#[tauri::command(async)]
fn pause_case(state: tauri::State<'_, AppState>, number: String, kind: String, days: u32, reason: String) -> ApiResult<dto::CaseDetail> {
    let clerk = state.clerk()?;
    let kind = yichuang_core::PauseKind::parse(&kind).ok_or_else(|| ApiError::new("case.pause_kind", "请选择暂停计时的程序"))?;
    state.with(|s| {
        s.pause(&number, kind, days, &reason, &clerk.id, now())?;
        dto::CaseDetail::load(s, &number, now().date_naive())
    })
}

#[tauri::command(async)]
fn resume_case(state: tauri::State<'_, AppState>, number: String) -> ApiResult<dto::CaseDetail> {
    let clerk = state.clerk()?;
    state.with(|s| {
        s.resume(&number, &clerk.id, now())?;
        dto::CaseDetail::load(s, &number, now().date_naive())
    })
}

#[tauri::command(async)]
fn settings(state: tauri::State<'_, AppState>) -> ApiResult<dto::SettingsDto> {
    state.clerk()?;
    state.with(|s| Ok(dto::SettingsDto::from(s.centre()?)))
}

#[tauri::command(async)]
fn save_settings(app: tauri::AppHandle, state: tauri::State<'_, AppState>, form: dto::SettingsForm) -> ApiResult<dto::SettingsDto> {
    let head = state.head("修改设置")?;
    let saved = state.with(|s| {
        let settings = form.into_change().apply(s.centre()?.settings.clone());
        s.update_settings(&head.id, settings, now())?;
        Ok(dto::SettingsDto::from(s.centre()?))
    })?;
    screen::open(&app, saved.rating_screen).map_err(|e| ApiError::new("screen.open", format!("设置已保存，但评价器窗口未能打开：{e}")))?;
    Ok(saved)
}

#[tauri::command(async)]
fn list_printers(state: tauri::State<'_, AppState>) -> ApiResult<Vec<dto::PrinterDto>> {
    state.clerk()?;
    Ok(yichuang_print::printer::list()?.into_iter().map(dto::PrinterDto::from).collect())
}

#[tauri::command(async)]
fn print_test_page(state: tauri::State<'_, AppState>, printer: String, slip: bool) -> ApiResult<dto::Printed> {
    state.clerk()?;
    let (centre, dir) = state.with(|s| Ok((s.centre()?.name.clone(), state.folder("print"))))?;
    let layout = if slip { Layout::Slip } else { Layout::A4 };
    let printer = Some(printer.trim().to_owned()).filter(|p| !p.is_empty());
    // The page names the printer it was meant for: the one chosen, else the system's default.
    let label = match &printer {
        Some(p) => p.clone(),
        None => yichuang_print::printer::list()?.into_iter().find(|p| p.is_default).map_or_else(|| "（本机没有默认打印机）".into(), |p| format!("系统默认打印机{}", p.name)),
    };
    let bytes = yichuang_print::test_page::test_page(&centre, &label, now().date_naive(), layout)?;
    yichuang_store::files::private_dir(&dir).map_err(|e| ApiError::new("print.io", format!("无法创建打印文件夹：{e}")))?;
    let file = dir.join("test-page.pdf");
    yichuang_store::files::write_private(&file, &bytes).map_err(|e| ApiError::new("print.io", format!("无法写入测试页：{e}")))?;
    let sent = yichuang_print::printer::print_pdf(&file, printer.as_deref())?;
    Ok(dto::Printed::from(yichuang_print::Delivered { file, sent, unencodable: vec![] }))
}

/// Backs the database up into the `backups` folder beside it, reporting progress.
#[tauri::command(async)]
fn backup_now(state: tauri::State<'_, AppState>, progress: Channel<dto::Progress>) -> ApiResult<dto::BackupDto> {
    state.clerk()?;
    let dir = state.folder("backups");
    yichuang_store::files::private_dir(&dir).map_err(|e| ApiError::new("backup.io", format!("无法创建备份文件夹{}：{e}", dir.display())))?;
    let file = dir.join(format!("yichuang-{}.db", now().format("%Y%m%d-%H%M%S")));
    state.with(|s| {
        s.backup_with_progress(&file, &mut |done, total| {
            let _ = progress.send(dto::Progress { done: done as i64, total: total as i64 });
        })?;
        Ok(())
    })?;
    dto::BackupDto::read(&file)
}

#[tauri::command(async)]
fn list_backups(state: tauri::State<'_, AppState>) -> ApiResult<Vec<dto::BackupDto>> {
    state.clerk()?;
    dto::BackupDto::list(&state.folder("backups"))
}

/// Restores a backup from the `backups` folder (head only). The database as it was is kept
/// beside it; the window signs out.
#[tauri::command(async)]
fn restore_backup(state: tauri::State<'_, AppState>, name: String, terminal: String) -> ApiResult<dto::RestoreDto> {
    state.head("从备份恢复")?;
    // The number is checked before the store is closed for the restore.
    yichuang_app::setup::terminal(&terminal)?;
    let dir = state.folder("backups");
    let file = dir.join(&name);
    if name.contains(['/', '\\']) || !file.is_file() {
        return Err(ApiError::new("backup.missing", format!("备份文件“{name}”不存在")));
    }
    let mut guard = state.store.lock().map_err(|_| ApiError::internal("数据库锁已损坏，请重新启动程序"))?;
    // Close the store, restore, and open it again whatever happened.
    drop(guard.take());
    let result = yichuang_app::acting::restore(&state.db, &file, &terminal, false, now());
    *guard = Some(Store::open(&state.db)?);
    let (terminal, report) = result?;
    *state.session.lock().map_err(|_| ApiError::internal("登录状态已损坏，请重新启动程序"))? = None;
    Ok(dto::RestoreDto { events: report.events, kept_as: report.kept_as.map(|p| p.display().to_string()), terminal: terminal.to_string() })
}

/// Where this window stands with HQ (read on its own connection: never waits on the clerk).
#[tauri::command(async)]
fn sync_status(state: tauri::State<'_, AppState>) -> ApiResult<dto::SyncStatusDto> {
    state.signed_in(false)?; // the header's poll every 30 s keeps no idle window unlocked
    let store = Store::open(&state.db)?;
    Ok(dto::SyncStatusDto::load(&store)?)
}

/// Enrols this terminal with HQ (the station head, with HQ's one-time code).
#[tauri::command(async)]
fn enrol_terminal(state: tauri::State<'_, AppState>, hq: String, code: String) -> ApiResult<dto::SyncStatusDto> {
    state.head("在县级登记本机")?;
    let mut store = Store::open(&state.db)?;
    yichuang_sync::enrol(&mut store, hq.trim(), code.trim(), &yichuang_sync::SyncOptions::default(), now())?;
    Ok(dto::SyncStatusDto::load(&store)?)
}

/// Sends what is pending now and pulls the centre's other windows (HQ and the LAN), on its
/// own connection, reporting progress.
#[tauri::command(async)]
fn sync_now(state: tauri::State<'_, AppState>, progress: Channel<dto::Progress>) -> ApiResult<dto::SyncDone> {
    state.clerk()?;
    let mut store = Store::open(&state.db)?;
    let opts = yichuang_sync::SyncOptions { max_attempts: 3, ..Default::default() };
    let round = yichuang_sync::lan::sync_everywhere(&mut store, &opts, now(), &mut |p| {
        let _ = progress.send(dto::Progress { done: p.sent, total: p.sent + p.pending });
    })?;
    Ok(dto::SyncDone::from(round))
}

/// Adds another window of the centre on the LAN (the head, who compared its fingerprint).
#[tauri::command(async)]
fn add_window(state: tauri::State<'_, AppState>, url: String) -> ApiResult<dto::SyncStatusDto> {
    let head = state.head("添加本中心的其他窗口")?;
    let mut store = Store::open(&state.db)?;
    yichuang_sync::lan::add_peer(&mut store, &url, Some(&head.id), now())?;
    Ok(dto::SyncStatusDto::load(&store)?)
}

/// The folders a file can be written to or taken from: this window's own exchange folder, and
/// every USB stick that is plugged in, each with its 一窗通 files.
#[tauri::command(async)]
fn transfer_folders(state: tauri::State<'_, AppState>) -> ApiResult<Vec<dto::FolderDto>> {
    state.clerk()?;
    Ok(dto::FolderDto::list(&state.folder("transfer")))
}

/// Writes the day's file for HQ, or this window's stream for the centre's other windows, into
/// one of [`transfer_folders`], sealed to its readers (and to `to`, a window met for the first time).
#[tauri::command(async)]
fn export_file(state: tauri::State<'_, AppState>, kind: String, folder: String, to: String) -> ApiResult<dto::ExportDto> {
    state.clerk()?;
    let dir = dto::FolderDto::checked(&state.folder("transfer"), &folder)?;
    let store = Store::open(&state.db)?;
    dto::ExportDto::write(&store, &kind, &dir, to.trim(), now())
}

/// Takes in a file from one of [`transfer_folders`]: another window's stream (a window seen
/// for the first time only by the head), or HQ's signed calendar or catalogue (the head).
#[tauri::command(async)]
fn import_file(state: tauri::State<'_, AppState>, path: String) -> ApiResult<dto::ImportDto> {
    let me = state.clerk()?;
    let file = dto::FolderDto::checked_file(&state.folder("transfer"), &path)?;
    let bytes = std::fs::read(&file).map_err(|e| ApiError::new("transfer.io", format!("无法读取{}：{e}", file.display())))?;
    let head = me.role == Role::Head;
    state.with(|s| Ok(dto::ImportDto::from(yichuang_sync::transfer::import_file(s, &bytes, Some(&me.id), head, now())?)))
}

/// Syncs in the background every few minutes while the app runs, on its own connection: the
/// clerk's work never waits for the network, and the link coming back is noticed by itself.
/// What arrives takes effect in the clerk's window at its next step (`Store::refresh`).
fn background_sync(db: PathBuf) {
    std::thread::spawn(move || loop {
        std::thread::sleep(std::time::Duration::from_secs(120));
        let Ok(mut store) = Store::open(&db) else { continue };
        let opts = yichuang_sync::SyncOptions { max_attempts: 2, ..Default::default() };
        let _ = yichuang_sync::lan::sync_everywhere(&mut store, &opts, now(), &mut |_| {});
    });
}

/// Serves this window's stream to the centre's other windows, when the head set an address
/// (`settings.peer_listen`); on its own connection, for as long as the app runs.
fn serve_peers(db: PathBuf, listen: String) {
    if listen.trim().is_empty() {
        return;
    }
    std::thread::spawn(move || {
        let Ok(server) = yichuang_sync::lan::PeerServer::bind(listen.trim()) else { return };
        let Ok(store) = Store::open(&db) else { return };
        let stop = std::sync::atomic::AtomicBool::new(false);
        server.serve(&store, &stop, &now);
    });
}

#[tauri::command(async)]
fn list_complaints(state: tauri::State<'_, AppState>, open_only: bool) -> ApiResult<Vec<dto::ComplaintDto>> {
    let me = state.clerk()?;
    state.with(|s| Ok(s.list_complaints(&me.id, open_only, now().date_naive())?.iter().map(dto::ComplaintDto::from).collect()))
}

#[tauri::command(async)]
fn register_complaint(state: tauri::State<'_, AppState>, form: dto::ComplaintForm) -> ApiResult<dto::ComplaintDto> {
    let me = state.clerk()?;
    let input = form.into_input(&me.id)?;
    state.with(|s| Ok(dto::ComplaintDto::from(&s.register_complaint(input, now())?)))
}

/// A note, an answer with its feedback, or closing (the head): one command per step.
#[tauri::command(async)]
fn complaint_step(state: tauri::State<'_, AppState>, id: String, step: String, text: String, via: String) -> ApiResult<dto::ComplaintDto> {
    let me = state.clerk()?;
    state.with(|s| {
        let v = match step.as_str() {
            "note" => s.add_complaint_note(&id, &text, &me.id, now())?,
            "answer" => s.answer_complaint(&id, &text, &via, &me.id, now())?,
            "close" => s.close_complaint(&id, &me.id, now())?,
            _ => return Err(ApiError::new("complaint.step", "未知的操作")),
        };
        Ok(dto::ComplaintDto::from(&v))
    })
}

#[tauri::command(async)]
fn return_visits(state: tauri::State<'_, AppState>, finished: Option<bool>) -> ApiResult<Vec<dto::VisitDto>> {
    let me = state.clerk()?;
    state.with(|s| {
        let today = now().date_naive();
        let list = if finished == Some(true) { s.finished_rectifications_seen_by(today, &me.id)? } else { s.return_visits_seen_by(today, &me.id)? };
        Ok(list.iter().map(dto::VisitDto::from).collect())
    })
}

#[tauri::command(async)]
fn rate_case(state: tauri::State<'_, AppState>, number: String, rating: String, comment: String, channel: String) -> ApiResult<dto::VisitDto> {
    let me = state.clerk()?;
    let rating = yichuang_core::Rating::parse(&rating)?;
    state.with(|s| {
        let input = yichuang_store::RatingInput { case_number: number, rating, comment, channel, recorded_by: me.id.clone() };
        Ok(dto::VisitDto::from(&s.record_rating(input, now())?.seen_by(me.role == Role::Head)))
    })
}

#[tauri::command(async)]
fn rectify(state: tauri::State<'_, AppState>, number: String, callback: String, outcome: String) -> ApiResult<dto::VisitDto> {
    let me = state.clerk()?;
    let some = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
    state.with(|s| Ok(dto::VisitDto::from(&s.rectify(&number, some(&callback).as_deref(), some(&outcome).as_deref(), &me.id, now())?.seen_by(me.role == Role::Head))))
}

#[tauri::command(async)]
fn duty_today(state: tauri::State<'_, AppState>) -> ApiResult<Vec<dto::DutyDto>> {
    state.clerk()?;
    state.with(|s| {
        let name = |id: &str| s.staff(id).map(|x| x.name).unwrap_or_else(|_| id.to_owned());
        Ok(s.duty(now().date_naive())?.iter().map(|d| dto::DutyDto::new(d, &name)).collect())
    })
}

#[tauri::command(async)]
fn set_post(state: tauri::State<'_, AppState>, code: String, name: String, a: String, b: String) -> ApiResult<Vec<dto::DutyDto>> {
    let me = state.clerk()?;
    state.with(|s| {
        s.set_post(&code, &name, &a, Some(b.trim()).filter(|b| !b.is_empty()), &me.id, now())?;
        let name = |id: &str| s.staff(id).map(|x| x.name).unwrap_or_else(|_| id.to_owned());
        Ok(s.duty(now().date_naive())?.iter().map(|d| dto::DutyDto::new(d, &name)).collect())
    })
}

#[tauri::command(async)]
fn record_absence(state: tauri::State<'_, AppState>, staff: String, from: String, to: String, reason: String) -> ApiResult<Vec<dto::DutyDto>> {
    let me = state.clerk()?;
    let date = |t: &str| chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| ApiError::new("absence.date", format!("日期“{t}”无效，应写作YYYY-MM-DD")));
    let (from, to) = (date(&from)?, date(&to)?);
    state.with(|s| {
        s.record_absence(&staff, from, to, &reason, &me.id, now())?;
        let name = |id: &str| s.staff(id).map(|x| x.name).unwrap_or_else(|_| id.to_owned());
        Ok(s.duty(now().date_naive())?.iter().map(|d| dto::DutyDto::new(d, &name)).collect())
    })
}

/// `2026-11` (a month) or `2026-11-23` (a day's summary), as the figures stand today.
fn period_of(month: &str) -> ApiResult<yichuang_report::Period> {
    Ok(yichuang_app::period::parse(month, now().date_naive())?)
}

/// The month's report (on its own connection: a year's fold never holds the clerk up).
#[tauri::command(async)]
fn monthly_report(state: tauri::State<'_, AppState>, month: String) -> ApiResult<yichuang_report::Report> {
    let me = state.clerk()?;
    let store = Store::open(&state.db)?;
    Ok(yichuang_report::from_store(&store, period_of(&month)?)?.seen_by(me.role == Role::Head))
}

/// Writes the month's report as xlsx or PDF into the `reports` folder beside the database.
#[tauri::command(async)]
fn export_report(state: tauri::State<'_, AppState>, month: String, format: String) -> ApiResult<String> {
    let me = state.clerk()?;
    let store = Store::open(&state.db)?;
    let r = yichuang_report::from_store(&store, period_of(&month)?)?.seen_by(me.role == Role::Head);
    let dir = state.folder("reports");
    yichuang_store::files::private_dir(&dir).map_err(|e| ApiError::new("report.io", format!("无法创建报表文件夹：{e}")))?;
    let (bytes, ext) = match format.as_str() {
        "xlsx" => (yichuang_report::xlsx::workbook(&r)?, "xlsx"),
        "pdf" => (yichuang_print::report::report_pdf(&r, &yichuang_print::chinese_date(now().date_naive()))?, "pdf"),
        _ => return Err(ApiError::new("report.format", "格式应为xlsx或pdf")),
    };
    let file = dir.join(format!("统计-{month}.{ext}"));
    yichuang_store::files::write_private(&file, &bytes).map_err(|e| ApiError::new("report.io", format!("无法写入{}：{e}", file.display())))?;
    Ok(file.display().to_string())
}

/// Opens (or, with `demo`, sets up) the centre's database.
pub fn open_store(path: PathBuf, demo: bool) -> Result<Store, yichuang_store::StoreError> {
    // The whole file is checked once at start, before anything can be written: found damaged,
    // it is marked and opened for reading only (the banner says how to restore).
    if path.exists() {
        Store::check_file(&path)?;
    }
    let mut store = Store::open(&path)?;
    if demo && store.centre().is_err() {
        yichuang_app::setup::demo_centre(&mut store, now()).map_err(|e| match e {
            yichuang_app::AppError::Store(e) => e,
            other => yichuang_store::StoreError::Rule(other.to_string()),
        })?;
    }
    Ok(store)
}

/// Builds and runs the application on `store`.
pub fn run(store: Store) -> tauri::Result<()> {
    background_sync(store.path().to_owned());
    serve_peers(store.path().to_owned(), store.centre().map(|c| c.settings.peer_listen.clone()).unwrap_or_default());
    let rating_screen = store.centre().map(|c| c.settings.rating_screen).unwrap_or(false);
    tauri::Builder::default()
        .manage(AppState::new(store))
        .setup(move |app| {
            // The rating screen, where the centre has them; a screen that cannot open leaves
            // the clerk's window working.
            if let Err(e) = screen::open(app.handle(), rating_screen) {
                eprintln!("评价器窗口未能打开：{e}");
            }
            Ok(())
        })
        .on_window_event(|window, event| match event {
            // The applicant cannot close the screen that faces them; the app ends with the
            // clerk's window.
            tauri::WindowEvent::CloseRequested { api, .. } if window.label() == screen::LABEL => api.prevent_close(),
            tauri::WindowEvent::Destroyed if window.label() == "main" => tauri::Manager::app_handle(window).exit(0),
            _ => {}
        })
        .invoke_handler(tauri::generate_handler![
            app_info,
            sign_in,
            sign_out,
            setup_status,
            setup_centre,
            setup_demo,
            today_board,
            answer_supervision,
            confirm_clock,
            verify_document,
            search_items,
            item_detail,
            check_id,
            preview_intake,
            submit_intake,
            keep_intake_draft,
            intake_draft,
            find_cases,
            case_detail,
            supplement_case,
            extend_case,
            decide_case,
            ready_case,
            collect_case,
            terminate_case,
            register_inquiry,
            list_inquiries,
            reply_inquiry,
            find_applicants,
            pick_applicant,
            list_staff,
            add_staff,
            change_staff,
            reset_pin,
            change_my_pin,
            print_document,
            reprint_document,
            void_document,
            forward_case,
            withdraw_case,
            withdraw_sms_consent,
            pause_case,
            resume_case,
            settings,
            save_settings,
            list_printers,
            print_test_page,
            backup_now,
            list_backups,
            restore_backup,
            sync_status,
            enrol_terminal,
            sync_now,
            add_window,
            transfer_folders,
            export_file,
            import_file,
            list_complaints,
            register_complaint,
            complaint_step,
            return_visits,
            rate_case,
            rectify,
            duty_today,
            set_post,
            record_absence,
            monthly_report,
            export_report,
            applicant_screen,
            applicant_rate,
            screen_item,
            read_card,
            typed_card
        ])
        .run(tauri::generate_context!())
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_idle_session_expires_and_a_poll_does_not_keep_it_alive() {
        use std::time::{Duration, Instant};
        let start = Instant::now();
        let s = super::Session {
            staff: yichuang_store::Staff { id: "demo".into(), name: "李梅".into(), role: yichuang_store::Role::Clerk, active: true },
            last: start,
            idle: Duration::from_secs(300),
        };
        assert!(!s.expired(start + Duration::from_secs(300)));
        assert!(s.expired(start + Duration::from_secs(301)));
    }

    /// The three lists of commands agree: the handler, the app manifest (build.rs) and the
    /// window's capability. A command missing from one is a button that says “not allowed”.
    #[test]
    fn an_agent_is_parsed_with_the_applicant_and_a_bad_one_is_named() {
        let form = |agent_id: &str| -> crate::dto::IntakeForm {
            serde_json::from_value(serde_json::json!({
                "item": "GL-01", "name": "韦秀英", "idNumber": "450821196804053025", "materials": [],
                "agentName": "韦建华", "agentIdNumber": agent_id, "agentPhone": "13907751234", "clerk": "demo"
            }))
            .unwrap()
        };
        let req = form("11010519491231002X").into_request("demo").unwrap();
        let (name, id, phone) = req.agent.unwrap();
        assert_eq!((name.as_str(), id.as_str(), phone.unwrap().as_str()), ("韦建华", "11010519491231002X", "13907751234"));
        let err = form("110105194912310021").into_request("demo").unwrap_err();
        assert!(err.message.starts_with("代办人身份证号码"), "{}", err.message);
        // No agent: none.
        let alone: crate::dto::IntakeForm = serde_json::from_value(serde_json::json!({
            "item": "GL-01", "name": "韦秀英", "idNumber": "450821196804053025", "materials": [], "clerk": "demo"
        }))
        .unwrap();
        assert!(alone.into_request("demo").unwrap().agent.is_none());
    }

    /// The actor is the signed-in session, never the page's word: every command but those that
    /// open the window (the centre's name, sign-in, first start) begins by asking the session,
    /// and none takes a staff id from the page.
    #[test]
    fn every_command_acts_as_the_signed_in_staff_member() {
        // The rating screen acts as no one (who served is the service's); its two commands
        // refuse every window but the screen, first.
        const OPEN: &[&str] = &["app_info", "sign_in", "sign_out", "setup_status", "setup_centre", "setup_demo", "applicant_screen", "applicant_rate"];
        let src = include_str!("lib.rs");
        let src = &src[..src.find("#[cfg(test)]").unwrap()];
        let mut seen = 0;
        for part in src.split("#[tauri::command(async)]").skip(1) {
            let (sig, body) = part.split_once(") -> ").unwrap();
            let name = sig.split("fn ").nth(1).unwrap().split('(').next().unwrap().trim();
            for banned in ["clerk:", "actor:", "staff_id:", "responder:"] {
                assert!(name == "sign_in" || !sig.contains(banned), "{name} takes `{banned}` from the page");
            }
            let first = body.lines().nth(1).unwrap_or("").trim();
            if name.starts_with("applicant_") {
                assert!(first.contains("screen::only_applicant(&window)?"), "{name} must refuse every window but the rating screen first, not: {first}");
            }
            if !OPEN.contains(&name) {
                assert!(
                    first.contains("state.clerk()?") || first.contains("state.head(") || first.contains("state.signed_in("),
                    "{name} must ask the session first, not: {first}"
                );
            }
            seen += 1;
        }
        assert!(seen >= 55, "{seen}");
    }

    #[test]
    fn every_command_is_declared_and_granted_exactly_once() {
        let handler: Vec<String> = {
            let src = include_str!("lib.rs");
            let start = src.find("generate_handler![").unwrap() + "generate_handler![".len();
            let end = start + src[start..].find(']').unwrap();
            src[start..end].split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
        };
        let manifest: Vec<String> = include_str!("../build.rs")
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with('"') && l.ends_with("\","))
            .map(|l| l.trim_matches(|c| c == '"' || c == ',').to_owned())
            .collect();
        // The app's own commands a capability grants (Tauri's `core:` ones aside).
        let grants = |json: &str| -> Vec<String> {
            let caps: serde_json::Value = serde_json::from_str(json).unwrap();
            caps["permissions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .filter(|p| !p.starts_with("core:"))
                .map(|p| p.trim_start_matches("allow-").replace('-', "_"))
                .collect()
        };
        let counter = grants(include_str!("../capabilities/default.json"));
        let screen = grants(include_str!("../capabilities/applicant.json"));
        // The rating screen may ask what to show and record the applicant's tap, and nothing
        // else; the clerk's window may not record a rating at the screen.
        assert_eq!(screen, ["applicant_screen", "applicant_rate"]);
        assert!(!counter.iter().any(|c| screen.contains(c)), "the counter is granted the screen's commands");
        let granted: Vec<String> = counter.into_iter().chain(screen).collect();
        let sorted = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        assert!(handler.len() >= 30, "{handler:?}");
        assert_eq!(sorted(&handler), sorted(&manifest), "build.rs");
        assert_eq!(sorted(&handler), sorted(&granted), "capabilities/default.json and applicant.json");
        let mut dedup = sorted(&handler);
        dedup.dedup();
        assert_eq!(dedup.len(), handler.len(), "a command listed twice");
    }
}
