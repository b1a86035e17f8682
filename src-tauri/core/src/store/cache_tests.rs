//! A shared desk's copy of the history, with its server cut off and restored through a
//! loopback relay (the server itself and the other desks carry on): lookups answer from the
//! copy, every write is refused as offline and nothing reaches the server, and the desk comes
//! back online by itself.

use crate::domain::AttemptState;
use crate::store::{KeptCopy, SchemaUpdate, Store, StoreError};
use crate::test_support::{
    add_order, add_profile, begin_attempt, db_path, eventually, record_state, run_on_record,
    temp_shared_store, Relay,
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
    shared
        .set_merchant(&crate::merchant::Merchant {
            name: "益安便利店".into(),
            address: String::new(),
            time_zone: Some("Asia/Shanghai".into()),
        })
        .await
        .unwrap();

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
    // The merchant's settings come along: offline, its days are still the merchant's.
    let merchant = desk.merchant().await.unwrap();
    assert_eq!(
        (merchant.name.as_str(), merchant.time_zone.as_deref()),
        ("益安便利店", Some("Asia/Shanghai"))
    );
    assert_eq!(desk.attempts("o-1").await.unwrap()[0].idempotency_key, "k1");
    assert_eq!(desk.events(a.id).await.unwrap().len(), 3);
    assert_eq!(
        desk.order("o-3").await.unwrap().channel.as_deref(),
        Some("alipay")
    );
    let refused = begin_attempt(&desk, &unpaid, "balance", "k2").await;
    match refused {
        Err(StoreError::Offline {
            as_of: Some(at), ..
        }) => assert!(at >= as_of),
        other => panic!("{other:?}"),
    }
    assert!(matches!(desk.now().await, Err(StoreError::Offline { .. })));
    // The copy holds no audit trail: offline, it is not said to be empty.
    assert!(matches!(
        desk.audit_trail(&crate::audit::AuditQuery::default()).await,
        Err(StoreError::Offline { as_of: Some(_), .. })
    ));
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
    shared
        .set_merchant(&crate::merchant::Merchant {
            name: "A 店".into(),
            address: String::new(),
            time_zone: Some("Asia/Shanghai".into()),
        })
        .await
        .unwrap();
    let relay = Relay::start().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk_through(&relay, &shared, dir.path()).await;
    eventually("the first copy", async || desk.copy_as_of().is_some()).await;
    assert_eq!(desk.merchant().await.unwrap().name, "A 店");
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
    assert_eq!(
        elsewhere.merchant().await.unwrap(),
        crate::merchant::Merchant::default(),
        "not the other server's merchant"
    );
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

#[tokio::test]
async fn the_copy_lets_go_of_orders_that_left_its_window_but_keeps_those_looked_up_or_still_open() {
    let Some((_shared_dir, shared)) = temp_shared_store().await else {
        return;
    };
    add_profile(&shared, "p", "sensecore").await;
    for (order_no, key) in [("o-old", "k1"), ("o-seen", "k2")] {
        let order = add_order(&shared, "p", order_no, "1.00", "").await;
        let a = begin_attempt(&shared, &order, "balance", key)
            .await
            .unwrap();
        record_state(&shared, a.id, AttemptState::Succeeded).await;
    }
    let open = add_order(&shared, "p", "o-open", "2.00", "").await;
    begin_attempt(&shared, &open, "balance", "k3")
        .await
        .unwrap();
    add_order(&shared, "p", "o-unpaid-old", "3.00", "").await;
    add_order(&shared, "p", "o-new", "4.00", "").await;

    let relay = Relay::start().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk_through(&relay, &shared, dir.path()).await;
    eventually("the first copy", async || desk.copy_as_of().is_some()).await;
    desk.keep_copy(&["o-seen".to_string()]).await;
    desk.close().await;

    // A hundred days pass for all but the newest order, on the server and in the copy alike.
    let aged = ["o-old", "o-seen", "o-open", "o-unpaid-old"];
    age_by_days(shared.shared_pool().unwrap(), &aged, 100).await;
    let copy = sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new().filename(dir.path().join("shared-cache.sqlite")),
    )
    .await
    .unwrap();
    age_by_days_in_copy(&copy, &aged, 100).await;

    let desk = desk_through(&relay, &shared, dir.path()).await;
    eventually("the old orders leave the copy", async || {
        !in_copy(&copy, "o-old").await && !in_copy(&copy, "o-unpaid-old").await
    })
    .await;
    for kept in ["o-seen", "o-open", "o-new"] {
        assert!(in_copy(&copy, kept).await, "{kept} should stay in the copy");
    }
    let orphans: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM attempts WHERE order_id NOT IN (SELECT id FROM orders))
              + (SELECT count(*) FROM attempt_events
                 WHERE attempt_id NOT IN (SELECT id FROM attempts))",
    )
    .fetch_one(&copy)
    .await
    .unwrap();
    assert_eq!(orphans, 0, "an order leaves with its attempts and events");
    // The server keeps everything; the desk still finds a let-go order there while online.
    assert_eq!(desk.order("o-old").await.unwrap().order_no, "o-old");
    copy.close().await;
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

