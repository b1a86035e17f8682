//! The change feed across desks sharing a PostgreSQL store: each committed change is also sent
//! as a NOTIFY, and every desk's listener puts the other desks' changes on its own
//! [`ChangeFeed`], where the window already listens. A notification is a hint, not a record:
//! one sent while a listener was cut off is lost, so after every reconnect the listener
//! publishes [`Change::Everything`] and each view reads afresh.

use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};

use crate::changes::{Change, ChangeFeed};

/// The channel every desk of a store notifies and listens on.
const CHANNEL: &str = "paydesk_changes";

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
    let sent = sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(pool)
        .await;
    if let Err(e) = sent {
        // The change is committed; the other desks see it when they next read.
        tracing::warn!(error = %e, "could not tell the other desks about a change");
    }
}

fn notice(origin: &str, change: &Change) -> String {
    serde_json::to_string(&Notice {
        origin: origin.to_string(),
        change: change.clone(),
    })
    .expect("a change serializes")
}

/// Starts listening for the other desks' changes (listening already when this returns, so
/// nothing committed after it is missed) until the pool closes, publishing each on `feed`.
pub(super) async fn start(
    pool: PgPool,
    origin: String,
    feed: ChangeFeed,
) -> sqlx::Result<tokio::task::JoinHandle<()>> {
    let listener = connect(&pool).await?;
    Ok(tokio::spawn(listen(pool, listener, origin, feed)))
}

async fn listen(pool: PgPool, first: PgListener, origin: String, feed: ChangeFeed) {
    let mut backoff = Duration::from_millis(250);
    let mut first = Some(first);
    let mut reconnected = false;
    loop {
        let connected = match first.take() {
            Some(listener) => Ok(listener),
            None => connect(&pool).await,
        };
        let mut listener = match connected {
            Ok(listener) => listener,
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for other desks' changes; trying again");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
                continue;
            }
        };
        if reconnected {
            // Whatever was sent while no listener was there is unknown here.
            feed.publish(Change::Everything);
        }
        reconnected = true;
        backoff = Duration::from_millis(250);
        loop {
            match listener.try_recv().await {
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
                // Reconnected: notices sent meanwhile are lost.
                Ok(None) => feed.publish(Change::Everything),
                Err(sqlx::Error::PoolClosed) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "lost the other desks' changes; reconnecting");
                    break;
                }
            }
        }
    }
}

async fn connect(pool: &PgPool) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
