//! The support agent's lookup: every order a reference could mean, found locally.

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{prefix_end, LookupHit, MAX_PAGE};
use crate::store::{Result, Store};

impl Store {
    /// Every order a support agent could mean by `reference`: exact matches on any reference
    /// first, then prefixes, then the text search. Local only, so it works offline.
    pub async fn lookup(&self, reference: &str, limit: i64) -> Result<Vec<LookupHit>> {
        let text = reference.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let limit = limit.clamp(1, MAX_PAGE);
        let exact = sqlx::query(
            "SELECT order_no, 'order_no' AS matched, order_no AS value FROM orders WHERE order_no = ?1
             UNION ALL
             SELECT o.order_no, 'gateway_ref', a.gateway_ref FROM attempts a JOIN orders o ON o.id = a.order_id
               WHERE a.gateway_ref = ?1
             UNION ALL
             SELECT o.order_no, 'idempotency_key', a.idempotency_key FROM attempts a JOIN orders o ON o.id = a.order_id
               WHERE a.idempotency_key = ?1
             UNION ALL
             SELECT o.order_no, 'pay_url', a.pay_url FROM attempts a JOIN orders o ON o.id = a.order_id
               WHERE a.pay_url = ?1",
        )
        .bind(text)
        .fetch_all(self.pool())
        .await?;
        let mut hits = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut take = |rows: Vec<SqliteRow>, hits: &mut Vec<LookupHit>| -> Result<()> {
            for row in rows {
                let order_no: String = row.try_get("order_no")?;
                let matched: String = row.try_get("matched")?;
                if seen.insert(order_no.clone()) {
                    hits.push(LookupHit {
                        order_no,
                        matched: match matched.as_str() {
                            "order_no" => "order_no",
                            "gateway_ref" => "gateway_ref",
                            "idempotency_key" => "idempotency_key",
                            "pay_url" => "pay_url",
                            _ => "subject",
                        },
                        value: row.try_get("value")?,
                    });
                }
            }
            Ok(())
        };
        take(exact, &mut hits)?;
        if !hits.is_empty() {
            return Ok(hits);
        }
        let end = prefix_end(text);
        let mut fuzzy = QueryBuilder::<Sqlite>::new(
            "SELECT order_no, 'order_no' AS matched, order_no AS value FROM orders WHERE order_no >= ",
        );
        fuzzy
            .push_bind(text.to_string())
            .push(" AND order_no < ")
            .push_bind(end.clone());
        fuzzy
            .push(
                " UNION ALL SELECT o.order_no, 'gateway_ref', a.gateway_ref FROM attempts a
                  JOIN orders o ON o.id = a.order_id WHERE a.gateway_ref >= ",
            )
            .push_bind(text.to_string())
            .push(" AND a.gateway_ref < ")
            .push_bind(end.clone());
        fuzzy
            .push(
                " UNION ALL SELECT o.order_no, 'idempotency_key', a.idempotency_key FROM attempts a
                  JOIN orders o ON o.id = a.order_id WHERE a.idempotency_key >= ",
            )
            .push_bind(text.to_string())
            .push(" AND a.idempotency_key < ")
            .push_bind(end);
        if text.chars().count() >= 3 {
            fuzzy
                .push(
                    " UNION ALL SELECT o.order_no, 'subject', o.subject FROM order_search s
                      JOIN orders o ON o.id = s.rowid WHERE order_search MATCH ",
                )
                .push_bind(format!("\"{}\"", text.replace('"', "\"\"")));
        }
        fuzzy.push(" LIMIT ").push_bind(limit);
        let rows = fuzzy.build().fetch_all(self.pool()).await?;
        take(rows, &mut hits)?;
        Ok(hits)
    }
}
