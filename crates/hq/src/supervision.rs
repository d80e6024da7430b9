//! Supervision notices (督办): a county auditor names a case, a deadline and what is expected;
//! the notice goes down in the relay to every window of the case's centre and stands on its
//! Today board until the station head answers; the answer comes back as an event.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use deadpool_postgres::GenericClient;
use serde::Deserialize;

use crate::pages::{esc, page, table, PageError, PageResult};
use crate::staff::{Role, Staff};
use crate::{AppState, HqError};

/// Issues a notice about `case` (which HQ must hold) due by `deadline`. Its id.
pub async fn issue(client: &impl GenericClient, case: &str, deadline: chrono::NaiveDate, text: &str, by: &str, today: chrono::NaiveDate) -> Result<String, HqError> {
    let text = text.trim();
    if !(4..=500).contains(&text.chars().count()) {
        return Err(HqError::BadRequest("督办事项应写明要求，4至500字".into()));
    }
    if deadline < today {
        return Err(HqError::BadRequest(format!("督办期限{deadline}早于今天")));
    }
    let Some(row) = client.query_opt("SELECT centre_code FROM case_record WHERE number = $1", &[&case]).await? else {
        return Err(HqError::NotFound);
    };
    let centre: String = row.get(0);
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("the system's random source");
    let id = format!("DB{}-{}", today.format("%Y%m%d"), b.iter().map(|x| format!("{x:02x}")).collect::<String>());
    client
        .execute(
            "INSERT INTO supervision (id, case_number, centre_code, text, deadline, issued_by) VALUES ($1, $2, $3, $4, $5::text::date, $6)",
            &[&id, &case, &centre, &text, &deadline.to_string(), &by],
        )
        .await?;
    Ok(id)
}

fn beijing_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// The notices of one case (or of every case the account reads), as table rows.
pub async fn rows(client: &impl GenericClient, staff: &Staff, case: Option<&str>) -> Result<Vec<Vec<String>>, HqError> {
    let scope = staff.scope()?;
    let rows = client
        .query(
            "SELECT id, case_number, centre_code, text, deadline::text, issued_by, to_char(issued_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),
                    answer, answered_by, answered_at, deadline < (now() AT TIME ZONE 'Asia/Shanghai')::date
             FROM supervision WHERE ($1::text IS NULL OR case_number = $1) AND ($2::text[] IS NULL OR centre_code = ANY($2))
             ORDER BY issued_at DESC LIMIT 500",
            &[&case, &scope],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let answer: Option<String> = r.get(7);
            let late: bool = r.get(10);
            let state = match (&answer, late) {
                (Some(a), _) => format!(
                    "已答复（{}，{}）：{}",
                    esc(r.get::<_, Option<&str>>(8).unwrap_or("")),
                    esc(r.get::<_, Option<&str>>(9).unwrap_or("").get(..16).unwrap_or("")),
                    esc(a)
                ),
                (None, true) => "<span class=\"red\">逾期未答复</span>".into(),
                (None, false) => "待答复".into(),
            };
            let number: String = r.get(1);
            vec![
                esc(r.get::<_, &str>(0)),
                format!("<a href=\"/case/{0}\">{0}</a>", esc(&number)),
                esc(r.get::<_, &str>(3)),
                esc(r.get::<_, &str>(4)),
                format!("{} {}", esc(r.get::<_, &str>(5)), esc(r.get::<_, &str>(6))),
                state,
            ]
        })
        .collect())
}

pub const HEAD: [&str; 6] = ["编号", "办件", "督办事项", "期限", "发出", "办理情况"];

/// The form an auditor uses on a case's page.
pub fn form(staff: &Staff, case: &str) -> String {
    if staff.role != Role::Auditor {
        return String::new();
    }
    let due = beijing_today() + chrono::Days::new(5);
    format!(
        r#"<h3>发出督办</h3><form method="post" action="/supervise"><input type="hidden" name="_csrf" value="{}"><input type="hidden" name="case" value="{}">
<p><label>督办事项</label><input name="text" size="60" placeholder="如：请于期限前办结并说明超期原因"></p>
<p><label>答复期限</label><input name="deadline" value="{due}" size="10"> <button>发出督办</button></p></form>"#,
        esc(&staff.csrf),
        esc(case)
    )
}

#[derive(Deserialize)]
pub struct SuperviseForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    case: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    deadline: String,
}

pub async fn supervise(State(s): State<AppState>, staff: Staff, axum::Form(f): axum::Form<SuperviseForm>) -> Result<Response, PageError> {
    staff.must_be(Role::Auditor)?;
    staff.check_csrf(&f.csrf)?;
    let case = f.case.trim();
    if !staff.reads(case.get(..9).unwrap_or("")) {
        return Err(HqError::NotFound.into());
    }
    let deadline: chrono::NaiveDate =
        f.deadline.trim().parse().map_err(|_| HqError::BadRequest(format!("期限“{}”应写作YYYY-MM-DD", esc(f.deadline.trim()))))?;
    let client = s.pool.get().await?;
    let by = format!("{}（{}）", staff.name, staff.login);
    let id = issue(&client, case, deadline, &f.text, &by, beijing_today()).await?;
    staff.log(&client, "supervise", &format!("{case} {id}")).await?;
    let rows = rows(&client, &staff, Some(case)).await?;
    Ok(page(&staff, "督办已发出", &format!("<p id=\"notice\">已发出督办{}：该中心各窗口下次同步即在“今日”看到，答复随同步回到县级。</p>{}", esc(&id), table(&HEAD, &rows)))
        .into_response())
}

pub async fn list(State(s): State<AppState>, staff: Staff) -> PageResult {
    let client = s.pool.get().await?;
    let rows = rows(&client, &staff, None).await?;
    staff.log(&client, "list_supervision", "").await?;
    Ok(page(&staff, "督办", &table(&HEAD, &rows)))
}
