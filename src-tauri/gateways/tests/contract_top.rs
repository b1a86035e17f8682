//! The TOP connector against its emulator over loopback HTTP, judged by the sandbox's ledger.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use paydesk_gateways::top::{self, SignMethod, Top, IDEMPOTENCY_CONFLICT};
use paydesk_gateways::transport::Transport;
use paydesk_gateways::{
    BuildError, Channel, Connector, Currency, GatewayError, Money, PayOutcome, PayRequest, Receipt,
    RetryClass, Secrets, StatusQuery,
};
use paydesk_sandbox::{RunningSandbox, SandboxConfig, SandboxOrder};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

const GW: &str = "top";

struct Fixture {
    sandbox: RunningSandbox,
    settings: BTreeMap<String, String>,
    secret: String,
}

async fn fixture() -> Fixture {
    let config = SandboxConfig::default();
    let credentials = config.gateways[GW].clone();
    let sandbox = paydesk_sandbox::start("127.0.0.1:0", config).await.unwrap();
    Fixture {
        sandbox,
        settings: credentials.settings,
        secret: credentials.secrets["app_secret"].clone(),
    }
}

impl Fixture {
    fn base(&self) -> String {
        self.sandbox.base_url(GW)
    }

    fn order(&self, order_no: &str, amount_minor: i64) {
        self.sandbox
            .ledger
            .register(GW, SandboxOrder::new(order_no, amount_minor, "CNY", "demo"));
    }

    fn secrets(&self) -> Secrets {
        Secrets::new().with("app_secret", self.secret.clone())
    }

    fn request(&self, order_no: &str, minor: i64, channel: Channel, key: &str) -> PayRequest {
        PayRequest {
            order_no: order_no.into(),
            amount: Money::from_minor(minor, Currency::CNY),
            subject: "demo".into(),
            channel,
            idempotency_key: key.into(),
            deductions: vec![],
            settings: self.settings.clone(),
            attributes: BTreeMap::new(),
            coupon: None,
            credit_amount: None,
            subscription_refunds: Vec::new(),
        }
    }

    fn status_query(&self, request: &PayRequest) -> StatusQuery {
        StatusQuery {
            order_no: request.order_no.clone(),
            amount: request.amount,
            channel: request.channel,
            idempotency_key: request.idempotency_key.clone(),
            gateway_ref: None,
            settings: request.settings.clone(),
            attributes: BTreeMap::new(),
            credit_amount: None,
            subscription_refunds: Vec::new(),
        }
    }

    async fn pay_with(&self, request: &PayRequest, secrets: &Secrets) -> PayOutcome {
        let built = Top.build_pay(&self.base(), request, secrets).unwrap();
        Top.parse_pay(&send(built).await)
    }

    async fn pay(&self, request: &PayRequest) -> PayOutcome {
        self.pay_with(request, &self.secrets()).await
    }

    async fn status(&self, query: &StatusQuery) -> PayOutcome {
        let built = Top
            .build_status(&self.base(), query, &self.secrets())
            .expect("TOP has a status call")
            .unwrap();
        Top.parse_status(&send(built).await)
    }

    /// A call the connector would not build, signed by the connector's own `sign`.
    async fn raw(
        &self,
        query: &[(&str, String)],
        body: &[(&str, String)],
        method: SignMethod,
    ) -> http::Response<Vec<u8>> {
        let signature = top::sign(
            query
                .iter()
                .chain(body.iter())
                .map(|(k, v)| (*k, v.as_str())),
            &self.secret,
            method,
        );
        let mut query = query.to_vec();
        query.push(("sign", signature));
        let request =
            http::Request::post(format!("{}/router/rest?{}", self.base(), encode(&query)))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(encode(body).into_bytes())
                .unwrap();
        send(request).await
    }

