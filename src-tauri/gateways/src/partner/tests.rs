use std::collections::BTreeMap;

use serde_json::Value;

use super::*;
use crate::{Currency, Money};

/// The seed's example answer, verbatim.
const SEED_ANSWER: &str = r#"{ "code": 1, "errors": { }, "msg": "操作成功", "result": { "ali_pay_url": "", "order_info": { "order_no": "202201071757551641549475668", "gift_pos_id": "55fca782f55f406d94e2cecb23d0140b", "order_express_time_stamp": 0, "bill_no": "", "order_time": "2022-01-07 17:57:55", "order_name": "购买机器", "user_id_no": "", "gift_title": "拉卡拉大POS 1台装礼包 升V5", "order_status": 1, "coupon_id": "", "order_express_number": "", "user_phone": "18569557087", "pay_type": 1, "order_time_stamp": 1641549475356, "id": "fd85f86a959043878cf2c03d8c09f39f", "order_type": 1, "user_level_id": "", "order_express_name": "", "order_express_time": "", "order_receieve_phone": "18578229023", "receive_time": "", "order_price": 300, "order_desc": "", "order_express_address": "", "order_pay_time": "2022-01-07 17:57:55", "order_receieve_name": "刘德华", "platform_remark": "", "order_score": 0, "deduct_price": 0, "user_id": "41840909af844632885424fbc20cae79", "user_real_name": "张学友", "order_receieve_address": "湖南省长沙市德思勤城市广场b5栋", "third_order_no": "", "order_pay_time_stamp": 1641549475356, "order_express_no": "" } } }"#;

const USER: &str = "41840909af844632885424fbc20cae79";
const GIFT: &str = "55fca782f55f406d94e2cecb23d0140b";

fn request(channel: Channel) -> PayRequest {
    PayRequest {
        order_no: "202201071757551641549475668".into(),
        amount: Money::parse("3.00", Currency::CNY).unwrap(),
        subject: "拉卡拉大POS 1台装礼包 升V5".into(),
        channel,
        idempotency_key: "k1".into(),
        deductions: vec![],
        settings: BTreeMap::new(),
        attributes: BTreeMap::from([
            ("user_id".to_string(), USER.to_string()),
            ("gift_pos_id".to_string(), GIFT.to_string()),
            ("address_id".to_string(), "1".to_string()),
        ]),
        coupon: None,
        credit_amount: None,
        subscription_refunds: Vec::new(),
    }
}

fn secrets() -> Secrets {
    Secrets::new().with(SIGN_KEY, "sandbox-partner-sign-key")
}

fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .unwrap()
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    std::str::from_utf8(body)
        .unwrap()
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8()
                    .unwrap()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

fn failed(outcome: PayOutcome) -> GatewayError {
    match outcome {
        PayOutcome::Failed(e) => e,
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[test]
fn the_wechat_v2_vector_passes_through_sign_in_lowercase() {
    let params = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ];
    assert_eq!(
        sign(params, "192006250b4c09247ec02edce69f6a2d"),
        "9a0a8659f005d6984697e2ca0a9cf3b7"
    );
}

#[test]
fn sign_drops_empty_values_and_the_sign_itself() {
    let base = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ];
    let with_noise =
        base.iter()
            .copied()
            .chain([("coupon_id", ""), ("sign", "ABCDEF"), ("", "orphan")]);
    assert_eq!(
        sign(with_noise, "192006250b4c09247ec02edce69f6a2d"),
        "9a0a8659f005d6984697e2ca0a9cf3b7"
    );
}

#[test]
fn sign_sorts_names_by_byte_order() {
    // Z (0x5A) < _ (0x5F) < a; "a" < "a_b" < "ab" because '_' < 'b'.
    // printf '%s' 'Z=1&_=2&a=3&a_b=4&ab=5&key=k' | md5sum
    let params = [
        ("ab", "5"),
        ("a", "3"),
        ("a_b", "4"),
        ("_", "2"),
        ("Z", "1"),
    ];
    assert_eq!(sign(params, "k"), "e9bd5f13935b1ae74d36ecf84b5e397e");
}

#[test]
fn sign_hashes_non_ascii_as_utf8() {
    // printf '%s' 'address_id=1&coupon_id=券A&gift_pos_id=礼包&pay_type=2&user_id=张学友&key=密钥' | md5sum
    let params = [
        ("user_id", "张学友"),
        ("pay_type", "2"),
        ("gift_pos_id", "礼包"),
        ("coupon_id", "券A"),
        ("address_id", "1"),
    ];
    assert_eq!(sign(params, "密钥"), "9e6104438ab4956973652d7c44ec12ef");
}

