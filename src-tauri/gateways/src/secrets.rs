//! The secrets a connector signs with. Values are `secrecy` boxes: they never appear in
//! `Debug` output, and exposing one is an explicit, greppable act.

use std::collections::BTreeMap;
use std::fmt;

use secrecy::{ExposeSecret, SecretString};

#[derive(Default, Clone)]
pub struct Secrets {
    values: BTreeMap<String, SecretString>,
}

impl Secrets {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, key: impl Into<String>, value: SecretString) {
        self.values.insert(key.into(), value);
    }

    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(key, SecretString::from(value.into()));
        self
    }

    pub fn get(&self, key: &str) -> Option<&SecretString> {
        self.values.get(key)
    }

    /// A secret the request cannot be built without: its value, or a refusal naming it.
    pub fn require(&self, key: &str) -> Result<&str, crate::BuildError> {
        self.expose(key)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| crate::BuildError::MissingSecret(key.to_string()))
    }

    /// The secret's value, for the one moment a connector writes it into a request.
    pub fn expose(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|v| v.expose_secret())
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.values.keys().map(|k| (k, "[REDACTED]")))
            .finish()
    }
}

/// A header value that carries a secret (`Bearer …`, `Token …`), marked sensitive so the
/// request's `Debug` output and HTTP/2 header compression leave it out.
pub fn secret_header(value: String) -> Result<http::HeaderValue, crate::BuildError> {
    let mut header = http::HeaderValue::try_from(value).map_err(|_| {
        crate::BuildError::Invalid("a secret is not valid in an HTTP header".into())
    })?;
    header.set_sensitive(true);
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_values() {
        let secrets = Secrets::new().with("token", "s3cr3t-canary");
        let shown = format!("{secrets:?} {secrets:#?}");
        assert!(!shown.contains("s3cr3t-canary"));
        assert!(shown.contains("token"));
        assert_eq!(secrets.expose("token"), Some("s3cr3t-canary"));
    }
}
