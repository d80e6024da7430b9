//! HQ's pages, rendered on the server in Chinese: the centres with their last sync and what
//! is still pending, cases across centres with filters, overdue cases, one case's timeline,
//! and the page that imports an export file.

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::staff::{Role, Staff};
use crate::{AppState, HqError};

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const STYLE: &str = r#"<style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#303133}
nav a{margin-right:16px}nav form{display:inline;margin-left:16px}table{border-collapse:collapse;margin-top:12px}td,th{border:1px solid #dcdfe6;padding:4px 10px;text-align:left}
th{background:#f5f7fa}.red{color:#c0392b;font-weight:600}.muted{color:#909399}label{display:inline-block;min-width:6em}</style>"#;

/// A page for a signed-in staff member: the menu shows what the role may open.
pub(crate) fn page(staff: &Staff, title: &str, body: &str) -> Html<String> {
    let mut nav = String::from(r#"<a href="/">中心</a>"#);
    if staff.role != Role::Admin {
        nav.push_str(r#"<a href="/summary">各中心对比</a><a href="/cases">办件</a><a href="/overdue">超期</a><a href="/supervision">督办</a>"#);
    }
    match staff.role {
        Role::Admin => nav.push_str(r#"<a href="/terminals">终端</a><a href="/enrol-codes">登记码</a><a href="/users">用户</a><a href="/import">导入文件</a>"#),
        Role::Auditor => nav.push_str(r#"<a href="/access-log">访问日志</a>"#),
        Role::Viewer => {}
    }
    Html(format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{t} · 一窗通县级</title>{STYLE}</head>
<body><nav><b>一窗通 · 县级</b>　{nav}<span class="muted">{who}（{role}）</span><form method="post" action="/signout"><input type="hidden" name="_csrf" value="{csrf}"><button>退出</button></form></nav>
<h2>{t}</h2>{body}</body></html>"#,
        t = esc(title),
        who = esc(&staff.name),
        role = staff.role.label(),
        csrf = esc(&staff.csrf),
    ))
}

/// A page before sign-in: no menu, nothing of anybody.
pub(crate) fn bare_page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{t} · 一窗通县级</title>{STYLE}</head>
<body><nav><b>一窗通 · 县级</b></nav><h2>{t}</h2>{body}</body></html>"#,
        t = esc(title)
    ))
}

/// A refusal on a page: the same Chinese reason, as a page a person reads.
pub struct PageError(pub HqError);

impl From<HqError> for PageError {
    fn from(e: HqError) -> Self {
        PageError(e)
    }
}

impl From<tokio_postgres::Error> for PageError {
    fn from(e: tokio_postgres::Error) -> Self {
        PageError(e.into())
    }
}

impl From<deadpool_postgres::PoolError> for PageError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let id = crate::request_id();
        if self.0.is_fault() {
            eprintln!("yichuang-hq [{id}] {}: {:?}", self.0.code(), self.0);
        }
        (self.0.status(), bare_page("未能完成", &format!("<p class=\"red\">{}</p><p><a href=\"/\">返回</a></p>", esc(&self.0.message(&id))))).into_response()
    }
}

pub type PageResult = Result<Html<String>, PageError>;

/// A form refused by a rule: its status and the reason to show above the form again. A fault
/// of the server is not a reason: it becomes the error page.
fn refused(e: HqError) -> Result<(axum::http::StatusCode, String), PageError> {
    if e.is_fault() {
        return Err(e.into());
    }
    Ok((e.status(), format!("<p class=\"red\" id=\"error\">{}</p>", esc(&e.to_string()))))
}

/// Refuses text a person could not have typed (a NUL, other control characters) before it
/// reaches the database.
fn clean(field: &str, v: &str) -> Result<String, HqError> {
    if v.chars().any(|c| c.is_control()) || v.chars().count() > 64 {
        return Err(HqError::BadRequest(format!("查询条件“{field}”含有不能使用的字符或过长")));
    }
    Ok(v.trim().to_owned())
}

pub(crate) fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table><tr>");
    for h in head {
        s.push_str(&format!("<th>{}</th>", esc(h)));
    }
    s.push_str("</tr>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            s.push_str(&format!("<td>{c}</td>"));
        }
        s.push_str("</tr>");
    }
    if rows.is_empty() {
        s.push_str(&format!("<tr><td colspan=\"{}\" class=\"muted\">无</td></tr>", head.len()));
    }
    s + "</table>"
}

