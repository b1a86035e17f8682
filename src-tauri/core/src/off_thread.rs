//! Blocking work (keyring calls, file checks) run off the async threads, with an error that
//! never quotes a panic's message: tokio's `JoinError` does, and the task may have been holding
//! a secret. The panic hook has already logged where the panic happened.

use std::fmt;

/// A blocking task that did not finish: it panicked, or the runtime was shutting down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskStopped {
    what: &'static str,
    panicked: bool,
}

impl fmt::Display for TaskStopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.panicked {
            write!(
                f,
                "{} stopped on an internal error (see paydesk.log)",
                self.what
            )
        } else {
            write!(f, "{} was cancelled", self.what)
        }
    }
}

impl std::error::Error for TaskStopped {}

/// Runs `work` on tokio's blocking pool. `what` names it for the error ("the keyring call").
pub async fn run<T: Send + 'static>(
    what: &'static str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, TaskStopped> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| TaskStopped {
            what,
            panicked: e.is_panic(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_is_named_but_never_quoted() {
        let stopped = run("the keyring call", || -> u8 {
            std::panic::panic_any(String::from("holding hunter2"))
        })
        .await
        .unwrap_err();
        let shown = format!("{stopped} {stopped:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(
            stopped.to_string(),
            "the keyring call stopped on an internal error (see paydesk.log)"
        );
        assert_eq!(run("a check", || 7).await, Ok(7));
    }
}
