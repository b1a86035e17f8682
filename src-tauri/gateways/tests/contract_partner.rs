//! Contract: the partner connector against its emulator over loopback HTTP, judged by the
//! sandbox's ledger.
//!
//! The wire carries no order number, so each sandbox order is registered with the ledger and
//! then bound to the (`user_id`, `gift_pos_id`) pair that pays it (`POST
//! {base}/_sandbox/bind`, see the emulator's module docs).

use std::collections::BTreeMap;

use paydesk_gateways::partner::{self, OrderInfo, Partner};
use paydesk_gateways::transport::Transport;
use paydesk_gateways::*;
use paydesk_sandbox::{Charge, RunningSandbox, SandboxConfig, SandboxOrder};

const GW: &str = "partner";
const USER: &str = "41840909af844632885424fbc20cae79";
const GIFT: &str = "55fca782f55f406d94e2cecb23d0140b";

async fn sandbox() -> RunningSandbox {
    paydesk_sandbox::start("127.0.0.1:0", SandboxConfig::default())
        .await
        .expect("sandbox starts")
}

async fn bind(sandbox: &RunningSandbox, order_no: &str, user_id: &str, gift_pos_id: &str) -> u16 {
    let body =
        serde_json::json!({"order_no": order_no, "user_id": user_id, "gift_pos_id": gift_pos_id});
    let request = http::Request::post(format!("{}/_sandbox/bind", sandbox.base_url(GW)))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body).unwrap())
        .unwrap();
    Transport::default()
        .send(request)
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Registers an order and binds it to the pair that pays it.
async fn order(sandbox: &RunningSandbox, order_no: &str, amount_minor: i64, gift_pos_id: &str) {
    sandbox.ledger.register(
        GW,
        SandboxOrder::new(order_no, amount_minor, "CNY", "拉卡拉大POS 1台装礼包 升V5"),
    );
    assert_eq!(bind(sandbox, order_no, USER, gift_pos_id).await, 200);
}

fn request(order_no: &str, amount_minor: i64, channel: Channel, gift_pos_id: &str) -> PayRequest {
    PayRequest {
        order_no: order_no.into(),
        amount: Money::from_minor(amount_minor, Currency::CNY),
        subject: "拉卡拉大POS 1台装礼包 升V5".into(),
        channel,
        idempotency_key: format!("{order_no}-1"),
        deductions: vec![],
        settings: BTreeMap::new(),
        attributes: BTreeMap::from([
            ("user_id".to_string(), USER.to_string()),
            ("gift_pos_id".to_string(), gift_pos_id.to_string()),
            ("address_id".to_string(), "1".to_string()),
        ]),
        coupon: None,
        credit_amount: None,
        subscription_refunds: Vec::new(),
    }
}

fn secrets() -> Secrets {
    Secrets::new().with("sign_key", SandboxConfig::default().secret(GW, "sign_key"))
}

async fn send(request: http::Request<Vec<u8>>) -> PayOutcome {
    let response = Transport::default()
        .send(request)
        .await
        .expect("the sandbox answers");
    Partner.parse_pay(&response)
}

async fn pay_with(sandbox: &RunningSandbox, request: &PayRequest, secrets: &Secrets) -> PayOutcome {
    let built = Partner
        .build_pay(&sandbox.base_url(GW), request, secrets)
        .expect("builds");
    send(built).await
}

async fn pay(sandbox: &RunningSandbox, request: &PayRequest) -> PayOutcome {
    pay_with(sandbox, request, &secrets()).await
}

fn failed(outcome: PayOutcome) -> GatewayError {
    match outcome {
        PayOutcome::Failed(e) => e,
        other => panic!("expected Failed, got {other:?}"),
    }
}

fn info(receipt: &Receipt) -> OrderInfo {
    OrderInfo::from_value(receipt.detail.as_ref().expect("order_info kept")).unwrap()
}