fn status_label(s: &str) -> &'static str {
    yichuang_core::CaseStatus::ALL.into_iter().find(|x| x.as_str() == s).map(|x| x.label()).unwrap_or("其他")
}

pub async fn centres(State(s): State<AppState>, staff: Staff) -> PageResult {
    let client = s.pool.get().await?;
    // Every county account sees every centre's sync state (no person in it); a viewer only its own.
    let scope: Option<Vec<String>> = (staff.role == Role::Viewer).then(|| staff.centres.clone());
    let rows = client
        .query(
            "SELECT c.code, c.name, count(t.uid) FILTER (WHERE t.replaced_by IS NULL), max(t.last_sync_at)::text,
                    coalesce(sum(t.held_seq - t.base_seq), 0)::bigint,
                    coalesce(sum(greatest(coalesce(t.reported_head, t.held_seq) - t.held_seq, 0)) FILTER (WHERE t.replaced_by IS NULL), 0)::bigint,
                    (SELECT count(*) FROM reject r JOIN terminal t2 ON t2.uid = r.terminal_uid WHERE t2.centre_code = c.code)
             FROM centre c LEFT JOIN terminal t ON t.centre_code = c.code
             WHERE $1::text[] IS NULL OR c.code = ANY($1)
             GROUP BY c.code, c.name ORDER BY c.code",
            &[&scope],
        )
        .await?;
    let link = staff.role != Role::Admin;
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let code: String = r.get(0);
            vec![
                if link { format!("<a href=\"/cases?centre={0}\">{0}</a>", esc(&code)) } else { esc(&code) },
                esc(r.get::<_, &str>(1)),
                r.get::<_, i64>(2).to_string(),
                r.get::<_, Option<String>>(3).map(|t| esc(t.get(..19).unwrap_or(&t))).unwrap_or_else(|| "从未同步".into()),
                r.get::<_, i64>(4).to_string(),
                r.get::<_, i64>(5).to_string(),
                r.get::<_, i64>(6).to_string(),
            ]
        })
        .collect();
    Ok(page(&staff, "各中心同步情况", &table(&["中心代码", "名称", "终端", "最近同步", "已收记录", "待上传（终端自报）", "拒收"], &rows)))
}

#[derive(Deserialize, Default)]
pub struct CaseFilter {
    #[serde(default)]
    pub centre: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub q: String,
}

async fn case_rows(s: &AppState, staff: &Staff, f: &CaseFilter, overdue_only: bool) -> Result<Vec<Vec<String>>, HqError> {
    let scope = staff.scope()?;
    let (centre, status, q) = (clean("中心", &f.centre)?, clean("状态", &f.status)?, clean("查找", &f.q)?);
    let client = s.pool.get().await?;
    let like = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let rows = client
        .query(
            "SELECT number, centre_code, item_code, applicant, status, due_date::text, received_at,
                    coalesce(due_date < current_date AND status IN ('accepted', 'awaiting_supplement', 'forwarded'), false) AS overdue
             FROM case_record
             WHERE ($1 = '' OR centre_code = $1) AND ($2 = '' OR status = $2)
               AND ($3 = '%%' OR number LIKE $3 OR applicant LIKE $3 OR item_code LIKE $3)
               AND (NOT $4 OR coalesce(due_date < current_date AND status IN ('accepted', 'awaiting_supplement', 'forwarded'), false))
               AND ($5::text[] IS NULL OR centre_code = ANY($5))
             ORDER BY received_at DESC LIMIT 500",
            &[&centre, &status, &like, &overdue_only, &scope],
        )
        .await?;
    staff.log(&client, if overdue_only { "list_overdue" } else { "list_cases" }, &format!("centre={centre} status={status} q={q}")).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let number: String = r.get(0);
            let overdue: bool = r.get(7);
            let due = r.get::<_, Option<String>>(5).unwrap_or_else(|| "—".into());
            vec![
                format!("<a href=\"/case/{0}\">{0}</a>", esc(&number)),
                esc(r.get::<_, &str>(1)),
                esc(r.get::<_, &str>(2)),
                esc(r.get::<_, &str>(3)),
                status_label(r.get::<_, &str>(4)).to_owned(),
                if overdue { format!("<span class=\"red\">{} 超期</span>", esc(&due)) } else { esc(&due) },
                esc(r.get::<_, &str>(6).get(..16).unwrap_or_default()),
            ]
        })
        .collect())
}

