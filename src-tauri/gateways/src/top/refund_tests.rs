//! The subscriptions a TOP payment replaces (`refund_subscribe_list`) and the remittance
//! account (`huijin_account_id`): sent as the seed types them, never changing the amounts paid.

use std::collections::BTreeMap;

use super::tests::{now, request, request_param, secrets, settings};
use super::*;
use crate::{Currency, Money};

fn refund(id: &str, amount: &str, currency: Currency) -> SubscriptionRefund {
    SubscriptionRefund {
        subscribe_id: id.into(),
        refund_amount: Money::parse(amount, currency).unwrap(),
    }
}

#[test]
fn refunds_travel_in_integer_fen_and_leave_the_amounts_to_pay_alone() {
    let mut req = request(Channel::Balance);
    req.subscription_refunds = vec![
        refund("sub-1", "3.00", Currency::CNY),
        refund("sub-2", "0.01", Currency::CNY),
    ];
    req.settings.insert("huijin_account_id".into(), "88".into());
    let built = Top
        .build_pay_at("http://x", &req, &secrets(), now())
        .unwrap();
    let param = request_param(&built);
    assert_eq!(
        param["refund_subscribe_list"],
        serde_json::json!([
            {"subscribe_id": "sub-1", "refund_amount": 300},
            {"subscribe_id": "sub-2", "refund_amount": 1}
        ])
    );
    assert_eq!(param["huijin_account_id"], 88);
    assert_eq!(param["balance_pay_amount"], 1234);
    assert!(param.get("credit_pay_amount").is_none());

    // Without them, neither key is sent.
    let plain = Top
        .build_pay_at("http://x", &request(Channel::Balance), &secrets(), now())
        .unwrap();
    let plain = request_param(&plain);
    assert!(
        plain.get("refund_subscribe_list").is_none() && plain.get("huijin_account_id").is_none()
    );
}

#[test]
fn the_status_resend_carries_the_same_refunds() {
    let mut req = request(Channel::Credit);
    req.subscription_refunds = vec![refund("sub-1", "3.00", Currency::CNY)];
    let query = StatusQuery {
        order_no: req.order_no.clone(),
        amount: req.amount,
        channel: Channel::Credit,
        idempotency_key: req.idempotency_key.clone(),
        gateway_ref: None,
        settings: settings(),
        attributes: BTreeMap::new(),
        credit_amount: None,
        subscription_refunds: req.subscription_refunds.clone(),
    };
    let status = Top
        .build_status_at("http://x", &query, &secrets(), now())
        .unwrap();
    let pay = Top
        .build_pay_at("http://x", &req, &secrets(), now())
        .unwrap();
    assert_eq!(request_param(&status), request_param(&pay));
}

#[test]
fn refuses_refunds_it_could_not_send_as_asked() {
    let cases = [
        vec![
            refund("sub-1", "1.00", Currency::CNY),
            refund("sub-1", "2.00", Currency::CNY),
        ],
        vec![refund("", "1.00", Currency::CNY)],
        vec![refund(" sub-1", "1.00", Currency::CNY)],
        vec![refund("sub-1", "0", Currency::CNY)],
        vec![refund("sub-1", "1.00", Currency::INR)],
    ];
    for refunds in cases {
        let mut req = request(Channel::Balance);
        req.subscription_refunds = refunds.clone();
        let refused = Top.build_pay_at("http://x", &req, &secrets(), now());
        assert!(
            matches!(refused, Err(BuildError::Invalid(_))),
            "{refunds:?}"
        );
    }
    let mut bad_account = request(Channel::Balance);
    bad_account
        .settings
        .insert("huijin_account_id".into(), "eighty".into());
    assert!(Top.check_settings(&bad_account.settings).is_err());
    assert!(Top
        .build_pay_at("http://x", &bad_account, &secrets(), now())
        .is_err());
}
