use std::sync::Arc;

use paydesk_gateways::transport::Transport;

use super::*;
use std::collections::BTreeMap;

use paydesk_gateways::{connector_for, Channel};

use crate::app::gateways::gateways;
use crate::app::payments::PayInput;
use crate::app::AppError;
use crate::engine::Engine;
use crate::pricing::PayCommand;
use crate::store::Store;
use crate::store::{now_ms, AttemptUpdate};
use crate::test_support::{
    add_order, add_profile, begin_attempt, record_state, store_contract, temp_store,
    temp_store_with_profiles,
};
use crate::vault::MemoryVault;

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
async fn seeded() -> (tempfile::TempDir, Store) {
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

#[tokio::test]
async fn the_quote_refuses_what_the_engine_refuses_and_prices_the_rest_exactly() {
    let (_dir, store) = seeded().await;
    add_order(&store, "shop", "V-1", "100.00", "").await;
    add_order(&store, "other", "T-1", "30.00", "").await;
    // No secrets: the engine refuses every payment its own checks let through at the
    // keyring, so nothing is sent and both verdicts can be compared.
    let top_caps = connector_for("top").unwrap().capabilities();
    let top = top_caps
        .channels
        .first()
        .copied()
        .unwrap_or(Channel::Balance);
    let engine = Engine::new(
        store.clone(),
        Arc::new(MemoryVault::default()),
        Transport::default(),
    );
    type Case<'a> = (
        &'a str,
        Channel,
        Vec<(&'a str, &'a str)>,
        Option<&'a str>,
        Option<&'a str>,
    );
    let cases: Vec<Case> = vec![
        ("V-1", Channel::Balance, vec![], None, None),
        (
            "V-1",
            Channel::Balance,
            vec![("v1", "30.10"), ("v2", "0.05")],
            None,
            None,
        ),
        ("V-1", Channel::Balance, vec![("v1", "100.00")], None, None),
        ("V-1", Channel::Balance, vec![("v1", "100.01")], None, None),
        ("V-1", Channel::Balance, vec![("v1", "1.234")], None, None),
        ("V-1", Channel::Balance, vec![("v1", "-1")], None, None),
        ("V-1", Channel::Balance, vec![("v1", "abc")], None, None),
        ("V-1", Channel::Unionpay, vec![], None, None),
        ("V-1", Channel::Balance, vec![], Some("c-1"), None),
        ("V-1", Channel::Balance, vec![], None, Some("1.00")),
        ("T-1", top, vec![], None, Some("10.00")),
        ("T-1", top, vec![], None, Some("30.01")),
        ("T-1", top, vec![], None, Some("0")),
        ("NOPE", Channel::Balance, vec![], None, None),
    ];
    for (order_no, channel, deductions, coupon, credit) in cases {
        let deductions: Vec<(String, String)> = deductions
            .iter()
            .map(|(i, a)| (i.to_string(), a.to_string()))
            .collect();
        let quote = crate::app::payments::quote(
            &store,
            PayInput {
                order_no: order_no.into(),
                channel: Some(channel.as_str().into()),
                vouchers: deductions.clone(),
                coupon: coupon.map(String::from),
                credit_amount: credit.map(String::from),
                subscription_refunds: Vec::new(),
            },
        )
        .await;
        let paid = engine
            .pay(&PayCommand {
                order_no: order_no.into(),
                channel,
                deductions,
                coupon: coupon.map(String::from),
                credit_amount: credit.map(String::from),
                subscription_refunds: Vec::new(),
            })
            .await
            .map_err(AppError::from);
        let label = format!("{order_no} {channel:?} {credit:?}");
        match (&quote, &paid) {
            (Ok(_), Err(why)) => {
                assert!(
                    why.message.contains("keyring"),
                    "{label}: quoted, but the engine refused: {why}"
                )
            }
            (Err(q), Err(p)) => assert_eq!(q, p, "{label}"),
            other => panic!("{label}: quote and engine disagree: {other:?}"),
        }
    }
    assert_eq!(
        store.activity().await.unwrap(),
        Activity {
            in_flight: 0,
            unasked: 0,
            needs_review: 0
        }
    );

    let quote = crate::app::payments::quote(
        &store,
        PayInput {
            order_no: "V-1".into(),
            channel: Some("balance".into()),
            vouchers: vec![("v1".into(), "30.10".into()), ("v2".into(), "0.05".into())],
            ..PayInput::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (
            quote.amount.as_str(),
            quote.deducted.as_str(),
            quote.remaining.as_str(),
            quote.remaining_minor
        ),
        ("100.00", "30.15", "69.85", 6985)
    );
    if top_caps.credit_split {
        let split = crate::app::payments::quote(
            &store,
            PayInput {
                order_no: "T-1".into(),
                channel: Some(top.as_str().into()),
                credit_amount: Some("10.5".into()),
                ..PayInput::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (split.credit.as_deref(), split.balance.as_deref()),
            (Some("10.50"), Some("19.50"))
        );
    }
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
        let all = |limit| crate::store::HistoryFilter {
            limit,
            ..crate::store::HistoryFilter::default()
        };
        // A page is read as one row of JSON, every attempt row by row: the same rows.
        for limit in [Some(10), None] {
            let rows = store.history(&all(limit)).await.unwrap();
            let listed: Vec<_> = rows
                .iter()
                .map(|r| (r.order_no.as_str(), r.state, r.amount.as_str()))
                .collect();
            assert_eq!(
                listed,
                [
                    ("A-2", AttemptState::Failed, "0.50"),
                    ("A-1", AttemptState::Succeeded, "12.34")
                ],
                "{limit:?}"
            );
            assert_eq!(rows[1].gateway_ref.as_deref(), Some("ch_abc123"));
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
