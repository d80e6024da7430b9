//! HQ's pages, rendered on the server in Chinese: the centres with their last sync and what
//! is still pending, cases across centres with filters, overdue cases, one case's timeline,
//! and the page that imports an export file.

use axum::extract::{Path, Query, State};
use axum::response::Html;
use serde::Deserialize;

use crate::{AppState, HqError};

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub(crate) fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{t} · 一窗通县级</title>
<style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#303133}}
nav a{{margin-right:16px}}table{{border-collapse:collapse;margin-top:12px}}td,th{{border:1px solid #dcdfe6;padding:4px 10px;text-align:left}}
th{{background:#f5f7fa}}.red{{color:#c0392b;font-weight:600}}.muted{{color:#909399}}</style></head>
<body><nav><b>一窗通 · 县级</b>　<a href="/">中心</a><a href="/cases">办件</a><a href="/overdue">超期</a><a href="/import">导入文件</a></nav>
<h2>{t}</h2>{body}</body></html>"#,
        t = esc(title)
    ))
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

pub async fn centres(State(s): State<AppState>) -> Result<Html<String>, HqError> {
    let client = s.pool.get().await?;
    let rows = client
        .query(
            "SELECT c.code, c.name, count(t.uid) FILTER (WHERE t.replaced_by IS NULL), max(t.last_sync_at)::text,
                    coalesce(sum(t.held_seq - t.base_seq), 0)::bigint,
                    coalesce(sum(greatest(coalesce(t.reported_head, t.held_seq) - t.held_seq, 0)) FILTER (WHERE t.replaced_by IS NULL), 0)::bigint,
                    (SELECT count(*) FROM reject r JOIN terminal t2 ON t2.uid = r.terminal_uid WHERE t2.centre_code = c.code)
             FROM centre c LEFT JOIN terminal t ON t.centre_code = c.code GROUP BY c.code, c.name ORDER BY c.code",
            &[],
        )
        .await?;
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let code: String = r.get(0);
            vec![
                format!("<a href=\"/cases?centre={0}\">{0}</a>", esc(&code)),
                esc(r.get::<_, &str>(1)),
                r.get::<_, i64>(2).to_string(),
                r.get::<_, Option<String>>(3).map(|t| esc(t.get(..19).unwrap_or(&t))).unwrap_or_else(|| "从未同步".into()),
                r.get::<_, i64>(4).to_string(),
                r.get::<_, i64>(5).to_string(),
                r.get::<_, i64>(6).to_string(),
            ]
        })
        .collect();
    Ok(page("各中心同步情况", &table(&["中心代码", "名称", "终端", "最近同步", "已收记录", "待上传（终端自报）", "拒收"], &rows)))
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

async fn case_rows(s: &AppState, f: &CaseFilter, overdue_only: bool) -> Result<Vec<Vec<String>>, HqError> {
    let client = s.pool.get().await?;
    let like = format!("%{}%", f.q.trim());
    let rows = client
        .query(
            "SELECT number, centre_code, item_code, applicant, status, due_date::text, received_at,
                    (due_date < current_date AND status IN ('accepted', 'awaiting_supplement', 'forwarded')) AS overdue
             FROM case_record
             WHERE ($1 = '' OR centre_code = $1) AND ($2 = '' OR status = $2)
               AND ($3 = '%%' OR number LIKE $3 OR applicant LIKE $3 OR item_code LIKE $3)
               AND (NOT $4 OR (due_date < current_date AND status IN ('accepted', 'awaiting_supplement', 'forwarded')))
             ORDER BY received_at DESC LIMIT 500",
            &[&f.centre.trim(), &f.status.trim(), &like, &overdue_only],
        )
        .await?;
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

pub async fn cases(State(s): State<AppState>, Query(f): Query<CaseFilter>) -> Result<Html<String>, HqError> {
    let rows = case_rows(&s, &f, false).await?;
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
    Ok(page("各中心办件", &format!("{form}<p class=\"muted\">{}件（最多显示500件）</p>{}", rows.len(), table(&CASE_HEAD, &rows))))
}

pub async fn overdue(State(s): State<AppState>) -> Result<Html<String>, HqError> {
    let rows = case_rows(&s, &CaseFilter::default(), true).await?;
    Ok(page("超期办件", &format!("<p>{}件</p>{}", rows.len(), table(&CASE_HEAD, &rows))))
}

pub async fn case(State(s): State<AppState>, Path(number): Path<String>) -> Result<Html<String>, HqError> {
    let client = s.pool.get().await?;
    let rows = client
        .query(
            "SELECT e.at, e.actor, e.kind, e.payload, e.terminal_uid, e.seq, e.rejected, r.reason
             FROM event e LEFT JOIN reject r ON r.terminal_uid = e.terminal_uid AND r.seq = e.seq
             WHERE e.subject = $1 OR (e.kind LIKE 'document.%' AND e.payload::jsonb ->> 'case' = $1)
             ORDER BY e.at, e.seq",
            &[&number],
        )
        .await?;
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
    Ok(page(&format!("办件 {number}"), &table(&["时间", "经办", "事件", "终端#序号", "县级处理"], &rows)))
}

pub async fn import_form() -> Html<String> {
    page(
        "导入终端导出文件",
        r#"<p>没有网络的中心每日导出的文件（.json），在此导入；与网络同步走同一套核验，重复的记录只计一次。</p>
<input type="file" id="f" accept=".json,application/json"> <button id="go">导入</button><div id="out"></div>
<script>
document.getElementById('go').onclick = async () => {
  const f = document.getElementById('f').files[0];
  if (!f) return;
  const r = await fetch('/import?html=true', { method: 'POST', body: await f.arrayBuffer(), headers: { 'content-type': 'application/json' } });
  document.getElementById('out').innerHTML = await r.text();
};
</script>"#,
    )
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
        Err(e) => (e.status(), Html(format!("<p class=\"red\">未导入：{}</p>", esc(&e.to_string())))),
    }
}
