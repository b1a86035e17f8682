//! Typed text found among the orders holding its rarest trigrams and checked whole
//! ([`Substring::Checked`]) finds exactly what one phrase of the trigram index finds, and the
//! order count kept by triggers (migration 0009) is the number of orders.

use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor, Row};

use super::*;
use crate::console::OrderQuery;
use crate::store::Store;
use crate::test_support::{add_order, temp_database_before_migration, temp_store_with_profiles};

/// 2,000 orders numbered as the bench numbers them (`PD2000…`: every number shares its first
/// trigrams), then orders whose numbers and subjects hold what folding could get wrong.
async fn seeded() -> (tempfile::TempDir, Store) {
    let (dir, store) = temp_store_with_profiles(&[("shop", "sensecore")]).await;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
         INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, created_at)
         SELECT 'PD' || (20000000 + i), 1, 100, 'CNY',
                CASE i % 4 WHEN 0 THEN 'Cloud GPU hours' WHEN 1 THEN '算力包 ' || (i % 40)
                           WHEN 2 THEN 'Annual licence, seat ' || (i % 500) ELSE '' END,
                i FROM n",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let odd = [
        ("MIXED-Case-77", "Straße ÄPFEL äpfel"),
        ("ſtock-1", "the long ſ of old print"),
        ("\u{212A}elvin-1", "300 \u{212A} cold"),
        ("ΣΑΣ-1", "Ωμέγα σας"),
        ("quote\"d-1", "a \"quoted\" subject"),
        ("pd20000017x", "lower-case twin"),
        ("İstanbul-1", "İi dotted"),
    ];
    for (i, (order_no, subject)) in odd.iter().enumerate() {
        sqlx::query(
            "INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, created_at)
             VALUES (?, 1, 100, 'CNY', ?, ?)",
        )
        .bind(order_no)
        .bind(subject)
        .bind(3000 + i as i64)
        .execute(store.pool())
        .await
        .unwrap();
    }
    (dir, store)
}

/// The order numbers the text matches (oldest first) and their count, as the console finds
/// them.
async fn found(store: &Store, text: &str) -> (i64, Vec<String>) {
    let page = store
        .query_orders(&OrderQuery {
            text: Some(text.into()),
            limit: MAX_PAGE,
            ..OrderQuery::default()
        })
        .await
        .unwrap();
    (
        page.total,
        page.rows.into_iter().map(|o| o.order_no).collect(),
    )
}

/// The same, with the text as one phrase of the index: the meaning to keep.
async fn by_phrase(store: &Store, text: &str) -> (i64, Vec<String>) {
    let query = OrderQuery {
        text: Some(text.into()),
        ..OrderQuery::default()
    };
    let mut q = QueryBuilder::<Sqlite>::new("SELECT o.order_no FROM orders o");
    push_filters(&mut q, &query, None);
    q.push(" ORDER BY o.id LIMIT 500");
    let numbers: Vec<String> = q
        .build()
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut count = QueryBuilder::<Sqlite>::new("SELECT count(*) FROM orders o");
    push_filters(&mut count, &query, None);
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(store.pool())
        .await
        .unwrap();
    (total, numbers)
}

#[tokio::test]
async fn checked_candidates_find_what_the_phrase_finds() {
    let (_dir, store) = seeded().await;
    let texts = [
        "PD200012",
        "pd200012",
        "D2000017",
        "20000017",
        "0001",
        "PD2001",
        "00199",
        "1999",
        "gpu HOURS",
        "Cloud GPU",
        "算力包 3",
        "力包",
        "licence, seat 49",
        "mixed-case",
        "ixed-CA",
        "ſtock",
        "stock",
        "STOCK-1",
        "\u{212A}elvin",
        "kelvin",
        "300 k",
        "ΣΑΣ",
        "σας",
        "Ωμέγα",
        "äpfel",
        "ÄPFEL",
        "straße",
        "\"quoted\"",
        "quote\"d",
        "İstanbul",
        "istanbul",
        "İi",
        "nothing-like-it",
        "zzz",
        "PD2",
        "PD20",
    ];
    let mut checked = 0;
    for text in texts {
        let decided = store.text_match(text).await.unwrap();
        if matches!(decided.substring, Substring::Checked { .. }) {
            checked += 1;
        }
        assert_eq!(
            found(&store, text).await,
            by_phrase(&store, text).await,
            "{text:?} ({decided:?})"
        );
    }
    assert!(checked >= 10, "only {checked} texts took the checked path");
}

#[tokio::test]
async fn common_trigrams_are_left_to_the_check() {
    let (_dir, store) = seeded().await;
    // Every order number starts with PD2 and D20: the candidates are the rarer trigrams.
    let decided = store.text_match("PD200123").await.unwrap();
    let Substring::Checked { candidates, needle } = &decided.substring else {
        panic!("{decided:?}");
    };
    assert_eq!(needle, "pd200123");
    assert!(
        !candidates.contains("\"pd2\"") && !candidates.contains("\"d20\""),
        "{candidates}"
    );
    assert!(candidates.split(" AND ").count() <= MAX_CANDIDATE_TRIGRAMS);
    // Each trigram read twice: its oldest orders and its newest.
    assert_eq!(
        decided.probed,
        ["pd2", "pd2", "d20", "d20", "200", "200", "001", "001", "012", "012", "123", "123"]
            .map(|t| format!("\"{t}\""))
    );
    // A trigram no order holds: nothing to look for in the index.
    assert_eq!(
        store.text_match("PD2qqq").await.unwrap().substring,
        Substring::Absent
    );
    // Text with case beyond ASCII: the index's own folding, as a phrase.
    assert_eq!(
        store.text_match("ÄPFEL").await.unwrap().substring,
        Substring::Phrase("\"ÄPFEL\"".into())
    );
    // Every trigram common: one phrase reads the lists once.
    assert_eq!(
        store.text_match("PD20").await.unwrap().substring,
        Substring::Phrase("\"PD20\"".into())
    );
    assert_eq!(
        store.text_match("PD").await.unwrap().substring,
        Substring::TooShort
    );
}

