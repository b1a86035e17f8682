use std::collections::BTreeMap;

use super::wire::*;
use super::*;
use crate::{SandboxConfig, SandboxOrder};

const KEY: &str = "sandbox-partner-sign-key";
const USER: &str = "41840909af844632885424fbc20cae79";
const GIFT: &str = "55fca782f55f406d94e2cecb23d0140b";

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn signs_the_wechat_v2_vector() {
    let params = map(&[
        ("mch_id", "10000100"),
        ("appid", "wxd930ea5d5a258f4f"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ("device_info", "1000"),
        ("body", "test"),
        ("sign", "anything"),
        ("coupon_id", ""),
    ]);
    assert_eq!(
        expected_sign(&params, "192006250b4c09247ec02edce69f6a2d"),
        "9a0a8659f005d6984697e2ca0a9cf3b7"
    );
}

#[test]
fn signs_in_byte_order_over_utf8() {
    // printf '%s' 'Z=1&_=2&a=3&a_b=4&ab=5&key=k' | md5sum
    let params = map(&[
        ("ab", "5"),
        ("a", "3"),
        ("a_b", "4"),
        ("_", "2"),
        ("Z", "1"),
    ]);
    assert_eq!(
        expected_sign(&params, "k"),
        "e9bd5f13935b1ae74d36ecf84b5e397e"
    );
    // printf '%s' 'address_id=1&coupon_id=券A&gift_pos_id=礼包&pay_type=2&user_id=张学友&key=密钥' | md5sum
    let params = map(&[
        ("user_id", "张学友"),
        ("pay_type", "2"),
        ("gift_pos_id", "礼包"),
        ("coupon_id", "券A"),
        ("address_id", "1"),
    ]);
    assert_eq!(
        expected_sign(&params, "密钥"),
        "9e6104438ab4956973652d7c44ec12ef"
    );
}

#[test]
fn reads_form_bodies_and_refuses_a_name_given_twice() {
    let read = read_form("a=1&b=x+y%20z&c=%E5%88%B8&d&&e=".as_bytes()).unwrap();
    assert_eq!(
        read,
        map(&[
            ("a", "1"),
            ("b", "x y z"),
            ("c", "券"),
            ("d", ""),
            ("e", "")
        ])
    );
    assert!(read_form(b"a=1&a=2").is_err());
    assert!(read_form(b"a=%FF").is_err());
}

#[test]
fn reads_json_numbers_as_their_text() {
    let read = read_json(br#"{"pay_type":1,"address_id":"2","x":null,"y":1.0,"z":true}"#).unwrap();
    assert_eq!(
        read,
        map(&[
            ("pay_type", "1"),
            ("address_id", "2"),
            ("x", ""),
            ("y", "1.0"),
            ("z", "true")
        ])
    );
    assert!(read_json(b"[1]").is_err());
}

#[test]
fn order_numbers_follow_the_seed() {
    assert_eq!(
        gateway_order_no(1641549475668),
        "202201071757551641549475668"
    );
    assert_eq!(china_time(1641549475356), "2022-01-07 17:57:55");
}

#[test]
fn binds_one_unpaid_order_per_pair() {
    let ledger = Ledger::default();
    ledger.register(GATEWAY, SandboxOrder::new("A", 300, "CNY", "a"));
    ledger.register(GATEWAY, SandboxOrder::new("B", 5800, "CNY", "b"));
    ledger.register("sensecore", SandboxOrder::new("C", 1, "CNY", "c"));
    assert_eq!(
        bind_gift_order(&ledger, "C", USER, GIFT),
        Err(BindError::UnknownOrder("C".into()))
    );
    assert_eq!(
        bind_gift_order(&ledger, "A", "", GIFT),
        Err(BindError::Blank)
    );
    bind_gift_order(&ledger, "A", USER, GIFT).unwrap();
    bind_gift_order(&ledger, "A", USER, GIFT).unwrap();
    assert!(matches!(
        bind_gift_order(&ledger, "B", USER, GIFT),
        Err(BindError::Taken { bound, .. }) if bound == "A"
    ));
    bind_gift_order(&ledger, "B", USER, "another-gift").unwrap();
    ledger.transact(|book| book.charge(GATEWAY, "A", 300, "balance"));
    bind_gift_order(&ledger, "B", USER, GIFT).unwrap();
}

async fn started() -> crate::RunningSandbox {
    let sandbox = crate::start("127.0.0.1:0", SandboxConfig::default())
        .await
        .unwrap();
    sandbox.ledger.register(
        GATEWAY,
        SandboxOrder::new("P-1", 5800, "CNY", "POS gift pack"),
    );
    bind_gift_order(&sandbox.ledger, "P-1", USER, GIFT).unwrap();
    sandbox
}

fn signed(mut params: BTreeMap<String, String>) -> BTreeMap<String, String> {
    let sign = expected_sign(&params, KEY);
    params.insert("sign".into(), sign);
    params
}

fn base_params() -> BTreeMap<String, String> {
    map(&[
        ("user_id", USER),
        ("gift_pos_id", GIFT),
        ("pay_type", "1"),
        ("address_id", "1"),
    ])
}

async fn post_json(sandbox: &crate::RunningSandbox, body: &Value) -> Value {
    reqwest::Client::new()
        .post(format!("{}{PAY_PATH}", sandbox.base_url(GATEWAY)))
        .json(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn post_raw(sandbox: &crate::RunningSandbox, content_type: &str, body: String) -> Value {
    reqwest::Client::new()
        .post(format!("{}{PAY_PATH}", sandbox.base_url(GATEWAY)))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn accepts_json_with_numbers_an_uppercase_sign_and_unknown_fields() {
    let sandbox = started().await;
    let mut params = base_params();
    params.insert("note".into(), "extra field, signed like any other".into());
    let params = signed(params);
    let body = json!({
        "user_id": USER,
        "gift_pos_id": GIFT,
        "pay_type": 1,
        "address_id": 1,
        "coupon_id": null,
        "note": params["note"],
        "sign": params["sign"].to_uppercase(),
    });
    let answer = post_json(&sandbox, &body).await;
    assert_eq!(answer["code"], 1, "{answer}");
    let info = &answer["result"]["order_info"];
    assert_eq!(info["order_price"], 5800);
    assert_eq!(info["third_order_no"], "P-1");
    assert_eq!(sandbox.ledger.charges_for(GATEWAY, "P-1"), 1);
    assert_eq!(sandbox.ledger.charges()[0].amount_minor, 5800);
}

#[tokio::test]
async fn an_unsigned_extra_field_breaks_the_sign() {
    let sandbox = started().await;
    let mut body = serde_json::to_value(signed(base_params())).unwrap();
    body["note"] = json!("added after signing");
    let answer = post_json(&sandbox, &body).await;
    assert_eq!(answer["code"], 401, "{answer}");
    assert_eq!(sandbox.ledger.charges().len(), 0);
}

#[tokio::test]
async fn refuses_malformed_parameters_with_field_errors() {
    let sandbox = started().await;
    for (name, value, why) in [
        ("pay_type", json!(3), "支付类型错误"),
        ("pay_type", json!("1.0"), "支付类型错误"),
        ("pay_type", json!(""), "支付类型不能为空"),
        ("address_id", json!("abc"), "地址id必须是整数"),
        ("address_id", json!(1.5), "地址id必须是整数"),
        ("user_id", json!(null), "用户id不能为空"),
    ] {
        let mut params = base_params();
        params.insert(name.into(), json_text(&value));
        let params = signed(params);
        let mut body = serde_json::to_value(&params).unwrap();
        body[name] = value.clone();
        let answer = post_json(&sandbox, &body).await;
        assert_eq!(answer["code"], 422, "{name}={value}: {answer}");
        assert_eq!(answer["msg"], "参数错误");
        assert_eq!(answer["errors"][name], why, "{answer}");
    }
    assert_eq!(sandbox.ledger.charges().len(), 0);
}

#[tokio::test]
async fn refuses_a_missing_sign_a_duplicate_and_an_unknown_content_type() {
    let sandbox = started().await;
    let form = "user_id=u&gift_pos_id=g&pay_type=1&address_id=1";
    let answer = post_raw(&sandbox, "application/x-www-form-urlencoded", form.into()).await;
    assert_eq!(
        (answer["code"].clone(), answer["msg"].clone()),
        (json!(401), json!("签名错误"))
    );
    let answer = post_raw(
        &sandbox,
        "application/x-www-form-urlencoded",
        format!("{form}&pay_type=2&sign=x"),
    )
    .await;
    assert_eq!(answer["code"], 422);
    assert_eq!(answer["errors"]["pay_type"], "参数重复");
    let answer = post_raw(&sandbox, "text/plain", form.into()).await;
    assert_eq!(answer["code"], 422);
    assert_eq!(sandbox.ledger.charges().len(), 0);
}

#[tokio::test]
async fn alipay_answers_a_url_to_a_page_on_the_sandbox() {
    let sandbox = started().await;
    let mut params = base_params();
    params.insert("pay_type".into(), "2".into());
    params.insert("coupon_id".into(), "sandbox-coupon-500".into());
    let form = signed(params)
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let answer = post_raw(&sandbox, "application/x-www-form-urlencoded", form).await;
    assert_eq!(answer["code"], 1, "{answer}");
    let info = &answer["result"]["order_info"];
    assert_eq!(info["order_status"], 0);
    assert_eq!(
        (info["order_price"].clone(), info["deduct_price"].clone()),
        (json!(5800), json!(500))
    );
    let url = answer["result"]["ali_pay_url"].as_str().unwrap();
    assert_eq!(
        url,
        format!(
            "{}/alipay/{}",
            sandbox.base_url(GATEWAY),
            info["order_no"].as_str().unwrap()
        )
    );
    assert_eq!(sandbox.ledger.charges()[0].amount_minor, 5300);
    assert_eq!(sandbox.ledger.charges()[0].channel, "alipay");
    let page = reqwest::get(url).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("¥53.00"));
    let missing = reqwest::get(format!("{}/alipay/nope", sandbox.base_url(GATEWAY)))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        sandbox.ledger.charges().len(),
        1,
        "opening the page charges nothing more"
    );
}

#[tokio::test]
async fn binds_over_http() {
    let sandbox = started().await;
    sandbox
        .ledger
        .register(GATEWAY, SandboxOrder::new("P-2", 100, "CNY", "x"));
    let client = reqwest::Client::new();
    let url = format!("{}/_sandbox/bind", sandbox.base_url(GATEWAY));
    let bind = |order: &str| json!({"order_no": order, "user_id": USER, "gift_pos_id": GIFT});
    let taken = client.post(&url).json(&bind("P-2")).send().await.unwrap();
    assert_eq!(taken.status(), 409);
    let unknown = client.post(&url).json(&bind("P-3")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    let again = client.post(&url).json(&bind("P-1")).send().await.unwrap();
    assert_eq!(again.status(), 200);
}
