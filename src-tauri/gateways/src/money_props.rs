//! Property tests for exact money: every representation an amount takes on its way to a gateway
//! and back (decimal text, minor units, `google.type.Money`, debit's JSON number text, the
//! integer fen of TOP, partner and yian) round-trips exactly, and what cannot be carried
//! exactly is refused with an error that names the amount.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{json, Value};

use crate::connector::{Channel, PayRequest};
use crate::money::{Currency, GoogleMoney, Money, MoneyError};
use crate::{debit, partner, top, yian, Secrets};

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(vec!["CNY", "INR", "USD", "EUR", "HKD", "JPY"])
        .prop_map(|code| Currency::parse(code).unwrap())
}

fn any_money() -> impl Strategy<Value = Money> {
    (any::<i64>(), currency()).prop_map(|(minor, c)| Money::from_minor(minor, c))
}

/// The largest whole-unit value whose minor units still fit in an i64.
fn max_whole(c: Currency) -> i64 {
    i64::MAX / 10_i64.pow(c.exponent())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decimal_text_round_trips_every_minor_amount(money in any_money()) {
        let text = money.to_decimal_string();
        prop_assert_eq!(Money::parse(&text, money.currency), Ok(money));
        // Display adds only the symbol.
        prop_assert!(money.to_string().ends_with(&text));
    }

    #[test]
    fn decimal_text_reads_exactly_what_was_written(
        c in currency(),
        negative in any::<bool>(),
        whole in 0_i64..=1_000_000_000_000,
        fraction in 0_u32..100,
        trailing_zeros in 0_usize..4,
    ) {
        let exponent = c.exponent() as usize;
        let fraction = if exponent == 0 { 0 } else { fraction };
        let mut text = if exponent == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{fraction:0exponent$}")
        };
        if exponent > 0 {
            text.push_str(&"0".repeat(trailing_zeros));
        }
        if negative {
            text.insert(0, '-');
        }
        let expected = (whole * 10_i64.pow(c.exponent()) + i64::from(fraction))
            * if negative { -1 } else { 1 };
        let money = Money::parse(&text, c).unwrap();
        prop_assert_eq!(money.minor, expected);
        // Surrounding whitespace is tolerated, a leading '+' too.
        prop_assert_eq!(Money::parse(&format!("  {text}\t"), c), Ok(money));
        if !negative {
            prop_assert_eq!(Money::parse(&format!("+{text}"), c), Ok(money));
        }
    }

    #[test]
    fn google_money_round_trips_in_memory_and_as_json(money in any_money()) {
        let google = money.to_google();
        prop_assert!((-999_999_999..=999_999_999).contains(&google.nanos));
        prop_assert!(google.units == 0 || google.nanos == 0
            || (google.units > 0) == (google.nanos > 0));
        prop_assert_eq!(Money::from_google(&google), Ok(money));
        let text = serde_json::to_string(&google).unwrap();
        let back: GoogleMoney = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &google);
        // proto3 JSON may write int64 units as a number and the camelCase field name.
        let numeric = format!(
            r#"{{"currencyCode":"{}","units":{},"nanos":{}}}"#,
            google.currency_code, google.units, google.nanos
        );
        let back: GoogleMoney = serde_json::from_str(&numeric).unwrap();
        prop_assert_eq!(Money::from_google(&back), Ok(money));
    }

    #[test]
    fn google_money_with_sub_minor_nanos_is_refused(
        units in -1_000_000_i64..1_000_000,
        minor_nanos in 0_i32..100,
        extra in 1_i32..10_000_000,
    ) {
        // CNY's minor unit is 10,000,000 nanos: anything finer cannot be paid.
        let nanos = minor_nanos * 10_000_000 + extra;
        let (units, nanos) = if units < 0 { (units, -nanos) } else { (units, nanos) };
        let google = GoogleMoney { currency_code: "CNY".into(), units, nanos };
        let refused = Money::from_google(&google);
        prop_assert!(matches!(refused, Err(MoneyError::TooPrecise { .. })), "{refused:?}");
        prop_assert!(refused.unwrap_err().to_string().contains("decimal places"));
    }

    #[test]
    fn google_money_with_mixed_signs_is_refused(units in 1_i64..1_000_000, cents in 1_i32..100) {
        let nanos = cents * 10_000_000;
        for (u, n) in [(units, -nanos), (-units, nanos)] {
            let google = GoogleMoney { currency_code: "CNY".into(), units: u, nanos: n };
            let refused = Money::from_google(&google);
            prop_assert!(matches!(refused, Err(MoneyError::BadGoogleMoney(_))), "{refused:?}");
        }
    }

    #[test]
    fn google_money_units_beyond_i64_minor_are_refused(c in currency(), extra in 1_i64..1_000_000) {
        prop_assume!(c.exponent() > 0);
        let units = max_whole(c).saturating_add(extra);
        let google = GoogleMoney { currency_code: c.code().into(), units, nanos: 0 };
        prop_assert!(matches!(Money::from_google(&google), Err(MoneyError::Overflow(_))));
    }

    #[test]
    fn amounts_beyond_i64_are_refused_as_overflow(c in currency(), extra in 1_u64..u64::MAX / 2) {
        let whole = (max_whole(c) as u64).saturating_add(extra);
        let text = format!("{whole}");
        let refused = Money::parse(&text, c);
        prop_assert_eq!(refused.clone(), Err(MoneyError::Overflow(text.clone())));
        prop_assert!(refused.unwrap_err().to_string().contains(&text));
    }

    #[test]
    fn over_precise_amounts_are_refused(
        c in currency(),
        whole in 0_u32..1_000_000,
        digits in "[0-9]{0,6}",
        last in 1_u8..=9,
    ) {
        // One significant digit beyond the currency's exponent.
        let exponent = c.exponent() as usize;
        let mut fraction: String = digits.chars().chain(std::iter::repeat('0')).take(exponent).collect();
        fraction.push(char::from(b'0' + last));
        let text = format!("{whole}.{fraction}");
        let refused = Money::parse(&text, c);
        prop_assert!(matches!(&refused, Err(MoneyError::TooPrecise { digits, .. }) if *digits == c.exponent()),
            "{text}: {refused:?}");
        prop_assert!(refused.unwrap_err().to_string().contains(&text));
    }

    #[test]
    fn zero_and_negative_amounts_cannot_be_charged(c in currency(), minor in i64::MIN + 1..=0) {
        let text = Money::from_minor(minor, c).to_decimal_string();
        let refused = Money::parse_positive(&text, c);
        prop_assert_eq!(refused.clone(), Err(MoneyError::NotPositive(text.clone())));
        prop_assert!(refused.unwrap_err().to_string().contains("must be positive"));
    }

    #[test]
    fn any_text_parses_exactly_or_is_refused(text in ".{0,40}", c in currency()) {
        // Whatever comes in: a value that formats back to the same number, or a typed error.
        match Money::parse(&text, c) {
            Ok(money) => prop_assert_eq!(Money::parse(&money.to_decimal_string(), c), Ok(money)),
            Err(MoneyError::Empty) => prop_assert!(text.trim().is_empty()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn number_like_junk_is_never_read_as_an_amount(
        junk in prop::sample::select(vec![
            "1e3", "1E3", "0x10", "1_000", "1,5", "١٢", "１２", "12.", ".", "-", "+", "--1", "+-1",
            "1.2.3", "NaN", "inf", "-inf", "Infinity", "12 34", "1\u{0}", "¥12", "12元",
        ]),
        c in currency(),
    ) {
        prop_assert!(matches!(Money::parse(junk, c), Err(MoneyError::NotDecimal(_))),
            "{junk:?} was read");
    }

    /// Debit's `amount` is a JSON number written from the decimal text; `fiatAmount` is read
    /// back through the number's text. Every amount up to 15 significant digits survives a
    /// trip through a JSON double.
    #[test]
    fn debit_amount_number_round_trips_through_json(minor in 1_i64..=999_999_999_999_999) {
        let money = Money::from_minor(minor, Currency::INR);
        let number = debit::amount_number(&money).unwrap();
        prop_assert!(!number.contains('e') && !number.contains('E'));
        let body: Value = serde_json::from_str(&debit::set_body(&number, "k", None)).unwrap();
        let info = json!({ "fiatAmount": body["amount"].clone() });
        prop_assert_eq!(debit::fiat_amount(&info, Currency::INR), Ok(money));
    }

    #[test]
    fn debit_refuses_what_a_double_cannot_carry(
        minor in 1_000_000_000_000_000_i64..=i64::MAX,
        nonpositive in i64::MIN..=0,
    ) {
        prop_assume!(minor % 10 != 0);
        let too_long = debit::amount_number(&Money::from_minor(minor, Currency::INR));
        prop_assert!(too_long.unwrap_err().to_string().contains("significant digits"));
        let not_positive = debit::amount_number(&Money::from_minor(nonpositive, Currency::INR));
        prop_assert!(not_positive.unwrap_err().to_string().contains("must be positive"));
    }

    #[test]
    fn debit_fiat_amount_refuses_over_precise_and_non_decimal_numbers(
        whole in 0_u32..1_000_000,
        thousandths in 1_u32..1000,
    ) {
        prop_assume!(thousandths % 10 != 0);
        let info: Value =
            serde_json::from_str(&format!(r#"{{"fiatAmount": {whole}.{thousandths:03}}}"#)).unwrap();
        let read = debit::fiat_amount(&info, Currency::INR);
        prop_assert!(matches!(read, Err(MoneyError::TooPrecise { .. })), "{:?}", read);
        for bad in [json!(-1.5), json!("12.00"), json!(null), json!(1e300)] {
            let info = json!({ "fiatAmount": bad });
            prop_assert!(debit::fiat_amount(&info, Currency::INR).is_err(), "{}", info);
        }
    }

    /// TOP carries integer fen: the balance and credit parts add up to the amount, exactly.
    #[test]
    fn top_request_param_carries_integer_fen(
        minor in 1_i64..=i64::MAX,
        credit_share in 0_u32..=100,
        channel in prop::sample::select(vec![Channel::Balance, Channel::Credit]),
    ) {
        let credit = (i128::from(minor) * i128::from(credit_share) / 100) as i64;
        let mut request = top_request(Money::from_minor(minor, Currency::CNY));
        request.channel = channel;
        request.credit_amount = (credit > 0).then(|| Money::from_minor(credit, Currency::CNY));
        let built = top::Top
            .build_pay_at("https://gw.example", &request, &Secrets::new().with("app_secret", "s"),
                chrono::DateTime::UNIX_EPOCH)
            .unwrap();
        let param = top_request_param(built.body());
        let balance = param["balance_pay_amount"].as_i64().unwrap();
        let credit_paid = param.get("credit_pay_amount").map_or(0, |v| v.as_i64().unwrap());
        prop_assert_eq!(i128::from(balance) + i128::from(credit_paid), i128::from(minor));
        prop_assert!(balance >= 0 && credit_paid >= 0);
    }

    #[test]
    fn top_refuses_zero_negative_and_oversized_credit(
        minor in i64::MIN..=0,
        total in 1_i64..1_000_000,
        over in 1_i64..1_000_000,
    ) {
        let secrets = Secrets::new().with("app_secret", "s");
        let at = chrono::DateTime::UNIX_EPOCH;
        let zero = top_request(Money::from_minor(minor, Currency::CNY));
        let refused = top::Top.build_pay_at("https://gw.example", &zero, &secrets, at).unwrap_err();
        prop_assert!(refused.to_string().contains("must be positive"));
        let mut split = top_request(Money::from_minor(total, Currency::CNY));
        split.credit_amount = Some(Money::from_minor(total + over, Currency::CNY));
        let refused = top::Top.build_pay_at("https://gw.example", &split, &secrets, at).unwrap_err();
        prop_assert!(refused.to_string().contains("more than"));
    }

    /// Partner's `order_price` and `deduct_price` are integer fen, as numbers or as strings.
    #[test]
    fn partner_prices_read_exactly(price in 0_i64..=i64::MAX, deduct_share in 0_u32..=100, as_text in any::<bool>()) {
        let deduct = (i128::from(price) * i128::from(deduct_share) / 100) as i64;
        let field = |v: i64| if as_text { json!(v.to_string()) } else { json!(v) };
        let info = partner::OrderInfo::from_value(&partner_order_info(field(price), field(deduct))).unwrap();
        prop_assert_eq!(info.charged(), Money::from_minor(price - deduct, Currency::CNY));
    }

    #[test]
    fn partner_prices_that_are_not_int64_are_unreadable(
        bad in prop::sample::select(vec![
            json!(1.5), json!("1.5"), json!("12元"), json!(""), json!(true), json!([]), json!({}),
            json!(9_223_372_036_854_775_808_u64), json!("9223372036854775808"),
        ]),
    ) {
        prop_assert!(partner::OrderInfo::from_value(&partner_order_info(bad.clone(), json!(0))).is_err());
        prop_assert!(partner::OrderInfo::from_value(&partner_order_info(json!(100), bad)).is_err());
    }

    /// A charge of less than nothing, or a deduction larger than the price, is not an answer
    /// to read as paid.
    #[test]
    fn partner_impossible_prices_leave_the_payment_unknown(
        price in i64::MIN..=i64::MAX,
        deduct in i64::MIN..=i64::MAX,
    ) {
        prop_assume!(price < 0 || deduct < 0 || deduct > price);
        let body = json!({"code": 1, "msg": "ok", "result": {
            "order_info": partner_order_info(json!(price), json!(deduct)),
        }});
        let response = http::Response::builder()
            .status(200)
            .body(serde_json::to_vec(&body).unwrap())
            .unwrap();
        let outcome = crate::Connector::parse_pay(&partner::Partner, &response);
        prop_assert!(
            matches!(&outcome, crate::PayOutcome::Unknown(e) if e.code == "MALFORMED_RESPONSE"),
            "{:?}", outcome
        );
    }

    /// Yian's (Ping++) charge `amount` is integer fen with a lowercase currency.
    #[test]
    fn yian_charge_amount_reads_exactly(minor in 0_i64..=i64::MAX) {
        let charge = yian::Charge::from_value(&yian_charge(json!(minor), "cny")).unwrap();
        prop_assert_eq!(charge.money(), Ok(Money::from_minor(minor, Currency::CNY)));
    }

    #[test]
    fn yian_charge_with_a_bad_amount_is_unreadable(
        bad in prop::sample::select(vec![
            json!(-1), json!(i64::MIN), json!(1.5), json!("100"), json!(null),
            json!(9_223_372_036_854_775_808_u64),
        ]),
    ) {
        prop_assert!(yian::Charge::from_value(&yian_charge(bad, "cny")).is_err());
    }
}

#[test]
fn errors_quote_at_most_a_short_head_of_a_huge_input() {
    let huge = "9".repeat(1 << 20);
    for refused in [
        Money::parse(&huge, Currency::CNY).unwrap_err(),
        Money::parse(&format!("x{huge}"), Currency::CNY).unwrap_err(),
        Money::parse(&format!("1.{huge}"), Currency::CNY).unwrap_err(),
        Currency::parse(&huge).unwrap_err(),
    ] {
        let shown = refused.to_string();
        assert!(shown.len() < 200, "{} bytes", shown.len());
        assert!(shown.contains("1048"), "{shown}");
    }
}

#[test]
fn yian_charge_in_an_unknown_currency_is_unreadable() {
    let refused = yian::Charge::from_value(&yian_charge(json!(100), "xts")).unwrap_err();
    assert!(refused.contains("xts"), "{refused}");
}

#[test]
fn errors_name_the_amount_and_the_rule() {
    let cny = Currency::CNY;
    let shown = |r: Result<Money, MoneyError>| r.unwrap_err().to_string();
    assert_eq!(shown(Money::parse("  ", cny)), "amount is empty");
    assert_eq!(
        shown(Money::parse("1.234", cny)),
        "amount \"1.234\" has more than 2 decimal places for CNY"
    );
    assert_eq!(
        shown(Money::parse("92233720368547758.08", cny)),
        "amount \"92233720368547758.08\" is too large"
    );
    assert_eq!(
        shown(Money::parse_positive("0", cny)),
        "amount must be positive, got 0"
    );
    assert_eq!(
        shown(Money::parse("1e3", cny)),
        "amount \"1e3\" is not a decimal number like 12.34"
    );
}

fn top_request(amount: Money) -> PayRequest {
    let settings: BTreeMap<String, String> = [
        ("app_key", "12345678"),
        ("tenant_id", "1"),
        ("charge_item_code", "ci"),
        ("category_code", "cat"),
        ("commodity_code", "com"),
        ("user_country", "CHINA"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    PayRequest {
        order_no: "A-1".into(),
        amount,
        subject: "s".into(),
        channel: Channel::Balance,
        idempotency_key: "key".into(),
        deductions: vec![],
        settings,
        attributes: BTreeMap::new(),
        coupon: None,
        credit_amount: None,
        subscription_refunds: Vec::new(),
    }
}

fn top_request_param(body: &[u8]) -> Value {
    let body = std::str::from_utf8(body).unwrap();
    let encoded = body
        .split('&')
        .find_map(|pair| pair.strip_prefix("request_param="))
        .unwrap();
    let spaced = encoded.replace('+', " ");
    let decoded = percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .unwrap();
    serde_json::from_str(&decoded).unwrap()
}

fn partner_order_info(price: Value, deduct: Value) -> Value {
    json!({
        "order_no": "P1", "id": 7, "order_status": 1, "pay_type": 1,
        "order_price": price, "deduct_price": deduct,
        "user_id": "u", "gift_pos_id": "g",
    })
}

fn yian_charge(amount: Value, currency: &str) -> Value {
    json!({
        "id": "ch_1", "object": "charge", "created": 1, "paid": true, "channel": "alipay",
        "order_no": "A-1", "amount": amount, "currency": currency,
    })
}