const CASE_HEAD: [&str; 7] = ["办件编号", "中心", "事项", "申请人", "状态", "承诺办结", "收件时间"];

pub async fn cases(State(s): State<AppState>, staff: Staff, Query(f): Query<CaseFilter>) -> PageResult {
    let rows = case_rows(&s, &staff, &f, false).await?;
    let form = format!(
        r#"<form>中心 <input name="centre" value="{}" size="10"> 状态 <select name="status"><option value="">全部</option>{}</select>
 查找 <input name="q" value="{}" placeholder="编号、申请人或事项"> <button>查询</button></form>"#,
        esc(&f.centre),
        yichuang_core::CaseStatus::ALL.map(|x| x.as_str())
            .iter()
            .map(|k| format!("<option value=\"{k}\"{}>{}</option>", if f.status == *k { " selected" } else { "" }, status_label(k)))
            .collect::<String>(),
        esc(&f.q)
    );
    Ok(page(&staff, "各中心办件", &format!("{form}<p class=\"muted\">{}件（最多显示500件）</p>{}", rows.len(), table(&CASE_HEAD, &rows))))
}

pub async fn overdue(State(s): State<AppState>, staff: Staff) -> PageResult {
    let rows = case_rows(&s, &staff, &CaseFilter::default(), true).await?;
    Ok(page(&staff, "超期办件", &format!("<p>{}件</p>{}", rows.len(), table(&CASE_HEAD, &rows))))
}

pub async fn case(State(s): State<AppState>, staff: Staff, Path(number): Path<String>) -> PageResult {
    staff.scope()?;
    // A case number begins with its centre's code: one outside the account's centres is
    // answered exactly as a number that does not exist.
    let centre = number.get(..9).unwrap_or("");
    if number.len() != 24 || !number.bytes().all(|b| b.is_ascii_digit()) || !staff.reads(centre) {
        return Err(HqError::NotFound.into());
    }
    let client = s.pool.get().await?;
    let rows = client
        .query(
            "SELECT e.at, e.actor, e.kind, e.payload, e.terminal_uid, e.seq, e.rejected, r.reason
             FROM event e LEFT JOIN reject r ON r.terminal_uid = e.terminal_uid AND r.seq = e.seq
             WHERE e.case_number = $1
             ORDER BY e.at, e.seq",
            &[&number],
        )
        .await?;
    if rows.is_empty() {
        return Err(HqError::NotFound.into());
    }
    staff.log(&client, "view_case", &number).await?;
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut what = esc(r.get::<_, &str>(2));
            match yichuang_events::Event::parse(r.get(2), r.get(3)) {
                Ok(event) => {
                    let event = event.for_county();
                    let s = event.summary();
                    for (k, v) in [("status", s.status), ("reason", s.reason), ("to", s.to), ("by", s.by)] {
                        if let Some(v) = v {
                            what.push_str(&format!("　{k}: {}", esc(v)));
                        }
                    }
                    if let Some(d) = s.due {
                        what.push_str(&format!("　承诺办结 {d}"));
                    }
                }
                Err(e) => what.push_str(&format!("　<span class=\"red\">{}</span>", esc(&e.to_string()))),
            }
            let rejected: bool = r.get(6);
            vec![
                esc(r.get::<_, &str>(0).get(..16).unwrap_or_default()),
                esc(r.get::<_, &str>(1)),
                what,
                format!("{}#{}", esc(r.get::<_, &str>(4)), r.get::<_, i64>(5)),
                if rejected { format!("<span class=\"red\">拒收：{}</span>", esc(r.get::<_, Option<&str>>(7).unwrap_or(""))) } else { "已采用".into() },
            ]
        })
        .collect();
    let notices = crate::supervision::rows(&client, &staff, Some(&number)).await?;
    let notices = if notices.is_empty() { String::new() } else { format!("<h3>督办</h3>{}", table(&crate::supervision::HEAD, &notices)) };
    Ok(page(
        &staff,
        &format!("办件 {number}"),
        &format!("{}{notices}{}", table(&["时间", "经办", "事件", "终端#序号", "县级处理"], &rows), crate::supervision::form(&staff, &number)),
    ))
}

