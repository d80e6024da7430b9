//! The centre's other windows on the LAN: their addresses, each pinned to the key its window
//! proved it holds, and which keys may ask this window for its stream.
//!
//! The protocol lives in `sync::lan`; this module keeps what it needs to remember.

use chrono::{DateTime, FixedOffset};
use rusqlite::{params, OptionalExtension};
use yichuang_events::{key_fingerprint, local_stream_id, Event, PeerTrusted};

use crate::error::{Result, StoreError};
use crate::Store;

/// Another window's address as this one knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerEndpoint {
    pub url: String,
    pub terminal: String,
    pub public_key: String,
    pub fingerprint: String,
    /// The stream the key names.
    pub stream: String,
    pub accepted_by: String,
    pub added_at: String,
    pub last_ok_at: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
}

/// What a window claims at `peer add`, its key proved by a signature `sync` checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerHello {
    pub centre: String,
    pub terminal: String,
    pub public_key: String,
}

/// The shape a LAN address must have: `http://host:port`, nothing after the port but `/`.
pub fn parse_peer_url(url: &str) -> Result<String> {
    let u = url.trim().trim_end_matches('/');
    let bad = || StoreError::Rule(format!("“{url}”不是窗口地址：应写成 http://电脑名或IP:端口，例如 http://192.168.1.12:47810"));
    let rest = u.strip_prefix("http://").ok_or_else(bad)?;
    let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    if !host_ok || port.parse::<u16>().map_or(true, |p| p == 0) {
        return Err(bad());
    }
    Ok(format!("http://{host}:{port}"))
}

impl Store {
    /// Whether `public_key` is a window of this centre this terminal trusts, and as which
    /// terminal: a stream it holds (accepted by a head from a file, or relayed by HQ), or an
    /// address a head added.
    pub fn trusted_peer(&self, public_key: &str) -> Result<Option<String>> {
        let c = self.connection();
        if self.revoked(public_key)?.is_some() {
            return Ok(None);
        }
        let held: Option<String> =
            c.query_row("SELECT terminal FROM peer_stream WHERE public_key = ?1", [public_key], |r| r.get(0)).optional()?;
        if held.is_some() {
            return Ok(held);
        }
        Ok(c.query_row("SELECT terminal FROM peer_endpoint WHERE public_key = ?1 AND active = 1", [public_key], |r| r.get(0))
            .optional()?)
    }

