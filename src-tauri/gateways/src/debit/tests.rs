use std::collections::BTreeMap;

use paydesk_crypto::{aes256_ecb_decrypt_b64, aes256_ecb_encrypt_b64};
use serde_json::Value;

use super::wire::decimal_text;
use super::*;
use crate::{Currency, Money};

const KEY: &str = "ecb797f9e9feab0a92ab283978d33711";

static NO_ATTRIBUTES: BTreeMap<String, String> = BTreeMap::new();

/// An answer read as the engine reads it, for the payout the test answers are for (their
/// `merchantSourceNo`).
fn pay_with(answer: &http::Response<Vec<u8>>, settings: &BTreeMap<String, String>) -> PayOutcome {
    Debit.parse_pay_with(answer, &secrets(), settings, asked())
}

fn status_with(
    answer: &http::Response<Vec<u8>>,
    settings: &BTreeMap<String, String>,
) -> PayOutcome {
    Debit.parse_status_with(answer, &secrets(), settings, asked())
}

fn asked() -> Asked<'static> {
    Asked {
        order_no: "o-1",
        idempotency_key: "src-1",
        channel: Channel::Bank,
        attributes: &NO_ATTRIBUTES,
        gateway_ref: None,
        live: false,
    }
}

fn inr(amount: &str) -> Money {
    Money::parse(amount, Currency::INR).unwrap()
}

fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn request(amount: &str, version: &str) -> PayRequest {
    PayRequest {
        order_no: "DB-5002".into(),
        amount: inr(amount),
        subject: "Supplier payout".into(),
        channel: Channel::Bank,
        idempotency_key: "0f8e3c2a9b7d4e6f8a1b2c3d4e5f6a7b".into(),
        deductions: vec![],
        settings: settings(&[("merchant_id", "10001"), ("api_version", version)]),
        attributes: BTreeMap::new(),
        coupon: None,
        credit_amount: None,
        subscription_refunds: Vec::new(),
    }
}

fn query(version: &str) -> StatusQuery {
    StatusQuery {
        order_no: "DB-5002".into(),
        amount: inr("1000.50"),
        channel: Channel::Bank,
        idempotency_key: "0f8e3c2a9b7d4e6f8a1b2c3d4e5f6a7b".into(),
        gateway_ref: Some("7".into()),
        settings: settings(&[("merchant_id", "10001"), ("api_version", version)]),
        attributes: BTreeMap::new(),
        credit_amount: None,
        subscription_refunds: Vec::new(),
    }
}

fn secrets() -> Secrets {
    Secrets::new().with("access_key", KEY)
}

fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .unwrap()
}

fn info(process_code: i64, fiat: &str) -> String {
    format!(
        r#"{{"channelDebitOrderSimpleInfo":{{"id":7,"merchantId":"10001","merchantSourceNo":"src-1","fiatAmount":{fiat},"processCode":{process_code},"createdTime":"2024-05-01T10:00:00.000Z","updatedTime":"2024-05-01T10:00:01.000Z","paid":{},"callbackCode":null,"closedTime":null}}}}"#,
        process_code == 30
    )
}

fn v1_answer(process_code: i64, fiat: &str) -> String {
    format!(
        r#"{{"code":0,"message":"","data":{}}}"#,
        info(process_code, fiat)
    )
}

