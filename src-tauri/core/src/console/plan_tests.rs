//! The console's page: its ids are found first, and only they are joined. With the page's
//! limit a bound parameter SQLite cannot see how small the page is, and without the join order
//! fixed it scanned every order to look each one up in the page (0.1 s at a million orders).

use sqlx::Row;

use super::*;
use crate::console::{OrderQuery, OrderSort};
use crate::store::Store;
use crate::test_support::temp_store;

async fn plan(store: &Store, query: &OrderQuery, text: Option<&TextMatch>) -> Vec<String> {
    let phrase = query.text.as_deref().map(TextMatch::phrase);
    let text = text.or(phrase.as_ref());
    let sql = page_query(query, text, 100, 0).sql().to_string();
    let explain_sql = format!("EXPLAIN QUERY PLAN {sql}");
    let mut explain = sqlx::query(&explain_sql);
    // The values do not change the plan's shape: bind what the builder bound, by kind.
    for value in text.map(TextMatch::bound_values).unwrap_or_default() {
        explain = explain.bind(value);
    }
    if let Some(state) = query.state {
        if state != AttemptState::Created {
            explain = explain.bind(state.as_str());
        }
    }
    if let Some(channel) = &query.channel {
        explain = explain.bind(channel.clone());
    }
    if let Some(desk) = &query.desk {
        explain = explain.bind(desk.clone());
    }
    for n in [query.from_ms, query.to_ms].into_iter().flatten() {
        explain = explain.bind(n);
    }
    explain = explain.bind(100_i64).bind(0_i64);
    explain
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("detail"))
        .collect()
}

#[tokio::test]
async fn a_page_joins_only_its_own_rows() {
    let (_dir, store) = temp_store().await;
    let queries = [
        OrderQuery::default(),
        OrderQuery {
            sort: OrderSort::Amount,
            descending: true,
            ..OrderQuery::default()
        },
        OrderQuery {
            text: Some("PD2001".into()),
            ..OrderQuery::default()
        },
        OrderQuery {
            state: Some(AttemptState::Succeeded),
            channel: Some("wechat".into()),
            from_ms: Some(1),
            to_ms: Some(2),
            ..OrderQuery::default()
        },
    ];
    let checked = TextMatch {
        text: "PD200123".into(),
        substring: Substring::Checked {
            candidates: "\"123\" AND \"012\"".into(),
            needle: "pd200123".into(),
        },
        probed: Vec::new(),
    };
    let mut plans = Vec::new();
    for query in &queries {
        plans.push((query.clone(), plan(&store, query, None).await));
    }
    let search = OrderQuery {
        text: Some("PD200123".into()),
        ..OrderQuery::default()
    };
    let checked_plan = plan(&store, &search, Some(&checked)).await;
    // The candidates of a checked search come from the trigram index, each looked up by id.
    assert!(
        checked_plan
            .iter()
            .any(|l| l.contains("order_search VIRTUAL TABLE")),
        "{checked_plan:#?}"
    );
    assert!(
        !checked_plan.iter().any(|l| l == "SCAN o"),
        "a checked search reads every order: {checked_plan:#?}"
    );
    plans.push((search, checked_plan));
    for (query, plan) in &plans {
        let k = plan.iter().position(|l| l == "SCAN k");
        let join = plan
            .iter()
            .rposition(|l| l == "SEARCH o USING INTEGER PRIMARY KEY (rowid=?)");
        assert!(
            matches!((k, join), (Some(k), Some(j)) if k < j),
            "{query:?}: the page's ids must drive the join: {plan:#?}"
        );
    }
}

/// The page with its count, as the console reads it: a typed search's matches are found once
/// (materialized) for both, and no variant reads every order to count or to page.
#[tokio::test]
async fn a_page_and_its_count_are_one_statement() {
    let (_dir, store) = temp_store().await;
    let checked = TextMatch {
        text: "PD200123".into(),
        substring: Substring::Checked {
            candidates: "\"123\" AND \"012\"".into(),
            needle: "pd200123".into(),
        },
        probed: Vec::new(),
    };
    let filtered = OrderQuery {
        state: Some(AttemptState::Succeeded),
        channel: Some("wechat".into()),
        from_ms: Some(1),
        to_ms: Some(2),
        ..OrderQuery::default()
    };
    let search = OrderQuery {
        text: Some("PD200123".into()),
        ..OrderQuery::default()
    };
    for (query, text) in [
        (OrderQuery::default(), None),
        (filtered, None),
        (search, Some(&checked)),
    ] {
        let statement = page_with_total(&query, text, 100, 0);
        let sql = format!("EXPLAIN QUERY PLAN {}", statement.sql());
        let mut explain = sqlx::query(&sql);
        let mut filter: Vec<Option<String>> = Vec::new();
        for value in text.map(TextMatch::bound_values).unwrap_or_default() {
            filter.push(Some(value));
        }
        if query.state.is_some() {
            filter.push(Some("succeeded".into()));
            filter.push(Some("wechat".into()));
        }
        // Filters bound once for the matches (text) or twice (the count, then the page).
        let times = if text.is_none() && query.state.is_some() {
            2
        } else {
            1
        };
        for _ in 0..times {
            for value in &filter {
                explain = explain.bind(value.clone());
            }
            for n in [query.from_ms, query.to_ms].into_iter().flatten() {
                explain = explain.bind(n);
            }
        }
        explain = explain.bind(100_i64).bind(0_i64);
        let plan: Vec<String> = explain
            .fetch_all(store.pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .iter()
            .map(|r| r.get::<String, _>("detail"))
            .collect();
        if query.state.is_none() && text.is_none() {
            // Every order, newest first: the page walks the table in rowid order and stops at
            // its limit (a SCAN that reads 100 rows); the count is kept.
            assert!(
                plan.iter().any(|l| l.starts_with("SEARCH order_count")),
                "{plan:#?}"
            );
        } else {
            assert!(
                !plan.iter().any(|l| l == "SCAN o"),
                "{query:?} reads every order: {plan:#?}"
            );
        }
        if text.is_some() {
            assert_eq!(
                plan.iter()
                    .filter(|l| l.contains("order_search VIRTUAL TABLE"))
                    .count(),
                1,
                "the trigram index read once: {plan:#?}"
            );
            assert!(
                plan.iter().any(|l| l.starts_with("MATERIALIZE matches")),
                "{plan:#?}"
            );
        }
    }
}

#[tokio::test]
async fn the_desk_filter_reads_the_index_of_orders_by_their_latest_desk() {
    let (_dir, store) = temp_store().await;
    let by_desk = OrderQuery {
        desk: Some("Desk 2".into()),
        from_ms: Some(1),
        ..OrderQuery::default()
    };
    let plan = plan(&store, &by_desk, None).await;
    assert!(
        plan.iter().any(|l| l.contains("orders_by_latest_desk")),
        "{plan:?}"
    );
    assert!(!plan.iter().any(|l| l == "SCAN o"), "{plan:?}");
}

#[tokio::test]
async fn the_desks_are_found_by_seeking_the_index_not_reading_every_order() {
    let (_dir, store) = temp_store().await;
    let rows = sqlx::query(
        "EXPLAIN QUERY PLAN SELECT (SELECT min(latest_desk) FROM orders WHERE latest_desk > ?)",
    )
    .bind("Desk 1")
    .fetch_all(store.pool())
    .await
    .unwrap();
    let plan: Vec<String> = rows.iter().map(|r| r.get::<String, _>("detail")).collect();
    assert!(
        plan.iter()
            .any(|l| l.contains("SEARCH orders USING COVERING INDEX orders_by_latest_desk")),
        "{plan:?}"
    );
}