pub async fn import_form(staff: Staff) -> PageResult {
    staff.must_be(Role::Admin)?;
    Ok(page(
        &staff,
        "导入终端导出文件",
        &format!(
            r#"<p>没有网络的中心每日导出的文件（.json），在此导入；与网络同步走同一套核验，重复的记录只计一次。</p>
<input type="file" id="f" accept=".json,application/json"> <button id="go">导入</button><div id="out"></div>
<script>
document.getElementById('go').onclick = async () => {{
  const f = document.getElementById('f').files[0];
  if (!f) return;
  const r = await fetch('/import?html=true', {{ method: 'POST', body: await f.arrayBuffer(), headers: {{ 'content-type': 'application/json', 'x-csrf-token': '{}' }} }});
  document.getElementById('out').innerHTML = await r.text();
}};
</script>"#,
            esc(&staff.csrf)
        ),
    ))
}

pub fn import_result(result: Result<yichuang_sync::client::Ack, HqError>) -> (axum::http::StatusCode, Html<String>) {
    match result {
        Ok(a) => (
            axum::http::StatusCode::OK,
            Html(format!(
                "<p>已导入：新收{}条，重复{}条，拒收{}条；县级现已收到第{}条。</p>{}",
                a.applied,
                a.repeated,
                a.rejected.len(),
                a.held_seq,
                a.rejected.iter().map(|r| format!("<p class=\"red\">第{}条拒收：{}</p>", r.seq, esc(&r.reason))).collect::<String>()
            )),
        ),
        Err(e) => (e.status(), Html(format!("<p class=\"red\">未导入：{}</p>", esc(&e.message(&crate::request_id()))))),
    }
}

#[derive(Deserialize)]
pub struct SignInQuery {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

fn sign_in_form(next: &str, error: Option<&str>) -> Html<String> {
    bare_page(
        "登录",
        &format!(
            r#"{}<form method="post" action="/signin"><input type="hidden" name="next" value="{}">
<p><label>用户名</label><input name="login" autocomplete="username" autofocus></p>
<p><label>密码</label><input name="password" type="password" autocomplete="current-password"></p>
<p><button>登录</button></p></form><p class="muted">账户由县级管理员开设；连续输错将暂时锁定。</p>"#,
            error.map(|e| format!("<p class=\"red\" id=\"error\">{}</p>", esc(e))).unwrap_or_default(),
            esc(next)
        ),
    )
}

/// Where to go after signing in: only a path of this site.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && next.chars().all(|c| c.is_ascii_graphic()) {
        next
    } else {
        "/"
    }
}

pub async fn sign_in_page(Query(q): Query<SignInQuery>) -> Html<String> {
    sign_in_form(safe_next(&q.next), None)
}

