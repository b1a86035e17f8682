use super::*;

#[test]
fn reads_one_encoded_segment() {
    assert_eq!(
        order_segment("/sensecore/v1/orders/A%2FB%3A%20c:pay"),
        Some(("A/B: c".into(), true))
    );
    assert_eq!(order_segment("/v1/orders/o1"), Some(("o1".into(), false)));
    assert_eq!(order_segment("/v1/orders/a/b:pay"), None);
}

#[test]
fn reads_money_with_sign_rules() {
    assert_eq!(
        money_nanos(&json!({"currency_code":"CNY","units":"-1","nanos":-750000000}))
            .unwrap()
            .1,
        -1_750_000_000
    );
    assert!(money_nanos(&json!({"units":"1","nanos":-1})).is_err());
    assert!(money_nanos(&json!({"units":1,"nanos":1_000_000_000})).is_err());
}
