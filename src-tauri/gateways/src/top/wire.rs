//! TOP's wire format: the `request_param` paydesk sends, the two shapes of answer it reads
//! (the method's wrapper and the platform's `error_response`) and what each means.

use serde::{Deserialize, Serialize};

use super::{IDEMPOTENCY_CONFLICT, RESPONSE_KEY};
use crate::common::answer::{self, BodyError};
use crate::common::lenient::{self, Kept, Object};
use crate::connector::*;

/// `request_param`, in the seed's field order.
#[derive(Serialize)]
pub(super) struct RequestParam<'a> {
    pub charge_item_code: &'a str,
    pub order_id: &'a str,
    pub category_code: &'a str,
    pub user_country: &'a str,
    pub balance_pay_amount: i64,
    pub tenant_id: i64,
    pub commodity_code: &'a str,
    pub pay_start_time: i64,
    pub currency: &'a str,
    pub pay_idempotent_code: &'a str,
    pub pay_serial_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_pay_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_account_id: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refund_subscribe_list: Vec<RefundSubscribe<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub huijin_account_id: Option<i64>,
}

/// One subscription the payment replaces: its id and the refund, an integer of fen like the
/// other amounts.
#[derive(Serialize)]
pub(super) struct RefundSubscribe<'a> {
    pub subscribe_id: &'a str,
    pub refund_amount: i64,
}

/// One answer. Every field reads as absent when it is not what TOP writes, so that the reader
/// below can name what is missing; a key that is not an object is as good as absent.
#[derive(Deserialize)]
struct Answer {
    #[serde(default, deserialize_with = "lenient::or_none")]
    error_response: Option<Object<PlatformError>>,
    #[serde(
        rename = "alibaba_cloudgame_tradeplatform_payorder_response",
        default,
        deserialize_with = "lenient::or_none"
    )]
    payorder: Option<Kept<Object<PayorderResponse>>>,
}

/// The platform's `error_response`.
#[derive(Deserialize)]
struct PlatformError {
    #[serde(default, deserialize_with = "lenient::or_none")]
    code: Option<i64>,
    #[serde(default, deserialize_with = "lenient::text_or_none")]
    msg: Option<String>,
    #[serde(default, deserialize_with = "lenient::text_or_none")]
    sub_code: Option<String>,
    #[serde(default, deserialize_with = "lenient::text_or_none")]
    sub_msg: Option<String>,
}

/// The method's own answer: `result_success`, and `value` or `error`.
#[derive(Deserialize)]
struct PayorderResponse {
    #[serde(default, deserialize_with = "lenient::or_none")]
    result_success: Option<bool>,
    #[serde(default, deserialize_with = "lenient::or_none")]
    value: Option<Object<PayValue>>,
    #[serde(default, deserialize_with = "lenient::or_none")]
    error: Option<Object<CommonError>>,
    #[serde(default, deserialize_with = "lenient::text_or_none")]
    request_id: Option<String>,
}

#[derive(Deserialize)]
struct PayValue {
    #[serde(default, deserialize_with = "lenient::or_none")]
    pay_status: Option<PayStatus>,
    #[serde(default, deserialize_with = "lenient::text_or_none")]
    pay_url: Option<String>,
}

/// The CommonError of a `result_success: false`.
#[derive(Deserialize)]
struct CommonError {
    #[serde(default, deserialize_with = "lenient::or_none")]
    error_code: Option<Object<ErrorCode>>,
    #[serde(default, deserialize_with = "lenient::text_or_none")]
    message: Option<String>,
    #[serde(default, deserialize_with = "lenient::text_or_none")]
    location: Option<String>,
}

#[derive(Deserialize)]
struct ErrorCode {
    #[serde(default, deserialize_with = "lenient::text_or_none")]
    code: Option<String>,
    #[serde(default, deserialize_with = "lenient::text_or_none")]
    prefix: Option<String>,
}

/// `value.pay_status`. A value TOP has not documented stays itself: it is never read as a
/// failure, nor as still pending.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum PayStatus {
    PaySuccess,
    /// The payer must open `pay_url`.
    WaitPay,
    /// The gateway is still processing.
    Paying,
    Unrecognised(String),
}

impl From<String> for PayStatus {
    fn from(text: String) -> Self {
        match text.as_str() {
            "PAY_SUCCESS" => PayStatus::PaySuccess,
            "WAIT_PAY" => PayStatus::WaitPay,
            "PAYING" => PayStatus::Paying,
            _ => PayStatus::Unrecognised(text),
        }
    }
}