pub async fn sign_in(
    State(s): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
    axum::Form(f): axum::Form<SignInForm>,
) -> Result<Response, PageError> {
    crate::staff::same_origin(&headers)?;
    let client = s.pool.get().await?;
    let next = safe_next(&f.next).to_owned();
    match crate::staff::sign_in(&client, &f.login, &f.password, &peer.ip().to_string()).await? {
        crate::staff::SignIn::Ok { token } => {
            let mut r = axum::response::Redirect::to(&next).into_response();
            *r.status_mut() = axum::http::StatusCode::SEE_OTHER;
            r.headers_mut().insert(axum::http::header::SET_COOKIE, crate::staff::session_cookie(&token, s.secure_cookies));
            Ok(r)
        }
        crate::staff::SignIn::Refused(e) => Ok((e.status(), sign_in_form(&next, Some(&e.to_string()))).into_response()),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn sign_out(State(s): State<AppState>, staff: Staff, axum::Form(f): axum::Form<CsrfForm>) -> Result<Response, PageError> {
    staff.check_csrf(&f.csrf)?;
    crate::staff::sign_out(&s.pool.get().await?, &staff).await?;
    let mut r = axum::response::Redirect::to("/signin").into_response();
    *r.status_mut() = axum::http::StatusCode::SEE_OTHER;
    r.headers_mut().insert(axum::http::header::SET_COOKIE, crate::staff::cleared_cookie());
    Ok(r)
}

#[derive(Deserialize, Default)]
pub struct LogFilter {
    #[serde(default)]
    login: String,
    #[serde(default)]
    target: String,
}

/// The access log, for the auditor: newest first, filtered by account or by what was viewed.
pub async fn access_log(State(s): State<AppState>, staff: Staff, Query(f): Query<LogFilter>) -> PageResult {
    staff.must_be(Role::Auditor)?;
    let (login, target) = (clean("用户名", &f.login)?, clean("对象", &f.target)?);
    let client = s.pool.get().await?;
    let rows = client
        .query(
            "SELECT to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), login, address, action, target FROM access_log
             WHERE ($1 = '' OR login = $1) AND ($2 = '' OR target LIKE '%' || $2 || '%')
             ORDER BY id DESC LIMIT 500",
            &[&login, &target],
        )
        .await?;
    staff.log(&client, "view_access_log", &format!("login={login} target={target}")).await?;
    let rows: Vec<Vec<String>> = rows.iter().map(|r| (0..5).map(|i| esc(r.get::<_, &str>(i))).collect()).collect();
    let form = format!(
        r#"<form>用户名 <input name="login" value="{}" size="12"> 对象 <input name="target" value="{}" placeholder="办件编号等"> <button>查询</button></form>"#,
        esc(&login),
        esc(&target)
    );
    Ok(page(&staff, "访问日志", &format!("{form}<p class=\"muted\">只增不改；最多显示最近500条。</p>{}", table(&["时间（北京时间）", "用户名", "来自", "操作", "对象"], &rows))))
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    centres: String,
    #[serde(default)]
    password: String,
}

async fn users_page(s: &AppState, staff: &Staff, notice: &str) -> PageResult {
    let client = s.pool.get().await?;
    let rows = client
        .query("SELECT login, name, role, array_to_string(centres, '、'), disabled FROM staff ORDER BY login", &[])
        .await?;
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                esc(r.get::<_, &str>(0)),
                esc(r.get::<_, &str>(1)),
                Role::parse(r.get::<_, &str>(2)).map(|r| r.label()).unwrap_or("").to_owned(),
                esc(r.get::<_, &str>(3)),
                if r.get::<_, bool>(4) { "已停用".into() } else { "在用".into() },
            ]
        })
        .collect();
    let options: String = Role::ALL.iter().map(|r| format!("<option value=\"{}\">{}</option>", r.as_str(), r.label())).collect();
    Ok(page(
        staff,
        "县级用户",
        &format!(
            r#"{notice}{}<h3>开设账户</h3><form method="post" action="/users"><input type="hidden" name="_csrf" value="{}">
<p><label>用户名</label><input name="login"> <label>姓名</label><input name="name"></p>
<p><label>角色</label><select name="role">{options}</select> <label>中心代码</label><input name="centres" placeholder="中心查看账户填写，多个用逗号分隔"></p>
<p><label>初始密码</label><input name="password" type="password" autocomplete="new-password"> <span class="muted">至少10位，含字母、数字、符号中的两种</span></p>
<p><button>开设</button></p></form>"#,
            table(&["用户名", "姓名", "角色", "中心", "状态"], &rows),
            esc(&staff.csrf)
        ),
    ))
}

pub async fn users(State(s): State<AppState>, staff: Staff) -> PageResult {
    staff.must_be(Role::Admin)?;
    users_page(&s, &staff, "").await
}

pub async fn add_user(State(s): State<AppState>, staff: Staff, axum::Form(f): axum::Form<UserForm>) -> Result<Response, PageError> {
    staff.must_be(Role::Admin)?;
    staff.check_csrf(&f.csrf)?;
    let role = Role::parse(&f.role).ok_or_else(|| HqError::BadRequest(format!("角色“{}”不存在", f.role)))?;
    let centres: Vec<String> = f.centres.split([',', '，', '、', ' ']).map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect();
    let client = s.pool.get().await?;
    match crate::staff::add_user(&client, &f.login, &f.name, role, &centres, &f.password).await {
        Ok(()) => {
            staff.log(&client, "add_user", f.login.trim()).await?;
            Ok(users_page(&s, &staff, &format!("<p id=\"notice\">已开设账户{}</p>", esc(f.login.trim()))).await?.into_response())
        }
        Err(e) => {
            let (status, notice) = refused(e)?;
            Ok((status, users_page(&s, &staff, &notice).await?).into_response())
        }
    }
}

