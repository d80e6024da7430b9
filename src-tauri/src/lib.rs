//! The desktop shell: each command parses its DTO, calls a crate, and maps the error to a code
//! and a Chinese message. No SQL and no rules here.

mod dto;

use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, FixedOffset};
use dto::{ApiError, ApiResult};
use yichuang_store::{CaseFilter, Store};

/// The one writer: the store behind a lock. A poisoned lock is an error, never a panic.
pub struct AppState {
    store: Mutex<Store>,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        Self { store: Mutex::new(store) }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Store) -> ApiResult<T>) -> ApiResult<T> {
        let mut guard = self.store.lock().map_err(|_| ApiError::internal("数据库锁已损坏，请重新启动程序"))?;
        f(&mut guard)
    }
}

/// The clock, read at the edge: `YICHUANG_NOW` (RFC 3339) or the system's.
fn now() -> DateTime<FixedOffset> {
    std::env::var("YICHUANG_NOW")
        .ok()
        .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
        .unwrap_or_else(|| chrono::Local::now().fixed_offset())
}

#[tauri::command(async)]
fn app_info(state: tauri::State<'_, AppState>) -> ApiResult<dto::AppInfo> {
    state.with(|s| dto::AppInfo::from_store(s, now().date_naive()))
}

#[tauri::command(async)]
fn sign_in(state: tauri::State<'_, AppState>, staff_id: String, pin: String) -> ApiResult<dto::StaffDto> {
    state.with(|s| {
        if !s.check_pin(staff_id.trim(), pin.trim())? {
            return Err(ApiError::new("auth.bad_pin", "工号或密码不对，请重新输入"));
        }
        Ok(dto::StaffDto::from(&s.staff(staff_id.trim())?))
    })
}

#[tauri::command(async)]
fn today_board(state: tauri::State<'_, AppState>) -> ApiResult<dto::BoardDto> {
    state.with(|s| Ok(dto::BoardDto::from(&s.today_board(now().date_naive())?)))
}

#[tauri::command(async)]
fn search_items(state: tauri::State<'_, AppState>, query: String) -> ApiResult<Vec<dto::ItemDto>> {
    state.with(|s| {
        let hits = if query.trim().is_empty() { s.catalogue()? } else { s.search_items(&query)? };
        Ok(hits.into_iter().map(dto::ItemDto::from).collect())
    })
}

#[tauri::command(async)]
fn item_detail(state: tauri::State<'_, AppState>, code: String) -> ApiResult<dto::ItemDto> {
    state.with(|s| Ok(dto::ItemDto::from(s.item(&code)?)))
}

#[tauri::command(async)]
fn check_id(state: tauri::State<'_, AppState>, value: String) -> ApiResult<dto::IdCheck> {
    state.with(|s| dto::IdCheck::check(s, &value))
}

#[tauri::command(async)]
fn preview_intake(state: tauri::State<'_, AppState>, form: dto::IntakeForm) -> ApiResult<dto::PreviewDto> {
    let req = form.into_request()?;
    state.with(|s| Ok(dto::PreviewDto::from(&s.preview_intake(&req, now().date_naive())?)))
}

#[tauri::command(async)]
fn submit_intake(state: tauri::State<'_, AppState>, form: dto::IntakeForm) -> ApiResult<dto::OutcomeDto> {
    let req = form.into_request()?;
    state.with(|s| Ok(dto::OutcomeDto::from(&s.intake(req, now())?)))
}

#[tauri::command(async)]
fn find_cases(state: tauri::State<'_, AppState>, query: String) -> ApiResult<Vec<dto::CaseRow>> {
    state.with(|s| {
        let filter = CaseFilter { query: Some(query), limit: Some(200), ..CaseFilter::default() };
        Ok(s.list_cases(&filter, now().date_naive())?.iter().map(dto::CaseRow::from).collect())
    })
}

#[tauri::command(async)]
fn case_detail(state: tauri::State<'_, AppState>, number: String) -> ApiResult<dto::CaseDetail> {
    state.with(|s| dto::CaseDetail::load(s, &number, now().date_naive()))
}

