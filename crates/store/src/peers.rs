//! The centre's other terminals: their streams, kept as written and each chain checked, and
//! folded into this terminal's projections, so that any window finds, acts on, prints for and
//! hands out any case of its centre. Each act here is an event in this terminal's own stream;
//! nothing of a peer's stream is ever changed.
//!
//! The batch format and its signature belong to `sync`; this module takes what `sync` has
//! checked (the signature by the stream's own key) and checks the rest: the centre, the
//! terminal number, the key, and the chain's continuity with what is held.

use chrono::{DateTime, FixedOffset};
use rusqlite::{params, OptionalExtension};
use yichuang_core::DocumentNumber;
use yichuang_events::{key_fingerprint, local_stream_id, Event, EventRecord};

use crate::cases::{insert_foreign_materials, project_foreign_intake, refold_case};
use crate::error::{Result, StoreError};
use crate::{Store, Writer};

/// A run of another terminal's events, its signature already checked by `sync`.
#[derive(Debug, Clone)]
pub struct PeerBatch {
    pub stream: String,
    pub centre: String,
    pub terminal: String,
    /// base64url Ed25519: the key the run is signed with, which names the stream.
    pub public_key: String,
    /// The chain hash before the run's first event.
    pub prev_hash: String,
    pub events: Vec<EventRecord>,
}

/// Who vouches for a stream this terminal has not seen before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance<'a> {
    /// Nobody: an unknown stream is refused with its key's fingerprint.
    None,
    /// A station head at this window, having checked the fingerprint (a file).
    Head(&'a str),
    /// HQ, which confirmed the terminal when it enrolled and signed what it relays.
    Hq,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerImport {
    pub stream: String,
    pub terminal: String,
    /// Events new to this terminal.
    pub new: usize,
    /// Events it already held (a file imported twice, or a run sent again).
    pub repeated: usize,
    /// Events kept but not applied, with why (a case number twice, an item not in the
    /// catalogue), and acts that lost to another window's.
    pub conflicts: usize,
    /// The stream was new and its key was accepted now.
    pub accepted: bool,
}

/// Another terminal of the centre as this one knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerStream {
    pub stream: String,
    pub terminal: String,
    pub fingerprint: String,
    pub held_seq: i64,
    pub accepted_by: String,
    pub last_heard_at: Option<String>,
    pub last_via: Option<String>,
}

/// An act on a case that lost under the rule (or an event that could not be applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub case_number: String,
    /// The losing event's stream (this terminal's own when empty) and seq.
    pub stream: String,
    pub seq: i64,
    pub kind: String,
    pub reason: String,
    pub found_at: String,
}

/// Makes sure a staff id named by another terminal's event exists here, so that its cases
/// and documents keep their handler. Such a row has no PIN: the person signs in at their own
/// window, or the head gives them a PIN here.
pub(crate) fn ensure_staff(w: &Writer<'_>, id: &str) -> Result<()> {
    w.tx.prepare_cached(
        "INSERT INTO staff (id, name, role, pin_hash, active, created_at) VALUES (?1, ?1, 'clerk', NULL, 1, ?2)
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![id, w.now_text()])?;
    Ok(())
}

impl Store {
    /// This terminal's own stream: named by its key, as its files and its peers name it.
    pub fn own_stream(&self) -> Result<Option<String>> {
        let c = self.centre()?;
        Ok(self.terminal_public_key()?.map(|pk| local_stream_id(c.code.as_str(), &c.terminal.to_string(), &pk)))
    }

