//! Panic points for tests, in debug builds only: with `PAYDESK_TEST_PANIC=<point>` in its
//! environment a debug build of paydesk panics at that point, with a message quoting what it
//! holds there (the worst a careless `unwrap` could do), so `tests/secrets_canary.rs` can show
//! that a panic while secrets are loaded prints none of them. Release builds have no points:
//! the call compiles to nothing and the variable is never read.
//!
//! Points: `send` ([`crate::transport::Transport::send`], the request in hand), `vault_get`
//! and `vault_set` (paydesk-core's keyring vault, the secret in hand).

/// The variable naming the point to panic at.
pub const VARIABLE: &str = "PAYDESK_TEST_PANIC";

/// Panics with `message()` when the test asked for this point (reported at the caller).
#[cfg(debug_assertions)]
#[track_caller]
pub fn point(name: &str, message: impl FnOnce() -> String) {
    if std::env::var_os(VARIABLE).is_some_and(|asked| asked == name) {
        panic!("{}", message());
    }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn point(_name: &str, _message: impl FnOnce() -> String) {}
