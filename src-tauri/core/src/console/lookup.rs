//! The support agent's lookup: every order a reference or an amount could mean
//! ([`crate::store`]'s `journal::console::lookup` and `by_amount`), each with its state.

use paydesk_gateways::{Currency, Money};

use super::{prefix_end, LookupHit, MAX_PAGE};
use crate::store::{Result, Store};

impl Store {
    /// Every order a support agent could mean by `reference`: exact matches on any reference
    /// first, then prefixes, then part of an id (six characters or more), then the subject.
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
            .map(|(order, matched, value)| {
                let matched = match matched.as_str() {
                    "order_no" => "order_no",
                    "gateway_ref" => "gateway_ref",
                    "customer_ref" => "customer_ref",
                    "idempotency_key" => "idempotency_key",
                    "pay_url" => "pay_url",
                    _ => "subject",
                };
                LookupHit::new(&order, matched, value)
            })
            .collect())
    }

    /// The orders of `amount` (a decimal as the customer quotes it, read in every currency it
    /// is exact in) added in `[since, until)` (unix ms), newest first.
    pub async fn lookup_amount(
        &self,
        amount: &str,
        since: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<LookupHit>> {
        // The same figure is other minor units in a currency of other digits (¥12 is 1200
        // fen, ¥12 is 12 yen).
        let mut amounts: Vec<(Vec<String>, i64)> = Vec::new();
        for currency in Currency::known() {
            if let Ok(money) = Money::parse_positive(amount.trim(), currency) {
                match amounts.iter_mut().find(|(_, minor)| *minor == money.minor) {
                    Some((codes, _)) => codes.push(currency.code().to_string()),
                    None => amounts.push((vec![currency.code().to_string()], money.minor)),
                }
            }
        }
        let orders = self
            .amount_hits(&amounts, since, until, limit.clamp(1, MAX_PAGE))
            .await?;
        Ok(orders
            .iter()
            .map(|order| LookupHit::new(order, "amount", order.amount.clone()))
            .collect())
    }
}
