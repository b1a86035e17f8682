//! The change feed: every change this process commits to the store is published here once,
//! by the store itself right after its transaction commits, whichever path made it (a
//! payment, the reconciler, a gateway's callback, a person's decision, an import, a profile
//! edit). The window forwards each one as a `change` event and every open view refreshes what
//! it shows; nothing else has to remember to tell it.

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use ts_rs::TS;

/// What changed, as precisely as the writer knew it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Profiles were added, edited or removed, or a profile's secrets changed.
    Profiles { names: Vec<String> },
    /// Orders were added or changed (not their payments).
    Orders { order_nos: Vec<String> },
    /// Attempts were started, settled, checked or decided: their orders' state and history.
    Attempts {
        order_nos: Vec<String>,
        attempt_ids: Vec<i64>,
    },
    /// More than can be named: a large import, or a listener that fell behind. Refresh all.
    Everything,
}

/// How many changes a slow listener may fall behind before it is told [`Change::Everything`].
const BACKLOG: usize = 1024;

/// The sending end, held by the store; cheap to clone.
#[derive(Clone, Debug)]
pub struct ChangeFeed {
    sender: broadcast::Sender<Change>,
}

impl Default for ChangeFeed {
    fn default() -> Self {
        ChangeFeed {
            sender: broadcast::channel(BACKLOG).0,
        }
    }
}

impl ChangeFeed {
    /// Publishes a change to whoever listens now; with nobody listening it is dropped.
    pub fn publish(&self, change: Change) {
        tracing::debug!(?change, "change published");
        let _ = self.sender.send(change);
    }

    /// Whether anyone listens: a writer skips the work of naming what changed when no one does.
    pub fn is_heard(&self) -> bool {
        self.sender.receiver_count() > 0
    }

    pub fn subscribe(&self) -> Changes {
        Changes {
            receiver: self.sender.subscribe(),
        }
    }
}

/// One listener's view of the feed, from the moment it subscribed.
pub struct Changes {
    receiver: broadcast::Receiver<Change>,
}

impl Changes {
    /// The next change; [`Change::Everything`] when this listener fell behind and missed some.
    /// `None` once every sender is gone.
    pub async fn next(&mut self) -> Option<Change> {
        match self.receiver.recv().await {
            Ok(change) => Some(change),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(Change::Everything),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// A change already published, without waiting.
    pub fn try_next(&mut self) -> Option<Change> {
        match self.receiver.try_recv() {
            Ok(change) => Some(change),
            Err(broadcast::error::TryRecvError::Lagged(_)) => Some(Change::Everything),
            Err(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_listener_that_falls_behind_is_told_to_refresh_everything() {
        let feed = ChangeFeed::default();
        let mut slow = feed.subscribe();
        for n in 0..(BACKLOG as i64 + 5) {
            feed.publish(Change::Attempts {
                order_nos: vec![],
                attempt_ids: vec![n],
            });
        }
        assert_eq!(slow.next().await, Some(Change::Everything));
    }

    #[tokio::test]
    async fn each_listener_gets_every_change_once_in_order() {
        let feed = ChangeFeed::default();
        let mut a = feed.subscribe();
        let mut b = feed.subscribe();
        feed.publish(Change::Profiles {
            names: vec!["p".into()],
        });
        feed.publish(Change::Everything);
        for listener in [&mut a, &mut b] {
            assert!(matches!(
                listener.next().await,
                Some(Change::Profiles { .. })
            ));
            assert_eq!(listener.next().await, Some(Change::Everything));
            assert_eq!(listener.try_next(), None);
        }
    }
}
