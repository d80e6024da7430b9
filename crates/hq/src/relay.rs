//! HQ relays a centre's streams to the centre's own terminals, never another centre's: each
//! enrolled terminal, proven by its stream's key, receives what the centre's other terminals
//! sent and it lacks, in one answer HQ signs. Of a terminal's own earlier stream (before a
//! restore from backup) only what the lost copy did after the backup is relayed back: the
//! restored window then holds those cases too, under their old terminal number.

use std::collections::HashMap;

use axum::extract::State;
use axum::Json;
use yichuang_sync::client::{relay_message, verify_hmac, Relay, RelayRequest, RelayedStream};
use yichuang_sync::{BatchEvent, SignedDocument};

use crate::{documents, AppState, HqError};

/// At most this many events in one answer; the terminal asks again for the rest.
const PER_ANSWER: i64 = 5_000;

pub async fn relay(State(s): State<AppState>, Json(req): Json<RelayRequest>) -> Result<Json<SignedDocument>, HqError> {
    let client = s.pool.get().await?;
    let row = client
        .query_opt(
            "SELECT centre_code, hmac_key, public_key, replaced_by, confirmed_at IS NOT NULL, revoke_reason FROM terminal WHERE uid = $1",
            &[&req.terminal_uid],
        )
        .await?
        .ok_or_else(|| HqError::UnknownTerminal(req.terminal_uid.clone()))?;
    let (centre, key, own_key, replaced): (String, String, Option<String>, Option<String>) = (row.get(0), row.get(1), row.get(2), row.get(3));
    // Checked in constant time.
    verify_hmac(&key, &relay_message(&req.terminal_uid, &req.have, &req.at), &req.proof)?;
    crate::enrol::admitted(&req.terminal_uid, row.get(4), row.get::<_, Option<&str>>(5))?;
    if let Some(next) = replaced {
        return Err(HqError::Replaced(next));
    }
    let have: HashMap<&str, i64> = req.have.iter().map(|h| (h.stream.as_str(), h.seq)).collect();
    // The centre's other terminals with a key of their own (the only streams a terminal can
    // check by itself): never this terminal's own, never another centre's.
    let others = client
        .query(
            "WITH RECURSIVE lineage (uid, after) AS (
                 SELECT t.uid, n.base_seq FROM terminal t JOIN terminal n ON n.uid = t.replaced_by WHERE n.uid = $2
                 UNION SELECT t.uid, n.base_seq FROM terminal t JOIN terminal n ON n.uid = t.replaced_by JOIN lineage l ON l.uid = n.uid
             )
             SELECT t.uid, t.label, t.public_key, t.base_seq, t.base_hash, t.held_seq, l.after FROM terminal t
             LEFT JOIN lineage l ON l.uid = t.uid
             WHERE t.centre_code = $1 AND t.uid <> $2 AND t.public_key IS NOT NULL AND t.public_key IS DISTINCT FROM $3
             ORDER BY t.uid",
            &[&centre, &req.terminal_uid, &own_key],
        )
        .await?;
    let mut budget = PER_ANSWER;
    let mut answer = Relay::default();
    for t in others {
        let (uid, label, public_key, base, base_hash, held, after): (String, String, String, i64, String, i64, Option<i64>) =
            (t.get(0), t.get(1), t.get(2), t.get(3), t.get(4), t.get(5), t.get(6));
        // A stream this terminal's own (restored) history continues: only what came after the
        // restore's base, the work the lost copy did, which the restored database lacks.
        let base = after.map_or(base, |a| a.max(base));
        let from = have.get(uid.as_str()).copied().unwrap_or(base).max(base);
        if from >= held {
            continue;
        }
        if budget == 0 {
            answer.more = true;
            break;
        }
        let rows = client
            .query(
                "SELECT seq, id, terminal, at, actor, kind, subject, payload, prev_hash, hash FROM event
                 WHERE terminal_uid = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                &[&uid, &from, &budget],
            )
            .await?;
        let events: Vec<BatchEvent> = rows
            .iter()
            .map(|r| BatchEvent::from(crate::ingest::event_at(r, 0)))
            .collect();
        budget -= events.len() as i64;
        if events.last().is_some_and(|e| e.seq < held) {
            answer.more = true;
        }
        let prev_hash = events.first().map(|e| e.prev_hash.clone()).unwrap_or(base_hash);
        let _ = after;
        answer.streams.push(RelayedStream { stream: uid, centre: centre.clone(), terminal: label, public_key, prev_hash, events });
    }
    // Every window of the centre learns which of its windows the county revoked.
    answer.revoked = client
        .query(
            "SELECT uid, public_key, revoked_at::text, revoke_reason FROM terminal
             WHERE centre_code = $1 AND revoked_at IS NOT NULL AND public_key IS NOT NULL ORDER BY uid",
            &[&centre],
        )
        .await?
        .iter()
        .map(|r| yichuang_sync::client::RevokedTerminal { stream: r.get(0), public_key: r.get(1), revoked_at: r.get(2), reason: r.get(3) })
        .collect();
    answer.supervisions = client
        .query(
            "SELECT id, case_number, text, deadline::text, issued_by, to_char(issued_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS+08:00')
             FROM supervision WHERE centre_code = $1 AND answer IS NULL ORDER BY issued_at",
            &[&centre],
        )
        .await?
        .iter()
        .map(|r| yichuang_sync::client::RelayedSupervision { id: r.get(0), case: r.get(1), text: r.get(2), deadline: r.get(3), issued_by: r.get(4), issued_at: r.get(5) })
        .collect();
    // What became of the centre's messages; each window records only its own.
    answer.sms = client
        .query(
            "SELECT queued_event, case_number, CASE WHEN status = 'sending' THEN 'sent' ELSE status END, coalesce(reported_at, ''), detail
             FROM sms_outbox WHERE centre_code = $1 AND status IN ('sent', 'delivered', 'failed', 'refused') AND reported_at IS NOT NULL
             ORDER BY updated_at DESC LIMIT 500",
            &[&centre],
        )
        .await?
        .iter()
        .map(|r| yichuang_sync::client::RelayedSms { queued: r.get(0), case: r.get(1), status: r.get(2), at: r.get(3), detail: r.get(4) })
        .collect();
    let body = serde_json::to_string(&answer).unwrap_or_default();
    Ok(Json(documents::sign(&client, "relay", &req.at, body).await?))
}
