//! A shared desk's copy of the history, with its server cut off and restored through a
//! loopback relay (the server itself and the other desks carry on): lookups answer from the
//! copy, every write is refused as offline and nothing reaches the server, and the desk comes
//! back online by itself.

use crate::domain::AttemptState;
use crate::store::{KeptCopy, SchemaUpdate, Store, StoreError};
use crate::test_support::{
    add_order, add_profile, begin_attempt, db_path, eventually, record_state, temp_shared_store,
    Relay,
};

/// A desk reaching `shared`'s database through `relay`, keeping its copy in `dir`.
async fn desk_through(relay: &Relay, shared: &Store, dir: &std::path::Path) -> Store {
    let copy = dir.join("shared-cache.sqlite");
    Store::open(&db_path(dir))
        .await
        .unwrap()
        .with_shared_record_and_copy(
            relay.to_database_of(shared).await,
            KeptCopy {
                path: &copy,
                server: "the test server",
                window_days: 90,
            },
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn cut_off_from_its_server_a_desk_reads_its_copy_pays_nothing_and_comes_back_by_itself() {
    let Some((_shared_dir, shared)) = temp_shared_store().await else {
        return;
    };
    add_profile(&shared, "p", "sensecore").await;
    let paid = add_order(&shared, "p", "o-1", "12.34", "tea").await;
    let a = begin_attempt(&shared, &paid, "balance", "k1")
        .await
        .unwrap();
    record_state(&shared, a.id, AttemptState::Succeeded).await;
    let unpaid = add_order(&shared, "p", "o-2", "5.00", "cake").await;

    let relay = Relay::start().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk_through(&relay, &shared, dir.path()).await;
    assert!(desk.is_reachable());
    eventually("the first copy", async || desk.copy_as_of().is_some()).await;
    let as_of = desk.copy_as_of().unwrap();

    // Another desk pays while this one is online: the change feed brings it to the copy.
    let later = add_order(&shared, "p", "o-3", "7.00", "").await;
    let b = begin_attempt(&shared, &later, "alipay", "k3")
        .await
        .unwrap();
    record_state(&shared, b.id, AttemptState::Succeeded).await;
    eventually("o-3 in the copy", async || {
        copied_state(dir.path(), "o-3").await == Some("succeeded".to_string())
    })
    .await;

    let role: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(shared.shared_pool().unwrap())
        .await
        .unwrap();
    relay.cut();
    eventually("the desk sees it is offline", async || !desk.is_reachable()).await;
    // Who wrote what, down to the database role, comes along in the copy.
    let copied = &desk.attempts("o-1").await.unwrap()[0];
    assert_eq!(
        (copied.desk.as_str(), copied.db_role.as_deref()),
        (a.desk.as_str(), Some(role.as_str()))
    );
    assert!(desk
        .events(a.id)
        .await
        .unwrap()
        .iter()
        .all(|e| e.db_role.as_deref() == Some(role.as_str())));
    let order = desk.order("o-1").await.unwrap();
    assert_eq!(order.state, Some(AttemptState::Succeeded));
    assert_eq!(desk.attempts("o-1").await.unwrap()[0].idempotency_key, "k1");
    assert_eq!(desk.events(a.id).await.unwrap().len(), 3);
    assert_eq!(
        desk.order("o-3").await.unwrap().channel.as_deref(),
        Some("alipay")
    );
    let refused = begin_attempt(&desk, &unpaid, "balance", "k2").await;
    match refused {
        Err(StoreError::Offline { as_of: Some(at) }) => assert!(at >= as_of),
        other => panic!("{other:?}"),
    }
    assert!(matches!(desk.now().await, Err(StoreError::Offline { .. })));
    assert!(shared.attempts("o-2").await.unwrap().is_empty());

    relay.restore();
    eventually("the desk is back online", async || desk.is_reachable()).await;
    let attempt = begin_attempt(&desk, &unpaid, "balance", "k2")
        .await
        .unwrap();
    assert_eq!(
        shared.attempt(attempt.id).await.unwrap().idempotency_key,
        "k2"
    );
}

#[tokio::test]
async fn a_desk_that_starts_while_its_server_is_out_of_reach_opens_on_its_copy_and_joins_when_it_answers(
) {
    let Some((_shared_dir, shared)) = temp_shared_store().await else {
        return;
    };
    add_profile(&shared, "p", "sensecore").await;
    let order = add_order(&shared, "p", "o-1", "12.34", "tea").await;
    let relay = Relay::start().await;
    let dir = tempfile::tempdir().unwrap();
    let first = desk_through(&relay, &shared, dir.path()).await;
    eventually("the first copy", async || first.copy_as_of().is_some()).await;
    let as_of = first.copy_as_of();
    first.close().await;

    relay.cut();
    let desk = desk_through(&relay, &shared, dir.path()).await;
    assert!(!desk.is_reachable());
    assert_eq!(
        desk.copy_as_of(),
        as_of,
        "the copy's age survives a restart"
    );
    assert_eq!(desk.order("o-1").await.unwrap().subject, "tea");
    assert!(matches!(
        begin_attempt(&desk, &order, "balance", "k1").await,
        Err(StoreError::Offline { .. })
    ));

    relay.restore();
    eventually("the desk joins", async || desk.is_reachable()).await;
    begin_attempt(&desk, &order, "balance", "k1").await.unwrap();
    assert_eq!(shared.attempts("o-1").await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_copy_taken_from_another_server_is_emptied_before_it_is_used() {
    let Some((_shared_dir, shared)) = temp_shared_store().await else {
        return;
    };
    add_profile(&shared, "p", "sensecore").await;
    add_order(&shared, "p", "o-1", "12.34", "tea").await;
    let relay = Relay::start().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk_through(&relay, &shared, dir.path()).await;
    eventually("the first copy", async || desk.copy_as_of().is_some()).await;
    desk.close().await;

    relay.cut();
    let copy = dir.path().join("shared-cache.sqlite");
    let elsewhere = Store::open(&db_path(dir.path()))
        .await
        .unwrap()
        .with_shared_record_and_copy(
            relay.to_database_of(&shared).await,
            KeptCopy {
                path: &copy,
                server: "another server",
                window_days: 90,
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        elsewhere.order("o-1").await,
        Err(StoreError::NoSuchOrder(_))
    ));
    assert_eq!(elsewhere.copy_as_of(), None);
    // Without a copy, a server out of reach is an error at once, not an offline desk.
    let plain = Store::open(&db_path(dir.path()))
        .await
        .unwrap()
        .with_shared_record(relay.to_database_of(&shared).await, SchemaUpdate::Never)
        .await;
    assert!(
        matches!(plain, Err(StoreError::Connect { .. })),
        "{:?}",
        plain.err()
    );
}

/// The latest state of `order_no` in the copy in `dir`, read behind the desk's back.
async fn copied_state(dir: &std::path::Path, order_no: &str) -> Option<String> {
    let copy = Store::open(&dir.join("shared-cache.sqlite")).await.unwrap();
    let state = copy.order(order_no).await.ok().and_then(|o| o.state);
    copy.close().await;
    state.map(|s| s.as_str().to_string())
}
