//! Taking in a batch: checked (format, hashes, chain, signature, centre), idempotent on
//! `(terminal, seq)`, and applied in one transaction. The network and the export files both
//! come in here.

use std::collections::HashMap;

use deadpool_postgres::Pool;
use yichuang_core::CaseStatus;
use yichuang_events::Event;
use yichuang_sync::client::{Ack, Rejected};
use yichuang_sync::{Batch, SyncError};

use crate::HqError;

/// Takes in `bytes` (a batch). `accept_key` names the county administrator who accepts the key of a terminal not yet
/// enrolled, whose export file is signed with its own key (the command line only).
pub async fn ingest(pool: &Pool, bytes: &[u8], accept_key: Option<&str>) -> Result<Ack, HqError> {
    // A file from a USB stick is sealed to HQ's key: opened first, then checked as any batch.
    let opened;
    let bytes = match yichuang_sync::seal::Sealed::sniff(bytes) {
        Some(sealed) => {
            opened = crate::documents::open_sealed(&pool.get().await?, &sealed).await?;
            opened.as_slice()
        }
        None => bytes,
    };
    let batch = Batch::from_bytes(bytes)?;
    batch.check()?;
    storable(&batch)?;

    if batch.public_key.is_some() {
        // Signed by the terminal's own key: the signature and the stream's name are checked
        // before HQ looks anything up for it.
        batch.verify_key_signature()?;
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let select = "SELECT centre_code, hmac_key, held_seq, held_hash, replaced_by, public_key, confirmed_at IS NOT NULL, revoke_reason
                  FROM terminal WHERE uid = $1 FOR UPDATE";
    let row = match (tx.query_opt(select, &[&batch.terminal_uid]).await?, &batch.public_key) {
        (Some(row), _) => row,
        (None, None) => return Err(HqError::UnknownTerminal(batch.terminal_uid.clone())),
        (None, Some(pk)) => {
            let Some(by) = accept_key.map(str::trim).filter(|b| !b.is_empty()) else {
                return Err(HqError::UnconfirmedKey { uid: batch.terminal_uid.clone(), fingerprint: yichuang_sync::key_fingerprint(pk) });
            };
            // The administrator accepts the key: the stream begins where the file begins.
            let label = batch.terminal_uid.split('-').nth(1).unwrap_or("").to_owned();
            tx.execute("INSERT INTO centre (code, name) VALUES ($1, '') ON CONFLICT (code) DO NOTHING", &[&batch.centre]).await?;
            let base = batch.from_seq - 1;
            tx.execute(
                "INSERT INTO terminal (uid, centre_code, label, hmac_key, base_seq, base_hash, held_seq, held_hash, public_key, key_accepted_by, confirmed_at, confirmed_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $5, $6, $7, $8, now(), $8) ON CONFLICT (uid) DO NOTHING",
                &[&batch.terminal_uid, &batch.centre, &label, &crate::random_b64(32), &base, &batch.prev_hash, pk, &by],
            )
            .await?;
            tx.query_one(select, &[&batch.terminal_uid]).await?
        }
    };
    let (centre, key, held, held_hash, replaced, public_key): (String, String, i64, String, Option<String>, Option<String>) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4), row.get(5));
    match &batch.public_key {
        // A key-signed file counts only for the stream of that very key.
        Some(pk) if public_key.as_deref() != Some(pk.as_str()) => return Err(HqError::Batch(SyncError::BadSignature)),
        Some(_) => {}
        None => batch.verify_signature(&key)?,
    }
    // Proven, and then: confirmed by a county administrator, and not revoked.
    crate::enrol::admitted(&batch.terminal_uid, row.get(6), row.get::<_, Option<&str>>(7))?;
    // How far the terminal's own log goes, as its signed manifest says (never a header).
    let reported_head = batch.manifest.head;
    if let Some(h) = reported_head {
        if h < batch.to_seq || h > batch.to_seq.saturating_add(MAX_AHEAD) {
            return Err(HqError::BadRequest(format!("批次自报终端共有{h}条记录，与批次所含第{}至{}条不符", batch.from_seq, batch.to_seq)));
        }
    }
    if batch.centre != centre {
        return Err(HqError::WrongCentre { terminal: batch.terminal_uid.clone(), centre: batch.centre.clone() });
    }
    if batch.events.is_empty() {
        return Ok(Ack { held_seq: held, applied: 0, repeated: 0, rejected: vec![] });
    }
    if batch.from_seq > held + 1 {
        return Err(HqError::Gap { held, from: batch.from_seq });
    }
    // What HQ already holds must be exactly what was sent again.
    let overlap_to = batch.to_seq.min(held);
    let mut repeated = 0;
    if batch.from_seq <= overlap_to {
        let rows = tx
            .query(
                "SELECT seq, hash FROM event WHERE terminal_uid = $1 AND seq BETWEEN $2 AND $3",
                &[&batch.terminal_uid, &batch.from_seq, &overlap_to],
            )
            .await?;
        let held_hashes: HashMap<i64, String> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        for e in batch.events.iter().take_while(|e| e.seq <= overlap_to) {
            match held_hashes.get(&e.seq) {
                Some(h) if *h == e.hash => repeated += 1,
                // Before this stream's base: another stream of the same terminal holds it.
                None if e.seq <= held => repeated += 1,
                Some(h) => {
                    let (uid, seq, held_hash, sent) = (batch.terminal_uid.clone(), e.seq, h.clone(), e.hash.clone());
                    drop(tx);
                    let _ = client
                        .execute(
                            "INSERT INTO conflict (terminal_uid, seq, held_hash, sent_hash) VALUES ($1, $2, $3, $4)",
                            &[&uid, &seq, &held_hash, &sent],
                        )
                        .await;
                    return Err(HqError::Conflict { terminal: uid, seq });
                }
                None => repeated += 1,
            }
        }
    }
    if batch.to_seq <= held {
        // A repeat (a lost answer, or a replay) changes nothing, not even when HQ last heard.
        return Ok(Ack { held_seq: held, applied: 0, repeated, rejected: vec![] });
    }
    if let Some(next) = replaced {
        return Err(HqError::Replaced(next));
    }
    let new: Vec<_> = batch.events.iter().filter(|e| e.seq > held).collect();
    if new[0].prev_hash != held_hash {
        return Err(HqError::Broken { terminal: batch.terminal_uid.clone(), seq: new[0].seq });
    }
    // Business rules: refused events are kept (the chain stays whole) but not applied.
    let parsed: Vec<Result<Event, String>> = new.iter().map(|e| parse(e)).collect();
    let named: Vec<&str> = new.iter().zip(&parsed).filter_map(|(e, p)| p.as_ref().ok()?.case_named(&e.subject)).collect();
    let mut held_state: HashMap<String, CaseStatus> = {
        let rows = tx.query("SELECT number, status FROM case_record WHERE number = ANY($1)", &[&named]).await?;
        rows.iter().filter_map(|r| Some((r.get(0), CaseStatus::parse(r.get::<_, &str>(1))?))).collect()
    };
    let known: std::collections::HashSet<String> = held_state.keys().cloned().collect();
    // The supervision notices this batch answers, if HQ sent them to this centre.
    let notices: std::collections::HashSet<String> = {
        let ids: Vec<&str> = parsed
            .iter()
            .filter_map(|p| match p {
                Ok(Event::SupervisionAnswered(a)) => Some(a.id.as_str()),
                _ => None,
            })
            .collect();
        if ids.is_empty() {
            Default::default()
        } else {
            let rows = tx.query("SELECT id FROM supervision WHERE id = ANY($1) AND centre_code = $2", &[&ids, &centre]).await?;
            rows.iter().map(|r| r.get(0)).collect()
        }
    };
    // The services this batch's screen ratings name: each an event of this terminal's stream
    // (held, or earlier in this batch), about the same case.
    let mut served: HashMap<String, String> = {
        let ids: Vec<&str> = parsed
            .iter()
            .filter_map(|p| match p {
                Ok(Event::CaseServiceRated(r)) => Some(r.service_event.as_str()),
                _ => None,
            })
            .collect();
        if ids.is_empty() {
            Default::default()
        } else {
            let rows = tx.query("SELECT id, subject FROM event WHERE terminal_uid = $1 AND id = ANY($2) AND NOT rejected", &[&batch.terminal_uid, &ids]).await?;
            rows.iter().map(|r| (r.get(0), r.get(1))).collect()
        }
    };
    let mut intaken = std::collections::HashSet::new();
    let mut rejected = vec![];
    for (e, p) in new.iter().zip(&parsed) {
        let reason = match p {
            Err(why) => Some(why.clone()),
            Ok(Event::SupervisionAnswered(a)) if !notices.contains(&a.id) => Some(format!("县级没有发给本中心、编号为“{}”的督办", a.id)),
            Ok(Event::CaseServiceRated(r)) if served.get(&r.service_event) != Some(&e.subject) => {
                Some(format!("评价所说的服务“{}”不是本终端对办件{}的记录", r.service_event, e.subject))
            }
            Ok(event) => rule(&centre, e, event, &known, &intaken, &held_state),
        };
        if reason.is_none() {
            served.entry(e.id.clone()).or_insert_with(|| e.subject.clone());
        }
        match (reason, p) {
            (Some(reason), _) => rejected.push(Rejected { seq: e.seq, reason }),
            (None, Ok(event)) => {
                if e.kind == "case.intake" {
                    intaken.insert(e.subject.clone());
                }
                if let Some(status) = event.case_state().and_then(|(s, _, _)| CaseStatus::parse(s)) {
                    held_state.insert(e.subject.clone(), status);
                }
            }
            (None, Err(_)) => {}
        }
    }
    let is_rejected = |seq: i64| rejected.iter().any(|r| r.seq == seq);
    let col = |f: fn(&yichuang_sync::BatchEvent) -> String| new.iter().map(|e| f(e)).collect::<Vec<String>>();
    let seqs: Vec<i64> = new.iter().map(|e| e.seq).collect();
    let flags: Vec<bool> = new.iter().map(|e| is_rejected(e.seq)).collect();
    // Parsed once, here: only a payload that parsed is kept as `jsonb` (a page reads that),
    // so that no stored event can break a page.
    let bodies: Vec<Option<String>> = new.iter().zip(&parsed).map(|(e, p)| p.is_ok().then(|| e.payload.clone())).collect();
    // A refused event is in its case's timeline only when the case is this centre's own: a
    // terminal never writes into the timeline of another centre's case.
    let cases: Vec<Option<String>> = new
        .iter()
        .zip(&parsed)
        .map(|(e, p)| p.as_ref().ok().and_then(|ev| ev.case_named(&e.subject)).filter(|c| !is_rejected(e.seq) || c.get(..9) == Some(centre.as_str())).map(str::to_owned))
        .collect();
    tx.execute(
        "INSERT INTO event (terminal_uid, seq, id, terminal, at, actor, kind, subject, payload, prev_hash, hash, rejected, body, case_number)
         SELECT $1, s, i, t, a, ac, k, su, p, ph, h, r, b::jsonb, c
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bool[], $13::text[], $14::text[])
              AS u(s, i, t, a, ac, k, su, p, ph, h, r, b, c)",
        &[
            &batch.terminal_uid,
            &seqs,
            &col(|e| e.id.clone()),
            &col(|e| e.terminal.clone()),
            &col(|e| e.at.clone()),
            &col(|e| e.actor.clone()),
            &col(|e| e.kind.clone()),
            &col(|e| e.subject.clone()),
            &col(|e| e.payload.clone()),
            &col(|e| e.prev_hash.clone()),
            &col(|e| e.hash.clone()),
            &flags,
            &bodies,
            &cases,
        ],
    )
    .await?;
    if !rejected.is_empty() {
        let seqs: Vec<i64> = rejected.iter().map(|r| r.seq).collect();
        let reasons: Vec<String> = rejected.iter().map(|r| r.reason.clone()).collect();
        tx.execute(
            "INSERT INTO reject (terminal_uid, seq, reason) SELECT $1, * FROM unnest($2::bigint[], $3::text[])",
            &[&batch.terminal_uid, &seqs, &reasons],
        )
        .await?;
    }
    project(&tx, &centre, &batch.terminal_uid, new.iter().filter(|e| !is_rejected(e.seq)).copied()).await?;
    // Messages go to the outbox; each is sent only while the case's consent stands for its
    // number (checked as it is sent: the consenting window may sync later). Once per case,
    // notice and occasion: a second window's copy is kept as refused, and that window told.
    for (e, p) in new.iter().zip(&parsed) {
        if let (false, Ok(Event::CaseSmsQueued(q))) = (is_rejected(e.seq), p) {
            let params = serde_json::to_string(&q.params).unwrap_or_else(|_| "[]".into());
            let insert = |status: &'static str, detail: Option<&'static str>| {
                let tx = &tx;
                let (centre, uid, params) = (&centre, &batch.terminal_uid, &params);
                async move {
                    tx.execute(
                        "INSERT INTO sms_outbox (queued_event, terminal_uid, centre_code, case_number, notice, occasion, phone, params, text, status, detail, queued_at, reported_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, $10, $11, $12, CASE WHEN $10 = 'refused' THEN $12 END)
                         ON CONFLICT DO NOTHING",
                        &[&e.id, uid, centre, &e.subject, &q.notice, &q.occasion, &q.phone, params, &q.text, &status, &detail, &e.at],
                    )
                    .await
                }
            };
            if insert("queued", None).await? == 0 {
                insert("refused", Some("本中心其他窗口已排队同一通知，不重复发送")).await?;
            }
        }
    }
    let touched: Vec<String> = new.iter().filter(|e| !is_rejected(e.seq) && e.kind.starts_with("case.")).map(|e| e.subject.clone()).collect();
    refold_shared(&tx, &batch.terminal_uid, &touched).await?;
    // A centre's answer to a supervision notice: the first one stands.
    for (e, p) in new.iter().zip(&parsed) {
        if let (false, Ok(Event::SupervisionAnswered(a))) = (is_rejected(e.seq), p) {
            tx.execute(
                "UPDATE supervision SET answer = $2, answered_by = $3, answered_at = $4, answer_terminal = $5
                 WHERE id = $1 AND centre_code = $6 AND answer IS NULL",
                &[&a.id, &a.answer, &e.actor, &e.at, &batch.terminal_uid, &centre],
            )
            .await?;
        }
    }
    let last = new[new.len() - 1];
    update_terminal(&tx, &batch.terminal_uid, last.seq, &last.hash, reported_head).await?;
    tx.commit().await?;
    Ok(Ack { held_seq: last.seq, applied: new.len() as i64, repeated, rejected })
}

