//! The one error that crosses IPC, and the one table from the application layer's errors to
//! it: the kind the window branches on, the problem's stable code and parameters it words in
//! the person's language, and the English message it falls back on.

use paydesk_core::app::{AppError, ErrorKind, Problem};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(flatten)]
    pub problem: Problem,
}

impl From<AppError> for IpcError {
    fn from(e: AppError) -> Self {
        IpcError {
            kind: e.kind(),
            message: e.message,
            problem: e.problem,
        }
    }
}

pub(crate) fn refused(message: impl Into<String>) -> IpcError {
    AppError::refused(message).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use paydesk_core::store::StoreError;

    #[test]
    fn an_error_crosses_ipc_as_its_kind_code_parameters_and_message() {
        let e: IpcError = AppError::from(StoreError::AttemptInProgress {
            order_no: "O-1".into(),
            desk: Some("desk-2".into()),
            operator: Some("lin".into()),
        })
        .into();
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({
                "kind": "in_progress",
                "message": "a payment for order \"O-1\" is already in progress at desk-2 (lin)",
                "code": "payment_in_progress",
                "params": {"order_no": "O-1", "desk": "desk-2", "operator": "lin"},
            })
        );
    }
}