#[tokio::test]
async fn balance_pays_once_and_returns_the_order() {
    let sandbox = sandbox().await;
    order(&sandbox, "202201071757551641549475668", 300, GIFT).await;
    let outcome = pay(
        &sandbox,
        &request("202201071757551641549475668", 300, Channel::Balance, GIFT),
    )
    .await;
    let PayOutcome::Succeeded(receipt) = outcome else {
        panic!("{outcome:?}");
    };
    let info = info(&receipt);
    assert_eq!(receipt.gateway_ref.as_deref(), Some(info.order_no.as_str()));
    assert_eq!(
        info.order_no.len(),
        27,
        "yyyyMMddHHmmss + unix ms: {}",
        info.order_no
    );
    assert_eq!(receipt.pay_url, None);
    assert_eq!(
        (
            info.order_status,
            info.pay_type,
            info.order_price,
            info.deduct_price
        ),
        (1, 1, 300, 0)
    );
    assert_eq!(
        (info.user_id.as_str(), info.gift_pos_id.as_str()),
        (USER, GIFT)
    );
    assert_eq!(info.third_order_no, "202201071757551641549475668");
    assert_eq!(info.order_pay_time_stamp, info.order_time_stamp);
    assert!(!info.order_pay_time.is_empty());
    assert_eq!(info.id.len(), 32);
    assert_eq!(
        sandbox.ledger.charges(),
        vec![Charge {
            gateway: GW.into(),
            order_no: "202201071757551641549475668".into(),
            amount_minor: 300,
            channel: "balance".into(),
        }]
    );
}

