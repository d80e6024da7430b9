//! The rating screen (评价器): a second window that faces the applicant. Between applicants it
//! shows the centre and the clerk at this window; while the clerk serves, the item; after each
//! service, what was issued (the ID masked) and the five levels of 好差评. The tap is the
//! applicant's: only this window may record it, only for the service the clerk's window just
//! gave, and the clerk's window hears that a rating came in, never which.

use std::sync::Mutex;

use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindowBuilder};

use crate::dto::{ApiError, ApiResult};

/// The window's label, as the capability `capabilities/applicant.json` names it.
pub const LABEL: &str = "applicant";
/// Told to the rating screen: look again.
pub const CHANGED: &str = "screen-changed";
/// Told to the clerk's window: the applicant rated (not how).
pub const RATED: &str = "screen-rated";

/// What the screen is asked to show, beside who is signed in.
#[derive(Default)]
pub struct Screen {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The service just given at this window, waiting for the applicant's tap: its case and
    /// the id of the event that recorded it.
    pending: Option<(String, String)>,
    /// The item the clerk is taking in, shown while they work.
    item: Option<String>,
}

impl Screen {
    fn lock(&self) -> ApiResult<std::sync::MutexGuard<'_, Inner>> {
        self.inner.lock().map_err(|_| ApiError::internal("评价器状态已损坏，请重新启动程序"))
    }
    pub fn pending(&self) -> ApiResult<Option<(String, String)>> {
        Ok(self.lock()?.pending.clone())
    }
    pub fn item(&self) -> ApiResult<Option<String>> {
        Ok(self.lock()?.item.clone())
    }
    /// A service given: the screen asks for its rating (a newer service replaces an unrated one).
    pub fn offer(&self, app: &AppHandle, pending: Option<(String, String)>) -> ApiResult<()> {
        let mut g = self.lock()?;
        g.pending = pending;
        g.item = None;
        drop(g);
        tell(app);
        Ok(())
    }
    /// The clerk takes in the next applicant's item (or clears the form): the last service's
    /// question is withdrawn, so that no one rates another person's service.
    pub fn show_item(&self, app: &AppHandle, item: Option<String>) -> ApiResult<()> {
        let mut g = self.lock()?;
        g.item = item;
        g.pending = None;
        drop(g);
        tell(app);
        Ok(())
    }
    /// The rating of `service_event` taken: back to the welcome, unless a newer service is
    /// waiting already.
    pub fn rated(&self, app: &AppHandle, service_event: &str) -> ApiResult<()> {
        let mut g = self.lock()?;
        if g.pending.as_ref().is_some_and(|(_, e)| e == service_event) {
            g.pending = None;
        }
        drop(g);
        tell(app);
        Ok(())
    }
    /// Someone signed in or out: the screen looks again (a question waiting stays: the
    /// applicant may still answer it).
    pub fn touch(&self, app: &AppHandle) {
        tell(app);
    }
}

/// Whether the rating screen is open at all.
pub fn is_open(app: &AppHandle) -> bool {
    app.get_webview_window(LABEL).is_some()
}

fn tell(app: &AppHandle) {
    if is_open(app) {
        // Nothing but “look again”: the screen asks for what it may show.
        let _ = app.emit_to(LABEL, CHANGED, ());
    }
}

/// Only the rating screen records a rating: the clerk's window (or any other) is refused.
pub fn only_applicant(window: &tauri::Window) -> ApiResult<()> {
    if window.label() == LABEL {
        Ok(())
    } else {
        Err(ApiError::new("screen.not_applicant", "评价只能由申请人在评价器上作出，工作人员不能代为评价"))
    }
}

/// Opens the rating screen when the centre has them (full screen on a second monitor if there
/// is one, a window of its own otherwise), or closes it when the centre has none.
pub fn open(app: &AppHandle, wanted: bool) -> tauri::Result<()> {
    match (wanted, app.get_webview_window(LABEL)) {
        (false, Some(w)) => w.destroy(),
        (true, None) => {
            let mut b = WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("applicant.html".into()))
                .title("一窗通 · 服务评价")
                .inner_size(1024.0, 700.0)
                .focused(false);
            let primary = app.primary_monitor()?;
            let second = app.available_monitors()?.into_iter().find(|m| primary.as_ref().is_none_or(|p| p.position() != m.position()));
            if let Some(m) = second {
                let (pos, scale) = (m.position(), m.scale_factor());
                b = b.position(f64::from(pos.x) / scale, f64::from(pos.y) / scale).fullscreen(true);
            }
            b.build().map(|_| ())
        }
        _ => Ok(()),
    }
}