impl PayStatus {
    /// What the status means for the attempt.
    pub(super) fn outcome(self, receipt: Receipt) -> PayOutcome {
        match self {
            PayStatus::PaySuccess => PayOutcome::Succeeded(receipt),
            PayStatus::WaitPay | PayStatus::Paying => PayOutcome::Pending(receipt),
            PayStatus::Unrecognised(status) => PayOutcome::Unknown(GatewayError::new(
                status.clone(),
                format!("pay_status {status:?} does not say whether the order was paid"),
                RetryClass::Unknown,
            )),
        }
    }
}

/// What one answer says, before deciding what it means for a pay or a status call.
#[derive(Debug)]
pub(super) enum Reading {
    Status(PayStatus, Receipt),
    Refused(GatewayError),
    Platform {
        code: i64,
        sub_code: Option<String>,
        error: GatewayError,
    },
    Unreadable(GatewayError),
}

fn unreadable(code: impl Into<String>, message: impl Into<String>) -> Reading {
    Reading::Unreadable(GatewayError::new(code, message, RetryClass::Unknown))
}

fn malformed(message: impl Into<String>) -> Reading {
    unreadable("MALFORMED_RESPONSE", message)
}

/// What a platform error means for a resend.
pub fn retry_class(code: i64, sub_code: Option<&str>) -> RetryClass {
    match sub_code {
        Some(IDEMPOTENCY_CONFLICT) => RetryClass::Unknown,
        Some(s) if s.starts_with("isp.") => RetryClass::Unknown,
        Some(s) if s.starts_with("isv.") => RetryClass::Not,
        _ => match code {
            7 => RetryClass::Safe,
            11 | 21 | 22 | 24..=31 | 40 | 41 => RetryClass::Not,
            _ => RetryClass::Unknown,
        },
    }
}

pub(super) fn read(response: &http::Response<Vec<u8>>) -> Reading {
    let status = response.status();
    if status != http::StatusCode::OK {
        return unreadable(
            answer::http_code(status),
            format!(
                "HTTP {status}: TOP answers every call with 200, so this one's fate is unknown"
            ),
        );
    }
    let neither = || {
        malformed(format!(
            "neither {RESPONSE_KEY} nor error_response in the answer"
        ))
    };
    let read: Answer = match answer::json_object(response.body()) {
        Ok(read) => read,
        Err(BodyError::NotJson(e)) => {
            return malformed(format!("HTTP 200 with a body that is not JSON: {e}"))
        }
        Err(BodyError::NotAnObject | BodyError::Unreadable(_)) => return neither(),
    };
    if let Some(Object(error)) = read.error_response {
        return platform_error(error);
    }
    match read.payorder {
        Some(Kept {
            raw,
            read: Object(payorder),
        }) => payorder_answer(payorder, raw),
        None => neither(),
    }
}

fn platform_error(error: PlatformError) -> Reading {
    let Some(code) = error.code else {
        return malformed("error_response without a numeric code");
    };
    let mut message = format!("{} (code {code})", error.msg.unwrap_or_default());
    if let Some(sub_msg) = error.sub_msg {
        message.push_str(": ");
        message.push_str(&sub_msg);
    }
    let error_code = error.sub_code.clone().unwrap_or_else(|| code.to_string());
    let retry = retry_class(code, error.sub_code.as_deref());
    Reading::Platform {
        code,
        sub_code: error.sub_code,
        error: GatewayError::new(error_code, message.trim_start().to_string(), retry),
    }
}

fn payorder_answer(payorder: PayorderResponse, raw: serde_json::Value) -> Reading {
    match payorder.result_success {
        Some(true) => {
            let (pay_status, pay_url) = match payorder.value {
                Some(Object(value)) => (value.pay_status, value.pay_url),
                None => (None, None),
            };
            let Some(pay_status) = pay_status else {
                return malformed("result_success is true but value.pay_status is missing");
            };
            let receipt = Receipt {
                gateway_ref: payorder.request_id,
                pay_url,
                detail: Some(raw),
                // The answer names no amount.
                charged: None,
                gateway_deduction: None,
                payable_until: None,
                customer_ref: None,
            };
            Reading::Status(pay_status, receipt)
        }
        Some(false) => {
            let Some(Object(error)) = payorder.error else {
                return malformed("result_success is false without an error to say why");
            };
            let (code, prefix) = match error.error_code {
                Some(Object(ErrorCode { code, prefix })) => (code.unwrap_or_default(), prefix),
                None => (String::new(), None),
            };
            let code = match prefix {
                Some(prefix) if !code.is_empty() => format!("{prefix}-{code}"),
                Some(prefix) => prefix,
                None if code.is_empty() => "RESULT_FAILED".into(),
                None => code,
            };
            let mut message = error.message.unwrap_or_default();
            if let Some(location) = error.location {
                message = format!("{message} (at {location})");
            }
            Reading::Refused(GatewayError::new(code, message, RetryClass::Not))
        }
        None => malformed("the answer has no boolean result_success"),
    }
}
