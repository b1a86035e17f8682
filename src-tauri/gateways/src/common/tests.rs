use chrono::{TimeZone, Utc};
use serde::Deserialize;
use serde_json::json;

use super::answer::{json_object, BodyError};
use super::lenient::{self, Kept, Object};
use super::*;

#[derive(Debug, Deserialize, PartialEq)]
struct Fields {
    #[serde(default, deserialize_with = "lenient::text")]
    text: String,
    #[serde(default, deserialize_with = "lenient::integer")]
    integer: i64,
    #[serde(default, deserialize_with = "lenient::or_none")]
    flag: Option<bool>,
    #[serde(default, deserialize_with = "lenient::text_or_none")]
    label: Option<String>,
}

fn fields(value: serde_json::Value) -> Result<Fields, serde_json::Error> {
    Fields::deserialize(value)
}

#[test]
fn text_and_integers_are_read_however_they_are_written() {
    let read = fields(json!({"text": 12, "integer": " 300 ", "flag": true, "label": 7})).unwrap();
    assert_eq!(
        read,
        Fields {
            text: "12".into(),
            integer: 300,
            flag: Some(true),
            label: Some("7".into()),
        }
    );
    assert_eq!(fields(json!({"text": null})).unwrap().text, "");
    assert!(fields(json!({"text": [1]})).is_err());
    assert!(fields(json!({"integer": 300.0})).is_err());
    assert!(fields(json!({"integer": "3x"})).is_err());
}

#[test]
fn a_field_of_the_wrong_type_reads_as_absent_where_the_reader_says_so() {
    let read = fields(json!({"flag": "true", "label": ""})).unwrap();
    assert_eq!((read.flag, read.label), (None, None));
    assert_eq!(fields(json!({"label": {"a": 1}})).unwrap().label, None);
}

#[derive(Debug, Deserialize, PartialEq)]
struct Pair {
    a: i64,
    b: i64,
}

#[test]
fn an_object_is_never_read_from_an_array() {
    assert!(
        serde_json::from_value::<Pair>(json!([1, 2])).is_ok(),
        "serde would"
    );
    assert!(serde_json::from_value::<Object<Pair>>(json!([1, 2])).is_err());
    assert_eq!(
        serde_json::from_value::<Object<Pair>>(json!({"a": 1, "b": 2})).unwrap(),
        Object(Pair { a: 1, b: 2 })
    );
    assert!(matches!(
        json_object::<Pair>(b"[1, 2]"),
        Err(BodyError::NotAnObject)
    ));
    assert!(matches!(
        json_object::<Pair>(b"nope"),
        Err(BodyError::NotJson(_))
    ));
    assert!(matches!(
        json_object::<Pair>(br#"{"a": "1"}"#),
        Err(BodyError::Unreadable(_))
    ));
}

#[test]
fn a_kept_value_holds_the_json_as_sent() {
    let sent = json!({"a": 1, "b": 2, "extra": [true]});
    let kept: Kept<Pair> = serde_json::from_value(sent.clone()).unwrap();
    assert_eq!(kept.raw, sent);
    assert_eq!(kept.read, Pair { a: 1, b: 2 });
}

#[test]
fn gmt8_timestamps_are_eight_hours_ahead_of_utc() {
    let t = Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap();
    assert_eq!(gmt8::timestamp(t), "2025-01-01 00:00:00");
}

#[test]
fn a_refusal_is_failed_unless_it_may_have_been_carried_out() {
    use crate::connector::{GatewayError, PayOutcome, RetryClass};
    for (retry, failed) in [
        (RetryClass::Not, true),
        (RetryClass::Safe, true),
        (RetryClass::Unknown, false),
    ] {
        let outcome = answer::refusal(GatewayError::new("c", "m", retry));
        assert_eq!(matches!(outcome, PayOutcome::Failed(_)), failed);
        assert_eq!(matches!(outcome, PayOutcome::Unknown(_)), !failed);
    }
}
