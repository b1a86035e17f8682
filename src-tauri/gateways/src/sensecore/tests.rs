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
        subscription_refunds: Vec::new(),
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
    assert!(matches!(ok, PayOutcome::Succeeded(ref r) if r.gateway_ref.as_deref() == Some("o1")));
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
                subscription_refunds: Vec::new(),
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
