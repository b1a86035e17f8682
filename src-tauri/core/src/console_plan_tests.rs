//! The console's page: its ids are found first, and only they are joined. With the page's
//! limit a bound parameter SQLite cannot see how small the page is, and without the join order
//! fixed it scanned every order to look each one up in the page (0.1 s at a million orders).

use sqlx::Row;

use super::*;

async fn plan(store: &Store, query: &OrderQuery) -> Vec<String> {
    let sql = page_query(query, 100, 0).sql().to_string();
    let explain_sql = format!("EXPLAIN QUERY PLAN {sql}");
    let mut explain = sqlx::query(&explain_sql);
    // The values do not change the plan's shape: bind what the builder bound, by kind.
    let mut binds: Vec<Option<String>> = Vec::new();
    if let Some(text) = query.text.as_deref() {
        let end = format!("{text}\u{10FFFF}");
        binds.extend(
            [text, &end, text, &end, text, &end, text]
                .iter()
                .map(|v| Some(v.to_string())),
        );
        if text.chars().count() >= 3 {
            binds.push(Some(format!("\"{text}\"")));
        }
    }
    if let Some(state) = query.state {
        if state != AttemptState::Created {
            binds.push(Some(state.as_str().into()));
        }
    }
    if let Some(channel) = &query.channel {
        binds.push(Some(channel.clone()));
    }
    for value in binds {
        explain = explain.bind(value);
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
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("paydesk.sqlite"))
        .await
        .unwrap();
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
    for query in &queries {
        let plan = plan(&store, query).await;
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
