//! The shared store's address as the merchant gives it to `store connect`:
//! `postgres://USER@HOST[:PORT]/DB[?sslmode=…&sslrootcert=FILE]`. Pure: the rules alone.
//!
//! - No password in it, anywhere: the password is read from standard input into the OS keyring,
//!   and the address is saved and shown as it was given.
//! - A server on another machine is reached with TLS that checks its certificate and host name
//!   (`sslmode=verify-full`); a weaker mode, or none, is refused. `sslrootcert=FILE` names the
//!   CA that signed the server's certificate where the system's roots do not.
//! - On this machine (localhost, 127.0.0.0/8, ::1) any `sslmode` the server accepts will do.

use std::net::IpAddr;
use std::path::PathBuf;

use sqlx::postgres::{PgConnectOptions, PgSslMode};

/// A shared store's address, checked.
#[derive(Debug, Clone)]
pub struct ServerUrl {
    /// As given (it holds no password): what is saved and shown.
    pub url: String,
    pub user: String,
    pub host: String,
    pub port: u16,
    pub database: String,
    /// `verify-full` for a server elsewhere; on this machine the mode given (PostgreSQL's
    /// default, `prefer`, without one).
    pub ssl_mode: PgSslMode,
    /// The CA file that signed the server's certificate, where the system's roots do not.
    pub root_cert: Option<PathBuf>,
}

const DEFAULT_PORT: u16 = 5432;

impl ServerUrl {
    pub fn parse(text: &str) -> Result<ServerUrl, String> {
        let text = text.trim();
        // Not quoted back: text that is not a URL may still hold a password (USER:PASSWORD@).
        let url = url::Url::parse(text).map_err(|e| {
            format!("the shared store's address is not a URL ({e}): postgres://USER@HOST[:PORT]/DB")
        })?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(format!(
                "the shared store's URL starts postgres:// (not {}://)",
                url.scheme()
            ));
        }
        if url.password().is_some() {
            return Err(
                "the URL carries a password: give the URL without it, and the password on standard input (it goes to the OS keyring)"
                    .into(),
            );
        }
        let user = percent_decoded(url.username())?;
        if user.is_empty() {
            return Err("the URL names no user: postgres://USER@HOST/DB".into());
        }
        let host = match url.host() {
            Some(url::Host::Domain(name)) => name.to_string(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err("the URL names no host: postgres://USER@HOST/DB".into()),
        };
        let database = percent_decoded(url.path().trim_start_matches('/'))?;
        if database.is_empty() || database.contains('/') {
            return Err("the URL names no database: postgres://USER@HOST/DB".into());
        }
        let mut mode = None;
        let mut root_cert = None;
        for (key, value) in url.query_pairs() {
            match &*key {
                "sslmode" => {
                    mode =
                        Some(value.parse::<PgSslMode>().map_err(|_| {
                            format!("sslmode {value:?} is not one PostgreSQL knows")
                        })?)
                }
                "sslrootcert" => root_cert = Some(PathBuf::from(&*value)),
                // A password (or anything else) smuggled in as a parameter is refused with the rest.
                other => {
                    return Err(format!(
                    "the URL's parameter {other:?} is not one paydesk takes (sslmode, sslrootcert)"
                ))
                }
            }
        }
        if !is_loopback(&host) && !matches!(mode, Some(PgSslMode::VerifyFull)) {
            return Err(format!(
                "{host} is not this machine: its connection must check the server's certificate and name (add ?sslmode=verify-full, and &sslrootcert=FILE for a CA of your own)"
            ));
        }
        Ok(ServerUrl {
            url: text.to_string(),
            user,
            host,
            port: url.port().unwrap_or(DEFAULT_PORT),
            database,
            ssl_mode: mode.unwrap_or(PgSslMode::Prefer),
            root_cert,
        })
    }

    /// What sqlx connects with: this address, and the password where there is one.
    pub fn connect_options(&self, password: Option<&str>) -> PgConnectOptions {
        let options = PgConnectOptions::new_without_pgpass()
            .host(&self.host)
            .port(self.port)
            .username(&self.user)
            .database(&self.database)
            .application_name("paydesk");
        let options = match password {
            Some(password) => options.password(password),
            None => options,
        };
        let options = options.ssl_mode(self.ssl_mode);
        match &self.root_cert {
            Some(file) => options.ssl_root_cert(file),
            None => options,
        }
    }
}

fn percent_decoded(text: &str) -> Result<String, String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map(|t| t.into_owned())
        .map_err(|_| format!("{text:?} is not UTF-8 once decoded"))
}