#[test]
fn builds_a_signed_form_post() {
    let req = Partner
        .build_pay(
            "http://127.0.0.1:1/partner/",
            &request(Channel::Balance),
            &secrets(),
        )
        .unwrap();
    assert_eq!(req.method(), http::Method::POST);
    assert_eq!(
        req.uri().to_string(),
        "http://127.0.0.1:1/partner/app/partner/order/pay"
    );
    assert_eq!(
        req.headers()["content-type"],
        "application/x-www-form-urlencoded; charset=utf-8"
    );
    // printf '%s' 'address_id=1&gift_pos_id=55fc...&pay_type=1&user_id=4184...&key=sandbox-partner-sign-key' | md5sum
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        format!(
            "address_id=1&gift_pos_id={GIFT}&pay_type=1&user_id={USER}&sign=9bb154f9d3fedcfee54d8c4b111cecff"
        )
    );
}

#[test]
fn alipay_and_a_coupon_are_sent_and_signed() {
    let mut req = request(Channel::Alipay);
    req.coupon = Some(" 券 A&B=1 ".into());
    let built = Partner.build_pay("http://x", &req, &secrets()).unwrap();
    let raw = std::str::from_utf8(built.body()).unwrap();
    assert!(
        raw.contains("coupon_id=%E5%88%B8%20A%26B%3D1&"),
        "the coupon is form-encoded: {raw}"
    );
    let params = form(built.body());
    let names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "address_id",
            "coupon_id",
            "gift_pos_id",
            "pay_type",
            "user_id",
            "sign"
        ]
    );
    let get = |k: &str| params.iter().find(|(n, _)| n == k).unwrap().1.clone();
    assert_eq!(get("pay_type"), "2");
    assert_eq!(get("coupon_id"), "券 A&B=1");
    let expected = sign(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        "sandbox-partner-sign-key",
    );
    assert_eq!(get("sign"), expected);
    assert_eq!(expected.len(), 32);
    assert!(expected
        .bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()));
}

#[test]
fn a_blank_coupon_is_not_sent() {
    let mut req = request(Channel::Balance);
    req.coupon = Some("  ".into());
    let with_blank = Partner.build_pay("http://x", &req, &secrets()).unwrap();
    let without = Partner
        .build_pay("http://x", &request(Channel::Balance), &secrets())
        .unwrap();
    assert_eq!(with_blank.body(), without.body());
}

#[test]
fn offers_balance_and_alipay_and_refuses_the_rest() {
    let caps = Partner.capabilities();
    assert_eq!(caps.channels, vec![Channel::Balance, Channel::Alipay]);
    assert!(caps.coupon && !caps.vouchers && !caps.credit_split);
    assert!(!caps.status_query && !caps.idempotency_key);
    assert_eq!(caps.required_secrets, vec!["sign_key".to_string()]);
    for channel in Channel::ALL {
        let built = Partner.build_pay("http://x", &request(channel), &secrets());
        match channel {
            Channel::Balance | Channel::Alipay => assert!(built.is_ok()),
            other => assert_eq!(
                built.unwrap_err(),
                BuildError::UnsupportedChannel(other.as_str())
            ),
        }
    }
    assert!(Partner
        .build_status(
            "http://x",
            &StatusQuery {
                order_no: "1".into(),
                amount: Money::from_minor(1, Currency::CNY),
                channel: Channel::Alipay,
                idempotency_key: "k".into(),
                gateway_ref: Some("g".into()),
                settings: BTreeMap::new(),
                attributes: BTreeMap::new(),
                credit_amount: None,
                subscription_refunds: Vec::new(),
            },
            &secrets()
        )
        .is_none());
}

#[test]
fn refuses_without_the_sign_key() {
    for secrets in [Secrets::new(), Secrets::new().with(SIGN_KEY, "")] {
        assert_eq!(
            Partner
                .build_pay("http://x", &request(Channel::Balance), &secrets)
                .unwrap_err(),
            BuildError::MissingSecret("sign_key".into())
        );
    }
}

#[test]
fn names_a_missing_attribute() {
    for name in ["user_id", "gift_pos_id", "address_id"] {
        for value in [None, Some(""), Some("   ")] {
            let mut req = request(Channel::Balance);
            match value {
                None => req.attributes.remove(name),
                Some(v) => req.attributes.insert(name.into(), v.into()),
            };
            let err = Partner.build_pay("http://x", &req, &secrets()).unwrap_err();
            assert_eq!(
                err,
                BuildError::Invalid(format!("missing order attribute {name:?}"))
            );
        }
    }
}

