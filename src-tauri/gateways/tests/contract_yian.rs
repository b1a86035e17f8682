//! The yian connector against its emulator over loopback HTTP, judged by the sandbox ledger.

use std::collections::BTreeMap;

use paydesk_gateways::transport::Transport;
use paydesk_gateways::yian::{self, Charge, Yian};
use paydesk_gateways::{
    BuildError, Channel, Connector, Currency, GatewayError, Money, PayOutcome, PayRequest, Receipt,
    RetryClass, Secrets, StatusQuery,
};
use paydesk_sandbox::{start, RunningSandbox, SandboxConfig, SandboxOrder};

const GW: &str = "yian";
/// The seed's order number: beyond 64 signed (and close to 64 unsigned) bits.
const SEED_ORDER: &str = "12134676899915430002";

struct Harness {
    sandbox: RunningSandbox,
    transport: Transport,
    secrets: Secrets,
}

async fn harness() -> Harness {
    let config = SandboxConfig::default();
    let token = config.secret(GW, "token").to_string();
    assert_eq!(token.len(), 40, "the sandbox token is a DRF key");
    let sandbox = start("127.0.0.1:0", config).await.unwrap();
    Harness {
        sandbox,
        transport: Transport::default(),
        secrets: Secrets::new().with("token", token),
    }
}

impl Harness {
    fn register(&self, order_no: &str, amount_minor: i64, currency: &str) {
        self.sandbox.ledger.register(
            GW,
            SandboxOrder::new(order_no, amount_minor, currency, "collection的使用"),
        );
    }

    fn base(&self) -> String {
        self.sandbox.base_url(GW)
    }

    async fn pay_with(&self, order_no: &str, channel: Channel, secrets: &Secrets) -> PayOutcome {
        let request = Yian
            .build_pay(&self.base(), &pay_request(order_no, channel), secrets)
            .unwrap();
        let response = self.transport.send(request).await.unwrap();
        Yian.parse_pay(&response)
    }

    async fn pay(&self, order_no: &str, channel: Channel) -> PayOutcome {
        self.pay_with(order_no, channel, &self.secrets).await
    }

    async fn status(&self, base: &str, order_no: &str) -> PayOutcome {
        let request = Yian
            .build_status(base, &status_query(order_no), &self.secrets)
            .expect("yian has a status call")
            .unwrap();
        let response = self.transport.send(request).await.unwrap();
        Yian.parse_status(&response)
    }

    /// Sends a pay request the connector would never build, with the connector's auth.
    async fn raw_pay(&self, body: &str) -> PayOutcome {
        let mut request = Yian
            .build_pay(
                &self.base(),
                &pay_request("1", Channel::Alipay),
                &self.secrets,
            )
            .unwrap();
        *request.body_mut() = body.as_bytes().to_vec();
        let response = self.transport.send(request).await.unwrap();
        Yian.parse_pay(&response)
    }

    fn charges(&self, order_no: &str) -> usize {
        self.sandbox.ledger.charges_for(GW, order_no)
    }
}

fn pay_request(order_no: &str, channel: Channel) -> PayRequest {
    PayRequest {
        order_no: order_no.into(),
        amount: Money::parse("99.00", Currency::CNY).unwrap(),
        subject: "collection的使用".into(),
        channel,
        idempotency_key: "attempt-1".into(),
        deductions: vec![],
        settings: BTreeMap::new(),
        attributes: BTreeMap::new(),
        coupon: None,
        credit_amount: None,
        subscription_refunds: Vec::new(),
    }
}

fn status_query(order_no: &str) -> StatusQuery {
    StatusQuery {
        order_no: order_no.into(),
        amount: Money::parse("99.00", Currency::CNY).unwrap(),
        channel: Channel::Alipay,
        idempotency_key: "attempt-1".into(),
        gateway_ref: None,
        settings: BTreeMap::new(),
        attributes: BTreeMap::new(),
        credit_amount: None,
        subscription_refunds: Vec::new(),
    }
}

