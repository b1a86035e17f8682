//! A store with 1,000,000 attempts, and proof (EXPLAIN QUERY PLAN) that every lookup and
//! filter the window and the command line make is served by an index, never by reading every
//! row. `PAYDESK_SCALE_ROWS` changes the size.

use sqlx::{Executor, Row};

use super::*;
use crate::test_support::temp_store;

async fn big_store(rows: i64) -> (tempfile::TempDir, Store) {
    let (dir, store) = temp_store().await;
    let mut conn = store.local.acquire().await.unwrap();
    conn.execute("BEGIN").await.unwrap();
    conn.execute(
        "INSERT INTO profiles (name, gateway, base_url, settings, is_sandbox, vault_id, created_at)
         VALUES ('p0','sensecore','https://a','{}',0,'v0',0), ('p1','top','https://b','{}',0,'v1',0),
                ('p2','debit','https://c','{}',0,'v2',0)",
    )
    .await
    .unwrap();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes, created_at)
         SELECT 'ORD-' || i, 1 + i % 3, 100 + i % 99999, 'CNY', 'subject ' || (i % 1000), '{}',
                1700000000000 + i * 1000 FROM n",
    )
    .bind(rows)
    .execute(&mut *conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO attempts (order_id, channel, state, idempotency_key, amount_minor, deductions,
                               gateway_ref, pay_url, created_at, updated_at)
         SELECT id,
                CASE id % 4 WHEN 0 THEN 'balance' WHEN 1 THEN 'alipay' WHEN 2 THEN 'wechat' ELSE 'credit' END,
                CASE WHEN id % 10 = 0 THEN 'failed' ELSE 'succeeded' END,
                'key-' || id, amount_minor, '[]', 'ch_' || id,
                CASE WHEN id % 4 = 1 THEN 'https://pay.example/' || id END,
                created_at + 500, created_at + 900
         FROM orders",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    conn.execute("COMMIT").await.unwrap();
    conn.execute("ANALYZE").await.unwrap();
    drop(conn);
    (dir, store)
}

async fn plan(store: &Store, sql: &str, binds: &[&str]) -> Vec<String> {
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let mut query = sqlx::query(&explain);
    for b in binds {
        query = query.bind(*b);
    }
    query
        .fetch_all(&store.local)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|r| r.get::<String, _>("detail"))
        .collect()
}

/// A plan line that reads a whole table (`SCAN o`, `SCAN attempts`) without an index.
fn full_scans(plan: &[String]) -> Vec<&String> {
    plan.iter()
        // A trigram index's MATCH is FTS5's own index ("VIRTUAL TABLE INDEX n:M…").
        .filter(|line| {
            line.starts_with("SCAN ")
                && !line.contains("USING")
                && !(line.contains("VIRTUAL TABLE INDEX") && line.contains(":M"))
        })
        .collect()
}

