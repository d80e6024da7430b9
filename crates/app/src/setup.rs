//! A new centre: the window's first start, `yichuang init` and the demo centre. Each is one
//! transaction (`Store::atomically`): a power cut part-way leaves no centre, and it can be done
//! again; nothing is written until every value of the form is parsed.

use chrono::{DateTime, FixedOffset};
use yichuang_core::{CentreCode, PersonName, TerminalId};
use yichuang_store::{Role, Store, DEMO_CATALOGUE};

use crate::{filled, AppError, AppResult, FieldError, Required, Who};

/// The first-start form as typed.
#[derive(Debug, Clone, Default)]
pub struct SetupForm {
    pub centre_code: String,
    pub centre_name: String,
    pub terminal: String,
    pub head_id: String,
    pub head_name: String,
    pub head_pin: String,
    /// All empty: no first clerk.
    pub clerk_id: String,
    pub clerk_name: String,
    pub clerk_pin: String,
    pub printer: String,
    pub stub_copies: bool,
    pub phone: String,
    pub address: String,
}

/// A staff member to add: id, name, first PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    pub id: String,
    pub name: PersonName,
    pub pin: String,
}

/// The first-start form, every value parsed.
#[derive(Debug, Clone)]
pub struct CentreSetup {
    pub code: CentreCode,
    pub name: String,
    pub terminal: TerminalId,
    pub head: NewMember,
    pub clerk: Option<NewMember>,
    pub printer: String,
    pub stub_copies: bool,
    pub phone: String,
    pub address: String,
}

fn member(id: &str, name: &str, pin: &str, who: Who) -> AppResult<NewMember> {
    let name = PersonName::parse(name).map_err(|e| AppError::field(who)(FieldError::Name(e)))?;
    yichuang_store::pin_rule(pin).map_err(|error| AppError::Pin { who, error })?;
    Ok(NewMember { id: id.trim().to_owned(), name, pin: pin.trim().to_owned() })
}

impl SetupForm {
    /// Everything checked before anything is written.
    pub fn parse(&self) -> AppResult<CentreSetup> {
        let code = CentreCode::parse(self.centre_code.trim())?;
        let terminal = TerminalId::parse(self.terminal.trim())?;
        let name = filled(&self.centre_name).ok_or(AppError::Missing(Required::CentreName))?.to_owned();
        if filled(&self.head_id).is_none() {
            return Err(AppError::Missing(Required::HeadId));
        }
        let head = member(&self.head_id, &self.head_name, &self.head_pin, Who::Head)?;
        let clerk = if filled(&self.clerk_id).is_none() && filled(&self.clerk_name).is_none() {
            None
        } else {
            if self.clerk_id.trim() == head.id {
                return Err(AppError::SameStaffId);
            }
            Some(member(&self.clerk_id, &self.clerk_name, &self.clerk_pin, Who::Clerk)?)
        };
        Ok(CentreSetup {
            code,
            name,
            terminal,
            head,
            clerk,
            printer: self.printer.trim().to_owned(),
            stub_copies: self.stub_copies,
            phone: self.phone.trim().to_owned(),
            address: self.address.trim().to_owned(),
        })
    }
}

/// The window's first start: the centre, this terminal, the bundled catalogue (until HQ sends
/// the county's own), the station head, a first clerk and the printer, in one transaction.
pub fn first_start(store: &mut Store, setup: CentreSetup, now: DateTime<FixedOffset>) -> AppResult<()> {
    Ok(store.atomically(|s| {
        s.initialise(setup.code, &setup.name, setup.terminal, now)?;
        s.import_catalogue("system", DEMO_CATALOGUE, now)?;
        s.add_staff("system", &setup.head.id, setup.head.name.as_str(), Role::Head, Some(&setup.head.pin), now)?;
        if let Some(c) = &setup.clerk {
            s.add_staff(&setup.head.id, &c.id, c.name.as_str(), Role::Clerk, Some(&c.pin), now)?;
        }
        let mut settings = s.centre()?.settings.clone();
        settings.printer = setup.printer;
        settings.stub_copies = setup.stub_copies;
        settings.phone = setup.phone;
        settings.address = setup.address;
        s.update_settings(&setup.head.id, settings, now)
    })?)
}