    fn system(&self, timestamp: String) -> Vec<(&'static str, String)> {
        vec![
            ("method", top::METHOD.to_string()),
            ("app_key", self.settings["app_key"].clone()),
            ("timestamp", timestamp),
            ("v", "2.0".into()),
            ("sign_method", "md5".into()),
            ("format", "json".into()),
            ("partner_id", "top-sdk-python-20251121".into()),
        ]
    }
}

fn encode(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
        .collect::<Vec<_>>()
        .join("&")
}

fn request_param(order_no: &str, key: &str, balance: i64) -> serde_json::Value {
    serde_json::json!({
        "charge_item_code": "1", "order_id": order_no, "category_code": "1",
        "user_country": "CHINA", "balance_pay_amount": balance, "tenant_id": 1,
        "commodity_code": "1", "pay_start_time": Utc::now().timestamp_millis(),
        "currency": "CNY", "pay_idempotent_code": key, "pay_serial_id": key,
    })
}

async fn send(request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
    Transport::default()
        .send(request)
        .await
        .expect("loopback answers")
}

fn succeeded(outcome: PayOutcome) -> Receipt {
    match outcome {
        PayOutcome::Succeeded(r) => r,
        other => panic!("expected success, got {other:?}"),
    }
}

fn failed(outcome: PayOutcome) -> GatewayError {
    match outcome {
        PayOutcome::Failed(e) => e,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn balance_pays_the_whole_amount_once() {
    let f = fixture().await;
    f.order("B-1", 1234);
    let receipt = succeeded(
        f.pay(&f.request("B-1", 1234, Channel::Balance, "k-b1"))
            .await,
    );
    assert!(receipt.gateway_ref.is_some(), "request_id kept");
    let charges = f.sandbox.ledger.charges();
    assert_eq!(charges.len(), 1);
    assert_eq!(
        (
            charges[0].order_no.as_str(),
            charges[0].amount_minor,
            charges[0].channel.as_str()
        ),
        ("B-1", 1234, "balance")
    );
}

#[tokio::test]
async fn credit_pays_the_whole_amount_on_credit() {
    let f = fixture().await;
    f.order("C-1", 50_000);
    succeeded(
        f.pay(&f.request("C-1", 50_000, Channel::Credit, "k-c1"))
            .await,
    );
    let charges = f.sandbox.ledger.charges();
    assert_eq!(
        (
            charges.len(),
            charges[0].amount_minor,
            charges[0].channel.as_str()
        ),
        (1, 50_000, "credit")
    );
}

#[tokio::test]
async fn a_split_adds_up_to_the_order_amount() {
    let f = fixture().await;
    f.order("S-1", 10_001);
    let mut r = f.request("S-1", 10_001, Channel::Balance, "k-s1");
    r.credit_amount = Some(Money::parse("33.33", Currency::CNY).unwrap());
    r.settings.insert("credit_account_id".into(), "42".into());
    succeeded(f.pay(&r).await);
    let charges = f.sandbox.ledger.charges();
    assert_eq!(
        (
            charges.len(),
            charges[0].amount_minor,
            charges[0].channel.as_str()
        ),
        (1, 10_001, "balance+credit")
    );
}

#[tokio::test]
async fn every_sign_method_and_a_session_are_accepted() {
    let f = fixture().await;
    for (i, method) in ["md5", "hmac", "hmac-sha256"].into_iter().enumerate() {
        let order_no = format!("M-{i}");
        f.order(&order_no, 100);
        let mut r = f.request(&order_no, 100, Channel::Balance, &format!("k-m{i}"));
        r.settings.insert("sign_method".into(), method.into());
        r.settings.insert("partner_id".into(), "paydesk".into());
        let secrets = f.secrets().with("session", "6100e23657fb0b2d0c78");
        succeeded(f.pay_with(&r, &secrets).await);
    }
    assert_eq!(f.sandbox.ledger.charges().len(), 3);
}

#[tokio::test]
async fn a_wrong_secret_or_app_key_is_refused_and_charges_nothing() {
    let f = fixture().await;
    f.order("A-1", 100);
    let r = f.request("A-1", 100, Channel::Balance, "k-a1");
    let e = failed(
        f.pay_with(&r, &Secrets::new().with("app_secret", "not-the-secret"))
            .await,
    );
    assert_eq!((e.code.as_str(), e.retry), ("25", RetryClass::Not));
    assert!(e.message.contains("Invalid signature"), "{e:?}");

    let mut wrong_key = r.clone();
    wrong_key
        .settings
        .insert("app_key".into(), "87654321".into());
    let e = failed(f.pay(&wrong_key).await);
    assert_eq!((e.code.as_str(), e.retry), ("29", RetryClass::Not));
    assert!(f.sandbox.ledger.charges().is_empty());
}

#[tokio::test]
async fn the_clock_must_be_within_ten_minutes_and_both_timestamp_forms_work() {
    let f = fixture().await;
    f.order("T-1", 100);
    let r = f.request("T-1", 100, Channel::Balance, "k-t1");
    for skew in [Duration::minutes(-11), Duration::minutes(11)] {
        let built = Top
            .build_pay_at(&f.base(), &r, &f.secrets(), Utc::now() + skew)
            .unwrap();
        let e = failed(Top.parse_pay(&send(built).await));
        assert_eq!(
            (e.code.as_str(), e.retry),
            ("isv.invalid-timestamp", RetryClass::Not)
        );
        assert!(e.message.contains("code 31"), "{e:?}");
    }
    let built = Top
        .build_pay_at(
            &f.base(),
            &r,
            &f.secrets(),
            Utc::now() - Duration::minutes(9),
        )
        .unwrap();
    succeeded(Top.parse_pay(&send(built).await));

    // The official Python SDK's form: unix milliseconds.
    f.order("T-2", 100);
    let body = vec![(
        "request_param",
        request_param("T-2", "k-t2", 100).to_string(),
    )];
    let millis = Utc::now().timestamp_millis().to_string();
    let answer = f.raw(&f.system(millis), &body, SignMethod::Md5).await;
    succeeded(Top.parse_pay(&answer));
    assert_eq!(f.sandbox.ledger.charges().len(), 2);
}

#[tokio::test]
async fn platform_refusals_come_in_their_documented_codes() {
    let f = fixture().await;
    f.order("P-1", 100);
    let now = top::timestamp_gmt8(Utc::now());
    let body = vec![(
        "request_param",
        request_param("P-1", "k-p1", 100).to_string(),
    )];
    let without = |key: &str| -> Vec<(&'static str, String)> {
        f.system(now.clone())
            .into_iter()
            .filter(|(k, _)| *k != key)
            .collect()
    };

    let e = failed(Top.parse_pay(&f.raw(&without("method"), &body, SignMethod::Md5).await));
    assert_eq!(e.code, "21");
    let mut other = f.system(now.clone());
    other[0].1 = "taobao.user.seller.get".into();
    let e = failed(Top.parse_pay(&f.raw(&other, &body, SignMethod::Md5).await));
    assert_eq!(e.code, "22");
    let e = failed(Top.parse_pay(&f.raw(&without("app_key"), &body, SignMethod::Md5).await));
    assert_eq!(e.code, "28");
    let e = failed(Top.parse_pay(&f.raw(&without("timestamp"), &body, SignMethod::Md5).await));
    assert_eq!(e.code, "30");
    let e = failed(Top.parse_pay(&f.raw(&f.system(now.clone()), &[], SignMethod::Md5).await));
    assert_eq!(e.code, "isv.missing-parameter");
    assert!(e.message.contains("code 40"), "{e:?}");
    let bad = vec![("request_param", "{not json".to_string())];
    let e = failed(Top.parse_pay(&f.raw(&f.system(now.clone()), &bad, SignMethod::Md5).await));
    assert_eq!(e.code, "isv.invalid-parameter");
    assert!(e.message.contains("code 41"), "{e:?}");

    // No sign at all: 24.
    let unsigned = http::Request::post(format!(
        "{}/router/rest?{}",
        f.base(),
        encode(&f.system(now.clone()))
    ))
    .header("content-type", "application/x-www-form-urlencoded")
    .body(encode(&body).into_bytes())
    .unwrap();
    let e = failed(Top.parse_pay(&send(unsigned).await));
    assert_eq!((e.code.as_str(), e.retry), ("24", RetryClass::Not));

    // The signature covers the body: changing it after signing is 25.
    let built = Top
        .build_pay(
            &f.base(),
            &f.request("P-1", 100, Channel::Balance, "k-p2"),
            &f.secrets(),
        )
        .unwrap();
    let (parts, _) = built.into_parts();
    let forged = encode(&[("request_param", request_param("P-1", "k-p2", 1).to_string())]);
    let e =
        failed(Top.parse_pay(&send(http::Request::from_parts(parts, forged.into_bytes())).await));
    assert_eq!(e.code, "25");
    assert!(f.sandbox.ledger.charges().is_empty());
}

#[tokio::test]
async fn unknown_and_paid_orders_are_refused_in_the_business_words() {
    let f = fixture().await;
    let e = failed(
        f.pay(&f.request("NOPE", 100, Channel::Balance, "k-n1"))
            .await,
    );
    assert_eq!(
        (e.code.as_str(), e.retry),
        ("isv.order-not-exist", RetryClass::Not)
    );
    assert!(e.message.contains("NOPE"), "{e:?}");

    f.order("D-1", 100);
    succeeded(
        f.pay(&f.request("D-1", 100, Channel::Balance, "k-d1"))
            .await,
    );
    // The order's money was taken: a person checks how, it is never a plain failure.
    let e = match f.pay(&f.request("D-1", 100, Channel::Credit, "k-d2")).await {
        PayOutcome::ForAPerson(e) => e,
        other => panic!("expected ForAPerson, got {other:?}"),
    };
    assert_eq!(
        (e.code.as_str(), e.retry),
        ("isv.order-already-paid", RetryClass::Not)
    );
    assert_eq!(f.sandbox.ledger.charges_for(GW, "D-1"), 1);
}

#[tokio::test]
async fn a_wrong_amount_or_currency_is_refused() {
    let f = fixture().await;
    f.order("W-1", 9_999);
    let e = failed(
        f.pay(&f.request("W-1", 1234, Channel::Balance, "k-w1"))
            .await,
    );
    assert_eq!(
        (e.code.as_str(), e.retry),
        ("isv.pay-amount-not-match", RetryClass::Not)
    );

    let mut usd = f.request("W-1", 9_999, Channel::Balance, "k-w2");
    usd.amount = Money::from_minor(9_999, Currency::parse("USD").unwrap());
    let e = failed(f.pay(&usd).await);
    assert_eq!(e.code, "isv.invalid-parameter");
    assert!(e.message.contains("currency"), "{e:?}");
    assert!(f.sandbox.ledger.charges().is_empty());
}

#[tokio::test]
async fn other_channels_are_refused_on_both_sides() {
    let f = fixture().await;
    f.order("X-1", 100);
    for channel in [Channel::Alipay, Channel::Wechat, Channel::Bank] {
        let err = Top
            .build_pay(
                &f.base(),
                &f.request("X-1", 100, channel, "k-x1"),
                &f.secrets(),
            )
            .unwrap_err();
        assert_eq!(err, BuildError::UnsupportedChannel(channel.as_str()));
    }
    // The one other funding source the seed names, 汇金 remittance, is not offered.
    let mut p = request_param("X-1", "k-x2", 100);
    p["huijin_account_id"] = 7.into();
    let body = vec![("request_param", p.to_string())];
    let answer = f
        .raw(
            &f.system(top::timestamp_gmt8(Utc::now())),
            &body,
            SignMethod::Md5,
        )
        .await;
    let e = failed(Top.parse_pay(&answer));
    assert_eq!(e.code, "isv.pay-channel-not-supported");
    assert!(f.sandbox.ledger.charges().is_empty());
}

#[tokio::test]
async fn a_credit_part_over_the_line_is_a_common_error() {
    let f = fixture().await;
    f.order("L-1", 5_500_000);
    let e = failed(
        f.pay(&f.request("L-1", 5_500_000, Channel::Credit, "k-l1"))
            .await,
    );
    assert_eq!(
        (e.code.as_str(), e.retry),
        ("HP-CREDIT_LIMIT_EXCEEDED", RetryClass::Not)
    );
    assert!(
        e.message.contains("信控额度不足") && e.message.contains("(at tradeplatform)"),
        "{e:?}"
    );
    assert!(f.sandbox.ledger.charges().is_empty());
    // The same order within the line, split, goes through.
    let mut r = f.request("L-1", 5_500_000, Channel::Credit, "k-l2");
    r.credit_amount = Some(Money::from_minor(5_000_000, Currency::CNY));
    succeeded(f.pay(&r).await);
    assert_eq!(f.sandbox.ledger.charges_for(GW, "L-1"), 1);
}

#[tokio::test]
async fn a_repeat_under_the_same_code_charges_once() {
    let f = fixture().await;
    f.order("I-1", 2_500);
    let r = f.request("I-1", 2_500, Channel::Balance, "k-i1");
    let first = succeeded(f.pay(&r).await);
    let second = succeeded(f.pay(&r).await);
    let strip = |r: &Receipt| {
        let mut d = r.detail.clone().unwrap();
        d.as_object_mut().unwrap().remove("request_id");
        d
    };
    assert_eq!(strip(&first), strip(&second), "the first result again");
    assert_ne!(first.gateway_ref, second.gateway_ref, "a new request_id");

    // Racing repeats: still one charge.
    f.order("I-2", 2_500);
    let r2 = f.request("I-2", 2_500, Channel::Credit, "k-i2");
    let outcomes = futures_join(&f, &r2, 8).await;
    assert!(outcomes
        .into_iter()
        .all(|o| matches!(o, PayOutcome::Succeeded(_))));
    assert_eq!(f.sandbox.ledger.charges_for(GW, "I-1"), 1);
    assert_eq!(f.sandbox.ledger.charges_for(GW, "I-2"), 1);
}

async fn futures_join(f: &Fixture, r: &PayRequest, n: usize) -> Vec<PayOutcome> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let built = Top.build_pay(&f.base(), r, &f.secrets()).unwrap();
        tasks.push(tokio::spawn(send(built)));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(Top.parse_pay(&task.await.unwrap()));
    }
    outcomes
}