    /// Takes in a run of another terminal's events: checked, kept, folded into the cases,
    /// documents and staff, all in one transaction. A stream not seen before is taken only
    /// when a station head (`accept_by`) accepts its key, having checked its fingerprint.
    pub fn import_peer(&mut self, b: PeerBatch, accept: Acceptance<'_>, via: &str, now: DateTime<FixedOffset>) -> Result<PeerImport> {
        let centre = self.centre()?.clone();
        let refuse = |why: String| Err(StoreError::PeerRefused(why));
        if b.centre != centre.code.as_str() {
            return refuse(format!("这是中心{}的文件，本机属于中心{}，不能导入", b.centre, centre.code));
        }
        if local_stream_id(&b.centre, &b.terminal, &b.public_key) != b.stream {
            return refuse("文件的终端编号与其签名密钥不符".into());
        }
        if self.terminal_public_key()?.as_deref() == Some(b.public_key.as_str()) {
            return refuse("这是本机自己导出的文件，无需导入".into());
        }
        if let Some(reason) = self.revoked(&b.public_key)? {
            return refuse(format!("终端{}已被县级吊销（{reason}），不再接收它的记录", b.terminal));
        }
        if b.terminal == centre.terminal.to_string() {
            return refuse(format!("文件来自另一台终端号也是{}的电脑：同一中心的两台终端不能用同一终端号，否则办件编号会重复", b.terminal));
        }
        if let Some(e) = b.events.iter().find(|e| e.computed_hash() != e.hash) {
            return refuse(format!("终端{}的第{}条记录被改动过（校验值不符），已拒收整个文件", b.terminal, e.seq));
        }
        // 4: every event is the terminal's own, and numbers only from its own ranges.
        if let Some(e) = b.events.iter().find(|e| e.terminal != b.terminal) {
            return refuse(format!("第{}条记录写明的终端号{}与文件的终端{}不符", e.seq, e.terminal, b.terminal));
        }
        for e in &b.events {
            let owner = match e.kind.as_str() {
                "case.intake" => yichuang_core::CaseNumber::parse(&e.subject).ok().map(|n| (n.as_str()[..9].to_owned(), n.terminal().to_string())),
                "document.issued" => DocumentNumber::parse(&e.subject).ok().map(|n| (b.centre.clone(), n.terminal().to_string())),
                _ => None,
            };
            if let Some((centre, terminal)) = owner {
                if centre != b.centre || terminal != b.terminal {
                    return refuse(format!("终端{}的第{}条记录开出了不属于它的编号{}", b.terminal, e.seq, e.subject));
                }
            }
        }
        let known: Option<(i64, String, String)> = self
            .connection()
            .query_row("SELECT held_seq, held_hash, public_key FROM peer_stream WHERE stream = ?1", [&b.stream], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        if known.is_none() && b.events.is_empty() {
            // Nothing to take in, and nothing to start a stream from.
            return Ok(PeerImport { stream: b.stream.clone(), terminal: b.terminal.clone(), ..PeerImport::default() });
        }
        let accepted = known.is_none();
        let actor = match (&known, accept) {
            (Some((_, _, pk)), _) if *pk != b.public_key => return refuse("文件的签名密钥与本机记录的该终端密钥不同".into()),
            (Some(_), _) => "system".to_owned(),
            (None, Acceptance::Head(by)) => self.require_head(by, "确认其他终端的密钥")?.id,
            (None, Acceptance::Hq) => "hq".to_owned(),
            (None, Acceptance::None) => {
                return Err(StoreError::PeerUnknown { terminal: b.terminal.clone(), fingerprint: key_fingerprint(&b.public_key) })
            }
        };
        let own = self.own_stream()?.unwrap_or_default();
        self.write(&actor, now, |w| {
            let (mut held, mut held_hash) = match &known {
                Some((s, h, _)) => (*s, h.clone()),
                None => {
                    let base = b.events.first().map(|e| e.seq - 1).unwrap_or(0);
                    w.tx.execute(
                        "INSERT INTO peer_stream (stream, centre, terminal, public_key, accepted_by, accepted_at, held_seq, held_hash)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![b.stream, b.centre, b.terminal, b.public_key, actor, w.now_text(), base, b.prev_hash],
                    )?;
                    (base, b.prev_hash.clone())
                }
            };
            let mut out = PeerImport { stream: b.stream.clone(), terminal: b.terminal.clone(), accepted, ..PeerImport::default() };
            let conflicts_before: i64 = w.tx.query_row("SELECT count(*) FROM case_conflict WHERE cleared_at IS NULL", [], |r| r.get(0))?;
            // Each case the run touched is folded once, after all its events are in.
            let mut touched: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
            for e in &b.events {
                if e.seq <= held {
                    let stored: Option<String> = w
                        .tx
                        .query_row("SELECT hash FROM peer_event WHERE stream = ?1 AND seq = ?2", params![b.stream, e.seq], |r| r.get(0))
                        .optional()?;
                    match stored {
                        Some(h) if h == e.hash => out.repeated += 1,
                        // Before the run this terminal first took: held elsewhere, not here.
                        None => out.repeated += 1,
                        Some(_) => {
                            return Err(StoreError::PeerRefused(format!("终端{}的第{}条记录与本机已收到的不同，已拒收整个文件，请联系中心负责人核查", b.terminal, e.seq)))
                        }
                    }
                    continue;
                }
                if e.seq > held + 1 {
                    return Err(StoreError::PeerRefused(format!(
                        "缺少终端{}第{}条起的记录（本机已收到第{}条），请先导入更早的文件",
                        b.terminal,
                        held + 1,
                        held
                    )));
                }
                if e.prev_hash != held_hash {
                    return Err(StoreError::PeerRefused(format!("终端{}的第{}条记录接不上本机已收到的记录链", b.terminal, e.seq)));
                }
                let event = e.event().map_err(|err| StoreError::PeerRefused(format!("终端{}的第{}条记录无法解读：{err}", b.terminal, e.seq)))?;
                w.tx.prepare_cached(
                    "INSERT INTO peer_event (stream, seq, id, terminal, at, actor, kind, subject, payload, prev_hash, hash, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(params![b.stream, e.seq, e.id, e.terminal, e.at, e.actor, e.kind, e.subject, e.payload, e.prev_hash, e.hash, w.now_text()],
                )?;
                apply(w, &b.stream, e, &event, &mut touched)?;
                held = e.seq;
                held_hash = e.hash.clone();
                out.new += 1;
            }
            for number in &touched {
                refold_case(w, number, &own)?;
                // Documents of the case that came before the case itself (its intake was in a
                // third window's stream, not held yet then) are applied now.
                let waiting: Vec<(String, i64)> = {
                    let mut stmt = w.tx.prepare_cached(
                        "SELECT p.stream, p.seq FROM peer_event p WHERE p.kind = 'document.issued' AND json_extract(p.payload, '$.case') = ?1
                           AND NOT EXISTS (SELECT 1 FROM document d WHERE d.number = p.subject)",
                    )?;
                    let rows = stmt.query_map([number], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
                    rows
                };
                for (stream, seq) in waiting {
                    let rec = w.tx.query_row(
                        &format!("SELECT {} FROM peer_event WHERE stream = ?1 AND seq = ?2", crate::events::EVENT_COLUMNS),
                        params![stream, seq],
                        crate::events::read_row,
                    )?;
                    if let Ok(event) = rec.event() {
                        apply(w, &stream, &rec, &event, &mut std::collections::BTreeSet::new())?;
                    }
                }
            }
            w.tx.execute(
                "UPDATE peer_stream SET held_seq = ?2, held_hash = ?3, last_heard_at = ?4, last_via = ?5 WHERE stream = ?1",
                params![b.stream, held, held_hash, w.now_text(), via],
            )?;
            let conflicts_after: i64 = w.tx.query_row("SELECT count(*) FROM case_conflict WHERE cleared_at IS NULL", [], |r| r.get(0))?;
            out.conflicts = usize::try_from(conflicts_after - conflicts_before).unwrap_or(0);
            Ok(out)
        })
    }

    /// The centre's other terminals this one holds streams of.
    pub fn peer_streams(&self) -> Result<Vec<PeerStream>> {
        let mut stmt = self.connection().prepare(
            "SELECT stream, terminal, public_key, held_seq, accepted_by, last_heard_at, last_via FROM peer_stream ORDER BY terminal",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PeerStream {
                stream: r.get(0)?,
                terminal: r.get(1)?,
                fingerprint: key_fingerprint(&r.get::<_, String>(2)?),
                held_seq: r.get(3)?,
                accepted_by: r.get(4)?,
                last_heard_at: r.get(5)?,
                last_via: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every event of the centre's other terminals held here, each stream in its order.
    pub fn peer_events(&self) -> Result<Vec<EventRecord>> {
        let mut stmt = self.connection().prepare(&format!("SELECT {} FROM peer_event ORDER BY stream, seq", crate::events::EVENT_COLUMNS))?;
        let rows = stmt.query_map([], crate::events::read_row)?.collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The other terminals' events as the statistics count them: all but the ratings this
    /// centre refused (a second rating of one service or of one result, a rating of a service
    /// the window did not give), which are that case's conflicts.
    pub fn peer_events_counted(&self) -> Result<Vec<EventRecord>> {
        let cols = crate::events::EVENT_COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ");
        let mut stmt = self.connection().prepare(&format!(
            "SELECT {cols} FROM peer_event p
             WHERE NOT (p.kind IN ('case.service_rated', 'case.rated')
                        AND EXISTS (SELECT 1 FROM case_conflict c WHERE c.stream = p.stream AND c.seq = p.seq))
             ORDER BY p.stream, p.seq"
        ))?;
        let rows = stmt.query_map([], crate::events::read_row)?.collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The events about `subject` that the centre's other terminals wrote, with the terminal
    /// that wrote each and whether it lost under the rule (a conflict).
    pub fn peer_events_of(&self, subject: &str) -> Result<Vec<(String, EventRecord, bool)>> {
        let cols = crate::events::EVENT_COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ");
        let mut stmt = self.connection().prepare(&format!(
            "SELECT s.terminal, EXISTS (SELECT 1 FROM case_conflict c WHERE c.stream = p.stream AND c.seq = p.seq AND c.cleared_at IS NULL), {cols}
             FROM peer_event p JOIN peer_stream s ON s.stream = p.stream WHERE p.subject = ?1 ORDER BY p.at, p.stream, p.seq"
        ))?;
        let rows = stmt.query_map([subject], |r| {
            Ok((
                r.get::<_, String>(0)?,
                crate::events::read_row_at(r, 2)?,
                r.get::<_, bool>(1)?,
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether this terminal's own event `seq` lost to another window's act.
    pub fn own_act_lost(&self, seq: i64) -> Result<bool> {
        Ok(self.connection().query_row("SELECT EXISTS (SELECT 1 FROM case_conflict WHERE stream = '' AND seq = ?1 AND cleared_at IS NULL)", [seq], |r| r.get(0))?)
    }

    /// Acts that lost to another window's, and events that could not be applied: the head's list.
    pub fn conflicts(&self) -> Result<Vec<Conflict>> {
        let mut stmt = self.connection().prepare("SELECT case_number, stream, seq, kind, reason, found_at FROM case_conflict WHERE cleared_at IS NULL ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(Conflict { case_number: r.get(0)?, stream: r.get(1)?, seq: r.get(2)?, kind: r.get(3)?, reason: r.get(4)?, found_at: r.get(5)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Folds one new event of another terminal into this terminal's projections.
fn apply(w: &Writer<'_>, stream: &str, rec: &EventRecord, event: &Event, touched: &mut std::collections::BTreeSet<String>) -> Result<()> {
    let conflict = |reason: String| -> Result<()> {
        w.tx.execute(
            "INSERT INTO case_conflict (case_number, stream, seq, kind, reason, found_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (stream, seq) DO NOTHING",
            params![event.case_named(&rec.subject).unwrap_or(""), stream, rec.seq, rec.kind, reason, w.now_text()],
        )?;
        Ok(())
    };
    let case_held = |n: &str| -> Result<bool> {
        Ok(w.tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM case_file WHERE number = ?1)")?.query_row([n], |r| r.get(0))?)
    };
    match event {
        Event::StaffAdded(s) => {
            w.tx.execute(
                "INSERT INTO staff (id, name, role, pin_hash, active, created_at) VALUES (?1, ?2, ?3, NULL, 1, ?4)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE staff.name = staff.id",
                params![s.id, s.name, s.role, rec.at],
            )?;
        }
        Event::StaffChanged(s) => {
            w.tx.execute("UPDATE staff SET role = ?2, active = ?3 WHERE id = ?1", params![s.id, s.role, s.active])?;
        }
        Event::CaseIntake(p) => {
            if let Some(why) = project_foreign_intake(w, rec, p)? {
                conflict(why)?;
            } else {
                touched.insert(rec.subject.clone());
            }
        }
        Event::CaseSupplemented(p) => {
            if !case_held(&rec.subject)? {
                return conflict(format!("本机没有办件{}的收件记录", rec.subject));
            }
            // The next round here: two windows that supplemented apart both used their round N.
            let round: i64 = w
                .tx
                .prepare_cached("SELECT coalesce(max(round), 0) + 1 FROM case_material WHERE case_number = ?1")?
                .query_row([&rec.subject], |r| r.get(0))?;
            let _ = p.round;
            insert_foreign_materials(w, &rec.subject, round, &p.materials, &rec.at)?;
            touched.insert(rec.subject.clone());
        }
        e if e.case_state().is_some() => {
            if !touched.contains(&rec.subject) && !case_held(&rec.subject)? {
                return conflict(format!("本机没有办件{}的收件记录", rec.subject));
            }
            touched.insert(rec.subject.clone());
        }
        Event::DocumentIssued(d) => {
            let Ok(number) = DocumentNumber::parse(&d.number) else {
                return conflict(format!("文书编号“{}”格式不对", d.number));
            };
            if let Some(c) = &d.case {
                if !case_held(c)? {
                    return conflict(format!("本机没有办件{c}的收件记录"));
                }
            }
            let inquiry: Option<&str> = match &d.inquiry {
                Some(i) if w.tx.query_row("SELECT EXISTS (SELECT 1 FROM inquiry WHERE id = ?1)", [i], |r| r.get::<_, bool>(0))? => Some(i),
                _ => None,
            };
            ensure_staff(w, &rec.actor)?;
            let inserted = w.tx.execute(
                "INSERT INTO document (number, kind, year, terminal, seq, case_number, inquiry_id, item_code, catalogue_version,
                    issued_at, issued_by, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT DO NOTHING",
                params![
                    number.to_string(),
                    number.kind().as_str(),
                    number.year(),
                    number.terminal().to_string(),
                    number.seq(),
                    d.case,
                    inquiry,
                    d.body.get("item_code").and_then(|v| v.as_str()),
                    d.body.get("catalogue_version").and_then(|v| v.as_str()),
                    rec.at,
                    rec.actor,
                    d.body.to_string(),
                ],
            )?;
            if inserted == 0 {
                return conflict(format!("文书编号{}已有记录（编号重复）", d.number));
            }
        }
        Event::DocumentVoided(v) => {
            w.tx.execute(
                "UPDATE document SET voided_at = ?2, void_reason = ?3, voided_by = ?4 WHERE number = ?1 AND voided_at IS NULL",
                params![rec.subject, rec.at, v.reason, rec.actor],
            )?;
        }
        Event::DocumentReprinted(_) => {
            w.tx.execute("UPDATE document SET reprints = reprints + 1 WHERE number = ?1", [&rec.subject])?;
        }
        // The whole centre's ratings, rectifications, rota and inquiries, for the head's
        // return visits, the duty list and Today; the statistics fold the events themselves.
        Event::CaseRated(r) => {
            if !case_held(&rec.subject)? {
                return conflict(format!("本机没有办件{}的收件记录", rec.subject));
            }
            let at_screen: bool = w.tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM service_rating WHERE case_number = ?1 AND service IN ('collected', 'immediate'))",
                [&rec.subject],
                |x| x.get(0),
            )?;
            if at_screen {
                return conflict("申请人已在评价器上对办理结果作出评价（一次一评），未采用这一次".into());
            }
            ensure_staff(w, &rec.actor)?;
            let n = w.tx.execute(
                "INSERT INTO rating (case_number, rating, comment, channel, rated_on, recorded_by, created_at)
                 VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6) ON CONFLICT (case_number) DO NOTHING",
                params![rec.subject, r.rating, r.channel, r.on, rec.actor, rec.at],
            )?;
            if n == 0 {
                return conflict("该办件已有一次评价（一次一评），未采用这一次".into());
            }
            if let Some(due) = r.rectification_due {
                crate::service_rating::open_rectification(w.tx, &rec.subject, due, false, &rec.at)?;
            }
        }
        Event::CaseServiceRated(r) => {
            if !case_held(&rec.subject)? {
                return conflict(format!("本机没有办件{}的收件记录", rec.subject));
            }
            let (service, rating, reasons) = match r.checked() {
                Ok(v) => v,
                Err(why) => return conflict(why),
            };
            // A window rates only the services it gave: the one named is an event of the same
            // stream, about the same case, by the clerk the rating names, of the service it says.
            if r.window != rec.terminal {
                return conflict(format!("评价记录写明的窗口{}不是记录它的终端{}", r.window, rec.terminal));
            }
            let given: Option<(String, String, String)> = w
                .tx
                .query_row(
                    "SELECT kind, actor, payload FROM peer_event WHERE stream = ?1 AND subject = ?2 AND id = ?3",
                    params![stream, rec.subject, r.service_event],
                    |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
                )
                .optional()?;
            let Some((kind, actor, payload)) = given else {
                return conflict("评价的那次服务不在该窗口关于这件办件的记录中".into());
            };
            if actor != r.clerk || Event::parse(&kind, &payload).ok().and_then(|e| e.service()) != Some(service) {
                return conflict("评价记录所写的服务或工作人员与那次服务的记录不符".into());
            }
            let result_rated: bool = w.tx.query_row("SELECT EXISTS (SELECT 1 FROM rating WHERE case_number = ?1)", [&rec.subject], |x| x.get(0))?;
            if r.rates_the_result() && result_rated {
                return conflict("该办件的办理结果已有一次评价（一次一评），未采用这一次".into());
            }
            let n = w.tx.execute(
                "INSERT INTO service_rating (service_event, case_number, service, rating, reasons, clerk, terminal, rated_on, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (service_event) DO NOTHING",
                params![
                    r.service_event,
                    rec.subject,
                    service.as_str(),
                    rating.as_str(),
                    serde_json::to_string(reasons.as_slice()).unwrap_or_else(|_| "[]".into()),
                    r.clerk,
                    r.window,
                    r.on,
                    rec.at
                ],
            )?;
            if n == 0 {
                return conflict("这次服务已有一次评价（一次一评），未采用这一次".into());
            }
            if let Some(due) = r.rectification_due {
                crate::service_rating::open_rectification(w.tx, &rec.subject, due, false, &rec.at)?;
            }
        }
        Event::RectificationCallback(c) => {
            w.tx.execute(
                "UPDATE rectification SET callback_on = ?2, callback_note = ?3, updated_at = ?4 WHERE case_number = ?1",
                params![rec.subject, c.on, c.note, rec.at],
            )?;
        }
        Event::RectificationDone(d) => {
            ensure_staff(w, &rec.actor)?;
            w.tx.execute(
                "UPDATE rectification SET outcome = ?2, done_on = ?3, done_by = ?4, status = 'done', updated_at = ?5 WHERE case_number = ?1",
                params![rec.subject, d.outcome, d.on, rec.actor, rec.at],
            )?;
        }
        Event::PostSet(p) => {
            ensure_staff(w, &p.a)?;
            if let Some(b) = &p.b {
                ensure_staff(w, b)?;
            }
            // The later setting wins, whichever window made it.
            w.tx.execute(
                "INSERT INTO post (code, name, a_staff, b_staff, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, a_staff = excluded.a_staff, b_staff = excluded.b_staff,
                     updated_at = excluded.updated_at WHERE excluded.updated_at > post.updated_at",
                params![rec.subject, p.name, p.a, p.b, rec.at],
            )?;
        }
        Event::StaffAbsent(a) => {
            ensure_staff(w, &rec.subject)?;
            ensure_staff(w, &rec.actor)?;
            w.tx.execute(
                "INSERT INTO absence (staff, from_date, to_date, reason, recorded_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![rec.subject, a.from, a.to, a.reason, rec.actor, rec.at],
            )?;
        }
        Event::InquiryRegistered(i) => {
            ensure_staff(w, &rec.actor)?;
            let elsewhere = format!("（在{}号窗口登记）", rec.terminal);
            let closed = (i.status == "closed").then_some(rec.at.as_str());
            w.tx.execute(
                "INSERT INTO inquiry (id, received_at, channel, person_name, unit, phone, matter, item_code, disposition, first_responder,
                     reply_due, handed_to, status, result, closed_at, created_at, updated_at, scope)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?2, ?2, ?16) ON CONFLICT (id) DO NOTHING",
                params![
                    rec.subject,
                    rec.at,
                    i.channel,
                    i.person.clone().unwrap_or_else(|| elsewhere.clone()),
                    i.unit,
                    i.phone,
                    i.matter.clone().filter(|m| !m.is_empty()).unwrap_or(elsewhere),
                    i.item,
                    i.disposition,
                    rec.actor,
                    i.reply_due,
                    i.handed_to,
                    i.status,
                    i.result,
                    closed,
                    i.scope.as_deref().unwrap_or("ordinary"),
                ],
            )?;
        }
        Event::InquiryReplied(r) => {
            w.tx.execute(
                "UPDATE inquiry SET status = ?2, result = ?3, closed_at = CASE WHEN ?2 = 'closed' THEN ?4 ELSE closed_at END, updated_at = ?4
                 WHERE id = ?1",
                params![rec.subject, r.status, r.result, rec.at],
            )?;
        }
        Event::ComplaintRegistered(c) => {
            ensure_staff(w, &rec.actor)?;
            if let Some(s) = &c.about_staff {
                ensure_staff(w, s)?;
            }
            let case = match &c.case {
                Some(n) if case_held(n)? => Some(n.as_str()),
                _ => None,
            };
            let elsewhere = format!("（在{}号窗口登记）", rec.terminal);
            w.tx.execute(
                "INSERT INTO complaint (id, received_at, channel, complainant, contact, confidential, matter, about_staff,
                    case_number, kind, explanation, due_date, due_provisional, registered_by, status, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, ?13, 'open', ?2) ON CONFLICT (id) DO NOTHING",
                params![
                    rec.subject,
                    rec.at,
                    c.channel,
                    c.complainant.clone().unwrap_or_else(|| elsewhere.clone()),
                    c.contact,
                    c.confidential,
                    c.matter.clone().filter(|m| !m.is_empty()).unwrap_or(elsewhere),
                    c.about_staff,
                    case,
                    c.kind,
                    c.explanation,
                    c.due,
                    rec.actor,
                ],
            )?;
        }
        Event::ComplaintNoted(n) => {
            ensure_staff(w, &rec.actor)?;
            w.tx.execute(
                "INSERT INTO complaint_note (complaint_id, at, actor, note) SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM complaint WHERE id = ?1)",
                params![rec.subject, rec.at, rec.actor, n.note],
            )?;
        }
        Event::ComplaintAnswered(a) => {
            w.tx.execute(
                "UPDATE complaint SET status = 'answered', result = ?2, feedback_on = ?3, feedback_via = ?4, updated_at = ?5
                 WHERE id = ?1 AND status = 'open'",
                params![rec.subject, a.result, a.on, a.via, rec.at],
            )?;
        }
        Event::ComplaintClosed => {
            ensure_staff(w, &rec.actor)?;
            w.tx.execute(
                "UPDATE complaint SET status = 'closed', closed_by = ?2, closed_at = ?3, updated_at = ?3 WHERE id = ?1 AND status <> 'closed'",
                params![rec.subject, rec.actor, rec.at],
            )?;
        }
        Event::CaseSmsConsent(c) => {
            if !case_held(&rec.subject)? {
                return conflict(format!("本机没有办件{}的收件记录", rec.subject));
            }
            let phone = match (c.given, c.phone.as_deref().map(yichuang_core::Phone::parse)) {
                (false, _) => None,
                (true, Some(Ok(p))) if p.is_mobile() && p.as_str() == c.phone.as_deref().unwrap_or("") => Some(p.as_str().to_owned()),
                _ => return conflict("短信通知同意记录的手机号码不对".into()),
            };
            w.tx.execute("UPDATE case_file SET sms_phone = ?2 WHERE number = ?1", params![rec.subject, phone])?;
        }
        Event::CaseSmsQueued(q) => {
            if !case_held(&rec.subject)? {
                return conflict(format!("本机没有办件{}的收件记录", rec.subject));
            }
            let notice = match q.checked() {
                Ok(n) => n,
                Err(why) => return conflict(why),
            };
            crate::sms::insert_notice(w.tx, &rec.id, &rec.subject, notice, &q.occasion, &q.phone, &q.text, false, &rec.at)?;
        }
        Event::CaseSmsReported(r) => {
            // A window reports only on the messages it queued: an event of the same stream.
            let queued: bool = w.tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM peer_event WHERE stream = ?1 AND subject = ?2 AND id = ?3 AND kind = 'case.sms_queued')",
                params![stream, rec.subject, r.queued],
                |x| x.get(0),
            )?;
            if !queued || !yichuang_events::CaseSmsReported::STATUSES.contains(&r.status.as_str()) {
                return conflict("短信状态记录所说的短信不是该窗口排队的".into());
            }
            crate::sms::apply_report(w.tx, &r.queued, &r.status, &r.at, r.detail.as_deref())?;
        }
        // Kept in the peer's stream and folded into the statistics from there.
        _ => {}
    }
    Ok(())
}
