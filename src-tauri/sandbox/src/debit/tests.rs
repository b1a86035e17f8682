use crate::ledger::SandboxOrder;
use paydesk_crypto::aes256_ecb_decrypt_b64;

use super::wire::*;
use super::*;

fn state() -> Ctx {
    Ctx {
        config: Arc::new(SandboxConfig::default()),
        ledger: Ledger::default(),
    }
}

fn key(state: &Ctx) -> String {
    state.config.secret(GATEWAY, "access_key").to_string()
}

fn headers(authorization: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::AUTHORIZATION, authorization.parse().unwrap());
    headers
}

async fn body_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

/// Calls V1 Set/Get with the right access key.
async fn v1(state: &Ctx, call: &str, body: &str) -> (StatusCode, Value) {
    let auth = headers(&key(state));
    let response = match call {
        "set" => set(state, Version::V1, &auth, body.as_bytes()),
        _ => get(state, Version::V1, &auth, body.as_bytes()),
    }
    .unwrap_or_else(IntoResponse::into_response);
    body_of(response).await
}

fn info(answer: &Value) -> &Value {
    &answer["data"]["channelDebitOrderSimpleInfo"]
}

#[test]
fn reads_amounts_from_number_text_exactly() {
    let number = |text: &str| match serde_json::from_str::<Value>(text).unwrap() {
        Value::Number(n) => n,
        other => panic!("{other}"),
    };
    for (text, minor) in [
        ("0.1", Some(10)),
        ("0.10", Some(10)),
        ("1000.5", Some(100050)),
        ("12345678.99", Some(1234567899)),
        ("250", Some(25000)),
        ("250.0", Some(25000)),
        ("0.01", Some(1)),
        ("9999999999999.99", Some(MAX_AMOUNT_MINOR)),
        ("0", None),
        ("0.00", None),
        ("-1", None),
        ("-0.5", None),
        ("0.001", None),
        ("0.30000000000000004", None),
        ("10000000000000", None),
        ("1e300", None),
    ] {
        assert_eq!(amount_minor(&number(text)), minor, "{text}");
    }
    for (minor, text) in [
        (10, "0.1"),
        (1, "0.01"),
        (100050, "1000.5"),
        (25000, "250"),
        (1234567899, "12345678.99"),
        (40, "0.4"),
    ] {
        assert_eq!(amount_text(minor), text);
    }
}

#[test]
fn calls_back_only_to_loopback_http() {
    for url in [
        "http://127.0.0.1:8080/cb",
        "https://localhost/cb",
        "http://[::1]:9/x",
        "http://127.8.0.1/",
    ] {
        assert!(loopback_http_url(url), "{url}");
    }
    for url in [
        "http://10.0.0.1/cb",
        "http://example.com/",
        "ftp://127.0.0.1/",
        "not a url",
        "http://127.0.0.1.example.com/",
    ] {
        assert!(!loopback_http_url(url), "{url}");
    }
}