async fn update_terminal(
    tx: &deadpool_postgres::Transaction<'_>,
    uid: &str,
    held: i64,
    hash: &str,
    reported_head: Option<i64>,
) -> Result<(), HqError> {
    tx.execute(
        "UPDATE terminal SET held_seq = $2, held_hash = $3, last_sync_at = now(),
            reported_head = greatest(coalesce($4, reported_head), $2) WHERE uid = $1",
        &[&uid, &held, &hash, &reported_head],
    )
    .await?;
    Ok(())
}

/// How far ahead of a batch a terminal may say its log goes.
const MAX_AHEAD: i64 = 100_000_000;

/// Refuses a batch with a NUL anywhere: PostgreSQL cannot store one in text, and no terminal
/// writes one.
fn storable(batch: &Batch) -> Result<(), HqError> {
    let nul = |s: &str| s.contains('\0');
    let bad = nul(&batch.centre)
        || nul(&batch.terminal_uid)
        || batch.events.iter().any(|e| {
            [&e.id, &e.terminal, &e.at, &e.actor, &e.kind, &e.subject, &e.payload, &e.prev_hash, &e.hash].iter().any(|f| nul(f))
        });
    if bad {
        return Err(HqError::BadRequest("批次含有空字符（\\0），不是终端写出的记录，已拒收".into()));
    }
    Ok(())
}

