//! Moving a standalone desk's history into a shared store, on a real PostgreSQL server.

use std::collections::BTreeMap;

use super::*;
use crate::domain::{AttemptState, NewProfile};
use crate::store::SchemaUpdate;
use crate::test_support::{
    add_order, add_profile, begin_attempt, record_state, run_on_record, shared_server,
    temp_shared_store, temp_store, TEST_BASE_URL,
};

/// The standalone desk's store with its record moved to the shared store of `shared`.
async fn connected(standalone: &Store, shared: &Store) -> Store {
    let server = shared_server(shared).await.unwrap();
    standalone
        .clone()
        .with_shared_record(server, SchemaUpdate::Never)
        .await
        .unwrap()
}

/// Each attempt of the order as (idempotency key, state, its events as (state, detail, at,
/// desk), its reviews' count).
async fn payments(store: &Store, order_no: &str) -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    for attempt in store.attempts(order_no).await.unwrap() {
        let events = store
            .events(attempt.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| format!("{}|{:?}|{}|{}", e.state.as_str(), e.detail, e.at, e.desk))
            .collect();
        out.push((
            attempt.idempotency_key.clone(),
            attempt.state.as_str().to_string(),
            events,
        ));
    }
    out
}

async fn add_demo_profile(store: &Store) {
    store
        .create_profile(&NewProfile {
            name: "demo".into(),
            gateway: "sensecore".into(),
            base_url: TEST_BASE_URL.into(),
            settings: BTreeMap::new(),
            is_sandbox: true,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_desks_own_history_moves_in_once_with_its_timelines_and_the_demo_stays_behind() {
    let Some((_shared_dir, shared)) = temp_shared_store().await else {
        return;
    };
    let (_dir, here) = temp_store().await;
    add_profile(&here, "p", "sensecore").await;
    add_demo_profile(&here).await;
    let paid = add_order(&here, "p", "o-1", "12.34", "tea").await;
    let retried = add_order(&here, "p", "o-2", "5.00", "cake").await;
    add_order(&here, "p", "o-3", "1.00", "").await;
    let demo = add_order(&here, "demo", "d-1", "9.99", "").await;
    let a = begin_attempt(&here, &paid, "balance", "k1").await.unwrap();
    record_state(&here, a.id, AttemptState::NeedsReview).await;
    here.resolve_review(a.id, AttemptState::Succeeded, "the receipt shows it")
        .await
        .unwrap();
    let b = begin_attempt(&here, &retried, "balance", "k2")
        .await
        .unwrap();
    record_state(&here, b.id, AttemptState::Failed).await;
    let c = begin_attempt(&here, &retried, "alipay", "k3")
        .await
        .unwrap();
    record_state(&here, c.id, AttemptState::Pending).await;
    let d = begin_attempt(&here, &demo, "balance", "k4").await.unwrap();
    record_state(&here, d.id, AttemptState::Succeeded).await;

    let desk = connected(&here, &shared).await;
    let moved = desk.move_in_own_history().await.unwrap();
    assert_eq!(
        (moved.profiles, moved.orders, moved.attempts, moved.reviews),
        (1, 3, 3, 1)
    );
    assert_eq!(moved.already_there, 0);
    let mut events_here = 0;
    for attempt in [&a, &b, &c] {
        events_here += here.events(attempt.id).await.unwrap().len() as u64;
    }
    assert_eq!(moved.events, events_here);
    for order_no in ["o-1", "o-2", "o-3"] {
        assert_eq!(
            payments(&shared, order_no).await,
            payments(&here, order_no).await,
            "{order_no}"
        );
        let (there, mine) = (
            shared.order(order_no).await.unwrap(),
            here.order(order_no).await.unwrap(),
        );
        assert_eq!(
            (there.amount, there.subject, there.state, there.created_at),
            (mine.amount, mine.subject, mine.state, mine.created_at)
        );
    }
    assert_eq!(
        shared.order("o-1").await.unwrap().state,
        Some(AttemptState::Succeeded)
    );
    assert!(matches!(
        shared.order("d-1").await,
        Err(StoreError::NoSuchOrder(_))
    ));
    assert!(matches!(
        shared.profile("demo").await,
        Err(StoreError::NoSuchProfile(_))
    ));

    let again = desk.move_in_own_history().await.unwrap();
    assert_eq!(
        again,
        MovedIn {
            already_there: 1 + 3 + 3,
            ..MovedIn::default()
        }
    );
    assert_eq!(shared.attempts("o-2").await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_history_that_disagrees_with_the_shared_store_moves_nothing_and_names_each_conflict() {
    let Some((_shared_dir, shared)) = temp_shared_store().await else {
        return;
    };
    add_profile(&shared, "p", "sensecore").await;
    add_profile(&shared, "q", "sensecore").await;
    add_order(&shared, "p", "o-1", "10.00", "tea").await;
    let (_dir, here) = temp_store().await;
    add_profile(&here, "p", "sensecore").await;
    add_profile(&here, "q", "yian").await;
    add_order(&here, "p", "o-1", "12.34", "tea").await;
    add_order(&here, "p", "o-2", "1.00", "").await;

    let desk = connected(&here, &shared).await;
    let refused = desk.move_in_own_history().await.unwrap_err();
    let StoreError::HistoriesDisagree(conflicts) = &refused else {
        panic!("{refused}");
    };
    assert_eq!(
        conflicts,
        &[
            "profile \"q\" differs in gateway (yian here, sensecore in the shared store)",
            "order \"o-1\" differs in amount (12.34 CNY here, 10.00 CNY in the shared store)",
        ]
    );
    assert!(
        refused.to_string().contains("nothing was moved"),
        "{refused}"
    );
    assert!(matches!(
        shared.order("o-2").await,
        Err(StoreError::NoSuchOrder(_))
    ));
    assert_eq!(shared.order("o-1").await.unwrap().amount, "10.00");
}

#[tokio::test]
async fn an_order_paid_both_here_and_in_the_shared_store_stops_the_move() {
    let Some((_shared_dir, shared)) = temp_shared_store().await else {
        return;
    };
    add_profile(&shared, "p", "sensecore").await;
    let theirs = add_order(&shared, "p", "o-1", "12.34", "tea").await;
    let a = begin_attempt(&shared, &theirs, "balance", "theirs")
        .await
        .unwrap();
    record_state(&shared, a.id, AttemptState::Succeeded).await;
    let (_dir, here) = temp_store().await;
    add_profile(&here, "p", "sensecore").await;
    let mine = add_order(&here, "p", "o-1", "12.34", "tea").await;
    begin_attempt(&here, &mine, "balance", "mine")
        .await
        .unwrap();

    let desk = connected(&here, &shared).await;
    let refused = desk.move_in_own_history().await.unwrap_err();
    assert!(
        refused.to_string().contains(&format!(
            "order \"o-1\" is submitting here and succeeded in the shared store (at {})",
            a.desk
        )),
        "{refused}"
    );
    assert_eq!(shared.attempts("o-1").await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_same_order_set_up_at_two_desks_is_one_order_and_a_profile_keeps_the_shared_keyring_name(
) {
    let Some((_shared_dir, shared)) = temp_shared_store().await else {
        return;
    };
    add_profile(&shared, "p", "sensecore").await;
    let theirs = add_order(&shared, "p", "o-1", "12.34", "tea").await;
    let failed = begin_attempt(&shared, &theirs, "balance", "theirs")
        .await
        .unwrap();
    record_state(&shared, failed.id, AttemptState::Failed).await;
    let (_dir, here) = temp_store().await;
    add_profile(&here, "p", "sensecore").await;
    let mine = add_order(&here, "p", "o-1", "12.34", "tea").await;
    let paid = begin_attempt(&here, &mine, "alipay", "mine").await.unwrap();
    record_state(&here, paid.id, AttemptState::Succeeded).await;

    let desk = connected(&here, &shared).await;
    let moved = desk.move_in_own_history().await.unwrap();
    assert_eq!(
        (moved.orders, moved.attempts, moved.already_there),
        (0, 1, 2)
    );
    let (there, mine) = (
        shared.profile("p").await.unwrap(),
        here.profile("p").await.unwrap(),
    );
    assert_eq!(
        moved.secrets_elsewhere,
        [SecretsElsewhere {
            profile: "p".into(),
            gateway: "sensecore".into(),
            here: mine.vault_id,
            there: there.vault_id,
        }]
    );
    let order = shared.order("o-1").await.unwrap();
    assert_eq!(
        (order.state, order.channel.as_deref()),
        (Some(AttemptState::Succeeded), Some("alipay"))
    );
}

#[tokio::test]
async fn a_failed_attempt_moved_in_after_another_desk_paid_the_order_leaves_it_paid() {
    let Some((_shared_dir, shared)) = temp_shared_store().await else {
        return;
    };
    add_profile(&shared, "p", "sensecore").await;
    let theirs = add_order(&shared, "p", "o-1", "12.34", "tea").await;
    let paid = begin_attempt(&shared, &theirs, "alipay", "theirs")
        .await
        .unwrap();
    record_state(&shared, paid.id, AttemptState::Succeeded).await;
    let (_dir, here) = temp_store().await;
    add_profile(&here, "p", "sensecore").await;
    let mine = add_order(&here, "p", "o-1", "12.34", "tea").await;
    let failed = begin_attempt(&here, &mine, "balance", "mine")
        .await
        .unwrap();
    record_state(&here, failed.id, AttemptState::Failed).await;

    let desk = connected(&here, &shared).await;
    let moved = desk.move_in_own_history().await.unwrap();
    assert_eq!(moved.attempts, 1);
    let attempts = shared.attempts("o-1").await.unwrap();
    assert_eq!(attempts.len(), 2, "both payments are in its history");
    assert!(
        attempts.iter().any(|a| a.id > paid.id),
        "the failure got the newer id"
    );
    for store in [&shared, &desk] {
        let order = store.order("o-1").await.unwrap();
        assert_eq!(
            (order.state, order.channel.as_deref()),
            (Some(AttemptState::Succeeded), Some("alipay"))
        );
        let listed = store
            .query_orders(&crate::console::OrderQuery {
                state: Some(AttemptState::Succeeded),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(listed.total, 1, "listed among the paid");
        assert_eq!(
            store.latest_attempt(order.id).await.unwrap().unwrap().id,
            paid.id
        );
    }
}

#[tokio::test]
async fn a_server_whose_kept_latest_attempt_hides_a_payment_is_mended_by_its_migration() {
    let Some((_shared_dir, shared)) = temp_shared_store().await else {
        return;
    };
    add_profile(&shared, "p", "sensecore").await;
    let order = add_order(&shared, "p", "o-1", "12.34", "tea").await;
    let paid = begin_attempt(&shared, &order, "alipay", "k1")
        .await
        .unwrap();
    record_state(&shared, paid.id, AttemptState::Succeeded).await;
    // A failed attempt written after the payment (moved in), kept as a server kept it before
    // its migration 12: from the newest id.
    for sql in [
        "INSERT INTO attempts (order_id, channel, state, idempotency_key, amount_minor,
                               created_at, updated_at, desk)
         VALUES ({id}, 'balance', 'failed', 'k-moved-in', 1234, 1, 1, 'Desk 2')",
        "UPDATE order_latest SET state = 'failed', channel = 'balance', desk = 'Desk 2'
         WHERE order_id = {id}",
    ] {
        let sql = sql.replace("{id}", &order.id.to_string());
        run_on_record(&shared, &sql, false).await;
    }
    assert_eq!(
        shared.order("o-1").await.unwrap().state,
        Some(AttemptState::Succeeded),
        "an order's own view reads its attempts"
    );
    let failed_listed = crate::console::OrderQuery {
        state: Some(AttemptState::Failed),
        ..Default::default()
    };
    assert_eq!(shared.query_orders(&failed_listed).await.unwrap().total, 1);

    // The migration's statements, in one transaction as sqlx runs it.
    let mut tx = shared.shared_pool().unwrap().begin().await.unwrap();
    sqlx::Executor::execute(
        &mut *tx,
        include_str!("../../migrations/postgres/0012_order_latest_holds.sql"),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(shared.query_orders(&failed_listed).await.unwrap().total, 0);
    let order = shared.order("o-1").await.unwrap();
    assert_eq!(
        (order.state, order.channel.as_deref()),
        (Some(AttemptState::Succeeded), Some("alipay"))
    );
}
