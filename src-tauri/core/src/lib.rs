//! paydesk's core: the domain (orders, attempts, states), the payment [`engine`], the SQLite
//! [`store`] and the keyring [`vault`]. The shells (window, command line) only translate
//! into calls on this crate.

pub mod app;
pub mod attention;
pub mod audit;
pub mod base_url;
pub mod changes;
pub mod clock;
pub mod console;
pub mod data_set;
pub mod day_comparison;
pub mod day_report;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod export;
pub mod import;
pub mod input_rules;
pub mod merchant;
mod not_recorded;
pub mod off_thread;
#[cfg(test)]
mod order_edit_tests;
pub mod personal_data;
pub mod pricing;
pub mod private_files;
pub mod receipt;
pub mod reconcile;
pub mod report;
pub mod report_papers;
#[cfg(test)]
mod review_tests;
pub mod sandbox_link;
pub mod sender;
pub mod settling;
pub mod shifts;
pub mod store;
/// Fixtures shared by the crate's tests (stores in temporary directories, profiles, orders).
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod unrecorded_answer_tests;
pub mod vault;
pub mod words;

pub use paydesk_gateways as gateways;
pub use paydesk_gateways::{Channel, Currency, Money, MoneyError};