async fn terminals_page(s: &AppState, staff: &Staff, notice: &str) -> PageResult {
    let client = s.pool.get().await?;
    let rows = client
        .query(
            "SELECT uid, centre_code, label, public_key, to_char(enrolled_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),
                    coalesce(to_char(last_sync_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'), '从未同步'),
                    confirmed_by, revoke_reason, replaced_by
             FROM terminal ORDER BY centre_code, label, enrolled_at",
            &[],
        )
        .await?;
    let csrf = esc(&staff.csrf);
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let uid: String = r.get(0);
            let key: Option<String> = r.get(3);
            let (confirmed, revoked, replaced): (Option<String>, Option<String>, Option<String>) = (r.get(6), r.get(7), r.get(8));
            let state = match (&revoked, &confirmed, &replaced) {
                (Some(why), _, _) => format!("<span class=\"red\">已吊销：{}</span>", esc(why)),
                (None, _, Some(next)) => format!("已由{}接续", esc(next)),
                (None, Some(by), None) => format!("已确认（{}）", esc(by)),
                (None, None, None) => "<span class=\"red\">待确认</span>".into(),
            };
            let mut act = String::new();
            if revoked.is_none() && confirmed.is_none() {
                act.push_str(&format!(
                    r#"<form method="post" action="/terminals/confirm"><input type="hidden" name="_csrf" value="{csrf}"><input type="hidden" name="uid" value="{}"><button>核对指纹后确认</button></form>"#,
                    esc(&uid)
                ));
            }
            if revoked.is_none() {
                act.push_str(&format!(
                    r#"<form method="post" action="/terminals/revoke"><input type="hidden" name="_csrf" value="{csrf}"><input type="hidden" name="uid" value="{}"><input name="reason" placeholder="吊销原因（如电脑失窃）" size="14"> <button>吊销</button></form>"#,
                    esc(&uid)
                ));
            }
            vec![
                esc(r.get::<_, &str>(1)),
                esc(r.get::<_, &str>(2)),
                esc(&uid),
                key.as_deref().map(yichuang_sync::key_fingerprint).map(|f| esc(&f)).unwrap_or_else(|| "—".into()),
                esc(r.get::<_, &str>(4)),
                esc(r.get::<_, &str>(5)),
                state,
                act,
            ]
        })
        .collect();
    Ok(page(
        staff,
        "终端",
        &format!(
            "{notice}<p class=\"muted\">新登记的终端须先与中心电话核对其设置页显示的公钥指纹，确认后县级才接收它的记录；电脑失窃或报废即吊销，其记录和下载一律拒绝，本中心其他终端下次同步即获知。</p>{}",
            table(&["中心", "终端号", "流水号", "公钥指纹", "登记时间", "最近同步", "状态", "操作"], &rows)
        ),
    ))
}

pub async fn terminals(State(s): State<AppState>, staff: Staff) -> PageResult {
    staff.must_be(Role::Admin)?;
    terminals_page(&s, &staff, "").await
}

#[derive(Deserialize)]
pub struct TerminalForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    uid: String,
    #[serde(default)]
    reason: String,
}

/// Confirms (`revoke` false) or revokes a terminal, from the terminals page.
async fn terminal_act(s: &AppState, staff: &Staff, f: &TerminalForm, revoke: bool) -> Result<Response, PageError> {
    staff.must_be(Role::Admin)?;
    staff.check_csrf(&f.csrf)?;
    let client = s.pool.get().await?;
    let by = format!("{}（{}）", staff.name, staff.login);
    let done = if revoke {
        crate::enrol::revoke(&client, f.uid.trim(), &by, &f.reason).await
    } else {
        crate::enrol::confirm(&client, f.uid.trim(), &by).await
    };
    match done {
        Ok(()) => {
            staff.log(&client, if revoke { "revoke_terminal" } else { "confirm_terminal" }, f.uid.trim()).await?;
            let what = if revoke { "已吊销" } else { "已确认" };
            Ok(terminals_page(s, staff, &format!("<p id=\"notice\">{what}终端{}</p>", esc(f.uid.trim()))).await?.into_response())
        }
        Err(e) => {
            let (status, notice) = refused(e)?;
            Ok((status, terminals_page(s, staff, &notice).await?).into_response())
        }
    }
}

