//! The latest attempt's state, channel and desk kept with each order (SQLite: on the order,
//! migrations 0006, 0015 and 0025; a server: beside it, postgres/0011 and 0012): they follow
//! every attempt the store writes, an existing database is filled in when it is migrated, and
//! the console's filters read them through an index instead of walking the attempts. An
//! order's latest attempt is the one holding it (paid or under way) when there is one, else
//! its newest.

use sqlx::Row;

use super::*;
use crate::console::{push_filters, OrderQuery};
use crate::domain::OrderView;
use crate::test_support::{
    add_order, add_profile, begin_attempt, record_state, run_on_record, store_contract,
    temp_database_before_migration, temp_store, temp_store_with_profiles,
};

/// An order of 12.34 yuan on profile `p`, without a subject.
async fn order(store: &Store, order_no: &str) -> OrderView {
    add_order(store, "p", order_no, "12.34", "").await
}

/// The id of order `o`'s latest attempt, the long way: every attempt of the order sorted, the
/// one holding it first, then the newest.
const LATEST_THE_LONG_WAY: &str = "(SELECT id FROM attempts WHERE order_id = o.id
    ORDER BY CASE WHEN state IN ('succeeded', 'created', 'submitting', 'pending', 'unknown',
                                 'needs_review') THEN 0 ELSE 1 END, id DESC LIMIT 1)";

/// Every order's kept state and channel against its latest attempt, read the long way.
async fn assert_kept(store: &Store) -> usize {
    let rows = sqlx::query(&format!(
        "SELECT o.order_no, o.latest_state, o.latest_channel, a.state, a.channel
         FROM orders o
         LEFT JOIN attempts a ON a.id = {LATEST_THE_LONG_WAY}"
    ))
    .fetch_all(store.pool())
    .await
    .unwrap();
    for row in &rows {
        let kept: (Option<String>, Option<String>) = (row.get(1), row.get(2));
        let latest: (Option<String>, Option<String>) = (row.get(3), row.get(4));
        assert_eq!(kept, latest, "order {}", row.get::<String, _>(0));
    }
    rows.len()
}

