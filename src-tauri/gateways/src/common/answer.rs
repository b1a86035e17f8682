//! The outcomes an answer has when it cannot be read as a verdict, and the body reader every
//! JSON gateway starts from.
//!
//! The rule all of them keep: an answer paydesk cannot read may come from a request the
//! gateway carried out, so it is `Unknown`, never `Failed`.

use serde::de::DeserializeOwned;

use crate::connector::{
    GatewayError, PayOutcome, RetryClass, ANSWER_FOR_ANOTHER_PAYMENT, ANSWER_IN_OTHER_MODE,
};

/// The error code of an answer known only by its HTTP status (`HTTP_502`).
pub(crate) fn http_code(status: http::StatusCode) -> String {
    format!("HTTP_{}", status.as_u16())
}

/// An answer that settles nothing: the payment's fate is unknown.
pub(crate) fn unknown(code: impl Into<String>, message: impl Into<String>) -> PayOutcome {
    PayOutcome::Unknown(GatewayError::new(code, message, RetryClass::Unknown))
}

/// An answer in the gateway's own format whose content cannot be read.
pub(crate) fn malformed(message: impl Into<String>) -> PayOutcome {
    unknown("MALFORMED_RESPONSE", message)
}

/// A refusal in the gateway's own words: failed, unless its class says the request may have
/// been carried out before it was refused.
pub(crate) fn refusal(error: GatewayError) -> PayOutcome {
    match error.retry {
        RetryClass::Unknown => PayOutcome::Unknown(error),
        RetryClass::Safe | RetryClass::Not => PayOutcome::Failed(error),
    }
}

/// A refusal that says the order is already paid at the gateway: this request charged nothing,
/// but the order's money was taken, by a payment this desk may not know of (another desk's own
/// file, the gateway's back office). Never a plain failure, which would leave the order open to
/// be paid again some other way: a person checks how it was paid.
pub(crate) fn already_paid(error: GatewayError) -> PayOutcome {
    PayOutcome::ForAPerson(error)
}

/// One thing an answer says about which payment it is for, beside what the request sent.
pub(crate) struct Named<'a> {
    /// The gateway's own name for the field (`order_no`, `merchantSourceNo`).
    pub field: &'static str,
    pub sent: &'a str,
    pub answered: &'a str,
}

/// An answer that names another payment than the one it answers (another order number,
/// idempotency key or channel), whichever way it reads: a proxy, a cache or the gateway itself
/// mixed two payments up. Read as it stands it would settle this payment by another's fate: a
/// charge for another order taken as this one's, or this one marked failed while it may have
/// been paid. It settles nothing; a person compares both at the gateway. `None` when every
/// field the answer names is what was sent.
pub(crate) fn for_another_payment(named: &[Named<'_>]) -> Option<PayOutcome> {
    let differences: Vec<String> = named
        .iter()
        .filter(|n| n.sent != n.answered)
        .map(|n| format!("{} {:?} where {:?} was sent", n.field, n.answered, n.sent))
        .collect();
    if differences.is_empty() {
        return None;
    }
    Some(PayOutcome::ForAPerson(GatewayError::new(
        ANSWER_FOR_ANOTHER_PAYMENT,
        format!(
            "the answer is for another payment ({}); it settles nothing for this one",
            differences.join(", ")
        ),
        RetryClass::Unknown,
    )))
}

/// An answer from the other world than the profile's, `live` or not: whatever it says, it is
/// not what this payment did. A test-mode charge answering a live profile moved no money (the
/// profile points at a test deployment); a live one answering a sandbox profile may have moved
/// real money for a demo. Neither is read as paid or failed: a person checks the profile and
/// the gateway.
pub(crate) fn in_other_mode(live: bool) -> PayOutcome {
    let message = if live {
        "the gateway answered in test mode to a live profile: no money moved for this payment; \
         check where the profile points"
    } else {
        "the gateway answered in live mode to a sandbox profile: real money may have moved; \
         check the payment at the gateway"
    };
    PayOutcome::ForAPerson(GatewayError::new(
        ANSWER_IN_OTHER_MODE,
        message,
        RetryClass::Unknown,
    ))
}

/// Why a body could not be read as the JSON object a gateway answers with.
#[derive(Debug)]
pub(crate) enum BodyError {
    NotJson(serde_json::Error),
    /// JSON, but an array, a string or a number where the gateway writes an object.
    NotAnObject,
    /// An object whose fields do not have the types `T` requires.
    Unreadable(serde_json::Error),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::NotJson(e) => write!(f, "not JSON: {e}"),
            BodyError::NotAnObject => f.write_str("JSON, but not an object"),
            BodyError::Unreadable(e) => write!(f, "unreadable: {e}"),
        }
    }
}

/// A body read as one JSON object into `T`. The text is parsed as JSON first, so a key given
/// twice reads as its last value (as any JSON reader takes it), and an array is never taken
/// for an object whose fields happen to line up with its items.
pub(crate) fn json_object<T: DeserializeOwned>(body: &[u8]) -> Result<T, BodyError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(BodyError::NotJson)?;
    if !value.is_object() {
        return Err(BodyError::NotAnObject);
    }
    T::deserialize(value).map_err(BodyError::Unreadable)
}
