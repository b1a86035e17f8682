//! SenseCore BOSS subscription API: `POST {base}/v1/orders/{order_id}:pay`.
//!
//! Bearer auth, JSON body with snake_case keys, errors as `google.rpc.Status` whose body
//! `code` is authoritative (the HTTP status only confirms it). `interactive: true` in a 200
//! answer means the payer must still act: the attempt is pending.
//!
//! Status [ours, emulator-side: nothing public documents it]: `GET {base}/v1/orders/{order_id}`
//! answers `{"order_id", "state"}` with `PAID`, `PAYING` (the payer must still act) or `UNPAID`
//! (no payment took effect: paying again is safe, since SenseCore refuses a second payment of
//! a paid order anyway). A 404 or 501 there means the deployment has no status endpoint,
//! which settles nothing. The order id is the only idempotency key SenseCore has.

use serde::{Deserialize, Serialize};

use crate::connector::*;
use crate::{GoogleMoney, Secrets};

pub const ID: &str = "sensecore";

pub struct Sensecore;

#[derive(Serialize)]
struct PayBody<'a> {
    order_id: &'a str,
    payment_channel: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_pack_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ba_vouchers: Vec<BillingAccountVouchers<'a>>,
}

#[derive(Serialize)]
struct BillingAccountVouchers<'a> {
    billing_account_id: &'a str,
    selected_vouchers: Vec<SelectedVoucher<'a>>,
}

#[derive(Serialize)]
struct SelectedVoucher<'a> {
    id: &'a str,
    deduction_amount: GoogleMoney,
}

#[derive(Deserialize)]
struct StatusResponse {
    state: String,
}

#[derive(Deserialize)]
struct PayResponse {
    #[serde(alias = "orderId")]
    order_id: String,
    #[serde(default)]
    interactive: bool,
}

/// `google.rpc.Status` as JSON.
#[derive(Deserialize)]
struct RpcStatus {
    code: i32,
    #[serde(default)]
    message: String,
}

fn channel_value(channel: Channel) -> Option<&'static str> {
    Some(match channel {
        Channel::Balance => "PC_BALANCE",
        Channel::Credit => "PC_CREDIT",
        Channel::FrozenAccount => "PC_FROZENACCOUNT",
        Channel::RemitOffline => "PC_REMIT_OFFLINE",
        Channel::Alipay => "PC_ALIPAY",
        Channel::Unionpay => "PC_UNIONPAY",
        Channel::RemitOnline => "PC_REMIT_ONLINE",
        Channel::Contract => "PC_CONTRACT",
        Channel::Wechat => "PC_WECHAT",
        Channel::Bank => return None,
    })
}

/// The canonical name of a `google.rpc.Code`.
pub fn rpc_code_name(code: i32) -> &'static str {
    match code {
        0 => "OK",
        1 => "CANCELLED",
        2 => "UNKNOWN",
        3 => "INVALID_ARGUMENT",
        4 => "DEADLINE_EXCEEDED",
        5 => "NOT_FOUND",
        6 => "ALREADY_EXISTS",
        7 => "PERMISSION_DENIED",
        8 => "RESOURCE_EXHAUSTED",
        9 => "FAILED_PRECONDITION",
        10 => "ABORTED",
        11 => "OUT_OF_RANGE",
        12 => "UNIMPLEMENTED",
        13 => "INTERNAL",
        14 => "UNAVAILABLE",
        15 => "DATA_LOSS",
        16 => "UNAUTHENTICATED",
        _ => "UNRECOGNIZED",
    }
}

/// Which codes leave the payment's fate unknown. A request that may have been processed
/// (a server fault, a deadline, an abort) is never treated as "not charged".
fn retry_class(code: i32) -> RetryClass {
    match code {
        // Refused up front: nothing was done and resending the same request will not help.
        3 | 5 | 6 | 7 | 9 | 11 | 12 | 16 => RetryClass::Not,
        // Rate limited before processing: a later attempt is safe.
        8 => RetryClass::Safe,
        _ => RetryClass::Unknown,
    }
}

