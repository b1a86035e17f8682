//! Orders: what is owed, by whom, on which profile; read as [`OrderView`]s with the state and
//! channel of their latest attempt.

use std::collections::HashMap;

use paydesk_gateways::{Currency, Money};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::{is_unique_violation, json_map, now_ms, to_json, NewOrder, Result, Store, StoreError};
use crate::changes::Change;
use crate::domain::{Attempt, AttemptState, OrderView};

impl Store {
    pub async fn add_order(&self, new: &NewOrder) -> Result<OrderView> {
        crate::input_rules::check_new_order(new).map_err(StoreError::BadInput)?;
        let profile = self.profile(&new.profile).await?;
        let inserted = sqlx::query(
            "INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&new.order_no)
        .bind(profile.id)
        .bind(new.amount.minor)
        .bind(new.amount.currency.code())
        .bind(&new.subject)
        .bind(to_json(&new.attributes))
        .bind(now_ms())
        .execute(&self.pool)
        .await;
        match inserted {
            Err(e) if is_unique_violation(&e) => {
                Err(StoreError::DuplicateOrder(new.order_no.clone()))
            }
            Err(e) => Err(e.into()),
            Ok(_) => {
                self.publish(Change::Orders {
                    order_nos: vec![new.order_no.clone()],
                });
                self.order(&new.order_no).await
            }
        }
    }

    pub(super) const ORDER_VIEW: &'static str = "
        SELECT o.id, o.order_no, o.amount_minor, o.currency, o.subject, o.attributes, o.created_at,
               p.name AS profile, p.gateway, p.is_sandbox,
               a.state, a.channel, COALESCE(a.updated_at, o.created_at) AS updated_at
        FROM orders o
        JOIN profiles p ON p.id = o.profile_id
        LEFT JOIN attempts a ON a.id = (SELECT max(id) FROM attempts WHERE order_id = o.id)";

    fn order_from_row(row: &SqliteRow) -> Result<OrderView> {
        let currency_code: String = row.try_get("currency")?;
        let currency =
            Currency::parse(&currency_code).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let amount_minor: i64 = row.try_get("amount_minor")?;
        let state: Option<String> = row.try_get("state")?;
        Ok(OrderView {
            id: row.try_get("id")?,
            order_no: row.try_get("order_no")?,
            profile: row.try_get("profile")?,
            gateway: row.try_get("gateway")?,
            is_sandbox: row.try_get("is_sandbox")?,
            amount_minor,
            currency: currency_code,
            amount: Money::from_minor(amount_minor, currency).to_decimal_string(),
            subject: row.try_get("subject")?,
            attributes: json_map(row.try_get("attributes")?)?,
            state: state
                .map(|s| {
                    AttemptState::parse(&s)
                        .ok_or_else(|| StoreError::Corrupt(format!("state {s:?}")))
                })
                .transpose()?,
            channel: row.try_get("channel")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    pub async fn order(&self, order_no: &str) -> Result<OrderView> {
        let row = sqlx::query(&format!("{} WHERE o.order_no = ?", Self::ORDER_VIEW))
            .bind(order_no)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NoSuchOrder(order_no.to_string()))?;
        Self::order_from_row(&row)
    }

    /// The newest orders first, at most `limit`.
    pub async fn orders(&self, limit: i64) -> Result<Vec<OrderView>> {
        sqlx::query(&format!("{} ORDER BY o.id DESC LIMIT ?", Self::ORDER_VIEW))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(Self::order_from_row)
            .collect()
    }

    /// The order an attempt belongs to.
    pub async fn order_of(&self, attempt: &Attempt) -> Result<OrderView> {
        let order_no: String = sqlx::query_scalar("SELECT order_no FROM orders WHERE id = ?")
            .bind(attempt.order_id)
            .fetch_one(&self.pool)
            .await?;
        self.order(&order_no).await
    }

    /// These orders by id, in one query.
    pub async fn orders_by_id(&self, order_ids: &[i64]) -> Result<HashMap<i64, OrderView>> {
        sqlx::query(&format!(
            "{} WHERE o.id IN (SELECT value FROM json_each(?))",
            Self::ORDER_VIEW
        ))
        .bind(serde_json::to_string(order_ids).expect("ids serialize"))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| Self::order_from_row(row).map(|order| (order.id, order)))
        .collect()
    }

    /// The order numbers of these attempts, each once.
    pub(super) async fn order_nos_of(&self, attempt_ids: &[i64]) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT o.order_no FROM attempts a JOIN orders o ON o.id = a.order_id
             WHERE a.id IN (SELECT value FROM json_each(?))",
        )
        .bind(serde_json::to_string(attempt_ids).expect("ids serialize"))
        .fetch_all(&self.pool)
        .await?)
    }
}
