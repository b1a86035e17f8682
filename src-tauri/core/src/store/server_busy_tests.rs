//! A merchant's server set up otherwise than paydesk expects, busy with other work, or brought
//! forward by a newer paydesk: the desk keeps its own isolation, a wait the server gives up is
//! "busy" with nothing written, and a schema it does not know stops its writes (the desk
//! reads its copy and says who must update what).

use crate::app::error::{AppError, ErrorKind, Problem};
use crate::store::StoreError;
use crate::test_support::{
    add_order, add_profile, another_desk, begin_attempt, cny, eventually, new_order,
    temp_shared_store,
};

/// Sets a default for every new connection to the store's database, as a DBA would.
async fn database_default(store: &crate::store::Store, setting: &str, value: &str) {
    let pool = store.shared_pool().unwrap();
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .unwrap();
    sqlx::raw_sql(&format!(
        "ALTER DATABASE {database} SET {setting} = '{value}'"
    ))
    .execute(pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn a_desk_writes_in_read_committed_whatever_the_server_defaults_to() {
    let Some((_dir, store)) = temp_shared_store().await else {
        return;
    };
    database_default(&store, "default_transaction_isolation", "serializable").await;
    let (_desk_dir, desk) = another_desk(&store).await;
    let mut tx = desk.shared_pool().unwrap().begin().await.unwrap();
    let isolation: String = sqlx::query_scalar("SHOW transaction_isolation")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(isolation, "read committed");
}

#[tokio::test]
async fn a_lock_the_server_gives_up_waiting_for_is_busy_and_writes_nothing() {
    let Some((_dir, store)) = temp_shared_store().await else {
        return;
    };
    add_profile(&store, "shop", "sensecore").await;
    let order = add_order(&store, "shop", "B-1", "5.00", "").await;
    database_default(&store, "lock_timeout", "200ms").await;
    let (_desk_dir, desk) = another_desk(&store).await;

    // Another desk is in the middle of changing the order.
    let mut holder = store.shared_pool().unwrap().begin().await.unwrap();
    sqlx::query("SELECT id FROM orders WHERE order_no = 'B-1' FOR UPDATE")
        .execute(&mut *holder)
        .await
        .unwrap();
    let busy = begin_attempt(&desk, &order, "balance", "k-busy")
        .await
        .unwrap_err();
    assert!(matches!(busy, StoreError::Busy(_)), "{busy:?}");
    assert!(busy.to_string().contains("nothing was written"), "{busy}");
    let shown = AppError::from(busy);
    assert_eq!(shown.problem, Problem::StoreBusy);
    assert_eq!(shown.kind(), ErrorKind::Internal);
    assert!(desk.attempts("B-1").await.unwrap().is_empty());

    holder.rollback().await.unwrap();
    begin_attempt(&desk, &order, "balance", "k-busy")
        .await
        .unwrap();
}

/// A desk on `store`'s server as the window and the command line open one: its own file in
/// `dir`, with its copy of the history beside it.
async fn desk_with_copy(
    store: &crate::store::Store,
    dir: &std::path::Path,
) -> crate::store::Result<crate::store::Store> {
    crate::store::Store::open(&crate::test_support::db_path(dir))
        .await
        .unwrap()
        .with_shared_record_and_copy(
            crate::test_support::shared_server(store).await.unwrap(),
            crate::store::KeptCopy {
                path: &dir.join("shared-cache.sqlite"),
                server: "the test server",
                window_days: 90,
            },
        )
        .await
}

/// Says on the server that a newer paydesk migrated its schema (a migration this one lacks).
async fn newer_paydesk_migrated(store: &crate::store::Store) {
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (9999, 'a newer paydesk', true, '\\x00'::bytea, 0)",
    )
    .execute(store.shared_pool().unwrap())
    .await
    .unwrap();
}

#[tokio::test]
async fn a_desk_that_starts_on_a_schema_it_does_not_fit_reads_its_copy_and_says_why() {
    let Some((_dir, store)) = temp_shared_store().await else {
        return;
    };
    add_profile(&store, "shop", "sensecore").await;
    add_order(&store, "shop", "S-1", "1.00", "tea").await;
    let supported = store.schema_version().await.unwrap();
    let desk_dir = tempfile::tempdir().unwrap();
    let desk = desk_with_copy(&store, desk_dir.path()).await.unwrap();
    eventually("the desk copies the history", async || {
        desk.copy_as_of().is_some()
    })
    .await;
    desk.close().await;

    newer_paydesk_migrated(&store).await;
    let desk = desk_with_copy(&store, desk_dir.path())
        .await
        .expect("opens on its copy");
    assert!(!desk.is_reachable());
    let mismatch = crate::store::SchemaMismatch {
        applied: 9999,
        supported,
    };
    assert_eq!(desk.schema_mismatch(), Some(mismatch));
    assert_eq!(
        desk.order("S-1").await.unwrap().subject,
        "tea",
        "read from its copy"
    );
    let refused = desk
        .add_order(&new_order("shop", "S-2", cny("1.00")))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, StoreError::Offline { schema_mismatch: Some(m), .. } if m == mismatch),
        "{refused:?}"
    );
    let shown = AppError::from(refused);
    assert_eq!(shown.kind(), ErrorKind::Refused);
    assert!(
        shown.message.contains("update paydesk on this desk")
            && shown.message.ends_with("nothing was written or sent"),
        "{}",
        shown.message
    );
    assert!(matches!(
        store.order("S-2").await,
        Err(StoreError::NoSuchOrder(_))
    ));

    // The newer paydesk's migration undone: the desk is back on its own.
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 9999")
        .execute(store.shared_pool().unwrap())
        .await
        .unwrap();
    eventually("the desk is back on a schema that fits", async || {
        desk.is_reachable()
    })
    .await;
    assert_eq!(desk.schema_mismatch(), None);
    desk.add_order(&new_order("shop", "S-2", cny("1.00")))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_desk_whose_schema_a_newer_paydesk_brought_forward_stops_writing() {
    let Some((_dir, store)) = temp_shared_store().await else {
        return;
    };
    add_profile(&store, "shop", "sensecore").await;
    let desk_dir = tempfile::tempdir().unwrap();
    let desk = desk_with_copy(&store, desk_dir.path()).await.unwrap();
    assert!(desk.is_reachable());
    let supported = store.schema_version().await.unwrap();
    // A newer paydesk's owner migrates the schema and says so, as this one does.
    let pool = store.shared_pool().unwrap();
    newer_paydesk_migrated(&store).await;
    crate::store::shared_feed::tell_schema_changed(pool).await;
    eventually(
        "the desk stops writing to a schema it does not know",
        async || !desk.is_reachable(),
    )
    .await;
    assert!(matches!(desk.now().await, Err(StoreError::Offline { .. })));
    desk.add_order(&new_order("shop", "S-9", cny("1.00")))
        .await
        .unwrap_err();
    assert!(matches!(
        store.order("S-9").await,
        Err(StoreError::NoSuchOrder(_))
    ));
    // Still out after a reconnect's check: the schema does not fit, and the desk says why.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert!(!desk.is_reachable());
    eventually("the desk knows why it is out", async || {
        desk.schema_mismatch().is_some()
    })
    .await;
    let mismatch = desk.schema_mismatch().unwrap();
    assert_eq!(mismatch.applied, 9999);
    assert_eq!(mismatch.supported, supported);
    assert!(
        mismatch
            .to_string()
            .ends_with("update paydesk on this desk"),
        "{mismatch}"
    );
    let shown = crate::app::shared_store::record_state(&desk).await;
    assert_eq!(
        (shown.reachable, shown.schema_mismatch),
        (false, Some(mismatch))
    );

    // The newer paydesk's migration undone (a restored backup): the desk is back, and fits.
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 9999")
        .execute(pool)
        .await
        .unwrap();
    crate::store::shared_feed::tell_schema_changed(pool).await;
    eventually("the desk is back on a schema that fits", async || {
        desk.is_reachable()
    })
    .await;
    assert_eq!(desk.schema_mismatch(), None);
}

#[tokio::test]
async fn the_desk_that_migrates_the_schema_tells_the_others() {
    let Some(server) = crate::test_support::temp_shared_database().await else {
        return;
    };
    let mut listener =
        sqlx::postgres::PgListener::connect_with(&sqlx::PgPool::connect_lazy_with(server.clone()))
            .await
            .unwrap();
    listener
        .listen(crate::store::shared_feed::CHANNEL)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate::store::Store::open_shared(server, &crate::test_support::db_path(dir.path()))
        .await
        .unwrap();
    let heard = tokio::time::timeout(std::time::Duration::from_secs(10), listener.recv())
        .await
        .expect("the migrating desk said nothing")
        .unwrap();
    assert_eq!(heard.payload(), crate::store::shared_feed::SCHEMA_CHANGED);
}
