//! The rule every gateway profile's base URL obeys, enforced by the store for every path that
//! creates or edits a profile (the command line, the window, the built-in sandbox): `https`,
//! unless the gateway runs on this machine (a loopback host), because a payment request
//! carries the profile's credentials and a plain-HTTP hop to another machine would expose them.

use std::net::IpAddr;

use paydesk_gateways::invalid::{Field, Rule};
use paydesk_gateways::Invalid;

/// Why a base URL is refused, for the person who typed it; `Ok` when it may be used.
pub fn check(base_url: &str) -> Result<(), Invalid> {
    check_url(base_url).map_err(|rule| Invalid::new(Field::BaseUrl, rule))
}

/// The profile setting naming a proxy its gateway traffic goes through. Nothing else ever
/// sends paydesk's requests through a proxy (not the environment's HTTP_PROXY).
pub const PROXY_SETTING: &str = "proxy";

/// A profile's proxy, where it names one: the same rule as a base URL (https unless on this
/// machine, no credentials in it), since every request and its credentials pass through it.
pub fn proxy(
    settings: &std::collections::BTreeMap<String, String>,
) -> Result<Option<&str>, Invalid> {
    match settings.get(PROXY_SETTING).map(|p| p.as_str()) {
        None | Some("") => Ok(None),
        Some(proxy) => check_url(proxy)
            .map(|()| Some(proxy))
            .map_err(|rule| Invalid::new(Field::Proxy, rule)),
    }
}

/// The longest URL a profile may name.
const MAX_URL_CHARS: u32 = 2048;

/// The rule for a URL a profile's requests go to.
fn check_url(url: &str) -> Result<(), Rule> {
    if url.is_empty() {
        return Err(Rule::Blank);
    }
    if url.len() > MAX_URL_CHARS as usize {
        return Err(Rule::TooLong { max: MAX_URL_CHARS });
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Rule::SpacesOrControlCharacters);
    }
    if let Some(rule) = paydesk_gateways::base_url_problem(url) {
        return Err(rule);
    }
    let uri: http::Uri = url.parse().map_err(|_| Rule::NotUrl)?;
    let authority = uri.authority().ok_or(Rule::NoHost)?;
    if authority.as_str().contains('@') {
        // user:password@host would keep a credential in the database and in every listing.
        return Err(Rule::CarriesCredentials);
    }
    let host = authority.host();
    if host.is_empty() {
        return Err(Rule::NoHost);
    }
    let https = uri
        .scheme_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("https"));
    if !https && !is_loopback_host(host) {
        return Err(Rule::HttpsUnlessLoopback);
    }
    Ok(())
}

/// Refuses a base URL in one of the gateway's own test domains
/// ([`paydesk_gateways::Connector::test_domains`]): its payments would be counted as money.
pub fn check_not_test_environment(base_url: &str, test_domains: &[&str]) -> Result<(), Invalid> {
    let host = base_url.parse::<http::Uri>().ok().and_then(|uri| {
        uri.host()
            .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
    });
    let in_test = host.is_some_and(|host| {
        test_domains
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
    });
    if in_test {
        return Err(Invalid::new(Field::BaseUrl, Rule::GatewayTestEnvironment));
    }
    Ok(())
}

