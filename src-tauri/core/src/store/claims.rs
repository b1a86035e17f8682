//! Claims on open attempts ([`super::journal::claims`]): who is settling one, where, and until
//! when.

use super::{Result, Store};
use crate::domain::Attempt;

/// A reconciler claiming attempts: its sender's id, its desk, and how long it may hold them.
#[derive(Debug, Clone, Copy)]
pub struct Claimant<'a> {
    pub id: &'a str,
    pub desk: &'a str,
    pub lease_ms: i64,
}

/// A claim someone holds on an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub by: String,
    pub desk: Option<String>,
    pub until: i64,
}

/// What claiming every open attempt found: the ones claimed, as they are now, and the first
/// open one another claimant holds.
#[derive(Debug)]
pub struct OpenClaimed {
    pub claimed: Vec<Attempt>,
    pub held: Option<i64>,
}

impl Store {
    /// Claims those of these attempts nobody else holds; returns them as they are now.
    pub async fn claim(
        &self,
        attempt_ids: &[i64],
        claimant: &Claimant<'_>,
    ) -> Result<Vec<Attempt>> {
        if attempt_ids.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now().await?;
        on_record!(self, |pool, sql| sql::claims::claim(
            pool,
            attempt_ids,
            claimant,
            now
        )
        .await)
    }

    /// Claims every pending or unknown attempt nobody else holds, whenever it is due, and
    /// those of `also` nobody else holds (sends taken over), as the claimant `claimant_of`
    /// makes for that many attempts; returns them as they are now.
    pub async fn claim_open<'a>(
        &self,
        also: &[i64],
        claimant_of: impl Fn(usize) -> Claimant<'a>,
    ) -> Result<OpenClaimed> {
        let now = self.now().await?;
        on_record!(self, |pool, sql| sql::claims::claim_open(
            pool,
            also,
            &claimant_of,
            now
        )
        .await)
    }

    /// Claims up to `limit` attempts due for a status check now that nobody else holds.
    pub async fn claim_due(&self, claimant: &Claimant<'_>, limit: i64) -> Result<Vec<Attempt>> {
        let now = self.now().await?;
        on_record!(self, |pool, sql| sql::claims::claim_due(
            pool, claimant, now, limit
        )
        .await)
    }

    /// Gives up `claimant_id`'s claims on these attempts.
    pub async fn release_claims(&self, attempt_ids: &[i64], claimant_id: &str) -> Result<()> {
        if attempt_ids.is_empty() {
            return Ok(());
        }
        on_record!(self, |pool, sql| sql::claims::release(
            pool,
            attempt_ids,
            claimant_id
        )
        .await)
    }

    /// Who holds a claim on the attempt now, if anyone does.
    pub async fn claim_holder(&self, attempt_id: i64) -> Result<Option<Claim>> {
        let now = self.now().await?;
        on_record!(self, |pool, sql| sql::claims::holder(pool, attempt_id, now)
            .await)
    }
}
