use yichuang_core::{
    CalendarError, CatalogueError, ClockError, IdNumberError, IntakeError, NumberError,
    PersonNameError, PhoneError, TextError, TransitionError, UsccError,
};

/// Everything the store can refuse. `Display` is the Chinese message for the clerk;
/// [`StoreError::code`] is the stable identifier programs match on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("同步：{0}")]
    Sync(String),
    #[error("没有{0}")]
    NotFound(String),
    /// A service-quality rule refused the action; the message says which.
    #[error("{0}")]
    Rule(String),
    #[error(transparent)]
    Quality(#[from] yichuang_core::QualityError),
    /// SQLite's fault in the clerk's words, once (not SQLite's English behind it again).
    #[error("{}", sqlite_reason(.0))]
    Sqlite(rusqlite::Error),
    #[error("{}", io_reason(.0))]
    Io(std::io::Error),
    #[error("此数据库由较新版本的一窗通创建（结构版本{found}），本程序只支持到版本{supported}，请先升级程序")]
    NewerDatabase { found: i64, supported: i64 },
    #[error("这份数据库由另一台电脑的密钥（编号{id}）保护，本机没有这把密钥：请在原电脑上导出密钥（yichuang machine-key export），在本机导入（yichuang machine-key import）后再打开。本机密钥文件夹：{dir}")]
    ForeignKey { id: String, dir: String },
    #[error("数据库尚未初始化，请先设置中心（init）")]
    NotInitialised,
    #[error("数据库已初始化为“{0}”，不能重复初始化")]
    AlreadyInitialised(String),
    #[error("尚未载入服务事项目录，请先导入目录")]
    NoCatalogue,
    #[error("目录中没有编码为“{0}”的事项")]
    UnknownItem(String),
    #[error("没有编号为“{0}”的办件")]
    UnknownCase(String),
    #[error("没有工号为“{0}”的工作人员")]
    UnknownStaff(String),
    #[error("工作人员“{0}”已停用，不能办理业务")]
    InactiveStaff(String),
    #[error("工号“{0}”已存在")]
    DuplicateStaff(String),
    #[error("没有编号为“{0}”的文书")]
    UnknownDocument(String),
    #[error("没有编号为“{0}”的首问登记")]
    UnknownInquiry(String),
    #[error("{name}没有{action}的权限，须由中心负责人办理")]
    NotPermitted { name: String, action: &'static str },
    #[error("文书{0}已作废，不能再作废或补打")]
    AlreadyVoided(String),
    #[error("请填写{0}")]
    MissingField(&'static str),
    #[error("{what}文件有误：{detail}")]
    BadFile { what: &'static str, detail: String },
    #[error("今天的办件编号已用完（每个终端每天最多9999件）")]
    SequenceExhausted,
    #[error("首问登记“{0}”已办结")]
    InquiryClosed(String),
    #[error("备份文件“{0}”损坏或不是一窗通的数据库")]
    BadBackup(String),
    /// The database was found damaged (by `verify`, the window's check at start, or SQLite in
    /// the middle of a change): it is open for reading only until it is restored.
    #[error("数据库文件已损坏（{0}）：现只能查看，不能办理或写入任何内容。请由中心负责人从最近的备份恢复（设置→备份与恢复，或 yichuang restore --from 备份文件 --terminal 新终端号）")]
    Damaged(String),
    /// The chain head is not the one this PC's key sealed: nothing is added onto it.
    #[error("事件链头（第{seq}条）没有本机密钥的校验印记（数据库被绕过程序改动过）：未写入任何内容。请由中心负责人运行“校验”并从备份恢复")]
    Unsealed { seq: i64 },
    /// The database's seal was taken away (its schema set back to before the seal) after this
    /// PC had sealed it: it is not sealed afresh.
    #[error("这份数据库的密钥校验印记被去掉了（本机曾在第{at}条事件处为它加印，现在它到第{seq}条）：数据库被绕过程序改动过，未作任何改动。请从备份恢复")]
    SealStripped { seq: i64, at: i64 },
    #[error("终端号{0}已开出过办件和文书编号（备份或恢复前的数据库中有），恢复后须换用本中心未用过的终端号，以免编号重复")]
    TerminalUsed(String),
    #[error("{0}")]
    PeerRefused(String),
    #[error("工号或密码不对{hint}")]
    BadPin { hint: String },
    #[error("{name}的密码连续输错，已暂时锁定：请{wait}后再试，或请中心负责人重置密码")]
    PinLocked { name: String, wait: String },
    #[error("密码应为6到12位数字")]
    WeakPin,
    #[error("终端{terminal}尚未被本机认可：请中心负责人与该终端核对密钥指纹{fingerprint}后认可（导入文件或添加窗口时加 --accept）")]
    PeerUnknown { terminal: String, fingerprint: String },
    #[error("代办人不能是申请人本人：本人到场时请不填代办人")]
    AgentIsApplicant,
    #[error("身份证号{id_masked}已登记为“{on_file}”，与本次填写的“{given}”不同：请核对证件；确系同一人改名的，请确认更名后再提交")]
    ApplicantNameDiffers { id_masked: String, on_file: String, given: String },
    #[error("该申请人已有同一事项的在办件{number}（{received_on}收件，{status}）：请在办件查询中接着办理；确需另行受理的，请填写另行受理的理由")]
    DuplicateOpenCase { number: String, received_on: chrono::NaiveDate, status: &'static str },
    #[error("{year}年日历版本{version}已导入，但内容与本文件不同：同一版本不能有两种内容，请向县中心核实后使用新的版本号")]
    CalendarVersionConflict { year: i32, version: u32 },
    #[error("本机时钟可能不准：现在显示{now}，早于本机上一条记录的时间{last}。请核对电脑的日期和时间后重试；如时间确已校正（此前的时钟偏快），请中心负责人确认")]
    ClockBehind { last: String, now: String },
    #[error("这是另一个中心（{theirs}）的备份，本机是中心{here}：一般是选错了文件。确需换用该中心的数据的，须由中心负责人确认（命令行加 --other-centre）")]
    OtherCentreBackup { here: String, theirs: String },
    #[error("数据库中表{0}的结构与本程序创建的不同（被绕过程序改动过），未作升级：请从备份恢复，或联系县中心")]
    SchemaUnexpected(&'static str),
    #[error("所欠容缺材料的补交期限是{owed_by}，期限未过，不能终止办理")]
    OwedNotDue { owed_by: chrono::NaiveDate },
    #[error("该申请人有未履行的容缺承诺（办件{0}已终止办理），本中心规定不再为其容缺受理：请不选承诺书，按补正材料一次性告知")]
    CommitmentBarred(String),
    #[error("容缺受理的办件只需补交所欠的材料：“{0}”不在所欠清单上")]
    NotOwed(String),
    #[error("容缺受理的办件在补交材料时不能不予受理：确不符合条件的，请作出不予批准的决定")]
    RefuseOwing,
    #[error("领取人“{given}”的身份证号与{whom}的相同，但{whom}登记的姓名是“{on_file}”：请核对证件")]
    CollectorNameDiffers { given: String, on_file: String, whom: &'static str },
    #[error("领取人的身份证号与申请人、代办人都不相符：他人代领须出示申请人签名的授权委托书（选择“持委托书代领”）")]
    CollectorUnknown,
    #[error(transparent)]
    Text(#[from] TextError),
    #[error(transparent)]
    IdNumber(#[from] IdNumberError),
    #[error(transparent)]
    Uscc(#[from] UsccError),
    #[error(transparent)]
    Phone(#[from] PhoneError),
    #[error(transparent)]
    Sms(#[from] yichuang_core::SmsError),
    #[error(transparent)]
    Name(#[from] PersonNameError),
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error(transparent)]
    Intake(#[from] IntakeError),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Clock(#[from] ClockError),
    #[error(transparent)]
    Number(#[from] NumberError),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "store.sqlite",
            Self::Io(_) => "store.io",
            Self::ForeignKey { .. } => "store.foreign_key",
            Self::Sync(_) => "store.sync",
            Self::NotFound(_) => "store.not_found",
            Self::Rule(_) => "store.rule",
            Self::SchemaUnexpected(_) => "store.schema",
            Self::OwedNotDue { .. } => "case.owed_not_due",
            Self::NotOwed(_) => "case.not_owed",
            Self::CommitmentBarred(_) => "case.commitment_barred",
            Self::RefuseOwing => "case.refuse_owing",
            Self::CollectorNameDiffers { .. } => "case.collector_name",
            Self::CollectorUnknown => "case.collector_unknown",
            Self::Quality(e) => e.code(),
            Self::NewerDatabase { .. } => "store.newer_database",
            Self::NotInitialised => "store.not_initialised",
            Self::AlreadyInitialised(_) => "store.already_initialised",
            Self::NoCatalogue => "store.no_catalogue",
            Self::UnknownItem(_) => "store.unknown_item",
            Self::UnknownCase(_) => "store.unknown_case",
            Self::UnknownStaff(_) => "store.unknown_staff",
            Self::InactiveStaff(_) => "store.inactive_staff",
            Self::DuplicateStaff(_) => "store.duplicate_staff",
            Self::UnknownDocument(_) => "store.unknown_document",
            Self::UnknownInquiry(_) => "store.unknown_inquiry",
            Self::NotPermitted { .. } => "store.not_permitted",
            Self::AlreadyVoided(_) => "store.already_voided",
            Self::MissingField(_) => "store.missing_field",
            Self::BadFile { .. } => "store.bad_file",
            Self::SequenceExhausted => "store.sequence_exhausted",
            Self::InquiryClosed(_) => "store.inquiry_closed",
            Self::BadBackup(_) => "store.bad_backup",
            Self::Damaged(_) => "store.damaged",
            Self::Unsealed { .. } => "store.unsealed",
            Self::SealStripped { .. } => "store.seal_stripped",
            Self::TerminalUsed(_) => "store.terminal_used",
            Self::PeerRefused(_) => "store.peer_refused",
            Self::PeerUnknown { .. } => "store.peer_unknown",
            Self::BadPin { .. } => "auth.bad_pin",
            Self::PinLocked { .. } => "auth.locked",
            Self::WeakPin => "auth.weak_pin",
            Self::AgentIsApplicant => "intake.agent_is_applicant",
            Self::ApplicantNameDiffers { .. } => "intake.name_differs",
            Self::DuplicateOpenCase { .. } => "intake.duplicate_open",
            Self::CalendarVersionConflict { .. } => "calendar.version_conflict",
            Self::ClockBehind { .. } => "clock.behind",
            Self::OtherCentreBackup { .. } => "store.other_centre_backup",
            Self::Text(e) => e.code(),
            Self::IdNumber(e) => e.code(),
            Self::Uscc(e) => e.code(),
            Self::Phone(e) => e.code(),
            Self::Sms(e) => e.code(),
            Self::Name(e) => e.code(),
            Self::Catalogue(e) => e.code(),
            Self::Calendar(e) => e.code(),
            Self::Intake(e) => e.code(),
            Self::Transition(e) => e.code(),
            Self::Clock(e) => e.code(),
            Self::Number(e) => e.code(),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e)
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

/// What SQLite's refusal means for the clerk, and what to do.
pub fn sqlite_reason(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code() {
        Some(C::DatabaseBusy | C::DatabaseLocked) => "数据库正被本机另一个一窗通程序使用，请稍后再试".into(),
        Some(C::DatabaseCorrupt | C::NotADatabase) => "数据库文件已损坏：请勿继续使用，请从备份恢复（restore）".into(),
        Some(C::DiskFull) => "磁盘已满：未写入任何内容，请清理磁盘后重试".into(),
        Some(C::ReadOnly) => "数据库文件只读，不能写入：请检查文件权限或磁盘是否写保护".into(),
        Some(C::CannotOpen) => "无法打开数据库文件：请检查路径和文件夹权限".into(),
        Some(C::PermissionDenied) => "没有访问数据库文件的权限".into(),
        Some(C::SystemIoFailure) => "读写磁盘失败（磁盘或U盘可能有故障）：未写入任何内容".into(),
        Some(C::ConstraintViolation) => "数据不符合数据库的约束，未写入任何内容（可能是数据库文件被改动过，请运行 verify）".into(),
        Some(C::SchemaChanged) => "数据库结构刚被另一个程序改动，请重试".into(),
        _ => match e {
            rusqlite::Error::QueryReturnedNoRows => "数据库中没有所需的记录".into(),
            rusqlite::Error::InvalidColumnType(..) | rusqlite::Error::FromSqlConversionFailure(..) => {
                "数据库中的数据类型不对（可能是数据库文件被改动过，请运行 verify）".into()
            }
            other => format!("数据库操作失败（{other}）"),
        },
    }
}

/// What a file system refusal means, in Chinese.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    // An error this program made with its own (Chinese) words says them.
    if e.get_ref().is_some() && e.raw_os_error().is_none() {
        return e.to_string();
    }
    match e.kind() {
        K::NotFound => "文件或文件夹不存在".into(),
        K::PermissionDenied => "没有权限读写该文件或文件夹".into(),
        K::AlreadyExists => "文件已存在".into(),
        K::StorageFull => "磁盘已满".into(),
        K::ReadOnlyFilesystem => "磁盘是只读的（U盘可能开了写保护）".into(),
        K::IsADirectory => "这是一个文件夹，不是文件".into(),
        K::InvalidData => "文件内容无法读取（不是有效的UTF-8文本）".into(),
        K::UnexpectedEof => "文件不完整（可能被截断）".into(),
        K::BrokenPipe => "输出已被关闭".into(),
        _ => format!("文件读写错误（{e}）"),
    }
}

/// A JSON file's fault in Chinese, with where it is: serde's own words are English and name
/// Rust types, which a clerk or a head cannot act on.
pub fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let text = e.to_string();
    let quoted = |after: &str| {
        text.split_once(after).and_then(|(_, rest)| rest.split('`').nth(1)).map(str::to_owned).unwrap_or_default()
    };
    let what = match e.classify() {
        Category::Eof => "文件不完整（可能被截断）".to_owned(),
        Category::Syntax => "不是有效的JSON格式".to_owned(),
        Category::Io => "读取失败".to_owned(),
        Category::Data if text.starts_with("missing field") => format!("缺少字段“{}”", quoted("missing field")),
        Category::Data if text.starts_with("unknown field") => format!("有不认识的字段“{}”", quoted("unknown field")),
        Category::Data if text.starts_with("duplicate field") => format!("字段“{}”重复", quoted("duplicate field")),
        Category::Data if text.starts_with("unknown variant") => format!("取值“{}”不在可选范围内", quoted("unknown variant")),
        Category::Data if text.starts_with("invalid type") => "某个字段的类型不对（如数字写成了文字）".to_owned(),
        Category::Data if text.contains("out of range") || text.contains("premature end") || text.contains("invalid") => {
            "某个日期或数值无效（如2月30日）".to_owned()
        }
        Category::Data => "内容不符合要求".to_owned(),
    };
    if e.line() > 0 {
        format!("第{}行第{}列{what}", e.line(), e.column())
    } else {
        what
    }
}

#[cfg(test)]
mod json_tests {
    use super::json_reason;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct F {
        day: chrono::NaiveDate,
        n: u32,
    }

    #[test]
    fn a_json_fault_is_told_in_chinese_with_where_it_is() {
        let r = |s: &str| json_reason(&serde_json::from_str::<F>(s).unwrap_err());
        assert_eq!(r(r#"{"day": "2026-01-01""#), "第1行第20列文件不完整（可能被截断）");
        assert_eq!(r(r#"{"day": "2026-01-01", "n": 1, "x": 2}"#), "第1行第33列有不认识的字段“x”");
        assert_eq!(r(r#"{"n": 1}"#), "第1行第8列缺少字段“day”");
        assert_eq!(r(r#"{"day": "2026-02-30", "n": 1}"#), "第1行第20列某个日期或数值无效（如2月30日）");
        assert_eq!(r(r#"{"day": "2026-01-01", "n": "一"}"#), "第1行第32列某个字段的类型不对（如数字写成了文字）");
        assert_eq!(r("nonsense"), "第1行第2列不是有效的JSON格式");
    }
}
