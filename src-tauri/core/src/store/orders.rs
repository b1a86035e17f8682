//! Orders: what is owed, by whom, on which profile; read as [`OrderView`]s with the state and
//! channel of their latest attempt ([`super::journal::orders`]).

use std::collections::HashMap;

use super::{NewOrder, Result, Store, StoreError};
use crate::changes::Change;
use crate::domain::{Attempt, OrderChange, OrderTerms, OrderView};

impl Store {
    pub async fn add_order(&self, new: &NewOrder) -> Result<OrderView> {
        crate::input_rules::check_new_order(new).map_err(StoreError::Invalid)?;
        let profile = self.profile(&new.profile).await?;
        let (actor, now) = (self.actor(), self.now().await?);
        on_record!(self, |pool, sql| sql::orders::add(
            pool, new, profile.id, &actor, now
        )
        .await)?;
        self.publish(Change::Orders {
            order_nos: vec![new.order_no.clone()],
        });
        self.order(&new.order_no).await
    }

    /// Gives an unpaid order new terms (checked by the caller), refused when the order was
    /// changed since it was read at `revision`, is paid, has a payment under way or is
    /// cancelled. The same terms again change nothing.
    pub async fn edit_order(
        &self,
        order_no: &str,
        revision: i64,
        terms: &OrderTerms,
    ) -> Result<OrderView> {
        let (actor, now) = (self.actor(), self.now().await?);
        let edited = on_record!(self, |pool, sql| sql::orders::edit(
            pool, order_no, revision, terms, &actor, now
        )
        .await)?;
        if edited {
            self.publish(Change::Orders {
                order_nos: vec![order_no.to_string()],
            });
        }
        self.order(order_no).await
    }

    /// Cancels an unpaid order, with a person's note: kept, never payable again. Returns the
    /// order and whether it was cancelled now (false: it already was).
    pub async fn cancel_order(
        &self,
        order_no: &str,
        note: Option<&str>,
    ) -> Result<(OrderView, bool)> {
        let (actor, now) = (self.actor(), self.now().await?);
        let cancelled = on_record!(self, |pool, sql| sql::orders::cancel(
            pool, order_no, note, &actor, now
        )
        .await)?;
        if cancelled {
            self.publish(Change::Orders {
                order_nos: vec![order_no.to_string()],
            });
        }
        Ok((self.order(order_no).await?, cancelled))
    }

    /// An order's edits and cancellation, oldest first.
    pub async fn order_changes(&self, order: &OrderView) -> Result<Vec<OrderChange>> {
        on_record!(self, |pool, sql| sql::orders::changes_of(pool, order.id)
            .await)
    }

    pub async fn order(&self, order_no: &str) -> Result<OrderView> {
        on_record!(self, |pool, sql| sql::orders::by_number(pool, order_no)
            .await)
    }

    /// The newest orders first, at most `limit`.
    pub async fn orders(&self, limit: i64) -> Result<Vec<OrderView>> {
        on_record!(self, |pool, sql| sql::orders::newest(pool, limit).await)
    }

    /// The order an attempt belongs to.
    pub async fn order_of(&self, attempt: &Attempt) -> Result<OrderView> {
        on_record!(self, |pool, sql| sql::orders::by_id(pool, attempt.order_id)
            .await)
    }

    /// These orders by id.
    pub async fn orders_by_id(&self, order_ids: &[i64]) -> Result<HashMap<i64, OrderView>> {
        on_record!(self, |pool, sql| sql::orders::by_ids(pool, order_ids).await)
    }

    /// Adds these orders (an import's batch) in one durable transaction, each whose number the
    /// store does not have yet; returns the numbers that went in. Publishes nothing: the
    /// import tells its listeners once.
    pub(crate) async fn add_orders(
        &self,
        rows: &[paydesk_rules::parse::OrderCandidate],
    ) -> Result<std::collections::HashSet<String>> {
        let now = self.now().await?;
        on_record!(self, |pool, sql| sql::orders::add_many(pool, rows, now)
            .await)
    }

    /// The order numbers of these attempts, each once.
    pub(super) async fn order_nos_of(&self, attempt_ids: &[i64]) -> Result<Vec<String>> {
        on_record!(self, |pool, sql| sql::orders::numbers_of_attempts(
            pool,
            attempt_ids
        )
        .await)
    }
}
