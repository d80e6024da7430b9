//! HQ sends the centres' queued messages (短信) through a gateway: Tencent Cloud SMS, API 3.0
//! (`SendSms` and `PullSmsSendStatus`, version 2021-01-11), each request signed with
//! TC3-HMAC-SHA256. The provider's keys live in HQ's configuration only, never on a terminal.
//!
//! A message is sent at most once, and only while the applicant's consent stands:
//! - it is claimed (`sending`, committed) one at a time, and only where the case's latest
//!   consent HQ holds gives that number; without one it waits (the consenting window may sync
//!   after the window that queued it), and after two days is refused;
//! - it goes back to `queued` only when the request cannot have left (no connection) or the
//!   provider asks for a retry (a rate limit, an expired signature); an answer lost on the way
//!   leaves it `sending`, to be settled by its delivery report, which names it by
//!   `SessionContext` (the id of its `case.sms_queued` event), or after a day with no report
//!   as `failed` with "结果不明", so that the window can phone the applicant.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::HqError;

/// The gateway, as HQ's configuration names it (`"sms": {...}`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct SmsConfig {
    /// `https://sms.tencentcloudapi.com` unless a test's stand-in is named.
    #[serde(default = "default_endpoint")]
    pub endpoint: String,
    #[serde(default = "default_region")]
    pub region: String,
    pub secret_id: String,
    /// May be left out of the file and given as YICHUANG_HQ_SMS_SECRET_KEY.
    #[serde(default)]
    pub secret_key: String,
    pub sdk_app_id: String,
    /// The approved signature (签名), e.g. the county's name.
    pub sign_name: String,
    /// The approved template id of each notice (`ready`, `owed_due`, `supplement_reminder`,
    /// `rating_invite`); a notice without one is not sent.
    pub templates: BTreeMap<String, String>,
}

fn default_endpoint() -> String {
    "https://sms.tencentcloudapi.com".into()
}
fn default_region() -> String {
    "ap-guangzhou".into()
}

type HmacSha256 = Hmac<Sha256>;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], msg: &str) -> Vec<u8> {
    // An HMAC takes a key of any length.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(msg.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The canonical request of a POST of `payload` to `host` for `action`, signing the
/// content type, the host and the action.
pub fn canonical_request(host: &str, action: &str, content_type: &str, payload: &[u8]) -> String {
    format!(
        "POST\n/\n\ncontent-type:{}\nhost:{}\nx-tc-action:{}\n\ncontent-type;host;x-tc-action\n{}",
        content_type.trim().to_lowercase(),
        host.trim().to_lowercase(),
        action.trim().to_lowercase(),
        hex(&Sha256::digest(payload))
    )
}

/// The string to sign: the algorithm, the timestamp, the credential scope (the UTC date of the
/// timestamp, the service) and the canonical request's hash.
pub fn string_to_sign(timestamp: i64, service: &str, canonical: &str) -> String {
    format!("TC3-HMAC-SHA256\n{timestamp}\n{}/{service}/tc3_request\n{}", utc_date(timestamp), hex(&Sha256::digest(canonical.as_bytes())))
}

pub fn utc_date(timestamp: i64) -> String {
    chrono::DateTime::from_timestamp(timestamp, 0).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// The day's signing key: the secret key, then the date, the service and `tc3_request`.
pub fn signing_key(secret_key: &str, date: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(format!("TC3{secret_key}").as_bytes(), date);
    let k_service = hmac(&k_date, service);
    hmac(&k_service, "tc3_request")
}

pub fn signature(signing_key: &[u8], string_to_sign: &str) -> String {
    hex(&hmac(signing_key, string_to_sign))
}

/// The `Authorization` header of a request.
pub fn authorization(secret_id: &str, secret_key: &str, timestamp: i64, service: &str, canonical: &str) -> String {
    let key = signing_key(secret_key, &utc_date(timestamp), service);
    let sig = signature(&key, &string_to_sign(timestamp, service, canonical));
    format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{}/{service}/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature={sig}",
        utc_date(timestamp)
    )
}

const CONTENT_TYPE: &str = "application/json; charset=utf-8";
const VERSION: &str = "2021-01-11";

/// Why a request to the gateway did not go through.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The request cannot have left: no connection was made.
    #[error("短信平台无法连接：{0}")]
    Unreachable(String),
    /// The request may have reached the provider; its answer did not come back.
    #[error("短信平台的答复未收到：{0}")]
    Network(String),
    #[error("短信平台拒绝了请求：{code}（{message}）")]
    Refused { code: String, message: String },
    #[error("短信平台的答复无法识别：{0}")]
    Answer(String),
}