/// Whether `host` is this machine: a loopback address, or the name every system gives it.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_elsewhere_needs_its_certificate_and_name_checked() {
        use PgSslMode::*;
        let ca = || Some(PathBuf::from("/etc/shop/ca.pem"));
        /// What a URL becomes: its sslmode and CA file, or the start of the refusal.
        type Becomes = Result<(PgSslMode, Option<PathBuf>), &'static str>;
        let table: Vec<(&str, Becomes)> = vec![
            ("postgres://desk@127.0.0.1/shop", Ok((Prefer, None))),
            ("postgres://desk@localhost:5433/shop?sslmode=disable", Ok((Disable, None))),
            ("postgres://desk@[::1]/shop", Ok((Prefer, None))),
            ("postgres://desk@127.8.9.10/shop?sslmode=require", Ok((Require, None))),
            (
                "postgres://desk@localhost/shop?sslmode=verify-full&sslrootcert=/etc/shop/ca.pem",
                Ok((VerifyFull, ca())),
            ),
            ("postgres://desk@db.shop.example/shop?sslmode=verify-full", Ok((VerifyFull, None))),
            (
                "postgresql://desk@10.0.0.5:6432/shop?sslmode=verify-full&sslrootcert=/etc/shop/ca.pem",
                Ok((VerifyFull, ca())),
            ),
            ("postgres://desk@db.shop.example/shop", Err("db.shop.example is not this machine")),
            ("postgres://desk@db.shop.example/shop?sslmode=require", Err("db.shop.example is not this machine")),
            ("postgres://desk@10.0.0.5/shop?sslmode=verify-ca", Err("10.0.0.5 is not this machine")),
            ("postgres://desk@localhost.shop.example/shop?sslmode=prefer", Err("localhost.shop.example is not this machine")),
            ("postgres://desk:s3cret@localhost/shop", Err("the URL carries a password")),
            ("postgres://desk@localhost/shop?password=s3cret", Err("the URL's parameter \"password\"")),
            ("postgres://localhost/shop", Err("the URL names no user")),
            ("postgres://desk@localhost/", Err("the URL names no database")),
            ("postgres://desk@localhost/shop?sslmode=sometimes", Err("sslmode \"sometimes\"")),
            ("mysql://desk@localhost/shop", Err("the shared store's URL starts postgres://")),
            ("desk@localhost/shop", Err("the shared store's address is not a URL")),
        ];
        for (url, expected) in table {
            match (ServerUrl::parse(url), expected) {
                (Ok(parsed), Ok((mode, root_cert))) => {
                    assert_eq!(
                        format!("{:?}", parsed.ssl_mode),
                        format!("{mode:?}"),
                        "{url}"
                    );
                    assert_eq!(parsed.root_cert, root_cert, "{url}");
                }
                (Err(why), Err(start)) => assert!(why.starts_with(start), "{url}: {why}"),
                (got, expected) => panic!("{url}: {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn a_refusal_never_repeats_the_password() {
        for url in [
            "postgres://desk:s3cret@localhost/shop",
            "postgres://desk@localhost/shop?password=s3cret",
            "postgres://desk:s3cret@db.shop.example/shop",
            // Not URLs at all: a space in the host, a port out of range, an open IPv6 bracket,
            // no scheme.
            "postgres://desk:s3cret@db host/shop",
            "postgres://desk:s3cret@localhost:99999/shop",
            "postgres://desk:s3cret@[::1/shop",
            "desk:s3cret@localhost/shop",
        ] {
            let why = ServerUrl::parse(url).unwrap_err();
            assert!(!why.contains("s3cret"), "{why}");
        }
    }

    #[test]
    fn the_address_keeps_its_parts() {
        let url = ServerUrl::parse(
            "postgres://desk%2D1@db.shop.example:6432/shop%20one?sslmode=verify-full",
        )
        .unwrap();
        assert_eq!(
            (
                url.user.as_str(),
                url.host.as_str(),
                url.port,
                url.database.as_str()
            ),
            ("desk-1", "db.shop.example", 6432, "shop one")
        );
        let options = url.connect_options(Some("pw"));
        assert_eq!(options.get_host(), "db.shop.example");
        assert_eq!(options.get_port(), 6432);
        assert_eq!(options.get_username(), "desk-1");
        assert_eq!(options.get_database(), Some("shop one"));
        assert!(matches!(options.get_ssl_mode(), PgSslMode::VerifyFull));
    }
}