impl Connector for Sensecore {
    fn id(&self) -> &'static str {
        ID
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            channels: Channel::ALL
                .into_iter()
                .filter(|c| channel_value(*c).is_some())
                .collect(),
            vouchers: true,
            coupon: false,
            credit_split: false,
            status_query: true,
            status_query_is_resend: false,
            // A paid order is never paid twice, but a resend's "already paid" refusal cannot be
            // told apart from a real refusal: an unknown attempt is settled by the status query.
            idempotency_key: false,
            required_secrets: vec!["token".into()],
            optional_secrets: vec![],
        }
    }

    fn build_pay(
        &self,
        base_url: &str,
        request: &PayRequest,
        secrets: &Secrets,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        let channel = channel_value(request.channel)
            .ok_or(BuildError::UnsupportedChannel(request.channel.as_str()))?;
        let token = secrets.require("token")?;
        if request.order_no.is_empty() {
            return Err(BuildError::Invalid("order number is empty".into()));
        }
        let mut ba_vouchers = Vec::new();
        if !request.deductions.is_empty() {
            let billing_account_id = request
                .settings
                .get("billing_account_id")
                .filter(|v| !v.is_empty())
                .ok_or_else(|| BuildError::MissingSetting("billing_account_id".into()))?;
            let mut total: i64 = 0;
            let mut selected = Vec::new();
            for d in &request.deductions {
                if d.amount.currency != request.amount.currency {
                    return Err(BuildError::Invalid(format!(
                        "voucher {} is in {}, the order in {}",
                        d.id, d.amount.currency, request.amount.currency
                    )));
                }
                if d.amount.minor <= 0 {
                    return Err(BuildError::Invalid(format!(
                        "voucher {} must deduct a positive amount",
                        d.id
                    )));
                }
                total = total.saturating_add(d.amount.minor);
                selected.push(SelectedVoucher {
                    id: &d.id,
                    deduction_amount: d.amount.to_google(),
                });
            }
            if total > request.amount.minor {
                return Err(BuildError::Invalid(
                    "voucher deductions exceed the order amount".into(),
                ));
            }
            ba_vouchers.push(BillingAccountVouchers {
                billing_account_id,
                selected_vouchers: selected,
            });
        }
        let body = PayBody {
            order_id: &request.order_no,
            payment_channel: channel,
            resource_pack_id: request
                .attributes
                .get("resource_pack_id")
                .map(String::as_str)
                .filter(|v| !v.is_empty()),
            ba_vouchers,
        };
        let segment = escape(&request.order_no);
        let url = join_url(base_url, &format!("/v1/orders/{segment}:pay"))?;
        http::Request::post(url)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header(
                "authorization",
                crate::secrets::secret_header(format!("Bearer {token}"))?,
            )
            .body(serde_json::to_vec(&body).expect("serializable body"))
            .map_err(|e| BuildError::Invalid(e.to_string()))
    }

    fn build_status(
        &self,
        base_url: &str,
        query: &StatusQuery,
        secrets: &Secrets,
    ) -> Option<Result<http::Request<Vec<u8>>, BuildError>> {
        let build = || {
            let token = secrets.require("token")?;
            let segment = escape(&query.order_no);
            let url = join_url(base_url, &format!("/v1/orders/{segment}"))?;
            http::Request::get(url)
                .header("accept", "application/json")
                .header(
                    "authorization",
                    crate::secrets::secret_header(format!("Bearer {token}"))?,
                )
                .body(Vec::new())
                .map_err(|e| BuildError::Invalid(e.to_string()))
        };
        Some(build())
    }

    fn parse_status(&self, response: &http::Response<Vec<u8>>) -> PayOutcome {
        let status = response.status();
        if status.is_success() {
            return match serde_json::from_slice::<StatusResponse>(response.body()) {
                Ok(read) => match read.state.as_str() {
                    "PAID" => PayOutcome::Succeeded(Receipt::default()),
                    "PAYING" => PayOutcome::Pending(Receipt::default()),
                    "UNPAID" => PayOutcome::Failed(GatewayError::new(
                        "UNPAID",
                        "the gateway has no payment for this order; nothing was charged",
                        RetryClass::Safe,
                    )),
                    other => PayOutcome::Unknown(GatewayError::new(
                        "UNREADABLE_STATUS",
                        format!("unknown order state {other:?}"),
                        RetryClass::Unknown,
                    )),
                },
                Err(e) => PayOutcome::Unknown(GatewayError::new(
                    "MALFORMED_RESPONSE",
                    format!("HTTP {status} with an unreadable body: {e}"),
                    RetryClass::Unknown,
                )),
            };
        }
        match self.parse_pay(response) {
            PayOutcome::Failed(e)
                if e.code == "UNAUTHENTICATED" || e.code == "PERMISSION_DENIED" =>
            {
                PayOutcome::Unknown(e)
            }
            // No status endpoint (404/501) or an error: the answer settles nothing.
            PayOutcome::Failed(e) | PayOutcome::Unknown(e) => PayOutcome::Unknown(e),
            other => other,
        }
    }

    fn parse_pay(&self, response: &http::Response<Vec<u8>>) -> PayOutcome {
        let status = response.status();
        let body = response.body();
        if status.is_success() {
            return match serde_json::from_slice::<PayResponse>(body) {
                Ok(paid) => {
                    let receipt = Receipt {
                        gateway_ref: Some(paid.order_id),
                        pay_url: None,
                        detail: None,
                        // The answer names no amount.
                        charged: None,
                        gateway_deduction: None,
                    };
                    if paid.interactive {
                        PayOutcome::Pending(receipt)
                    } else {
                        PayOutcome::Succeeded(receipt)
                    }
                }
                Err(e) => PayOutcome::Unknown(GatewayError::new(
                    "MALFORMED_RESPONSE",
                    format!("HTTP {status} with an unreadable body: {e}"),
                    RetryClass::Unknown,
                )),
            };
        }
        match serde_json::from_slice::<RpcStatus>(body) {
            Ok(rpc) if rpc.code != 0 => {
                let error =
                    GatewayError::new(rpc_code_name(rpc.code), rpc.message, retry_class(rpc.code));
                match error.retry {
                    RetryClass::Unknown => PayOutcome::Unknown(error),
                    _ => PayOutcome::Failed(error),
                }
            }
            _ => PayOutcome::Unknown(GatewayError::new(
                format!("HTTP_{}", status.as_u16()),
                format!("HTTP {status} without a readable google.rpc.Status body"),
                RetryClass::Unknown,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::{Currency, Money};

    fn request(order_no: &str, channel: Channel) -> PayRequest {
        PayRequest {
            order_no: order_no.into(),
            amount: Money::parse("12.34", Currency::CNY).unwrap(),
            subject: "demo".into(),
            channel,
            idempotency_key: "k1".into(),
            deductions: vec![],
            settings: BTreeMap::new(),
            attributes: BTreeMap::new(),
            coupon: None,
            credit_amount: None,
        }
    }

    fn secrets() -> Secrets {
        Secrets::new().with("token", "tok-123")
    }

    fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    #[test]
    fn builds_a_bearer_json_post_with_an_encoded_path_segment() {
        let req = Sensecore
            .build_pay(
                "http://127.0.0.1:1/sc",
                &request("A/B?c#d: e", Channel::Balance),
                &secrets(),
            )
            .unwrap();
        assert_eq!(req.method(), http::Method::POST);
        assert_eq!(
            req.uri().to_string(),
            "http://127.0.0.1:1/sc/v1/orders/A%2FB%3Fc%23d%3A%20e:pay"
        );
        assert_eq!(req.headers()["authorization"], "Bearer tok-123");
        let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"order_id": "A/B?c#d: e", "payment_channel": "PC_BALANCE"})
        );
    }

    #[test]
    fn maps_every_offered_channel_and_refuses_the_rest() {
        let caps = Sensecore.capabilities();
        assert_eq!(caps.channels.len(), 9, "all nine concrete PC_* values");
        assert!(!caps.channels.contains(&Channel::Bank));
        let err = Sensecore
            .build_pay("http://x", &request("1", Channel::Bank), &secrets())
            .unwrap_err();
        assert_eq!(err, BuildError::UnsupportedChannel("bank"));
    }

    #[test]
    fn writes_vouchers_as_google_money_and_refuses_excess_deductions() {
        let mut req = request("1", Channel::Balance);
        req.settings
            .insert("billing_account_id".into(), "ba-1".into());
        req.attributes
            .insert("resource_pack_id".into(), "rp-9".into());
        req.deductions.push(Deduction {
            id: "v1".into(),
            amount: Money::parse("1.75", Currency::CNY).unwrap(),
        });
        let built = Sensecore.build_pay("http://x", &req, &secrets()).unwrap();
        let body: serde_json::Value = serde_json::from_slice(built.body()).unwrap();
        assert_eq!(body["resource_pack_id"], "rp-9");
        assert_eq!(
            body["ba_vouchers"][0],
            serde_json::json!({"billing_account_id": "ba-1", "selected_vouchers": [
                {"id": "v1", "deduction_amount": {"currency_code": "CNY", "units": "1", "nanos": 750000000}}
            ]})
        );
        req.deductions[0].amount = Money::parse("12.35", Currency::CNY).unwrap();
        assert!(matches!(
            Sensecore.build_pay("http://x", &req, &secrets()),
            Err(BuildError::Invalid(_))
        ));
    }

    #[test]
    fn refuses_without_a_token() {
        let err = Sensecore
            .build_pay("http://x", &request("1", Channel::Balance), &Secrets::new())
            .unwrap_err();
        assert_eq!(err, BuildError::MissingSecret("token".into()));
    }

    #[test]
    fn reads_success_and_interactive_pending() {
        let ok = Sensecore.parse_pay(&response(200, r#"{"order_id":"o1","interactive":false}"#));
        assert!(
            matches!(ok, PayOutcome::Succeeded(ref r) if r.gateway_ref.as_deref() == Some("o1"))
        );
        let pending = Sensecore.parse_pay(&response(200, r#"{"orderId":"o1","interactive":true}"#));
        assert!(matches!(pending, PayOutcome::Pending(_)));
    }

    #[test]
    fn reads_every_rpc_status_code_into_a_class() {
        let table = [
            (1, 408, RetryClass::Unknown),
            (2, 500, RetryClass::Unknown),
            (3, 400, RetryClass::Not),
            (4, 504, RetryClass::Unknown),
            (5, 404, RetryClass::Not),
            (6, 409, RetryClass::Not),
            (7, 403, RetryClass::Not),
            (8, 429, RetryClass::Safe),
            (9, 400, RetryClass::Not),
            (10, 409, RetryClass::Unknown),
            (11, 400, RetryClass::Not),
            (12, 501, RetryClass::Not),
            (13, 500, RetryClass::Unknown),
            (14, 503, RetryClass::Unknown),
            (15, 500, RetryClass::Unknown),
            (16, 401, RetryClass::Not),
            (99, 500, RetryClass::Unknown),
        ];
        for (code, http_status, class) in table {
            let body = format!(
                r#"{{"code":{code},"message":"m{code}","details":[{{"@type":"type.googleapis.com/google.rpc.ErrorInfo"}}]}}"#
            );
            let outcome = Sensecore.parse_pay(&response(http_status, &body));
            let error = match outcome {
                PayOutcome::Failed(e) | PayOutcome::Unknown(e) => e,
                other => panic!("code {code}: {other:?}"),
            };
            assert_eq!(error.retry, class, "code {code}");
            assert_eq!(error.code, rpc_code_name(code));
            assert_eq!(error.message, format!("m{code}"));
        }
    }

    #[test]
    fn status_reads_paid_paying_unpaid_and_nothing_else() {
        let req = Sensecore
            .build_status(
                "http://x/sc",
                &StatusQuery {
                    order_no: "a/b".into(),
                    amount: Money::parse("1", Currency::CNY).unwrap(),
                    channel: Channel::Balance,
                    idempotency_key: "k".into(),
                    gateway_ref: None,
                    settings: BTreeMap::new(),
                    attributes: BTreeMap::new(),
                    credit_amount: None,
                },
                &secrets(),
            )
            .unwrap()
            .unwrap();
        assert_eq!(req.method(), http::Method::GET);
        assert_eq!(req.uri().to_string(), "http://x/sc/v1/orders/a%2Fb");
        let read = |status, body: &str| Sensecore.parse_status(&response(status, body));
        assert!(matches!(
            read(200, r#"{"order_id":"a","state":"PAID"}"#),
            PayOutcome::Succeeded(_)
        ));
        assert!(matches!(
            read(200, r#"{"order_id":"a","state":"PAYING"}"#),
            PayOutcome::Pending(_)
        ));
        assert!(
            matches!(read(200, r#"{"order_id":"a","state":"UNPAID"}"#), PayOutcome::Failed(ref e) if e.retry == RetryClass::Safe)
        );
        assert!(matches!(
            read(200, r#"{"state":"REFUNDED"}"#),
            PayOutcome::Unknown(_)
        ));
        assert!(matches!(
            read(404, r#"{"code":5,"message":"not found"}"#),
            PayOutcome::Unknown(_)
        ));
        assert!(matches!(read(501, ""), PayOutcome::Unknown(_)));
    }

    #[test]
    fn an_unreadable_answer_is_unknown_never_failed() {
        for (status, body) in [
            (200, "not json"),
            (200, "{}"),
            (502, "<html>bad gateway</html>"),
            (400, ""),
        ] {
            assert!(
                matches!(
                    Sensecore.parse_pay(&response(status, body)),
                    PayOutcome::Unknown(_)
                ),
                "{status} {body}"
            );
        }
    }
}
