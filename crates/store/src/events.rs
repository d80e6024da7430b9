//! The event log: every change is one row, numbered gapless per terminal, each row's hash
//! covering the previous row's hash, so that any edited, deleted or reordered row is caught
//! by [`verify`]. The log is also the sync outbox: HQ receives it in runs of `seq`.

use chrono::{DateTime, FixedOffset};
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Result, StoreError};

pub use yichuang_events::{chain_hash, EventRecord, GENESIS_HASH};

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Appends one event inside the caller's transaction and moves the chain head.
/// How far back the clock may seem to step between two acts without being called wrong: a
/// time server's nudge, two windows' clocks a little apart. A date never goes back.
pub const CLOCK_SLACK_SECONDS: i64 = 300;

/// Whether `now` is earlier than `last` by more than the slack, or on an earlier Beijing day.
pub fn clock_went_back(last: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> bool {
    use yichuang_core::clock::beijing_day;
    (last - now).num_seconds() > CLOCK_SLACK_SECONDS || beijing_day(now) < beijing_day(last)
}

pub(crate) fn append(
    w: &crate::Writer<'_>,
    kind: &str,
    subject: &str,
    payload: &serde_json::Value,
) -> Result<i64> {
    let (conn, key, terminal, now, actor) = (w.tx, w.key, w.terminal.as_str(), w.now, w.actor.as_str());
    let (last_seq, prev, latest): (i64, String, Option<String>) = conn
        .query_row("SELECT seq, hash, latest_at FROM chain_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .unwrap_or((0, GENESIS_HASH.to_owned(), None));
    // Nothing is added onto a head this PC's key did not seal: a chain re-linked with sqlite3
    // would otherwise be sealed by the next act and pass every later check.
    let seal: Option<(String, i64, String)> = conn
        .query_row("SELECT key_id, seq, mac FROM chain_seal WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    match seal {
        Some((id, s, mac)) if id == key.id() && s == last_seq && mac == key.seal(last_seq, &prev) => {}
        _ => return Err(StoreError::Unsealed { seq: last_seq }),
    }
    let latest = latest.as_deref().and_then(|l| DateTime::parse_from_rfc3339(l).ok());
    let seq = last_seq + 1;
    // A PC clock set back would date this act before the one recorded last: receipts out of
    // order, a collection "before" its intake. Refused, unless the head confirms the correction.
    // A wrong PIN is recorded whatever the clock says: setting it back must not stop the count.
    // Neither does rehashing a PIN at sign-in (or a change of PIN), which issues no number.
    if !matches!(kind, "clock.confirmed" | "staff.sign_in_failed" | "staff.pin_set") {
        if let Some(last) = latest {
            if clock_went_back(last, now) {
                return Err(StoreError::ClockBehind {
                    last: yichuang_core::clock::in_beijing(last).format("%Y-%m-%d %H:%M").to_string(),
                    now: yichuang_core::clock::in_beijing(now).format("%Y-%m-%d %H:%M").to_string(),
                });
            }
        }
    }
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        u64::try_from(now.timestamp()).unwrap_or(0),
        now.timestamp_subsec_nanos(),
    );
    let id = uuid::Uuid::new_v7(ts).to_string();
    let at = now.to_rfc3339();
    let payload = payload.to_string();
    let hash = chain_hash(&prev, seq, &id, terminal, &at, actor, kind, subject, &payload);
    conn.execute(
        "INSERT INTO event (seq, id, terminal, at, actor, kind, subject, payload, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![seq, id, terminal, at, actor, kind, subject, payload, prev, hash],
    )?;
    // The latest time recorded only moves on, but for the head's confirmation of a correction.
    let latest_at = match latest {
        Some(l) if l > now && kind != "clock.confirmed" => l.to_rfc3339(),
        _ => at.clone(),
    };
    conn.execute(
        "INSERT INTO chain_head (id, seq, hash, latest_at) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, latest_at = excluded.latest_at",
        params![seq, hash, latest_at],
    )?;
    // A new chain is known to this PC's key folder from its first event on.
    if seq == 1 {
        w.ring.record_sealed(&hash, 0, GENESIS_HASH)?;
    }
    // The seal moves with the head, under this PC's key (which the file does not hold).
    conn.execute(
        "INSERT INTO chain_seal (id, key_id, seq, mac) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id, seq = excluded.seq, mac = excluded.mac",
        params![key.id(), seq, key.seal(seq, &hash)],
    )?;
    Ok(seq)
}

pub(crate) fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventRecord> {
    read_row_at(r, 0)
}

/// An event whose [`EVENT_COLUMNS`] start at column `at` of the row (after columns of its own).
pub(crate) fn read_row_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<EventRecord> {
    Ok(EventRecord {
        seq: r.get(at)?,
        id: r.get(at + 1)?,
        terminal: r.get(at + 2)?,
        at: r.get(at + 3)?,
        actor: r.get(at + 4)?,
        kind: r.get(at + 5)?,
        subject: r.get(at + 6)?,
        payload: r.get(at + 7)?,
        prev_hash: r.get(at + 8)?,
        hash: r.get(at + 9)?,
    })
}

pub(crate) const EVENT_COLUMNS: &str = "seq, id, terminal, at, actor, kind, subject, payload, prev_hash, hash";

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainFault {
    /// The sequence jumps: an event was deleted or renumbered.
    Gap { expected: i64, found: i64 },
    /// The row does not link to the one before it: deleted, inserted or reordered.
    BrokenLink { seq: i64 },
    /// The row's content does not match its hash: edited.
    Edited { seq: i64 },
    /// The last events were removed: the chain stops before its recorded head.
    Truncated { head: i64, last: i64 },
    /// A record has no event that created it.
    Unrecorded { table: &'static str, key: String },
    /// A case's status differs from the status its last event recorded.
    StatusMismatch { case: String, recorded: String, stored: String },
    /// A row that is no event of this program: an unknown kind or a payload of the wrong shape.
    Unreadable { seq: i64, detail: String },
    /// Another terminal's stream as kept here is not whole: edited, missing or out of order.
    PeerBroken { stream: String, seq: i64 },
    /// SQLite's own check of the file failed: a page overwritten, the file cut short.
    Damaged(String),
    /// The chain head's seal is missing or is not this key's seal of it: the chain was rebuilt
    /// outside the program (an event inserted or edited and the hashes computed again).
    Unsealed { seq: i64 },
    /// A staff member's stored PIN is not masked with this PC's key: written with another tool.
    UnmaskedPin { staff: String },
    /// A column the events determine (a staff member's role, a case's due date, an
    /// applicant's name, the centre's settings) holds something no event recorded.
    Projection { what: &'static str, key: String, recorded: String, stored: String },
}

impl std::fmt::Display for ChainFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Gap { expected, found } => write!(f, "事件序号不连续：应为{expected}，实际为{found}（事件被删除或改号）"),
            Self::BrokenLink { seq } => write!(f, "事件{seq}与前一事件的链接断开（事件被删除、插入或调换顺序）"),
            Self::Edited { seq } => write!(f, "事件{seq}的内容与其哈希不符（事件被修改）"),
            Self::Truncated { head, last } => write!(f, "事件链应到{head}，实际只到{last}（末尾事件被删除）"),
            Self::Unrecorded { table, key } => write!(f, "{table}中的记录“{key}”没有对应的事件（记录被绕过程序写入）"),
            Self::Unreadable { seq, detail } => write!(f, "事件{seq}无法解读：{detail}"),
            Self::PeerBroken { stream, seq } => write!(f, "其他终端{stream}的第{seq}条记录与其记录链不符（被修改、删除或调换）"),
            Self::Unsealed { seq } => write!(f, "事件链头（第{seq}条）没有本机密钥的校验印记（事件被插入或修改后重新链接）"),
            Self::UnmaskedPin { staff } => write!(f, "工作人员“{staff}”的密码记录不是本程序写入的（可能被植入已知密码）：请负责人重置其密码"),
            Self::Damaged(detail) => write!(f, "数据库文件已损坏（{}）：请勿继续使用，请从备份恢复", crate::damage_summary(detail)),
            Self::StatusMismatch { case, recorded, stored } => {
                write!(f, "办件{case}的状态为“{stored}”，但事件记录的状态为“{recorded}”（办件被修改）")
            }
            Self::Projection { what, key, recorded, stored } => {
                write!(f, "{what}“{key}”在数据库中为“{stored}”，但事件记录的是“{recorded}”（数据被绕过程序改动）")
            }
        }
    }
}

