//! The operations the window and the command line both offer, each in one place with every
//! rule it obeys, so that the two shells only translate (their arguments in, their errors out).
//! It grows operation by operation.

pub mod gateways;
pub mod orders;
pub mod payments;
pub mod profiles;

use crate::engine::PayError;
use crate::store::StoreError;
use crate::vault::VaultError;

/// What kind of failure an operation met, the one classification both shells translate
/// (the window into an IPC error's kind, the command line into an exit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Refused before anything was changed or sent: bad input, a rule.
    Refused,
    NotFound,
    /// A payment for the order is being sent or waits for its answer.
    InProgress,
    AlreadyPaid,
    Duplicate,
    /// The OS keyring could not be used.
    Keyring,
    /// paydesk could not do it (the database, the disk): not the caller's input.
    Internal,
}

impl ErrorKind {
    /// The stable name the window branches on.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorKind::Refused => "refused",
            ErrorKind::NotFound => "not_found",
            ErrorKind::InProgress => "in_progress",
            ErrorKind::AlreadyPaid => "already_paid",
            ErrorKind::Duplicate => "duplicate",
            ErrorKind::Keyring => "keyring",
            ErrorKind::Internal => "internal",
        }
    }
}

impl StoreError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::NoSuchOrder(_)
            | StoreError::NoSuchProfile(_)
            | StoreError::NoSuchAttempt(_) => ErrorKind::NotFound,
            StoreError::AttemptInProgress(_) => ErrorKind::InProgress,
            StoreError::AlreadyPaid(_) => ErrorKind::AlreadyPaid,
            StoreError::DuplicateOrder(_) | StoreError::DuplicateProfile(_) => ErrorKind::Duplicate,
            StoreError::BadBaseUrl(_) | StoreError::BadInput(_) => ErrorKind::Refused,
            _ => ErrorKind::Internal,
        }
    }
}

impl VaultError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            VaultError::BadSecret(_) => ErrorKind::Refused,
            VaultError::Unavailable(_) | VaultError::Refused(_) => ErrorKind::Keyring,
        }
    }
}

impl PayError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            PayError::Refused(_) => ErrorKind::Refused,
            PayError::Store(e) => e.kind(),
            PayError::Vault(e) => e.kind(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_has_one_kind_both_shells_translate() {
        let table = [
            (PayError::Refused("no".into()), ErrorKind::Refused),
            (StoreError::BadInput("no".into()).into(), ErrorKind::Refused),
            (
                StoreError::BadBaseUrl("no".into()).into(),
                ErrorKind::Refused,
            ),
            (
                StoreError::NoSuchOrder("o".into()).into(),
                ErrorKind::NotFound,
            ),
            (StoreError::NoSuchAttempt(1).into(), ErrorKind::NotFound),
            (
                StoreError::AttemptInProgress("o".into()).into(),
                ErrorKind::InProgress,
            ),
            (
                StoreError::AlreadyPaid("o".into()).into(),
                ErrorKind::AlreadyPaid,
            ),
            (
                StoreError::DuplicateProfile("p".into()).into(),
                ErrorKind::Duplicate,
            ),
            (
                StoreError::DiskFull("full".into()).into(),
                ErrorKind::Internal,
            ),
            (StoreError::Corrupt("x".into()).into(), ErrorKind::Internal),
            (
                VaultError::BadSecret("short".into()).into(),
                ErrorKind::Refused,
            ),
            (
                VaultError::Unavailable("no bus".into()).into(),
                ErrorKind::Keyring,
            ),
            (
                VaultError::Refused("locked".into()).into(),
                ErrorKind::Keyring,
            ),
        ];
        for (error, kind) in table {
            assert_eq!(error.kind(), kind, "{error}");
        }
        assert_eq!(ErrorKind::InProgress.as_str(), "in_progress");
    }
}
