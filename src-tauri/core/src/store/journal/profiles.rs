//! Gateway profiles: where a gateway lives and its non-secret settings (secrets are the
//! vault's). A profile with orders keeps them and cannot be removed.

use std::collections::BTreeMap;

use sqlx::Row as _;

use super::{Pool, Row};
use crate::domain::Profile;
use crate::store::{is_unique_violation, json_map, to_json, NewProfile, Result, StoreError};

pub(in crate::store) async fn create(
    pool: &Pool,
    new: &NewProfile,
    vault_id: &str,
    now: i64,
) -> Result<()> {
    let inserted = sqlx::query(
        "INSERT INTO profiles (name, gateway, base_url, settings, is_sandbox, vault_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&new.name)
    .bind(&new.gateway)
    .bind(&new.base_url)
    .bind(to_json(&new.settings))
    .bind(new.is_sandbox)
    .bind(vault_id)
    .bind(now)
    .execute(pool)
    .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => Err(StoreError::DuplicateProfile(new.name.clone())),
        Err(e) => Err(e.into()),
        Ok(_) => Ok(()),
    }
}

fn from_row(row: &Row) -> Result<Profile> {
    Ok(Profile {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        gateway: row.try_get("gateway")?,
        base_url: row.try_get("base_url")?,
        settings: json_map(row.try_get("settings")?)?,
        is_sandbox: row.try_get("is_sandbox")?,
        vault_id: row.try_get("vault_id")?,
    })
}

pub(in crate::store) async fn by_name(pool: &Pool, name: &str) -> Result<Profile> {
    let row = sqlx::query("SELECT * FROM profiles WHERE name = $1")
        .bind(name)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| StoreError::NoSuchProfile(name.to_string()))?;
    from_row(&row)
}

pub(in crate::store) async fn all(pool: &Pool) -> Result<Vec<Profile>> {
    sqlx::query("SELECT * FROM profiles ORDER BY name")
        .fetch_all(pool)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// Sets where a profile's gateway lives and, when given, its settings.
pub(in crate::store) async fn update(
    pool: &Pool,
    name: &str,
    base_url: &str,
    settings: Option<&BTreeMap<String, String>>,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE profiles SET base_url = $1, settings = COALESCE($2, settings) WHERE name = $3",
    )
    .bind(base_url)
    .bind(settings.map(to_json))
    .bind(name)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NoSuchProfile(name.to_string()));
    }
    Ok(())
}

pub(in crate::store) async fn order_count(pool: &Pool, profile_id: i64) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM orders WHERE profile_id = $1")
            .bind(profile_id)
            .fetch_one(pool)
            .await?,
    )
}

/// Removes a profile unless it has orders; true when it was removed.
pub(in crate::store) async fn remove(pool: &Pool, name: &str) -> Result<bool> {
    let done = sqlx::query(
        "DELETE FROM profiles WHERE name = $1
           AND NOT EXISTS (SELECT 1 FROM orders WHERE profile_id = profiles.id)",
    )
    .bind(name)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