/// An event's payload, parsed as the one typed contract; what does not parse is refused with
/// the reason (kept, never applied). A `\u0000` escape is refused too: `jsonb` cannot hold it.
fn parse(e: &yichuang_sync::BatchEvent) -> Result<Event, String> {
    if e.payload.contains("\\u0000") {
        return Err(format!("第{}条记录的内容含有空字符，无法识别", e.seq));
    }
    Event::parse(&e.kind, &e.payload).map_err(|err| format!("第{}条记录（{}）的内容无法识别：{err}", e.seq, e.kind))
}

/// Why an event may not be applied, if it may not.
fn rule(
    centre: &str,
    e: &yichuang_sync::BatchEvent,
    event: &Event,
    known: &std::collections::HashSet<String>,
    intaken: &std::collections::HashSet<String>,
    held: &HashMap<String, CaseStatus>,
) -> Option<String> {
    // Every event that names a case (by its subject or in its payload) names one of this
    // terminal's own centre.
    let case = event.case_named(&e.subject)?;
    if case.len() != 24 || !case.bytes().all(|b| b.is_ascii_digit()) {
        return Some(format!("办件编号“{case}”格式不对"));
    }
    let owner = &case[..9];
    if owner != centre {
        return Some(format!("办件{case}属于中心{owner}，本终端属于中心{centre}，无权写入"));
    }
    // A rating at a window's screen is as the rules allow, and of that window's own service.
    if let Event::CaseServiceRated(r) = event {
        if let Err(why) = r.checked() {
            return Some(why);
        }
        if r.window != e.terminal {
            return Some(format!("评价记录写明的窗口{}不是记录它的终端{}", r.window, e.terminal));
        }
    }
    // A message is one the rules allow: a known notice, to a mobile number, carrying no ID
    // number; a consent is to a mobile number.
    if let Event::CaseSmsQueued(q) = event {
        if let Err(why) = q.checked() {
            return Some(why);
        }
    }
    if let Event::CaseSmsConsent(c) = event {
        let ok = match (&c.phone, c.given) {
            (_, false) => true,
            (Some(p), true) => yichuang_core::Phone::parse(p).is_ok_and(|x| x.is_mobile() && x.as_str() == p),
            (None, true) => false,
        };
        if !ok {
            return Some("短信通知同意记录的手机号码不对".into());
        }
    }
    let is_held = known.contains(case) || intaken.contains(case);
    if e.kind == "case.intake" && is_held {
        // A case number is issued once: a second intake under it (a terminal restored from
        // a backup that numbered again) is refused, never silently hidden behind the first.
        return Some(format!("县级已有办件{case}的收件记录，同一编号不能再次收件（办件编号重复）"));
    }
    // A change of state must be one the case can still come to from the state HQ holds
    // (an approval of a case HQ has as withdrawn is refused). An act on a case whose intake
    // HQ does not hold yet is kept, not refused: another window of the centre took the case in
    // and has not synced yet. It changes nothing until the intake arrives.
    if let (Some(now), Some((to, _, _))) = (held.get(case), event.case_state()) {
        let to = CaseStatus::parse(to)?;
        if e.kind != "case.intake" && !now.can_become(to) {
            return Some(format!("县级记录中办件{case}已是“{}”，不能再变为“{}”（{}）", now.label(), to.label(), e.kind));
        }
    }
    None
}

