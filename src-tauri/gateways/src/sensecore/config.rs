//! A SenseCore profile read once: the bearer token, and the billing account vouchers are
//! drawn from.

use std::collections::BTreeMap;

use crate::connector::BuildError;
use crate::Secrets;

/// A SenseCore profile's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config<'a> {
    /// Needed only by a payment with vouchers, so a profile without one still saves.
    pub billing_account_id: Option<&'a str>,
}

impl<'a> Config<'a> {
    pub fn parse(given: &'a BTreeMap<String, String>) -> Result<Self, BuildError> {
        Ok(Config {
            billing_account_id: given
                .get("billing_account_id")
                .map(String::as_str)
                .filter(|v| !v.is_empty()),
        })
    }

    /// The billing account, for a payment that draws vouchers from it.
    pub fn billing_account_id(&self) -> Result<&'a str, BuildError> {
        self.billing_account_id
            .ok_or_else(|| BuildError::MissingSetting("billing_account_id".into()))
    }
}

/// A SenseCore profile's secrets.
pub struct Keys<'a> {
    pub token: &'a str,
}

impl<'a> Keys<'a> {
    pub fn parse(secrets: &'a Secrets) -> Result<Self, BuildError> {
        Ok(Keys {
            token: secrets.require("token")?,
        })
    }
}
