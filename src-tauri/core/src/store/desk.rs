//! This data directory's own settings: the names of its desk and of the operator working it.

use super::{Result, Store};

impl Store {
    /// A setting of this desk, if one was saved.
    pub async fn desk_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM desk_settings WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.local)
                .await?,
        )
    }

    /// Saves a setting of this desk (none: forgets it).
    pub async fn set_desk_setting(&self, key: &str, value: Option<&str>) -> Result<()> {
        match value {
            Some(value) => {
                sqlx::query(
                    "INSERT INTO desk_settings (key, value) VALUES (?, ?)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(key)
                .bind(value)
                .execute(&self.local)
                .await?
            }
            None => {
                sqlx::query("DELETE FROM desk_settings WHERE key = ?")
                    .bind(key)
                    .execute(&self.local)
                    .await?
            }
        };
        Ok(())
    }
}