fn pending(outcome: PayOutcome) -> (Receipt, Charge) {
    match outcome {
        PayOutcome::Pending(receipt) => {
            let charge = Charge::from_value(receipt.detail.as_ref().unwrap()).unwrap();
            assert_eq!(receipt.gateway_ref.as_deref(), Some(charge.id.as_str()));
            (receipt, charge)
        }
        other => panic!("expected Pending, got {other:?}"),
    }
}

fn succeeded(outcome: PayOutcome) -> (Receipt, Charge) {
    match outcome {
        PayOutcome::Succeeded(receipt) => {
            let charge = Charge::from_value(receipt.detail.as_ref().unwrap()).unwrap();
            assert_eq!(receipt.gateway_ref.as_deref(), Some(charge.id.as_str()));
            (receipt, charge)
        }
        other => panic!("expected Succeeded, got {other:?}"),
    }
}

fn failed(outcome: PayOutcome) -> GatewayError {
    match outcome {
        PayOutcome::Failed(error) => error,
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[tokio::test]
async fn alipay_creates_one_pending_charge_for_the_seed_order_number() {
    let h = harness().await;
    h.register(SEED_ORDER, 9900, "CNY");
    let (receipt, charge) = pending(h.pay(SEED_ORDER, Channel::Alipay).await);
    assert_eq!(charge.order_no, SEED_ORDER);
    assert_eq!(charge.object, "charge");
    assert!(charge.id.starts_with("ch_") && charge.id.len() == 27);
    assert_eq!(charge.channel, "alipay");
    assert_eq!(charge.amount, 9900);
    assert_eq!(charge.currency, "cny");
    assert_eq!(
        charge.money().unwrap(),
        Money::parse("99.00", Currency::CNY).unwrap()
    );
    assert!(!charge.paid && charge.livemode == Some(false));
    assert_eq!(charge.time_expire, Some(charge.created + 86_400));
    assert_eq!(charge.refunds.object, "list");
    let info = &charge.credential.alipay.as_ref().unwrap().order_info;
    assert!(
        info.contains("&out_trade_no=\"12134676899915430002\"&"),
        "{info}"
    );
    assert!(info.contains("&total_fee=\"99.00\"&"), "{info}");
    // The order number crossed the wire as text, never as a number.
    assert_eq!(
        receipt.detail.as_ref().unwrap()["order_no"],
        serde_json::Value::from(SEED_ORDER)
    );

    // The pay URL is the emulator's cashier page, and it opens.
    let url = receipt.pay_url.expect("alipay offers a URL");
    assert_eq!(url, format!("{}/pay/cashier/{}/", h.base(), charge.id));
    let page = h
        .transport
        .send(http::Request::get(&url).body(Vec::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(String::from_utf8_lossy(page.body()).contains(&charge.id));

    assert_eq!(h.charges(SEED_ORDER), 1);
    let ledger = h.sandbox.ledger.charges();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].order_no, SEED_ORDER);
    assert_eq!(ledger[0].amount_minor, 9900);
    assert_eq!(ledger[0].channel, "alipay");
}

#[tokio::test]
async fn wx_creates_one_pending_charge_with_the_app_sdk_credential() {
    let h = harness().await;
    h.register("12134676899915430003", 1990, "CNY");
    let (receipt, charge) = pending(h.pay("12134676899915430003", Channel::Wechat).await);
    assert_eq!(receipt.pay_url, None, "a wx APP credential carries no URL");
    assert_eq!(charge.channel, "wx");
    assert_eq!(charge.amount, 1990);
    let wx = charge.credential.wx.expect("a wx credential");
    assert!(wx.app_id.starts_with("wx"));
    assert!(!wx.partner_id.is_empty() && wx.prepay_id.starts_with("wx"));
    assert_eq!(wx.nonce_str.len(), 32);
    assert_eq!(wx.time_stamp, charge.created.to_string());
    assert_eq!(wx.package_value, "Sign=WXPay");
    assert_eq!(wx.sign.len(), 32);
    assert_eq!(wx.sign, wx.sign.to_ascii_uppercase());
    let ledger = h.sandbox.ledger.charges();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].channel, "wx");
    assert_eq!(ledger[0].amount_minor, 1990);
}

