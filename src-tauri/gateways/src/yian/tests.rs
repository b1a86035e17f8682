use std::collections::BTreeMap;

use serde_json::Value;

use super::*;
use crate::Money;

/// The seed's example answer, verbatim (its `¬ify_url` is the document's own mangling of
/// `&notify_url`).
const SEED_ANSWER: &str = r#"{"status": 0,"message": "","ch": {"order_no": "12134676899915430002","extra": {},"app": "app_GuHu9Of9KaTG5GiT","livemode": true,"currency": "cny","time_settle": null,"time_expire": 1466236251,"id": "ch_WrHW58Ki5unLCSuf54OuHKCS","subject": 1,"failure_msg": null,"channel": "alipay","metadata": {"order_id": 1,"buyer": "15201052252","names": "collection的使用","order_no": "12134676899915430002","courses": "1"},"body": "12134676899915430002","credential": {"alipay": {"orderInfo": "service=\"mobile.securitypay.pay\"&_input_charset=\"utf-8\"¬ify_url=\"https%3A%2F%2Fapi.pingxx.com%2Fnotify%2Fcharges%2Fch_WrHW58Ki5unLCSuf54OuHKCS\"&partner=\"2088021773101301\"&out_trade_no=\"12134676899915430002\"&subject=\"1\"&body=\"12134676899915430002\"&total_fee=\"99.00\"&payment_type=\"1\"&seller_id=\"2088021773101301\"&it_b_pay=\"2016-06-18 15:50:51\"&sign=\"jMPi1%2BktjpQbQloc%2F8SkKI0Lie705yZLgKD7SNuEUghhCZj7iTzLfoMXtmqSSvZ8XRWKDr%2FGrS7xLenBNsFlqeo%2BLKqCOYxFmtOZRHlNhFrhebowM9IiJGQvlXJWr6S9dwtmRmWl455DQfyO%2FP48Frny0vjTlI%2B7YRKPyyFZPx0%3D\"&sign_type=\"RSA\""},"object": "credential"},"client_ip": "127.0.0.1","description": null,"amount_refunded": 0,"refunded": false,"object": "charge","paid": false,"amount_settle": 9900,"time_paid": null,"failure_code": null,"refunds": {"url": "/v1/charges/ch_WrHW58Ki5unLCSuf54OuHKCS/refunds","has_more": false,"object": "list","data": []},"created": 1466149851,"transaction_no": null,"amount": 9900}}"#;

const TOKEN: &str = "706a87288233ea2427cddb8a1bbce29369ac5073";
const SEED_ORDER: &str = "12134676899915430002";

fn request(order_no: &str, channel: Channel) -> PayRequest {
    PayRequest {
        order_no: order_no.into(),
        amount: Money::parse("99.00", Currency::CNY).unwrap(),
        subject: "collection的使用".into(),
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

fn query(order_no: &str) -> StatusQuery {
    StatusQuery {
        order_no: order_no.into(),
        amount: Money::parse("99.00", Currency::CNY).unwrap(),
        channel: Channel::Alipay,
        idempotency_key: "k1".into(),
        gateway_ref: Some("ch_WrHW58Ki5unLCSuf54OuHKCS".into()),
        settings: BTreeMap::new(),
        attributes: BTreeMap::new(),
        credit_amount: None,
        subscription_refunds: Vec::new(),
    }
}

fn secrets() -> Secrets {
    Secrets::new().with("token", TOKEN)
}

fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(body.as_bytes().to_vec());
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
    response
}

/// The seed's answer with the charge edited by `edit`.
fn seed_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut answer: Value = serde_json::from_str(SEED_ANSWER).unwrap();
    edit(&mut answer["ch"]);
    answer.to_string()
}

fn failed(outcome: PayOutcome) -> GatewayError {
    match outcome {
        PayOutcome::Failed(e) => e,
        other => panic!("expected Failed, got {other:?}"),
    }
}

fn unknown(outcome: PayOutcome) -> GatewayError {
    match outcome {
        PayOutcome::Unknown(e) => e,
        other => panic!("expected Unknown, got {other:?}"),
    }
}

