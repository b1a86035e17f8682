use std::sync::Arc;

use super::*;
use crate::{Ledger, SandboxConfig, SandboxOrder};

const NOW_MS: i64 = 1_763_700_000_000; // 2025-11-21 12:40:00 GMT+8
const BASE: &str = "http://sandbox/top";

fn state() -> AppState {
    AppState {
        config: Arc::new(SandboxConfig::default()),
        ledger: Ledger::default(),
        faults: crate::faults::Faults::new(0),
    }
}

fn param(order: &str, code: &str, balance: i64, credit: Option<i64>) -> Value {
    let mut p = json!({
        "charge_item_code": "1", "order_id": order, "category_code": "1",
        "user_country": "CHINA", "balance_pay_amount": balance, "tenant_id": 1,
        "commodity_code": "1", "pay_start_time": NOW_MS, "currency": "CNY",
        "pay_idempotent_code": code, "pay_serial_id": code,
    });
    if let Some(c) = credit {
        p["credit_pay_amount"] = c.into();
    }
    p
}

/// A correctly signed call (md5 unless `sign_method` says otherwise).
fn call(
    param: &Value,
    edit: impl FnOnce(&mut BTreeMap<String, String>),
) -> BTreeMap<String, String> {
    let mut p: BTreeMap<String, String> = [
        ("method", METHOD),
        ("app_key", "12345678"),
        ("timestamp", "2025-11-21 12:40:00"),
        ("v", "2.0"),
        ("sign_method", "md5"),
        ("format", "json"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    p.insert("request_param".into(), param.to_string());
    edit(&mut p);
    if !p.contains_key("sign") {
        let method = p.get("sign_method").cloned().unwrap_or("md5".into());
        let s = expected_sign(&p, "sandbox-top-app-secret", &method).unwrap();
        p.insert("sign".into(), s);
    }
    p
}

fn code_of(body: &Value) -> (i64, Option<String>) {
    let e = &body["error_response"];
    (
        e["code"].as_i64().unwrap_or(-1),
        e["sub_code"].as_str().map(String::from),
    )
}

fn with_order(amount: i64) -> AppState {
    let s = state();
    s.ledger
        .register(GATEWAY, SandboxOrder::new("o1", amount, "CNY", "demo"));
    s
}

#[test]
fn signs_like_the_published_vector() {
    let p: BTreeMap<String, String> = [
        ("app_key", "test"),
        ("fields", "nick"),
        ("format", "xml"),
        ("method", "taobao.user.seller.get"),
        ("session", "test"),
        ("sign_method", "md5"),
        ("timestamp", "2013-05-06 13:52:03"),
        ("v", "2.0"),
        ("sign", "ignored"),
        ("empty", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(
        expected_sign(&p, "test", "md5").unwrap(),
        "72CB4D809B375A54502C09360D879C64"
    );
    assert_eq!(expected_sign(&p, "test", "sha1"), None);
    // Byte order: uppercase before lowercase, `_` before letters; UTF-8 values hashed as bytes.
    let q: BTreeMap<String, String> = [
        ("b", "2"),
        ("B", "1"),
        ("a_b", "x"),
        ("ab", "y"),
        ("zh", "中文 值"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(
        expected_sign(&q, "密钥", "md5").unwrap(),
        "390F7820627A0DC9D580D95A443CA6A9"
    );
}

#[test]
fn reads_both_timestamp_forms() {
    assert_eq!(timestamp_ms("2025-11-21 12:40:00"), Some(NOW_MS));
    assert_eq!(timestamp_ms("1763700000000"), Some(NOW_MS));
    assert_eq!(timestamp_ms("2025-11-21T12:40:00"), None);
    assert_eq!(timestamp_ms("2025-13-01 00:00:00"), None);
    assert_eq!(timestamp_ms("yesterday"), None);
}

#[test]
fn the_door_refuses_in_the_documented_codes() {
    let s = with_order(1234);
    let p = param("o1", "k", 1234, None);
    let cases: Vec<(BTreeMap<String, String>, i64)> = vec![
        (
            call(&p, |m| {
                m.remove("method");
            }),
            21,
        ),
        (
            call(&p, |m| {
                m.insert("method".into(), "taobao.user.get".into());
            }),
            22,
        ),
        (
            call(&p, |m| {
                m.remove("app_key");
            }),
            28,
        ),
        (
            call(&p, |m| {
                m.insert("app_key".into(), "999".into());
            }),
            29,
        ),
        (
            call(&p, |m| {
                m.remove("timestamp");
            }),
            30,
        ),
        (
            call(&p, |m| {
                m.insert("timestamp".into(), "2025-11-21 12:50:01".into());
            }),
            31,
        ),
        (
            call(&p, |m| {
                m.insert("timestamp".into(), (NOW_MS - WINDOW_MS - 1).to_string());
            }),
            31,
        ),
        (
            call(&p, |m| {
                m.insert("timestamp".into(), "soon".into());
            }),
            31,
        ),
        (
            call(&p, |m| {
                m.insert("sign".into(), String::new());
            }),
            24,
        ),
        (
            call(&p, |m| {
                m.insert("sign".into(), "00".into());
            }),
            25,
        ),
        (
            call(&p, |m| {
                m.insert("sign_method".into(), "sha1".into());
                m.insert("sign".into(), "x".into());
            }),
            41,
        ),
        (
            call(&p, |m| {
                m.insert("v".into(), "1.0".into());
            }),
            41,
        ),
        (
            call(&p, |m| {
                m.remove("v");
            }),
            40,
        ),
        (
            call(&p, |m| {
                m.insert("format".into(), "xml".into());
            }),
            41,
        ),
        (
            call(&p, |m| {
                m.remove("request_param");
            }),
            40,
        ),
        (
            call(&p, |m| {
                m.insert("request_param".into(), "[1]".into());
            }),
            41,
        ),
    ];
    for (params, code) in cases {
        let body = handle(&s, &params, BASE, NOW_MS);
        assert_eq!(code_of(&body).0, code, "{params:?} → {body}");
        assert!(body["error_response"]["request_id"].is_string());
    }
    // A signature over different parameters is wrong even when everything else is right.
    let mut tampered = call(&p, |_| {});
    tampered.insert(
        "request_param".into(),
        param("o1", "k", 1, None).to_string(),
    );
    assert_eq!(code_of(&handle(&s, &tampered, BASE, NOW_MS)).0, 25);
    assert!(s.ledger.charges().is_empty());
}

#[test]
fn every_sign_method_and_both_timestamps_pass() {
    for (i, (method, ts)) in [
        ("md5", "2025-11-21 12:49:59"),
        ("hmac", "1763700000000"),
        ("hmac-sha256", "2025-11-21 12:30:01"),
    ]
    .into_iter()
    .enumerate()
    {
        let s = with_order(1234);
        let params = call(&param("o1", &format!("k{i}"), 1234, None), |m| {
            m.insert("sign_method".into(), method.into());
            m.insert("timestamp".into(), ts.into());
        });
        let body = handle(&s, &params, BASE, NOW_MS);
        assert_eq!(
            body[RESPONSE_KEY]["value"]["pay_status"], "PAY_SUCCESS",
            "{method}: {body}"
        );
    }
}

#[test]
fn business_fields_are_checked_for_presence_type_and_tenant() {
    let s = with_order(1234);
    type Edit = fn(&mut Value);
    let edits: Vec<(Edit, i64)> = vec![
        (
            |p| {
                p.as_object_mut().unwrap().remove("order_id");
            },
            40,
        ),
        (|p| p["pay_serial_id"] = "".into(), 40),
        (
            |p| {
                p.as_object_mut().unwrap().remove("balance_pay_amount");
            },
            40,
        ),
        (
            |p| {
                p.as_object_mut().unwrap().remove("pay_start_time");
            },
            40,
        ),
        (|p| p["order_id"] = 1.into(), 41),
        (|p| p["balance_pay_amount"] = json!(12.34), 41),
        (|p| p["balance_pay_amount"] = "1234".into(), 41),
        (|p| p["balance_pay_amount"] = (-1).into(), 41),
        (|p| p["tenant_id"] = 2.into(), 41),
        (|p| p["commodity_code"] = "other".into(), 41),
        (|p| p["currency"] = "USD".into(), 41),
    ];
    for (edit, code) in edits {
        let mut p = param("o1", "k", 1234, None);
        edit(&mut p);
        let body = handle(&s, &call(&p, |_| {}), BASE, NOW_MS);
        let (got, sub) = code_of(&body);
        assert_eq!(got, code, "{p} → {body}");
        assert!(sub.unwrap().starts_with("isv."));
    }
    assert!(s.ledger.charges().is_empty());
}

#[test]
fn business_refusals_use_code_50_isv_sub_codes() {
    let s = with_order(1234);
    let cases: Vec<(Value, &str)> = vec![
        (param("nope", "a", 1234, None), "isv.order-not-exist"),
        (param("o1", "b", 1000, None), "isv.pay-amount-not-match"),
        (
            param("o1", "c", 1000, Some(200)),
            "isv.pay-amount-not-match",
        ),
        (
            {
                let mut p = param("o1", "d", 1234, None);
                p["huijin_account_id"] = 5.into();
                p
            },
            "isv.pay-channel-not-supported",
        ),
    ];
    for (p, sub) in cases {
        let body = handle(&s, &call(&p, |_| {}), BASE, NOW_MS);
        assert_eq!(code_of(&body), (50, Some(sub.to_string())), "{body}");
    }
    assert!(s.ledger.charges().is_empty());
    let ok = handle(
        &s,
        &call(&param("o1", "e", 1234, None), |_| {}),
        BASE,
        NOW_MS,
    );
    assert_eq!(ok[RESPONSE_KEY]["result_success"], true);
    let again = handle(
        &s,
        &call(&param("o1", "f", 1234, None), |_| {}),
        BASE,
        NOW_MS,
    );
    assert_eq!(code_of(&again), (50, Some("isv.order-already-paid".into())));
    assert_eq!(s.ledger.charges_for(GATEWAY, "o1"), 1);
}

#[test]
fn a_repeat_answers_the_first_result_and_a_changed_body_conflicts() {
    let s = with_order(1234);
    let first = handle(
        &s,
        &call(&param("o1", "k", 1000, Some(234)), |_| {}),
        BASE,
        NOW_MS,
    );
    let mut later = param("o1", "k", 1000, Some(234));
    later["pay_start_time"] = (NOW_MS + 60_000).into();
    let again = handle(
        &s,
        &call(&later, |m| {
            m.insert("timestamp".into(), (NOW_MS + 60_000).to_string());
        }),
        BASE,
        NOW_MS,
    );
    let strip = |v: &Value| {
        let mut v = v.clone();
        v[RESPONSE_KEY]
            .as_object_mut()
            .unwrap()
            .remove("request_id");
        v
    };
    assert_eq!(strip(&first), strip(&again));
    assert_eq!(first[RESPONSE_KEY]["value"]["pay_status"], "PAY_SUCCESS");
    let conflict = handle(
        &s,
        &call(&param("o1", "k", 1234, None), |_| {}),
        BASE,
        NOW_MS,
    );
    assert_eq!(
        code_of(&conflict),
        (50, Some("isv.pay-idempotent-code-conflict".into()))
    );
    let charges = s.ledger.charges();
    assert_eq!(charges.len(), 1);
    assert_eq!(
        (charges[0].amount_minor, charges[0].channel.as_str()),
        (1234, "balance+credit")
    );
}

#[test]
fn a_large_balance_part_waits_for_the_payer_and_then_reads_paid() {
    let s = with_order(CONFIRM_FROM_MINOR);
    let p = param("o1", "big/1", CONFIRM_FROM_MINOR, None);
    let first = handle(&s, &call(&p, |_| {}), BASE, NOW_MS);
    assert_eq!(first[RESPONSE_KEY]["value"]["pay_status"], "WAIT_PAY");
    assert_eq!(
        first[RESPONSE_KEY]["value"]["pay_url"],
        "http://sandbox/top/cashier/big%2F1"
    );
    assert_eq!(s.ledger.charges_for(GATEWAY, "o1"), 1, "booked at pay time");
    let later = handle(&s, &call(&p, |_| {}), BASE, NOW_MS);
    assert_eq!(later[RESPONSE_KEY]["value"]["pay_status"], "PAY_SUCCESS");
    assert_eq!(
        later[RESPONSE_KEY]["value"]["pay_url"],
        first[RESPONSE_KEY]["value"]["pay_url"]
    );
    assert_eq!(s.ledger.charges_for(GATEWAY, "o1"), 1);
}

#[test]
fn credit_over_the_line_is_a_common_error_and_charges_nothing() {
    let s = with_order(CREDIT_LIMIT_MINOR + 1);
    let body = handle(
        &s,
        &call(&param("o1", "k", 0, Some(CREDIT_LIMIT_MINOR + 1)), |_| {}),
        BASE,
        NOW_MS,
    );
    let r = &body[RESPONSE_KEY];
    assert_eq!(r["result_success"], false);
    assert_eq!(
        r["error"]["error_code"],
        json!({"code": "CREDIT_LIMIT_EXCEEDED", "prefix": "HP"})
    );
    assert!(s.ledger.charges().is_empty());
    let ok = handle(
        &s,
        &call(&param("o1", "k2", 1, Some(CREDIT_LIMIT_MINOR)), |_| {}),
        BASE,
        NOW_MS,
    );
    assert_eq!(ok[RESPONSE_KEY]["value"]["pay_status"], "PAY_SUCCESS");
    assert_eq!(s.ledger.charges()[0].channel, "balance+credit");
}

#[test]
fn reads_form_encoding() {
    assert_eq!(
        parse_form("a=1+2&b=%E4%B8%AD&c&=x").unwrap(),
        vec![
            ("a".into(), "1 2".into()),
            ("b".into(), "中".into()),
            ("c".into(), "".into()),
            ("".into(), "x".into())
        ]
    );
    assert!(parse_form("a=%FF").is_err());
}
