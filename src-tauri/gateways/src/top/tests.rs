use std::collections::BTreeMap;

use chrono::TimeZone;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::*;
use crate::{Currency, Money};

const SECRET: &str = "sandbox-top-app-secret";

pub(super) fn settings() -> BTreeMap<String, String> {
    [
        ("app_key", "12345678"),
        ("tenant_id", "1"),
        ("charge_item_code", "ci-1"),
        ("category_code", "cat-1"),
        ("commodity_code", "com-1"),
        ("user_country", "CHINA"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

pub(super) fn request(channel: Channel) -> PayRequest {
    PayRequest {
        order_no: "A-1 中".into(),
        amount: Money::parse("12.34", Currency::CNY).unwrap(),
        subject: "demo".into(),
        channel,
        idempotency_key: "key-1".into(),
        deductions: vec![],
        settings: settings(),
        attributes: BTreeMap::new(),
        coupon: None,
        credit_amount: None,
        subscription_refunds: Vec::new(),
    }
}

pub(super) fn secrets() -> Secrets {
    Secrets::new().with("app_secret", SECRET)
}

pub(super) fn now() -> DateTime<Utc> {
    // 2025-11-21 12:40:00 GMT+8.
    Utc.timestamp_millis_opt(1_763_700_000_000).unwrap()
}

fn decode_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let dec = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8()
                    .unwrap()
                    .into_owned()
            };
            (dec(k), dec(v))
        })
        .collect()
}

/// The query and body parameters of a built request.
pub(super) fn params(
    req: &http::Request<Vec<u8>>,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let query = decode_form(req.uri().query().unwrap_or(""));
    let body = decode_form(std::str::from_utf8(req.body()).unwrap());
    (query.into_iter().collect(), body.into_iter().collect())
}

pub(super) fn request_param(req: &http::Request<Vec<u8>>) -> Value {
    serde_json::from_str(&params(req).1["request_param"]).unwrap()
}

fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .unwrap()
}

#[test]
fn builds_a_signed_post_with_system_params_in_the_query() {
    let req = Top
        .build_pay_at(
            "http://127.0.0.1:1/top/",
            &request(Channel::Balance),
            &secrets(),
            now(),
        )
        .unwrap();
    assert_eq!(req.method(), http::Method::POST);
    assert!(req
        .uri()
        .to_string()
        .starts_with("http://127.0.0.1:1/top/router/rest?"));
    assert_eq!(
        req.headers()["content-type"],
        "application/x-www-form-urlencoded;charset=utf-8"
    );
    let (query, body) = params(&req);
    assert_eq!(query["method"], METHOD);
    assert_eq!(query["app_key"], "12345678");
    assert_eq!(query["timestamp"], "2025-11-21 12:40:00");
    assert_eq!(query["v"], "2.0");
    assert_eq!(query["sign_method"], "md5");
    assert_eq!(query["format"], "json");
    assert!(!query.contains_key("session"));
    assert!(!query.contains_key("partner_id"));
    assert!(!query.contains_key("request_param"));
    assert_eq!(body.keys().collect::<Vec<_>>(), ["request_param"]);
    // The signature covers the query and the body, recomputed here by hand.
    let mut all: Vec<(&str, &str)> = query
        .iter()
        .chain(body.iter())
        .filter(|(k, _)| k.as_str() != "sign")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    all.sort();
    let joined: String = all.iter().map(|(k, v)| format!("{k}{v}")).collect();
    let expected =
        paydesk_crypto::md5_hex(format!("{SECRET}{joined}{SECRET}").as_bytes()).to_uppercase();
    assert_eq!(query["sign"], expected);
    // The space in the timestamp travels as %20, never raw.
    assert!(req
        .uri()
        .query()
        .unwrap()
        .contains("2025-11-21%2012%3A40%3A00"));
}

