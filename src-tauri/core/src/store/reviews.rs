//! A person's part: decisions on attempts that need review (kept for good in `reviews`), the
//! evidence a gateway's report adds to an attempt, and settled attempts such a report contests
//! ([`super::journal::reviews`]).

use super::{Result, Store};
use crate::domain::{Attempt, AttemptState};

impl Store {
    /// Records a person's decision on an attempt that needs review, or on a settled one a
    /// gateway's report contradicts, with the note, for good: the review row and the state
    /// change it makes commit together or not at all.
    pub async fn resolve_review(
        &self,
        attempt_id: i64,
        decision: AttemptState,
        note: &str,
    ) -> Result<Attempt> {
        self.decide(attempt_id, decision, note, true).await
    }

    /// [`Store::resolve_review`], and on a pending attempt that cannot settle by itself
    /// (`settles_itself` false: its gateway has no status query) too.
    pub async fn decide(
        &self,
        attempt_id: i64,
        decision: AttemptState,
        note: &str,
        settles_itself: bool,
    ) -> Result<Attempt> {
        let (actor, now) = (self.actor(), self.now().await?);
        let attempt = on_record!(self, |pool, sql| sql::reviews::resolve(
            pool,
            attempt_id,
            decision,
            note,
            settles_itself,
            &actor,
            now
        )
        .await)?;
        self.publish_attempts(vec![attempt_id]).await;
        Ok(attempt)
    }

    /// Keeps a gateway's report about an attempt as evidence in its timeline, its state as it
    /// is: what a person weighs on an attempt that needs review.
    pub async fn add_evidence(&self, attempt_id: i64, evidence: &str) -> Result<Attempt> {
        let (actor, now) = (self.actor(), self.now().await?);
        let attempt = on_record!(self, |pool, sql| sql::reviews::add_evidence(
            pool, attempt_id, evidence, &actor, now
        )
        .await)?;
        self.publish_attempts(vec![attempt_id]).await;
        Ok(attempt)
    }

    /// Marks a settled attempt as contradicted by a gateway's report, with the evidence, for a
    /// person to decide; its state stays as it is until then.
    pub async fn contest(&self, attempt_id: i64, evidence: &str) -> Result<Attempt> {
        let (actor, now) = (self.actor(), self.now().await?);
        let attempt = on_record!(self, |pool, sql| sql::reviews::contest(
            pool, attempt_id, evidence, &actor, now
        )
        .await)?;
        self.publish_attempts(vec![attempt_id]).await;
        Ok(attempt)
    }
}
