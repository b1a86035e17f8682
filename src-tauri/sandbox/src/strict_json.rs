//! JSON as the emulators read it: a body that names a key twice in one object is refused. A
//! parsed `Value` keeps one of the two silently (which one differs from server to server), so
//! such a request means two things at once; no client paydesk speaks for sends one.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// Not JSON at all (serde_json's message: it never quotes the input).
    Syntax(String),
    /// An object names this key twice (cut to a short head).
    DuplicateKey(String),
}

/// Parses `bytes` as JSON, refusing a key given twice in any object.
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, JsonError> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| JsonError::Syntax(e.to_string()))?;
    // A second pass, over the same text, only for duplicate keys: numbers, escapes and depth
    // are serde_json's own business (its recursion limit holds here too).
    let mut check = serde_json::Deserializer::from_slice(bytes);
    match KeysOnce::deserialize(&mut check) {
        Ok(KeysOnce) => Ok(value),
        Err(e) => {
            // "duplicate key k at line 1 column 9": the key as the visitor quoted it.
            let text = e.to_string();
            let text = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(head, _)| head);
            Err(JsonError::DuplicateKey(
                text.strip_prefix(DUPLICATE).unwrap_or(text).to_string(),
            ))
        }
    }
}

const DUPLICATE: &str = "duplicate key ";

/// Walks a JSON value, failing at the first object that names a key twice.
struct KeysOnce;

impl<'de> Deserialize<'de> for KeysOnce {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeysOnceVisitor)
    }
}

struct KeysOnceVisitor;

impl<'de> Visitor<'de> for KeysOnceVisitor {
    type Value = KeysOnce;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<KeysOnce, E> {
        Ok(KeysOnce)
    }
    fn visit_i64<E>(self, _: i64) -> Result<KeysOnce, E> {
        Ok(KeysOnce)
    }
    fn visit_u64<E>(self, _: u64) -> Result<KeysOnce, E> {
        Ok(KeysOnce)
    }
    fn visit_f64<E>(self, _: f64) -> Result<KeysOnce, E> {
        Ok(KeysOnce)
    }
    fn visit_str<E>(self, _: &str) -> Result<KeysOnce, E> {
        Ok(KeysOnce)
    }
    fn visit_unit<E>(self) -> Result<KeysOnce, E> {
        Ok(KeysOnce)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<KeysOnce, A::Error> {
        while seq.next_element::<KeysOnce>()?.is_some() {}
        Ok(KeysOnce)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeysOnce, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!(
                    "{DUPLICATE}{}",
                    crate::clip(&key)
                )));
            }
            map.next_value::<KeysOnce>()?;
        }
        Ok(KeysOnce)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_anywhere_is_refused() {
        assert_eq!(parse(br#"{"a":1,"b":[{"c":2}]}"#).unwrap()["b"][0]["c"], 2);
        assert_eq!(
            parse(br#"{"a":1,"a":1}"#),
            Err(JsonError::DuplicateKey("a".into()))
        );
        assert!(matches!(
            parse(br#"[{"x":{"y":1,"y":2}}]"#),
            Err(JsonError::DuplicateKey(_))
        ));
        // The same key in two objects is no duplicate.
        assert!(parse(br#"[{"a":1},{"a":2}]"#).is_ok());
        assert!(matches!(parse(b"{"), Err(JsonError::Syntax(_))));
        let huge = format!(r#"{{"{k}":1,"{k}":2}}"#, k = "k".repeat(1 << 20));
        match parse(huge.as_bytes()) {
            Err(JsonError::DuplicateKey(key)) => assert!(key.len() < 100, "{}", key.len()),
            other => panic!("{other:?}"),
        }
    }
}