/// Brings the cases across centres up to date, set-based: new intakes inserted, then each
/// case's latest state applied once.
async fn project<'a>(
    tx: &deadpool_postgres::Transaction<'_>,
    centre: &str,
    uid: &str,
    events: impl Iterator<Item = &'a yichuang_sync::BatchEvent>,
) -> Result<(), HqError> {
    let mut intakes: Vec<(String, String, String, String, Option<String>, String)> = vec![];
    let mut latest: HashMap<String, (String, bool, Option<String>, String, String)> = HashMap::new();
    for e in events {
        // Only what changes a case's state is projected; the event itself is stored as sent.
        let Ok(event) = Event::parse(&e.kind, &e.payload).map(|e| e.for_county()) else { continue };
        let Some((status, paused, due)) = event.case_state() else { continue };
        let due = due.map(|d| d.date.to_string());
        if let Event::CaseIntake(p) = &event {
            intakes.push((e.subject.clone(), p.item.clone(), p.applicant.name.clone(), status.to_owned(), due.clone(), e.at.clone()));
        }
        latest.insert(e.subject.clone(), (status.to_owned(), paused, due, e.at.clone(), e.kind.clone()));
    }
    if !intakes.is_empty() {
        let n: Vec<String> = intakes.iter().map(|i| i.0.clone()).collect();
        let item: Vec<String> = intakes.iter().map(|i| i.1.clone()).collect();
        let who: Vec<String> = intakes.iter().map(|i| i.2.clone()).collect();
        let status: Vec<String> = intakes.iter().map(|i| i.3.clone()).collect();
        let due: Vec<Option<String>> = intakes.iter().map(|i| i.4.clone()).collect();
        let at: Vec<String> = intakes.iter().map(|i| i.5.clone()).collect();
        tx.execute(
            "INSERT INTO case_record (number, centre_code, terminal_uid, item_code, applicant, status, due_date, received_at, updated_at, last_kind)
             SELECT n, $1, $2, i, a, s, d::date, t, t, 'case.intake'
             FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u(n, i, a, s, d, t)
             ON CONFLICT (number) DO NOTHING",
            &[&centre, &uid, &n, &item, &who, &status, &due, &at],
        )
        .await?;
    }
    if !latest.is_empty() {
        let n: Vec<String> = latest.keys().cloned().collect();
        let status: Vec<String> = n.iter().map(|k| latest[k].0.clone()).collect();
        let paused: Vec<bool> = n.iter().map(|k| latest[k].1).collect();
        let due: Vec<Option<String>> = n.iter().map(|k| latest[k].2.clone()).collect();
        let at: Vec<String> = n.iter().map(|k| latest[k].3.clone()).collect();
        let kind: Vec<String> = n.iter().map(|k| latest[k].4.clone()).collect();
        tx.execute(
            "UPDATE case_record c SET status = u.s, paused = u.p,
                due_date = coalesce(u.d::date, c.due_date),
                updated_at = u.t, last_kind = u.k
             FROM unnest($1::text[], $2::text[], $3::bool[], $4::text[], $5::text[], $6::text[]) AS u(n, s, p, d, t, k)
             WHERE c.number = u.n",
            &[&n, &status, &paused, &due, &at, &kind],
        )
        .await?;
    }
    Ok(())
}

