//! Supervision notices (督办): the county names a case, a deadline and what it expects; the
//! notice stands on the centre's Today board until the station head answers it. The notice is
//! HQ's (kept as sent); the answer is the centre's, an event that reaches HQ and every window.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{params, OptionalExtension};
use yichuang_events::{Event, SupervisionAnswered};

use crate::error::{Result, StoreError};
use crate::Store;

/// A notice as HQ sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisionNotice {
    pub id: String,
    pub case_number: String,
    pub text: String,
    pub deadline: NaiveDate,
    pub issued_by: String,
    pub issued_at: String,
}

/// A notice with its answer, when some window of the centre gave one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supervision {
    pub notice: SupervisionNotice,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
}

impl Store {
    /// Keeps a notice HQ sent (signed, in the relay). Whether it was new. A notice of another
    /// centre's case is refused: HQ never sends one, and none is taken.
    pub fn note_supervision(&mut self, n: &SupervisionNotice, now: DateTime<FixedOffset>) -> Result<bool> {
        self.refuse_if_damaged()?;
        let centre = self.centre()?.code.to_string();
        if !n.case_number.starts_with(&centre) || n.id.trim().is_empty() || n.text.trim().is_empty() {
            return Err(StoreError::Rule(format!("县级督办“{}”不属于本中心或内容不全，未接收", n.id)));
        }
        let added = self.connection().execute(
            "INSERT INTO supervision (id, case_number, text, deadline, issued_by, issued_at, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
            params![n.id, n.case_number, n.text, n.deadline.to_string(), n.issued_by, n.issued_at, now.to_rfc3339()],
        )?;
        Ok(added == 1)
    }

    /// The notices, newest deadline last; `open_only`: those no window has answered yet.
    pub fn supervisions(&self, open_only: bool) -> Result<Vec<Supervision>> {
        let mut stmt = self.connection().prepare(
            "WITH answers AS (
                 SELECT json_extract(payload, '$.id') AS id, json_extract(payload, '$.answer') AS answer, actor, at FROM event
                 WHERE kind = 'supervision.answered'
                 UNION ALL
                 SELECT json_extract(payload, '$.id'), json_extract(payload, '$.answer'), actor, at FROM peer_event
                 WHERE kind = 'supervision.answered'
             )
             , first AS (SELECT id, answer, actor, at, row_number() OVER (PARTITION BY id ORDER BY at) AS n FROM answers)
             SELECT s.id, s.case_number, s.text, s.deadline, s.issued_by, s.issued_at,
                    f.answer, coalesce((SELECT name FROM staff WHERE staff.id = f.actor), f.actor), f.at
             FROM supervision s LEFT JOIN first f ON f.id = s.id AND f.n = 1
             ORDER BY s.deadline, s.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Supervision {
                notice: SupervisionNotice {
                    id: r.get(0)?,
                    case_number: r.get(1)?,
                    text: r.get(2)?,
                    deadline: r.get::<_, String>(3)?.parse().unwrap_or_default(),
                    issued_by: r.get(4)?,
                    issued_at: r.get(5)?,
                },
                answer: r.get(6)?,
                answered_by: r.get(7)?,
                answered_at: r.get(8)?,
            })
        })?;
        let all: Vec<Supervision> = rows.collect::<rusqlite::Result<_>>()?;
        Ok(all.into_iter().filter(|s| !open_only || s.answer.is_none()).collect())
    }

    /// The station head answers a notice (what was done, by when): once for the centre.
    pub fn answer_supervision(&mut self, actor: &str, id: &str, answer: &str, now: DateTime<FixedOffset>) -> Result<()> {
        self.require_head(actor, "答复县级督办")?;
        let answer = answer.trim();
        let n = answer.chars().count();
        if !(4..=500).contains(&n) {
            return Err(StoreError::Rule("督办答复应写明办理情况，4至500字".into()));
        }
        let case: Option<String> =
            self.connection().query_row("SELECT case_number FROM supervision WHERE id = ?1", [id.trim()], |r| r.get(0)).optional()?;
        let Some(case) = case else {
            return Err(StoreError::Rule(format!("没有编号为“{}”的县级督办", id.trim())));
        };
        let id = id.trim().to_owned();
        self.write(actor, now, |w| {
            // Read inside the transaction: two heads answering at once record one answer here.
            let answered: i64 = w.tx.query_row(
                "SELECT count(*) FROM (SELECT payload FROM event WHERE kind = 'supervision.answered'
                                       UNION ALL SELECT payload FROM peer_event WHERE kind = 'supervision.answered')
                 WHERE json_extract(payload, '$.id') = ?1",
                [&id],
                |r| r.get(0),
            )?;
            if answered > 0 {
                return Err(StoreError::Rule("该督办已答复过".into()));
            }
            w.event(&id, Event::SupervisionAnswered(SupervisionAnswered { id: id.clone(), case, answer: answer.to_owned() }))?;
            Ok(())
        })
    }
}