#[tokio::test]
async fn verifies_authorization_exactly() {
    let state = state();
    let set_body = r#"{"amount":1,"sourceNo":"a"}"#;
    for auth in [
        "",
        "wrong",
        "Bearer sandboxdebitaccesskey0123456789a",
        "10001",
    ] {
        let response = set(&state, Version::V1, &headers(auth), set_body.as_bytes()).unwrap_err();
        assert_eq!(
            (response.status, response.code),
            (StatusCode::UNAUTHORIZED, 1001),
            "{auth:?}"
        );
    }
    let missing = set(&state, Version::V1, &HeaderMap::new(), set_body.as_bytes()).unwrap_err();
    assert_eq!(missing.code, 1001);
    let sealed = aes256_ecb_encrypt_b64(key(&state).as_bytes(), set_body.as_bytes()).unwrap();
    let v2_body = json!({"data": sealed}).to_string();
    // V2 names the merchant; the access key itself is not a merchant id.
    let wrong = set(
        &state,
        Version::V2,
        &headers(&key(&state)),
        v2_body.as_bytes(),
    )
    .unwrap_err();
    assert_eq!(wrong.code, 1001);
    assert!(set(&state, Version::V2, &headers("10001"), v2_body.as_bytes()).is_ok());
    let other_key =
        aes256_ecb_encrypt_b64(b"00000000000000000000000000000000", set_body.as_bytes()).unwrap();
    for data in [other_key.as_str(), "!!!", "AAAA"] {
        let body = json!({"data": data}).to_string();
        let refused = set(&state, Version::V2, &headers("10001"), body.as_bytes()).unwrap_err();
        assert_eq!(
            (refused.status, refused.code),
            (StatusCode::BAD_REQUEST, 1002),
            "{data}"
        );
    }
    for body in ["", "{}", r#"{"data":""}"#, r#"{"data":5}"#] {
        let refused = set(&state, Version::V2, &headers("10001"), body.as_bytes()).unwrap_err();
        assert_eq!(refused.code, 1003, "{body}");
    }
    let not_json = aes256_ecb_encrypt_b64(key(&state).as_bytes(), b"amount=1").unwrap();
    let body = json!({"data": not_json}).to_string();
    assert_eq!(
        set(&state, Version::V2, &headers("10001"), body.as_bytes())
            .unwrap_err()
            .code,
        1002
    );
    assert!(state.ledger.charges().len() == 1);
}