/// The columns the own log determines, against what it recorded: a case's due date (cases no
/// other terminal acted on), a staff member's role, an applicant's name, the centre's settings
/// (each where no other terminal's events could have set it).
fn projections(
    conn: &Connection,
    has_peers: bool,
    shared: &std::collections::HashSet<String>,
    dues: &std::collections::HashMap<String, Option<chrono::NaiveDate>>,
    roles: &std::collections::HashMap<String, (String, bool)>,
    names: &std::collections::HashMap<String, String>,
    settings: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Result<Option<ChainFault>> {
    let peer_kinds = |kind: &str| -> Result<bool> {
        Ok(has_peers && conn.query_row("SELECT EXISTS (SELECT 1 FROM peer_event WHERE kind = ?1)", [kind], |r| r.get(0))?)
    };
    let show = |d: &Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "无".into());
    let mut stmt = conn.prepare("SELECT number, due_date FROM case_file")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (case, stored): (String, Option<chrono::NaiveDate>) = (r.get(0)?, r.get(1)?);
        if let (false, Some(recorded)) = (shared.contains(&case), dues.get(&case)) {
            if *recorded != stored {
                return Ok(Some(ChainFault::Projection { what: "办件的承诺办结日期", key: case, recorded: show(recorded), stored: show(&stored) }));
            }
        }
    }
    // Staff another window added or changed: their rows fold both logs (checked there).
    let peer_staff: std::collections::HashSet<String> = if has_peers {
        let mut stmt = conn.prepare("SELECT DISTINCT subject FROM peer_event WHERE kind IN ('staff.added', 'staff.changed')")?;
        let ids = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        ids
    } else {
        Default::default()
    };
    let mut stmt = conn.prepare("SELECT id, role, active FROM staff")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (id, stored, active): (String, String, bool) = (r.get(0)?, r.get(1)?, r.get(2)?);
        if peer_staff.contains(&id) {
            continue;
        }
        match roles.get(&id) {
            Some((recorded, _)) if *recorded != stored => {
                return Ok(Some(ChainFault::Projection { what: "工作人员的角色", key: id, recorded: recorded.clone(), stored }));
            }
            Some((_, was)) if *was != active => {
                let say = |a: bool| if a { "在岗" } else { "已停用" }.to_owned();
                return Ok(Some(ChainFault::Projection { what: "工作人员的在岗状态", key: id, recorded: say(*was), stored: say(active) }));
            }
            // A head no event made: the one promotion that matters most.
            None if stored == "head" => {
                return Ok(Some(ChainFault::Projection { what: "工作人员的角色", key: id, recorded: "（无记录）".into(), stored }));
            }
            _ => {}
        }
    }
    if !peer_kinds("case.intake")? {
        let mut stmt = conn.prepare("SELECT coalesce(id_number, uscc), name FROM applicant")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (key, stored): (String, String) = (r.get(0)?, r.get(1)?);
            if let Some(recorded) = names.get(&key).filter(|n| **n != stored) {
                let masked = yichuang_core::IdNumber::parse(&key).map(|i| i.masked()).unwrap_or(key);
                return Ok(Some(ChainFault::Projection { what: "申请人的姓名", key: masked, recorded: recorded.clone(), stored }));
            }
        }
    }
    if let (Some(recorded), false) = (settings, peer_kinds("centre.settings")?) {
        let stored: Option<String> = conn.query_row("SELECT settings FROM centre WHERE id = 1", [], |r| r.get(0)).optional()?;
        let stored: serde_json::Value = stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
        let recorded = serde_json::Value::Object(recorded.clone());
        if stored != recorded {
            let differs = recorded
                .as_object()
                .into_iter()
                .flatten()
                .find(|(k, v)| stored.get(k.as_str()) != Some(v))
                .map(|(k, v)| (k.clone(), v.to_string(), stored.get(k.as_str()).map(|s| s.to_string()).unwrap_or_default()))
                .unwrap_or_default();
            return Ok(Some(ChainFault::Projection { what: "中心设置", key: differs.0, recorded: differs.1, stored: differs.2 }));
        }
    }
    Ok(None)
}

