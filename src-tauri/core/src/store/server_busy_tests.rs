//! A merchant's server set up otherwise than paydesk expects, or busy with other work: the
//! desk keeps its own isolation, and a wait the server gives up is "busy", with nothing written.

use crate::app::error::{AppError, ErrorKind, Problem};
use crate::store::StoreError;
use crate::test_support::{add_order, add_profile, another_desk, begin_attempt, temp_shared_store};

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
