//! The merchant's settings' SQL (crate::merchant): one row, changed with its audit entry in the
//! same transaction.

use sqlx::Row as _;

use super::{Db, Pool, Row};
use crate::audit::{AuditAction, Audited};
use crate::domain::Actor;
use crate::merchant::Merchant;
use crate::store::dialect::Dialect;
use crate::store::Result;

fn from_row(row: &Row) -> Result<Merchant> {
    Ok(Merchant {
        name: row.try_get("name")?,
        address: row.try_get("address")?,
        time_zone: row.try_get("time_zone")?,
    })
}

pub(in crate::store) async fn read(pool: &Pool) -> Result<Merchant> {
    let row = sqlx::query("SELECT name, address, time_zone FROM merchant WHERE id = 1")
        .fetch_one(pool)
        .await?;
    from_row(&row)
}

/// Replaces the settings with `merchant` (already checked), noting what they were.
pub(in crate::store) async fn update(
    pool: &Pool,
    merchant: &Merchant,
    actor: &Actor,
    now: i64,
) -> Result<Merchant> {
    let mut tx = Db::begin_write(pool).await?;
    let before = from_row(
        &sqlx::query("SELECT name, address, time_zone FROM merchant WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?,
    )?;
    let after = from_row(
        &sqlx::query(
            "UPDATE merchant SET name = $1, address = $2, time_zone = $3 WHERE id = 1
             RETURNING name, address, time_zone",
        )
        .bind(&merchant.name)
        .bind(&merchant.address)
        .bind(&merchant.time_zone)
        .fetch_one(&mut *tx)
        .await?,
    )?;
    if before != after {
        let entry = Audited::new(AuditAction::MerchantChanged, &after.name)
            .with("before", &before)
            .with("after", &after);
        super::audit::record(&mut tx, &entry, actor, now).await?;
    }
    tx.commit().await?;
    Ok(after)
}