/// One call to the gateway, signed; the `Response` object of its answer.
pub fn call(cfg: &SmsConfig, action: &str, body: &Value, timestamp: i64) -> Result<Value, GatewayError> {
    let host = cfg
        .endpoint
        .trim_end_matches('/')
        .split("://")
        .nth(1)
        .map(str::to_owned)
        .ok_or_else(|| GatewayError::Unreachable(format!("地址“{}”不对", cfg.endpoint)))?;
    let payload = serde_json::to_vec(body).unwrap_or_default();
    let canonical = canonical_request(&host, action, CONTENT_TYPE, &payload);
    let auth = authorization(&cfg.secret_id, &cfg.secret_key, timestamp, "sms", &canonical);
    let agent: ureq::Agent =
        ureq::Agent::config_builder()
            .timeout_global(Some(std::time::Duration::from_secs(20)))
            // Shorter than the whole: a lookup or connection that never completes is told
            // apart from an answer that never came.
            .timeout_resolve(Some(std::time::Duration::from_secs(5)))
            .timeout_connect(Some(std::time::Duration::from_secs(8)))
            .http_status_as_error(false)
            .build()
            .into();
    let mut resp = agent
        .post(&cfg.endpoint)
        .header("Authorization", &auth)
        .header("Content-Type", CONTENT_TYPE)
        .header("Host", &host)
        .header("X-TC-Action", action)
        .header("X-TC-Timestamp", &timestamp.to_string())
        .header("X-TC-Version", VERSION)
        .header("X-TC-Region", &cfg.region)
        .send(&payload[..])
        .map_err(|e| {
            use ureq::Timeout as T;
            let unsent = matches!(
                &e,
                ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::Timeout(T::Resolve | T::Connect)
            ) || matches!(&e, ureq::Error::Io(io) if {
                use std::io::ErrorKind as K;
                matches!(io.kind(), K::ConnectionRefused | K::NetworkUnreachable | K::HostUnreachable | K::NetworkDown | K::AddrNotAvailable)
            });
            if unsent {
                GatewayError::Unreachable(e.to_string())
            } else {
                GatewayError::Network(e.to_string())
            }
        })?;
    let text = resp.body_mut().with_config().limit(1 << 20).read_to_string().map_err(|e| GatewayError::Network(e.to_string()))?;
    let v: Value = serde_json::from_str(&text).map_err(|_| GatewayError::Answer(text.chars().take(200).collect()))?;
    let r = v.get("Response").cloned().ok_or_else(|| GatewayError::Answer(text.chars().take(200).collect()))?;
    if let Some(e) = r.get("Error") {
        return Err(GatewayError::Refused {
            code: e["Code"].as_str().unwrap_or("").to_owned(),
            message: e["Message"].as_str().unwrap_or("").to_owned(),
        });
    }
    Ok(r)
}

/// What one round of sending did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
    pub reported: usize,
}

fn now_text() -> String {
    chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!())).to_rfc3339()
}

/// Whether the provider refused the request before sending and asks for it later: a rate
/// limit, a signature that expired (HQ's clock). Its internal errors (a timeout inside the
/// provider) leave the outcome unknown: never retried, settled by the delivery report.
fn retryable(code: &str) -> bool {
    code.starts_with("LimitExceeded") || code.starts_with("RequestLimitExceeded") || code == "AuthFailure.SignatureExpire"
}

/// Whether the provider's answer leaves it unknown whether the message went.
fn outcome_unknown(code: &str) -> bool {
    code.starts_with("InternalError")
}

/// Whether the case's consent HQ holds gives the row's number (`s` is the row) and was not
/// withdrawn. Consent is given once, at intake; a withdrawal from any window wins, whatever
/// the two PCs' clocks said.
const CONSENT_STANDS: &str = "(EXISTS (SELECT 1 FROM event e WHERE e.case_number = s.case_number AND e.kind = 'case.sms_consent'
       AND NOT e.rejected AND e.body->>'given' = 'true' AND e.body->>'phone' = s.phone)
     AND NOT EXISTS (SELECT 1 FROM event e WHERE e.case_number = s.case_number AND e.kind = 'case.sms_consent'
       AND NOT e.rejected AND e.body->>'given' = 'false'))";