#[test]
fn builds_a_token_authenticated_form_put_with_the_order_number_as_text() {
    let req = Yian
        .build_pay(
            "http://127.0.0.1:8000/",
            &request(SEED_ORDER, Channel::Alipay),
            &secrets(),
        )
        .unwrap();
    assert_eq!(req.method(), http::Method::PUT);
    assert_eq!(
        req.uri().to_string(),
        "http://127.0.0.1:8000/pay/pay_for_order/"
    );
    assert_eq!(req.headers()["authorization"], format!("Token {TOKEN}"));
    assert_eq!(
        req.headers()["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        "order_no=12134676899915430002&channel=alipay"
    );
    let wx = Yian
        .build_pay(
            "http://x/yian",
            &request(SEED_ORDER, Channel::Wechat),
            &secrets(),
        )
        .unwrap();
    assert_eq!(wx.uri().to_string(), "http://x/yian/pay/pay_for_order/");
    assert_eq!(
        std::str::from_utf8(wx.body()).unwrap(),
        "order_no=12134676899915430002&channel=wx"
    );
}

#[test]
fn escapes_form_delimiters_and_non_ascii_in_the_order_number() {
    let req = Yian
        .build_pay(
            "http://x",
            &request("A&channel=wx +=%/单", Channel::Alipay),
            &secrets(),
        )
        .unwrap();
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        "order_no=A%26channel%3Dwx%20%2B%3D%25%2F%E5%8D%95&channel=alipay"
    );
}

#[test]
fn offers_alipay_and_wechat_only() {
    let caps = Yian.capabilities();
    assert_eq!(caps.channels, vec![Channel::Alipay, Channel::Wechat]);
    assert!(caps.status_query && !(caps.idempotency_key || caps.vouchers || caps.coupon));
    assert!(!caps.credit_split && !caps.subscription_refunds);
    assert_eq!(caps.required_secrets, vec!["token".to_string()]);
    for channel in Channel::ALL {
        let built = Yian.build_pay("http://x", &request("1", channel), &secrets());
        match channel {
            Channel::Alipay | Channel::Wechat => assert!(built.is_ok(), "{channel:?}"),
            _ => assert_eq!(
                built.unwrap_err(),
                BuildError::UnsupportedChannel(channel.as_str())
            ),
        }
    }
}

#[test]
fn refuses_a_missing_or_malformed_token_without_showing_it() {
    let req = request("1", Channel::Alipay);
    assert_eq!(
        Yian.build_pay("http://x", &req, &Secrets::new())
            .unwrap_err(),
        BuildError::MissingSecret("token".into())
    );
    for bad in [
        "too-short",
        "706a87288233ea2427cddb8a1bbce29369ac507",
        "706a87288233ea2427cddb8a1bbce29369ac50733",
        "706a87288233ea2427cddb8a1bbce29369ac507g",
        "706a87288233ea2427cddb8a1bbce29369ac507 ",
    ] {
        let err = Yian
            .build_pay("http://x", &req, &Secrets::new().with("token", bad))
            .unwrap_err();
        assert!(matches!(err, BuildError::Invalid(_)), "{bad}");
        assert!(!err.to_string().contains(bad.trim()), "{err}");
    }
    let upper = TOKEN.to_ascii_uppercase();
    assert!(Yian
        .build_pay("http://x", &req, &Secrets::new().with("token", upper))
        .is_ok());
}

#[test]
fn refuses_what_the_form_cannot_carry() {
    let mut zero = request("1", Channel::Alipay);
    zero.amount = Money::from_minor(0, Currency::CNY);
    let mut usd = request("1", Channel::Alipay);
    usd.amount = Money::parse("1.00", Currency::parse("USD").unwrap()).unwrap();
    let mut voucher = request("1", Channel::Alipay);
    voucher.deductions.push(Deduction {
        id: "v1".into(),
        amount: Money::from_minor(1, Currency::CNY),
    });
    let mut coupon = request("1", Channel::Alipay);
    coupon.coupon = Some("c1".into());
    let mut credit = request("1", Channel::Alipay);
    credit.credit_amount = Some(Money::from_minor(1, Currency::CNY));
    let empty = request("", Channel::Alipay);
    for req in [zero, usd, voucher, coupon, credit, empty] {
        assert!(
            matches!(
                Yian.build_pay("http://x", &req, &secrets()),
                Err(BuildError::Invalid(_))
            ),
            "{req:?}"
        );
    }
    assert!(matches!(
        Yian.build_pay("ftp://x", &request("1", Channel::Alipay), &secrets()),
        Err(BuildError::BadBaseUrl(_))
    ));
}

