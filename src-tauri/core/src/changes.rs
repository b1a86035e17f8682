//! The change feed: every change this process commits to the store is published here once,
//! by the store itself right after its transaction commits, whichever path made it (a
//! payment, the reconciler, a gateway's callback, a person's decision, an import, a profile
//! edit). The window forwards each one as a `change` event and every open view refreshes what
//! it shows; nothing else has to remember to tell it.

use std::collections::BTreeSet;
use std::time::Duration;

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

    /// `first` and every change that arrives within `window` of now, as one: for a listener
    /// whose work per change is large (a copy from the server) and the same for a few changes
    /// as for one. A payment's attempt is named twice, milliseconds apart (journaled, then its
    /// answer): gathered, it is acted on once, after the payment rather than while it waits.
    /// Nothing more is gathered once everything changed. `false` with it: the feed closed.
    pub async fn gather(&mut self, first: Change, window: Duration) -> (Gathered, bool) {
        let mut gathered = Gathered::default();
        gathered.add(first);
        let until = tokio::time::Instant::now() + window;
        while !gathered.everything {
            match tokio::time::timeout_at(until, self.next()).await {
                Ok(Some(change)) => gathered.add(change),
                Ok(None) => return (gathered, false),
                Err(_) => break,
            }
        }
        (gathered, true)
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

/// Changes gathered into one ([`Changes::gather`]).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Gathered {
    /// More than can be named: refresh all.
    pub everything: bool,
    /// Some profiles changed.
    pub profiles: bool,
    /// The orders that changed or whose attempts did, each once.
    pub order_nos: BTreeSet<String>,
}

impl Gathered {
    fn add(&mut self, change: Change) {
        match change {
            Change::Everything => self.everything = true,
            Change::Profiles { .. } => self.profiles = true,
            Change::Orders { order_nos } | Change::Attempts { order_nos, .. } => {
                self.order_nos.extend(order_nos)
            }
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

    fn attempt_of(order_no: &str) -> Change {
        Change::Attempts {
            order_nos: vec![order_no.into()],
            attempt_ids: vec![1],
        }
    }

    #[tokio::test(start_paused = true)]
    async fn changes_within_the_window_are_gathered_into_one_and_later_ones_wait_their_turn() {
        let feed = ChangeFeed::default();
        let mut listener = feed.subscribe();
        let window = Duration::from_millis(25);
        feed.publish(attempt_of("o-1"));
        feed.publish(Change::Orders {
            order_nos: vec!["o-2".into(), "o-1".into()],
        });
        let late = feed.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            late.publish(attempt_of("o-1"));
            late.publish(Change::Profiles { names: vec![] });
            tokio::time::sleep(Duration::from_millis(30)).await;
            late.publish(attempt_of("o-3"));
        });
        let first = listener.next().await.unwrap();
        let (gathered, open) = listener.gather(first, window).await;
        assert!(open);
        assert_eq!(
            gathered,
            Gathered {
                everything: false,
                profiles: true,
                order_nos: ["o-1", "o-2"].map(String::from).into(),
            }
        );
        let next = listener.next().await.unwrap();
        let (after, _) = listener.gather(next, window).await;
        assert_eq!(after.order_nos, ["o-3".to_string()].into());
    }

    #[tokio::test(start_paused = true)]
    async fn everything_is_acted_on_at_once_and_a_closed_feed_says_so() {
        let feed = ChangeFeed::default();
        let mut listener = feed.subscribe();
        feed.publish(attempt_of("o-1"));
        feed.publish(Change::Everything);
        feed.publish(attempt_of("o-2"));
        let started = tokio::time::Instant::now();
        let first = listener.next().await.unwrap();
        let (gathered, open) = listener.gather(first, Duration::from_secs(60)).await;
        assert!(gathered.everything && open);
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "waited out the window"
        );
        assert_eq!(listener.try_next(), Some(attempt_of("o-2")));

        let first = attempt_of("o-3");
        drop(feed);
        let (gathered, open) = listener.gather(first, Duration::from_secs(60)).await;
        assert_eq!((gathered.order_nos.len(), open), (1, false));
    }
}
