//! Another process writing a standalone desk's file: what it commits reaches this desk's
//! change feed without a click. Two stores opened on one file stand for the two processes:
//! each has its own connections, as a second process would.

use std::time::Duration;

use super::*;
use crate::changes::Change;
use crate::test_support::{add_order, add_profile, begin_attempt, db_path};

/// Waits for changes on `feed` until each of `expected` has been heard (others may come too:
/// the watching store's own writes, named again).
async fn hear_all(feed: &mut Changes, mut expected: Vec<Change>) {
    while !expected.is_empty() {
        let change = tokio::time::timeout(Duration::from_secs(10), feed.next())
            .await
            .unwrap_or_else(|_| panic!("never heard {expected:?}"))
            .unwrap();
        expected.retain(|c| *c != change);
    }
}

#[tokio::test]
async fn what_another_process_commits_to_the_file_reaches_this_desks_feed() {
    let dir = tempfile::tempdir().unwrap();
    let window = Store::open(&db_path(dir.path())).await.unwrap();
    let command_line = Store::open(&db_path(dir.path())).await.unwrap();
    let mut feed = window.subscribe();
    window.watch_other_writers();
    // The watch has looked once before the other process writes.
    tokio::time::sleep(Duration::from_millis(200)).await;

    add_profile(&command_line, "p", "sensecore").await;
    let order = add_order(&command_line, "p", "CLI-1", "1.00", "tea").await;
    let attempt = begin_attempt(&command_line, &order, "balance", "k1")
        .await
        .unwrap();
    hear_all(
        &mut feed,
        vec![
            Change::Profiles {
                names: vec!["p".into()],
            },
            Change::Orders {
                order_nos: vec!["CLI-1".into()],
            },
            Change::Attempts {
                order_nos: vec!["CLI-1".into()],
                attempt_ids: vec![attempt.id],
            },
        ],
    )
    .await;
}

#[tokio::test]
async fn more_than_can_be_named_at_once_is_told_as_everything() {
    let dir = tempfile::tempdir().unwrap();
    let window = Store::open(&db_path(dir.path())).await.unwrap();
    let command_line = Store::open(&db_path(dir.path())).await.unwrap();
    add_profile(&command_line, "p", "sensecore").await;
    let mut feed = window.subscribe();
    window.watch_other_writers();
    tokio::time::sleep(Duration::from_millis(200)).await;

    // An import of a thousand orders in one statement.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
         INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes, created_at)
         SELECT 'BULK-' || i, (SELECT id FROM profiles), 100, 'CNY', '', '{}', 0 FROM n",
    )
    .execute(command_line.pool())
    .await
    .unwrap();
    hear_all(&mut feed, vec![Change::Everything]).await;
}

#[tokio::test]
async fn a_shared_store_is_not_watched_through_its_file() {
    let Some((_dir, shared)) = crate::test_support::temp_shared_store().await else {
        return;
    };
    let mut feed = shared.subscribe();
    shared.watch_other_writers();
    // The desk's own file changes under it; nothing about it is the shared history's news.
    let local = Store::open(shared.path()).await.unwrap();
    add_profile(&local, "only-in-the-file", "sensecore").await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(
        std::iter::from_fn(|| feed.try_next()).next().is_none(),
        "the desk's file said something on a shared store's feed"
    );
}
