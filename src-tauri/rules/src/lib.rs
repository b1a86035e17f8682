//! What paydesk accepts, with no store, no I/O and no runtime: the checks every door applies
//! to an order and a secret ([`input_rules`]), and the import's parsing layer ([`parse`]: a
//! file's bytes → order candidates the store accepts, or per-row refusals).
//!
//! A crate of its own so the fuzz targets build it without SQLite, the keyring or the async
//! runtime. paydesk-core depends on it and re-exports both modules where they always were
//! (`paydesk_core::input_rules`, `paydesk_core::import::parse`).

pub mod input_rules;
pub mod parse;