#[tokio::test]
async fn the_same_code_for_a_different_payment_is_unknown_not_a_second_charge() {
    let f = fixture().await;
    f.order("K-1", 1_000);
    succeeded(
        f.pay(&f.request("K-1", 1_000, Channel::Balance, "k-k1"))
            .await,
    );
    let mut changed = f.request("K-1", 1_000, Channel::Balance, "k-k1");
    changed.credit_amount = Some(Money::from_minor(10, Currency::CNY));
    match f.pay(&changed).await {
        PayOutcome::Unknown(e) => {
            assert_eq!(
                (e.code.as_str(), e.retry),
                (IDEMPOTENCY_CONFLICT, RetryClass::Unknown)
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(f.sandbox.ledger.charges_for(GW, "K-1"), 1);
}

#[tokio::test]
async fn a_pending_payment_is_resolved_by_the_status_call() {
    let f = fixture().await;
    f.order("Q-1", 1_500_000);
    let r = f.request("Q-1", 1_500_000, Channel::Balance, "k-q1");
    let pending = match f.pay(&r).await {
        PayOutcome::Pending(receipt) => receipt,
        other => panic!("expected pending, got {other:?}"),
    };
    let pay_url = pending.pay_url.clone().expect("a pay_url to open");
    assert!(pay_url.starts_with(&f.base()), "{pay_url}");
    let page = send(http::Request::get(&pay_url).body(Vec::new()).unwrap()).await;
    assert_eq!(page.status(), 200);

    let resolved = succeeded(f.status(&f.status_query(&r)).await);
    assert_eq!(resolved.pay_url.as_deref(), Some(pay_url.as_str()));
    // Asking again changes nothing.
    succeeded(f.status(&f.status_query(&r)).await);
    let charges = f.sandbox.ledger.charges();
    assert_eq!((charges.len(), charges[0].amount_minor), (1, 1_500_000));
}

#[tokio::test]
async fn an_unknown_payment_is_resolved_by_the_status_call_without_a_second_charge() {
    let f = fixture().await;
    // The payment arrived and was charged, but its answer was lost.
    f.order("U-1", 777);
    let r = f.request("U-1", 777, Channel::Credit, "k-u1");
    let built = Top.build_pay(&f.base(), &r, &f.secrets()).unwrap();
    let _lost = send(built).await;
    succeeded(f.status(&f.status_query(&r)).await);
    assert_eq!(f.sandbox.ledger.charges_for(GW, "U-1"), 1);

    // The payment never arrived: the status resend makes it, exactly once.
    f.order("U-2", 777);
    let r2 = f.request("U-2", 777, Channel::Balance, "k-u2");
    succeeded(f.status(&f.status_query(&r2)).await);
    succeeded(f.status(&f.status_query(&r2)).await);
    assert_eq!(f.sandbox.ledger.charges_for(GW, "U-2"), 1);
}

#[tokio::test]
async fn a_status_call_settles_only_on_the_business_word() {
    let f = fixture().await;
    // The business refuses the resend (no such order): that says nothing certain about a
    // first request, which may have paid, so it is for a person.
    let r = f.request("GONE", 100, Channel::Balance, "k-g1");
    match f.status(&f.status_query(&r)).await {
        PayOutcome::ForAPerson(e) => assert_eq!(e.code, "isv.order-not-exist"),
        other => panic!("expected an answer for a person, got {other:?}"),
    }

    // A refusal at the door says nothing about the original payment.
    f.order("G-2", 100);
    succeeded(
        f.pay(&f.request("G-2", 100, Channel::Balance, "k-g2"))
            .await,
    );
    let query = f.status_query(&f.request("G-2", 100, Channel::Balance, "k-g2"));
    let built = Top
        .build_status(
            &f.base(),
            &query,
            &Secrets::new().with("app_secret", "rotated"),
        )
        .unwrap()
        .unwrap();
    match Top.parse_status(&send(built).await) {
        PayOutcome::Unknown(e) => assert_eq!(e.code, "25"),
        other => panic!("{other:?}"),
    }

    // A split attempt cannot be rebuilt from a StatusQuery: the gateway's conflict is inconclusive.
    f.order("G-3", 1_000);
    let mut split = f.request("G-3", 1_000, Channel::Balance, "k-g3");
    split.credit_amount = Some(Money::from_minor(400, Currency::CNY));
    succeeded(f.pay(&split).await);
    match f.status(&f.status_query(&split)).await {
        PayOutcome::Unknown(e) => assert_eq!(e.code, IDEMPOTENCY_CONFLICT),
        other => panic!("{other:?}"),
    }
    // Resending the full pay request under the same code settles it.
    succeeded(f.pay(&split).await);
    assert_eq!(f.sandbox.ledger.charges_for(GW, "G-2"), 1);
    assert_eq!(f.sandbox.ledger.charges_for(GW, "G-3"), 1);
}

#[tokio::test]
async fn a_non_200_answer_is_unknown() {
    let f = fixture().await;
    f.order("H-1", 100);
    let built = Top
        .build_pay(
            &format!("{}/nowhere", f.base()),
            &f.request("H-1", 100, Channel::Balance, "k-h1"),
            &f.secrets(),
        )
        .unwrap();
    let answer = send(built).await;
    assert_ne!(answer.status(), 200);
    assert!(matches!(Top.parse_pay(&answer), PayOutcome::Unknown(_)));
    assert!(f.sandbox.ledger.charges().is_empty());
}