#[tokio::test]
async fn refuses_malformed_payouts_with_documented_codes() {
    let state = state();
    for (body, code) in [
        ("not json", 1003),
        ("[]", 1003),
        (r#"{"sourceNo":"a"}"#, 1003),
        (r#"{"amount":"1.00","sourceNo":"a"}"#, 1003),
        (r#"{"amount":1,"sourceNo":5}"#, 1003),
        (r#"{"amount":1,"sourceNo":"a","callbackUrl":5}"#, 1003),
        (r#"{"amount":0,"sourceNo":"a"}"#, 1004),
        (r#"{"amount":-5,"sourceNo":"a"}"#, 1004),
        (r#"{"amount":0.001,"sourceNo":"a"}"#, 1004),
        (r#"{"amount":99999999999999.99,"sourceNo":"a"}"#, 1004),
        (r#"{"amount":1}"#, 1005),
        (r#"{"amount":1,"sourceNo":""}"#, 1005),
        (r#"{"amount":1,"sourceNo":null}"#, 1005),
        (
            r#"{"amount":1,"sourceNo":"a","callbackUrl":"http://192.168.1.1/cb"}"#,
            1006,
        ),
        (
            r#"{"amount":1,"sourceNo":"a","callbackUrl":"mailto:x@y"}"#,
            1006,
        ),
    ] {
        let (status, answer) = v1(&state, "set", body).await;
        assert_eq!(answer["code"], code, "{body}");
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["data"], Value::Null);
        assert!(!answer["message"].as_str().unwrap().is_empty());
    }
    let long = json!({"amount": 1, "sourceNo": "k".repeat(65)}).to_string();
    assert_eq!(v1(&state, "set", &long).await.1["code"], 1005);
    assert!(state.ledger.charges().is_empty());
    for body in [
        "{}",
        r#"{"channelDebitOrderId":null,"sourceNo":null}"#,
        r#"{"channelDebitOrderId":"7"}"#,
        r#"{"channelDebitOrderId":-1}"#,
    ] {
        assert_eq!(v1(&state, "get", body).await.1["code"], 1003, "{body}");
    }
}

#[tokio::test]
async fn a_payout_whose_paise_are_55_settles_on_its_own_with_nobody_asking() {
    let state = state();
    let (_, placed) = v1(&state, "set", r#"{"amount":1000.55,"sourceNo":"s55"}"#).await;
    assert_eq!(info(&placed)["processCode"], PROCESSING);
    let (_, other) = v1(&state, "set", r#"{"amount":1000.56,"sourceNo":"s56"}"#).await;
    assert_eq!(info(&other)["processCode"], PROCESSING);
    // No Get is sent: only the sandbox's own timer can charge it.
    let mut waited = Duration::ZERO;
    while state.ledger.charges_for(GATEWAY, "s55") == 0 {
        assert!(waited < Duration::from_secs(10), "never settled on its own");
        tokio::time::sleep(Duration::from_millis(20)).await;
        waited += Duration::from_millis(20);
    }
    assert_eq!(state.ledger.charges_for(GATEWAY, "s55"), 1);
    assert_eq!(
        state.ledger.charges_for(GATEWAY, "s56"),
        0,
        "others wait for a Get"
    );
    let (_, got) = v1(&state, "get", r#"{"sourceNo":"s55"}"#).await;
    assert_eq!(info(&got)["processCode"], SUCCEEDED);
    assert_eq!(state.ledger.charges_for(GATEWAY, "s55"), 1);
}

#[tokio::test]
async fn small_payouts_settle_at_once_and_charge_once() {
    let state = state();
    let (status, first) = v1(
        &state,
        "set",
        r#"{"amount":0.10,"sourceNo":"k1","callbackUrl":null}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (first["code"].clone(), first["message"].clone()),
        (json!(0), json!(""))
    );
    let info1 = info(&first);
    assert_eq!(info1["processCode"], 30);
    assert_eq!(info1["paid"], true);
    assert_eq!(info1["merchantSourceNo"], "k1");
    assert_eq!(info1["merchantId"], "10001");
    assert!(info1["closedTime"].is_string());
    assert_eq!(info1["callbackCode"], Value::Null);
    assert_eq!(state.ledger.charges_for(GATEWAY, "k1"), 1);
    assert_eq!(state.ledger.charges()[0].amount_minor, 10);
    assert_eq!(state.ledger.charges()[0].channel, "bank");
    // A repeat (even with another amount) answers the same order and charges nothing.
    let (_, again) = v1(&state, "set", r#"{"amount":5,"sourceNo":"k1"}"#).await;
    assert_eq!(info(&again), info1);
    assert_eq!(state.ledger.charges().len(), 1);
    let (_, by_id) = v1(
        &state,
        "get",
        &format!(r#"{{"channelDebitOrderId":{}}}"#, info1["id"]),
    )
    .await;
    assert_eq!(info(&by_id), info1);
    let (_, by_both) = v1(
        &state,
        "get",
        &format!(
            r#"{{"channelDebitOrderId":{},"sourceNo":"k1"}}"#,
            info1["id"]
        ),
    )
    .await;
    assert_eq!(info(&by_both), info1);
    // A failing amount is final at once and never charged.
    let (_, failed) = v1(&state, "set", r#"{"amount":0.40,"sourceNo":"k2"}"#).await;
    assert_eq!(info(&failed)["processCode"], 40);
    assert_eq!(info(&failed)["paid"], false);
    assert_eq!(state.ledger.charges_for(GATEWAY, "k2"), 0);
    assert_ne!(info(&failed)["id"], info1["id"]);
}

#[tokio::test]
async fn large_payouts_process_until_the_next_get() {
    let state = state();
    let (_, placed) = v1(&state, "set", r#"{"amount":1000.50,"sourceNo":"big"}"#).await;
    assert_eq!(info(&placed)["processCode"], PROCESSING);
    assert_eq!(info(&placed)["paid"], false);
    assert_eq!(info(&placed)["closedTime"], Value::Null);
    assert_eq!(info(&placed)["fiatAmount"].to_string(), "1000.5");
    assert!(state.ledger.charges().is_empty());
    // A repeat does not advance it.
    let (_, again) = v1(&state, "set", r#"{"amount":1000.50,"sourceNo":"big"}"#).await;
    assert_eq!(info(&again)["processCode"], PROCESSING);
    assert!(state.ledger.charges().is_empty());
    let (_, got) = v1(
        &state,
        "get",
        r#"{"channelDebitOrderId":null,"sourceNo":"big"}"#,
    )
    .await;
    assert_eq!(info(&got)["processCode"], 30);
    assert_eq!(state.ledger.charges_for(GATEWAY, "big"), 1);
    assert_eq!(state.ledger.charges()[0].amount_minor, 100050);
    let (_, got) = v1(&state, "get", r#"{"sourceNo":"big"}"#).await;
    assert_eq!(info(&got)["processCode"], 30);
    assert_eq!(state.ledger.charges().len(), 1);
    let (_, declined) = v1(&state, "set", r#"{"amount":1000.40,"sourceNo":"big-fail"}"#).await;
    assert_eq!(info(&declined)["processCode"], PROCESSING);
    let (_, got) = v1(&state, "get", r#"{"sourceNo":"big-fail"}"#).await;
    assert_eq!(info(&got)["processCode"], 40);
    assert_eq!(state.ledger.charges().len(), 1);
}

#[tokio::test]
async fn unknown_orders_and_mismatched_lookups_are_not_found() {
    let state = state();
    v1(&state, "set", r#"{"amount":1,"sourceNo":"known"}"#).await;
    for body in [
        r#"{"sourceNo":"nobody"}"#,
        r#"{"channelDebitOrderId":999}"#,
        r#"{"channelDebitOrderId":1,"sourceNo":"nobody"}"#,
    ] {
        let (status, answer) = v1(&state, "get", body).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            answer,
            json!({"code": 1, "message": "order not found", "data": null}),
            "{body}"
        );
    }
}

#[tokio::test]
async fn refuses_a_source_no_the_book_holds_as_paid() {
    let state = state();
    let mut order = SandboxOrder::new("paid-key", 100, "INR", "x");
    order.paid = true;
    state.ledger.register(GATEWAY, order);
    let (status, answer) = v1(&state, "set", r#"{"amount":1,"sourceNo":"paid-key"}"#).await;
    assert_eq!(
        (status, answer["code"].clone()),
        (StatusCode::OK, json!(1007))
    );
    assert!(state.ledger.charges().is_empty());
    let (_, lookup) = v1(&state, "get", r#"{"sourceNo":"paid-key"}"#).await;
    assert_eq!(lookup["code"], 1);
}

#[tokio::test]
async fn v2_answers_are_sealed_with_the_merchant_key() {
    let state = state();
    let key = key(&state);
    let seal = |plain: &str| {
        json!({"data": aes256_ecb_encrypt_b64(key.as_bytes(), plain.as_bytes()).unwrap()})
            .to_string()
    };
    let auth = headers("10001");
    let response = set(
        &state,
        Version::V2,
        &auth,
        seal(r#"{"amount":12345678.99,"sourceNo":"v2"}"#).as_bytes(),
    )
    .unwrap();
    let (_, answer) = body_of(response).await;
    assert_eq!(answer["code"], 0);
    let plain = aes256_ecb_decrypt_b64(key.as_bytes(), answer["data"].as_str().unwrap()).unwrap();
    let opened: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(
        opened["channelDebitOrderSimpleInfo"]["processCode"],
        PROCESSING
    );
    assert!(std::str::from_utf8(&plain)
        .unwrap()
        .contains("\"fiatAmount\":12345678.99,"));
    let response = get(
        &state,
        Version::V2,
        &auth,
        seal(r#"{"sourceNo":"v2"}"#).as_bytes(),
    )
    .unwrap();
    let (_, answer) = body_of(response).await;
    let plain = aes256_ecb_decrypt_b64(key.as_bytes(), answer["data"].as_str().unwrap()).unwrap();
    let opened: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(opened["channelDebitOrderSimpleInfo"]["processCode"], 30);
    assert_eq!(state.ledger.charges()[0].amount_minor, 1234567899);
    // Not found stays plain.
    let missing = get(
        &state,
        Version::V2,
        &auth,
        seal(r#"{"sourceNo":"none"}"#).as_bytes(),
    )
    .unwrap_err();
    assert_eq!(missing, not_found());
}
