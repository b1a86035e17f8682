//! The count of the unfiltered orders page is kept by triggers (SQLite: one row, migration
//! 0009; a shared store: rows spread over the writers' server processes, postgres/0010). It
//! stays the number of orders while several desks add orders at once, an import adds a batch,
//! an insert is rolled back and orders are removed.

use paydesk_rules::parse::OrderCandidate;

use crate::console::OrderQuery;
use crate::store::Store;
use crate::test_support::{
    add_order, add_profile, another_desk, cny, run_on_record, store_contract,
};

/// The unfiltered page's count, and the orders the record holds.
async fn counted(store: &Store) -> (i64, i64) {
    let page = store
        .query_orders(&OrderQuery {
            limit: 1,
            ..OrderQuery::default()
        })
        .await
        .unwrap();
    let sql = "SELECT count(*) FROM orders";
    let held: i64 = match store.shared_pool() {
        Some(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        None => sqlx::query_scalar(sql)
            .fetch_one(store.pool())
            .await
            .unwrap(),
    };
    (page.total, held)
}

store_contract! {
    async fn the_unfiltered_count_is_the_number_of_orders_while_desks_add_them_at_once(store) {
        add_profile(&store, "shop", "sensecore").await;
        let profile_id = store.profile("shop").await.unwrap().id;
        let mut desks = Vec::new();
        for _ in 0..3 {
            desks.push(another_desk(&store).await);
        }
        let mut adding = tokio::task::JoinSet::new();
        for (n, (_, desk)) in desks.iter().enumerate() {
            let desk = desk.clone();
            adding.spawn(async move {
                for k in 0..20 {
                    add_order(&desk, "shop", &format!("D{n}-{k}"), "1.00", "").await;
                }
            });
        }
        let batch: Vec<OrderCandidate> = (0..50)
            .map(|k| OrderCandidate {
                line: k,
                order_no: format!("B-{k}"),
                profile_id,
                amount: cny("2.00"),
                subject: String::new(),
                attributes: Default::default(),
            })
            .collect();
        store.add_orders(&batch).await.unwrap();
        adding.join_all().await;
        assert_eq!(counted(&store).await, (110, 110));
        for (_, desk) in &desks {
            assert_eq!(counted(desk).await.0, 110);
        }

        let insert = "INSERT INTO orders (order_no, profile_id, amount_minor, currency, created_at)
                      SELECT 'R-1', id, 1, 'CNY', 0 FROM profiles";
        run_on_record(&store, insert, true).await;
        assert_eq!(counted(&store).await, (110, 110));
        run_on_record(&store, "DELETE FROM orders WHERE order_no IN ('B-1', 'B-2')", false).await;
        assert_eq!(counted(&store).await, (108, 108));
    }
}
