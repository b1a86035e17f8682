//! The dashboard's totals: takings by channel, state and currency, and what is still open
//! ([`crate::store`]'s `journal::console`).

use paydesk_gateways::Currency;

use super::{corrupt, decimal, Activity, TakingsRow};
use crate::domain::AttemptState;
use crate::store::{Result, Store};

impl Store {
    /// Attempts started at or after `since_ms`, summed by channel, state and currency.
    pub async fn takings(&self, since_ms: i64) -> Result<Vec<TakingsRow>> {
        self.takings_rows(since_ms)
            .await?
            .into_iter()
            .map(|(channel, state, currency_code, count, total)| {
                let currency = Currency::parse(&currency_code).map_err(corrupt)?;
                Ok(TakingsRow {
                    channel,
                    state: AttemptState::parse(&state).ok_or_else(|| corrupt(&state))?,
                    currency: currency_code,
                    count,
                    amount_minor: total,
                    amount: decimal(total, currency),
                })
            })
            .collect()
    }

    pub async fn activity(&self) -> Result<Activity> {
        let unasked: Vec<&str> = paydesk_gateways::GATEWAYS
            .iter()
            .copied()
            .filter(|g| {
                paydesk_gateways::connector_for(g).is_some_and(|c| !c.capabilities().status_query)
            })
            .collect();
        let (open, needs_review, unasked) = self.activity_counts(&unasked).await?;
        Ok(Activity {
            in_flight: open - unasked,
            unasked,
            needs_review,
        })
    }
}
