//! The partner order-pay emulator: `POST /app/partner/order/pay`.
//!
//! Written from the seed document and PROTOCOLS.md alone; shares no types with the connector.
//!
//! # What it accepts
//!
//! Parameters `user_id`, `pay_type` (1 balance, 2 Alipay), `gift_pos_id`, `coupon_id`
//! (optional), `address_id` (int) and `sign`, as an `application/x-www-form-urlencoded` body
//! or as a JSON object (`pay_type` and `address_id` as numbers or strings; a number is read as
//! its JSON text, so `1.0` is not the integer 1). Any other content type is refused (`422`).
//! Fields it does not know are accepted and otherwise ignored, but they are signed like any
//! other parameter.
//!
//! **Sign [ours]**: every non-empty parameter except `sign`, names sorted by byte order, joined
//! `k1=v1&k2=v2`, then `&key=<sign_key>`, MD5 over UTF-8, hex; compared case-insensitively.
//! The key is the `sign_key` secret of the `partner` entry in [`crate::SandboxConfig`].
//!
//! # How a request finds its order
//!
//! The wire carries no order number and no amount: the real gateway prices the gift pack and
//! creates its own order at pay time. The sandbox's ledger, however, must charge the paydesk
//! order being paid. So each registered `partner` order is **bound** to the pair
//! (`user_id`, `gift_pos_id`) that pays it: [`bind_gift_order`], or over HTTP
//! `POST {base}/_sandbox/bind` with `{"order_no", "user_id", "gift_pos_id"}` (the order must
//! first be registered with the ledger as usual). A pay request for that pair charges the bound
//! order: its registered amount is the gift pack's price (`order_price`). A pair is bound to
//! at most one unpaid order at a time (binding a second unpaid order is refused; once the
//! bound order is paid the pair may be bound to a new one: a new purchase of the same pack).
//!
//! # What it answers [ours]
//!
//! Every answer is HTTP 200 with the envelope `{"code", "errors", "msg", "result"}`.
//!
//! | code | when | msg | errors |
//! | --- | --- | --- | --- |
//! | 1 | paid (balance) or order created (Alipay) | 操作成功 | `{}` |
//! | 401 | `sign` missing or wrong | 签名错误 | `{"sign": ...}` |
//! | 422 | body unreadable, a parameter missing or malformed, `pay_type` not 1/2, a parameter twice (form or JSON) | 参数错误 | field → message |
//! | 404 | no order bound to (`user_id`, `gift_pos_id`) | 礼包不存在 | `{}` |
//! | 409 | the bound order is already paid (a second pay is refused, never charged) | 订单已支付 | `{}` |
//! | 404 | `address_id` not in the address book | 收货地址不存在 | `{"address_id": ...}` |
//! | 404 | `coupon_id` not a sandbox coupon | 优惠券不存在 | `{"coupon_id": ...}` |
//! | 0 | the coupon deducts the whole price or more | 优惠券不满足使用条件 | `{"coupon_id": ...}` |
//!
//! Coupons (reusable, any user, any gift pack): [`COUPONS`] — `sandbox-coupon-100` deducts
//! 100 fen, `sandbox-coupon-500` deducts 500 fen. `order_price` is the registered amount,
//! `deduct_price` the deduction, and the ledger is charged `order_price - deduct_price`.
//!
//! Address book (every user): [`ADDRESSES`], ids 1 and 2.
//!
//! On success the emulator creates the gateway order: `order_no` is the GMT+8 time
//! `yyyyMMddHHmmss` followed by the unix milliseconds (the seed's pattern,
//! `20220107175755` + `1641549475668`), unique per emulator; `id` is 32 hex characters;
//! `third_order_no` carries the paydesk order number the pair was bound to (a sandbox aid: the
//! real gateway leaves it empty unless told). Balance (`pay_type` 1): charged, `order_status`
//! 1, `order_pay_time` filled. Alipay (`pay_type` 2): charged at pay time as well,
//! `order_status` 0 and `ali_pay_url` = `{base}/alipay/{order_no}` on this sandbox, a page
//! that shows the payer the order. There is no status call,
//! so nothing a connector can ask turns such an attempt into "paid": it stays pending until
//! a person resolves it.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, FixedOffset};
use percent_encoding::percent_decode_str;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::ledger::{ChargeResult, Ledger};
use crate::strict_json::{self, JsonError};
use crate::{clip, AppState};

const GATEWAY: &str = "partner";
const PAY_PATH: &str = "/app/partner/order/pay";

/// The sandbox's coupons: id and the fixed deduction in fen.
pub const COUPONS: [(&str, i64); 2] = [("sandbox-coupon-100", 100), ("sandbox-coupon-500", 500)];

