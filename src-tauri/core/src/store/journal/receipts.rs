//! Receipts' SQL (crate::receipt): the paid attempt an order's receipt shows, and each receipt
//! issued, with its audit entry in the same transaction, so a reprint knows it is a copy.

use sqlx::Row as _;

use super::attempts::from_row as attempt_from_row;
use super::{Db, Pool};
use crate::audit::{AuditAction, Audited};
use crate::domain::{Actor, AttemptState};
use crate::receipt::PaidOrder;
use crate::store::dialect::Dialect;
use crate::store::{Result, StoreError};

/// The order's paid attempt with what a receipt prints of its order and profile: refused
/// when there is no such order, or nothing of it is paid (or its payment is contested).
pub(in crate::store) async fn paid_order(pool: &Pool, order_no: &str) -> Result<PaidOrder> {
    let order = sqlx::query("SELECT id FROM orders WHERE order_no = $1")
        .bind(order_no)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| StoreError::NoSuchOrder(order_no.to_string()))?;
    let order_id: i64 = order.try_get("id")?;
    let row = sqlx::query(
        "SELECT a.*, o.order_no, o.subject, o.currency, o.amount_minor AS order_amount_minor,
                p.gateway, p.name AS profile,
                p.is_sandbox
         FROM attempts a JOIN orders o ON o.id = a.order_id JOIN profiles p ON p.id = o.profile_id
         WHERE a.order_id = $1 AND a.state = $2 AND a.contested IS NULL
         ORDER BY a.id DESC LIMIT 1",
    )
    .bind(order_id)
    .bind(AttemptState::Succeeded.as_str())
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| StoreError::NotPaid(order_no.to_string()))?;
    Ok(PaidOrder {
        attempt: attempt_from_row(&row)?,
        order_no: row.try_get("order_no")?,
        subject: row.try_get("subject")?,
        currency: row.try_get("currency")?,
        order_amount_minor: row.try_get("order_amount_minor")?,
        gateway: row.try_get("gateway")?,
        profile: row.try_get("profile")?,
        sandbox: row.try_get("is_sandbox")?,
    })
}

/// How many receipts of the attempt were issued.
pub(in crate::store) async fn issued(pool: &Pool, attempt_id: i64) -> Result<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) AS n FROM receipts WHERE attempt_id = $1")
            .bind(attempt_id)
            .fetch_one(pool)
            .await?
            .try_get("n")?,
    )
}

/// Records a receipt of `paid` issued by `actor`; how many were issued before it (0: this is
/// the original). `may_write`: the login may lock the attempt's row too.
pub(in crate::store) async fn issue(
    pool: &Pool,
    paid: &PaidOrder,
    actor: &Actor,
    now: i64,
    may_write: bool,
) -> Result<i64> {
    let mut tx = Db::begin_write(pool).await?;
    // Two desks (or a desk and a support agent) printing its receipt at once count one after
    // the other, so only one of them prints the original.
    if let Some(lock) = Db::RECEIPT_LOCK {
        sqlx::query(lock)
            .bind(paid.attempt.id)
            .execute(&mut *tx)
            .await?;
    }
    // And the attempt's row, as desks of an earlier paydesk lock it, so that a desk not yet
    // updated and one that is count one after the other too.
    if may_write {
        sqlx::query(&format!(
            "SELECT id FROM attempts WHERE id = $1 {}",
            Db::LOCK_ROW
        ))
        .bind(paid.attempt.id)
        .fetch_one(&mut *tx)
        .await?;
    }
    let earlier: i64 = sqlx::query("SELECT COUNT(*) AS n FROM receipts WHERE attempt_id = $1")
        .bind(paid.attempt.id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    sqlx::query(
        "INSERT INTO receipts (attempt_id, issued_at, desk, operator) VALUES ($1, $2, $3, $4)",
    )
    .bind(paid.attempt.id)
    .bind(now)
    .bind(&actor.desk)
    .bind(&actor.operator)
    .execute(&mut *tx)
    .await?;
    let action = match earlier {
        0 => AuditAction::ReceiptIssued,
        _ => AuditAction::ReceiptReprinted,
    };
    let entry = Audited::new(action, &paid.order_no)
        .with("attempt_id", paid.attempt.id)
        .with("copy", earlier);
    super::audit::record(&mut tx, &entry, actor, now).await?;
    tx.commit().await?;
    Ok(earlier)
}
