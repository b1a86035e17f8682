//! Every value that holds a secret shows it nowhere in `Debug` or `Display`: the secrets, the
//! requests the connectors build with them (headers carrying a secret are marked sensitive),
//! and the errors a refused build reports.

use std::collections::BTreeMap;

use paydesk_gateways::*;

/// Secrets shaped as each gateway requires, each unique and easy to grep for.
fn canaries() -> Vec<(&'static str, &'static str)> {
    vec![
        ("token", "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee01"),
        ("app_secret", "canary-app-secret-7f3a9"),
        ("session", "canary-session-8b2c1"),
        ("sign_key", "canary-sign-key-4d5e6"),
        ("access_key", "canary-access-key-0123456789abcd"),
    ]
}

fn secrets() -> Secrets {
    canaries()
        .into_iter()
        .fold(Secrets::new(), |s, (k, v)| s.with(k, v))
}

fn assert_clean(what: &str, shown: &str) {
    for (key, value) in canaries() {
        assert!(!shown.contains(value), "{what} shows {key}: {shown}");
    }
}

fn settings(gateway: &str, version: &str) -> BTreeMap<String, String> {
    let pairs: &[(&str, &str)] = match gateway {
        "sensecore" => &[("billing_account_id", "ba-1")],
        "top" => &[
            ("app_key", "12345678"),
            ("tenant_id", "1"),
            ("charge_item_code", "1"),
            ("category_code", "1"),
            ("commodity_code", "1"),
            ("user_country", "CHINA"),
        ],
        "debit" => &[("merchant_id", "10001"), ("currency", "INR")],
        _ => &[],
    };
    let mut map: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if !version.is_empty() {
        map.insert("api_version".into(), version.into());
    }
    map
}

fn request(gateway: &str, version: &str) -> PayRequest {
    let (channel, currency) = match gateway {
        "yian" => (Channel::Alipay, Currency::CNY),
        "debit" => (Channel::Bank, Currency::INR),
        _ => (Channel::Balance, Currency::CNY),
    };
    let attributes: BTreeMap<String, String> = [
        ("user_id", "u-1"),
        ("gift_pos_id", "g-1"),
        ("address_id", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    PayRequest {
        order_no: "A-1".into(),
        amount: Money::from_minor(1234, currency),
        subject: "s".into(),
        channel,
        idempotency_key: "key-1".into(),
        deductions: vec![],
        settings: settings(gateway, version),
        attributes,
        coupon: None,
        credit_amount: None,
        subscription_refunds: Vec::new(),
    }
}

#[test]
fn secrets_debug_is_redacted() {
    let secrets = secrets();
    assert_clean("Secrets", &format!("{secrets:?} {secrets:#?}"));
}

#[test]
fn built_requests_show_no_secret_in_debug() {
    for gateway in GATEWAYS {
        let versions: &[&str] = if *gateway == "debit" {
            &["v1", "v2"]
        } else {
            &[""]
        };
        for version in versions {
            let connector = connector_for(gateway).unwrap();
            let request = request(gateway, version);
            let built = connector
                .build_pay("https://gw.example", &request, &secrets())
                .unwrap_or_else(|e| panic!("{gateway} {version}: {e}"));
            let mut shown = format!("{built:?}");
            if *gateway == "top" {
                // TOP's protocol puts `session` among the system parameters of the query string;
                // the transport keeps URLs out of every error it reports.
                shown = shown.replace(&built.uri().to_string(), "");
            }
            assert_clean(&format!("{gateway} {version} pay request"), &shown);
            let query = StatusQuery {
                order_no: request.order_no.clone(),
                amount: request.amount,
                channel: request.channel,
                idempotency_key: request.idempotency_key.clone(),
                gateway_ref: Some("ref-1".into()),
                settings: request.settings.clone(),
                attributes: request.attributes.clone(),
                credit_amount: None,
                subscription_refunds: Vec::new(),
            };
            if let Some(status) = connector.build_status("https://gw.example", &query, &secrets()) {
                let status = status.unwrap();
                let mut shown = format!("{status:?}");
                if *gateway == "top" {
                    shown = shown.replace(&status.uri().to_string(), "");
                }
                assert_clean(&format!("{gateway} {version} status request"), &shown);
            }
        }
    }
}

#[test]
fn refused_builds_do_not_echo_a_malformed_secret() {
    // Secrets of the wrong shape are refused; the refusal must not quote them.
    let bad = Secrets::new()
        .with("token", "canary-not-forty-hex-token")
        .with("access_key", "canary-too-short");
    for (gateway, version) in [("yian", ""), ("debit", "v1"), ("debit", "v2")] {
        let refused = connector_for(gateway)
            .unwrap()
            .build_pay("https://gw.example", &request(gateway, version), &bad)
            .unwrap_err();
        let shown = format!("{refused} {refused:?}");
        assert!(!shown.contains("canary"), "{gateway}: {shown}");
    }
    let refused =
        debit::parse_callback(br#"{"sourceNo":"k","data":"x"}"#, "canary-too-short").unwrap_err();
    assert!(!format!("{refused:?}").contains("canary"), "{refused:?}");
}

#[test]
fn the_sandbox_configuration_shows_secret_names_but_not_values() {
    let config = paydesk_sandbox::SandboxConfig::default();
    let shown = format!("{config:?} {config:#?}");
    for credentials in config.gateways.values() {
        for (key, value) in &credentials.secrets {
            assert!(shown.contains(key.as_str()), "{key} is named");
            assert!(!shown.contains(value.as_str()), "{key} is shown: {shown}");
        }
    }
}