#[test]
fn request_param_carries_the_seed_fields_in_integer_fen() {
    let req = Top
        .build_pay_at("http://x", &request(Channel::Balance), &secrets(), now())
        .unwrap();
    let raw = params(&req).1["request_param"].clone();
    assert!(raw.starts_with(r#"{"charge_item_code":"ci-1","order_id":"A-1 中""#));
    assert_eq!(
        request_param(&req),
        serde_json::json!({
            "charge_item_code": "ci-1",
            "order_id": "A-1 中",
            "category_code": "cat-1",
            "user_country": "CHINA",
            "balance_pay_amount": 1234,
            "tenant_id": 1,
            "commodity_code": "com-1",
            "pay_start_time": 1_763_700_000_000_i64,
            "currency": "CNY",
            "pay_idempotent_code": "key-1",
            "pay_serial_id": "key-1",
        })
    );
}

#[test]
fn credit_pays_the_whole_amount_and_a_split_adds_up_exactly() {
    let req = Top
        .build_pay_at("http://x", &request(Channel::Credit), &secrets(), now())
        .unwrap();
    let p = request_param(&req);
    assert_eq!(
        (
            p["balance_pay_amount"].as_i64(),
            p["credit_pay_amount"].as_i64()
        ),
        (Some(0), Some(1234))
    );

    for channel in [Channel::Balance, Channel::Credit] {
        let mut r = request(channel);
        r.credit_amount = Some(Money::parse("0.35", Currency::CNY).unwrap());
        r.settings.insert("credit_account_id".into(), "77".into());
        let p = request_param(&Top.build_pay_at("http://x", &r, &secrets(), now()).unwrap());
        assert_eq!(p["balance_pay_amount"], 1199);
        assert_eq!(p["credit_pay_amount"], 35);
        assert_eq!(p["credit_account_id"], 77);
    }
    let mut whole = request(Channel::Balance);
    whole.credit_amount = Some(Money::parse("12.34", Currency::CNY).unwrap());
    let p = request_param(
        &Top.build_pay_at("http://x", &whole, &secrets(), now())
            .unwrap(),
    );
    assert_eq!(
        (
            p["balance_pay_amount"].as_i64(),
            p["credit_pay_amount"].as_i64()
        ),
        (Some(0), Some(1234))
    );
}

#[test]
fn refuses_bad_credit_amounts() {
    let cases = [
        Money::from_minor(0, Currency::CNY),
        Money::from_minor(-1, Currency::CNY),
        Money::from_minor(1235, Currency::CNY),
        Money::from_minor(100, Currency::INR),
    ];
    for credit in cases {
        let mut r = request(Channel::Balance);
        r.credit_amount = Some(credit);
        assert!(
            matches!(
                Top.build_pay_at("http://x", &r, &secrets(), now()),
                Err(BuildError::Invalid(_))
            ),
            "{credit:?}"
        );
    }
}

#[test]
fn offers_balance_and_credit_only() {
    let caps = Top.capabilities();
    assert_eq!(caps.channels, vec![Channel::Balance, Channel::Credit]);
    assert!(caps.credit_split && caps.idempotency_key && caps.status_query);
    assert!(!caps.vouchers && !caps.coupon);
    assert_eq!(caps.required_secrets, vec!["app_secret".to_string()]);
    for channel in Channel::ALL {
        if caps.channels.contains(&channel) {
            continue;
        }
        assert_eq!(
            Top.build_pay_at("http://x", &request(channel), &secrets(), now())
                .unwrap_err(),
            BuildError::UnsupportedChannel(channel.as_str())
        );
    }
}

#[test]
fn refuses_missing_secrets_settings_and_what_top_cannot_carry() {
    let err = Top
        .build_pay_at(
            "http://x",
            &request(Channel::Balance),
            &Secrets::new(),
            now(),
        )
        .unwrap_err();
    assert_eq!(err, BuildError::MissingSecret("app_secret".into()));
    for key in [
        "app_key",
        "tenant_id",
        "charge_item_code",
        "category_code",
        "commodity_code",
        "user_country",
    ] {
        let mut r = request(Channel::Balance);
        r.settings.remove(key);
        assert_eq!(
            Top.build_pay_at("http://x", &r, &secrets(), now())
                .unwrap_err(),
            BuildError::MissingSetting(key.into())
        );
    }
    let invalid = |edit: &dyn Fn(&mut PayRequest)| {
        let mut r = request(Channel::Balance);
        edit(&mut r);
        matches!(
            Top.build_pay_at("http://x", &r, &secrets(), now()),
            Err(BuildError::Invalid(_) | BuildError::Refused(_))
        )
    };
    assert!(invalid(&|r| {
        r.settings.insert("tenant_id".into(), "t-1".into());
    }));
    assert!(invalid(&|r| {
        r.settings.insert("credit_account_id".into(), "1.5".into());
    }));
    assert!(invalid(&|r| {
        r.settings.insert("sign_method".into(), "sha1".into());
    }));
    assert!(invalid(&|r| r.amount = Money::from_minor(0, Currency::CNY)));
    assert!(invalid(&|r| r.idempotency_key.clear()));
    assert!(invalid(&|r| r.order_no.clear()));
    assert!(invalid(&|r| r.coupon = Some("c1".into())));
    assert!(invalid(&|r| r.deductions.push(Deduction {
        id: "v".into(),
        amount: Money::from_minor(1, Currency::CNY)
    })));
    assert!(matches!(
        Top.build_pay_at("ftp://x", &request(Channel::Balance), &secrets(), now()),
        Err(BuildError::BadBaseUrl(_))
    ));
}

#[test]
fn signs_with_the_configured_method_and_sends_session_and_partner_id() {
    for (name, method) in [
        ("hmac", SignMethod::Hmac),
        ("hmac-sha256", SignMethod::HmacSha256),
    ] {
        let mut r = request(Channel::Balance);
        r.settings.insert("sign_method".into(), name.into());
        r.settings.insert("partner_id".into(), "paydesk".into());
        let s = secrets().with("session", "sess-1");
        let req = Top.build_pay_at("http://x", &r, &s, now()).unwrap();
        let (query, body) = params(&req);
        assert_eq!(query["sign_method"], name);
        assert_eq!(query["session"], "sess-1");
        assert_eq!(query["partner_id"], "paydesk");
        let all = query
            .iter()
            .chain(body.iter())
            .map(|(k, v)| (k.as_str(), v.as_str()));
        assert_eq!(query["sign"], sign(all, SECRET, method));
    }
}

#[test]
fn secrets_stay_out_of_the_request_and_errors() {
    let req = Top
        .build_pay_at("http://x", &request(Channel::Balance), &secrets(), now())
        .unwrap();
    assert!(!req.uri().to_string().contains(SECRET));
    assert!(!String::from_utf8_lossy(req.body()).contains(SECRET));
    let mut r = request(Channel::Balance);
    r.settings.remove("app_key");
    let err = Top
        .build_pay_at("http://x", &r, &secrets(), now())
        .unwrap_err();
    assert!(!err.to_string().contains(SECRET));
}

#[test]
fn the_status_call_resends_the_same_payment_with_a_fresh_clock() {
    let query = StatusQuery {
        order_no: "A-1 中".into(),
        amount: Money::parse("12.34", Currency::CNY).unwrap(),
        channel: Channel::Credit,
        idempotency_key: "key-1".into(),
        gateway_ref: Some("req-9".into()),
        settings: settings(),
        attributes: BTreeMap::new(),
        credit_amount: None,
        subscription_refunds: Vec::new(),
    };
    let later = now() + chrono::Duration::minutes(30);
    let status = Top
        .build_status_at("http://x", &query, &secrets(), later)
        .unwrap();
    let pay = Top
        .build_pay_at("http://x", &request(Channel::Credit), &secrets(), now())
        .unwrap();
    let (sq, _) = params(&status);
    assert_eq!(sq["method"], METHOD);
    assert_eq!(sq["timestamp"], "2025-11-21 13:10:00");
    let (mut a, mut b) = (request_param(&status), request_param(&pay));
    assert_ne!(a["pay_start_time"], b["pay_start_time"]);
    a.as_object_mut().unwrap().remove("pay_start_time");
    b.as_object_mut().unwrap().remove("pay_start_time");
    assert_eq!(a, b);
}

#[test]
fn reads_success_and_the_pending_statuses() {
    let ok = Top.parse_pay(&response(
        200,
        r#"{"alibaba_cloudgame_tradeplatform_payorder_response":{"result_success":true,
            "error":{"error_code":{"code":"1","prefix":"HP"},"location":"1","message":"1"},
            "value":{"pay_status":"PAY_SUCCESS","pay_url":"111"},"request_id":"r-1"}}"#,
    ));
    match ok {
        PayOutcome::Succeeded(r) => {
            assert_eq!(r.gateway_ref.as_deref(), Some("r-1"));
            assert_eq!(r.pay_url.as_deref(), Some("111"));
            assert_eq!(r.detail.unwrap()["value"]["pay_status"], "PAY_SUCCESS");
        }
        other => panic!("{other:?}"),
    }
    for status in ["WAIT_PAY", "PAYING"] {
        let body = format!(
            r#"{{"{RESPONSE_KEY}":{{"result_success":true,"value":{{"pay_status":"{status}","pay_url":"http://pay/1"}},"request_id":"r"}}}}"#
        );
        for outcome in [
            Top.parse_pay(&response(200, &body)),
            Top.parse_status(&response(200, &body)),
        ] {
            assert!(
                matches!(outcome, PayOutcome::Pending(ref r) if r.pay_url.as_deref() == Some("http://pay/1")),
                "{status}: {outcome:?}"
            );
        }
    }
    let odd = format!(
        r#"{{"{RESPONSE_KEY}":{{"result_success":true,"value":{{"pay_status":"PAY_CLOSED"}}}}}}"#
    );
    assert!(
        matches!(Top.parse_pay(&response(200, &odd)), PayOutcome::Unknown(ref e) if e.code == "PAY_CLOSED")
    );
}

