//! The support agent's lookup: every order a reference could mean ([`crate::store`]'s
//! `journal::console::lookup`).

use super::{prefix_end, LookupHit, MAX_PAGE};
use crate::store::{Result, Store};

impl Store {
    /// Every order a support agent could mean by `reference`: exact matches on any reference
    /// first, then prefixes, then the text search.
    pub async fn lookup(&self, reference: &str, limit: i64) -> Result<Vec<LookupHit>> {
        let text = reference.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let hits = self
            .lookup_hits(text, &prefix_end(text), limit.clamp(1, MAX_PAGE))
            .await?;
        Ok(hits
            .into_iter()
            .map(|(order_no, matched, value)| LookupHit {
                order_no,
                matched: match matched.as_str() {
                    "order_no" => "order_no",
                    "gateway_ref" => "gateway_ref",
                    "idempotency_key" => "idempotency_key",
                    "pay_url" => "pay_url",
                    _ => "subject",
                },
                value,
            })
            .collect())
    }
}
