//! The one error that crosses IPC, and the one table from the core's error kinds to it.

use paydesk_core::app::payments::QuoteError;
use paydesk_core::app::ErrorKind;
use paydesk_core::engine::PayError;
use paydesk_core::store::StoreError;
use paydesk_core::vault::VaultError;
use serde::Serialize;
use ts_rs::TS;

/// An error crossing IPC: a stable kind for the UI to branch on and a readable message.
#[derive(Debug, Clone, Serialize, TS)]
pub struct IpcError {
    pub kind: &'static str,
    pub message: String,
}

impl IpcError {
    fn of(kind: ErrorKind, message: String) -> Self {
        IpcError {
            kind: kind.as_str(),
            message,
        }
    }
}

impl From<StoreError> for IpcError {
    fn from(e: StoreError) -> Self {
        IpcError::of(e.kind(), e.to_string())
    }
}

impl From<PayError> for IpcError {
    fn from(e: PayError) -> Self {
        IpcError::of(e.kind(), e.to_string())
    }
}

impl From<QuoteError> for IpcError {
    fn from(e: QuoteError) -> Self {
        match e {
            QuoteError::Store(s) => s.into(),
            QuoteError::Refused(message) => refused(message),
        }
    }
}

impl From<VaultError> for IpcError {
    fn from(e: VaultError) -> Self {
        IpcError::of(e.kind(), e.to_string())
    }
}

pub(crate) fn refused(message: impl Into<String>) -> IpcError {
    IpcError::of(ErrorKind::Refused, message.into())
}
