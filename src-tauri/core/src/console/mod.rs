//! What the console's screens read beyond paying: the orders list (a paged, filtered, sorted
//! list that stays quick at a million orders, with its text search), a lookup by any
//! reference, and the dashboard's totals. One file per screen; the shapes they return are here.
//!
//! Every amount leaves here as minor units plus a decimal string formatted by [`Money`]: the
//! window never does arithmetic on money.

mod dashboard;
mod lookup;
mod search;

use paydesk_gateways::{Currency, Money};
use serde::Serialize;
use ts_rs::TS;

use crate::domain::{AttemptState, OrderView};
use crate::store::StoreError;

pub(crate) use search::{order_by, orders_from, push_filters, typed, ORDER_JOINS};
pub use search::{Substring, TextMatch};

/// How the order list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderSort {
    /// Newest first by default: the order in which orders were added.
    #[default]
    Created,
    OrderNo,
    Amount,
}

/// One page of the order list, narrowed by every filter that is set.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, TS)]
#[serde(default)]
#[ts(optional_fields = nullable)]
pub struct OrderQuery {
    /// Typed text: a prefix of an order number, gateway reference or idempotency key, a pay URL,
    /// or (from three characters on) any part of an order number or subject.
    pub text: Option<String>,
    /// The state of the order's latest attempt; `created` also matches never-paid orders.
    pub state: Option<AttemptState>,
    /// The channel of the order's latest attempt.
    #[ts(as = "Option<paydesk_gateways::Channel>")]
    pub channel: Option<String>,
    pub profile: Option<String>,
    /// The desk that took the order's latest attempt.
    pub desk: Option<String>,
    /// Orders created at or after this time (unix ms).
    pub from_ms: Option<i64>,
    /// Orders created before this time (unix ms).
    pub to_ms: Option<i64>,
    pub sort: OrderSort,
    pub descending: bool,
    pub offset: i64,
    pub limit: i64,
}

/// The most rows one page may hold: the window asks for what it shows, not for everything.
pub const MAX_PAGE: i64 = 500;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct OrderPage {
    /// How many orders match the filters, in all.
    pub total: i64,
    pub offset: i64,
    pub rows: Vec<OrderView>,
}

/// An order a lookup found: which reference matched and the order as it stands.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct LookupHit {
    pub order_no: String,
    /// What matched: a reference, the subject, or the amount.
    #[ts(
        type = r#""order_no" | "gateway_ref" | "customer_ref" | "idempotency_key" | "pay_url" | "subject" | "amount""#
    )]
    pub matched: &'static str,
    /// The matching reference's value (for an amount, the order's amount).
    pub value: String,
    /// The state of the order's latest attempt (`created` when it has none).
    pub state: AttemptState,
    pub cancelled: bool,
    /// The order's amount in the main unit ("12.30"), with its currency.
    pub amount: String,
    pub currency: String,
    /// When the order or its latest attempt last changed (unix ms).
    pub updated_at: i64,
    /// The gateway profile it is paid through, and whether that is a sandbox: a sandbox's
    /// orders wear the SANDBOX badge wherever they appear.
    pub profile: String,
    pub is_sandbox: bool,
}

impl LookupHit {
    fn new(order: &OrderView, matched: &'static str, value: String) -> Self {
        LookupHit {
            order_no: order.order_no.clone(),
            matched,
            value,
            state: order.state.unwrap_or(AttemptState::Created),
            cancelled: order.cancelled_at.is_some(),
            amount: order.amount.clone(),
            currency: order.currency.clone(),
            updated_at: order.updated_at,
            profile: order.profile.clone(),
            is_sandbox: order.is_sandbox,
        }
    }
}

/// What was paid on one day in one currency, taken in or paid out (never added together).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct DailyTotal {
    /// The day on the merchant's calendar, `YYYY-MM-DD`.
    pub day: String,
    /// When that day starts (unix ms), to open the orders it counts.
    pub day_start_ms: i64,
    pub pays_out: bool,
    pub currency: String,
    pub count: i64,
    pub amount_minor: i64,
    pub amount: String,
}

/// Takings of one channel in one state and currency, or, on a gateway that pays out, the
/// payouts.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct TakingsRow {
    /// Money paid out (payouts), never to be added to money taken in.
    pub pays_out: bool,
    #[ts(as = "paydesk_gateways::Channel")]
    pub channel: String,
    pub state: AttemptState,
    pub currency: String,
    pub count: i64,
    pub amount_minor: i64,
    pub amount: String,
}

/// Attempts the reconciler is still working on, and those waiting for a person.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct Activity {
    /// Pending, unknown or being sent, on gateways the reconciler can ask.
    pub in_flight: i64,
    /// Pending on a gateway without a status query: nothing paydesk does settles them.
    pub unasked: i64,
    pub needs_review: i64,
}

fn corrupt(why: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(why.to_string())
}

fn decimal(minor: i64, currency: Currency) -> String {
    Money::from_minor(minor, currency).to_decimal_string()
}

/// The upper bound of a prefix range: every string that starts with `prefix` sorts below it.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;

#[cfg(test)]
#[path = "quote_tests.rs"]
mod quote_tests;

#[cfg(test)]
#[path = "dashboard_tests.rs"]
mod dashboard_tests;

#[cfg(test)]
#[path = "lookup_tests.rs"]
mod lookup_tests;

#[cfg(test)]
#[path = "count_tests.rs"]
mod count_tests;
