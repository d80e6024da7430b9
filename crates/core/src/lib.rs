//! The rules of a township service window (乡镇便民服务中心窗口).
//!
//! This crate is pure: it performs no I/O, never reads the clock or the environment, and
//! depends on no crate that does. Time ("today", "now") and the holiday calendar are always
//! passed in by the caller. Every domain value is a newtype built through a parser, so a value
//! that exists is valid; every error is a typed enum whose `Display` is the Chinese message a
//! clerk can act on, and whose `code()` is a stable identifier for programs.

pub mod calendar;
pub mod card;
pub mod case;
pub mod catalogue;
pub mod clock;
pub mod ids;
pub mod intake;
pub mod numbering;
pub mod quality;
pub mod search;
pub mod sms;
pub mod text;
pub mod tolerance;

pub use calendar::{Calendar, CalendarError, DueDate, Limit, LimitUnit, YearArrangement};
pub use case::{CaseAction, CaseState, CaseStatus, TransitionError};
pub use catalogue::{
    CatalogueError, ItemCode, ItemKind, Material, MaterialCode, MaterialForm, Requirement,
    ServiceItem,
};
pub use clock::{CaseClock, ClockError, Extension, Pause, PauseKind, Warning};
pub use ids::{IdNumber, IdNumberError, PersonName, PersonNameError, Phone, PhoneError, Uscc, UsccError};
pub use intake::{Decision, Deficiency, Defect, IntakeError, Presented, Problem, Submission};
pub use numbering::{CaseNumber, CentreCode, DocKind, DocumentNumber, NumberError, TerminalId};
pub use text::{FreeText, TextError};
pub use sms::{Message, Mobile, Notice, SmsError};
pub use quality::{Absence, BadReasons, ComplaintKind, Duty, InquiryScope, QualityError, Rating, Service};
