//! The console's reads the store of record answers ([`super::journal::console`],
//! [`super::journal::history`]), for `console` and the history.

use super::{Result, Store};

impl Store {
    /// `(the order, what matched, its value)` for each order a lookup finds, best first.
    pub(crate) async fn lookup_hits(
        &self,
        text: &str,
        end: &str,
        limit: i64,
    ) -> Result<Vec<(crate::domain::OrderView, String, String)>> {
        on_record!(self, |pool, sql| sql::console::lookup(
            pool, text, end, limit
        )
        .await)
    }

    /// The orders of these amounts added in `[since, until)`, newest first.
    pub(crate) async fn amount_hits(
        &self,
        amounts: &[(Vec<String>, i64)],
        since: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<crate::domain::OrderView>> {
        on_record!(self, |pool, sql| sql::console::by_amount(
            pool, amounts, since, until, limit
        )
        .await)
    }

    /// Paid attempts in `[since_ms, until_ms)` by gateway, currency and day (on a clock
    /// `offset_ms` ahead of UTC).
    pub(crate) async fn daily_rows(
        &self,
        since_ms: i64,
        until_ms: i64,
        offset_ms: i64,
    ) -> Result<Vec<(String, String, i64, i64, i64)>> {
        let counts_sandbox = self.counts_sandbox();
        on_record!(self, |pool, sql| sql::console::daily(
            pool,
            since_ms,
            until_ms,
            offset_ms,
            counts_sandbox
        )
        .await)
    }

    pub(crate) async fn takings_rows(
        &self,
        since_ms: i64,
    ) -> Result<Vec<(String, String, String, String, i64, i64)>> {
        let counts_sandbox = self.counts_sandbox();
        on_record!(self, |pool, sql| sql::console::takings(
            pool,
            since_ms,
            counts_sandbox
        )
        .await)
    }

    /// The attempts started in `[since_ms, until_ms)` by gateway, channel, state, currency and
    /// whether they started before `cut_ms`.
    pub(crate) async fn day_attempt_rows(
        &self,
        since_ms: i64,
        cut_ms: i64,
        until_ms: i64,
    ) -> Result<Vec<(String, String, String, String, bool, i64, i64)>> {
        let counts_sandbox = self.counts_sandbox();
        on_record!(self, |pool, sql| sql::console::day_attempts(
            pool,
            since_ms,
            cut_ms,
            until_ms,
            counts_sandbox
        )
        .await)
    }

    /// The attempts started in `[since_ms, until_ms)` that failed, by gateway and code.
    pub(crate) async fn day_failure_rows(
        &self,
        since_ms: i64,
        until_ms: i64,
    ) -> Result<Vec<(String, Option<String>, i64, Option<String>)>> {
        let counts_sandbox = self.counts_sandbox();
        on_record!(self, |pool, sql| sql::console::day_failures(
            pool,
            since_ms,
            until_ms,
            counts_sandbox
        )
        .await)
    }

    pub(crate) async fn activity_counts(&self, unasked: &[&str]) -> Result<(i64, i64, i64)> {
        on_record!(self, |pool, sql| sql::console::activity(pool, unasked)
            .await)
    }

    /// The desks that took orders' latest payments, by name: what the list's desk filter
    /// offers.
    pub async fn desks(&self) -> Result<Vec<String>> {
        on_record!(self, |pool, sql| sql::console::desks(pool).await)
    }
}
