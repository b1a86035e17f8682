//! Gateway profiles: where a gateway lives and its non-secret settings (secrets are the
//! vault's). A profile with orders keeps them and cannot be removed.

use std::collections::BTreeMap;

use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::{
    is_unique_violation, json_map, now_ms, to_json, NewProfile, Result, Store, StoreError,
};
use crate::changes::Change;
use crate::domain::Profile;

impl Store {
    pub async fn create_profile(&self, new: &NewProfile) -> Result<Profile> {
        crate::base_url::check(&new.base_url).map_err(StoreError::BadBaseUrl)?;
        crate::base_url::proxy(&new.settings).map_err(StoreError::BadBaseUrl)?;
        let vault_id = uuid::Uuid::new_v4().to_string();
        let inserted = sqlx::query(
            "INSERT INTO profiles (name, gateway, base_url, settings, is_sandbox, vault_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&new.name)
        .bind(&new.gateway)
        .bind(&new.base_url)
        .bind(to_json(&new.settings))
        .bind(new.is_sandbox)
        .bind(&vault_id)
        .bind(now_ms())
        .execute(&self.pool)
        .await;
        match inserted {
            Err(e) if is_unique_violation(&e) => {
                Err(StoreError::DuplicateProfile(new.name.clone()))
            }
            Err(e) => Err(e.into()),
            Ok(_) => {
                self.profile_changed(&new.name);
                self.profile(&new.name).await
            }
        }
    }

    fn profile_from_row(row: &SqliteRow) -> Result<Profile> {
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

    pub async fn profile(&self, name: &str) -> Result<Profile> {
        let row = sqlx::query("SELECT * FROM profiles WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NoSuchProfile(name.to_string()))?;
        Self::profile_from_row(&row)
    }

    pub async fn profiles(&self) -> Result<Vec<Profile>> {
        sqlx::query("SELECT * FROM profiles ORDER BY name")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(Self::profile_from_row)
            .collect()
    }

    pub async fn set_profile_base_url(&self, name: &str, base_url: &str) -> Result<()> {
        crate::base_url::check(base_url).map_err(StoreError::BadBaseUrl)?;
        let done = sqlx::query("UPDATE profiles SET base_url = ? WHERE name = ?")
            .bind(base_url)
            .bind(name)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NoSuchProfile(name.to_string()));
        }
        self.profile_changed(name);
        Ok(())
    }

    /// Changes where a profile's gateway lives and its non-secret settings.
    pub async fn update_profile(
        &self,
        name: &str,
        base_url: &str,
        settings: &BTreeMap<String, String>,
    ) -> Result<()> {
        // An unknown profile is reported as such whatever the URL.
        self.profile(name).await?;
        crate::base_url::check(base_url).map_err(StoreError::BadBaseUrl)?;
        crate::base_url::proxy(settings).map_err(StoreError::BadBaseUrl)?;
        let settings =
            serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let done = sqlx::query("UPDATE profiles SET base_url = ?, settings = ? WHERE name = ?")
            .bind(base_url)
            .bind(settings)
            .bind(name)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NoSuchProfile(name.to_string()));
        }
        self.profile_changed(name);
        Ok(())
    }

    /// How many orders a profile has: a profile with orders keeps them and cannot be removed.
    pub async fn profile_order_count(&self, name: &str) -> Result<i64> {
        let profile = self.profile(name).await?;
        Ok(
            sqlx::query_scalar("SELECT count(*) FROM orders WHERE profile_id = ?")
                .bind(profile.id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Removes a profile unless it has orders (their history must stay readable); true when
    /// it was removed.
    pub async fn remove_profile(&self, name: &str) -> Result<bool> {
        self.profile(name).await?;
        let done = sqlx::query(
            "DELETE FROM profiles WHERE name = ?
               AND NOT EXISTS (SELECT 1 FROM orders WHERE profile_id = profiles.id)",
        )
        .bind(name)
        .execute(&self.pool)
        .await?;
        let removed = done.rows_affected() == 1;
        if removed {
            self.profile_changed(name);
        }
        Ok(removed)
    }

    /// Tells listeners a profile changed: its row here, or its secrets in the vault.
    pub fn profile_changed(&self, name: &str) {
        self.publish(Change::Profiles {
            names: vec![name.to_string()],
        });
    }
}
