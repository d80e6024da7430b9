//! The use cases both edges share. The command line (`src/`) and the window (`src-tauri/`)
//! are two ways of asking the same things of a centre; what they share is decided here, once:
//!
//! - [`clock`]: the time an act is recorded at (Beijing time; a fixed time only in a build for
//!   tests);
//! - [`forms`]: what a clerk filled in (an application, a supplement, an inquiry, a complaint, a
//!   collector) parsed into the store's requests, acting as the signed-in staff member;
//! - [`setup`]: a new centre (the window's first start, `yichuang init`, the demo centre) in one
//!   transaction;
//! - [`acting`]: a head's own PIN for what only the head may do, an approver's PIN;
//! - [`settings`]: a change of the centre's settings, one key or a whole form;
//! - [`period`]: a month or a day of statistics, as it stands today;
//! - [`printing`]: where a document goes (the centre's printers, its case folder) and printing it.
//!
//! The edges keep only their shapes: the JSON a file or a page sends, the text or DTO they show,
//! and how a PIN reaches them (standard input, a dialog). This crate reads the clock and the
//! environment (`YICHUANG_NOW`) so that `yichuang-core` never does.

pub mod acting;
pub mod clock;
pub mod forms;
pub mod period;
pub mod printing;
pub mod settings;
pub mod setup;

use yichuang_store::StoreError;

/// Whose value a message is about: said in front of the reason (申请人身份证号码…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Applicant,
    Organisation,
    Agent,
    Inquirer,
    Complainant,
    Collector,
    Head,
    Clerk,
    Approver,
}

impl Who {
    pub fn label(self) -> &'static str {
        match self {
            Who::Applicant => "申请人",
            Who::Organisation => "申请单位",
            Who::Agent => "代办人",
            Who::Inquirer => "来询人",
            Who::Complainant => "投诉人",
            Who::Collector => "领取人",
            Who::Head => "负责人",
            Who::Clerk => "窗口工作人员",
            Who::Approver => "批准人",
        }
    }
}

impl std::fmt::Display for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A value of a form that does not parse, with the parser's own error.
#[derive(Debug, thiserror::Error)]
pub enum FieldError {
    #[error(transparent)]
    Id(#[from] yichuang_core::IdNumberError),
    #[error(transparent)]
    Name(#[from] yichuang_core::PersonNameError),
    #[error(transparent)]
    Phone(#[from] yichuang_core::PhoneError),
    #[error(transparent)]
    Uscc(#[from] yichuang_core::UsccError),
}

impl FieldError {
    pub fn code(&self) -> &'static str {
        match self {
            FieldError::Id(e) => e.code(),
            FieldError::Name(e) => e.code(),
            FieldError::Phone(e) => e.code(),
            FieldError::Uscc(e) => e.code(),
        }
    }
}

/// A field the form must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    Item,
    Applicant,
    CentreName,
    HeadId,
    Actor,
}

impl std::fmt::Display for Required {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Required::Item => "请选择或填写办理的事项（事项编码）",
            Required::Applicant => "请填写申请人",
            Required::CentreName => "请填写中心名称",
            Required::HeadId => "请填写负责人的工号",
            Required::Actor => "请指定由哪位工作人员办理（工号）",
        })
    }
}

/// One of a fixed list of choices, given as something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Channel,
    Disposition,
    Scope,
    Role,
    Status,
    ComplaintChannel,
    Layout,
    Encoding,
}

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Choice::Channel => "来询方式应为来访（visit）、来电（phone）、来信（letter）或网上（online）",
            Choice::Disposition => "处理方式应为当场答复（answered）、一次性告知（notice）、转交（handover）或待答复（pending）",
            Choice::Scope => "事项范围应为一般（ordinary）、跨部门（multi）或重大（major）",
            Choice::Role => "角色应为办事员（clerk）或负责人（head）",
            Choice::Status => "办件状态无效",
            Choice::ComplaintChannel => "投诉方式应为来访（visit）、来电（phone）、来信（letter）或网上（online）",
            Choice::Layout => "版式应为A4（a4）或80毫米小票（slip）",
            Choice::Encoding => "小票打印机编码应为gb18030、gbk、utf8或raster",
        })
    }
}

/// Why a use case refused, in Chinese, once, with a stable code for the window.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Print(#[from] yichuang_print::PrintError),
    #[error("{who}{error}")]
    Field { who: Who, error: FieldError },
    #[error(transparent)]
    Material(#[from] yichuang_core::CatalogueError),
    #[error(transparent)]
    Number(#[from] yichuang_core::NumberError),
    #[error("{0}")]
    Missing(Required),
    #[error("“{given}”无效：{choice}")]
    Choice { choice: Choice, given: String },
    #[error("申请人须填写身份证号码（个人）或统一社会信用代码（单位）之一")]
    PartyKind,
    #[error("{who}的{error}")]
    Pin { who: Who, error: StoreError },
    #[error("{who}：{error}")]
    Approval { who: Who, error: StoreError },
    #[error("窗口工作人员的工号不能与负责人相同")]
    SameStaffId,
    #[error("{name}没有此操作的权限，须由中心负责人办理")]
    NotHead { name: String },
    #[error("“{0}”无效：月份写作YYYY-MM（如2026-11），某一天写作YYYY-MM-DD（如2026-11-23）")]
    Period(String),
    #[error("YICHUANG_NOW“{0}”不是RFC 3339时间（如2026-11-23T09:30:00+08:00）")]
    ClockSetting(String),
    #[error("没有名为“{0}”的设置")]
    UnknownSetting(String),
    #[error("请用 KEY=VALUE 的形式，如 warning_days=3")]
    SettingForm,
    #[error("设置“{key}”应为{kind}，“{given}”不是")]
    SettingValue { key: String, kind: &'static str, given: String },
    #[error("{what}：{reason}")]
    File { what: String, reason: String },
}

impl AppError {
    /// The stable code the window's page may match on.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Store(e) | AppError::Pin { error: e, .. } | AppError::Approval { error: e, .. } => e.code(),
            AppError::Print(e) => e.code(),
            AppError::Field { error, .. } => error.code(),
            AppError::Material(e) => e.code(),
            AppError::Number(e) => e.code(),
            AppError::Missing(_) => "input.missing",
            AppError::Choice { .. } => "input.choice",
            AppError::PartyKind => "intake.party",
            AppError::SameStaffId => "setup.clerk_id",
            AppError::NotHead { .. } => "auth.not_head",
            AppError::Period(_) => "report.period",
            AppError::ClockSetting(_) => "clock.setting",
            AppError::UnknownSetting(_) | AppError::SettingForm | AppError::SettingValue { .. } => "settings.key",
            AppError::File { .. } => "file.io",
        }
    }

    pub(crate) fn field(who: Who) -> impl Fn(FieldError) -> AppError {
        move |error| AppError::Field { who, error }
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Trimmed, and `None` when nothing is left.
pub(crate) fn filled(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}