async fn age_by_days(shared: &sqlx::PgPool, order_nos: &[&str], days: i64) {
    let nos: Vec<String> = order_nos.iter().map(|n| n.to_string()).collect();
    sqlx::query("UPDATE orders SET created_at = created_at - $1 WHERE order_no = ANY($2)")
        .bind(days * DAY_MS)
        .bind(&nos)
        .execute(shared)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE attempts SET created_at = created_at - $1, updated_at = updated_at - $1
         WHERE order_id IN (SELECT id FROM orders WHERE order_no = ANY($2))",
    )
    .bind(days * DAY_MS)
    .bind(&nos)
    .execute(shared)
    .await
    .unwrap();
}

async fn age_by_days_in_copy(copy: &sqlx::SqlitePool, order_nos: &[&str], days: i64) {
    let nos = serde_json::to_string(order_nos).unwrap();
    sqlx::query(
        "UPDATE orders SET created_at = created_at - $1
         WHERE order_no IN (SELECT value FROM json_each($2))",
    )
    .bind(days * DAY_MS)
    .bind(&nos)
    .execute(copy)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE attempts SET created_at = created_at - $1, updated_at = updated_at - $1
         WHERE order_id IN (SELECT id FROM orders WHERE order_no IN (SELECT value FROM json_each($2)))",
    )
    .bind(days * DAY_MS)
    .bind(&nos)
    .execute(copy)
    .await
    .unwrap();
}

async fn in_copy(copy: &sqlx::SqlitePool, order_no: &str) -> bool {
    sqlx::query_scalar::<_, i64>("SELECT count(*) FROM orders WHERE order_no = $1")
        .bind(order_no)
        .fetch_one(copy)
        .await
        .unwrap()
        == 1
}

/// The latest state of `order_no` in the copy in `dir`, read behind the desk's back.
async fn copied_state(dir: &std::path::Path, order_no: &str) -> Option<String> {
    let copy = Store::open(&dir.join("shared-cache.sqlite")).await.unwrap();
    let state = copy.order(order_no).await.ok().and_then(|o| o.state);
    copy.close().await;
    state.map(|s| s.as_str().to_string())
}

#[tokio::test]
async fn a_read_only_login_opening_offline_is_still_read_only() {
    let Some((_shared_dir, shared)) = temp_shared_store().await else {
        return;
    };
    add_profile(&shared, "p", "sensecore").await;
    add_order(&shared, "p", "o-1", "1.00", "").await;
    // A login that may read everything and write nothing, as a support agent's.
    let reader = format!("reader_{}", uuid::Uuid::new_v4().simple());
    for grant in [
        format!("CREATE ROLE {reader} LOGIN PASSWORD 'reader-password'"),
        format!("GRANT USAGE ON SCHEMA public TO {reader}"),
        format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}"),
    ] {
        run_on_record(&shared, &grant, false).await;
    }
    let relay = Relay::start().await;
    let dir = tempfile::tempdir().unwrap();
    let open = async || {
        Store::open(&db_path(dir.path()))
            .await
            .unwrap()
            .with_shared_record_and_copy(
                relay
                    .to_database_of(&shared)
                    .await
                    .username(&reader)
                    .password("reader-password"),
                KeptCopy {
                    path: &dir.path().join("shared-cache.sqlite"),
                    server: "the test server as a reader",
                    window_days: 90,
                },
            )
            .await
            .unwrap()
    };
    let online = open().await;
    assert!(online.is_read_only());
    eventually("the first copy", async || online.copy_as_of().is_some()).await;
    online.close().await;

    relay.cut();
    let offline = open().await;
    assert!(!offline.is_reachable());
    assert!(
        offline.is_read_only(),
        "as read-only as when it last reached its server"
    );
}
