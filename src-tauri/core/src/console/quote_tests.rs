//! The pay dialog's quote and the engine refuse the same payments, for the same reasons.

use std::sync::Arc;

use paydesk_gateways::transport::Transport;
use paydesk_gateways::{connector_for, Channel};

use super::tests::seeded;
use super::*;
use crate::app::payments::PayInput;
use crate::app::AppError;
use crate::engine::Engine;
use crate::pricing::PayCommand;
use crate::test_support::add_order;
use crate::vault::MemoryVault;

#[tokio::test]
async fn the_quote_refuses_what_the_engine_refuses_and_prices_the_rest_exactly() {
    let (_dir, store) = seeded().await;
    add_order(&store, "shop", "V-1", "100.00", "").await;
    add_order(&store, "other", "T-1", "30.00", "").await;
    // Each profile set up as its gateway needs (a billing account for vouchers, TOP's keys).
    let gateways = paydesk_sandbox::SandboxConfig::default().gateways;
    for (profile, gateway) in [("shop", "sensecore"), ("other", "top")] {
        let base_url = store.profile(profile).await.unwrap().base_url;
        store
            .update_profile(profile, &base_url, &gateways[gateway].settings)
            .await
            .unwrap();
    }
    // No secrets: the engine refuses every payment its own checks let through at the
    // keyring (and records it failed, never sent), so both verdicts can be compared.
    let top_caps = connector_for("top").unwrap().capabilities();
    let top = top_caps
        .channels
        .first()
        .copied()
        .unwrap_or(Channel::Balance);
    let engine = Engine::new(
        store.clone(),
        Arc::new(MemoryVault::default()),
        Transport::default(),
    );
    type Case<'a> = (
        &'a str,
        Channel,
        Vec<(&'a str, &'a str)>,
        Option<&'a str>,
        Option<&'a str>,
    );
    let cases: Vec<Case> = vec![
        ("V-1", Channel::Balance, vec![], None, None),
        (
            "V-1",
            Channel::Balance,
            vec![("v1", "30.10"), ("v2", "0.05")],
            None,
            None,
        ),
        ("V-1", Channel::Balance, vec![("v1", "100.00")], None, None),
        ("V-1", Channel::Balance, vec![("v1", "100.01")], None, None),
        ("V-1", Channel::Balance, vec![("v1", "1.234")], None, None),
        ("V-1", Channel::Balance, vec![("v1", "-1")], None, None),
        ("V-1", Channel::Balance, vec![("v1", "abc")], None, None),
        ("V-1", Channel::Unionpay, vec![], None, None),
        ("V-1", Channel::Balance, vec![], Some("c-1"), None),
        ("V-1", Channel::Balance, vec![], None, Some("1.00")),
        ("T-1", top, vec![], None, Some("10.00")),
        ("T-1", top, vec![], None, Some("30.01")),
        ("T-1", top, vec![], None, Some("0")),
        ("NOPE", Channel::Balance, vec![], None, None),
    ];
    for (order_no, channel, deductions, coupon, credit) in cases {
        let deductions: Vec<(String, String)> = deductions
            .iter()
            .map(|(i, a)| (i.to_string(), a.to_string()))
            .collect();
        let quote = crate::app::payments::quote(
            &store,
            PayInput {
                order_no: order_no.into(),
                channel: Some(channel.as_str().into()),
                vouchers: deductions.clone(),
                coupon: coupon.map(String::from),
                credit_amount: credit.map(String::from),
                subscription_refunds: Vec::new(),
                revision: None,
                expected_amount: None,
            },
        )
        .await;
        let paid = engine
            .pay(&PayCommand {
                order_no: order_no.into(),
                channel,
                deductions,
                coupon: coupon.map(String::from),
                credit_amount: credit.map(String::from),
                subscription_refunds: Vec::new(),
                seen_revision: None,
            })
            .await
            .map_err(AppError::from);
        let label = format!("{order_no} {channel:?} {credit:?}");
        match (&quote, &paid) {
            (Ok(_), Err(why)) => {
                assert!(
                    why.message.contains("keyring"),
                    "{label}: quoted, but the engine refused: {why}"
                )
            }
            (Err(q), Err(p)) => assert_eq!(q, p, "{label}"),
            other => panic!("{label}: quote and engine disagree: {other:?}"),
        }
    }
    assert_eq!(
        store.activity().await.unwrap(),
        Activity {
            in_flight: 0,
            unasked: 0,
            needs_review: 0
        }
    );

    let quote = crate::app::payments::quote(
        &store,
        PayInput {
            order_no: "V-1".into(),
            channel: Some("balance".into()),
            vouchers: vec![("v1".into(), "30.10".into()), ("v2".into(), "0.05".into())],
            ..PayInput::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (
            quote.amount.as_str(),
            quote.deducted.as_str(),
            quote.remaining.as_str(),
            quote.remaining_minor
        ),
        ("100.00", "30.15", "69.85", 6985)
    );
    if top_caps.credit_split {
        let split = crate::app::payments::quote(
            &store,
            PayInput {
                order_no: "T-1".into(),
                channel: Some(top.as_str().into()),
                credit_amount: Some("10.5".into()),
                ..PayInput::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (split.credit.as_deref(), split.balance.as_deref()),
            (Some("10.50"), Some("19.50"))
        );
    }
}