async fn history_plan(
    store: &Store,
    filter: &HistoryFilter,
    query: sqlx::QueryBuilder<'static, sqlx::Sqlite>,
) -> Vec<String> {
    let sql = query.sql().to_string();
    // The filter values do not change the plan's shape; bind representative ones.
    let mut binds: Vec<String> = Vec::new();
    if let Some(state) = filter.state {
        binds.push(state.as_str().into());
    }
    if let Some(channel) = &filter.channel {
        binds.push(channel.clone());
    }
    if let Some(profile) = &filter.profile {
        binds.push(profile.clone());
    }
    if let Some(since) = filter.since_ms {
        binds.push(since.to_string());
    }
    binds.push("50".into());
    let refs: Vec<&str> = binds.iter().map(String::as_str).collect();
    plan(store, &sql, &refs).await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_lookup_and_filter_is_served_by_an_index_at_a_million_attempts() {
    let rows: i64 = std::env::var("PAYDESK_SCALE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let started = std::time::Instant::now();
    let (_dir, store) = big_store(rows).await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM attempts")
        .fetch_one(&store.local)
        .await
        .unwrap();
    assert_eq!(count, rows);
    eprintln!("built {rows} attempts in {:?}", started.elapsed());

    // (what, SQL, a bind value). "newest orders" walks the table in rowid order and stops at
    // the limit: SQLite calls that a SCAN, but it reads 50 rows, not a million.
    let lookups: &[(&str, &str, &str)] = &[
        ("order by number", "SELECT id FROM orders WHERE order_no = ?", "ORD-777"),
        ("order view by number", &format!("{} WHERE o.order_no = ?", super::on_sqlite::journal::orders::ORDER_VIEW), "ORD-777"),
        ("newest orders", &format!("{} ORDER BY o.id DESC LIMIT ?", super::on_sqlite::journal::orders::ORDER_VIEW), "50"),
        ("attempts of an order", "SELECT * FROM attempts WHERE order_id = ? ORDER BY id", "777"),
        ("latest attempt", "SELECT * FROM attempts WHERE order_id = ? ORDER BY id DESC LIMIT 1", "777"),
        ("events of an attempt", "SELECT * FROM attempt_events WHERE attempt_id = ? ORDER BY id", "777"),
        ("by gateway reference (charge id, pay serial, debit order id)", "SELECT id FROM attempts WHERE gateway_ref = ?", "ch_777"),
        ("by idempotency key", "SELECT id FROM attempts WHERE idempotency_key = ?", "key-777"),
        ("by the customer's reference", "SELECT id FROM attempts WHERE customer_ref = ?", "tx-777"),
        ("by part of a gateway reference", "SELECT a.order_id FROM attempt_search s JOIN attempts a ON a.id = s.rowid WHERE attempt_search MATCH ?", "gateway_ref : \"h_7777\""),
        ("by part of an order number", "SELECT o.id FROM order_search s JOIN orders o ON o.id = s.rowid WHERE order_search MATCH ?", "order_no : \"RD-7777\""),
        ("by pay URL", "SELECT id FROM attempts WHERE pay_url = ?", "https://pay.example/777"),
        ("due for a status check", "SELECT * FROM attempts WHERE state IN ('pending', 'unknown', 'submitting') AND next_check_at <= ? ORDER BY next_check_at LIMIT 200", "0"),
        ("orphaned submissions", "SELECT * FROM attempts WHERE state = 'submitting'", ""),
    ];
    for (what, sql, bind) in lookups {
        let binds: Vec<&str> = if sql.contains('?') {
            vec![bind]
        } else {
            vec![]
        };
        let p = plan(&store, sql, &binds).await;
        if *what == "newest orders" {
            assert_eq!(p.first().map(String::as_str), Some("SCAN o"), "{p:?}");
            assert!(
                !p.iter().any(|l| l.contains("TEMP B-TREE")),
                "{what} sorts: {p:?}"
            );
        } else {
            assert!(full_scans(&p).is_empty(), "{what} reads every row: {p:?}");
        }
    }
    // How long it takes is the lookups benchmark's to say; that it walks an index, the plan's.
    assert_eq!(store.orders(50).await.unwrap().len(), 50);

    // The manager's day: a day's attempts, and the failed ones, through the index of their
    // start, however many days came before.
    let day_start = (1_700_000_000_000 + rows / 2 * 1000).to_string();
    let day_cut = (1_700_000_000_000 + rows / 2 * 1000 + 36_000_000).to_string();
    let day_end = (1_700_000_000_000 + rows / 2 * 1000 + 86_400_000).to_string();
    let days: &[(&str, &str, Vec<&str>)] = &[
        (
            "a day's attempts",
            super::on_sqlite::journal::console::DAY_ATTEMPTS,
            vec![&day_start, &day_cut, &day_end, "0"],
        ),
        (
            "a day's failures",
            super::on_sqlite::journal::console::DAY_FAILURES,
            vec![&day_start, &day_end, "0"],
        ),
    ];
    for (what, sql, binds) in days {
        let p = plan(&store, sql, binds).await;
        // `f` is the failures already grouped (a row per gateway and code), not a table.
        let scans: Vec<_> = full_scans(&p)
            .into_iter()
            .filter(|l| *l != "SCAN f")
            .collect();
        assert!(scans.is_empty(), "{what} reads every row: {p:?}");
        assert!(
            p.iter().any(|l| l.contains("USING INDEX attempts_by")),
            "{what} without an index of attempts: {p:?}"
        );
    }
    let started = std::time::Instant::now();
    let now = 1_700_000_000_000 + rows / 2 * 1000 + 36_000_000;
    let compared = store
        .compare_days(
            crate::day_comparison::ComparedDays::around(&chrono::Utc, now).unwrap(),
            5,
        )
        .await
        .unwrap();
    assert!(!compared.money.is_empty() && !compared.failures.is_empty());
    eprintln!("the day compared: {:?}", started.elapsed());

    let since = Some(1_700_000_000_000 + rows / 2 * 1000);
    let filters = [
        HistoryFilter {
            limit: Some(50),
            ..HistoryFilter::default()
        },
        HistoryFilter {
            state: Some(AttemptState::Failed),
            limit: Some(50),
            ..HistoryFilter::default()
        },
        HistoryFilter {
            channel: Some("alipay".into()),
            limit: Some(50),
            ..HistoryFilter::default()
        },
        HistoryFilter {
            since_ms: since,
            limit: Some(50),
            ..HistoryFilter::default()
        },
        HistoryFilter {
            profile: Some("p1".into()),
            limit: Some(50),
            ..HistoryFilter::default()
        },
        HistoryFilter {
            state: Some(AttemptState::Succeeded),
            channel: Some("wechat".into()),
            since_ms: since,
            limit: Some(50),
            ..HistoryFilter::default()
        },
    ];
    for filter in &filters {
        let p = history_plan(
            &store,
            filter,
            super::on_sqlite::journal::history::query(filter),
        )
        .await;
        assert!(
            full_scans(&p).is_empty(),
            "history {filter:?} reads every row: {p:?}"
        );
        if filter.profile.is_none() {
            assert!(
                !p.iter().any(|l| l.contains("TEMP B-TREE")),
                "history {filter:?} sorts its matches instead of reading them in order: {p:?}"
            );
        }
        // Read as one row of JSON, the page is the same walk of the same index.
        let json = history_plan(
            &store,
            filter,
            super::on_sqlite::journal::history::json_query(filter),
        )
        .await;
        let walks = |plan: &[String]| -> Vec<String> {
            plan.iter()
                .filter(|l| {
                    l.starts_with("SEARCH") || l.starts_with("SCAN a") || l.contains("B-TREE")
                })
                .cloned()
                .collect()
        };
        assert_eq!(
            walks(&json),
            walks(&p),
            "history {filter:?} as JSON: {json:?}"
        );
        let started = std::time::Instant::now();
        let page = store.history(filter).await.unwrap();
        assert!(!page.is_empty() && page.len() <= 50);
        assert!(
            page.windows(2).all(|w| w[0].created_at >= w[1].created_at),
            "newest first"
        );
        eprintln!(
            "history {filter:?}: {} rows in {:?}",
            page.len(),
            started.elapsed()
        );
    }

    // The console: its unfiltered count is kept by triggers, and typed text is looked for
    // among the orders holding its rarest trigrams, through the trigram index.
    let started = std::time::Instant::now();
    let first = store
        .query_orders(&crate::console::OrderQuery {
            descending: true,
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((first.total, first.rows.len()), (rows, 100));
    eprintln!("first page: {:?}", started.elapsed());
    let search = crate::console::OrderQuery {
        text: Some("ORD-1234".into()),
        descending: true,
        limit: 100,
        ..Default::default()
    };
    let text = store.text_match("ORD-1234").await.unwrap();
    assert!(
        matches!(text.substring, crate::console::Substring::Checked { .. }),
        "{text:?}"
    );
    let mut count =
        sqlx::QueryBuilder::<sqlx::Sqlite>::new("EXPLAIN QUERY PLAN SELECT count(*) FROM orders o");
    crate::console::push_filters(&mut count, &search, Some(&text));
    let p: Vec<String> = count
        .build()
        .fetch_all(&store.local)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("detail"))
        .collect();
    // The trigram index answering a MATCH shows as a SCAN of the virtual table.
    assert!(
        full_scans(&p)
            .iter()
            .all(|l| l.starts_with("SCAN order_search VIRTUAL TABLE INDEX 0:M")),
        "typed search reads every order: {p:?}"
    );
    assert!(
        p.iter().any(|l| l.contains("order_search VIRTUAL TABLE")),
        "typed search without the trigram index: {p:?}"
    );
    let started = std::time::Instant::now();
    let found = store.query_orders(&search).await.unwrap();
    // ORD-1234, ORD-12340…ORD-12349 and ORD-123400…ORD-123499.
    assert_eq!((found.total, found.rows.len()), (111, 100));
    eprintln!("typed search {text:?}: {:?}", started.elapsed());
}
