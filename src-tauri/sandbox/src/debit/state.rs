//! The payouts the debit emulator keeps in its ledger book, and how one settles.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{FAILED, GATEWAY, PROCESSING, SUCCEEDED};
use crate::ledger::{Book, ChargeResult, SandboxOrder};

/// One payout as the emulator keeps it (a memo under `order:{sourceNo}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Payout {
    pub(super) id: u64,
    pub(super) source_no: String,
    pub(super) amount_minor: i64,
    pub(super) process_code: i64,
    pub(super) created_time: String,
    pub(super) updated_time: String,
    pub(super) closed_time: Option<String>,
    pub(super) callback_url: Option<String>,
    pub(super) callback_code: Option<i64>,
}

pub(super) fn order_key(source_no: &str) -> String {
    format!("order:{source_no}")
}

pub(super) fn id_key(id: u64) -> String {
    format!("id:{id}")
}

pub(super) fn load(book: &Book, source_no: &str) -> Option<Payout> {
    book.recall(GATEWAY, &order_key(source_no))
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

pub(super) fn store(book: &mut Book, payout: &Payout) {
    book.remember(
        GATEWAY,
        &order_key(&payout.source_no),
        serde_json::to_value(payout).expect("a payout serializes"),
    );
    book.remember(
        GATEWAY,
        &id_key(payout.id),
        Value::from(payout.source_no.as_str()),
    );
}

pub(super) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Moves a processing payout to its final state, charging the ledger for a 30. Returns true
/// when the payout became final here.
pub(super) fn settle(book: &mut Book, payout: &mut Payout, at: &str) -> bool {
    if payout.process_code != PROCESSING {
        return false;
    }
    let mut outcome = if payout.amount_minor % 100 == 40 {
        FAILED
    } else {
        SUCCEEDED
    };
    if outcome == SUCCEEDED {
        book.orders
            .entry((GATEWAY.to_string(), payout.source_no.clone()))
            .or_insert_with(|| {
                SandboxOrder::new(&payout.source_no, payout.amount_minor, "INR", "payout")
            });
        match book.charge(GATEWAY, &payout.source_no, payout.amount_minor, "bank") {
            ChargeResult::Charged => {}
            // Paid by other means since the Set: this payout pays nothing.
            ChargeResult::AlreadyPaid | ChargeResult::UnknownOrder => outcome = FAILED,
        }
    }
    payout.process_code = outcome;
    payout.updated_time = at.to_string();
    payout.closed_time = Some(at.to_string());
    true
}
