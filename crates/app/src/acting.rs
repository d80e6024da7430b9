//! Acting as a staff member. The window's actor is its signed-in session; the command line's is
//! `--actor`, proven by a PIN on standard input where the act is privileged. Either way the
//! rules are these: only a head does the head's acts, an approver proves their own PIN, and every
//! PIN tried is counted and locked like a sign-in (the store's `check_pin`).

use chrono::{DateTime, FixedOffset};
use yichuang_store::{Role, Staff, Store};

use crate::{AppError, AppResult, Who};

/// The acting staff member proves, with their own PIN, that they are a head, for a privileged
/// act (staff, settings, the catalogue, the calendar, a reset PIN, a voided document). A centre
/// set up without the demo has no head yet: "system" adds its first one, and only while no
/// event ever added a head.
pub fn prove_head(store: &mut Store, actor: &str, pin: &str, now: DateTime<FixedOffset>) -> AppResult<()> {
    if system_may_act(store, actor)? {
        return Ok(());
    }
    store.check_pin(actor.trim(), pin, now)?;
    let staff = store.staff(actor.trim())?;
    is_head(&staff)
}

/// Whether "system" may act without a PIN (a centre's first head only).
pub fn system_may_act(store: &Store, actor: &str) -> AppResult<bool> {
    Ok(actor.trim() == "system" && !store.head_ever_added()?)
}

/// The signed-in (or proven) staff member is a head.
pub fn is_head(staff: &Staff) -> AppResult<()> {
    match staff.role {
        Role::Head => Ok(()),
        Role::Clerk => Err(AppError::NotHead { name: staff.name.clone() }),
    }
}

/// The approving head's PIN for an act they approve at a clerk's counter (延期, 终止办理,
/// 作废), counted and locked like a sign-in; whether they may approve is the store's to say
/// when the act is recorded.
pub fn approve(store: &mut Store, approver: &str, pin: &str, now: DateTime<FixedOffset>) -> AppResult<()> {
    store.check_pin(approver.trim(), pin, now).map_err(|error| AppError::Approval { who: Who::Approver, error })
}

/// The PC's clock was set back (it had been fast): the head confirms the correction with their
/// PIN, counted like a sign-in, recorded as `clock.confirmed`.
pub fn confirm_clock(store: &mut Store, head: &str, pin: &str, now: DateTime<FixedOffset>) -> AppResult<()> {
    store.check_pin(head.trim(), pin, now).map_err(|error| AppError::Approval { who: Who::Head, error })?;
    Ok(store.confirm_clock(head.trim(), now)?)
}

/// Restores the backup `from` onto the database `db` (damaged, missing or whole), this PC then
/// numbering as `terminal`; another centre's backup only when the head confirmed it.
pub fn restore(
    db: &std::path::Path,
    from: &std::path::Path,
    terminal: &str,
    other_centre: bool,
    now: DateTime<FixedOffset>,
) -> AppResult<(yichuang_core::TerminalId, yichuang_store::RestoreReport)> {
    let terminal = crate::setup::terminal(terminal)?;
    let report = Store::restore_with(db, from, terminal, other_centre, now)?;
    Ok((terminal, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-23T09:00:00+08:00").unwrap()
    }

    #[test]
    fn only_a_head_with_their_own_pin_does_the_head_s_acts() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("centre.db")).unwrap();
        crate::setup::demo_centre(&mut store, now()).unwrap();
        // The demo has a head: "system" may no longer act.
        assert!(!system_may_act(&store, "system").unwrap());
        assert!(prove_head(&mut store, "system", "", now()).is_err());
        prove_head(&mut store, "head", "123456", now()).unwrap();
        let e = prove_head(&mut store, "demo", "123456", now()).unwrap_err();
        assert_eq!((e.code(), e.to_string().as_str()), ("auth.not_head", "李梅没有此操作的权限，须由中心负责人办理"));
        let e = prove_head(&mut store, "head", "654321", now()).unwrap_err();
        assert!(e.to_string().starts_with("工号或密码不对"), "{e}");
        let e = approve(&mut store, "head", "000000", now()).unwrap_err();
        assert!(e.to_string().starts_with("批准人：工号或密码不对"), "{e}");
        approve(&mut store, "head", "123456", now()).unwrap();
    }
}