#[tauri::command(async)]
fn supplement_case(state: tauri::State<'_, AppState>, number: String, materials: Vec<dto::MaterialInput>, clerk: String) -> ApiResult<dto::OutcomeDto> {
    let req = dto::supplement_request(materials, clerk)?;
    state.with(|s| Ok(dto::OutcomeDto::from(&s.supplement(&number, req, now())?)))
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
    clerk: String,
) -> ApiResult<dto::CaseDetail> {
    state.with(|s| {
        if !s.check_pin(&approver, &approver_pin)? {
            return Err(ApiError::new("auth.bad_pin", "批准人的密码不对"));
        }
        s.extend(&number, days, &reason, &approver, &clerk, now())?;
        dto::CaseDetail::load(s, &number, now().date_naive())
    })
}

#[tauri::command(async)]
fn decide_case(state: tauri::State<'_, AppState>, number: String, approved: bool, reason: String, clerk: String) -> ApiResult<dto::CaseDetail> {
    state.with(|s| {
        s.decide(&number, approved, &reason, &clerk, now())?;
        dto::CaseDetail::load(s, &number, now().date_naive())
    })
}

#[tauri::command(async)]
fn ready_case(state: tauri::State<'_, AppState>, number: String, clerk: String) -> ApiResult<dto::CaseDetail> {
    state.with(|s| {
        s.ready(&number, &clerk, now())?;
        dto::CaseDetail::load(s, &number, now().date_naive())
    })
}

#[tauri::command(async)]
fn collect_case(state: tauri::State<'_, AppState>, number: String, by: String, clerk: String) -> ApiResult<dto::CaseDetail> {
    state.with(|s| {
        s.collect(&number, &by, &clerk, now())?;
        dto::CaseDetail::load(s, &number, now().date_naive())
    })
}

#[tauri::command(async)]
fn register_inquiry(state: tauri::State<'_, AppState>, form: dto::InquiryForm) -> ApiResult<dto::InquiryDto> {
    let input = form.into_input()?;
    state.with(|s| Ok(dto::InquiryDto::from(&s.register_inquiry(input, now())?.0)))
}

#[tauri::command(async)]
fn list_inquiries(state: tauri::State<'_, AppState>, open_only: bool) -> ApiResult<Vec<dto::InquiryDto>> {
    state.with(|s| Ok(s.list_inquiries(open_only, now().date_naive())?.iter().map(dto::InquiryDto::from).collect()))
}

#[tauri::command(async)]
fn reply_inquiry(state: tauri::State<'_, AppState>, id: String, result: String, clerk: String) -> ApiResult<dto::InquiryDto> {
    state.with(|s| Ok(dto::InquiryDto::from(&s.reply_inquiry(&id, &result, &clerk, now())?)))
}

/// Opens (or, with `demo`, sets up) the centre's database.
pub fn open_store(path: PathBuf, demo: bool) -> Result<Store, yichuang_store::StoreError> {
    let mut store = Store::open(&path)?;
    if demo && store.centre().is_err() {
        let t = now();
        store.initialise(
            yichuang_core::CentreCode::parse("450821102")?,
            "示范镇便民服务中心",
            yichuang_core::TerminalId::parse("01")?,
            t,
        )?;
        store.load_demo(t)?;
    }
    Ok(store)
}

/// Builds and runs the application on `store`.
pub fn run(store: Store) -> tauri::Result<()> {
    tauri::Builder::default()
        .manage(AppState::new(store))
        .invoke_handler(tauri::generate_handler![
            app_info,
            sign_in,
            today_board,
            search_items,
            item_detail,
            check_id,
            preview_intake,
            submit_intake,
            find_cases,
            case_detail,
            supplement_case,
            extend_case,
            decide_case,
            ready_case,
            collect_case,
            register_inquiry,
            list_inquiries,
            reply_inquiry
        ])
        .run(tauri::generate_context!())
}