/// `localhost` or a loopback address (127.0.0.0/8, ::1); `host` as `http::Uri` gives it, IPv6 in
/// brackets.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::store::{NewProfile, Store, StoreError};

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        for ok in [
            "https://gw.example",
            "https://gw.example:8443/prefix/",
            "HTTPS://GW.EXAMPLE",
            "http://127.0.0.1:9",
            "http://127.8.9.10/sc",
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://[::1]:9/x",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("http://gw.example", "must use https"),
            ("http://10.0.0.1", "must use https"),
            ("http://[::2]:9", "must use https"),
            ("http://localhost.evil.example", "must use https"),
            ("http://127.0.0.1.evil.example", "must use https"),
            ("http://127.0.0.1@evil.example", "user name or password"),
            ("https://user:pw@gw.example", "user name or password"),
            ("ftp://gw.example", "http:// or https://"),
            ("file:///etc/passwd", "http:// or https://"),
            ("javascript:alert(1)", "http:// or https://"),
            ("../../etc/passwd", "http:// or https://"),
            ("https://gw.example/?a=1", "query or fragment"),
            ("https://gw.example/#x", "query or fragment"),
            ("https://", "not a URL"),
            ("", "empty"),
            (" https://gw.example", "spaces or control"),
            ("https://gw.example/\u{0}", "spaces or control"),
            ("https://gw.example/\n", "spaces or control"),
        ] {
            let refused = check(bad).expect_err(bad).to_string();
            assert!(refused.contains(why), "{bad:?}: {refused}");
        }
        assert!(check(&format!("https://gw.example/{}", "a".repeat(1 << 20))).is_err());
    }

    fn profile(name: &str, base_url: &str) -> NewProfile {
        NewProfile {
            name: name.into(),
            gateway: "sensecore".into(),
            base_url: base_url.into(),
            settings: BTreeMap::new(),
            is_sandbox: false,
        }
    }

    #[tokio::test]
    async fn the_store_refuses_to_create_or_edit_a_profile_with_a_plain_http_remote_url() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("paydesk.sqlite"))
            .await
            .unwrap();
        let refused = store
            .create_profile(&profile("remote", "http://gw.example"))
            .await
            .unwrap_err();
        assert!(matches!(refused, StoreError::Invalid(_)), "{refused}");
        assert!(refused.to_string().contains("must use https"), "{refused}");
        assert!(store.profiles().await.unwrap().is_empty());

        store
            .create_profile(&profile("shop", "https://gw.example"))
            .await
            .unwrap();
        let settings = BTreeMap::new();
        for bad in ["http://gw.example", "https://u:p@gw.example", "ftp://x"] {
            let refused = store
                .update_profile("shop", bad, &settings)
                .await
                .unwrap_err();
            assert!(matches!(refused, StoreError::Invalid(_)), "{bad}");
            let refused = store.set_profile_base_url("shop", bad).await.unwrap_err();
            assert!(matches!(refused, StoreError::Invalid(_)), "{bad}");
        }
        assert_eq!(
            store.profile("shop").await.unwrap().base_url,
            "https://gw.example"
        );
        store
            .set_profile_base_url("shop", "http://127.0.0.1:9/sc")
            .await
            .unwrap();
        assert_eq!(
            store.profile("shop").await.unwrap().base_url,
            "http://127.0.0.1:9/sc"
        );
    }

    #[tokio::test]
    async fn a_profiles_proxy_obeys_the_base_urls_rule() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("paydesk.sqlite"))
            .await
            .unwrap();
        let with_proxy = |name: &str, proxy: &str| NewProfile {
            settings: BTreeMap::from([(PROXY_SETTING.to_string(), proxy.to_string())]),
            ..profile(name, "https://gw.example")
        };
        for (bad, why) in [
            ("http://proxy.example:3128", "must use https"),
            (
                "https://user:pw@proxy.example:3128",
                "user name or password",
            ),
            ("socks5://proxy.example:1080", "http:// or https://"),
        ] {
            let refused = store
                .create_profile(&with_proxy("p", bad))
                .await
                .unwrap_err();
            assert!(refused.to_string().contains(why), "{bad}: {refused}");
            assert!(refused.to_string().contains("proxy"), "{bad}: {refused}");
        }
        assert!(store.profiles().await.unwrap().is_empty());
        for (name, ok) in [
            ("remote", "https://proxy.example:3128"),
            ("local", "http://127.0.0.1:3128"),
            ("none", ""),
        ] {
            store.create_profile(&with_proxy(name, ok)).await.unwrap();
        }
        let plain = BTreeMap::from([(PROXY_SETTING.to_string(), "http://proxy.example".into())]);
        assert!(store
            .update_profile("remote", "https://gw.example", &plain)
            .await
            .is_err());
    }
}
