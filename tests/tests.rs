#![allow(clippy::unwrap_used)]
//! The one integration test binary (as in ripgrep): real database files, the real `yichuang`
//! binary, and the store library.

mod util;

mod chain;
mod bounds;
mod card;
mod cli;
mod clock;
mod corrupt;
mod crash;
mod edges;
mod fuzz;
mod lan;
mod keys;
mod lifecycle;
mod sms;
mod tolerance;
mod numbering;
mod peers;
mod print;
mod race;