/// Cases that more than one terminal of the centre acted on are folded over every stream by
/// the centre's rule (`yichuang_events::fold_case`), so HQ shows the state every terminal
/// shows. One query for the batch's cases.
async fn refold_shared(tx: &deadpool_postgres::Transaction<'_>, uid: &str, cases: &[String]) -> Result<(), HqError> {
    if cases.is_empty() {
        return Ok(());
    }
    // A centre with one terminal shares no case with another: nothing to fold again.
    let others: i64 = tx
        .query_one("SELECT count(*) FROM terminal t JOIN terminal me ON me.uid = $1 WHERE t.centre_code = me.centre_code AND t.uid <> $1", &[&uid])
        .await?
        .get(0);
    if others == 0 {
        return Ok(());
    }
    // Otherwise one look finds the cases another terminal acted on, and only those are
    // folded over every stream.
    let shared: Vec<String> = tx
        .query(
            "SELECT c.n FROM unnest($1::text[]) AS c(n)
             WHERE EXISTS (SELECT 1 FROM event e WHERE e.subject = c.n AND e.terminal_uid <> $2 AND e.kind LIKE 'case.%' AND NOT e.rejected)",
            &[&cases, &uid],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if shared.is_empty() {
        return Ok(());
    }
    let cases = &shared;
    let rows = tx
        .query(
            "SELECT terminal_uid, seq, id, terminal, at, actor, kind, subject, payload, prev_hash, hash FROM event
             WHERE subject = ANY($1) AND kind LIKE 'case.%' AND NOT rejected
               AND subject IN (SELECT subject FROM event WHERE subject = ANY($1) AND kind LIKE 'case.%' AND NOT rejected
                               GROUP BY subject HAVING count(DISTINCT terminal_uid) > 1)",
            &[&cases],
        )
        .await?;
    let mut by_case: HashMap<String, Vec<yichuang_events::Sourced>> = HashMap::new();
    for r in rows {
        let record = event_at(&r, 1);
        by_case.entry(record.subject.clone()).or_default().push(yichuang_events::Sourced { stream: r.get(0), record });
    }
    for (number, mut events) in by_case {
        yichuang_events::centre_order(&mut events, "");
        let Ok(Some(f)) = yichuang_events::fold_case(&events) else { continue };
        let last = events.last().map(|e| e.record.kind.clone()).unwrap_or_default();
        tx.execute(
            "UPDATE case_record SET status = $2, paused = $3, due_date = $4::text::date, updated_at = $5, last_kind = $6 WHERE number = $1",
            &[&number, &f.status, &f.paused, &f.due.as_ref().map(|d| d.date.to_string()), &f.updated_at, &last],
        )
        .await?;
    }
    Ok(())
}

/// An event whose columns (`seq, id, terminal, at, actor, kind, subject, payload, prev_hash,
/// hash`) start at column `at` of an `event` row.
pub(crate) fn event_at(r: &tokio_postgres::Row, at: usize) -> yichuang_events::EventRecord {
    yichuang_events::EventRecord {
        seq: r.get(at),
        id: r.get(at + 1),
        terminal: r.get(at + 2),
        at: r.get(at + 3),
        actor: r.get(at + 4),
        kind: r.get(at + 5),
        subject: r.get(at + 6),
        payload: r.get(at + 7),
        prev_hash: r.get(at + 8),
        hash: r.get(at + 9),
    }
}

impl From<SyncError> for HqError {
    fn from(e: SyncError) -> Self {
        HqError::Batch(e)
    }
}
