//! A debit profile read once: its wire version and the settings that version needs, and the
//! access key every version encrypts or authenticates with.

use std::collections::BTreeMap;

use crate::common::settings;
use crate::connector::BuildError;
use crate::invalid::{shown, Field, Invalid, Rule};
use crate::{Currency, Secrets};

/// Which of the two documented wire versions a profile speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V1,
    V2,
}

/// What a profile without an `api_version` setting speaks (see the module docs for why).
pub const DEFAULT_API_VERSION: ApiVersion = ApiVersion::V1;

impl ApiVersion {
    pub fn from_settings(settings: &BTreeMap<String, String>) -> Result<Self, BuildError> {
        match settings.get("api_version").map(|v| v.trim()) {
            None | Some("") => Ok(DEFAULT_API_VERSION),
            Some(v) if v.eq_ignore_ascii_case("v1") => Ok(ApiVersion::V1),
            Some(v) if v.eq_ignore_ascii_case("v2") => Ok(ApiVersion::V2),
            Some(other) => Err(setting(
                "api_version",
                Rule::OneOf {
                    value: shown(other),
                    allowed: vec!["v1".into(), "v2".into()],
                },
            )),
        }
    }
}

/// A setting of the profile's that `rule` refuses.
fn setting(key: &str, rule: Rule) -> BuildError {
    BuildError::Refused(Invalid::new(Field::Setting { key: key.into() }, rule))
}

/// How a profile reaches the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version<'a> {
    V1,
    /// V2 authenticates with the merchant id.
    V2 {
        merchant_id: &'a str,
    },
}

/// A debit profile's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config<'a> {
    pub version: Version<'a>,
    pub callback_url: Option<&'a str>,
    /// The payout account's currency: INR unless the profile names another.
    pub currency: Currency,
}

impl<'a> Config<'a> {
    pub fn parse(given: &'a BTreeMap<String, String>) -> Result<Self, BuildError> {
        let version = match ApiVersion::from_settings(given)? {
            ApiVersion::V1 => Version::V1,
            ApiVersion::V2 => Version::V2 {
                merchant_id: merchant_id(given)?,
            },
        };
        Ok(Config {
            version,
            callback_url: callback_url(given)?,
            currency: account_currency(given)?,
        })
    }
}

fn merchant_id(given: &BTreeMap<String, String>) -> Result<&str, BuildError> {
    let id = settings::required(given, "merchant_id")?;
    if !id.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(setting("merchant_id", Rule::NotPrintableAscii));
    }
    Ok(id)
}

fn callback_url(given: &BTreeMap<String, String>) -> Result<Option<&str>, BuildError> {
    let Some(url) = settings::optional(given, "callback_url") else {
        return Ok(None);
    };
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(setting("callback_url", Rule::NotHttp));
    }
    Ok(Some(url))
}

pub(super) fn account_currency(given: &BTreeMap<String, String>) -> Result<Currency, BuildError> {
    match settings::optional(given, "currency") {
        None => Ok(Currency::INR),
        Some(code) => Currency::parse(code)
            .map_err(|_| setting("currency", Rule::UnknownCurrency { value: shown(code) })),
    }
}

/// The access key, checked to be the 32 printable ASCII characters AES-256 is keyed by. The
/// error never contains the key.
pub fn access_key(secrets: &Secrets) -> Result<&str, BuildError> {
    let key = secrets.require("access_key")?;
    checked_access_key(key)
}

/// [`access_key`] for a key already in hand (a callback's reader).
pub(super) fn checked_access_key(key: &str) -> Result<&str, BuildError> {
    if key.is_empty() {
        return Err(BuildError::MissingSecret("access_key".into()));
    }
    if key.len() != 32 || !key.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return Err(BuildError::Invalid(format!(
            "secret access_key must be exactly 32 printable ASCII characters (got {} bytes)",
            key.len()
        )));
    }
    Ok(key)
}
