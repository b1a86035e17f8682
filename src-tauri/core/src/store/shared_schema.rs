//! The shared store's schema: this paydesk's migrations, brought to the server by its owner;
//! a schema from a newer paydesk, or one behind that this role may not migrate, refused
//! before anything is written.

use serde::Serialize;
use sqlx::PgPool;
use ts_rs::TS;

use super::{shared_feed, Result, StoreError};

/// The shared store's schema and this paydesk's differ: `applied` is the server's latest
/// migration, `supported` this paydesk's. Newer on the server: a newer paydesk's owner
/// brought it forward, and this desk must be updated. Older: its owner must connect once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct SchemaMismatch {
    #[ts(type = "number")]
    pub applied: i64,
    #[ts(type = "number")]
    pub supported: i64,
}

impl std::fmt::Display for SchemaMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let SchemaMismatch { applied, supported } = self;
        if applied > supported {
            write!(
                f,
                "the shared store's schema (version {applied}) is newer than this paydesk's ({supported}): update paydesk on this desk"
            )
        } else {
            write!(
                f,
                "the shared store's schema (version {applied}) is older than this paydesk's ({supported}): connect once as the database's owner (paydesk store connect) to bring it up to date"
            )
        }
    }
}

/// The shared store's migrations, embedded.
static SHARED_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Whether opening a shared store may bring its schema up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaUpdate {
    /// `store connect`: where this role is the database's owner.
    IfOwner,
    /// Every other start: a schema behind is reported, never changed.
    Never,
}

/// Brings the shared store's schema to this paydesk's, where it is behind and `update` and
/// this role allow (the database's owner); refuses a schema from a newer paydesk, or one
/// behind that it may not migrate (a desk or support login), before anything is written.
pub(super) async fn bring_schema_up_to_date(pool: &PgPool, update: SchemaUpdate) -> Result<()> {
    let latest = SHARED_MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    let created: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(pool)
        .await?;
    let applied: Option<i64> = match created {
        true => {
            sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(pool)
                .await?
        }
        // No schema yet: nothing applied.
        false => None,
    };
    let applied = applied.unwrap_or(0);
    if applied > latest {
        return Err(StoreError::SharedSchema(SchemaMismatch {
            applied,
            supported: latest,
        }));
    }
    if applied == latest {
        return Ok(());
    }
    let owner: bool = update == SchemaUpdate::IfOwner
        && sqlx::query_scalar(
            "SELECT pg_has_role(current_user, datdba, 'MEMBER') FROM pg_database
         WHERE datname = current_database()",
        )
        .fetch_one(pool)
        .await?;
    if !owner {
        return Err(StoreError::SharedSchema(SchemaMismatch {
            applied,
            supported: latest,
        }));
    }
    SHARED_MIGRATIONS.run(pool).await?;
    shared_feed::tell_schema_changed(pool).await;
    Ok(())
}