#[tokio::test]
async fn a_status_query_resolves_the_pending_charge_without_a_second_charge() {
    let h = harness().await;
    h.register(SEED_ORDER, 9900, "CNY");
    let (_, first) = pending(h.pay(SEED_ORDER, Channel::Alipay).await);
    let (receipt, paid) = succeeded(h.status(&h.base(), SEED_ORDER).await);
    assert_eq!(paid.id, first.id);
    assert!(paid.paid);
    assert!(paid.time_paid.is_some());
    assert_eq!(paid.transaction_no.as_ref().map(String::len), Some(28));
    assert_eq!(receipt.pay_url, None);
    // Asking again tells the same story.
    let (_, again) = succeeded(h.status(&h.base(), SEED_ORDER).await);
    assert_eq!(again, paid);
    assert_eq!(h.charges(SEED_ORDER), 1);

    // wx resolves the same way.
    h.register("w1", 100, "CNY");
    pending(h.pay("w1", Channel::Wechat).await);
    let (_, paid) = succeeded(h.status(&h.base(), "w1").await);
    assert_eq!(paid.channel, "wx");
    assert_eq!(h.charges("w1"), 1);
}

#[tokio::test]
async fn a_repeat_returns_the_first_charge_unpaid_or_paid_and_never_charges_twice() {
    let h = harness().await;
    h.register(SEED_ORDER, 9900, "CNY");
    let (first_receipt, first) = pending(h.pay(SEED_ORDER, Channel::Alipay).await);
    let (second_receipt, second) = pending(h.pay(SEED_ORDER, Channel::Alipay).await);
    assert_eq!(second, first);
    assert_eq!(second_receipt, first_receipt);
    assert_eq!(h.charges(SEED_ORDER), 1);

    // Once the payer has paid, a repeat reads as paid: the same charge, still one ledger row.
    succeeded(h.status(&h.base(), SEED_ORDER).await);
    let (_, third) = succeeded(h.pay(SEED_ORDER, Channel::Alipay).await);
    assert_eq!(third.id, first.id);
    assert_eq!(h.charges(SEED_ORDER), 1);
    assert_eq!(h.sandbox.ledger.charges().len(), 1);
}

#[tokio::test]
async fn concurrent_repeats_share_one_charge() {
    let h = std::sync::Arc::new(harness().await);
    h.register(SEED_ORDER, 9900, "CNY");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            pending(h.pay(SEED_ORDER, Channel::Alipay).await).1.id
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(h.charges(SEED_ORDER), 1);
}

#[tokio::test]
async fn the_other_channel_is_refused_once_the_order_has_a_charge() {
    let h = harness().await;
    h.register(SEED_ORDER, 9900, "CNY");
    pending(h.pay(SEED_ORDER, Channel::Alipay).await);
    let error = failed(h.pay(SEED_ORDER, Channel::Wechat).await);
    assert_eq!(
        error,
        GatewayError::new("-4", yian::MSG_OTHER_CHANNEL, RetryClass::Not)
    );
    succeeded(h.status(&h.base(), SEED_ORDER).await);
    let error = failed(h.pay(SEED_ORDER, Channel::Wechat).await);
    assert_eq!(error.message, yian::MSG_OTHER_CHANNEL);
    assert_eq!(h.charges(SEED_ORDER), 1);
}

