//! Reading a profile's settings map: a setting given as blank counts as not given.

use std::collections::BTreeMap;

use crate::connector::BuildError;
use crate::invalid::{shown, Field, Invalid, Rule};

/// The setting, trimmed, when it holds anything.
pub(crate) fn optional<'a>(settings: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    settings
        .get(key)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

/// A setting the profile cannot work without.
pub(crate) fn required<'a>(
    settings: &'a BTreeMap<String, String>,
    key: &str,
) -> Result<&'a str, BuildError> {
    optional(settings, key).ok_or_else(|| BuildError::MissingSetting(key.into()))
}

/// A setting that must be a whole number.
pub(crate) fn integer(key: &str, value: &str) -> Result<i64, BuildError> {
    value.parse::<i64>().map_err(|_| {
        BuildError::Refused(Invalid::new(
            Field::Setting { key: key.into() },
            Rule::NotWholeNumber {
                value: shown(value),
            },
        ))
    })
}