/// Every character from U+0080 to U+1FFFF (each case pair of Unicode lies below it) indexed as
/// a trigram of itself: the characters [`plain_needle`] keeps must be folded by the index onto
/// themselves alone, and the only ones it folds onto ASCII must be those [`folded_column`]
/// replaces.
#[tokio::test]
async fn plain_text_folds_as_the_trigram_index_does() {
    let mut conn = SqliteConnectOptions::from_str("sqlite::memory:")
        .unwrap()
        .connect()
        .await
        .unwrap();
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'trigram');
         CREATE VIRTUAL TABLE v USING fts5vocab(t, instance);
         WITH RECURSIVE n(i) AS (SELECT 128 UNION ALL SELECT i + 1 FROM n WHERE i < 131071)
         INSERT INTO t (rowid, x) SELECT i, char(i, i, i) FROM n
         WHERE i NOT BETWEEN 55296 AND 57343;
         WITH RECURSIVE n(i) AS (SELECT 32 UNION ALL SELECT i + 1 FROM n WHERE i < 126)
         INSERT INTO t (rowid, x) SELECT i, char(i, i, i) FROM n;",
    )
    .await
    .unwrap();
    // The code points the index folds onto the same term, for every term with more than one.
    let classes: Vec<(String, String)> =
        sqlx::query_as("SELECT term, group_concat(doc) FROM v GROUP BY term HAVING count(*) > 1")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let mut onto_ascii = Vec::new();
    for (term, docs) in &classes {
        let members: Vec<char> = docs
            .split(',')
            .map(|d| char::from_u32(d.parse().unwrap()).unwrap())
            .collect();
        for c in &members {
            if !c.is_ascii() {
                assert!(
                    plain_needle(&c.to_string()).is_none(),
                    "{c:?} (U+{:04X}) is folded with {members:?} but taken as plain",
                    *c as u32
                );
            }
        }
        if term.is_ascii() {
            onto_ascii.extend(members.iter().filter(|c| !c.is_ascii()).copied());
        }
    }
    onto_ascii.sort();
    assert_eq!(onto_ascii, ['\u{17F}', '\u{212A}']);
    // And a plain character is its own term, an ASCII capital the small letter.
    let terms: Vec<(i64, String)> = sqlx::query_as(
        "SELECT doc, term FROM v WHERE doc IN (65, 1575, 12354, 20320) ORDER BY doc",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        terms,
        [
            (65, "aaa"),
            (1575, "ااا"),
            (12354, "あああ"),
            (20320, "你你你")
        ]
        .map(|(d, t)| (d, t.to_string()))
    );
    conn.close().await.unwrap();
}

async fn kept_count(store: &Store) -> (i64, i64) {
    sqlx::query_as("SELECT (SELECT orders FROM order_count), (SELECT count(*) FROM orders)")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_order_count_follows_every_insert_and_delete() {
    let (_dir, store) = seeded().await;
    assert_eq!(kept_count(&store).await, (2007, 2007));
    let all = store
        .query_orders(&OrderQuery {
            limit: 10,
            ..OrderQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(all.total, 2007);
    add_order(&store, "shop", "N-1", "1.00", "").await;
    // A duplicate refused and a rolled-back insert leave it alone.
    sqlx::query(
        "INSERT INTO orders (order_no, profile_id, amount_minor, currency, created_at)
         VALUES ('N-1', 1, 1, 'CNY', 0), ('N-2', 1, 1, 'CNY', 0)
         ON CONFLICT(order_no) DO NOTHING",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let mut tx = store.pool().begin().await.unwrap();
    tx.execute("INSERT INTO orders (order_no, profile_id, amount_minor, currency, created_at) VALUES ('N-3', 1, 1, 'CNY', 0)")
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(kept_count(&store).await, (2009, 2009));
    sqlx::query("DELETE FROM orders WHERE order_no GLOB 'PD2000001?'")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(kept_count(&store).await, (1999, 1999));
}

#[tokio::test]
async fn a_store_from_before_gets_its_order_count_when_it_is_migrated() {
    let (_dir, path) = temp_database_before_migration(
        9,
        "INSERT INTO profiles (name, gateway, base_url, vault_id, created_at)
         VALUES ('p', 'sensecore', 'http://127.0.0.1:1', 'v', 0);
         INSERT INTO orders (order_no, profile_id, amount_minor, currency, created_at)
         VALUES ('B-1', 1, 100, 'CNY', 1), ('B-2', 1, 100, 'CNY', 2), ('B-3', 1, 100, 'CNY', 3);",
    )
    .await;
    let store = Store::open(&path).await.unwrap();
    assert_eq!(kept_count(&store).await, (3, 3));
}
