//! The payment history: attempts, newest first, narrowed by a filter (the CLI's `history`
//! and the exports).

use super::{Result, Store, StoreError};
use crate::domain::AttemptState;
use paydesk_gateways::{Currency, Money};

/// Filters for the payment history (every one optional).
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    pub state: Option<AttemptState>,
    pub channel: Option<String>,
    pub profile: Option<String>,
    /// Attempts created at or after this time (unix ms).
    pub since_ms: Option<i64>,
    pub limit: Option<i64>,
}

/// One attempt as the history lists it.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct HistoryRow {
    pub attempt_id: i64,
    pub order_no: String,
    pub profile: String,
    pub gateway: String,
    pub channel: String,
    pub state: AttemptState,
    pub amount: String,
    pub currency: String,
    pub idempotency_key: String,
    pub gateway_ref: Option<String>,
    pub pay_url: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Who started it: the desk and its operator.
    pub desk: String,
    pub operator: String,
    /// What it came to (as [`crate::pricing::Charges`] says), written for a CSV cell: the
    /// deductions (`voucher v-1 2.30; coupon c-1 1.00`), the split, what was charged, and the
    /// subscriptions it replaces (`sub-1 4.50`).
    pub deductions: String,
    pub balance_amount: Option<String>,
    pub credit_amount: Option<String>,
    pub charged_amount: String,
    pub subscription_refunds: String,
    /// Paid through a gateway's sandbox: test money, never the merchant's takings. Last, as
    /// every column added since the first: a script reading columns by place keeps working.
    pub sandbox: bool,
}

impl Store {
    /// Attempts, newest first, narrowed by the filter.
    pub async fn history(&self, filter: &HistoryFilter) -> Result<Vec<HistoryRow>> {
        let as_json = filter
            .limit
            .is_some_and(|limit| limit <= HISTORY_PAGE_AS_JSON);
        let rows = on_record!(self, |pool, sql| sql::history::rows(pool, filter, as_json)
            .await)?;
        rows.into_iter()
            .map(|row| {
                let currency = Currency::parse(&row.currency)
                    .map_err(|e| StoreError::Corrupt(format!("attempt {}: {e}", row.id)))?;
                let charges = crate::pricing::Charges::from_parts(
                    &crate::pricing::AttemptAmounts {
                        amount_minor: row.amount_minor,
                        deductions: &row.deductions,
                        coupon: row.coupon.as_deref(),
                        credit_minor: row.credit_minor,
                        gateway_deduction_minor: row.gateway_deduction_minor,
                        subscription_refunds: &row.subscription_refunds,
                    },
                    &row.currency,
                );
                Ok(HistoryRow {
                    attempt_id: row.id,
                    order_no: row.order_no,
                    profile: row.profile,
                    gateway: row.gateway,
                    sandbox: row.is_sandbox,
                    channel: row.channel,
                    state: AttemptState::parse(&row.state).ok_or_else(|| {
                        StoreError::Corrupt(format!("attempt {}: state {:?}", row.id, row.state))
                    })?,
                    amount: Money::from_minor(row.amount_minor, currency).to_decimal_string(),
                    currency: row.currency,
                    idempotency_key: row.idempotency_key,
                    gateway_ref: row.gateway_ref,
                    pay_url: row.pay_url,
                    error_code: row.error_code,
                    error_message: row.error_message,
                    created_at: row.created_at,
                    updated_at: row.updated_at,
                    desk: row.desk,
                    operator: row.operator,
                    deductions: charges.deductions_text(),
                    balance_amount: charges.balance_amount.clone(),
                    credit_amount: charges.credit_amount.clone(),
                    charged_amount: charges.charged_amount.clone(),
                    subscription_refunds: charges
                        .subscription_refunds
                        .iter()
                        .map(|r| format!("{} {}", r.subscribe_id, r.amount))
                        .collect::<Vec<_>>()
                        .join("; "),
                })
            })
            .collect()
    }
}

/// The largest history page read as one row of JSON.
const HISTORY_PAGE_AS_JSON: i64 = 1000;

/// The columns of the history's query, in order (a JSON array is read in field order).
#[derive(serde::Deserialize)]
pub(super) struct HistoryColumns {
    pub id: i64,
    pub order_no: String,
    pub profile: String,
    pub gateway: String,
    #[serde(deserialize_with = "super::rows::flag")]
    pub is_sandbox: bool,
    pub channel: String,
    pub state: String,
    pub amount_minor: i64,
    pub currency: String,
    pub idempotency_key: String,
    pub gateway_ref: Option<String>,
    pub pay_url: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub desk: String,
    pub operator: String,
    pub deductions: String,
    pub coupon: Option<String>,
    pub credit_minor: Option<i64>,
    pub gateway_deduction_minor: Option<i64>,
    pub subscription_refunds: String,
}