#[test]
fn address_id_must_be_a_positive_integer() {
    for bad in ["abc", "1.5", "-1", "0", "+1", "1e3", "99999999999999999999"] {
        let mut req = request(Channel::Balance);
        req.attributes.insert("address_id".into(), bad.into());
        let err = Partner.build_pay("http://x", &req, &secrets()).unwrap_err();
        assert!(
            matches!(&err, BuildError::Invalid(m) if m.contains("address_id")),
            "{bad}: {err:?}"
        );
    }
    let mut req = request(Channel::Balance);
    req.attributes.insert("address_id".into(), " 007 ".into());
    let built = Partner.build_pay("http://x", &req, &secrets()).unwrap();
    assert!(form(built.body()).contains(&("address_id".into(), "7".into())));
}

#[test]
fn refuses_what_the_api_cannot_carry() {
    let mut req = request(Channel::Balance);
    req.deductions.push(Deduction {
        id: "v1".into(),
        amount: Money::from_minor(100, Currency::CNY),
    });
    assert!(matches!(
        Partner.build_pay("http://x", &req, &secrets()),
        Err(BuildError::Invalid(_))
    ));
    let mut req = request(Channel::Balance);
    req.credit_amount = Some(Money::from_minor(100, Currency::CNY));
    assert!(matches!(
        Partner.build_pay("http://x", &req, &secrets()),
        Err(BuildError::Invalid(_))
    ));
    for amount in [
        Money::from_minor(0, Currency::CNY),
        Money::from_minor(-5, Currency::CNY),
        Money::from_minor(300, Currency::INR),
    ] {
        let mut req = request(Channel::Balance);
        req.amount = amount;
        assert!(matches!(
            Partner.build_pay("http://x", &req, &secrets()),
            Err(BuildError::Invalid(_))
        ));
    }
    assert!(matches!(
        Partner.build_pay("ftp://x", &request(Channel::Balance), &secrets()),
        Err(BuildError::BadBaseUrl(_))
    ));
}

#[test]
fn the_secret_never_reaches_the_request_in_clear() {
    let built = Partner
        .build_pay("http://x", &request(Channel::Balance), &secrets())
        .unwrap();
    let shown = format!("{built:?}");
    assert!(!shown.contains("sandbox-partner-sign-key"));
    assert!(!String::from_utf8_lossy(built.body()).contains("sandbox-partner-sign-key"));
}

