//! Field readers for answers written by hand-rolled backends: a number that arrives as text,
//! text that arrives as a number, a field of the wrong type that must read as absent rather
//! than sink the whole answer. Each is a `deserialize_with` function or a wrapper type, so the
//! structs that use them stay declarations.
//!
//! Leniency is only ever about how a value is written: an answer whose money or state cannot
//! be read exactly still fails to read.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeOwned, Error, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A string, or a JSON number kept as its text; `null` reads as empty.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Ok(String::new()),
        other => Err(D::Error::custom(format!(
            "expected a string or a number, got {other}"
        ))),
    }
}

/// A string, or a JSON integer read exactly (a float would have lost digits).
pub(crate) fn integer_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) if n.is_u64() || n.is_i64() => Ok(n.to_string()),
        other => Err(D::Error::custom(format!(
            "expected a string or an exact integer, got {other}"
        ))),
    }
}

/// An integer written either way: a JSON integer, or a string holding one (spaces around it
/// allowed).
#[derive(Deserialize)]
#[serde(untagged)]
enum IntegerWritten {
    Number(i64),
    Text(String),
}

impl IntegerWritten {
    fn value(self) -> Option<i64> {
        match self {
            IntegerWritten::Number(n) => Some(n),
            IntegerWritten::Text(s) => s.trim().parse().ok(),
        }
    }
}

/// A JSON integer or a string of one; `300.0` is not an integer.
pub(crate) fn integer<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let value = Value::deserialize(d)?;
    IntegerWritten::deserialize(&value)
        .ok()
        .and_then(IntegerWritten::value)
        .ok_or_else(|| D::Error::custom(format!("expected an integer, got {value}")))
}

/// [`integer`], or `None` for anything else.
pub(crate) fn integer_or_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(or_none::<_, IntegerWritten>(d)?.and_then(IntegerWritten::value))
}

/// `T` when the value has its type, `None` when it has another (`null` included): for a field
/// whose absence the reader checks and words itself.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OrNone<T>(pub Option<T>);

impl<'de, T: DeserializeOwned> Deserialize<'de> for OrNone<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(OrNone(T::deserialize(Value::deserialize(d)?).ok()))
    }
}

/// [`OrNone`] as a `deserialize_with` function.
pub(crate) fn or_none<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    OrNone::deserialize(d).map(|read| read.0)
}

/// Non-empty text, or a number as its text; anything else is `None`.
pub(crate) fn text_or_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) if !s.is_empty() => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// `Some` whenever the key is there, even as `null`, so that "missing" and "not what it
/// should be" stay two different complaints.
pub(crate) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A JSON object read into `T`, and nothing else: serde would otherwise read a struct from an
/// array whose items line up with its fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Object<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Object)
            }
        }
        d.deserialize_map(ObjectVisitor(PhantomData))
    }
}

/// A value read into `T`, with the JSON exactly as the gateway wrote it beside it: what a
/// [`Receipt::detail`](crate::Receipt::detail) keeps.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Kept<T> {
    pub raw: Value,
    pub read: T,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Kept<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Value::deserialize(d)?;
        let read = T::deserialize(&raw).map_err(D::Error::custom)?;
        Ok(Kept { raw, read })
    }
}
