//! The change feed across desks sharing a PostgreSQL store: each committed change is also sent
//! as a NOTIFY, and every desk's listener puts the other desks' changes on its own
//! [`ChangeFeed`], where the window already listens. A notification is a hint, not a record:
//! one sent while a listener was cut off is lost, so after every reconnect the listener
//! publishes [`Change::Everything`] and each view reads afresh.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};

use super::link::Link;
use super::StoreError;
use crate::changes::{Change, ChangeFeed};

/// The channel every desk of a store notifies and listens on.
pub(super) const CHANNEL: &str = "paydesk_changes";

/// What the desk that migrated the schema tells every desk, on the same channel: each checks
/// again that the schema fits it, and one it no longer fits (a newer paydesk's) stops writing
/// until it is updated. Not a [`Notice`]: a desk from before it reads it as "everything".
pub(super) const SCHEMA_CHANGED: &str = "schema";

/// Tells every desk the schema was brought forward.
pub(super) async fn tell_schema_changed(pool: &PgPool) {
    send(pool, SCHEMA_CHANGED, "the schema changed").await;
}

/// Sends `payload` on the channel. Only logged when it cannot: what it tells is committed,
/// and the other desks see it when they next read or reconnect.
async fn send(pool: &PgPool, payload: &str, what: &str) {
    let sent = sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(pool)
        .await;
    if let Err(e) = sent {
        tracing::warn!(error = %e, "could not tell the other desks {what}");
    }
}

/// PostgreSQL refuses a payload of 8000 bytes or more; a change that names more than fits is
/// sent as "everything".
const MAX_PAYLOAD: usize = 7_900;

/// A change as it travels: which store (desk process) committed it, so its own listener
/// leaves it (it was published here already).
#[derive(serde::Serialize, serde::Deserialize)]
struct Notice {
    origin: String,
    change: Change,
}

/// Tells the other desks about a change this store committed.
pub(super) async fn notify(pool: &PgPool, origin: &str, change: &Change) {
    let mut payload = notice(origin, change);
    if payload.len() > MAX_PAYLOAD {
        payload = notice(origin, &Change::Everything);
    }
    send(pool, &payload, "about a change").await;
}

fn notice(origin: &str, change: &Change) -> String {
    serde_json::to_string(&Notice {
        origin: origin.to_string(),
        change: change.clone(),
    })
    .expect("a change serializes")
}

/// Starts listening for the other desks' changes until the pool closes, publishing each on
/// `feed`, from `listening` (connected already, so nothing committed after it is missed) or,
/// where the server was out of reach, from the first connection it gets. The listener is the
/// desk's watch on its server: it puts the link down when it loses its connection and up
/// when it has one again (and the schema fits), telling the feed "everything" both times.
pub(super) fn start(
    pool: PgPool,
    listening: Option<PgListener>,
    origin: String,
    feed: ChangeFeed,
    link: Arc<Link>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(listen(pool, listening, origin, feed, link))
}

async fn listen(
    pool: PgPool,
    mut listening: Option<PgListener>,
    origin: String,
    feed: ChangeFeed,
    link: Arc<Link>,
) {
    let mut backoff = FIRST_BACKOFF;
    loop {
        let mut listener = match listening.take() {
            Some(listener) => listener,
            None => match reconnect(&pool, &link).await {
                Ok(listener) => {
                    // Whatever was sent while no listener was there is unknown here.
                    feed.publish(Change::Everything);
                    backoff = FIRST_BACKOFF;
                    listener
                }
                Err(StoreError::Sql(sqlx::Error::PoolClosed)) => return,
                Err(StoreError::SharedSchema(mismatch)) => {
                    tracing::info!(error = %mismatch, "the shared store does not fit this paydesk; reading this desk's copy");
                    link.set_schema_mismatch(Some(mismatch));
                    tokio::time::sleep(MAX_BACKOFF).await;
                    continue;
                }
                Err(e) => {
                    tracing::debug!(error = %e, "cannot reach the shared store; trying again");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            },
        };
        loop {
            match listener.try_recv().await {
                // Checked as on a reconnect: a schema that no longer fits keeps the link down.
                Ok(Some(notification)) if notification.payload() == SCHEMA_CHANGED => {
                    tracing::info!("the shared store's schema changed; checking that it fits");
                    link.set_reachable(false);
                    feed.publish(Change::Everything);
                    break;
                }
                Ok(Some(notification)) => {
                    match serde_json::from_str::<Notice>(notification.payload()) {
                        Ok(notice) if notice.origin == origin => {}
                        Ok(notice) => feed.publish(notice.change),
                        Err(e) => {
                            tracing::warn!(error = %e, "a change notice paydesk cannot read");
                            feed.publish(Change::Everything);
                        }
                    }
                }
                Err(sqlx::Error::PoolClosed) => return,
                // The connection is gone (Ok(None) says so): the server may be.
                lost => {
                    if let Err(e) = lost {
                        tracing::info!(error = %e, "lost the shared store; reconnecting");
                    }
                    link.set_reachable(false);
                    feed.publish(Change::Everything);
                    break;
                }
            }
        }
    }
}

const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// How long a connection attempt may take before the server is taken for out of reach.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A listener on a fresh connection, once the server answers and its schema fits; the link
/// is up (with whether this role may write) when it returns.
async fn reconnect(pool: &PgPool, link: &Link) -> Result<PgListener, StoreError> {
    let listener = tokio::time::timeout(CONNECT_TIMEOUT, connect(pool))
        .await
        .map_err(|_| StoreError::Sql(sqlx::Error::PoolTimedOut))??;
    let read_only = tokio::time::timeout(CONNECT_TIMEOUT, super::check_link(pool))
        .await
        .map_err(|_| StoreError::Sql(sqlx::Error::PoolTimedOut))??;
    link.set_read_only(read_only);
    link.set_schema_mismatch(None);
    link.set_reachable(true);
    Ok(listener)
}

pub(super) async fn connect(pool: &PgPool) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