#[test]
fn reads_the_seed_answer_completely() {
    let outcome = Partner.parse_pay(&response(200, SEED_ANSWER));
    let PayOutcome::Succeeded(receipt) = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(
        receipt.gateway_ref.as_deref(),
        Some("202201071757551641549475668")
    );
    assert_eq!(receipt.pay_url, None, "an empty ali_pay_url is no URL");
    let detail = receipt.detail.unwrap();
    let info = OrderInfo::from_value(&detail).unwrap();
    assert_eq!(
        info,
        OrderInfo {
            order_no: "202201071757551641549475668".into(),
            id: "fd85f86a959043878cf2c03d8c09f39f".into(),
            order_status: 1,
            pay_type: 1,
            order_price: 300,
            deduct_price: 0,
            user_id: USER.into(),
            gift_pos_id: GIFT.into(),
            coupon_id: "".into(),
            order_type: 1,
            order_score: 0,
            order_name: "购买机器".into(),
            order_desc: "".into(),
            gift_title: "拉卡拉大POS 1台装礼包 升V5".into(),
            bill_no: "".into(),
            third_order_no: "".into(),
            order_time: "2022-01-07 17:57:55".into(),
            order_time_stamp: 1641549475356,
            order_pay_time: "2022-01-07 17:57:55".into(),
            order_pay_time_stamp: 1641549475356,
            user_phone: "18569557087".into(),
            user_real_name: "张学友".into(),
            user_id_no: "".into(),
            user_level_id: "".into(),
            order_receieve_name: "刘德华".into(),
            order_receieve_phone: "18578229023".into(),
            order_receieve_address: "湖南省长沙市德思勤城市广场b5栋".into(),
            receive_time: "".into(),
            order_express_name: "".into(),
            order_express_no: "".into(),
            order_express_number: "".into(),
            order_express_address: "".into(),
            order_express_time: "".into(),
            order_express_time_stamp: 0,
            platform_remark: "".into(),
        }
    );
    assert_eq!(info.charged(), Money::from_minor(300, Currency::CNY));
    // Every field the seed lists is a field of OrderInfo, and nothing else.
    let seed: Value = serde_json::from_str(SEED_ANSWER).unwrap();
    let seed_keys: Vec<&String> = seed["result"]["order_info"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let typed = serde_json::to_value(&info).unwrap();
    let typed_keys: Vec<&String> = typed.as_object().unwrap().keys().collect();
    assert_eq!(seed_keys.len(), 35);
    let mut a = seed_keys.clone();
    let mut b = typed_keys.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    // The detail is the order_info as received.
    assert_eq!(detail, seed["result"]["order_info"]);
}

fn answer_with(order_info: Value, ali_pay_url: Value) -> String {
    serde_json::json!({"code": 1, "errors": {}, "msg": "操作成功",
        "result": {"ali_pay_url": ali_pay_url, "order_info": order_info}})
    .to_string()
}

fn seed_info() -> Value {
    serde_json::from_str::<Value>(SEED_ANSWER).unwrap()["result"]["order_info"].clone()
}

#[test]
fn an_unpaid_alipay_order_is_pending_with_its_url() {
    let mut info = seed_info();
    info["order_status"] = 0.into();
    info["pay_type"] = 2.into();
    info["order_pay_time"] = "".into();
    info["order_pay_time_stamp"] = 0.into();
    let body = answer_with(info, " https://pay.example/ali?o=1 ".into());
    let PayOutcome::Pending(receipt) = Partner.parse_pay(&response(200, &body)) else {
        panic!("not pending");
    };
    assert_eq!(
        receipt.pay_url.as_deref(),
        Some("https://pay.example/ali?o=1")
    );
    assert_eq!(
        receipt.gateway_ref.as_deref(),
        Some("202201071757551641549475668")
    );
    // Without a URL it is still pending: nothing says it was paid.
    let mut info = seed_info();
    info["order_status"] = 0.into();
    let body = answer_with(info, Value::Null);
    assert!(matches!(
        Partner.parse_pay(&response(200, &body)),
        PayOutcome::Pending(Receipt { pay_url: None, .. })
    ));
}

#[test]
fn reads_amounts_exactly_and_tolerates_numbers_as_strings() {
    let mut info = seed_info();
    info["order_price"] = "5800".into();
    info["deduct_price"] = 500.into();
    info["coupon_id"] = "sandbox-coupon-500".into();
    info["user_phone"] = 18569557087_i64.into();
    info["order_desc"] = Value::Null;
    let body = answer_with(info.clone(), "".into());
    let PayOutcome::Succeeded(receipt) = Partner.parse_pay(&response(200, &body)) else {
        panic!("not succeeded");
    };
    let read = OrderInfo::from_value(receipt.detail.as_ref().unwrap()).unwrap();
    assert_eq!((read.order_price, read.deduct_price), (5800, 500));
    assert_eq!(read.charged(), Money::from_minor(5300, Currency::CNY));
    assert_eq!(read.user_phone, "18569557087");
    assert_eq!(read.order_desc, "");
    // The code may come as a string too.
    let body = body.replacen("\"code\":1", "\"code\":\"1\"", 1);
    assert!(matches!(
        Partner.parse_pay(&response(200, &body)),
        PayOutcome::Succeeded(_)
    ));
}

#[test]
fn gateway_ref_falls_back_to_the_id() {
    let mut info = seed_info();
    info["order_no"] = "".into();
    let body = answer_with(info, "".into());
    let PayOutcome::Succeeded(receipt) = Partner.parse_pay(&response(200, &body)) else {
        panic!("not succeeded");
    };
    assert_eq!(
        receipt.gateway_ref.as_deref(),
        Some("fd85f86a959043878cf2c03d8c09f39f")
    );
}

#[test]
fn a_success_that_cannot_be_read_is_unknown() {
    let mut cases = Vec::new();
    for field in [
        "order_no",
        "id",
        "order_status",
        "pay_type",
        "order_price",
        "deduct_price",
        "user_id",
        "gift_pos_id",
    ] {
        let mut info = seed_info();
        info.as_object_mut().unwrap().remove(field);
        cases.push(answer_with(info, "".into()));
    }
    let mut info = seed_info();
    info["order_price"] = serde_json::json!(300.5);
    cases.push(answer_with(info, "".into()));
    let mut info = seed_info();
    info["order_price"] = serde_json::json!(300.0);
    cases.push(answer_with(info, "".into()));
    let mut info = seed_info();
    info["order_status"] = "paid".into();
    cases.push(answer_with(info, "".into()));
    let mut info = seed_info();
    info["order_status"] = 2.into();
    cases.push(answer_with(info, "".into()));
    cases.push(answer_with(seed_info(), 5.into()));
    cases.push(r#"{"code":1,"errors":{},"msg":"操作成功","result":{}}"#.into());
    cases.push(r#"{"code":1,"errors":{},"msg":"操作成功","result":null}"#.into());
    cases.push(r#"{"code":1,"msg":"操作成功"}"#.into());
    for body in cases {
        assert!(
            matches!(
                Partner.parse_pay(&response(200, &body)),
                PayOutcome::Unknown(_)
            ),
            "{body}"
        );
    }
}

#[test]
fn maps_every_refusal_shape() {
    let table = [
        (
            r#"{"code":401,"errors":{"sign":"签名错误"},"msg":"签名错误","result":{}}"#,
            "401",
            "签名错误 (sign: 签名错误)",
            RetryClass::Not,
        ),
        (
            r#"{"code":422,"errors":{"pay_type":"支付类型错误","address_id":["地址id必须是整数"]},"msg":"参数错误","result":{}}"#,
            "422",
            "参数错误 (address_id: 地址id必须是整数; pay_type: 支付类型错误)",
            RetryClass::Not,
        ),
        (
            r#"{"code":404,"errors":{},"msg":"礼包不存在","result":{}}"#,
            "404",
            "礼包不存在",
            RetryClass::Not,
        ),
        (
            r#"{"code":0,"errors":{"coupon_id":"优惠券不满足使用条件"},"msg":"优惠券不满足使用条件"}"#,
            "0",
            "优惠券不满足使用条件 (coupon_id: 优惠券不满足使用条件)",
            RetryClass::Not,
        ),
        (
            r#"{"code":-1,"msg":"","errors":{"user_id":"用户不存在"}}"#,
            "-1",
            "user_id: 用户不存在",
            RetryClass::Not,
        ),
        (
            r#"{"code":"2","msg":"","errors":[]}"#,
            "2",
            "the partner refused with code 2",
            RetryClass::Not,
        ),
        (
            r#"{"code":429,"errors":{},"msg":"请求过于频繁","result":{}}"#,
            "429",
            "请求过于频繁",
            RetryClass::Safe,
        ),
    ];
    for (body, code, message, class) in table {
        let error = failed(Partner.parse_pay(&response(200, body)));
        assert_eq!(error, GatewayError::new(code, message, class), "{body}");
    }
}

#[test]
fn a_server_fault_code_is_unknown() {
    for code in [500, 503, 599] {
        let body = format!(r#"{{"code":{code},"errors":{{}},"msg":"系统繁忙","result":{{}}}}"#);
        match Partner.parse_pay(&response(200, &body)) {
            PayOutcome::Unknown(e) => {
                assert_eq!(e.code, code.to_string());
                assert_eq!(e.message, "系统繁忙");
                assert_eq!(e.retry, RetryClass::Unknown);
            }
            other => panic!("{code}: {other:?}"),
        }
    }
}

#[test]
fn http_status_only_confirms_a_refusal() {
    let body = r#"{"code":401,"errors":{},"msg":"签名错误","result":{}}"#;
    assert_eq!(failed(Partner.parse_pay(&response(401, body))).code, "401");
    // A 5xx or a redirect with an envelope: the request may have been processed.
    for status in [500, 502, 302] {
        match Partner.parse_pay(&response(status, body)) {
            PayOutcome::Unknown(e) => {
                assert_eq!(e.code, "401");
                assert!(e.message.contains("签名错误"), "{}", e.message);
            }
            other => panic!("{status}: {other:?}"),
        }
    }
    // A success code with an error status settles nothing.
    assert!(matches!(
        Partner.parse_pay(&response(400, SEED_ANSWER)),
        PayOutcome::Unknown(_)
    ));
}

#[test]
fn an_unreadable_answer_is_unknown_never_failed() {
    for (status, body) in [
        (200, "not json"),
        (200, ""),
        (200, "{}"),
        (200, "[]"),
        (200, r#"{"code":null,"msg":"x"}"#),
        (200, r#"{"code":"one","msg":"x"}"#),
        (200, r#"{"code":1.5,"msg":"x"}"#),
        (404, "<html>Not Found</html>"),
        (500, ""),
        (502, "<html>bad gateway</html>"),
    ] {
        assert!(
            matches!(
                Partner.parse_pay(&response(status, body)),
                PayOutcome::Unknown(_)
            ),
            "{status} {body}"
        );
    }
}