#[tokio::test]
async fn a_wrong_token_is_drfs_invalid_token() {
    let h = harness().await;
    h.register(SEED_ORDER, 9900, "CNY");
    let wrong = Secrets::new().with("token", "0123456789abcdef0123456789abcdef01234567");
    let error = failed(h.pay_with(SEED_ORDER, Channel::Alipay, &wrong).await);
    assert_eq!(
        error,
        GatewayError::new("authentication_failed", "Invalid token.", RetryClass::Not)
    );
    assert_eq!(h.charges(SEED_ORDER), 0);
    // The status call is refused the same way, which settles nothing.
    let request = Yian
        .build_status(&h.base(), &status_query(SEED_ORDER), &wrong)
        .unwrap()
        .unwrap();
    let response = h.transport.send(request).await.unwrap();
    match Yian.parse_status(&response) {
        PayOutcome::Unknown(e) => assert_eq!(e.message, "Invalid token."),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_missing_token_is_drfs_not_authenticated_with_a_token_challenge() {
    let h = harness().await;
    h.register(SEED_ORDER, 9900, "CNY");
    let mut request = Yian
        .build_pay(
            &h.base(),
            &pay_request(SEED_ORDER, Channel::Alipay),
            &h.secrets,
        )
        .unwrap();
    request.headers_mut().remove("authorization");
    let response = h.transport.send(request).await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Token");
    let error = failed(Yian.parse_pay(&response));
    assert_eq!(
        error,
        GatewayError::new("not_authenticated", yian::DRF_NOT_PROVIDED, RetryClass::Not)
    );
    assert_eq!(h.charges(SEED_ORDER), 0);
}

#[tokio::test]
async fn an_unknown_order_is_refused() {
    let h = harness().await;
    let error = failed(h.pay(SEED_ORDER, Channel::Alipay).await);
    assert_eq!(
        error,
        GatewayError::new("-4", yian::MSG_UNKNOWN_ORDER, RetryClass::Not)
    );
    assert!(h.sandbox.ledger.charges().is_empty());
}

#[tokio::test]
async fn an_invalid_channel_is_the_documented_refusal() {
    let h = harness().await;
    h.register(SEED_ORDER, 9900, "CNY");
    for body in [
        "order_no=12134676899915430002&channel=upacp",
        "order_no=12134676899915430002&channel=WX",
        "order_no=12134676899915430002",
    ] {
        let error = failed(h.raw_pay(body).await);
        assert_eq!(
            error,
            GatewayError::new("-4", yian::MSG_INVALID_CHANNEL, RetryClass::Not),
            "{body}"
        );
    }
    assert_eq!(
        Yian.build_pay(
            &h.base(),
            &pay_request(SEED_ORDER, Channel::Unionpay),
            &h.secrets
        )
        .unwrap_err(),
        BuildError::UnsupportedChannel("unionpay")
    );
    assert_eq!(h.charges(SEED_ORDER), 0);
}

#[tokio::test]
async fn a_bad_amount_or_currency_is_a_failed_pay_request() {
    let h = harness().await;
    h.register("zero", 0, "CNY");
    h.register("negative", -100, "CNY");
    h.register("dollars", 100, "USD");
    for order_no in ["zero", "negative", "dollars"] {
        let error = failed(h.pay(order_no, Channel::Alipay).await);
        assert_eq!(
            error,
            GatewayError::new("-4", yian::MSG_PAY_REQUEST_FAILED, RetryClass::Safe),
            "{order_no}"
        );
        // Nothing was created, so a status query says there is no such payment.
        assert_eq!(
            h.status(&h.base(), order_no).await,
            PayOutcome::NoSuchPayment(GatewayError::new(
                "-4",
                yian::MSG_NO_CHARGE,
                RetryClass::Safe
            ))
        );
    }
    assert!(h.sandbox.ledger.charges().is_empty());
}

#[tokio::test]
async fn status_of_unknown_orders_and_deployments_without_the_endpoint() {
    let h = harness().await;
    assert_eq!(
        h.status(&h.base(), "nobody").await,
        PayOutcome::NoSuchPayment(GatewayError::new(
            "-4",
            yian::MSG_UNKNOWN_ORDER,
            RetryClass::Safe
        ))
    );
    // A server without the emulator-only endpoint answers 404: nobody can say, a person decides.
    let elsewhere = format!("{}/no-such-deployment", h.sandbox.root_url());
    match h.status(&elsewhere, SEED_ORDER).await {
        PayOutcome::Unknown(e) => {
            assert_eq!(e.code, "NO_STATUS_ENDPOINT");
            assert_eq!(e.retry, RetryClass::Unknown);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn odd_order_numbers_stay_one_value_on_both_calls() {
    let h = harness().await;
    let odd = "A&channel=wx /单?#+";
    h.register(odd, 250, "CNY");
    let (_, charge) = pending(h.pay(odd, Channel::Alipay).await);
    assert_eq!(charge.order_no, odd);
    assert_eq!(charge.channel, "alipay");
    let (_, paid) = succeeded(h.status(&h.base(), odd).await);
    assert_eq!(paid.id, charge.id);
    assert_eq!(h.charges(odd), 1);
}