/// The sandbox's address book, shared by every user: id, receiver, phone, address.
pub const ADDRESSES: [(i64, &str, &str, &str); 2] = [
    (1, "刘德华", "18578229023", "湖南省长沙市德思勤城市广场b5栋"),
    (2, "张学友", "18569557087", "上海市浦东新区世纪大道100号"),
];

/// The payer every sandbox user id stands for.
const USER_PHONE: &str = "18569557087";
const USER_REAL_NAME: &str = "张学友";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(PAY_PATH, post(pay))
        .route("/alipay/{order_no}", get(alipay_page))
        .route("/_sandbox/bind", post(bind_route))
}

/// An answer in the gateway's envelope, always HTTP 200.
#[derive(Debug)]
struct Envelope(Value);

impl IntoResponse for Envelope {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

fn answer(code: i64, msg: &str, errors: Value, result: Value) -> Envelope {
    Envelope(json!({"code": code, "errors": errors, "msg": msg, "result": result}))
}

fn refuse(code: i64, msg: &str, errors: Value) -> Envelope {
    answer(code, msg, errors, json!({}))
}

fn invalid(field: &str, why: &str) -> Envelope {
    refuse(422, "参数错误", json!({ field: why }))
}

/// The sign over every non-empty parameter except `sign` (a `BTreeMap` iterates in byte order).
fn expected_sign(params: &BTreeMap<String, String>, key: &str) -> String {
    let mut text = String::new();
    for (name, value) in params {
        if name.is_empty() || value.is_empty() || name == "sign" {
            continue;
        }
        text.push_str(&format!("{name}={value}&"));
    }
    text.push_str("key=");
    text.push_str(key);
    paydesk_crypto::md5_hex(text.as_bytes())
}

fn form_decode(text: &str) -> Option<String> {
    percent_decode_str(&text.replace('+', " "))
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// A form body's parameters; bad encoding or a name given twice is refused.
fn read_form(body: &[u8]) -> Result<BTreeMap<String, String>, Envelope> {
    let text = std::str::from_utf8(body).map_err(|_| invalid("body", "请求体不是UTF-8"))?;
    let mut params = BTreeMap::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(name), Some(value)) = (form_decode(name), form_decode(value)) else {
            return Err(invalid("body", "参数编码错误"));
        };
        if params.insert(name.clone(), value).is_some() {
            return Err(invalid(&clip(&name), "参数重复"));
        }
    }
    Ok(params)
}

/// A JSON value as the text that is signed and validated.
fn json_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// A JSON body's parameters, each as its text; an object naming a parameter twice is refused.
fn read_json(body: &[u8]) -> Result<BTreeMap<String, String>, Envelope> {
    match strict_json::parse(body) {
        Ok(Value::Object(fields)) => Ok(fields
            .iter()
            .map(|(k, v)| (k.clone(), json_text(v)))
            .collect()),
        Err(JsonError::DuplicateKey(name)) => Err(invalid(&name, "参数重复")),
        _ => Err(invalid("body", "请求体不是JSON对象")),
    }
}

fn read_params(headers: &HeaderMap, body: &[u8]) -> Result<BTreeMap<String, String>, Envelope> {
    let media = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media.as_str() {
        "application/x-www-form-urlencoded" => read_form(body),
        "application/json" => read_json(body),
        _ => Err(invalid("content_type", "仅支持表单或JSON请求")),
    }
}

/// A validated pay request.
struct PayParams {
    user_id: String,
    gift_pos_id: String,
    balance: bool,
    address_id: i64,
    coupon_id: Option<String>,
}

fn validate(params: &BTreeMap<String, String>) -> Result<PayParams, Envelope> {
    let get = |name: &str| params.get(name).map_or("", String::as_str);
    let mut errors = Map::new();
    for (name, why) in [
        ("user_id", "用户id不能为空"),
        ("gift_pos_id", "礼包id不能为空"),
    ] {
        if get(name).is_empty() {
            errors.insert(name.into(), why.into());
        }
    }
    let balance = match get("pay_type") {
        "1" => true,
        "2" => false,
        "" => {
            errors.insert("pay_type".into(), "支付类型不能为空".into());
            true
        }
        _ => {
            errors.insert("pay_type".into(), "支付类型错误".into());
            true
        }
    };
    let address_id = match get("address_id") {
        "" => {
            errors.insert("address_id".into(), "地址id不能为空".into());
            0
        }
        text => text.parse::<i64>().unwrap_or_else(|_| {
            errors.insert("address_id".into(), "地址id必须是整数".into());
            0
        }),
    };
    if !errors.is_empty() {
        return Err(refuse(422, "参数错误", Value::Object(errors)));
    }
    Ok(PayParams {
        user_id: get("user_id").into(),
        gift_pos_id: get("gift_pos_id").into(),
        balance,
        address_id,
        coupon_id: Some(get("coupon_id").to_string()).filter(|c| !c.is_empty()),
    })
}

