//! The nouns: profiles, orders, attempts and their states.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where an attempt stands. `unknown` is not `failed`: the request was sent and its fate was
/// not read. `needs_review` waits for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AttemptState {
    Created,
    Submitting,
    Pending,
    Succeeded,
    Failed,
    Unknown,
    NeedsReview,
}

impl AttemptState {
    pub const ALL: [AttemptState; 7] = [
        AttemptState::Created,
        AttemptState::Submitting,
        AttemptState::Pending,
        AttemptState::Succeeded,
        AttemptState::Failed,
        AttemptState::Unknown,
        AttemptState::NeedsReview,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            AttemptState::Created => "created",
            AttemptState::Submitting => "submitting",
            AttemptState::Pending => "pending",
            AttemptState::Succeeded => "succeeded",
            AttemptState::Failed => "failed",
            AttemptState::Unknown => "unknown",
            AttemptState::NeedsReview => "needs_review",
        }
    }

    pub fn parse(text: &str) -> Option<AttemptState> {
        AttemptState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Succeeded and failed never change again.
    pub fn is_terminal(&self) -> bool {
        matches!(self, AttemptState::Succeeded | AttemptState::Failed)
    }

    /// The state machine of DESIGN.md. Anything else is a bug and is refused.
    pub fn can_become(&self, next: AttemptState) -> bool {
        use AttemptState::*;
        match self {
            Created => matches!(next, Submitting | Failed),
            // NeedsReview: the answer names another amount than was asked.
            Submitting => matches!(next, Pending | Succeeded | Failed | Unknown | NeedsReview),
            Pending => matches!(next, Succeeded | Failed | Unknown | NeedsReview),
            // A retry of an unknown attempt resubmits with the same idempotency key.
            Unknown => matches!(
                next,
                Submitting | Pending | Succeeded | Failed | NeedsReview
            ),
            NeedsReview => matches!(next, Succeeded | Failed),
            Succeeded | Failed => false,
        }
    }

    /// Whether a person's decision may settle an attempt in this state at `decision`: one
    /// that needs review, either way; a settled one whose record a gateway's report
    /// contradicts (`contested`), either way too (confirming the record, or correcting it);
    /// a pending one that cannot settle by itself (`settles_itself` false: its gateway has
    /// no status query), either way, at once. No machine ever moves a settled attempt: only
    /// this decision, audited with its note.
    pub fn can_be_decided(
        &self,
        contested: bool,
        settles_itself: bool,
        decision: AttemptState,
    ) -> bool {
        let decides = matches!(decision, AttemptState::Succeeded | AttemptState::Failed);
        decides
            && (*self == AttemptState::NeedsReview
                || (contested && self.is_terminal())
                || (*self == AttemptState::Pending && !settles_itself))
    }
}

impl fmt::Display for AttemptState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A gateway profile: which gateway, where, and its non-secret settings. Its secrets live in
/// the keyring under `vault_id`, never here.
/// A gateway profile to be created: the store checks its base URL and proxy.
#[derive(Debug, Clone)]
pub struct NewProfile {
    pub name: String,
    pub gateway: String,
    pub base_url: String,
    pub settings: BTreeMap<String, String>,
    pub is_sandbox: bool,
}

/// An order to be added: the store checks it against `input_rules`.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub order_no: String,
    pub profile: String,
    pub amount: paydesk_gateways::Money,
    pub subject: String,
    pub attributes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Profile {
    pub id: i64,
    pub name: String,
    pub gateway: String,
    pub base_url: String,
    pub settings: BTreeMap<String, String>,
    pub is_sandbox: bool,
    #[serde(skip)]
    pub vault_id: String,
}

/// An order as lists show it: its amount and the state of its latest attempt.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct OrderView {
    pub id: i64,
    pub order_no: String,
    pub profile: String,
    pub gateway: String,
    pub is_sandbox: bool,
    pub amount_minor: i64,
    pub currency: String,
    /// The amount in the main unit with every minor digit ("12.30"), formatted by the backend.
    pub amount: String,
    pub subject: String,
    pub attributes: BTreeMap<String, String>,
    pub state: Option<AttemptState>,
    #[ts(as = "Option<paydesk_gateways::Channel>")]
    pub channel: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// How many times the order was edited: a payment is journaled only against the revision
    /// it was priced from.
    pub revision: i64,
    /// When the order was cancelled (unix ms): kept, never payable again.
    pub cancelled_at: Option<i64>,
    pub cancel_note: Option<String>,
}

