//! A row another program wrote (a person with psql, a newer desk) that this paydesk cannot read
//! is refused by name, so support can find it, and never read as something else.

use crate::store::StoreError;
use crate::test_support::{add_order, add_profile, run_on_record, store_contract};

store_contract! {
    async fn an_order_in_a_currency_this_desk_does_not_know_is_refused_by_its_number(store) {
        add_profile(&store, "shop", "sensecore").await;
        add_order(&store, "shop", "X-1", "12.34", "").await;
        run_on_record(&store, "UPDATE orders SET currency = 'XXX' WHERE order_no = 'X-1'", false)
            .await;
        match store.order("X-1").await {
            Err(StoreError::Corrupt(why)) => {
                assert!(why.starts_with("order \"X-1\": "), "{why}");
                assert!(why.contains("XXX"), "{why}");
            }
            other => panic!("read as something else: {other:?}"),
        }
    }
}