fn v2_answer(key: &str, process_code: i64, fiat: &str) -> String {
    let sealed =
        aes256_ecb_encrypt_b64(key.as_bytes(), info(process_code, fiat).as_bytes()).unwrap();
    format!(r#"{{"code":0,"message":"","data":"{sealed}"}}"#)
}

fn error_of(outcome: PayOutcome) -> GatewayError {
    match outcome {
        PayOutcome::Failed(e) | PayOutcome::Unknown(e) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn seals_with_the_bharatpay_vector() {
    assert_eq!(
        seal(KEY, "Test").unwrap(),
        r#"{"data":"M2SwiX1fxQ5aJ34scDi0zA=="}"#
    );
}

#[test]
fn writes_amounts_as_exact_json_number_text() {
    for (amount, text) in [
        ("0.10", "0.1"),
        ("0.01", "0.01"),
        ("1000.50", "1000.5"),
        ("12345678.99", "12345678.99"),
        ("12.00", "12"),
        ("100", "100"),
        ("0.29", "0.29"),
        ("9999999999999.99", "9999999999999.99"),
    ] {
        assert_eq!(amount_number(&inr(amount)).unwrap(), text, "{amount}");
        // What a reader sees: the number's text reads back to the same minor units.
        let body: Value =
            serde_json::from_str(&set_body(&amount_number(&inr(amount)).unwrap(), "s", None))
                .unwrap();
        let Value::Number(n) = &body["amount"] else {
            panic!("amount is not a number")
        };
        assert_eq!(
            Money::parse(&decimal_text(n).unwrap(), Currency::INR).unwrap(),
            inr(amount)
        );
    }
    let yen = Money::parse("1200", Currency::parse("JPY").unwrap()).unwrap();
    assert_eq!(amount_number(&yen).unwrap(), "1200");
    for bad in ["0", "-1.00", "10000000000000.01", "99999999999999.99"] {
        assert!(
            matches!(amount_number(&inr(bad)), Err(BuildError::Invalid(_))),
            "{bad}"
        );
    }
}

#[test]
fn builds_a_v1_set_with_the_access_key_and_exact_json() {
    let mut req = request("1000.50", "v1");
    req.settings.insert(
        "callback_url".into(),
        "http://127.0.0.1:9/cb?x=\"1\"".into(),
    );
    let built = Debit
        .build_pay("http://127.0.0.1:1/debit/", &req, &secrets())
        .unwrap();
    assert_eq!(built.method(), http::Method::POST);
    assert_eq!(
        built.uri().to_string(),
        "http://127.0.0.1:1/debit/api/channel/Debit/Set"
    );
    assert_eq!(built.headers()["authorization"], KEY);
    assert_eq!(built.headers()["content-type"], "application/json");
    assert!(
        !format!("{built:?}").contains(KEY),
        "the key stays out of Debug"
    );
    assert_eq!(
        std::str::from_utf8(built.body()).unwrap(),
        r#"{"amount":1000.5,"sourceNo":"0f8e3c2a9b7d4e6f8a1b2c3d4e5f6a7b","callbackUrl":"http://127.0.0.1:9/cb?x=\"1\""}"#
    );
}

#[test]
fn defaults_to_v1_without_an_api_version() {
    let mut req = request("0.10", "");
    req.settings.clear();
    let built = Debit.build_pay("http://x", &req, &secrets()).unwrap();
    assert_eq!(built.uri().path(), SET_PATH);
    assert_eq!(
        std::str::from_utf8(built.body()).unwrap(),
        r#"{"amount":0.1,"sourceNo":"0f8e3c2a9b7d4e6f8a1b2c3d4e5f6a7b","callbackUrl":null}"#
    );
    assert_eq!(DEFAULT_API_VERSION, ApiVersion::V1);
}

#[test]
fn builds_a_v2_place_sealed_under_the_merchant_id() {
    let built = Debit
        .build_pay("http://x", &request("12345678.99", "V2"), &secrets())
        .unwrap();
    assert_eq!(built.uri().path(), PLACE_PATH);
    assert_eq!(built.headers()["authorization"], "10001");
    let body: Value = serde_json::from_slice(built.body()).unwrap();
    let plain = aes256_ecb_decrypt_b64(KEY.as_bytes(), body["data"].as_str().unwrap()).unwrap();
    assert_eq!(
        std::str::from_utf8(&plain).unwrap(),
        r#"{"amount":12345678.99,"sourceNo":"0f8e3c2a9b7d4e6f8a1b2c3d4e5f6a7b","callbackUrl":null}"#
    );
    assert_eq!(body.as_object().unwrap().len(), 1);
}

#[test]
fn builds_status_queries_by_source_no_only() {
    let v1 = Debit
        .build_status("http://x", &query("v1"), &secrets())
        .unwrap()
        .unwrap();
    assert_eq!(v1.uri().path(), GET_PATH);
    assert_eq!(v1.headers()["authorization"], KEY);
    assert_eq!(
        std::str::from_utf8(v1.body()).unwrap(),
        r#"{"channelDebitOrderId":null,"sourceNo":"0f8e3c2a9b7d4e6f8a1b2c3d4e5f6a7b"}"#
    );
    let v2 = Debit
        .build_status("http://x", &query("v2"), &secrets())
        .unwrap()
        .unwrap();
    assert_eq!(v2.uri().path(), GET_V2_PATH);
    assert_eq!(v2.headers()["authorization"], "10001");
    let body: Value = serde_json::from_slice(v2.body()).unwrap();
    let plain = aes256_ecb_decrypt_b64(KEY.as_bytes(), body["data"].as_str().unwrap()).unwrap();
    assert_eq!(plain, v1.body().as_slice());
    assert_eq!(
        get_body(Some(7), None),
        r#"{"channelDebitOrderId":7,"sourceNo":null}"#
    );
}

#[test]
fn refuses_before_sending_and_never_shows_the_key() {
    let build = |req: &PayRequest, secrets: &Secrets| {
        Debit.build_pay("http://x", req, secrets).unwrap_err()
    };
    let mut other_channel = request("1.00", "v1");
    other_channel.channel = Channel::Alipay;
    assert_eq!(
        build(&other_channel, &secrets()),
        BuildError::UnsupportedChannel("alipay")
    );
    assert_eq!(
        build(&request("1.00", "v1"), &Secrets::new()),
        BuildError::MissingSecret("access_key".into())
    );
    assert_eq!(
        build(
            &request("1.00", "v1"),
            &Secrets::new().with("access_key", "")
        ),
        BuildError::MissingSecret("access_key".into())
    );
    let short = "ecb797f9e9feab0a92ab283978d3371";
    let non_ascii = "ecb797f9e9feab0a92ab283978d337é";
    let with_newline = "ecb797f9e9feab0a92ab283978d3371\n";
    for bad in [
        short,
        non_ascii,
        with_newline,
        "ecb797f9e9feab0a92ab283978d337111",
    ] {
        let err = build(
            &request("1.00", "v1"),
            &Secrets::new().with("access_key", bad),
        );
        assert!(matches!(err, BuildError::Invalid(_)), "{bad:?}: {err:?}");
        assert!(!err.to_string().contains(bad.trim()), "{err}");
    }
    let mut no_merchant = request("1.00", "v2");
    no_merchant.settings.remove("merchant_id");
    assert_eq!(
        build(&no_merchant, &secrets()),
        BuildError::MissingSetting("merchant_id".into())
    );
    no_merchant
        .settings
        .insert("api_version".into(), "v1".into());
    assert!(Debit
        .build_pay("http://x", &no_merchant, &secrets())
        .is_ok());
    for (key, value) in [
        ("api_version", "v3"),
        ("callback_url", "ftp://x/cb"),
        ("currency", "XXX"),
        ("currency", "CNY"),
    ] {
        let mut req = request("1.00", "v1");
        req.settings.insert(key.into(), value.into());
        assert!(
            matches!(
                build(&req, &secrets()),
                BuildError::Invalid(_) | BuildError::Refused(_)
            ),
            "{key}={value}"
        );
    }
    let mut cny = request("1.00", "v1");
    cny.amount = Money::parse("1.00", Currency::CNY).unwrap();
    assert!(matches!(build(&cny, &secrets()), BuildError::Invalid(_)));
    cny.settings.insert("currency".into(), "cny".into());
    assert!(Debit.build_pay("http://x", &cny, &secrets()).is_ok());
    let mut zero = request("1.00", "v1");
    zero.amount = inr("0.00");
    assert!(matches!(build(&zero, &secrets()), BuildError::Invalid(_)));
    let mut vouchers = request("1.00", "v1");
    vouchers.deductions.push(Deduction {
        id: "v".into(),
        amount: inr("0.50"),
    });
    assert!(matches!(
        build(&vouchers, &secrets()),
        BuildError::Invalid(_)
    ));
    let mut coupon = request("1.00", "v1");
    coupon.coupon = Some("c".into());
    assert!(matches!(build(&coupon, &secrets()), BuildError::Invalid(_)));
    let mut credit = request("1.00", "v1");
    credit.credit_amount = Some(inr("0.50"));
    assert!(matches!(build(&credit, &secrets()), BuildError::Invalid(_)));
    let mut keyless = request("1.00", "v1");
    keyless.idempotency_key = String::new();
    assert!(matches!(
        build(&keyless, &secrets()),
        BuildError::Invalid(_)
    ));
    keyless.idempotency_key = "k".repeat(65);
    assert!(matches!(
        build(&keyless, &secrets()),
        BuildError::Invalid(_)
    ));
    keyless.idempotency_key = "k".repeat(64);
    assert!(Debit.build_pay("http://x", &keyless, &secrets()).is_ok());
    assert!(matches!(
        Debit.build_pay("x", &request("1.00", "v1"), &secrets()),
        Err(BuildError::BadBaseUrl(_))
    ));
    let mut status_keyless = query("v1");
    status_keyless.idempotency_key = String::new();
    assert!(Debit
        .build_status("http://x", &status_keyless, &secrets())
        .unwrap()
        .is_err());
}

#[test]
fn reads_process_codes_from_v1_answers() {
    let ok = Debit.parse_pay(&response(200, &v1_answer(30, "0.1")));
    let PayOutcome::Succeeded(receipt) = ok else {
        panic!("{ok:?}")
    };
    assert_eq!(receipt.gateway_ref.as_deref(), Some("7"));
    let detail = receipt.detail.unwrap();
    assert_eq!(detail["merchantSourceNo"], "src-1");
    assert_eq!(fiat_amount(&detail, Currency::INR).unwrap(), inr("0.10"));
    for code in [0, 10, 20, 25] {
        let pending = Debit.parse_pay(&response(200, &v1_answer(code, "1000.5")));
        assert!(
            matches!(pending, PayOutcome::Pending(ref r) if r.gateway_ref.as_deref() == Some("7")),
            "{code}"
        );
        let pending = Debit.parse_status(&response(200, &v1_answer(code, "1000.5")));
        assert!(matches!(pending, PayOutcome::Pending(_)), "{code}");
    }
    let failed = error_of(Debit.parse_status(&response(200, &v1_answer(40, "0.4"))));
    assert_eq!(
        (failed.code.as_str(), failed.retry),
        ("40", RetryClass::Not)
    );
    assert!(matches!(
        Debit.parse_pay(&response(200, &v1_answer(40, "0.4"))),
        PayOutcome::Failed(_)
    ));
    assert!(matches!(
        Debit.parse_status(&response(200, &v1_answer(30, "12345678.99"))),
        PayOutcome::Succeeded(_)
    ));
}

#[test]
fn reads_fiat_amounts_exactly() {
    for (text, minor) in [
        ("0.1", 10),
        ("1000.5", 100050),
        ("1000.50", 100050),
        ("12345678.99", 1234567899),
        ("250", 25000),
        ("250.0", 25000),
        ("9999999999999.99", 999999999999999),
    ] {
        let detail: Value = serde_json::from_str(&format!(r#"{{"fiatAmount":{text}}}"#)).unwrap();
        assert_eq!(
            fiat_amount(&detail, Currency::INR).unwrap().minor,
            minor,
            "{text}"
        );
    }
    for text in ["0.001", "-1", "1e300", "\"1.00\"", "null"] {
        let detail: Value = serde_json::from_str(&format!(r#"{{"fiatAmount":{text}}}"#)).unwrap();
        assert!(fiat_amount(&detail, Currency::INR).is_err(), "{text}");
    }
}

#[test]
fn reads_v2_answers_only_with_the_key() {
    let body = v2_answer(KEY, 30, "1000.5");
    let v2 = settings(&[("api_version", "v2")]);
    let with_key = pay_with(&response(200, &body), &v2);
    let PayOutcome::Succeeded(receipt) = with_key else {
        panic!("{with_key:?}")
    };
    assert_eq!(receipt.gateway_ref.as_deref(), Some("7"));
    assert_eq!(
        fiat_amount(receipt.detail.as_ref().unwrap(), Currency::INR).unwrap(),
        inr("1000.50")
    );
    assert_eq!(receipt.charged, Some(Charged::Decimal("1000.5".into())));
    assert!(receipt.charged.unwrap().is(inr("1000.50")));
    assert!(matches!(
        status_with(&response(200, &v2_answer(KEY, 20, "1")), &v2),
        PayOutcome::Pending(_)
    ));
    let without = error_of(Debit.parse_pay(&response(200, &body)));
    assert_eq!(
        (without.code.as_str(), without.retry),
        ("ACCESS_KEY_NEEDED", RetryClass::Unknown)
    );
    let other_key = "00000000000000000000000000000000";
    let wrong = status_with(&response(200, &v2_answer(other_key, 30, "1")), &v2);
    assert!(matches!(wrong, PayOutcome::Unknown(ref e) if e.code == "UNDECRYPTABLE_RESPONSE"));
    // Sealed, but not the documented wrapper: unreadable, never a verdict.
    let bare = aes256_ecb_encrypt_b64(KEY.as_bytes(), br#"{"id":7,"processCode":30}"#).unwrap();
    let bare = format!(r#"{{"code":0,"message":"","data":"{bare}"}}"#);
    assert!(matches!(
        pay_with(&response(200, &bare), &v2),
        PayOutcome::Unknown(_)
    ));
    // A V2 answer in the clear did not come from the gateway as documented.
    for (call, outcome) in [
        ("pay", pay_with(&response(200, &v1_answer(30, "1")), &v2)),
        (
            "status",
            status_with(&response(200, &v1_answer(30, "1")), &v2),
        ),
    ] {
        assert!(
            matches!(outcome, PayOutcome::Unknown(ref e) if e.code == "UNENCRYPTED_ANSWER"),
            "{call}: {outcome:?}"
        );
    }
    let v1 = settings(&[("api_version", "v1")]);
    assert!(matches!(
        pay_with(&response(200, &v1_answer(30, "1")), &v1),
        PayOutcome::Succeeded(_)
    ));
    // V2 refusals are plain text and read without the key.
    let refused = error_of(Debit.parse_pay(&response(
        401,
        r#"{"code":1001,"message":"unauthorized","data":null}"#,
    )));
    assert_eq!(
        (refused.code.as_str(), refused.retry),
        ("1001", RetryClass::Not)
    );
}

#[test]
fn maps_every_error_code_to_a_class() {
    let pay_table = [
        (401, 1001, "Failed", RetryClass::Not),
        (400, 1002, "Failed", RetryClass::Not),
        (400, 1003, "Failed", RetryClass::Not),
        (400, 1004, "Failed", RetryClass::Not),
        (400, 1005, "Failed", RetryClass::Not),
        (400, 1006, "Failed", RetryClass::Not),
        (200, 1007, "Failed", RetryClass::Not),
        (200, 1, "Unknown", RetryClass::Unknown),
        (200, 1008, "Unknown", RetryClass::Unknown),
        (200, -1, "Unknown", RetryClass::Unknown),
        (200, 9999, "Unknown", RetryClass::Unknown),
        (500, 1003, "Unknown", RetryClass::Unknown),
    ];
    for (status, code, kind, class) in pay_table {
        let body = format!(r#"{{"code":{code},"message":"m{code}","data":null}}"#);
        let outcome = Debit.parse_pay(&response(status, &body));
        let is_failed = matches!(outcome, PayOutcome::Failed(_));
        let error = error_of(outcome);
        assert_eq!(is_failed, kind == "Failed", "pay {status} {code}");
        assert_eq!(error.retry, class, "pay {status} {code}");
        if status < 500 {
            assert_eq!(error.code, code.to_string());
            assert_eq!(error.message, format!("m{code}"));
        } else {
            assert!(error.message.contains(&format!("m{code}")));
        }
    }
    // "Not found" is no such payment (believed only for a lost request), never a failure.
    let not_found = Debit.parse_status(&response(
        200,
        r#"{"code":1,"message":"order not found","data":null}"#,
    ));
    assert_eq!(
        not_found,
        PayOutcome::NoSuchPayment(GatewayError::new(
            "ORDER_NOT_FOUND",
            "order not found",
            RetryClass::Safe
        ))
    );
    for (status, code) in [
        (200, 1001),
        (401, 1001),
        (200, 1003),
        (200, 2),
        (404, 1),
        (500, 1),
        (503, 0),
    ] {
        let body = format!(r#"{{"code":{code},"message":"m","data":null}}"#);
        assert!(
            matches!(
                Debit.parse_status(&response(status, &body)),
                PayOutcome::Unknown(_)
            ),
            "status {status} {code}"
        );
    }
}

#[test]
fn an_unreadable_answer_is_unknown_never_failed() {
    let no_id = v1_answer(30, "1").replace(r#""id":7,"#, "");
    let no_code = v1_answer(30, "1").replace(r#""processCode":30,"#, "");
    let string_amount = v1_answer(30, "\"1.00\"");
    let no_source = v1_answer(30, "1").replace(r#""merchantSourceNo":"src-1","#, "");
    let string_id = v1_answer(30, "1").replace(r#""id":7"#, r#""id":"7""#);
    for (status, body) in [
        (200, "not json"),
        (200, "{}"),
        (200, "[]"),
        (200, r#"{"code":"0"}"#),
        (200, r#"{"code":0,"message":"","data":null}"#),
        (200, r#"{"code":0,"message":"","data":{}}"#),
        (
            200,
            r#"{"code":0,"message":"","data":{"channelDebitOrderSimpleInfo":null}}"#,
        ),
        (200, r#"{"code":0,"message":"","data":"%%%"}"#),
        (400, &v1_answer(30, "1")),
        (502, "<html>bad gateway</html>"),
        (500, ""),
        (200, &no_id),
        (200, &no_code),
        (200, &string_amount),
        (200, &no_source),
        (200, &string_id),
        (200, &v1_answer(30, "1e300")),
    ] {
        for outcome in [
            Debit.parse_pay(&response(status, body)),
            status_with(&response(status, body), &BTreeMap::new()),
        ] {
            assert!(
                matches!(outcome, PayOutcome::Unknown(_)),
                "{status} {body}: {outcome:?}"
            );
        }
    }
}

#[test]
fn reads_callbacks_with_the_access_key() {
    let sealed = |code: i64, source: &str| {
        let inner = info(code, "1000.5").replace("src-1", source);
        let data = aes256_ecb_encrypt_b64(KEY.as_bytes(), inner.as_bytes()).unwrap();
        format!(r#"{{"sourceNo":"{source}","data":"{data}"}}"#)
    };
    let (source, outcome) = parse_callback(sealed(30, "k-1").as_bytes(), KEY).unwrap();
    assert_eq!(source, "k-1");
    assert!(
        matches!(outcome, PayOutcome::Succeeded(ref r) if r.gateway_ref.as_deref() == Some("7"))
    );
    let (_, failed) = parse_callback(sealed(40, "k-2").as_bytes(), KEY).unwrap();
    assert!(matches!(failed, PayOutcome::Failed(ref e) if e.code == "40"));
    let swapped = sealed(30, "k-1").replace(r#""sourceNo":"k-1""#, r#""sourceNo":"k-9""#);
    assert_eq!(
        parse_callback(swapped.as_bytes(), KEY).unwrap_err().code,
        "CALLBACK_MISMATCH"
    );
    let other_key = "00000000000000000000000000000000";
    for (body, key) in [
        (sealed(30, "k-1"), other_key),
        (sealed(30, "k-1"), "short"),
        ("not json".to_string(), KEY),
        (r#"{"sourceNo":"k-1"}"#.to_string(), KEY),
        (r#"{"data":"M2SwiX1fxQ5aJ34scDi0zA=="}"#.to_string(), KEY),
        (
            r#"{"sourceNo":"k-1","data":"M2SwiX1fxQ5aJ34scDi0zA=="}"#.to_string(),
            KEY,
        ),
    ] {
        let err = parse_callback(body.as_bytes(), key).unwrap_err();
        assert_eq!(err.retry, RetryClass::Unknown, "{body}");
        assert!(!err.message.contains(KEY));
    }
}

#[test]
fn offers_bank_payouts_with_status_and_idempotency() {
    let caps = Debit.capabilities();
    assert_eq!(caps.channels, vec![Channel::Bank]);
    assert!(caps.status_query && caps.idempotency_key);
    assert!(!caps.vouchers && !caps.coupon && !caps.credit_split);
    assert_eq!(caps.required_secrets, vec!["access_key".to_string()]);
    assert_eq!(Debit.id(), "debit");
}