/// Every order's kept state, channel and desk, as the console's filters read them, against its
/// latest attempt read the long way, on the store of record.
async fn assert_listed_as_latest(store: &Store) -> usize {
    type Listed = (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let sql = |orders: &str| {
        format!(
            "SELECT o.order_no, l.latest_state, l.latest_channel, l.latest_desk,
                    a.state, a.channel, a.desk
             FROM orders o JOIN {orders} l ON l.id = o.id
             LEFT JOIN attempts a ON a.id = {LATEST_THE_LONG_WAY}"
        )
    };
    let rows: Vec<Listed> = match store.shared_pool() {
        Some(pool) => sqlx::query_as(&sql(<sqlx::Postgres as Dialect>::ORDERS_LISTED))
            .fetch_all(pool)
            .await
            .unwrap(),
        None => sqlx::query_as(&sql(<sqlx::Sqlite as Dialect>::ORDERS_LISTED))
            .fetch_all(store.pool())
            .await
            .unwrap(),
    };
    for (order_no, state, channel, desk, latest_state, latest_channel, latest_desk) in &rows {
        assert_eq!(
            (state, channel, desk),
            (latest_state, latest_channel, latest_desk),
            "order {order_no}"
        );
    }
    rows.len()
}

store_contract! {
    async fn the_latest_attempt_is_listed_with_its_order_through_every_change(store) {
        add_profile(&store, "p", "sensecore").await;
        let o1 = order(&store, "O-1").await;
        let o2 = order(&store, "O-2").await;
        order(&store, "O-3").await;
        assert_eq!(assert_listed_as_latest(&store).await, 3);

        let a = begin_attempt(&store, &o1, "alipay", "k1").await.unwrap();
        assert_listed_as_latest(&store).await;
        record_state(&store, a.id, AttemptState::Pending).await;
        record_state(&store, a.id, AttemptState::Succeeded).await;
        assert_listed_as_latest(&store).await;

        let failed = begin_attempt(&store, &o2, "balance", "k2").await.unwrap();
        record_state(&store, failed.id, AttemptState::Failed).await;
        store.set_actor(crate::domain::Actor {
            desk: "Desk 2".into(),
            operator: "op".into(),
        });
        let retry = begin_attempt(&store, &o2, "wechat", "k3").await.unwrap();
        record_state(&store, retry.id, AttemptState::Unknown).await;
        record_state(&store, retry.id, AttemptState::NeedsReview).await;
        store
            .resolve_review(retry.id, AttemptState::Failed, "customer cancelled")
            .await
            .unwrap();
        assert_listed_as_latest(&store).await;
        // An older failed attempt changing its channel does not overwrite the newer one's.
        let relabelled = format!("UPDATE attempts SET channel = 'credit' WHERE id = {}", failed.id);
        run_on_record(&store, &relabelled, false).await;
        assert_eq!(assert_listed_as_latest(&store).await, 3);
        let o2 = store.order("O-2").await.unwrap();
        assert_eq!(
            (o2.state, o2.channel.as_deref()),
            (Some(AttemptState::Failed), Some("wechat"))
        );
        let by_desk = store
            .query_orders(&OrderQuery {
                desk: Some("Desk 2".into()),
                state: Some(AttemptState::Failed),
                ..OrderQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(by_desk.rows.iter().map(|o| o.order_no.as_str()).collect::<Vec<_>>(), ["O-2"]);
        assert_eq!(store.desks().await.unwrap(), ["Desk 2"]);

        // The older attempt turns out paid (a late answer): the order shows its payment, not
        // the newer failure, wherever it is read.
        let paid_late = format!("UPDATE attempts SET state = 'succeeded' WHERE id = {}", failed.id);
        run_on_record(&store, &paid_late, false).await;
        assert_eq!(assert_listed_as_latest(&store).await, 3);
        let o2 = store.order("O-2").await.unwrap();
        assert_eq!(
            (o2.state, o2.channel.as_deref()),
            (Some(AttemptState::Succeeded), Some("credit"))
        );
        assert_eq!(store.latest_attempt(o2.id).await.unwrap().unwrap().id, failed.id);
        let paid = store
            .query_orders(&OrderQuery {
                state: Some(AttemptState::Succeeded),
                limit: 10,
                ..OrderQuery::default()
            })
            .await
            .unwrap();
        let mut paid: Vec<&str> = paid.rows.iter().map(|o| o.order_no.as_str()).collect();
        paid.sort();
        assert_eq!(paid, ["O-1", "O-2"]);
        let (order, latest, _) = store.payment_start("O-2").await.unwrap();
        assert_eq!((order.state, latest.map(|a| a.id)), (Some(AttemptState::Succeeded), Some(failed.id)));

        // And when the payment is taken back by a person (failed), the newest attempt is the
        // order's latest again.
        let taken_back = format!("UPDATE attempts SET state = 'failed' WHERE id = {}", failed.id);
        run_on_record(&store, &taken_back, false).await;
        assert_eq!(assert_listed_as_latest(&store).await, 3);
        assert_eq!(store.order("O-2").await.unwrap().channel.as_deref(), Some("wechat"));
    }

    async fn a_payment_starts_from_the_order_its_latest_attempt_and_its_profile(store) {
        add_profile(&store, "p", "sensecore").await;
        let paid = order(&store, "O-1").await;
        order(&store, "O-2").await;
        begin_attempt(&store, &paid, "balance", "k1").await.unwrap();
        let first = store.latest_attempt(paid.id).await.unwrap().unwrap();
        record_state(&store, first.id, AttemptState::Failed).await;
        let second = begin_attempt(&store, &paid, "alipay", "k2").await.unwrap();
        store
            .record(
                second.id,
                AttemptState::Pending,
                &AttemptUpdate {
                    gateway_ref: Some("ch_\"引号\"".into()),
                    pay_url: Some("https://pay.example/qr?o=O-1&x=1".into()),
                    error_message: Some("waiting for the customer's 扫码".into()),
                    ..AttemptUpdate::default()
                },
            )
            .await
            .unwrap();
        for order_no in ["O-1", "O-2"] {
            let order = store.order(order_no).await.unwrap();
            let expected = (
                order.clone(),
                store.latest_attempt(order.id).await.unwrap(),
                store.profile("p").await.unwrap(),
            );
            assert_eq!(store.payment_start(order_no).await.unwrap(), expected);
        }
        assert!(matches!(
            store.payment_start("O-404").await,
            Err(StoreError::NoSuchOrder(n)) if n == "O-404"
        ));
    }
}

#[tokio::test]
async fn the_latest_attempt_is_kept_on_its_order_through_every_change() {
    let (_dir, store) = temp_store_with_profiles(&[("p", "sensecore")]).await;
    let o1 = order(&store, "O-1").await;
    let o2 = order(&store, "O-2").await;
    order(&store, "O-3").await;
    assert_eq!(assert_kept(&store).await, 3);

    let a = begin_attempt(&store, &o1, "alipay", "k1").await.unwrap();
    assert_kept(&store).await;
    record_state(&store, a.id, AttemptState::Pending).await;
    assert_kept(&store).await;
    record_state(&store, a.id, AttemptState::Succeeded).await;
    assert_kept(&store).await;

    // A failure, then a second attempt on another channel that needs a person.
    let failed = begin_attempt(&store, &o2, "balance", "k2").await.unwrap();
    record_state(&store, failed.id, AttemptState::Failed).await;
    let retry = begin_attempt(&store, &o2, "wechat", "k3").await.unwrap();
    record_state(&store, retry.id, AttemptState::Unknown).await;
    record_state(&store, retry.id, AttemptState::NeedsReview).await;
    assert_kept(&store).await;
    store
        .resolve_review(retry.id, AttemptState::Failed, "customer cancelled")
        .await
        .unwrap();
    assert_kept(&store).await;
    // An older failed attempt changing its channel does not overwrite the newer one's.
    sqlx::query("UPDATE attempts SET state = 'failed', channel = 'credit' WHERE id = ?")
        .bind(failed.id)
        .execute(store.pool())
        .await
        .unwrap();
    assert_kept(&store).await;
    let kept: (String, String) =
        sqlx::query_as("SELECT latest_state, latest_channel FROM orders WHERE order_no = 'O-2'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(kept, ("failed".to_string(), "wechat".to_string()));
    // Removing the latest attempt brings the one before it back.
    sqlx::query("DELETE FROM attempt_events WHERE attempt_id = ?")
        .bind(retry.id)
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM reviews WHERE attempt_id = ?")
        .bind(retry.id)
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM attempts WHERE id = ?")
        .bind(retry.id)
        .execute(store.pool())
        .await
        .unwrap();
    assert_kept(&store).await;
    assert_eq!(
        store.order("O-3").await.unwrap().state,
        None,
        "never paid: nothing kept"
    );

    // A failed attempt written after the order's payment (as moving a desk's history in
    // writes one) does not hide the payment.
    sqlx::query(
        "INSERT INTO attempts (order_id, channel, state, idempotency_key, amount_minor,
                               created_at, updated_at, desk)
         VALUES (?, 'wechat', 'failed', 'k-moved-in', 1234, 9, 9, 'Desk 9')",
    )
    .bind(o1.id)
    .execute(store.pool())
    .await
    .unwrap();
    assert_kept(&store).await;
    let o1 = store.order("O-1").await.unwrap();
    assert_eq!(
        (o1.state, o1.channel.as_deref()),
        (Some(AttemptState::Succeeded), Some("alipay"))
    );
}

#[tokio::test]
async fn a_payment_hidden_by_a_newer_failed_attempt_is_shown_once_the_store_is_migrated() {
    // The schema as it was before migration 25: order B-1 was paid, then a failed attempt
    // was written after its payment (moved in from a desk's own history), and was kept.
    let (_dir, path) = temp_database_before_migration(
        25,
        "INSERT INTO profiles (name, gateway, base_url, vault_id, created_at)
         VALUES ('p', 'sensecore', 'http://127.0.0.1:1', 'v', 0);
         INSERT INTO orders (order_no, profile_id, amount_minor, currency, created_at)
         VALUES ('B-1', 1, 100, 'CNY', 1), ('B-2', 1, 100, 'CNY', 2);
         INSERT INTO attempts (order_id, channel, state, idempotency_key, amount_minor, created_at,
                               updated_at, desk)
         VALUES (1, 'alipay', 'succeeded', 'k1', 100, 2, 2, 'Desk 1'),
                (2, 'balance', 'failed', 'k2', 100, 3, 3, 'Desk 1'),
                (2, 'wechat', 'failed', 'k3', 100, 4, 4, 'Desk 1'),
                (1, 'balance', 'failed', 'k4', 100, 1, 1, 'Desk 2');",
    )
    .await;
    let before: (String, String) =
        sqlx::query_as("SELECT latest_state, latest_desk FROM orders WHERE order_no = 'B-1'")
            .fetch_one(
                &sqlx::SqlitePool::connect_with(
                    sqlx::sqlite::SqliteConnectOptions::new().filename(&path),
                )
                .await
                .unwrap(),
            )
            .await
            .unwrap();
    assert_eq!(
        before,
        ("failed".to_string(), "Desk 2".to_string()),
        "kept by the newest id"
    );
    let store = Store::open(&path).await.unwrap();
    assert_eq!(assert_kept(&store).await, 2);
    let b1 = store.order("B-1").await.unwrap();
    assert_eq!(
        (b1.state, b1.channel.as_deref()),
        (Some(AttemptState::Succeeded), Some("alipay"))
    );
    assert_eq!(
        store.order("B-2").await.unwrap().channel.as_deref(),
        Some("wechat")
    );
}

#[tokio::test]
async fn a_store_from_before_is_filled_in_when_it_is_migrated() {
    // The schema as it was before migration 6, with orders paid in it.
    let (_dir, path) = temp_database_before_migration(
        6,
        "INSERT INTO profiles (name, gateway, base_url, vault_id, created_at)
         VALUES ('p', 'sensecore', 'http://127.0.0.1:1', 'v', 0);
         INSERT INTO orders (order_no, profile_id, amount_minor, currency, created_at)
         VALUES ('B-1', 1, 100, 'CNY', 1), ('B-2', 1, 100, 'CNY', 2), ('B-3', 1, 100, 'CNY', 3);
         INSERT INTO attempts (order_id, channel, state, idempotency_key, amount_minor, created_at, updated_at)
         VALUES (1, 'balance', 'failed', 'k1', 100, 1, 1), (1, 'alipay', 'succeeded', 'k2', 100, 2, 2),
                (2, 'wechat', 'pending', 'k3', 100, 3, 3);",
    )
    .await;
    let store = Store::open(&path).await.unwrap();
    assert_eq!(assert_kept(&store).await, 3);
    let b1 = store.order("B-1").await.unwrap();
    assert_eq!(
        (b1.state, b1.channel.as_deref()),
        (Some(AttemptState::Succeeded), Some("alipay"))
    );
}

#[tokio::test]
async fn the_console_filters_read_an_index_of_orders_not_the_attempts() {
    let (_dir, store) = temp_store().await;
    let filters = [
        OrderQuery {
            state: Some(AttemptState::Succeeded),
            channel: Some("wechat".into()),
            from_ms: Some(1),
            to_ms: Some(2),
            ..OrderQuery::default()
        },
        OrderQuery {
            state: Some(AttemptState::Failed),
            from_ms: Some(1),
            ..OrderQuery::default()
        },
        OrderQuery {
            channel: Some("alipay".into()),
            to_ms: Some(2),
            ..OrderQuery::default()
        },
    ];
    for filter in &filters {
        let mut count = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM orders o",
        );
        push_filters(&mut count, filter, None);
        let plan: Vec<String> = count
            .build()
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("detail"))
            .collect();
        assert!(
            plan.iter()
                .any(|l| l.contains("USING COVERING INDEX orders_by_latest_")),
            "{filter:?}: {plan:?}"
        );
        assert!(
            !plan.iter().any(|l| l.contains("attempts")),
            "{filter:?} walks attempts: {plan:?}"
        );
    }
}