    /// The keys of every window of the centre this terminal trusts.
    pub fn centre_keys(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .connection()
            .prepare(
                "SELECT public_key FROM peer_stream UNION SELECT public_key FROM peer_endpoint WHERE active = 1
                 EXCEPT SELECT public_key FROM revoked_key ORDER BY 1",
            )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Why the county revoked `public_key`, if it did.
    pub fn revoked(&self, public_key: &str) -> Result<Option<String>> {
        Ok(self.connection().query_row("SELECT reason FROM revoked_key WHERE public_key = ?1", [public_key], |r| r.get(0)).optional()?)
    }

    /// Records that the county revoked a window's key (told in a relay HQ signed). Whether
    /// it was new.
    pub fn note_revoked(&mut self, public_key: &str, stream: &str, reason: &str, revoked_at: &str, now: DateTime<FixedOffset>) -> Result<bool> {
        self.refuse_if_damaged()?;
        let n = self.connection().execute(
            "INSERT INTO revoked_key (public_key, stream, reason, revoked_at, learnt_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (public_key) DO NOTHING",
            rusqlite::params![public_key, stream, reason, revoked_at, now.to_rfc3339()],
        )?;
        Ok(n == 1)
    }

    /// Adds (or re-pins) another window's address. A key this terminal does not trust yet
    /// needs a station head (`accept_by`) who checked its fingerprint on the other window.
    pub fn add_peer_endpoint(&mut self, url: &str, hello: &PeerHello, accept_by: Option<&str>, now: DateTime<FixedOffset>) -> Result<PeerEndpoint> {
        let url = parse_peer_url(url)?;
        let centre = self.centre()?.clone();
        let refuse = |why: String| Err(StoreError::PeerRefused(why));
        if hello.centre != centre.code.as_str() {
            return refuse(format!("{url}是中心{}的窗口，本机属于中心{}，不能互联", hello.centre, centre.code));
        }
        if self.terminal_public_key()?.as_deref() == Some(hello.public_key.as_str()) {
            return refuse(format!("{url}就是本机"));
        }
        if hello.terminal == centre.terminal.to_string() {
            return refuse(format!("{url}的终端号也是{}：同一中心的两台终端不能用同一终端号", hello.terminal));
        }
        let trusted = self.trusted_peer(&hello.public_key)?;
        if let Some(t) = &trusted {
            if *t != hello.terminal {
                return refuse(format!("{url}自称终端{}，但它的密钥属于终端{t}", hello.terminal));
            }
        }
        let actor = match (&trusted, accept_by) {
            (_, Some(by)) => self.require_head(by, "认可其他窗口")?.id,
            (Some(_), None) => "system".to_owned(),
            (None, None) => {
                return Err(StoreError::PeerUnknown { terminal: hello.terminal.clone(), fingerprint: key_fingerprint(&hello.public_key) })
            }
        };
        let accepted_by = if actor == "system" { "held".to_owned() } else { actor.clone() };
        self.write(&actor, now, |w| {
            w.tx.execute(
                "INSERT INTO peer_endpoint (url, terminal, public_key, accepted_by, added_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (url) DO UPDATE SET terminal = excluded.terminal, public_key = excluded.public_key,
                     accepted_by = excluded.accepted_by, added_at = excluded.added_at, active = 1,
                     last_error = NULL, last_error_at = NULL",
                params![url, hello.terminal, hello.public_key, accepted_by, w.now_text()],
            )?;
            w.event(
                &url,
                Event::PeerTrusted(PeerTrusted { url: url.clone(), terminal: hello.terminal.clone(), public_key: hello.public_key.clone() }),
            )?;
            Ok(())
        })?;
        self.peer_endpoints()?.into_iter().find(|e| e.url == url).ok_or_else(|| StoreError::NotFound(url))
    }

    /// The addresses of the centre's other windows, in the order they were added.
    pub fn peer_endpoints(&self) -> Result<Vec<PeerEndpoint>> {
        let code = self.centre()?.code.to_string();
        let mut stmt = self.connection().prepare(
            "SELECT url, terminal, public_key, accepted_by, added_at, last_ok_at, last_error, last_error_at
             FROM peer_endpoint WHERE active = 1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            let public_key: String = r.get(2)?;
            let terminal: String = r.get(1)?;
            Ok(PeerEndpoint {
                url: r.get(0)?,
                stream: local_stream_id(&code, &terminal, &public_key),
                fingerprint: key_fingerprint(&public_key),
                terminal,
                public_key,
                accepted_by: r.get(3)?,
                added_at: r.get(4)?,
                last_ok_at: r.get(5)?,
                last_error: r.get(6)?,
                last_error_at: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Notes how the last round with `url` went (for Settings; not an event: nothing of the
    /// centre's record changes).
    pub fn note_peer_round(&self, url: &str, error: Option<&str>, now: DateTime<FixedOffset>) -> Result<()> {
        self.refuse_if_damaged()?;
        let at = now.to_rfc3339();
        match error {
            None => self.connection().execute("UPDATE peer_endpoint SET last_ok_at = ?2 WHERE url = ?1", params![url, at])?,
            Some(e) => self
                .connection()
                .execute("UPDATE peer_endpoint SET last_error = ?2, last_error_at = ?3 WHERE url = ?1", params![url, e, at])?,
        };
        Ok(())
    }

    /// What this terminal holds of `stream`: its last seq and hash, or `None` for nothing yet.
    pub fn held_peer(&self, stream: &str) -> Result<Option<(i64, String)>> {
        Ok(self
            .connection()
            .query_row("SELECT held_seq, held_hash FROM peer_stream WHERE stream = ?1", [stream], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_peer_url;

    #[test]
    fn a_peer_address_is_http_host_and_port() {
        assert_eq!(parse_peer_url("http://192.168.1.12:47810/").unwrap(), "http://192.168.1.12:47810");
        assert_eq!(parse_peer_url(" http://win-02:47810").unwrap(), "http://win-02:47810");
        for bad in ["192.168.1.12:47810", "http://host", "http://host:0", "http://host:99999", "http://a b:1", "http://h:1/x", "https://h:1", ""] {
            assert!(parse_peer_url(bad).is_err(), "{bad}");
        }
    }
}
