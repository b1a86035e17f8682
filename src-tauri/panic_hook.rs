//! What a panic prints: where it happened, and its message only when that is a fixed text.
//!
//! A panic's message is usually formatted from the values at hand (`unwrap` on an error, a
//! request, a response), and in a payment console some of those hold a gateway secret. So
//! paydesk replaces Rust's default hook, which prints the message whole: this one writes the
//! thread and the source location, the message only when it is a literal (a `&'static str`,
//! written in the source, so it can quote no runtime value), and the backtrace when
//! `RUST_BACKTRACE` asks for one (frames name functions and source lines, never values). The
//! same lines go to stderr and, once logging knows the data directory, to `paydesk.log`.
//! `tests/secrets_canary.rs` makes the real binary panic while secrets are loaded and searches
//! what it printed.

use std::io::Write;
use std::panic::PanicHookInfo;
use std::path::PathBuf;
use std::sync::OnceLock;

static LOG_FILE: OnceLock<PathBuf> = OnceLock::new();

/// Replaces the default panic hook for the whole process. Called first thing in `main`.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let report = report(info, backtrace_wanted());
        let _ = std::io::stderr().write_all(report.as_bytes());
        if let Some(path) = LOG_FILE.get() {
            append_to_log(path, &report);
        }
    }));
}

/// Panics from now on are also written to this log file.
pub fn log_to(path: PathBuf) {
    let _ = LOG_FILE.set(path);
}

/// As std decides for its own hook: `RUST_BACKTRACE` set to anything but `0`.
fn backtrace_wanted() -> bool {
    std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0")
}

/// What a panic shows about its message.
fn message(info: &PanicHookInfo<'_>) -> String {
    match info.payload().downcast_ref::<&'static str>() {
        Some(text) => (*text).to_string(),
        None => "(message not shown: it was formatted at run time and may quote data)".to_string(),
    }
}

fn report(info: &PanicHookInfo<'_>, with_backtrace: bool) -> String {
    let thread = std::thread::current();
    let location = info.location().map_or_else(
        || "an unknown place".to_string(),
        |l| format!("{}:{}:{}", l.file(), l.line(), l.column()),
    );
    let mut report = format!(
        "paydesk: internal error (a bug) in thread '{}' at {location}: {}\n",
        thread.name().unwrap_or("<unnamed>"),
        message(info)
    );
    if with_backtrace {
        report.push_str(&format!(
            "stack backtrace:\n{}\n",
            std::backtrace::Backtrace::force_capture()
        ));
    } else {
        report.push_str("note: run with `RUST_BACKTRACE=1` to see a backtrace\n");
    }
    report
}

/// One entry in the log's own line format (time, level, target), the backtrace below it.
fn append_to_log(path: &std::path::Path, report: &str) {
    let Ok(mut file) = std::fs::OpenOptions::new().append(true).open(path) else {
        return;
    };
    let time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let _ = write!(file, "{time} ERROR paydesk::panic: {report}");
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Runs `f`, which panics, under a hook that keeps the report (the process's own hook is
    /// put back afterwards).
    fn report_of(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let kept = Arc::new(Mutex::new(String::new()));
        let into = kept.clone();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            *into.lock().unwrap() = report(info, false);
        }));
        let result = std::panic::catch_unwind(f);
        std::panic::set_hook(previous);
        assert!(result.is_err(), "it panicked");
        let report = kept.lock().unwrap().clone();
        report
    }

    #[test]
    fn a_formatted_message_is_never_shown_a_literal_one_is() {
        let secret = String::from("canary-secret-7f3a");
        let formatted = report_of(|| panic!("cannot sign with {secret}"));
        assert!(!formatted.contains("canary-secret"), "{formatted}");
        assert!(formatted.contains("panic_hook.rs:"), "{formatted}");
        assert!(formatted.contains("message not shown"), "{formatted}");
        let unwrapped = report_of(|| {
            let failed: Result<(), String> = std::hint::black_box(Err("canary-secret-7f3a".into()));
            failed.unwrap();
        });
        assert!(!unwrapped.contains("canary-secret"), "{unwrapped}");
        let literal = report_of(|| panic!("the ledger lock is poisoned"));
        assert!(
            literal.contains(": the ledger lock is poisoned\n"),
            "{literal}"
        );
    }
}