/// A terminal number as typed (`01`–`99`).
pub fn terminal(text: &str) -> AppResult<TerminalId> {
    Ok(TerminalId::parse(text.trim())?)
}

/// The centre and this terminal, parsed (for `yichuang init`, before any file is made).
#[derive(Debug, Clone)]
pub struct NewCentre {
    pub code: CentreCode,
    pub name: String,
    pub terminal: TerminalId,
}

impl NewCentre {
    pub fn parse(code: &str, name: &str, terminal: &str) -> AppResult<Self> {
        Ok(Self {
            code: CentreCode::parse(code.trim())?,
            name: filled(name).ok_or(AppError::Missing(Required::CentreName))?.to_owned(),
            terminal: self::terminal(terminal)?,
        })
    }
}

/// `yichuang init`: the centre and this terminal (with `demo`, the demo catalogue and staff
/// too), in one transaction. Staff are added afterwards by `staff add`.
pub fn init(store: &mut Store, centre: &NewCentre, demo: bool, now: DateTime<FixedOffset>) -> AppResult<()> {
    Ok(store.atomically(|s| {
        s.initialise(centre.code.clone(), &centre.name, centre.terminal, now)?;
        if demo {
            s.load_demo(now)?;
        }
        Ok(())
    })?)
}

/// The demo centre (示范镇便民服务中心, terminal 01; the demo catalogue, staff 王建国, 李梅 and
/// 张磊 with PIN 123456); refused on a database that has a centre.
pub fn demo_centre(store: &mut Store, now: DateTime<FixedOffset>) -> AppResult<()> {
    init(store, &NewCentre::parse("450821102", "示范镇便民服务中心", "01")?, true, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SetupForm {
        SetupForm {
            centre_code: "530621100000".into(),
            centre_name: " 乐居镇便民服务中心 ".into(),
            terminal: "01".into(),
            head_id: "head".into(),
            head_name: "王建国".into(),
            head_pin: "246810".into(),
            stub_copies: true,
            ..Default::default()
        }
    }

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-23T09:00:00+08:00").unwrap()
    }

    #[test]
    fn the_first_start_form_is_checked_whole_before_anything_is_written() {
        let s = form().parse().unwrap();
        // The 12-digit 统计用区划代码 is the township.
        assert_eq!((s.code.as_str(), s.name.as_str(), s.clerk.is_none()), ("530621100", "乐居镇便民服务中心", true));
        let mut f = form();
        f.head_pin = "1234".into();
        assert_eq!(f.parse().unwrap_err().to_string(), "负责人的密码应为6到12位数字");
        let mut f = form();
        f.clerk_id = "head".into();
        f.clerk_name = "李梅".into();
        f.clerk_pin = "135790".into();
        assert_eq!(f.parse().unwrap_err().code(), "setup.clerk_id");
        f.clerk_id = "demo".into();
        f.clerk_pin = "12".into();
        assert_eq!(f.parse().unwrap_err().to_string(), "窗口工作人员的密码应为6到12位数字");
        let mut f = form();
        f.centre_name = " ".into();
        assert_eq!(f.parse().unwrap_err().to_string(), "请填写中心名称");
    }

    #[test]
    fn a_first_start_is_one_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("centre.db");
        let mut store = Store::open(&path).unwrap();
        // The clerk's id is the head's once the head is added: refused by the store inside the
        // transaction, after the centre row was written, so nothing of it may stay.
        let mut f = form();
        f.clerk_id = "demo".into();
        f.clerk_name = "李梅".into();
        f.clerk_pin = "135790".into();
        let mut setup = f.parse().unwrap();
        setup.clerk.as_mut().unwrap().id = "head".into();
        assert!(first_start(&mut store, setup, now()).is_err());
        assert!(store.centre().is_err(), "a failed first start left a centre");
        first_start(&mut store, f.parse().unwrap(), now()).unwrap();
        assert_eq!(store.staff_list().unwrap().len(), 2);
        assert!(store.centre().unwrap().settings.stub_copies);
        // Done once only.
        assert_eq!(first_start(&mut store, f.parse().unwrap(), now()).unwrap_err().code(), "store.already_initialised");
        // The demo centre is not laid over a centre.
        assert_eq!(demo_centre(&mut store, now()).unwrap_err().code(), "store.already_initialised");
        assert_eq!(store.centre().unwrap().name, "乐居镇便民服务中心");
    }
}
