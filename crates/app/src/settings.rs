//! A change of the centre's settings. The store judges every value (`Store::update_settings`:
//! bounds, the printer encoding, the county's key and root certificate, the LAN address); here a
//! change is laid over the stored settings, the same way for the command line's `KEY=VALUE` and
//! the window's Settings form.

use serde_json::Value;
use yichuang_store::Settings;

use crate::{AppError, AppResult};

/// `KEY=VALUE` (the command line's `settings --set`): a true/false, a number or a text by the
/// setting's kind; `KEY=@FILE` takes a text setting from a file (a certificate, a key).
pub fn set_one(current: &Settings, assignment: &str) -> AppResult<Settings> {
    let (key, value) = assignment.split_once('=').ok_or(AppError::SettingForm)?;
    let (key, value) = (key.trim(), value.trim());
    let mut all = serde_json::to_value(current).map_err(|e| AppError::File { what: "设置".into(), reason: e.to_string() })?;
    let old = all.get(key).cloned().ok_or_else(|| AppError::UnknownSetting(key.to_owned()))?;
    let bad = |kind: &'static str| AppError::SettingValue { key: key.to_owned(), kind, given: value.to_owned() };
    let new = match old {
        Value::Bool(_) => match value {
            "true" | "1" | "是" => Value::Bool(true),
            "false" | "0" | "否" => Value::Bool(false),
            _ => return Err(bad("true或false")),
        },
        Value::Number(_) => Value::from(value.parse::<u32>().map_err(|_| bad("非负整数"))?),
        _ => match value.strip_prefix('@') {
            Some(file) => Value::from(
                std::fs::read_to_string(file.trim())
                    .map_err(|e| AppError::File { what: format!("无法读取{}", file.trim()), reason: yichuang_store::io_reason(&e) })?,
            ),
            None => Value::from(value),
        },
    };
    all[key] = new;
    serde_json::from_value(all).map_err(|_| bad("该设置的取值"))
}

/// The window's Settings form: each `None` leaves its setting as it is.
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    pub warning_days: Option<u32>,
    pub stub_copies: Option<bool>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub printer: Option<String>,
    pub slip_printer: Option<String>,
    pub slip_encoding: Option<String>,
    pub hq_public_key: Option<String>,
    pub peer_listen: Option<String>,
    pub hq_ca: Option<String>,
    pub idle_lock_minutes: Option<u32>,
    pub bar_broken_commitments: Option<bool>,
    pub rating_screen: Option<bool>,
    pub card_reader_lib: Option<String>,
    pub card_reader_port: Option<u32>,
}

impl SettingsChange {
    /// The change laid over `s` (texts trimmed); the store judges the result.
    pub fn apply(self, mut s: Settings) -> Settings {
        fn set<T>(slot: &mut T, v: Option<T>) {
            if let Some(v) = v {
                *slot = v;
            }
        }
        let text = |v: Option<String>| v.map(|t| t.trim().to_owned());
        set(&mut s.warning_days, self.warning_days);
        set(&mut s.stub_copies, self.stub_copies);
        set(&mut s.phone, text(self.phone));
        set(&mut s.address, text(self.address));
        set(&mut s.printer, text(self.printer));
        set(&mut s.slip_printer, text(self.slip_printer));
        set(&mut s.slip_encoding, text(self.slip_encoding));
        set(&mut s.hq_public_key, text(self.hq_public_key));
        set(&mut s.peer_listen, text(self.peer_listen));
        set(&mut s.hq_ca, text(self.hq_ca));
        set(&mut s.idle_lock_minutes, self.idle_lock_minutes);
        set(&mut s.bar_broken_commitments, self.bar_broken_commitments);
        set(&mut s.rating_screen, self.rating_screen);
        set(&mut s.card_reader_lib, text(self.card_reader_lib));
        set(&mut s.card_reader_port, self.card_reader_port);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_key_is_set_by_its_kind_and_a_wrong_one_is_named() {
        let s = Settings::default();
        assert_eq!(set_one(&s, "warning_days = 3").unwrap().warning_days, 3);
        assert!(set_one(&s, "stub_copies=否").map(|s| !s.stub_copies).unwrap());
        assert_eq!(set_one(&s, "phone=0775-1234567").unwrap().phone, "0775-1234567");
        assert_eq!(set_one(&s, "colour=red").unwrap_err().to_string(), "没有名为“colour”的设置");
        assert_eq!(set_one(&s, "warning_days=three").unwrap_err().to_string(), "设置“warning_days”应为非负整数，“three”不是");
        // A true/false is one of the words, never "anything else is false".
        assert_eq!(set_one(&s, "stub_copies=maybe").unwrap_err().code(), "settings.key");
        assert!(set_one(&s, "warning_days").is_err());
        assert!(set_one(&s, "hq_ca=@/nonexistent/ca.pem").unwrap_err().to_string().starts_with("无法读取/nonexistent/ca.pem"));
    }

    #[test]
    fn a_form_changes_only_what_it_carries() {
        let s = Settings::default();
        let changed = SettingsChange { printer: Some("  HP ".into()), idle_lock_minutes: Some(7), ..Default::default() }.apply(s.clone());
        assert_eq!((changed.printer.as_str(), changed.idle_lock_minutes), ("HP", 7));
        assert_eq!((changed.hq_ca, changed.warning_days, changed.phone), (s.hq_ca, s.warning_days, s.phone));
    }
}
