//! A partner profile read once. It has no settings (each order names its user, gift pack and
//! address); its one secret keys the sign.

use super::SIGN_KEY;
use crate::connector::BuildError;
use crate::Secrets;

/// A partner profile's secrets.
pub struct Keys<'a> {
    pub sign_key: &'a str,
}

impl<'a> Keys<'a> {
    pub fn parse(secrets: &'a Secrets) -> Result<Self, BuildError> {
        Ok(Keys {
            sign_key: secrets.require(SIGN_KEY)?,
        })
    }
}
