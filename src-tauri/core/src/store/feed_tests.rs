//! The change feed: each write the store commits is published once, naming what it changed,
//! and a write that changes nothing publishes nothing.

use std::collections::BTreeMap;

use super::*;
use crate::changes::Change;
use crate::domain::AttemptState;
use crate::import::{import_orders, ImportFormat};
use crate::settling::AttemptUpdate;
use crate::test_support::{add_order, begin_attempt, cny, new_order, record_state, store_contract};

/// Everything published so far, without waiting.
fn published(changes: &mut Changes) -> Vec<Change> {
    std::iter::from_fn(|| changes.try_next()).collect()
}

fn attempts(order_no: &str, id: i64) -> Change {
    Change::Attempts {
        order_nos: vec![order_no.into()],
        attempt_ids: vec![id],
    }
}

/// Desks sharing a PostgreSQL store hear each other's changes on their own feeds, and each its
/// own changes once.
#[tokio::test]
async fn a_change_committed_at_one_desk_reaches_the_other_desks_feed() {
    let Some((_dir, desk_1)) = crate::test_support::temp_shared_store().await else {
        return;
    };
    let (_dir_2, desk_2) = crate::test_support::another_desk(&desk_1).await;
    let mut heard = desk_2.subscribe();
    let mut own = desk_1.subscribe();

    crate::test_support::add_profile(&desk_1, "p", "sensecore").await;
    let order = add_order(&desk_1, "p", "A-1", "1.00", "tea").await;
    let attempt = begin_attempt(&desk_1, &order, "balance", "k1")
        .await
        .unwrap();
    record_state(&desk_1, attempt.id, AttemptState::Succeeded).await;
    let mut expected = vec![
        Change::Profiles {
            names: vec!["p".into()],
        },
        Change::Orders {
            order_nos: vec!["A-1".into()],
        },
        // Journaled, then its answer recorded.
        attempts("A-1", attempt.id),
        attempts("A-1", attempt.id),
    ];
    let mine = expected.clone();
    // Each notice travels on its own; their order across desks is not promised.
    while !expected.is_empty() {
        let change = tokio::time::timeout(std::time::Duration::from_secs(10), heard.next())
            .await
            .expect("the other desk's change arrives")
            .unwrap();
        if let Some(at) = expected.iter().position(|c| *c == change) {
            expected.remove(at);
        }
    }
    // The desk's own notices come back to it too; its listener leaves them.
    let notices_back = tokio::time::sleep(std::time::Duration::from_millis(500));
    notices_back.await;
    assert_eq!(published(&mut own), mine);
}

store_contract! {
async fn every_committed_write_is_published_once_with_what_it_changed(store) {
    let mut changes = store.subscribe();

    crate::test_support::add_profile(&store, "p", "sensecore").await;
    let profiles = || Change::Profiles {
        names: vec!["p".into()],
    };
    assert_eq!(published(&mut changes), [profiles()]);
    store
        .update_profile("p", "https://gw.example", &BTreeMap::new())
        .await
        .unwrap();
    assert_eq!(published(&mut changes), [profiles()]);

    let order = add_order(&store, "p", "A-1", "1.00", "tea").await;
    assert_eq!(
        published(&mut changes),
        [Change::Orders {
            order_nos: vec!["A-1".into()]
        }]
    );

    let attempt = begin_attempt(&store, &order, "balance", "k1")
        .await
        .unwrap();
    assert_eq!(published(&mut changes), [attempts("A-1", attempt.id)]);
    store
        .record(attempt.id, AttemptState::Pending, &AttemptUpdate::default())
        .await
        .unwrap();
    assert_eq!(published(&mut changes), [attempts("A-1", attempt.id)]);
    store.note_inconclusive_check(attempt.id).await.unwrap();
    assert_eq!(published(&mut changes), [attempts("A-1", attempt.id)]);
    record_state(&store, attempt.id, AttemptState::NeedsReview).await;
    assert_eq!(published(&mut changes), [attempts("A-1", attempt.id)]);
    store
        .resolve_review(attempt.id, AttemptState::Succeeded, "seen on the statement")
        .await
        .unwrap();
    assert_eq!(published(&mut changes), [attempts("A-1", attempt.id)]);

    let csv = "order_no,profile,amount,currency,subject\nB-1,p,2.00,CNY,cake\n";
    import_orders(&store, csv.as_bytes(), ImportFormat::Csv, None, |_| {})
        .await
        .unwrap();
    assert_eq!(published(&mut changes), [Change::Everything]);
}

async fn a_write_that_changes_nothing_publishes_nothing(store) {
    crate::test_support::add_profile(&store, "p", "sensecore").await;
    let order = add_order(&store, "p", "A-1", "1.00", "tea").await;
    let attempt = begin_attempt(&store, &order, "balance", "k1")
        .await
        .unwrap();
    record_state(&store, attempt.id, AttemptState::Succeeded).await;
    let mut changes = store.subscribe();

    let duplicate = store.add_order(&new_order("p", "A-1", cny("1.00"))).await;
    assert!(duplicate.is_err());
    let refused = store
        .record(attempt.id, AttemptState::Failed, &AttemptUpdate::default())
        .await;
    assert!(refused.is_err());
    assert!(begin_attempt(&store, &order, "balance", "k2")
        .await
        .is_err());
    let csv = "order_no,profile,amount,currency,subject\nA-1,p,1.00,CNY,tea\n";
    import_orders(&store, csv.as_bytes(), ImportFormat::Csv, None, |_| {})
        .await
        .unwrap();
    assert!(!store.remove_profile("p").await.unwrap());

    assert_eq!(published(&mut changes), []);
}

async fn the_feed_is_shared_by_every_clone_of_the_store(store) {
    let mut changes = store.subscribe();
    let writer = store.clone();
    crate::test_support::add_profile(&writer, "p", "sensecore").await;
    assert_eq!(published(&mut changes).len(), 1);
}
}
