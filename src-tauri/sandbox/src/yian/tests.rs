use crate::ledger::SandboxOrder;
use axum::http::HeaderMap;
use serde_json::json;

use super::charge::*;
use super::wire::*;
use super::*;
use crate::{start, SandboxConfig};

const KEY: &str = "5a4dbe3f9c1e4b7d8a2f6c0e1b3d5f7a9c2e4b6d";

fn headers(authorization: Option<&[u8]>) -> HeaderMap {
    let mut map = HeaderMap::new();
    if let Some(value) = authorization {
        map.insert(
            header::AUTHORIZATION,
            header::HeaderValue::from_bytes(value).unwrap(),
        );
    }
    map
}

#[test]
fn authenticates_like_drf_token_authentication() {
    let ok = format!("Token {KEY}");
    assert_eq!(authenticate(&headers(Some(ok.as_bytes())), KEY), Ok(()));
    let lower = format!("token \t {KEY} ");
    assert_eq!(authenticate(&headers(Some(lower.as_bytes())), KEY), Ok(()));
    let bad: [(Option<&[u8]>, &str); 8] = [
        (None, NOT_PROVIDED),
        (Some(b""), NOT_PROVIDED),
        (
            Some(b"Bearer 5a4dbe3f9c1e4b7d8a2f6c0e1b3d5f7a9c2e4b6d"),
            NOT_PROVIDED,
        ),
        (
            Some(b"Tokens 5a4dbe3f9c1e4b7d8a2f6c0e1b3d5f7a9c2e4b6d"),
            NOT_PROVIDED,
        ),
        (Some(b"Token"), HEADER_NO_CREDENTIALS),
        (Some(b"Token 5a4dbe3f 9c1e4b7d"), HEADER_SPACES),
        (Some(b"Token \xff\xfe"), HEADER_BAD_CHARS),
        (
            Some(b"Token 5a4dbe3f9c1e4b7d8a2f6c0e1b3d5f7a9c2e4b6e"),
            INVALID_TOKEN,
        ),
    ];
    for (header, text) in bad {
        assert_eq!(authenticate(&headers(header), KEY), Err(text), "{header:?}");
    }
    // No configured key matches nothing, not even an empty one.
    assert_eq!(
        authenticate(&headers(Some(b"Token x")), ""),
        Err(INVALID_TOKEN)
    );
    let refusal = unauthorized(INVALID_TOKEN);
    assert_eq!(refusal.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refusal.headers()[header::WWW_AUTHENTICATE], "Token");
}

#[test]
fn reads_form_fields_like_django_but_refuses_one_given_twice() {
    let data = parse_form(b"order_no=A%26B+C&channel=alipay&flag&=v").unwrap();
    assert_eq!(data["order_no"], "A&B C");
    assert_eq!(data["channel"], "alipay");
    assert_eq!(data["flag"], "");
    assert_eq!(
        parse_form("order_no=%E5%8D%95".as_bytes()).unwrap()["order_no"],
        "单"
    );
    assert_eq!(
        parse_form(b"order_no=1&channel=wx&channel=alipay"),
        Err("channel".to_string())
    );
}

#[test]
fn formats_alipay_fields_exactly() {
    assert_eq!(yuan(9900), "99.00");
    assert_eq!(yuan(5), "0.05");
    assert_eq!(yuan(123456), "1234.56");
    // The seed's time_expire and it_b_pay.
    assert_eq!(
        gmt8::at_seconds(1466236251)
            .format(gmt8::DATE_TIME)
            .to_string(),
        "2016-06-18 15:50:51"
    );
    let order = SandboxOrder::new("12134676899915430002", 9900, "CNY", "a\"b&c%");
    let info = order_info(
        &order,
        "ch_x",
        "a\"b&c%",
        "12134676899915430002",
        1466236251,
    );
    assert!(info.starts_with(
        "service=\"mobile.securitypay.pay\"&_input_charset=\"utf-8\"&notify_url=\"https%3A%2F%2Fapi%2Epingxx%2Ecom%2Fnotify%2Fcharges%2Fch%5Fx\"&partner="
    ));
    assert!(info.contains(
        "&out_trade_no=\"12134676899915430002\"&subject=\"a%22b%26c%25\"&body=\"12134676899915430002\"&total_fee=\"99.00\"&payment_type=\"1\""
    ));
    assert!(info.contains("&it_b_pay=\"2016-06-18 15:50:51\"&sign=\""));
    let (unsigned, signed) = info.split_once("&sign=\"").unwrap();
    let sign = signed.strip_suffix("\"&sign_type=\"HMAC-SHA256\"").unwrap();
    assert_eq!(
        sign,
        paydesk_crypto::hmac_sha256_hex(ORDER_INFO_KEY, unsigned.as_bytes())
    );
}

