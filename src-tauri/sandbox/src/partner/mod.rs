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

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::ledger::{ChargeResult, Ledger};
use crate::{gmt8, html, AppState};

mod wire;

use wire::{answer, expected_sign, read_params, refuse, validate, Envelope};

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

fn bind_key(user_id: &str, gift_pos_id: &str) -> String {
    format!("gift\u{1f}{user_id}\u{1f}{gift_pos_id}")
}

fn order_key(order_no: &str) -> String {
    format!("order\u{1f}{order_no}")
}

/// `yyyy-MM-dd HH:mm:ss` in GMT+8, as `order_time` is written.
fn china_time(ms: i64) -> String {
    gmt8::at_millis(ms).format(gmt8::DATE_TIME).to_string()
}

/// The seed's order number pattern: GMT+8 `yyyyMMddHHmmss`, then the unix milliseconds.
fn gateway_order_no(ms: i64) -> String {
    format!("{}{ms}", gmt8::at_millis(ms).format("%Y%m%d%H%M%S"))
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
        html::escape(info["gift_title"].as_str().unwrap_or("")),
        html::escape(&order_no),
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
mod tests;