/// Walks the whole chain and the records that must have events. Returns the number of events
/// checked, or the first fault.
pub(crate) fn verify(conn: &Connection, own_stream: &str) -> Result<std::result::Result<i64, ChainFault>> {
    // The file itself first: a damaged page can hide rows from every query below.
    let check: std::result::Result<Vec<String>, rusqlite::Error> = conn
        .prepare("PRAGMA integrity_check(5)")
        .and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect());
    match check {
        Ok(lines) if lines == ["ok"] => {}
        Ok(lines) => return Ok(Err(ChainFault::Damaged(lines.join("；")))),
        Err(e) if matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)) => {
            return Ok(Err(ChainFault::Damaged(e.to_string())))
        }
        // Busy, or the disk not answering now: not a verdict on the file.
        Err(e) => return Err(e.into()),
    }
    let mut stmt = conn.prepare(&format!("SELECT {EVENT_COLUMNS} FROM event ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut expected = 1;
    let mut prev = GENESIS_HASH.to_owned();
    let mut recorded: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    // What the own log determines of the projections, folded as the rows go by.
    let mut dues: std::collections::HashMap<String, Option<chrono::NaiveDate>> = std::collections::HashMap::new();
    let mut roles: std::collections::HashMap<String, (String, bool)> = std::collections::HashMap::new();
    let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut settings: Option<serde_json::Map<String, serde_json::Value>> = None;
    while let Some(row) = rows.next()? {
        let e = read_row(row)?;
        if e.seq != expected {
            return Ok(Err(ChainFault::Gap { expected, found: e.seq }));
        }
        if e.prev_hash != prev {
            return Ok(Err(ChainFault::BrokenLink { seq: e.seq }));
        }
        if e.computed_hash() != e.hash {
            return Ok(Err(ChainFault::Edited { seq: e.seq }));
        }
        // Every row is a typed event; the last state each case's events recorded is kept.
        match e.event() {
            Ok(event) => {
                if let Some((status, paused, due)) = event.case_state() {
                    recorded.insert(e.subject.clone(), status.to_owned());
                    // A stopped clock (decided, ready, collected) keeps the due date it had.
                    let runs = yichuang_core::CaseStatus::parse(status).is_some_and(|s| s.clock_runs());
                    // Intake and supplement set the due date whatever the status they leave.
                    if runs || paused || matches!(event, yichuang_events::Event::CaseIntake(_) | yichuang_events::Event::CaseSupplemented(_)) {
                        dues.insert(e.subject.clone(), due.map(|d| d.date));
                    }
                }
                match &event {
                    yichuang_events::Event::StaffAdded(s) => {
                        roles.insert(s.id.clone(), (s.role.clone(), true));
                    }
                    yichuang_events::Event::StaffChanged(s) => {
                        roles.insert(s.id.clone(), (s.role.clone(), s.active));
                    }
                    yichuang_events::Event::CaseIntake(c) => {
                        names.insert(c.applicant.key.clone(), c.applicant.name.clone());
                    }
                    yichuang_events::Event::CentreSettings(m) => settings = Some(m.clone()),
                    _ => {}
                }
            }
            Err(err) => return Ok(Err(ChainFault::Unreadable { seq: e.seq, detail: err.to_string() })),
        }
        prev = e.hash;
        expected += 1;
    }
    let last = expected - 1;
    let head: Option<(i64, String)> =
        conn.query_row("SELECT seq, hash FROM chain_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    if let Some((head_seq, head_hash)) = head {
        if head_seq != last {
            return Ok(Err(ChainFault::Truncated { head: head_seq, last }));
        }
        if head_hash != prev {
            return Ok(Err(ChainFault::BrokenLink { seq: last }));
        }
    }
    // A backup from before migration 5 has no peers' tables.
    let has_peers: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'peer_event')", [], |r| r.get(0))?;
    let peers_too = |sql: &str| if has_peers { sql.to_owned() } else { sql.split("\n").next().unwrap_or(sql).to_owned() };
    // Records that bypassed the store: each must be the subject of its creating event.
    for (table, sql) in [
        ("办件表", "SELECT number FROM case_file c WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.subject = c.number AND e.kind = 'case.intake')
                   AND NOT EXISTS (SELECT 1 FROM peer_event p WHERE p.subject = c.number AND p.kind = 'case.intake')"),
        ("文书表", "SELECT number FROM document d WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.subject = d.number AND e.kind = 'document.issued')
                   AND NOT EXISTS (SELECT 1 FROM peer_event p WHERE p.subject = d.number AND p.kind = 'document.issued')"),
        ("首问登记表", "SELECT id FROM inquiry i WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.subject = i.id AND e.kind = 'inquiry.registered')
                   AND NOT EXISTS (SELECT 1 FROM peer_event p WHERE p.subject = i.id AND p.kind = 'inquiry.registered')"),
    ] {
        let key: Option<String> = conn.query_row(&format!("{} LIMIT 1", peers_too(sql)), [], |r| r.get(0)).optional()?;
        if let Some(key) = key {
            return Ok(Err(ChainFault::Unrecorded { table, key }));
        }
    }
    // The other terminals' streams: each chain whole from where this terminal first took it.
    let mut shared: std::collections::HashSet<String> = std::collections::HashSet::new();
    if has_peers {
        let mut stmt = conn.prepare(&format!(
            "SELECT p.stream, s.held_seq, {} FROM peer_event p JOIN peer_stream s ON s.stream = p.stream ORDER BY p.stream, p.seq",
            EVENT_COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ")
        ))?;
        let mut rows = stmt.query([])?;
        let mut last: Option<(String, i64, String)> = None;
        while let Some(r) = rows.next()? {
            let stream: String = r.get(0)?;
            let e = read_row_at(r, 2)?;
            if let Some((s, seq, hash)) = &last {
                if *s == stream && (e.seq != seq + 1 || e.prev_hash != *hash) {
                    return Ok(Err(ChainFault::PeerBroken { stream, seq: e.seq }));
                }
            }
            if e.computed_hash() != e.hash {
                return Ok(Err(ChainFault::PeerBroken { stream, seq: e.seq }));
            }
            match e.event() {
                Ok(event) if event.case_state().is_some() => {
                    shared.insert(e.subject.clone());
                }
                Ok(_) => {}
                Err(err) => return Ok(Err(ChainFault::Unreadable { seq: e.seq, detail: err.to_string() })),
            }
            last = Some((stream, e.seq, e.hash));
        }
    }
    // Every case's status is the one its events recorded: its own log's last, or, for a case
    // the centre's other terminals acted on too, the fold of all its events in the centre's order.
    let mut stmt = conn.prepare("SELECT number, status FROM case_file")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (case, stored): (String, String) = (r.get(0)?, r.get(1)?);
        let recorded = if shared.contains(&case) {
            let events = crate::cases::case_events(conn, &case, own_stream)?;
            match yichuang_events::fold_case(&events) {
                Ok(f) => f.map(|f| f.status).unwrap_or_default(),
                Err(err) => return Ok(Err(ChainFault::Unreadable { seq: 0, detail: err.to_string() })),
            }
        } else {
            recorded.get(&case).cloned().unwrap_or_default()
        };
        if recorded != stored {
            return Ok(Err(ChainFault::StatusMismatch { case, recorded, stored }));
        }
    }
    if let Some(fault) = projections(conn, has_peers, &shared, &dues, &roles, &names, settings.as_ref())? {
        return Ok(Err(fault));
    }
    Ok(Ok(last))
}
