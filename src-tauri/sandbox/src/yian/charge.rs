//! The Ping++ charge the emulator makes: its credential for Alipay (a signed `orderInfo`) or
//! WeChat, as the SDKs take them.

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{json, Value};

use super::{
    ALIPAY_PARTNER, APP_ID, EXPIRY_SECONDS, ORDER_INFO_KEY, WX_API_KEY, WX_APP_ID, WX_MCH_ID,
};
use crate::gmt8;
use crate::ledger::SandboxOrder;

/// A new, unpaid Ping++ charge for `order` (amount positive, currency CNY).
pub(super) fn new_charge(
    order: &SandboxOrder,
    channel: &str,
    id: &str,
    now: i64,
    cashier_url: &str,
) -> Value {
    let subject = if order.subject.is_empty() {
        order.order_no.clone()
    } else {
        order.subject.clone()
    };
    let body = order.order_no.clone();
    let expire = now + EXPIRY_SECONDS;
    let credential = if channel == "alipay" {
        json!({
            "object": "credential",
            "alipay": {"orderInfo": order_info(order, id, &subject, &body, expire)},
            "alipay_qr": cashier_url,
        })
    } else {
        json!({"object": "credential", "wx": wx_credential(now)})
    };
    json!({
        "id": id,
        "object": "charge",
        "created": now,
        "livemode": false,
        "paid": false,
        "refunded": false,
        "app": APP_ID,
        "channel": channel,
        "order_no": order.order_no,
        "client_ip": "127.0.0.1",
        "amount": order.amount_minor,
        "amount_settle": order.amount_minor,
        "currency": "cny",
        "subject": subject,
        "body": body,
        "extra": {},
        "time_paid": null,
        "time_expire": expire,
        "time_settle": null,
        "transaction_no": null,
        "refunds": {
            "object": "list",
            "url": format!("/v1/charges/{id}/refunds"),
            "has_more": false,
            "data": [],
        },
        "amount_refunded": 0,
        "failure_code": null,
        "failure_msg": null,
        "metadata": {"order_no": order.order_no},
        "credential": credential,
        "description": null,
    })
}

/// Fen as the yuan decimal Alipay's `total_fee` takes ("99.00"), for a non-negative amount.
pub(super) fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Keeps a value inside `key="value"` unambiguous: quotes, ampersands and percent signs escaped.
pub(super) fn quoted_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("%22"),
            '&' => out.push_str("%26"),
            '%' => out.push_str("%25"),
            c => out.push(c),
        }
    }
    out
}

/// `credential.alipay.orderInfo` in the seed's layout (mobile.securitypay.pay).
pub(super) fn order_info(
    order: &SandboxOrder,
    id: &str,
    subject: &str,
    body: &str,
    expire: i64,
) -> String {
    let notify = format!("https://api.pingxx.com/notify/charges/{id}");
    let fields = [
        ("service", "mobile.securitypay.pay".to_string()),
        ("_input_charset", "utf-8".to_string()),
        (
            "notify_url",
            utf8_percent_encode(&notify, NON_ALPHANUMERIC).to_string(),
        ),
        ("partner", ALIPAY_PARTNER.to_string()),
        ("out_trade_no", quoted_value(&order.order_no)),
        ("subject", quoted_value(subject)),
        ("body", quoted_value(body)),
        ("total_fee", yuan(order.amount_minor)),
        ("payment_type", "1".to_string()),
        ("seller_id", ALIPAY_PARTNER.to_string()),
        (
            "it_b_pay",
            gmt8::at_seconds(expire).format(gmt8::DATE_TIME).to_string(),
        ),
    ];
    let unsigned = fields
        .iter()
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect::<Vec<_>>()
        .join("&");
    let sign = paydesk_crypto::hmac_sha256_hex(ORDER_INFO_KEY, unsigned.as_bytes());
    format!("{unsigned}&sign=\"{sign}\"&sign_type=\"HMAC-SHA256\"")
}

/// WeChat Pay v2 signature: non-empty fields sorted by name (byte order), `k=v` joined with
/// `&`, then `&key=<api key>`, MD5, uppercase hex.
pub(super) fn wechat_sign(fields: &[(&str, &str)], key: &str) -> String {
    let mut kept: Vec<&(&str, &str)> = fields
        .iter()
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .collect();
    kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = kept
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    text.push_str("&key=");
    text.push_str(key);
    paydesk_crypto::md5_hex(text.as_bytes()).to_ascii_uppercase()
}

/// The fields WeChat's APP SDK takes, as Ping++ hands them over.
pub(super) fn wx_credential(now: i64) -> Value {
    let random = uuid::Uuid::new_v4().simple().to_string();
    let prepay_id = format!(
        "wx{}{}",
        gmt8::at_seconds(now).format("%Y%m%d%H%M%S"),
        &random[..18]
    );
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let stamp = now.to_string();
    let sign = wechat_sign(
        &[
            ("appid", WX_APP_ID),
            ("noncestr", &nonce),
            ("package", "Sign=WXPay"),
            ("partnerid", WX_MCH_ID),
            ("prepayid", &prepay_id),
            ("timestamp", &stamp),
        ],
        WX_API_KEY,
    );
    json!({
        "appId": WX_APP_ID,
        "partnerId": WX_MCH_ID,
        "prepayId": prepay_id,
        "nonceStr": nonce,
        "timeStamp": now,
        "packageValue": "Sign=WXPay",
        "sign": sign,
    })
}
