//! A TOP profile read once: its settings when it is saved and at every call, its secrets when
//! a request is signed.

use std::collections::BTreeMap;

use super::SignMethod;
use crate::common::settings;
use crate::connector::BuildError;
use crate::invalid::{shown, Field, Invalid, Rule};
use crate::Secrets;

/// The settings a profile must hold, in the order a missing one is named.
pub(super) const REQUIRED_SETTINGS: [&str; 6] = [
    "app_key",
    "tenant_id",
    "charge_item_code",
    "category_code",
    "commodity_code",
    "user_country",
];

/// A TOP profile's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config<'a> {
    pub app_key: &'a str,
    /// Sent as a JSON integer (the seed types it Number).
    pub tenant_id: i64,
    pub charge_item_code: &'a str,
    pub category_code: &'a str,
    pub commodity_code: &'a str,
    pub user_country: &'a str,
    /// `md5` when the profile names none.
    pub sign_method: SignMethod,
    pub credit_account_id: Option<i64>,
    /// The account the payment is booked to (`huijin_account_id`), sent as a JSON integer.
    pub huijin_account_id: Option<i64>,
    pub partner_id: Option<&'a str>,
}

impl<'a> Config<'a> {
    /// Every required setting present, then every one that must read as something reads.
    pub fn parse(given: &'a BTreeMap<String, String>) -> Result<Self, BuildError> {
        for key in REQUIRED_SETTINGS {
            settings::required(given, key)?;
        }
        let tenant_id = settings::integer("tenant_id", settings::required(given, "tenant_id")?)?;
        let credit_account_id = settings::optional(given, "credit_account_id")
            .map(|id| settings::integer("credit_account_id", id))
            .transpose()?;
        let huijin_account_id = settings::optional(given, "huijin_account_id")
            .map(|id| settings::integer("huijin_account_id", id))
            .transpose()?;
        let sign_method = match settings::optional(given, "sign_method") {
            None => SignMethod::Md5,
            Some(name) => SignMethod::parse(name).ok_or_else(|| {
                BuildError::Refused(Invalid::new(
                    Field::Setting {
                        key: "sign_method".into(),
                    },
                    Rule::OneOf {
                        value: shown(name),
                        allowed: vec!["md5".into(), "hmac".into(), "hmac-sha256".into()],
                    },
                ))
            })?,
        };
        Ok(Config {
            app_key: settings::required(given, "app_key")?,
            tenant_id,
            charge_item_code: settings::required(given, "charge_item_code")?,
            category_code: settings::required(given, "category_code")?,
            commodity_code: settings::required(given, "commodity_code")?,
            user_country: settings::required(given, "user_country")?,
            sign_method,
            credit_account_id,
            huijin_account_id,
            partner_id: settings::optional(given, "partner_id"),
        })
    }
}

/// A TOP profile's secrets.
pub struct Keys<'a> {
    pub app_secret: &'a str,
    /// Sent only when the profile holds one.
    pub session: Option<&'a str>,
}

impl<'a> Keys<'a> {
    pub fn parse(secrets: &'a Secrets) -> Result<Self, BuildError> {
        Ok(Keys {
            app_secret: secrets.require("app_secret")?,
            session: secrets.expose("session").filter(|s| !s.is_empty()),
        })
    }
}