#[test]
fn reads_a_common_error_as_a_refusal_in_its_own_words() {
    let body = format!(
        r#"{{"{RESPONSE_KEY}":{{"result_success":false,"error":{{"error_code":{{"code":"CREDIT_LIMIT_EXCEEDED","prefix":"HP"}},
            "location":"tradeplatform","message":"信控额度不足"}},"request_id":"r"}}}}"#
    );
    // A refused payment failed; a refused resend (the status query) is for a person.
    for outcome in [
        Top.parse_pay(&response(200, &body)),
        Top.parse_status(&response(200, &body)),
    ] {
        match outcome {
            PayOutcome::Failed(e) | PayOutcome::ForAPerson(e) => {
                assert_eq!(e.code, "HP-CREDIT_LIMIT_EXCEEDED");
                assert_eq!(e.message, "信控额度不足 (at tradeplatform)");
                assert_eq!(e.retry, RetryClass::Not);
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        Top.parse_pay(&response(200, &body)),
        PayOutcome::Failed(_)
    ));
    assert!(matches!(
        Top.parse_status(&response(200, &body)),
        PayOutcome::ForAPerson(_)
    ));
    let bare = format!(r#"{{"{RESPONSE_KEY}":{{"result_success":false}}}}"#);
    assert!(matches!(
        Top.parse_pay(&response(200, &bare)),
        PayOutcome::Unknown(_)
    ));
}

fn error_body(code: i64, sub_code: Option<&str>) -> String {
    let mut e = serde_json::json!({"code": code, "msg": format!("m{code}"), "request_id": "r"});
    if let Some(s) = sub_code {
        e["sub_code"] = s.into();
        e["sub_msg"] = "详细".into();
    }
    serde_json::json!({ "error_response": e }).to_string()
}

#[test]
fn reads_every_error_response_into_a_class() {
    let table: &[(i64, Option<&str>, RetryClass)] = &[
        (7, None, RetryClass::Safe),
        (
            7,
            Some("accesscontrol.limited-by-app-access-count"),
            RetryClass::Safe,
        ),
        (11, None, RetryClass::Not),
        (15, None, RetryClass::Unknown),
        (15, Some("isp.remote-service-error"), RetryClass::Unknown),
        (15, Some("isv.invalid-parameter"), RetryClass::Not),
        (21, None, RetryClass::Not),
        (22, None, RetryClass::Not),
        (24, None, RetryClass::Not),
        (25, None, RetryClass::Not),
        (26, None, RetryClass::Not),
        (27, None, RetryClass::Not),
        (28, None, RetryClass::Not),
        (29, None, RetryClass::Not),
        (30, None, RetryClass::Not),
        (31, None, RetryClass::Not),
        (40, Some("isv.missing-parameter"), RetryClass::Not),
        (41, Some("isv.invalid-parameter"), RetryClass::Not),
        (50, None, RetryClass::Unknown),
        (50, Some("isv.invalid-parameter"), RetryClass::Not),
        (50, Some("isv.order-not-exist"), RetryClass::Not),
        (50, Some(IDEMPOTENCY_CONFLICT), RetryClass::Unknown),
        (
            50,
            Some("isp.top-remote-connection-timeout"),
            RetryClass::Unknown,
        ),
        (99, None, RetryClass::Unknown),
    ];
    for &(code, sub_code, class) in table {
        let outcome = Top.parse_pay(&response(200, &error_body(code, sub_code)));
        let error = match (&outcome, class) {
            (PayOutcome::Unknown(e), RetryClass::Unknown) => e,
            (PayOutcome::Failed(e), RetryClass::Not | RetryClass::Safe) => e,
            _ => panic!("{code} {sub_code:?}: {outcome:?}"),
        };
        assert_eq!(error.retry, class, "{code} {sub_code:?}");
        assert_eq!(
            error.code,
            sub_code.map_or(code.to_string(), str::to_string)
        );
        assert!(error.message.starts_with(&format!("m{code} (code {code})")));
        if sub_code.is_some() {
            assert!(error.message.ends_with(": 详细"));
        }
    }
}

#[test]
fn a_status_answer_settles_only_on_the_business_word() {
    // The business refused the resend: its first request may have paid, so a person
    // decides; never a failure.
    let for_a_person = [
        (50, Some("isv.order-not-exist")),
        (50, Some("isv.order-already-paid")),
        (41, Some("isv.invalid-parameter")),
    ];
    for (code, sub_code) in for_a_person {
        assert!(
            matches!(
                Top.parse_status(&response(200, &error_body(code, sub_code))),
                PayOutcome::ForAPerson(_)
            ),
            "{code} {sub_code:?}"
        );
    }
    let inconclusive = [
        (7, None),
        (11, None),
        (25, None),
        (29, None),
        (31, None),
        (15, Some("isp.remote-service-error")),
        (50, Some(IDEMPOTENCY_CONFLICT)),
        (50, None),
    ];
    for (code, sub_code) in inconclusive {
        match Top.parse_status(&response(200, &error_body(code, sub_code))) {
            PayOutcome::Unknown(e) => assert_eq!(e.retry, RetryClass::Unknown),
            other => panic!("{code} {sub_code:?}: {other:?}"),
        }
    }
}

#[test]
fn an_unreadable_answer_is_unknown_never_failed() {
    let cases = [
        (200, "not json"),
        (200, "{}"),
        (200, r#"{"error_response":{"msg":"no code"}}"#),
        (
            200,
            r#"{"alibaba_cloudgame_tradeplatform_payorder_response":{}}"#,
        ),
        (
            200,
            r#"{"alibaba_cloudgame_tradeplatform_payorder_response":{"result_success":true}}"#,
        ),
        (
            200,
            r#"{"alibaba_cloudgame_tradeplatform_payorder_response":{"result_success":"true","value":{"pay_status":"PAY_SUCCESS"}}}"#,
        ),
        (200, "<html>busy</html>"),
        (502, "<html>bad gateway</html>"),
        (500, ""),
        // A well-formed refusal with a non-200 status is still a transport failure.
        (403, &error_body(25, None)),
    ];
    for (status, body) in cases {
        for outcome in [
            Top.parse_pay(&response(status, body)),
            Top.parse_status(&response(status, body)),
        ] {
            assert!(
                matches!(outcome, PayOutcome::Unknown(_)),
                "{status} {body}: {outcome:?}"
            );
        }
    }
}

#[test]
fn timestamps_are_gmt8() {
    let t = Utc.with_ymd_and_hms(2013, 5, 6, 5, 52, 3).unwrap();
    assert_eq!(timestamp_gmt8(t), "2013-05-06 13:52:03");
    let midnight = Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap();
    assert_eq!(timestamp_gmt8(midnight), "2025-01-01 00:00:00");
}