#[tokio::test]
async fn alipay_is_charged_and_pending_with_a_url_the_payer_opens() {
    let sandbox = sandbox().await;
    order(&sandbox, "A-1", 5800, GIFT).await;
    let outcome = pay(&sandbox, &request("A-1", 5800, Channel::Alipay, GIFT)).await;
    let PayOutcome::Pending(receipt) = outcome else {
        panic!("{outcome:?}");
    };
    let info = info(&receipt);
    assert_eq!((info.order_status, info.pay_type), (0, 2));
    assert_eq!(
        (info.order_pay_time.as_str(), info.order_pay_time_stamp),
        ("", 0)
    );
    let url = receipt.pay_url.clone().expect("an ali_pay_url");
    assert!(
        url.starts_with(&format!("{}/alipay/", sandbox.base_url(GW))),
        "{url}"
    );
    assert_eq!(sandbox.ledger.charges_for(GW, "A-1"), 1);
    assert_eq!(sandbox.ledger.charges()[0].channel, "alipay");
    assert_eq!(sandbox.ledger.charges()[0].amount_minor, 5800);

    // No status call exists: the engine hands the pending attempt to a person.
    let query = StatusQuery {
        order_no: "A-1".into(),
        amount: Money::from_minor(5800, Currency::CNY),
        channel: Channel::Alipay,
        idempotency_key: "A-1-1".into(),
        gateway_ref: receipt.gateway_ref.clone(),
        settings: BTreeMap::new(),
        attributes: BTreeMap::new(),
        credit_amount: None,
        subscription_refunds: Vec::new(),
    };
    assert!(Partner
        .build_status(&sandbox.base_url(GW), &query, &secrets())
        .is_none());
    assert!(!Partner.capabilities().status_query);

    // The payer opens the URL; that charges nothing more.
    let page = Transport::default()
        .send(http::Request::get(url).body(Vec::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(sandbox.ledger.charges_for(GW, "A-1"), 1);
}

#[tokio::test]
async fn a_coupon_deducts_and_the_ledger_charges_the_net_amount() {
    let sandbox = sandbox().await;
    order(&sandbox, "C-1", 300, GIFT).await;
    let mut req = request("C-1", 300, Channel::Balance, GIFT);
    req.coupon = Some("sandbox-coupon-100".into());
    let PayOutcome::Succeeded(receipt) = pay(&sandbox, &req).await else {
        panic!("not succeeded");
    };
    let info = info(&receipt);
    assert_eq!((info.order_price, info.deduct_price), (300, 100));
    assert_eq!(info.coupon_id, "sandbox-coupon-100");
    assert_eq!(info.charged(), Money::from_minor(200, Currency::CNY));
    assert_eq!(sandbox.ledger.charges()[0].amount_minor, 200);
}

#[tokio::test]
async fn an_unknown_or_oversized_coupon_is_refused_and_nothing_is_charged() {
    let sandbox = sandbox().await;
    order(&sandbox, "C-2", 300, GIFT).await;
    let mut req = request("C-2", 300, Channel::Balance, GIFT);
    req.coupon = Some("no-such-coupon".into());
    let error = failed(pay(&sandbox, &req).await);
    assert_eq!(error.code, "404");
    assert!(
        error.message.starts_with("优惠券不存在"),
        "{}",
        error.message
    );
    assert_eq!(error.retry, RetryClass::Not);

    // A 5-yuan coupon on a 3-yuan pack would leave nothing to pay: the bad-amount refusal.
    req.coupon = Some("sandbox-coupon-500".into());
    let error = failed(pay(&sandbox, &req).await);
    assert_eq!(error.code, "0");
    assert!(
        error.message.starts_with("优惠券不满足使用条件"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("coupon_id"),
        "errors kept: {}",
        error.message
    );
    assert_eq!(error.retry, RetryClass::Not);
    assert_eq!(sandbox.ledger.charges_for(GW, "C-2"), 0);

    req.coupon = None;
    assert!(matches!(
        pay(&sandbox, &req).await,
        PayOutcome::Succeeded(_)
    ));
    assert_eq!(sandbox.ledger.charges_for(GW, "C-2"), 1);
}

#[tokio::test]
async fn a_wrong_sign_key_is_refused() {
    let sandbox = sandbox().await;
    order(&sandbox, "S-1", 300, GIFT).await;
    let wrong = Secrets::new().with("sign_key", "not-the-key");
    let error = failed(
        pay_with(
            &sandbox,
            &request("S-1", 300, Channel::Balance, GIFT),
            &wrong,
        )
        .await,
    );
    assert_eq!(error.code, "401");
    assert!(error.message.starts_with("签名错误"), "{}", error.message);
    assert_eq!(error.retry, RetryClass::Not);
    assert!(!format!("{error:?}").contains("not-the-key"));
    assert_eq!(sandbox.ledger.charges().len(), 0);
}

#[tokio::test]
async fn a_tampered_request_is_refused() {
    let sandbox = sandbox().await;
    order(&sandbox, "S-2", 300, GIFT).await;
    order(&sandbox, "S-3", 9900, "another-gift").await;
    let built = Partner
        .build_pay(
            &sandbox.base_url(GW),
            &request("S-2", 300, Channel::Balance, GIFT),
            &secrets(),
        )
        .unwrap();
    let (parts, body) = built.into_parts();
    let body = String::from_utf8(body)
        .unwrap()
        .replace(GIFT, "another-gift");
    let outcome = send(http::Request::from_parts(parts, body.into_bytes())).await;
    assert_eq!(failed(outcome).code, "401");
    assert_eq!(sandbox.ledger.charges().len(), 0);
}

#[tokio::test]
async fn an_unknown_order_is_refused() {
    let sandbox = sandbox().await;
    // Registered but never bound: no pay request can reach it.
    sandbox
        .ledger
        .register(GW, SandboxOrder::new("U-1", 300, "CNY", "x"));
    for gift in [GIFT, "no-such-gift"] {
        let error = failed(pay(&sandbox, &request("U-1", 300, Channel::Balance, gift)).await);
        assert_eq!(error.code, "404");
        assert_eq!(error.message, "礼包不存在");
        assert_eq!(error.retry, RetryClass::Not);
    }
    assert_eq!(sandbox.ledger.charges().len(), 0);
}

#[tokio::test]
async fn a_paid_order_is_never_charged_again() {
    let sandbox = sandbox().await;
    order(&sandbox, "R-1", 300, GIFT).await;
    let req = request("R-1", 300, Channel::Balance, GIFT);
    assert!(matches!(
        pay(&sandbox, &req).await,
        PayOutcome::Succeeded(_)
    ));
    for channel in [Channel::Balance, Channel::Alipay] {
        let mut again = req.clone();
        again.channel = channel;
        // The order's money was taken: a person checks how, it is never a plain failure.
        let error = match pay(&sandbox, &again).await {
            PayOutcome::ForAPerson(e) => e,
            other => panic!("expected ForAPerson, got {other:?}"),
        };
        assert_eq!(error.code, "409");
        assert_eq!(error.message, "订单已支付");
        assert_eq!(error.retry, RetryClass::Not);
    }
    assert_eq!(sandbox.ledger.charges_for(GW, "R-1"), 1);
}

#[tokio::test]
async fn concurrent_repeats_charge_once() {
    let sandbox = sandbox().await;
    order(&sandbox, "R-2", 300, GIFT).await;
    let built: Vec<_> = (0..8)
        .map(|_| {
            Partner
                .build_pay(
                    &sandbox.base_url(GW),
                    &request("R-2", 300, Channel::Balance, GIFT),
                    &secrets(),
                )
                .unwrap()
        })
        .collect();
    let handles: Vec<_> = built
        .into_iter()
        .map(|r| tokio::spawn(async move { Transport::default().send(r).await.unwrap() }))
        .collect();
    let mut succeeded = 0;
    for handle in handles {
        match Partner.parse_pay(&handle.await.unwrap()) {
            PayOutcome::Succeeded(_) => succeeded += 1,
            PayOutcome::ForAPerson(e) => assert_eq!(e.code, "409"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(succeeded, 1);
    assert_eq!(sandbox.ledger.charges_for(GW, "R-2"), 1);
}

#[tokio::test]
async fn each_order_is_charged_its_own_amount() {
    let sandbox = sandbox().await;
    order(&sandbox, "M-1", 300, "gift-a").await;
    order(&sandbox, "M-2", 5800, "gift-b").await;
    // A second unpaid order for the same user and pack cannot be told apart on the wire.
    sandbox
        .ledger
        .register(GW, SandboxOrder::new("M-3", 100, "CNY", "x"));
    assert_eq!(bind(&sandbox, "M-3", USER, "gift-b").await, 409);
    assert!(matches!(
        pay(&sandbox, &request("M-2", 5800, Channel::Balance, "gift-b")).await,
        PayOutcome::Succeeded(_)
    ));
    assert!(matches!(
        pay(&sandbox, &request("M-1", 300, Channel::Alipay, "gift-a")).await,
        PayOutcome::Pending(_)
    ));
    let charged: Vec<(String, i64)> = sandbox
        .ledger
        .charges()
        .into_iter()
        .map(|c| (c.order_no, c.amount_minor))
        .collect();
    assert_eq!(charged, vec![("M-2".into(), 5800), ("M-1".into(), 300)]);
    // Once M-2 is paid, the pair may carry a new purchase.
    assert_eq!(bind(&sandbox, "M-3", USER, "gift-b").await, 200);
    assert!(matches!(
        pay(&sandbox, &request("M-3", 100, Channel::Balance, "gift-b")).await,
        PayOutcome::Succeeded(_)
    ));
    assert_eq!(sandbox.ledger.charges_for(GW, "M-3"), 1);
}

#[tokio::test]
async fn an_invalid_channel_is_refused_on_both_sides() {
    let sandbox = sandbox().await;
    order(&sandbox, "I-1", 300, GIFT).await;
    assert_eq!(
        Partner
            .build_pay(
                &sandbox.base_url(GW),
                &request("I-1", 300, Channel::Wechat, GIFT),
                &secrets()
            )
            .unwrap_err(),
        BuildError::UnsupportedChannel("wechat")
    );
    // pay_type 3, correctly signed, as another client might send it.
    let params = [
        ("address_id", "1"),
        ("gift_pos_id", GIFT),
        ("pay_type", "3"),
        ("user_id", USER),
    ];
    let signature = partner::sign(params, SandboxConfig::default().secret(GW, "sign_key"));
    let body = params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .chain([format!("sign={signature}")])
        .collect::<Vec<_>>()
        .join("&");
    let request = http::Request::post(format!("{}{}", sandbox.base_url(GW), partner::PAY_PATH))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.into_bytes())
        .unwrap();
    let error = failed(send(request).await);
    assert_eq!(error.code, "422");
    assert!(error.message.contains("pay_type"), "{}", error.message);
    assert_eq!(error.retry, RetryClass::Not);
    assert_eq!(sandbox.ledger.charges().len(), 0);
}

#[tokio::test]
async fn an_unknown_address_is_refused() {
    let sandbox = sandbox().await;
    order(&sandbox, "D-1", 300, GIFT).await;
    let mut req = request("D-1", 300, Channel::Balance, GIFT);
    req.attributes.insert("address_id".into(), "9".into());
    let error = failed(pay(&sandbox, &req).await);
    assert_eq!(error.code, "404");
    assert!(
        error.message.starts_with("收货地址不存在"),
        "{}",
        error.message
    );
    req.attributes.insert("address_id".into(), "2".into());
    let PayOutcome::Succeeded(receipt) = pay(&sandbox, &req).await else {
        panic!("address 2 exists");
    };
    assert_eq!(info(&receipt).order_receieve_name, "张学友");
    assert_eq!(sandbox.ledger.charges_for(GW, "D-1"), 1);
}

#[tokio::test]
async fn non_ascii_parameters_survive_the_round_trip() {
    let sandbox = sandbox().await;
    let gift = "礼包 A&B=1+2";
    order(&sandbox, "N-1", 300, gift).await;
    let PayOutcome::Succeeded(receipt) =
        pay(&sandbox, &request("N-1", 300, Channel::Balance, gift)).await
    else {
        panic!("not succeeded");
    };
    assert_eq!(info(&receipt).gift_pos_id, gift);
    assert_eq!(sandbox.ledger.charges_for(GW, "N-1"), 1);
}
