//! The dashboard's totals: takings by channel, state and currency, and what is still open.

use paydesk_gateways::Currency;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{corrupt, decimal, Activity, TakingsRow};
use crate::domain::AttemptState;
use crate::store::{Result, Store};

impl Store {
    /// Attempts started at or after `since_ms`, summed by channel, state and currency.
    pub async fn takings(&self, since_ms: i64) -> Result<Vec<TakingsRow>> {
        let rows = sqlx::query(
            "SELECT a.channel, a.state, o.currency, count(*) AS n,
                    sum(a.amount_minor - coalesce(a.gateway_deduction_minor, 0)) AS total
             FROM attempts a JOIN orders o ON o.id = a.order_id
             WHERE a.created_at >= ?
             GROUP BY a.channel, a.state, o.currency
             ORDER BY a.channel, a.state, o.currency",
        )
        .bind(since_ms)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let state: String = row.try_get("state")?;
                let currency_code: String = row.try_get("currency")?;
                let currency = Currency::parse(&currency_code).map_err(corrupt)?;
                let total: i64 = row.try_get("total")?;
                Ok(TakingsRow {
                    channel: row.try_get("channel")?,
                    state: AttemptState::parse(&state).ok_or_else(|| corrupt(&state))?,
                    currency: currency_code,
                    count: row.try_get("n")?,
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
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT
               (SELECT count(*) FROM attempts WHERE state IN ('pending', 'unknown', 'submitting')) AS open,
               (SELECT count(*) FROM attempts WHERE state = 'needs_review')
                 + (SELECT count(*) FROM attempts WHERE contested IS NOT NULL) AS needs_review,
               (SELECT count(*) FROM attempts a JOIN orders o ON o.id = a.order_id
                  JOIN profiles p ON p.id = o.profile_id
                  WHERE a.state = 'pending' AND p.gateway IN ('' ",
        );
        for gateway in unasked {
            q.push(", ").push_bind(gateway);
        }
        q.push(")) AS unasked");
        let row = q.build().fetch_one(self.pool()).await?;
        let open: i64 = row.try_get("open")?;
        let unasked: i64 = row.try_get("unasked")?;
        Ok(Activity {
            in_flight: open - unasked,
            unasked,
            needs_review: row.try_get("needs_review")?,
        })
    }
}
