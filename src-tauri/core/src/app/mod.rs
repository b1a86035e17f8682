//! The operations the window and the command line both offer, each in one place with every
//! rule it obeys, so that the two shells only translate (their arguments in, their errors
//! out). Every operation returns [`AppError`].

pub mod attention;
pub mod audit;
pub mod connection;
pub mod dashboard;
pub mod desk;
pub mod error;
pub mod gateways;
pub mod lookups;
pub mod merchant;
pub mod orders;
pub mod papers;
pub mod payments;
pub mod profiles;
pub mod secrets;
pub mod shared_store;
pub mod shifts;
pub mod status;

pub use error::{AppError, ErrorKind, Problem, Result};
