//! Support's lookup: what customers quote finds their order, best match first, each with its
//! state; an amount within a time range.

use crate::domain::AttemptState;
use crate::store::{AttemptUpdate, NewOrder, Store};
use crate::test_support::{add_order, add_profile, begin_attempt, new_order, store_contract};
use crate::{Currency, Money};

/// Orders on 益安: Y-20261205-0001 paid (charge and transaction numbers), Y-20261205-0002 not
/// paid, X-Y-20261205 (whose number holds another's), and 12.30 in yen-less yuan.
async fn seed(store: &Store) {
    add_profile(store, "ya", "yian").await;
    let paid = add_order(store, "ya", "Y-20261205-0001", "99.00", "course").await;
    add_order(store, "ya", "Y-20261205-0002", "12.30", "book").await;
    add_order(store, "ya", "X-Y-20261205", "5.00", "pen").await;
    let attempt = begin_attempt(store, &paid, "alipay", "key-1")
        .await
        .unwrap();
    store
        .record(
            attempt.id,
            AttemptState::Succeeded,
            &AttemptUpdate {
                gateway_ref: Some("ch_WrHW58Ki5unLCSuf54OuHKCS".into()),
                customer_ref: Some("2016061721001004400288787881".into()),
                ..AttemptUpdate::default()
            },
        )
        .await
        .unwrap();
}

async fn found(store: &Store, text: &str) -> Vec<(String, &'static str)> {
    store
        .lookup(text, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|h| (h.order_no, h.matched))
        .collect()
}

fn hit(order_no: &str, matched: &'static str) -> (String, &'static str) {
    (order_no.to_string(), matched)
}

store_contract! {
    async fn the_customer_s_own_reference_finds_the_order_whole_or_in_part(store) {
        seed(&store).await;
        let exact = store.lookup("2016061721001004400288787881", 10).await.unwrap();
        assert_eq!(exact.len(), 1);
        assert_eq!((exact[0].order_no.as_str(), exact[0].matched), ("Y-20261205-0001", "customer_ref"));
        assert_eq!((exact[0].state, exact[0].amount.as_str(), exact[0].currency.as_str()), (AttemptState::Succeeded, "99.00", "CNY"));
        assert_eq!(found(&store, "1004400288").await, [hit("Y-20261205-0001", "customer_ref")]);
        assert_eq!(found(&store, "Ki5unLCS").await, [hit("Y-20261205-0001", "gateway_ref")]);
        // A gateway's reference is matched whatever its letters' case.
        assert_eq!(found(&store, "ki5unlcs").await, [hit("Y-20261205-0001", "gateway_ref")]);
    }

    async fn part_of_an_order_number_from_six_characters_prefixes_first(store) {
        seed(&store).await;
        // A prefix ranks above a number that only holds the text; newest first within each.
        assert_eq!(
            found(&store, "Y-20261205").await,
            [hit("Y-20261205-0002", "order_no"), hit("Y-20261205-0001", "order_no"), hit("X-Y-20261205", "order_no")]
        );
        assert_eq!(found(&store, "1205-0002").await, [hit("Y-20261205-0002", "order_no")]);
        // Five characters are too few to mean one order by part of its number.
        assert!(found(&store, "-0002").await.is_empty());
        assert!(found(&store, "nothing-like-it").await.is_empty());
    }

    async fn an_amount_within_a_time_range(store) {
        seed(&store).await;
        add_profile(&store, "jp", "sensecore").await;
        store
            .add_order(&NewOrder {
                ..new_order("jp", "J-1", Money::from_minor(1230, Currency::parse("JPY").unwrap()))
            })
            .await
            .unwrap();
        let now = store.now().await.unwrap();
        let hour = 3_600_000;
        let found = store.lookup_amount("12.30", now - hour, now + hour, 10).await.unwrap();
        let orders: Vec<(&str, &str, &str)> = found
            .iter()
            .map(|h| (h.order_no.as_str(), h.matched, h.state.as_str()))
            .collect();
        assert_eq!(orders, [("Y-20261205-0002", "amount", "created")]);
        // ¥1230 is 1230 yen and 123000 fen.
        let yen = store.lookup_amount("1230", now - hour, now + hour, 10).await.unwrap();
        assert_eq!(yen.iter().map(|h| h.order_no.as_str()).collect::<Vec<_>>(), ["J-1"]);
        assert!(store.lookup_amount("12.30", now + hour, now + 2 * hour, 10).await.unwrap().is_empty());
        assert!(store.lookup_amount("12.31", now - hour, now + hour, 10).await.unwrap().is_empty());
    }
}