#[test]
fn reads_the_seed_answer_in_full() {
    let outcome = Yian.parse_pay(&response(200, SEED_ANSWER));
    let PayOutcome::Pending(receipt) = outcome else {
        panic!("an unpaid charge is pending: {outcome:?}");
    };
    assert_eq!(
        receipt.gateway_ref.as_deref(),
        Some("ch_WrHW58Ki5unLCSuf54OuHKCS")
    );
    assert_eq!(receipt.pay_url, None, "orderInfo is for the SDK, not a URL");
    // time_expire, in unix ms: the charge can be paid until then.
    assert_eq!(receipt.payable_until, Some(1_466_236_251_000));
    assert_eq!(
        receipt.charged,
        Some(Charged::Money(Money::from_minor(9900, Currency::CNY)))
    );
    let seed: Value = serde_json::from_str(SEED_ANSWER).unwrap();
    assert_eq!(receipt.detail.as_ref(), Some(&seed["ch"]));

    let ch = Charge::from_value(&seed["ch"]).unwrap();
    assert_eq!(ch.id, "ch_WrHW58Ki5unLCSuf54OuHKCS");
    assert_eq!(ch.object, "charge");
    assert_eq!(ch.created, 1466149851);
    assert_eq!(ch.livemode, Some(true));
    assert!(!ch.paid);
    assert!(!ch.refunded);
    assert_eq!(ch.app, "app_GuHu9Of9KaTG5GiT");
    assert_eq!(ch.channel, "alipay");
    assert_eq!(ch.order_no, SEED_ORDER);
    assert_eq!(ch.client_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(ch.amount, 9900);
    assert_eq!(
        ch.money().unwrap(),
        Money::parse("99.00", Currency::CNY).unwrap()
    );
    assert_eq!(ch.amount_settle, Some(9900));
    assert_eq!(ch.currency, "cny");
    assert_eq!(ch.subject, "1", "the seed's subject is the number 1");
    assert_eq!(ch.body, SEED_ORDER);
    assert!(ch.extra.is_empty());
    assert_eq!(ch.time_paid, None);
    assert_eq!(ch.time_expire, Some(1466236251));
    assert_eq!(ch.time_settle, None);
    assert_eq!(ch.transaction_no, None);
    assert_eq!(
        ch.refunds,
        RefundList {
            object: "list".into(),
            url: "/v1/charges/ch_WrHW58Ki5unLCSuf54OuHKCS/refunds".into(),
            has_more: false,
            data: vec![],
        }
    );
    assert_eq!(ch.amount_refunded, 0);
    assert_eq!(ch.failure_code, None);
    assert_eq!(ch.failure_msg, None);
    assert_eq!(ch.metadata["order_id"], 1);
    assert_eq!(ch.metadata["names"], "collection的使用");
    assert_eq!(ch.metadata["order_no"], SEED_ORDER);
    assert_eq!(ch.description, None);
    assert_eq!(ch.credential.object, "credential");
    assert!(ch.credential.wx.is_none());
    assert!(ch.credential.other.is_empty());
    let info = &ch.credential.alipay.as_ref().unwrap().order_info;
    assert!(info.starts_with("service=\"mobile.securitypay.pay\""));
    assert!(info.contains("&out_trade_no=\"12134676899915430002\"&"));
    assert!(info.contains("&total_fee=\"99.00\"&"));
    assert!(info.ends_with("&sign_type=\"RSA\""));
}

#[test]
fn a_paid_charge_succeeds_and_a_failed_one_fails() {
    let paid = seed_with(|ch| {
        ch["paid"] = true.into();
        ch["time_paid"] = 1466150000.into();
        ch["transaction_no"] = "2016061721001004400288787881".into();
    });
    let outcome = Yian.parse_pay(&response(200, &paid));
    assert!(
        matches!(outcome, PayOutcome::Succeeded(ref r) if r.gateway_ref.as_deref() == Some("ch_WrHW58Ki5unLCSuf54OuHKCS") && r.pay_url.is_none()),
        "{outcome:?}"
    );
    let failed_charge = seed_with(|ch| {
        ch["failure_code"] = "channel_returns_fail".into();
        ch["failure_msg"] = "支付宝返回失败".into();
    });
    let error = failed(Yian.parse_pay(&response(200, &failed_charge)));
    assert_eq!(error.code, "channel_returns_fail");
    assert_eq!(error.message, "支付宝返回失败");
    assert_eq!(error.retry, RetryClass::Safe);
}

#[test]
fn reads_a_wx_credential_with_either_timestamp_form() {
    for stamp in [json_number(1466149851), Value::from("1466149851")] {
        let body = seed_with(|ch| {
            ch["channel"] = "wx".into();
            ch["credential"] = serde_json::json!({
                "object": "credential",
                "wx": {
                    "appId": "wxd930ea5d5a258f4f",
                    "partnerId": 10000100,
                    "prepayId": "wx201606171550515a4dbe3f9c1e4b7d8a",
                    "nonceStr": "ibuaiVcKdpRxkhJA",
                    "timeStamp": stamp,
                    "packageValue": "Sign=WXPay",
                    "sign": "9A0A8659F005D6984697E2CA0A9CF3B7"
                }
            });
        });
        let seed: Value = serde_json::from_str(&body).unwrap();
        let ch = Charge::from_value(&seed["ch"]).unwrap();
        assert_eq!(
            ch.credential.wx,
            Some(WxCredential {
                app_id: "wxd930ea5d5a258f4f".into(),
                partner_id: "10000100".into(),
                prepay_id: "wx201606171550515a4dbe3f9c1e4b7d8a".into(),
                nonce_str: "ibuaiVcKdpRxkhJA".into(),
                time_stamp: "1466149851".into(),
                package_value: "Sign=WXPay".into(),
                sign: "9A0A8659F005D6984697E2CA0A9CF3B7".into(),
            })
        );
        let outcome = Yian.parse_pay(&response(200, &body));
        assert!(
            matches!(outcome, PayOutcome::Pending(ref r) if r.pay_url.is_none()),
            "{outcome:?}"
        );
    }
    let incomplete = seed_with(|ch| {
        ch["credential"] = serde_json::json!({"object": "credential", "wx": {"appId": "wx1"}});
    });
    unknown(Yian.parse_pay(&response(200, &incomplete)));
}

fn json_number(n: i64) -> Value {
    Value::from(n)
}

#[test]
fn a_url_in_the_credential_becomes_the_pay_url() {
    let with_qr = seed_with(|ch| {
        ch["credential"]["alipay_qr"] = "http://127.0.0.1:9/yian/pay/cashier/ch_1/".into();
    });
    let outcome = Yian.parse_pay(&response(200, &with_qr));
    assert!(
        matches!(outcome, PayOutcome::Pending(ref r) if r.pay_url.as_deref() == Some("http://127.0.0.1:9/yian/pay/cashier/ch_1/")),
        "{outcome:?}"
    );
    // The charge's own channel entry wins over other entries.
    let own = seed_with(|ch| {
        ch["channel"] = "wx_pub_qr".into();
        ch["credential"] = serde_json::json!({
            "object": "credential",
            "alipay_qr": "https://qr.alipay.com/other",
            "wx_pub_qr": "weixin://wxpay/bizpayurl?pr=abc"
        });
    });
    let outcome = Yian.parse_pay(&response(200, &own));
    assert!(
        matches!(outcome, PayOutcome::Pending(ref r) if r.pay_url.as_deref() == Some("weixin://wxpay/bizpayurl?pr=abc")),
        "{outcome:?}"
    );
    let not_url = seed_with(|ch| {
        ch["credential"]["alipay_qr"] = "ftp://x".into();
        ch["credential"]["note"] = "http://".into();
    });
    let outcome = Yian.parse_pay(&response(200, &not_url));
    assert!(
        matches!(outcome, PayOutcome::Pending(ref r) if r.pay_url.is_none()),
        "{outcome:?}"
    );
}

#[test]
fn reads_both_documented_refusals_with_their_classes() {
    let error = failed(Yian.parse_pay(&response(
        200,
        r#"{"status":-4,"message":"无效的支付通道"}"#,
    )));
    assert_eq!(
        error,
        GatewayError::new("-4", MSG_INVALID_CHANNEL, RetryClass::Not)
    );
    let error = failed(Yian.parse_pay(&response(200, r#"{"status":-4,"message":"支付请求失败"}"#)));
    assert_eq!(
        error,
        GatewayError::new("-4", MSG_PAY_REQUEST_FAILED, RetryClass::Safe)
    );
}

#[test]
fn reads_the_emulator_refusals_and_unlisted_codes_as_not_retryable() {
    for message in [
        MSG_UNKNOWN_ORDER,
        MSG_NO_ORDER_NO,
        MSG_OTHER_CHANNEL,
        "something new",
    ] {
        let body = serde_json::json!({"status": -4, "message": message}).to_string();
        assert_eq!(
            failed(Yian.parse_pay(&response(200, &body))),
            GatewayError::new("-4", message, RetryClass::Not)
        );
    }
    let error = failed(Yian.parse_pay(&response(400, r#"{"status":-1}"#)));
    assert_eq!(error, GatewayError::new("-1", "", RetryClass::Not));
}

#[test]
fn reads_drf_errors_by_status() {
    let table = [
        (401, DRF_NOT_PROVIDED, "not_authenticated", RetryClass::Not),
        (
            401,
            "Invalid token.",
            "authentication_failed",
            RetryClass::Not,
        ),
        (
            401,
            "Invalid token header. No credentials provided.",
            "authentication_failed",
            RetryClass::Not,
        ),
        (
            403,
            "You do not have permission to perform this action.",
            "permission_denied",
            RetryClass::Not,
        ),
        (404, "Not found.", "not_found", RetryClass::Not),
        (
            405,
            "Method \"POST\" not allowed.",
            "method_not_allowed",
            RetryClass::Not,
        ),
        (
            415,
            "Unsupported media type \"text/plain\" in request.",
            "unsupported_media_type",
            RetryClass::Not,
        ),
        (400, "JSON parse error - x", "parse_error", RetryClass::Not),
        (
            429,
            "Request was throttled. Expected available in 3 seconds.",
            "throttled",
            RetryClass::Safe,
        ),
        (
            500,
            "A server error occurred.",
            "HTTP_500",
            RetryClass::Unknown,
        ),
        (503, "Service unavailable", "HTTP_503", RetryClass::Unknown),
    ];
    for (status, detail, code, retry) in table {
        let body = serde_json::json!({ "detail": detail }).to_string();
        let outcome = Yian.parse_pay(&response(status, &body));
        let error = match (retry, outcome) {
            (RetryClass::Unknown, PayOutcome::Unknown(e)) => e,
            (RetryClass::Not | RetryClass::Safe, PayOutcome::Failed(e)) => e,
            (_, other) => panic!("{status} {detail}: {other:?}"),
        };
        assert_eq!(error, GatewayError::new(code, detail, retry));
    }
}

#[test]
fn an_unreadable_answer_is_unknown_never_failed() {
    let cases = [
        (200, "not json".to_string()),
        (200, "".to_string()),
        (200, "{}".to_string()),
        (200, r#"{"detail":"Invalid token."}"#.to_string()),
        (200, r#"{"status":0,"message":""}"#.to_string()),
        (200, r#"{"status":0,"message":"","ch":null}"#.to_string()),
        (500, SEED_ANSWER.to_string()),
        (502, "<html>bad gateway</html>".to_string()),
        (404, "<h1>Not Found</h1>".to_string()),
        (401, "".to_string()),
        (500, "".to_string()),
        (200, seed_with(|ch| ch["amount"] = serde_json::json!(99.0))),
        (200, seed_with(|ch| ch["amount"] = "9900".into())),
        (200, seed_with(|ch| ch["amount"] = (-1).into())),
        (200, seed_with(|ch| ch["object"] = "refund".into())),
        (200, seed_with(|ch| ch["id"] = "re_1".into())),
        (200, seed_with(|ch| ch["id"] = "ch_".into())),
        (200, seed_with(|ch| ch["currency"] = "xyz".into())),
        (200, seed_with(|ch| ch["paid"] = "false".into())),
        (
            200,
            seed_with(|ch| {
                ch.as_object_mut().unwrap().remove("order_no");
            }),
        ),
        (
            200,
            seed_with(|ch| {
                ch.as_object_mut().unwrap().remove("paid");
            }),
        ),
        (
            200,
            seed_with(|ch| ch["order_no"] = serde_json::json!(1.5e20)),
        ),
        (200, seed_with(|ch| ch["subject"] = serde_json::json!([1]))),
    ];
    for (status, body) in cases {
        unknown(Yian.parse_pay(&response(status, &body)));
    }
}

#[test]
fn reads_a_numeric_order_number_exactly() {
    let body = SEED_ANSWER.replacen(
        r#""order_no": "12134676899915430002","extra""#,
        r#""order_no": 12134676899915430002,"extra""#,
        1,
    );
    assert_ne!(body, SEED_ANSWER);
    let seed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        Charge::from_value(&seed["ch"]).unwrap().order_no,
        SEED_ORDER
    );
}

#[test]
fn lenient_on_descriptive_fields() {
    let minimal = serde_json::json!({"status": 0, "message": "", "ch": {
        "id": "ch_a", "object": "charge", "created": 1, "paid": false,
        "channel": "alipay", "order_no": "o1", "amount": 1, "currency": "cny",
        "subject": null
    }});
    let outcome = Yian.parse_pay(&response(200, &minimal.to_string()));
    assert!(matches!(outcome, PayOutcome::Pending(_)), "{outcome:?}");
}

#[test]
fn builds_a_status_get_with_one_encoded_segment() {
    let req = Yian
        .build_status("http://x/yian", &query(SEED_ORDER), &secrets())
        .unwrap()
        .unwrap();
    assert_eq!(req.method(), http::Method::GET);
    assert_eq!(
        req.uri().to_string(),
        "http://x/yian/pay/charge/12134676899915430002/"
    );
    assert_eq!(req.headers()["authorization"], format!("Token {TOKEN}"));
    assert!(req.body().is_empty());
    let odd = Yian
        .build_status("http://x", &query("a/b?c#d 单"), &secrets())
        .unwrap()
        .unwrap();
    assert_eq!(
        odd.uri().to_string(),
        "http://x/pay/charge/a%2Fb%3Fc%23d%20%E5%8D%95/"
    );
    assert_eq!(
        Yian.build_status("http://x", &query("1"), &Secrets::new())
            .unwrap()
            .unwrap_err(),
        BuildError::MissingSecret("token".into())
    );
}

#[test]
fn reads_status_answers() {
    let paid = seed_with(|ch| ch["paid"] = true.into());
    assert!(matches!(
        Yian.parse_status(&response(200, &paid)),
        PayOutcome::Succeeded(_)
    ));
    assert!(matches!(
        Yian.parse_status(&response(200, SEED_ANSWER)),
        PayOutcome::Pending(_)
    ));
    assert_eq!(
        Yian.parse_status(&response(200, r#"{"status":-4,"message":"订单不存在"}"#)),
        PayOutcome::NoSuchPayment(GatewayError::new("-4", MSG_UNKNOWN_ORDER, RetryClass::Safe))
    );
    let no_charge = Yian.parse_status(&response(
        200,
        r#"{"status":-4,"message":"未找到支付记录"}"#,
    ));
    assert_eq!(
        no_charge,
        PayOutcome::NoSuchPayment(GatewayError::new("-4", MSG_NO_CHARGE, RetryClass::Safe))
    );
    let error =
        unknown(Yian.parse_status(&response(200, r#"{"status":-4,"message":"支付请求失败"}"#)));
    assert_eq!(error.message, MSG_PAY_REQUEST_FAILED);
    let error = unknown(Yian.parse_status(&response(401, r#"{"detail":"Invalid token."}"#)));
    assert_eq!(error.code, "authentication_failed");
    assert_eq!(error.message, "Invalid token.");
}

#[test]
fn a_missing_status_endpoint_is_unknown_not_failed() {
    for (status, body) in [
        (404, r#"{"detail":"Not found."}"#),
        (404, "<h1>Not Found</h1>"),
        (404, ""),
        (405, r#"{"detail":"Method \"GET\" not allowed."}"#),
        (501, ""),
    ] {
        let error = unknown(Yian.parse_status(&response(status, body)));
        assert_eq!(error.code, "NO_STATUS_ENDPOINT", "{status} {body}");
    }
    for (status, body) in [(200, "nope"), (500, ""), (200, r#"{"status":0}"#)] {
        unknown(Yian.parse_status(&response(status, body)));
    }
}

#[test]
fn a_charge_serializes_back_with_its_credential_entries() {
    let seed: Value = serde_json::from_str(SEED_ANSWER).unwrap();
    let ch = Charge::from_value(&seed["ch"]).unwrap();
    let again = serde_json::to_value(&ch).unwrap();
    assert_eq!(
        again["credential"]["alipay"],
        seed["ch"]["credential"]["alipay"]
    );
    assert_eq!(Charge::from_value(&again).unwrap(), ch);
}