fn bind_key(user_id: &str, gift_pos_id: &str) -> String {
    format!("gift\u{1f}{user_id}\u{1f}{gift_pos_id}")
}

fn order_key(order_no: &str) -> String {
    format!("order\u{1f}{order_no}")
}

fn china(ms: i64) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(8 * 3600).expect("GMT+8");
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&offset)
}

/// `yyyy-MM-dd HH:mm:ss` in GMT+8, as `order_time` is written.
fn china_time(ms: i64) -> String {
    china(ms).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The seed's order number pattern: GMT+8 `yyyyMMddHHmmss`, then the unix milliseconds.
fn gateway_order_no(ms: i64) -> String {
    format!("{}{ms}", china(ms).format("%Y%m%d%H%M%S"))
}

async fn pay(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Envelope {
    let params = match read_params(&headers, &body) {
        Ok(p) => p,
        Err(refusal) => return refusal,
    };
    let key = state.config.secret(GATEWAY, "sign_key");
    let given = params.get("sign").map_or("", String::as_str);
    if given.is_empty() {
        return refuse(401, "签名错误", json!({"sign": "缺少签名"}));
    }
    if key.is_empty() || !given.eq_ignore_ascii_case(&expected_sign(&params, key)) {
        return refuse(401, "签名错误", json!({"sign": "签名错误"}));
    }
    let request = match validate(&params) {
        Ok(r) => r,
        Err(refusal) => return refusal,
    };
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let prefix = uri.path().strip_suffix(PAY_PATH).unwrap_or("");
    let pay_page = format!("http://{host}{prefix}/alipay/");
    let now_ms = chrono::Utc::now().timestamp_millis();

    state.ledger.transact(|book| {
        let bound = book
            .recall(GATEWAY, &bind_key(&request.user_id, &request.gift_pos_id))
            .and_then(Value::as_str)
            .map(str::to_string);
        let Some(order) = bound.and_then(|no| book.order_mut(GATEWAY, &no).cloned()) else {
            return refuse(404, "礼包不存在", json!({}));
        };
        if order.paid {
            return refuse(409, "订单已支付", json!({}));
        }
        let Some((_, receiver, receiver_phone, address)) =
            ADDRESSES.iter().find(|a| a.0 == request.address_id)
        else {
            return refuse(
                404,
                "收货地址不存在",
                json!({"address_id": "收货地址不存在"}),
            );
        };
        let deduct = match &request.coupon_id {
            None => 0,
            Some(id) => match COUPONS.iter().find(|c| c.0 == id) {
                None => return refuse(404, "优惠券不存在", json!({"coupon_id": "优惠券不存在"})),
                Some((_, value)) => *value,
            },
        };
        if deduct >= order.amount_minor {
            return refuse(
                0,
                "优惠券不满足使用条件",
                json!({"coupon_id": "优惠券金额不能大于或等于订单金额"}),
            );
        }
        let channel = if request.balance { "balance" } else { "alipay" };
        match book.charge(
            GATEWAY,
            &order.order_no,
            order.amount_minor - deduct,
            channel,
        ) {
            ChargeResult::Charged => {}
            ChargeResult::UnknownOrder => return refuse(404, "礼包不存在", json!({})),
            ChargeResult::AlreadyPaid => return refuse(409, "订单已支付", json!({})),
        }
        // Unique, increasing order numbers even within one millisecond.
        let last = book
            .recall(GATEWAY, "last_ms")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let ms = now_ms.max(last + 1);
        book.remember(GATEWAY, "last_ms", json!(ms));
        let order_no = gateway_order_no(ms);
        let time = china_time(ms);
        let (status, pay_time, pay_stamp, ali_pay_url) = if request.balance {
            (1, time.clone(), ms, String::new())
        } else {
            (0, String::new(), 0, format!("{pay_page}{order_no}"))
        };
        let order_info = json!({
            "order_no": order_no,
            "gift_pos_id": request.gift_pos_id,
            "order_express_time_stamp": 0,
            "bill_no": "",
            "order_time": time,
            "order_name": "购买机器",
            "user_id_no": "",
            "gift_title": order.subject,
            "order_status": status,
            "coupon_id": request.coupon_id.clone().unwrap_or_default(),
            "order_express_number": "",
            "user_phone": USER_PHONE,
            "pay_type": if request.balance { 1 } else { 2 },
            "order_time_stamp": ms,
            "id": uuid::Uuid::new_v4().simple().to_string(),
            "order_type": 1,
            "user_level_id": "",
            "order_express_name": "",
            "order_express_time": "",
            "order_receieve_phone": receiver_phone,
            "receive_time": "",
            "order_price": order.amount_minor,
            "order_desc": "",
            "order_express_address": "",
            "order_pay_time": pay_time,
            "order_receieve_name": receiver,
            "platform_remark": "",
            "order_score": 0,
            "deduct_price": deduct,
            "user_id": request.user_id,
            "user_real_name": USER_REAL_NAME,
            "order_receieve_address": address,
            "third_order_no": order.order_no,
            "order_pay_time_stamp": pay_stamp,
            "order_express_no": "",
        });
        book.remember(GATEWAY, &order_key(&order_no), order_info.clone());
        answer(
            1,
            "操作成功",
            json!({}),
            json!({"ali_pay_url": ali_pay_url, "order_info": order_info}),
        )
    })
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page an `ali_pay_url` leads to. The charge was recorded at pay time; the page only shows
/// the payer what they are paying for.
async fn alipay_page(State(state): State<AppState>, Path(order_no): Path<String>) -> Response {
    let info = state
        .ledger
        .transact(|book| book.recall(GATEWAY, &order_key(&order_no)).cloned());
    let Some(info) = info else {
        return (
            StatusCode::NOT_FOUND,
            Html("<h1>订单不存在</h1>".to_string()),
        )
            .into_response();
    };
    let fen =
        info["order_price"].as_i64().unwrap_or(0) - info["deduct_price"].as_i64().unwrap_or(0);
    Html(format!(
        "<!doctype html><meta charset=\"utf-8\"><title>支付宝 (sandbox)</title>\
         <h1>订单支付</h1><p>{}</p><p>订单号 {}</p><p>¥{}.{:02}</p>",
        escape_html(info["gift_title"].as_str().unwrap_or("")),
        escape_html(&order_no),
        fen / 100,
        fen % 100
    ))
    .into_response()
}

/// Why an order could not be bound to a (`user_id`, `gift_pos_id`) pair.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindError {
    #[error("order_no, user_id and gift_pos_id must all be non-empty")]
    Blank,
    #[error("order {0} is not registered with the partner emulator")]
    UnknownOrder(String),
    #[error("user {user_id} already has unpaid order {bound} for gift pack {gift_pos_id}")]
    Taken {
        user_id: String,
        gift_pos_id: String,
        bound: String,
    },
}

/// Binds a registered `partner` order to the (`user_id`, `gift_pos_id`) pair whose pay request
/// charges it (see the module docs). Binding the same order again is harmless.
pub fn bind_gift_order(
    ledger: &Ledger,
    order_no: &str,
    user_id: &str,
    gift_pos_id: &str,
) -> Result<(), BindError> {
    if order_no.is_empty() || user_id.is_empty() || gift_pos_id.is_empty() {
        return Err(BindError::Blank);
    }
    ledger.transact(|book| {
        if book.order_mut(GATEWAY, order_no).is_none() {
            return Err(BindError::UnknownOrder(order_no.into()));
        }
        let key = bind_key(user_id, gift_pos_id);
        let bound = book
            .recall(GATEWAY, &key)
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(bound) = bound {
            let open = book.order_mut(GATEWAY, &bound).is_some_and(|o| !o.paid);
            if bound != order_no && open {
                return Err(BindError::Taken {
                    user_id: user_id.into(),
                    gift_pos_id: gift_pos_id.into(),
                    bound,
                });
            }
        }
        book.remember(GATEWAY, &key, json!(order_no));
        Ok(())
    })
}

#[derive(Deserialize)]
struct BindRequest {
    order_no: String,
    user_id: String,
    gift_pos_id: String,
}

async fn bind_route(State(state): State<AppState>, Json(bind): Json<BindRequest>) -> Response {
    match bind_gift_order(
        &state.ledger,
        &bind.order_no,
        &bind.user_id,
        &bind.gift_pos_id,
    ) {
        Ok(()) => Json(json!({"bound": bind.order_no})).into_response(),
        Err(e) => {
            let status = match e {
                BindError::Blank => StatusCode::BAD_REQUEST,
                BindError::UnknownOrder(_) => StatusCode::NOT_FOUND,
                BindError::Taken { .. } => StatusCode::CONFLICT,
            };
            (status, e.to_string()).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
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
        let read =
            read_json(br#"{"pay_type":1,"address_id":"2","x":null,"y":1.0,"z":true}"#).unwrap();
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
}
