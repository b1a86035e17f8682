//! Customers' personal data in gateways' raw answers: the partner's `order_info` names the
//! buyer and the receiver with their phones and an address, 益安's charge metadata a buyer's
//! phone. An order's payments reach the window and the command line with those values hidden
//! (`app::lookups`, `app::payments`); a person who asks sees them once the audit trail has
//! recorded it (`app::audit`). The window never holds them until then.

use serde_json::Value;

use crate::report::OrderDetail;

/// What stands in for a hidden value.
pub const HIDDEN: &str = "•••";

/// Parts of a key whose value identifies or reaches a person (`receieve` is the partner's own
/// spelling).
const PERSONAL: [&str; 10] = [
    "phone",
    "mobile",
    "address",
    "real_name",
    "receieve_name",
    "receive_name",
    "express_name",
    "id_no",
    "email",
    "buyer",
];

/// Whether a key's value is personal data.
fn is_personal(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    PERSONAL.iter().any(|part| key.contains(part))
}

/// `text` with every personal value hidden, or `None` when it holds none (text that is not a
/// JSON object or array holds none).
pub fn hide(text: &str) -> Option<String> {
    let mut value: Value = serde_json::from_str(text).ok()?;
    if !value.is_object() && !value.is_array() {
        return None;
    }
    hide_in(&mut value).then(|| value.to_string())
}

/// Hides the personal values under `value`; whether there were any.
fn hide_in(value: &mut Value) -> bool {
    match value {
        Value::Array(items) => items.iter_mut().fold(false, |hid, v| hide_in(v) | hid),
        Value::Object(map) => map.iter_mut().fold(false, |hid, (key, inner)| {
            let filled = match inner {
                Value::Null | Value::Array(_) | Value::Object(_) => false,
                Value::String(s) => !s.is_empty(),
                Value::Bool(_) | Value::Number(_) => true,
            };
            if filled && is_personal(key) {
                *inner = Value::String(HIDDEN.to_string());
                true
            } else {
                hide_in(inner) | hid
            }
        }),
        _ => false,
    }
}

/// `detail` as a person reads it: its events' personal data hidden, each such event marked.
pub fn hidden(mut detail: OrderDetail) -> OrderDetail {
    for attempt in &mut detail.attempts {
        for event in &mut attempt.events {
            if let Some(shown) = event.detail.as_deref().and_then(hide) {
                event.detail = Some(shown);
                event.personal_data_hidden = true;
            }
        }
    }
    detail
}

/// The attempts of `detail` whose events hold personal data.
pub fn attempts_with_personal_data(detail: &OrderDetail) -> Vec<i64> {
    detail
        .attempts
        .iter()
        .filter(|a| {
            a.events
                .iter()
                .any(|e| e.detail.as_deref().is_some_and(|d| hide(d).is_some()))
        })
        .map(|a| a.attempt.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Case {
        text: String,
        /// The text's JSON once hidden, or absent when nothing is hidden.
        hidden: Option<Value>,
    }

    #[test]
    fn the_cases() {
        let cases: Vec<Case> =
            serde_json::from_str(include_str!("personal_data_cases.json")).unwrap();
        assert!(cases.len() >= 8);
        for case in cases {
            let shown = hide(&case.text).map(|s| serde_json::from_str::<Value>(&s).unwrap());
            assert_eq!(shown, case.hidden, "{}", case.text);
        }
    }

    #[test]
    fn the_partners_seed_answer_keeps_its_money_and_references_and_hides_its_people() {
        let seed = r#"{"order_no":"202201071757551641549475668","user_phone":"18569557087",
            "order_receieve_phone":"18578229023","order_receieve_name":"刘德华",
            "user_real_name":"张学友","order_receieve_address":"湖南省长沙市德思勤城市广场b5栋",
            "order_express_address":"","order_price":300,"deduct_price":0,"user_id_no":""}"#;
        let shown = hide(seed).unwrap();
        for person in ["18569557087", "18578229023", "刘德华", "张学友", "德思勤"] {
            assert!(!shown.contains(person), "{person} in {shown}");
        }
        let shown: Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(shown["order_price"], 300);
        assert_eq!(shown["order_no"], "202201071757551641549475668");
        assert_eq!(
            shown["order_express_address"], "",
            "nothing to hide in an empty value"
        );
    }
}