#[test]
fn wechat_sign_matches_the_public_vector_and_its_rules() {
    let fields = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ];
    assert_eq!(
        wechat_sign(&fields, "192006250b4c09247ec02edce69f6a2d"),
        "9A0A8659F005D6984697E2CA0A9CF3B7"
    );
    // Empty values are dropped.
    let mut with_empty = fields.to_vec();
    with_empty.push(("attach", ""));
    assert_eq!(
        wechat_sign(&with_empty, "192006250b4c09247ec02edce69f6a2d"),
        "9A0A8659F005D6984697E2CA0A9CF3B7"
    );
    // Byte order: uppercase sorts before lowercase; non-ASCII is hashed as UTF-8.
    let expected = paydesk_crypto::md5_hex("B=2&a=单&key=k".as_bytes()).to_ascii_uppercase();
    assert_eq!(wechat_sign(&[("a", "单"), ("B", "2")], "k"), expected);
}

#[test]
fn a_wx_credential_is_signed_over_its_own_fields() {
    let cred = wx_credential(1466149851);
    let field = |k: &str| match &cred[k] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    assert_eq!(field("timeStamp"), "1466149851");
    assert!(cred["timeStamp"].is_i64(), "Ping++ writes a number");
    assert!(field("prepayId").starts_with("wx20160617155051"));
    let expected = wechat_sign(
        &[
            ("appid", &field("appId")),
            ("noncestr", &field("nonceStr")),
            ("package", &field("packageValue")),
            ("partnerid", &field("partnerId")),
            ("prepayid", &field("prepayId")),
            ("timestamp", &field("timeStamp")),
        ],
        WX_API_KEY,
    );
    assert_eq!(field("sign"), expected);
}

async fn sandbox() -> (crate::RunningSandbox, reqwest::Client, String) {
    let sandbox = start("127.0.0.1:0", SandboxConfig::default())
        .await
        .unwrap();
    let base = sandbox.base_url(GATEWAY);
    (sandbox, reqwest::Client::new(), base)
}

#[tokio::test]
async fn answers_drf_auth_errors_before_anything_else() {
    let (_sandbox, client, base) = sandbox().await;
    let url = format!("{base}/pay/pay_for_order/");
    let cases: [(Option<&str>, &str); 5] = [
        (None, NOT_PROVIDED),
        (Some("Bearer abc"), NOT_PROVIDED),
        (Some("Token"), HEADER_NO_CREDENTIALS),
        (Some("Token a b"), HEADER_SPACES),
        (
            Some("Token 0000000000000000000000000000000000000000"),
            INVALID_TOKEN,
        ),
    ];
    for (authorization, text) in cases {
        // GET: authentication runs before the method check.
        let mut request = client.get(&url);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{authorization:?}");
        assert_eq!(response.headers()["www-authenticate"], "Token");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({ "detail": text }));
    }
    let response = client
        .get(&url)
        .header("authorization", format!("Token {KEY}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"detail": "Method \"GET\" not allowed."}));
}

#[tokio::test]
async fn takes_json_with_a_bare_integer_order_number_and_refuses_other_media() {
    let (sandbox, client, base) = sandbox().await;
    sandbox.ledger.register(
        GATEWAY,
        SandboxOrder::new("12134676899915430002", 9900, "CNY", "course"),
    );
    let url = format!("{base}/pay/pay_for_order/");
    let response = client
        .put(&url)
        .header("authorization", format!("Token {KEY}"))
        .header("content-type", "application/json")
        .body(r#"{"order_no":12134676899915430002,"channel":"alipay"}"#)
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 0);
    assert_eq!(body["ch"]["order_no"], "12134676899915430002");
    assert_eq!(body["ch"]["amount"], 9900);
    let response = client
        .put(&url)
        .header("authorization", format!("Token {KEY}"))
        .header("content-type", "text/plain")
        .body("order_no=1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"detail": "Unsupported media type \"text/plain\" in request."})
    );
    let response = client
        .put(&url)
        .header("authorization", format!("Token {KEY}"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // No body at all: no channel.
    let response = client
        .put(&url)
        .header("authorization", format!("Token {KEY}"))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"status": -4, "message": INVALID_CHANNEL}));
    let response = client
        .put(&url)
        .header("authorization", format!("Token {KEY}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("channel=wx")
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"status": -4, "message": NO_ORDER_NO}));
    assert_eq!(sandbox.ledger.charges().len(), 1);
}

#[tokio::test]
async fn the_cashier_page_shows_the_charge_and_unknown_ids_are_not_found() {
    let (sandbox, client, base) = sandbox().await;
    sandbox
        .ledger
        .register(GATEWAY, SandboxOrder::new("o<1>", 1990, "CNY", "<b>x</b>"));
    let response = client
        .put(format!("{base}/pay/pay_for_order/"))
        .header("authorization", format!("Token {KEY}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("order_no=o%3C1%3E&channel=alipay")
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    let url = body["ch"]["credential"]["alipay_qr"].as_str().unwrap();
    let id = body["ch"]["id"].as_str().unwrap();
    assert_eq!(url, format!("{base}/pay/cashier/{id}/"));
    let page = client.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains(id));
    assert!(page.contains("¥19.90"));
    assert!(page.contains("&lt;b&gt;x&lt;/b&gt;") && !page.contains("<b>x"));
    let missing = client
        .get(format!("{base}/pay/cashier/ch_nothing/"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}