/// Sends what is queued with a standing consent (at most 100 a round), settles what waited
/// too long, then takes the delivery reports.
pub async fn round(pool: &deadpool_postgres::Pool, cfg: &SmsConfig) -> Result<Round, HqError> {
    let mut out = Round::default();
    let client = pool.get().await?;
    // What this round puts back (a retry) waits for the next round: claimed only if untouched since.
    let started: std::time::SystemTime = client.query_one("SELECT now()", &[]).await?.get(0);
    // No consent for two days (none came, or it was withdrawn): refused, never sent.
    client
        .execute(
            &format!(
                "UPDATE sms_outbox s SET status = 'refused', detail = '申请人未同意以该号码接收短信（或已撤回），县级不发送', reported_at = $1, updated_at = now()
                 WHERE status = 'queued' AND updated_at < now() - interval '2 days' AND NOT {CONSENT_STANDS}"
            ),
            &[&now_text()],
        )
        .await?;
    // Claimed a day ago and never reported: the window is told, to phone the applicant.
    client
        .execute(
            "UPDATE sms_outbox SET status = 'failed', detail = '发送结果不明（一天内没有送达报告），请电话告知申请人', reported_at = $1, updated_at = now()
             WHERE status = 'sending' AND updated_at < now() - interval '1 day'",
            &[&now_text()],
        )
        .await?;
    for _ in 0..100 {
        // One at a time, committed before the request: never sent twice.
        let Some(row) = client
            .query_opt(
                &format!(
                    "UPDATE sms_outbox SET status = 'sending', updated_at = now() WHERE queued_event = (
                         SELECT s.queued_event FROM sms_outbox s WHERE s.status = 'queued' AND s.updated_at < $1 AND {CONSENT_STANDS}
                         ORDER BY s.queued_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                     RETURNING queued_event, notice, phone, params::text"
                ),
                &[&started],
            )
            .await?
        else {
            break;
        };
        let (id, notice, phone, params): (String, String, String, String) = (row.get(0), row.get(1), row.get(2), row.get(3));
        let params: Value = serde_json::from_str(&params).unwrap_or_else(|_| json!([]));
        let Some(template) = cfg.templates.get(&notice).cloned() else {
            // Nothing was sent: it goes once the template is configured.
            client_requeue(&client, &id, &format!("县级未配置“{notice}”的短信模板")).await?;
            continue;
        };
        let body = json!({
            "PhoneNumberSet": [format!("+86{phone}")],
            "SmsSdkAppId": cfg.sdk_app_id,
            "SignName": cfg.sign_name,
            "TemplateId": template,
            "TemplateParamSet": params,
            "SessionContext": id,
        });
        let cfg2 = cfg.clone();
        let answer = tokio::task::spawn_blocking(move || call(&cfg2, "SendSms", &body, chrono::Utc::now().timestamp()))
            .await
            .map_err(|e| HqError::Internal(e.to_string()))?;
        match answer {
            Ok(r) => {
                let status = &r["SendStatusSet"][0];
                let code = status["Code"].as_str().unwrap_or("无状态");
                if code == "Ok" {
                    settle(&client, &id, "sent", status["SerialNo"].as_str(), None).await?;
                    out.sent += 1;
                } else if retryable(code) {
                    client_requeue(&client, &id, &format!("{code}：稍后重发")).await?;
                } else if outcome_unknown(code) {
                    unknown(&client, &id, code).await?;
                } else {
                    let why = format!("{code}（{}）", status["Message"].as_str().unwrap_or(""));
                    settle(&client, &id, "failed", None, Some(&why)).await?;
                    out.failed += 1;
                }
            }
            Err(GatewayError::Refused { code, .. }) if retryable(&code) => client_requeue(&client, &id, &format!("{code}：稍后重发")).await?,
            Err(GatewayError::Refused { code, .. }) if outcome_unknown(&code) => unknown(&client, &id, &code).await?,
            // Nothing left: queued again for the next round, and the round ends (the gateway
            // is out of reach for the others too).
            Err(GatewayError::Unreachable(why)) => {
                client_requeue(&client, &id, &why).await?;
                break;
            }
            // It may have reached the provider: left `sending`, for its report to settle.
            Err(GatewayError::Network(why)) => unknown(&client, &id, &why).await?,
            Err(e) => {
                settle(&client, &id, "failed", None, Some(&e.to_string())).await?;
                out.failed += 1;
            }
        }
    }
    // Delivery reports: matched by the message's own id (SessionContext), else its serial.
    let cfg2 = cfg.clone();
    let body = json!({ "Limit": 100, "SmsSdkAppId": cfg.sdk_app_id });
    let pulled = tokio::task::spawn_blocking(move || call(&cfg2, "PullSmsSendStatus", &body, chrono::Utc::now().timestamp()))
        .await
        .map_err(|e| HqError::Internal(e.to_string()))?;
    match pulled {
        Ok(r) => {
            for item in r["PullSmsSendStatusSet"].as_array().cloned().unwrap_or_default() {
                let status = if item["ReportStatus"].as_str() == Some("SUCCESS") { "delivered" } else { "failed" };
                let detail = item["Description"].as_str().unwrap_or("").to_owned();
                let at = item["UserReceiveTime"]
                    .as_i64()
                    .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                    .map(|t| t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!())).to_rfc3339())
                    .unwrap_or_else(now_text);
                let n = client
                    .execute(
                        "UPDATE sms_outbox SET status = $3, detail = $4, reported_at = $5, updated_at = now()
                         WHERE (queued_event = $1 OR (serial_no = $2 AND serial_no <> ''))
                           AND (status IN ('sending', 'sent') OR (status = 'failed' AND detail LIKE '发送结果不明%'))",
                        &[&item["SessionContext"].as_str().unwrap_or(""), &item["SerialNo"].as_str().unwrap_or(""), &status, &detail, &at],
                    )
                    .await?;
                out.reported += n as usize;
            }
        }
        Err(e) => eprintln!("yichuang-hq: 短信送达报告未取到：{e}"),
    }
    Ok(out)
}

