use super::*;
use std::collections::BTreeMap;

use crate::app::gateways::gateways;
use crate::store::Store;
use crate::store::{now_ms, AttemptUpdate};
use crate::test_support::{
    add_order, add_profile, add_sandbox_profile, begin_attempt, record_state, run_on_record,
    store_contract, temp_store, temp_store_with_profiles,
};

fn query() -> OrderQuery {
    OrderQuery {
        limit: 100,
        ..OrderQuery::default()
    }
}

fn numbers(page: &OrderPage) -> Vec<&str> {
    page.rows.iter().map(|o| o.order_no.as_str()).collect()
}

/// Three orders: A-1 paid by Alipay (charge ch_abc, pay URL), A-2 failed on balance,
/// B-1 on another profile never paid.
pub(super) async fn seeded() -> (tempfile::TempDir, Store) {
    let (dir, store) = temp_store().await;
    seed(&store).await;
    (dir, store)
}

async fn seed(store: &Store) {
    let store = store.clone();
    add_profile(&store, "shop", "sensecore").await;
    add_profile(&store, "other", "top").await;
    let a1 = add_order(&store, "shop", "A-1", "12.34", "GPU hours").await;
    let a2 = add_order(&store, "shop", "A-2", "0.50", "Storage").await;
    add_order(&store, "other", "B-1", "99.00", "Season pass").await;
    let paid = begin_attempt(&store, &a1, "alipay", "key-one")
        .await
        .unwrap();
    store
        .record(
            paid.id,
            AttemptState::Pending,
            &AttemptUpdate {
                gateway_ref: Some("ch_abc123".into()),
                pay_url: Some("https://pay.example/qr?o=A-1".into()),
                ..AttemptUpdate::default()
            },
        )
        .await
        .unwrap();
    record_state(&store, paid.id, AttemptState::Succeeded).await;
    let failed = begin_attempt(&store, &a2, "balance", "key-two")
        .await
        .unwrap();
    record_state(&store, failed.id, AttemptState::Failed).await;
}

/// A million orders: a page, a count, a search and a filter each find what they should. That
/// each walks an index rather than the table is what the plan tests check
/// (`store::scale_tests`, `console::search::plan_tests`); how long they take, the lookups
/// benchmark.
#[tokio::test]
async fn a_million_orders_page_search_and_filter_correctly() {
    let (_dir, store) = temp_store_with_profiles(&[("shop", "sensecore")]).await;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
         INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes, created_at)
         SELECT printf('ORD-%07d', i), 1, 100 + i % 9000, 'CNY', 'item ' || (i % 997), '{}', 1700000000000 + i FROM n",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let order = store.order("ORD-0500000").await.unwrap();
    let paid = store
        .begin_attempt(
            &order,
            "balance",
            "k-big",
            100,
            "[]",
            None,
            None,
            "[]",
            crate::test_support::sending(),
        )
        .await
        .unwrap();
    store
        .record(
            paid.id,
            AttemptState::Failed,
            &AttemptUpdate {
                gateway_ref: Some("ch_big".into()),
                ..AttemptUpdate::default()
            },
        )
        .await
        .unwrap();
    let page_of = |q: OrderQuery| {
        let store = store.clone();
        async move { store.query_orders(&q).await.unwrap() }
    };
    let page = page_of(OrderQuery {
        limit: 200,
        ..OrderQuery::default()
    })
    .await;
    assert_eq!((page.total, page.rows.len()), (1_000_000, 200));
    let page = page_of(OrderQuery {
        offset: 999_900,
        limit: 200,
        sort: OrderSort::Amount,
        ..OrderQuery::default()
    })
    .await;
    assert_eq!(page.rows.len(), 100);
    let page = page_of(OrderQuery {
        text: Some("RD-04999".into()),
        limit: 200,
        ..OrderQuery::default()
    })
    .await;
    assert_eq!(page.total, 100);
    let page = page_of(OrderQuery {
        text: Some("ch_big".into()),
        limit: 200,
        ..OrderQuery::default()
    })
    .await;
    assert_eq!(numbers(&page), ["ORD-0500000"]);
    let page = page_of(OrderQuery {
        state: Some(AttemptState::Failed),
        limit: 200,
        ..OrderQuery::default()
    })
    .await;
    assert_eq!(page.total, 1);
    let page = page_of(OrderQuery {
        channel: Some("balance".into()),
        limit: 200,
        ..OrderQuery::default()
    })
    .await;
    assert_eq!(page.total, 1);
    let page = page_of(OrderQuery {
        state: Some(AttemptState::Created),
        limit: 200,
        ..OrderQuery::default()
    })
    .await;
    assert_eq!(page.total, 999_999);
}

