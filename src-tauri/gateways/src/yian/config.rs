//! A yian profile read once. It has no settings; its one secret is a DRF token key, checked
//! for its form before anything is sent.

use crate::connector::BuildError;
use crate::Secrets;

/// A yian profile's secrets.
pub struct Keys<'a> {
    /// 40 hexadecimal characters.
    pub token: &'a str,
}

impl<'a> Keys<'a> {
    pub fn parse(secrets: &'a Secrets) -> Result<Self, BuildError> {
        let token = secrets.require("token")?;
        if token.len() != 40 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(BuildError::Invalid(
                "the yian token must be a DRF token key: 40 hexadecimal characters".into(),
            ));
        }
        Ok(Keys { token })
    }
}