/// Left `sending`: the delivery report settles it, or the sweep a day later.
async fn unknown(client: &deadpool_postgres::Object, id: &str, why: &str) -> Result<(), HqError> {
    client.execute("UPDATE sms_outbox SET detail = $2 WHERE queued_event = $1", &[&id, &format!("发送结果不明，待送达报告确认：{why}")]).await?;
    Ok(())
}

async fn client_requeue(client: &deadpool_postgres::Object, id: &str, why: &str) -> Result<(), HqError> {
    client.execute("UPDATE sms_outbox SET status = 'queued', detail = $2, updated_at = now() WHERE queued_event = $1", &[&id, &why]).await?;
    Ok(())
}

async fn settle(client: &deadpool_postgres::Object, id: &str, status: &str, serial: Option<&str>, detail: Option<&str>) -> Result<(), HqError> {
    client
        .execute(
            "UPDATE sms_outbox SET status = $2, serial_no = coalesce($3, serial_no), detail = $4, reported_at = $5, updated_at = now()
             WHERE queued_event = $1",
            &[&id, &status, &serial, &detail, &now_text()],
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Tencent Cloud's "签名方法 v3" (its keys are masked there, so the
    /// key chain is checked from its published signing key on).
    #[test]
    fn the_published_example_signs_as_published() {
        let payload = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        assert_eq!(hex(&Sha256::digest(payload)), "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");
        let canonical = canonical_request("cvm.tencentcloudapi.com", "DescribeInstances", "application/json; charset=utf-8", payload);
        assert_eq!(
            canonical,
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\nx-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        let sts = string_to_sign(1551113065, "cvm", &canonical);
        assert_eq!(sts, "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84");
        let key: Vec<u8> = (0..32).map(|i| u8::from_str_radix(&"b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af"[i * 2..i * 2 + 2], 16).unwrap()).collect();
        assert_eq!(signature(&key, &sts), "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f");
        // The chain's last steps, from the published service key.
        let k_service: Vec<u8> = (0..32).map(|i| u8::from_str_radix(&"8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f"[i * 2..i * 2 + 2], 16).unwrap()).collect();
        assert_eq!(hmac(&k_service, "tc3_request"), key);
    }

    #[test]
    fn the_scope_is_the_utc_day_of_the_timestamp() {
        // 2026-12-02 07:30 in Beijing is still 12-01 in UTC.
        assert_eq!(utc_date(1_796_167_800), "2026-12-01");
        assert_eq!(utc_date(1_796_167_800 + 1_800), "2026-12-02");
    }
}