/// The part of an order a person may change while it is unpaid.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS)]
pub struct OrderTerms {
    pub amount_minor: i64,
    pub subject: String,
    pub attributes: BTreeMap<String, String>,
}

/// One change to an order after it was added: an edit (its terms before and after) or its
/// cancellation (with the person's note), by whom and when.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OrderChange {
    Edited {
        at: i64,
        desk: String,
        operator: String,
        before: OrderTerms,
        after: OrderTerms,
    },
    Cancelled {
        at: i64,
        desk: String,
        operator: String,
        note: Option<String>,
    },
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct Attempt {
    pub id: i64,
    pub order_id: i64,
    #[ts(as = "paydesk_gateways::Channel")]
    pub channel: String,
    pub state: AttemptState,
    pub idempotency_key: String,
    pub amount_minor: i64,
    pub gateway_ref: Option<String>,
    pub pay_url: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// The voucher/coupon deductions as JSON (`[{"id", "amount_minor"}]`).
    #[serde(skip)]
    pub deductions: String,
    pub coupon: Option<String>,
    /// The part of the amount paid on credit, where the gateway splits balance and credit.
    pub credit_minor: Option<i64>,
    /// How often the reconciler asked the gateway about this attempt.
    pub checks: i64,
    /// How often its request was sent again under its idempotency key.
    pub resends: i64,
    /// A gateway's report contradicting this settled payment, awaiting a person's decision.
    pub contested: Option<String>,
    /// What the gateway took off the price itself (the partner's coupon): the payer was
    /// charged `amount_minor` less this.
    pub gateway_deduction_minor: Option<i64>,
    /// Until when (unix ms) the customer can still pay with the code the gateway gave, where
    /// it said: the attempt cannot be decided "not paid" before then.
    pub payable_until: Option<i64>,
    /// The reference the customer's payment app shows (益安's transaction number, the
    /// partner's third-party order number), where the gateway gave one.
    pub customer_ref: Option<String>,
    /// The subscriptions the payment replaces, as JSON (`[{"subscribe_id",
    /// "refund_amount_minor"}]`).
    #[serde(skip)]
    pub subscription_refunds: String,
    /// When its request last left (unix ms), and how long its sender waits for an answer.
    pub sent_at: Option<i64>,
    pub sender_timeout_ms: Option<i64>,
    /// The engine that sent it and that engine's process ([`crate::sender`]).
    #[serde(skip)]
    #[ts(skip)]
    pub sender: Option<String>,
    #[serde(skip)]
    #[ts(skip)]
    pub sender_process: Option<String>,
    /// The desk that started it and the operator working that desk.
    pub desk: String,
    pub operator: String,
    /// The database role it came through, on a shared store (its server sets it).
    pub db_role: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Attempt {
    /// Who sent its request, when, and how long it waits: what [`crate::sender`] decides by.
    pub fn send_record(&self) -> crate::sender::SendRecord {
        crate::sender::SendRecord {
            sender: self.sender.clone(),
            process: self.sender_process.clone(),
            sent_at: self.sent_at.unwrap_or(self.updated_at),
            timeout_ms: self.sender_timeout_ms,
        }
    }

    /// What the payer was charged, in minor units: what was asked, less what the gateway
    /// itself deducted.
    pub fn charged_minor(&self) -> i64 {
        self.amount_minor - self.gateway_deduction_minor.unwrap_or(0)
    }

    /// Whether the gateway answered the pay request as having taken it: a reference came
    /// back, or it said the payment waits. A gateway that then "cannot find" it contradicts
    /// itself, and that is for a person.
    pub fn acknowledged(&self) -> bool {
        self.gateway_ref.is_some() || self.state == AttemptState::Pending
    }

    /// Whether the customer may yet pay it: it waits on them, they were given a code to pay
    /// with, or the gateway took it (a reference came back) and it waits for a person: a
    /// payment the gateway holds may still go through (a payout the bank is still processing,
    /// a payment the customer confirms late). Deciding such an attempt "not paid" takes a
    /// person's word that it did not and can no longer; otherwise a later payment would be a
    /// second charge nobody records.
    pub fn may_still_be_paid(&self) -> bool {
        !self.state.is_terminal()
            && (self.state == AttemptState::Pending
                || self.pay_url.is_some()
                || (self.state == AttemptState::NeedsReview && self.gateway_ref.is_some()))
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct AttemptEvent {
    pub attempt_id: i64,
    pub state: AttemptState,
    pub detail: Option<String>,
    pub at: i64,
    /// The desk whose write this was, and its operator.
    pub desk: String,
    pub operator: String,
    /// The database role it came through, on a shared store.
    pub db_role: Option<String>,
    /// Its detail has the customer's personal data hidden ([`crate::personal_data`]), as a
    /// person reads it unless they ask to see it.
    pub personal_data_hidden: bool,
}

/// Who is writing: this data directory's desk and the operator working it. Every attempt,
/// event and decision records the one in force when it was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct Actor {
    pub desk: String,
    pub operator: String,
}

/// `minor` in `currency`'s main unit ("12.30"). A currency the store holds was checked when
/// the order was written; should one not read (written by another program), the amount still
/// shows, said to be in minor units, so "1234" is never taken for 1,234 of the main unit.
pub(crate) fn amount_in(minor: i64, currency: &str) -> String {
    match paydesk_gateways::Currency::parse(currency) {
        Ok(c) => paydesk_gateways::Money::from_minor(minor, c).to_decimal_string(),
        Err(_) => format!("{minor} (minor units)"),
    }
}

#[cfg(test)]
mod tests {
    use super::AttemptState::*;
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in AttemptState::ALL {
            assert_eq!(AttemptState::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    #[test]
    fn terminal_states_never_move() {
        for from in [Succeeded, Failed] {
            assert!(from.is_terminal());
            for to in AttemptState::ALL {
                assert!(!from.can_become(to), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn only_a_person_settles_what_needs_review_or_is_contested() {
        // (state, contested, settles by itself, decisions a person may make)
        let table = [
            (NeedsReview, false, true, vec![Succeeded, Failed]),
            (NeedsReview, false, false, vec![Succeeded, Failed]),
            (Succeeded, true, true, vec![Succeeded, Failed]),
            (Failed, true, true, vec![Succeeded, Failed]),
            (Succeeded, false, true, vec![]),
            (Succeeded, false, false, vec![]),
            (Failed, false, false, vec![]),
            (Pending, true, true, vec![]),
            (Pending, false, true, vec![]),
            // Nothing settles it but a person: they may, at once.
            (Pending, false, false, vec![Succeeded, Failed]),
            (Unknown, false, true, vec![]),
            (Unknown, false, false, vec![]),
            (Submitting, false, false, vec![]),
            (Created, false, false, vec![]),
        ];
        for (state, contested, settles_itself, allowed) in table {
            for decision in AttemptState::ALL {
                assert_eq!(
                    state.can_be_decided(contested, settles_itself, decision),
                    allowed.contains(&decision),
                    "{state} contested={contested} settles_itself={settles_itself} -> {decision}"
                );
            }
        }
    }

    #[test]
    fn unknown_is_resolved_not_failed_blindly() {
        assert!(Submitting.can_become(Unknown));
        assert!(
            Unknown.can_become(Submitting),
            "a retry reuses the attempt and its key"
        );
        assert!(Unknown.can_become(NeedsReview));
        assert!(
            !Created.can_become(Succeeded),
            "nothing succeeds without being sent"
        );
        assert!(
            !NeedsReview.can_become(Submitting),
            "a person decides, nothing is resent"
        );
        assert!(Pending.can_become(Succeeded));
    }
}

#[cfg(test)]
mod amount_tests {
    #[test]
    fn an_amount_is_shown_in_its_currency_and_never_mistaken_when_the_currency_is_unknown() {
        for (minor, currency, shown) in [
            (1234, "CNY", "12.34"),
            (1234, "JPY", "1234"),
            (-5, "USD", "-0.05"),
            // Written by another program: not 1,234 of anything.
            (1234, "SGD", "1234 (minor units)"),
        ] {
            assert_eq!(super::amount_in(minor, currency), shown, "{currency}");
        }
    }
}
