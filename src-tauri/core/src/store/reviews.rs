//! A person's part: decisions on attempts that need review (kept for good in `reviews`), the
//! evidence a gateway's report adds to an attempt, and settled attempts such a report contests.

use super::{is_unique_violation, now_ms, Result, Store, StoreError};
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = now_ms();
        let current = Self::attempt_in(&mut tx, attempt_id).await?;
        if !current
            .state
            .can_be_decided(current.contested.is_some(), decision)
        {
            return Err(StoreError::BadTransition {
                id: attempt_id,
                from: current.state,
                to: decision,
            });
        }
        let actor = self.actor();
        sqlx::query(
            "INSERT INTO reviews (attempt_id, decision, note, at, desk, operator)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(attempt_id)
        .bind(decision.as_str())
        .bind(note)
        .bind(now)
        .bind(&actor.desk)
        .bind(&actor.operator)
        .execute(&mut *tx)
        .await?;
        let detail = format!("resolved by a person: {note}");
        // Guarded by the state it was read in, the contradiction it answers cleared with it.
        let moved = sqlx::query(
            "UPDATE attempts SET state = ?, updated_at = ?, next_check_at = NULL, contested = NULL
             WHERE id = ? AND state = ? RETURNING *",
        )
        .bind(decision.as_str())
        .bind(now)
        .bind(attempt_id)
        .bind(current.state.as_str())
        .fetch_one(&mut *tx)
        .await;
        let row = match moved {
            Ok(row) => row,
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::BadInput(format!(
                    "attempt {attempt_id} cannot be marked {decision}: another payment of its order is paid or in progress"
                )))
            }
            Err(e) => return Err(e.into()),
        };
        self.add_events(&mut tx, &[(attempt_id, decision, Some(detail))], now)
            .await?;
        tx.commit().await?;
        self.publish_attempts(vec![attempt_id]).await;
        Self::attempt_from_row(&row)
    }

    /// Keeps a gateway's report about an attempt as evidence in its timeline, its state as it
    /// is: what a person weighs on an attempt that needs review.
    pub async fn add_evidence(&self, attempt_id: i64, evidence: &str) -> Result<Attempt> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let attempt = Self::attempt_in(&mut tx, attempt_id).await?;
        self.add_events(
            &mut tx,
            &[(attempt_id, attempt.state, Some(evidence.to_string()))],
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        self.publish_attempts(vec![attempt_id]).await;
        Ok(attempt)
    }

    /// Marks a settled attempt as contradicted by a gateway's report, with the evidence, for a
    /// person to decide; its state stays as it is until then.
    pub async fn contest(&self, attempt_id: i64, evidence: &str) -> Result<Attempt> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = now_ms();
        let row = sqlx::query(
            "UPDATE attempts SET contested = ?, updated_at = ?
             WHERE id = ? AND state IN ('succeeded', 'failed') RETURNING *",
        )
        .bind(evidence)
        .bind(now)
        .bind(attempt_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NoSuchAttempt(attempt_id))?;
        let attempt = Self::attempt_from_row(&row)?;
        self.add_events(
            &mut tx,
            &[(attempt_id, attempt.state, Some(evidence.to_string()))],
            now,
        )
        .await?;
        tx.commit().await?;
        self.publish_attempts(vec![attempt_id]).await;
        Ok(attempt)
    }
}