pub async fn confirm_terminal(State(s): State<AppState>, staff: Staff, axum::Form(f): axum::Form<TerminalForm>) -> Result<Response, PageError> {
    terminal_act(&s, &staff, &f, false).await
}

pub async fn revoke_terminal(State(s): State<AppState>, staff: Staff, axum::Form(f): axum::Form<TerminalForm>) -> Result<Response, PageError> {
    terminal_act(&s, &staff, &f, true).await
}

async fn codes_page(s: &AppState, staff: &Staff, notice: &str) -> PageResult {
    let client = s.pool.get().await?;
    let rows = client
        .query(
            "SELECT e.centre_code, c.name, to_char(e.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),
                    to_char(e.expires_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'), e.used_by, e.failures,
                    e.burnt_at IS NOT NULL, e.expires_at < now()
             FROM enrol_code e JOIN centre c ON c.code = e.centre_code ORDER BY e.created_at DESC LIMIT 200",
            &[],
        )
        .await?;
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let state = match (r.get::<_, Option<String>>(4), r.get::<_, bool>(6), r.get::<_, bool>(7)) {
                (Some(uid), _, _) => format!("已用于{}", esc(&uid)),
                (None, true, _) => "<span class=\"red\">输错过多，已作废</span>".into(),
                (None, false, true) => "已过期".into(),
                (None, false, false) => "有效".into(),
            };
            vec![
                esc(r.get::<_, &str>(0)),
                esc(r.get::<_, &str>(1)),
                esc(r.get::<_, &str>(2)),
                esc(r.get::<_, &str>(3)),
                r.get::<_, i32>(5).to_string(),
                state,
            ]
        })
        .collect();
    Ok(page(
        staff,
        "登记码",
        &format!(
            r#"{notice}<form method="post" action="/enrol-codes"><input type="hidden" name="_csrf" value="{}">
<p><label>中心代码</label><input name="centre" size="10"> <label>中心名称</label><input name="name"> <label>有效小时</label><input name="hours" value="24" size="4"> <button>生成登记码</button></p></form>
<p class="muted">登记码只在生成时显示一次，县级只保存其校验值；为某中心输错5次，该中心未用的登记码全部作废。</p>{}"#,
            esc(&staff.csrf),
            table(&["中心", "名称", "生成时间", "有效至", "输错次数", "状态"], &rows)
        ),
    ))
}

pub async fn codes(State(s): State<AppState>, staff: Staff) -> PageResult {
    staff.must_be(Role::Admin)?;
    codes_page(&s, &staff, "").await
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    centre: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    hours: String,
}

pub async fn make_code(State(s): State<AppState>, staff: Staff, axum::Form(f): axum::Form<CodeForm>) -> Result<Response, PageError> {
    staff.must_be(Role::Admin)?;
    staff.check_csrf(&f.csrf)?;
    let client = s.pool.get().await?;
    let hours: i32 = f.hours.trim().parse().unwrap_or(0);
    match crate::enrol::make_code(&client, f.centre.trim(), f.name.trim(), hours).await {
        Ok(code) => {
            staff.log(&client, "make_enrol_code", f.centre.trim()).await?;
            let notice = format!(
                "<p id=\"notice\">中心{}的登记码（{}小时内有效，只显示这一次）：<b id=\"code\" style=\"font-size:1.4em;letter-spacing:2px\">{}</b></p>",
                esc(f.centre.trim()),
                hours,
                esc(&code)
            );
            Ok(codes_page(&s, &staff, &notice).await?.into_response())
        }
        Err(e) => {
            let (status, notice) = refused(e)?;
            Ok((status, codes_page(&s, &staff, &notice).await?).into_response())
        }
    }
}
