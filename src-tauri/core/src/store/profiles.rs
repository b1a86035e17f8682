//! Gateway profiles: where a gateway lives and its non-secret settings (secrets are the
//! vault's). A profile with orders keeps them and cannot be removed
//! ([`super::journal::profiles`]).

use std::collections::BTreeMap;

use super::{NewProfile, Result, Store, StoreError};
use crate::changes::Change;
use crate::domain::Profile;

impl Store {
    pub async fn create_profile(&self, new: &NewProfile) -> Result<Profile> {
        crate::base_url::check(&new.base_url).map_err(StoreError::Invalid)?;
        crate::base_url::proxy(&new.settings).map_err(StoreError::Invalid)?;
        let vault_id = uuid::Uuid::new_v4().to_string();
        let now = self.now().await?;
        on_record!(self, |pool, sql| sql::profiles::create(
            pool, new, &vault_id, now
        )
        .await)?;
        self.profile_changed(&new.name);
        self.profile(&new.name).await
    }

    pub async fn profile(&self, name: &str) -> Result<Profile> {
        on_record!(self, |pool, sql| sql::profiles::by_name(pool, name).await)
    }

    pub async fn profiles(&self) -> Result<Vec<Profile>> {
        on_record!(self, |pool, sql| sql::profiles::all(pool).await)
    }

    pub async fn set_profile_base_url(&self, name: &str, base_url: &str) -> Result<()> {
        crate::base_url::check(base_url).map_err(StoreError::Invalid)?;
        on_record!(self, |pool, sql| sql::profiles::update(
            pool, name, base_url, None
        )
        .await)?;
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
        crate::base_url::check(base_url).map_err(StoreError::Invalid)?;
        crate::base_url::proxy(settings).map_err(StoreError::Invalid)?;
        on_record!(self, |pool, sql| sql::profiles::update(
            pool,
            name,
            base_url,
            Some(settings)
        )
        .await)?;
        self.profile_changed(name);
        Ok(())
    }

    /// How many orders a profile has: a profile with orders keeps them and cannot be removed.
    pub async fn profile_order_count(&self, name: &str) -> Result<i64> {
        let profile = self.profile(name).await?;
        on_record!(self, |pool, sql| sql::profiles::order_count(
            pool, profile.id
        )
        .await)
    }

    /// Removes a profile unless it has orders (their history must stay readable); true when
    /// it was removed.
    pub async fn remove_profile(&self, name: &str) -> Result<bool> {
        self.profile(name).await?;
        let removed = on_record!(self, |pool, sql| sql::profiles::remove(pool, name).await)?;
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