// The reads the store of record answers, on both stores.
store_contract! {
async fn filters_search_sorts_and_pages_in_the_database(store) {
    seed(&store).await;
    let all = store.query_orders(&query()).await.unwrap();
    assert_eq!(all.total, 3);
    assert_eq!(numbers(&all), ["A-1", "A-2", "B-1"]);

    let text = |t: &str| OrderQuery {
        text: Some(t.into()),
        ..query()
    };
    assert_eq!(
        numbers(&store.query_orders(&text("A-")).await.unwrap()),
        ["A-1", "A-2"]
    );
    assert_eq!(
        numbers(&store.query_orders(&text("ch_abc")).await.unwrap()),
        ["A-1"]
    );
    assert_eq!(
        numbers(&store.query_orders(&text("key-two")).await.unwrap()),
        ["A-2"]
    );
    assert_eq!(
        numbers(
            &store
                .query_orders(&text("https://pay.example/qr?o=A-1"))
                .await
                .unwrap()
        ),
        ["A-1"]
    );
    // Anywhere in the subject, any case, from three characters on.
    assert_eq!(
        numbers(&store.query_orders(&text("ason pa")).await.unwrap()),
        ["B-1"]
    );
    assert_eq!(
        numbers(&store.query_orders(&text("gpu")).await.unwrap()),
        ["A-1"]
    );
    assert_eq!(
        store
            .query_orders(&text("\"quoted\" OR x"))
            .await
            .unwrap()
            .total,
        0
    );

    let state = |s| OrderQuery {
        state: Some(s),
        ..query()
    };
    assert_eq!(
        numbers(
            &store
                .query_orders(&state(AttemptState::Succeeded))
                .await
                .unwrap()
        ),
        ["A-1"]
    );
    assert_eq!(
        numbers(
            &store
                .query_orders(&state(AttemptState::Failed))
                .await
                .unwrap()
        ),
        ["A-2"]
    );
    assert_eq!(
        numbers(
            &store
                .query_orders(&state(AttemptState::Created))
                .await
                .unwrap()
        ),
        ["B-1"]
    );

    let channel = OrderQuery {
        channel: Some("alipay".into()),
        ..query()
    };
    assert_eq!(
        numbers(&store.query_orders(&channel).await.unwrap()),
        ["A-1"]
    );
    let other = OrderQuery {
        profile: Some("other".into()),
        ..query()
    };
    assert_eq!(numbers(&store.query_orders(&other).await.unwrap()), ["B-1"]);
    let future = OrderQuery {
        from_ms: Some(now_ms() + 60_000),
        ..query()
    };
    assert_eq!(store.query_orders(&future).await.unwrap().total, 0);
    let past = OrderQuery {
        to_ms: Some(0),
        ..query()
    };
    assert_eq!(store.query_orders(&past).await.unwrap().total, 0);

    let by_amount = OrderQuery {
        sort: OrderSort::Amount,
        descending: true,
        ..query()
    };
    assert_eq!(
        numbers(&store.query_orders(&by_amount).await.unwrap()),
        ["B-1", "A-1", "A-2"]
    );
    let second = OrderQuery {
        sort: OrderSort::OrderNo,
        offset: 1,
        limit: 1,
        ..query()
    };
    let page = store.query_orders(&second).await.unwrap();
    assert_eq!((page.total, numbers(&page)), (3, vec!["A-2"]));
    let a1 = &store.query_orders(&text("A-1")).await.unwrap().rows[0];
    assert_eq!(
        (a1.amount.as_str(), a1.state),
        ("12.34", Some(AttemptState::Succeeded))
    );
}

async fn orders_are_found_by_the_desk_that_took_their_latest_payment(store) {
    add_profile(&store, "sc", "sensecore").await;
    let at = |desk: &str| crate::domain::Actor {
        desk: desk.into(),
        operator: "op".into(),
    };
    for (no, desks) in [
        ("D-1", vec!["Desk 1"]),
        ("D-2", vec!["Desk 1", "Desk 2"]),
        ("D-3", vec![]),
    ] {
        let order = add_order(&store, "sc", no, "3.00", "").await;
        for (i, desk) in desks.into_iter().enumerate() {
            store.set_actor(at(desk));
            let attempt = begin_attempt(&store, &order, "alipay", &format!("k-{no}-{i}"))
                .await
                .unwrap();
            store
                .record(attempt.id, AttemptState::Failed, &AttemptUpdate::default())
                .await
                .unwrap();
        }
    }
    let by = |desk: &str| OrderQuery {
        desk: Some(desk.into()),
        ..query()
    };
    let desk_1 = store.query_orders(&by("Desk 1")).await.unwrap();
    assert_eq!(numbers(&desk_1), ["D-1"]);
    assert_eq!(store.desks().await.unwrap(), ["Desk 1", "Desk 2"]);
    let desk_2 = store.query_orders(&by("Desk 2")).await.unwrap();
    assert_eq!((numbers(&desk_2), desk_2.total), (vec!["D-2"], 1));
    assert_eq!(store.query_orders(&query()).await.unwrap().total, 3);
}

async fn orders_are_listed_by_when_they_were_created_not_when_they_arrived(store) {
    add_profile(&store, "sc", "sensecore").await;
    for no in ["N-1", "N-2", "OLD"] {
        add_order(&store, "sc", no, "3.00", "").await;
    }
    // An order moved in from a desk's own history arrives last but keeps its own time.
    let sql = "UPDATE orders SET created_at = created_at - 86400000 WHERE order_no = 'OLD'";
    run_on_record(&store, sql, false).await;
    let newest_first = OrderQuery {
        descending: true,
        ..query()
    };
    let page = store.query_orders(&newest_first).await.unwrap();
    assert_eq!(numbers(&page), ["N-2", "N-1", "OLD"]);
    let oldest_first = store.query_orders(&query()).await.unwrap();
    assert_eq!(numbers(&oldest_first), ["OLD", "N-1", "N-2"]);
    let since_yesterday = OrderQuery {
        from_ms: Some(now_ms() - 86_400_000 * 2),
        to_ms: Some(now_ms() + 60_000),
        state: Some(AttemptState::Created),
        ..newest_first
    };
    let page = store.query_orders(&since_yesterday).await.unwrap();
    assert_eq!((numbers(&page), page.total), (vec!["N-2", "N-1", "OLD"], 3));
}

async fn activity_tells_what_the_reconciler_can_ask_from_what_no_one_can(store) {
    add_profile(&store, "sc", "sensecore").await;
    add_profile(&store, "pt", "partner").await;
    for (profile, no) in [("sc", "S-1"), ("pt", "P-1"), ("pt", "P-2")] {
        let o = add_order(&store, profile, no, "3.00", "").await;
        let a = begin_attempt(&store, &o, "alipay", &format!("k-{no}"))
            .await
            .unwrap();
        record_state(&store, a.id, AttemptState::Pending).await;
    }
    let p2 = store.order_detail("P-2").await.unwrap().attempts[0]
        .attempt
        .id;
    record_state(&store, p2, AttemptState::Unknown).await;
    // S-1 pending and P-2 unknown can be settled by asking (or by a person, after);
    // P-1 pending on partner cannot be asked at all.
    assert_eq!(
        store.activity().await.unwrap(),
        Activity {
            in_flight: 2,
            unasked: 1,
            needs_review: 0
        }
    );
}

async fn finds_an_order_by_any_reference(store) {
    seed(&store).await;
    let find = |r: &'static str| {
        let store = store.clone();
        async move {
            store
                .lookup(r, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|h| (h.order_no, h.matched))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        find("ch_abc123").await,
        [("A-1".to_string(), "gateway_ref")]
    );
    assert_eq!(
        find(" key-two ").await,
        [("A-2".to_string(), "idempotency_key")]
    );
    assert_eq!(
        find("https://pay.example/qr?o=A-1").await,
        [("A-1".to_string(), "pay_url")]
    );
    assert_eq!(find("B-1").await, [("B-1".to_string(), "order_no")]);
    assert_eq!(find("ch_ab").await, [("A-1".to_string(), "gateway_ref")]);
    assert_eq!(find("torag").await, [("A-2".to_string(), "subject")]);
    assert!(find("nothing-like-it").await.is_empty());
}

async fn takings_and_profiles(store) {
    seed(&store).await;
    let rows = store.takings(0).await.unwrap();
    let paid = rows
        .iter()
        .find(|r| r.state == AttemptState::Succeeded)
        .unwrap();
    assert_eq!(
        (paid.channel.as_str(), paid.count, paid.amount.as_str()),
        ("alipay", 1, "12.34")
    );
    assert!(store.takings(now_ms() + 60_000).await.unwrap().is_empty());

    let settings = BTreeMap::from([("billing_account_id".to_string(), "ba-9".to_string())]);
    store
        .update_profile("shop", "https://gw.example", &settings)
        .await
        .unwrap();
    let shop = store.profile("shop").await.unwrap();
    assert_eq!(
        (shop.base_url.as_str(), &shop.settings),
        ("https://gw.example", &settings)
    );
    assert!(matches!(
        store.update_profile("nope", "x", &settings).await,
        Err(StoreError::NoSuchProfile(_))
    ));

    assert_eq!(store.profile_order_count("shop").await.unwrap(), 2);
    assert!(
        !store.remove_profile("shop").await.unwrap(),
        "a profile with orders stays"
    );
    add_profile(&store, "empty", "yian").await;
    assert!(store.remove_profile("empty").await.unwrap());
    assert!(matches!(
        store.profile("empty").await,
        Err(StoreError::NoSuchProfile(_))
    ));
    assert!(gateways()
        .iter()
        .any(|g| g.id == "sensecore" && g.capabilities.vouchers));
}

    async fn the_history_lists_attempts_newest_first_by_its_filters(store) {
        seed(&store).await;
        add_sandbox_profile(&store, "demo", "sensecore").await;
        let trial = add_order(&store, "demo", "D-1", "1.00", "Trial").await;
        begin_attempt(&store, &trial, "balance", "key-demo").await.unwrap();
        let all = |limit| crate::store::HistoryFilter {
            limit,
            ..crate::store::HistoryFilter::default()
        };
        // A page is read as one row of JSON, every attempt row by row: the same rows.
        for limit in [Some(10), None] {
            let rows = store.history(&all(limit)).await.unwrap();
            let listed: Vec<_> = rows
                .iter()
                .map(|r| (r.order_no.as_str(), r.state, r.amount.as_str(), r.sandbox))
                .collect();
            assert_eq!(
                listed,
                [
                    ("D-1", AttemptState::Submitting, "1.00", true),
                    ("A-2", AttemptState::Failed, "0.50", false),
                    ("A-1", AttemptState::Succeeded, "12.34", false)
                ],
                "{limit:?}"
            );
            assert_eq!(rows[2].gateway_ref.as_deref(), Some("ch_abc123"));
        }
        let paid = crate::store::HistoryFilter {
            state: Some(AttemptState::Succeeded),
            channel: Some("alipay".into()),
            profile: Some("shop".into()),
            limit: Some(5),
            ..crate::store::HistoryFilter::default()
        };
        let rows = store.history(&paid).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].idempotency_key, "key-one");
        let none = crate::store::HistoryFilter {
            since_ms: Some(now_ms() + 60_000),
            limit: Some(5),
            ..crate::store::HistoryFilter::default()
        };
        assert!(store.history(&none).await.unwrap().is_empty());
    }

    async fn typed_text_is_found_as_typed_wildcards_and_all(store) {
        add_profile(&store, "sc", "sensecore").await;
        add_order(&store, "sc", "W-1", "1.00", "100% cotton").await;
        add_order(&store, "sc", "W-2", "1.00", "1000 cotton buds").await;
        add_order(&store, "sc", "W_3", "1.00", "linen").await;
        let found = |typed: &'static str| {
            let store = store.clone();
            async move {
                let query = OrderQuery {
                    text: Some(typed.into()),
                    limit: 10,
                    ..OrderQuery::default()
                };
                let page = store.query_orders(&query).await.unwrap();
                let mut found: Vec<String> = page.rows.into_iter().map(|o| o.order_no).collect();
                found.sort();
                found
            }
        };
        assert_eq!(found("0% c").await, ["W-1"]);
        assert_eq!(found("COTTON").await, ["W-1", "W-2"]);
        assert!(found("%%%").await.is_empty());
        assert!(found("0_ c").await.is_empty());
        assert_eq!(found("W_3").await, ["W_3"]);
        assert!(found("W%3").await.is_empty());
    }
}
