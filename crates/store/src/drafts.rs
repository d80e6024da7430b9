//! The intake form a clerk had begun, kept across a restart of the app (migration 21). Not a
//! record and not an event: one row per staff member, overwritten, emptied, never synced.

use chrono::{DateTime, FixedOffset};
use rusqlite::{params, OptionalExtension};

use crate::error::{Result, StoreError};
use crate::Store;

/// The longest draft kept (a form with every material of the largest item and its notes).
pub const MAX_DRAFT_BYTES: usize = 64 * 1024;

impl Store {
    /// Keeps `staff`'s intake form as typed (a JSON object), in place of the one before;
    /// `None` empties it (taken, discarded, signed out).
    pub fn keep_intake_draft(&mut self, staff: &str, body: Option<&str>, now: DateTime<FixedOffset>) -> Result<()> {
        self.refuse_if_damaged()?;
        self.staff(staff)?;
        if let Some(b) = body {
            if b.len() > MAX_DRAFT_BYTES {
                return Err(StoreError::Rule(format!("草稿过长（{}字节，最多{MAX_DRAFT_BYTES}字节），未保存", b.len())));
            }
            match serde_json::from_str::<serde_json::Value>(b) {
                Ok(v) if v.is_object() => {}
                _ => return Err(StoreError::BadFile { what: "草稿", detail: "不是受理表单".into() }),
            }
        }
        self.connection().execute(
            "INSERT INTO intake_draft (staff_id, body, saved_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (staff_id) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
            params![staff, body, now.to_rfc3339()],
        )?;
        Ok(())
    }

    /// `staff`'s kept intake form, if there is one.
    pub fn intake_draft(&self, staff: &str) -> Result<Option<String>> {
        Ok(self
            .connection()
            .query_row("SELECT body FROM intake_draft WHERE staff_id = ?1", [staff], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::demo_store;

    fn now() -> chrono::DateTime<chrono::FixedOffset> {
        chrono::DateTime::parse_from_rfc3339("2026-11-23T09:00:00+08:00").unwrap()
    }

    #[test]
    fn a_draft_is_each_clerk_s_own_overwritten_and_emptied_and_never_an_event() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = demo_store(dir.path());
        let events = s.head().unwrap().0;
        assert_eq!(s.intake_draft("demo").unwrap(), None);
        s.keep_intake_draft("demo", Some(r#"{"item":"GL-01","name":"黄志强"}"#), now()).unwrap();
        s.keep_intake_draft("demo", Some(r#"{"item":"GL-01","name":"黄志强","idNumber":"450821195001010019"}"#), now()).unwrap();
        assert!(s.intake_draft("demo").unwrap().unwrap().contains("450821195001010019"));
        assert_eq!(s.intake_draft("b1").unwrap(), None, "another clerk's draft is not mine");
        // Not a form, too long, nobody's: refused, nothing kept.
        assert_eq!(s.keep_intake_draft("demo", Some("[1,2]"), now()).unwrap_err().code(), "store.bad_file");
        let long = format!(r#"{{"x":"{}"}}"#, "a".repeat(super::MAX_DRAFT_BYTES));
        assert_eq!(s.keep_intake_draft("demo", Some(&long), now()).unwrap_err().code(), "store.rule");
        assert!(s.keep_intake_draft("nobody", Some("{}"), now()).is_err());
        assert!(s.intake_draft("demo").unwrap().unwrap().contains("黄志强"));
        s.keep_intake_draft("demo", None, now()).unwrap();
        assert_eq!(s.intake_draft("demo").unwrap(), None);
        assert_eq!(s.head().unwrap().0, events, "a draft is no event");
        // Taking the application empties the clerk's draft in the same transaction.
        s.keep_intake_draft("demo", Some(r#"{"item":"CJ-01"}"#), now()).unwrap();
        s.intake(crate::tests::cj01_request("45082119680405302", crate::tests::ALL), now()).unwrap();
        assert_eq!(s.intake_draft("demo").unwrap(), None);
        assert_eq!(s.verify().unwrap().fault, None);
    }
}
