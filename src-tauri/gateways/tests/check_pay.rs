//! `Connector::check_pay` refuses exactly what `build_pay` refuses for the request, without the
//! secrets: the engine checks a payment with it before journaling the attempt and reads the
//! secrets from the keyring while it journals.

use std::collections::BTreeMap;

use paydesk_gateways::{
    connector_for, BuildError, Channel, Currency, Deduction, Money, PayRequest, Secrets,
    SubscriptionRefund, GATEWAYS,
};
use paydesk_sandbox::SandboxConfig;

const BASE_URL: &str = "http://127.0.0.1:9";

fn request(gateway: &str, channel: Channel) -> PayRequest {
    let config = SandboxConfig::default();
    let settings = config.gateways[gateway].settings.clone();
    let currency = match settings.get("currency").map(String::as_str) {
        Some("INR") => Currency::INR,
        _ => Currency::CNY,
    };
    PayRequest {
        order_no: "CHK-1".into(),
        amount: Money::from_minor(1_000, currency),
        subject: "check".into(),
        channel,
        idempotency_key: "0123456789abcdef0123456789abcdef".into(),
        deductions: vec![],
        settings,
        attributes: BTreeMap::from([
            ("user_id".to_string(), "u-1".to_string()),
            ("gift_pos_id".to_string(), "g-1".to_string()),
            ("address_id".to_string(), "7".to_string()),
        ]),
        coupon: None,
        credit_amount: None,
        subscription_refunds: vec![],
    }
}

fn secrets(gateway: &str) -> Secrets {
    let mut secrets = Secrets::new();
    for (key, value) in &SandboxConfig::default().gateways[gateway].secrets {
        secrets = secrets.with(key.clone(), value.clone());
    }
    secrets
}

/// Requests every connector refuses for some gateway or channel, and a good one.
fn variants(gateway: &str, channel: Channel) -> Vec<(&'static str, PayRequest)> {
    let good = request(gateway, channel);
    let currency = good.amount.currency;
    let with = |change: &dyn Fn(&mut PayRequest)| {
        let mut r = good.clone();
        change(&mut r);
        r
    };
    vec![
        ("as asked", good.clone()),
        (
            "zero amount",
            with(&|r| r.amount = Money::from_minor(0, currency)),
        ),
        ("no order number", with(&|r| r.order_no.clear())),
        ("no idempotency key", with(&|r| r.idempotency_key.clear())),
        (
            "rupees",
            with(&|r| r.amount = Money::from_minor(1_000, Currency::INR)),
        ),
        (
            "a voucher",
            with(&|r| {
                r.deductions = vec![Deduction {
                    id: "v-1".into(),
                    amount: Money::from_minor(-5, currency),
                }]
            }),
        ),
        ("a coupon", with(&|r| r.coupon = Some("c-1".into()))),
        (
            "credit above the amount",
            with(&|r| r.credit_amount = Some(Money::from_minor(5_000, currency))),
        ),
        (
            "a refund twice",
            with(&|r| {
                let refund = SubscriptionRefund {
                    subscribe_id: "s-1".into(),
                    refund_amount: Money::from_minor(10, currency),
                };
                r.subscription_refunds = vec![refund.clone(), refund];
            }),
        ),
        ("no attributes", with(&|r| r.attributes.clear())),
        ("no settings", with(&|r| r.settings.clear())),
    ]
}

#[test]
fn check_pay_refuses_what_build_pay_refuses_without_reading_a_secret() {
    let mut refused = 0;
    for gateway in GATEWAYS {
        let connector = connector_for(gateway).expect("a connector");
        let secrets = secrets(gateway);
        for channel in Channel::ALL {
            for (what, request) in variants(gateway, channel) {
                let built = connector.build_pay(BASE_URL, &request, &secrets);
                let checked = connector.check_pay(BASE_URL, &request);
                let case = format!("{gateway} {} {what}", channel.as_str());
                match (&built, &checked) {
                    (Ok(_), Ok(())) => {}
                    (Err(built), Err(checked)) => {
                        assert_eq!(built.to_string(), checked.to_string(), "{case}");
                        refused += 1;
                    }
                    _ => panic!("{case}: build_pay {built:?}, check_pay {checked:?}"),
                }
                if built.is_ok() {
                    let unsigned = connector.build_pay(BASE_URL, &request, &Secrets::new());
                    assert!(
                        matches!(unsigned, Err(BuildError::MissingSecret(_))),
                        "{case}: a good request without secrets: {unsigned:?}"
                    );
                }
            }
        }
    }
    assert!(
        refused > 100,
        "the variants are refused somewhere: {refused}"
    );
}
