//! Saving a gateway profile, for the window and the command line alike: every rule a profile
//! obeys is checked here once (its name, its gateway, its base URL and proxy, its settings'
//! keys), and a base URL that is a paydesk sandbox is recognised as one.

use std::collections::BTreeMap;

use paydesk_gateways::invalid::{Field, Rule};
use paydesk_gateways::transport::Transport;
use paydesk_gateways::Invalid;

use crate::audit::{AuditAction, Audited};
use crate::data_set::DataSet;
use crate::domain::Profile;
use crate::engine::Engine;
use crate::report::ProfileView;
use crate::sandbox_link;
use crate::store::{NewProfile, Store};

use super::{secrets, AppError, Result};

/// A profile as a person typed it (in the window's form or on the command line).
#[derive(Debug, Clone)]
pub struct ProfileInput {
    pub name: String,
    pub gateway: String,
    pub base_url: String,
    pub settings: BTreeMap<String, String>,
}

/// The one rule for a profile's name: 1 to 64 letters, digits, `-`, `_` or `.` (it names the
/// profile on the command line and in file imports, where anything else needs quoting).
pub fn check_profile_name(name: &str) -> Result<(), Invalid> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(
            Field::ProfileName,
            Rule::NameCharacters { max: 64 },
        ))
    }
}

/// The gateway's own rules for its settings (required ones present, each readable), so a
/// profile that could never pay is refused when it is saved, not at its first payment.
fn check_settings(
    connector: &dyn paydesk_gateways::Connector,
    settings: &BTreeMap<String, String>,
) -> Result<()> {
    connector.check_settings(settings).map_err(AppError::from)
}

/// The longest a setting's value may be, in characters.
const MAX_SETTING_CHARS: u32 = 1024;

/// What every setting must be, whatever the gateway: a plain name that is not one of the
/// gateway's secrets (settings are shown, audited and sent to the window; secrets live in the
/// keyring only), and a value of printable text of a sane length.
fn check_setting_values(
    connector: &dyn paydesk_gateways::Connector,
    settings: &BTreeMap<String, String>,
) -> Result<()> {
    let capabilities = connector.capabilities();
    let secret = |key: &str| {
        (capabilities.required_secrets.iter())
            .chain(&capabilities.optional_secrets)
            .any(|name| name.eq_ignore_ascii_case(key))
    };
    for (key, value) in settings {
        let field = || Field::Setting {
            key: crate::input_rules::shown(key),
        };
        let rule = if check_profile_name(key).is_err() {
            Rule::NameCharacters { max: 64 }
        } else if secret(key) {
            Rule::IsSecret
        } else if value.chars().any(char::is_control) {
            Rule::ControlCharacters
        } else if value.chars().count() > MAX_SETTING_CHARS as usize {
            Rule::TooLong {
                max: MAX_SETTING_CHARS,
            }
        } else {
            continue;
        };
        return Err(Invalid::new(field(), rule).into());
    }
    Ok(())
}

/// A real gateway's profile asked of the demo, which holds only sandbox ones.
fn real_profile_in_demo(profile: &str) -> AppError {
    AppError::new(
        super::Problem::RealProfileInDemo {
            profile: profile.to_string(),
        },
        "this is the demo, which holds only paydesk sandbox profiles: a real gateway's profile \
         goes in the live data (run the command without --demo, or start live data in the \
         window's Settings)",
    )
}

/// What a person typed, tidied: the name, base URL and setting keys and values without the
/// spaces around them, settings with an empty key dropped.
fn tidy(input: ProfileInput) -> ProfileInput {
    ProfileInput {
        name: input.name.trim().to_string(),
        gateway: input.gateway.trim().to_string(),
        base_url: input.base_url.trim().to_string(),
        settings: input
            .settings
            .into_iter()
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .filter(|(k, _)| !k.is_empty())
            .collect(),
    }
}

/// Adds a profile, after every rule; a base URL that is a paydesk sandbox makes it a SANDBOX
/// profile. Nothing is written when a rule refuses it.
pub async fn add_profile(
    store: &Store,
    transport: &Transport,
    input: ProfileInput,
) -> Result<Profile> {
    let input = tidy(input);
    let Some(connector) = paydesk_gateways::connector_for(&input.gateway) else {
        return Err(Invalid::new(
            Field::Gateway,
            Rule::Unknown {
                value: crate::input_rules::shown(&input.gateway),
                known: paydesk_gateways::GATEWAYS
                    .iter()
                    .map(|g| g.to_string())
                    .collect(),
            },
        )
        .into());
    };
    check_profile_name(&input.name)?;
    check_setting_values(connector.as_ref(), &input.settings)?;
    check_settings(connector.as_ref(), &input.settings)?;
    crate::base_url::check(&input.base_url)?;
    crate::base_url::check_not_test_environment(&input.base_url, connector.test_domains())?;
    crate::base_url::proxy(&input.settings)?;
    let is_sandbox = sandbox_link::is_sandbox(transport, &input.base_url, &input.gateway).await;
    // Before a name taken: the live data, where a real profile goes, may not have it.
    if !is_sandbox && store.data_set() == DataSet::Demo {
        return Err(real_profile_in_demo(&input.name));
    }
    let profile = store
        .create_profile(&NewProfile {
            name: input.name,
            gateway: input.gateway,
            base_url: input.base_url,
            settings: input.settings,
            is_sandbox,
        })
        .await?;
    let entry = Audited::new(AuditAction::ProfileAdded, &profile.name)
        .with("gateway", &profile.gateway)
        .with("base_url", &profile.base_url)
        .with("settings", &profile.settings)
        .with("sandbox", profile.is_sandbox);
    store.audit(&entry).await?;
    Ok(profile)
}

/// Changes an existing profile's base URL and settings, after the same rules. Its gateway stays
/// what it is, and so does whether it is a sandbox: a sandbox profile's payments are left out
/// of the takings and its orders are sent to the sandbox, so one pointed at a real gateway (or
/// a real one pointed at a sandbox) would mix demo money with real money.
pub async fn edit_profile(
    store: &Store,
    transport: &Transport,
    input: ProfileInput,
) -> Result<Profile> {
    let input = tidy(input);
    let saved = store.profile(&input.name).await?;
    if let Some(connector) = paydesk_gateways::connector_for(&saved.gateway) {
        crate::base_url::check_not_test_environment(&input.base_url, connector.test_domains())?;
    }
    // The demo's profiles point at a paydesk sandbox; pointing one elsewhere would make it real.
    if store.data_set() == DataSet::Demo && input.base_url != saved.base_url {
        return Err(real_profile_in_demo(&input.name));
    }
    if input.base_url != saved.base_url
        && sandbox_link::is_sandbox(transport, &input.base_url, &saved.gateway).await
            != saved.is_sandbox
    {
        return Err(Invalid::new(Field::BaseUrl, Rule::ChangesSandbox).into());
    }
    if let Some(connector) = paydesk_gateways::connector_for(&saved.gateway) {
        check_setting_values(connector.as_ref(), &input.settings)?;
        check_settings(connector.as_ref(), &input.settings)?;
    }
    store
        .update_profile(&input.name, &input.base_url, &input.settings)
        .await?;
    let changed = store.profile(&input.name).await?;
    if (&changed.base_url, &changed.settings) != (&saved.base_url, &saved.settings) {
        let entry = Audited::new(AuditAction::ProfileChanged, &changed.name)
            .with("before", (&saved.base_url, &saved.settings))
            .with("after", (&changed.base_url, &changed.settings));
        store.audit(&entry).await?;
    }
    Ok(changed)
}

/// One profile, by name.
pub async fn get(store: &Store, name: &str) -> Result<Profile> {
    Ok(store.profile(name).await?)
}

/// Every profile as the window and `profile list` show it: never a secret.
pub async fn list(store: &Store) -> Result<Vec<ProfileView>> {
    Ok(store
        .profiles()
        .await?
        .iter()
        .map(ProfileView::from)
        .collect())
}

/// Removes a profile no order uses, with its secrets.
pub async fn remove(engine: &Engine, name: &str) -> Result<()> {
    secrets::remove_profile(engine, name).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Problem;
    use crate::test_support::{dump, temp_store};

    fn input(name: &str, gateway: &str, base_url: &str) -> ProfileInput {
        ProfileInput {
            name: name.into(),
            gateway: gateway.into(),
            base_url: base_url.into(),
            settings: BTreeMap::new(),
        }
    }

    fn with_settings(input: ProfileInput, pairs: &[(&str, &str)]) -> ProfileInput {
        ProfileInput {
            settings: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..input
        }
    }

    /// TOP's required settings, with `tenant_id` as given.
    fn top_settings(tenant_id: &str) -> Vec<(&'static str, &str)> {
        vec![
            ("app_key", "12345678"),
            ("tenant_id", tenant_id),
            ("charge_item_code", "1"),
            ("category_code", "1"),
            ("commodity_code", "1"),
            ("user_country", "CHINA"),
        ]
    }

    #[tokio::test]
    async fn a_gateways_own_settings_are_checked_when_its_profile_is_saved() {
        let (_dir, store) = temp_store().await;
        let transport = Transport::default();
        let top = with_settings(input("tp", "top", "https://gw.example"), &top_settings("1"));
        add_profile(&store, &transport, top.clone()).await.unwrap();
        // Editing it later obeys the same rules.
        let incomplete = with_settings(top, &[("app_key", "12345678")]);
        let refused = edit_profile(&store, &transport, incomplete)
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("tenant_id"), "{refused}");
        let v1 = with_settings(input("db", "debit", "https://gw.example"), &[]);
        add_profile(&store, &transport, v1).await.unwrap();
    }

    #[tokio::test]
    async fn a_profile_may_not_point_at_a_gateways_own_test_environment() {
        let (_dir, store) = temp_store().await;
        let transport = Transport::default();
        let at = |url: &str| with_settings(input("tp", "top", url), &top_settings("1"));
        for url in [
            "https://gw.api.tbsandbox.com/router/rest",
            "https://GW.API.TBSANDBOX.COM./router/rest",
            "https://eco.tbsandbox.com",
        ] {
            let refused = add_profile(&store, &transport, at(url)).await.unwrap_err();
            let Problem::Invalid(invalid) = &refused.problem else {
                panic!("{url}: {refused}");
            };
            assert_eq!(
                (&invalid.field, &invalid.rule),
                (&Field::BaseUrl, &Rule::GatewayTestEnvironment),
                "{url}"
            );
        }
        assert!(store.profile("tp").await.is_err(), "nothing added");
        // Nor may a saved one be moved there, where its open payments would be asked again.
        add_profile(
            &store,
            &transport,
            at("https://gw.api.taobao.com/router/rest"),
        )
        .await
        .unwrap();
        let moved = edit_profile(
            &store,
            &transport,
            at("https://gw.api.tbsandbox.com/router/rest"),
        )
        .await
        .unwrap_err();
        assert!(moved.to_string().contains("test environment"), "{moved}");
        let kept = store.profile("tp").await.unwrap();
        assert_eq!(kept.base_url, "https://gw.api.taobao.com/router/rest");
        // A look-alike domain is not it.
        let other = with_settings(
            input("tp2", "top", "https://nottbsandbox.com"),
            &top_settings("1"),
        );
        add_profile(&store, &transport, other).await.unwrap();
    }

    #[tokio::test]
    async fn a_profile_breaking_a_rule_is_refused_and_nothing_is_written() {
        let (dir, store) = temp_store().await;
        let before = dump(&crate::test_support::db_path(dir.path())).await;
        let transport = Transport::default();
        for (bad, why) in [
            (
                input("shop one", "sensecore", "https://gw.example"),
                "profile name",
            ),
            (input("", "sensecore", "https://gw.example"), "profile name"),
            (
                input(&"a".repeat(65), "sensecore", "https://gw.example"),
                "profile name",
            ),
            (
                input("商户", "sensecore", "https://gw.example"),
                "profile name",
            ),
            (
                input("shop", "stripe", "https://gw.example"),
                "is unknown; one of",
            ),
            (
                input("shop", "sensecore", "http://gw.example"),
                "must use https",
            ),
            (
                input("shop", "sensecore", "ftp://gw.example"),
                "http:// or https://",
            ),
            (input("shop", "top", "https://gw.example"), "app_key"),
            (
                with_settings(
                    input("shop", "top", "https://gw.example"),
                    &top_settings("x"),
                ),
                "tenant_id must be a whole number",
            ),
            (
                with_settings(
                    input("shop", "debit", "https://gw.example"),
                    &[("api_version", "v2")],
                ),
                "merchant_id",
            ),
            (
                with_settings(
                    input("shop", "debit", "https://gw.example"),
                    &[("api_version", "v3")],
                ),
                "api_version",
            ),
            // A secret given as a setting would be shown, audited and sent to the window.
            (
                with_settings(
                    input("shop", "yian", "https://gw.example"),
                    &[("token", "0123456789abcdef0123456789abcdef01234567")],
                ),
                "one of the gateway's secrets",
            ),
            (
                with_settings(
                    input("shop", "top", "https://gw.example"),
                    &[top_settings("1").as_slice(), &[("SESSION", "s")]].concat(),
                ),
                "one of the gateway's secrets",
            ),
            (
                with_settings(
                    input("shop", "sensecore", "https://gw.example"),
                    &[("note", "red\u{1b}[31m")],
                ),
                "contains control characters",
            ),
            (
                with_settings(
                    input("shop", "sensecore", "https://gw.example"),
                    &[("note", &"x".repeat(1025))],
                ),
                "longer than 1024 characters",
            ),
            (
                with_settings(
                    input("shop", "sensecore", "https://gw.example"),
                    &[("billing account", "1")],
                ),
                "letters, digits",
            ),
        ] {
            let refused = add_profile(&store, &transport, bad.clone())
                .await
                .expect_err(&format!("{bad:?}"));
            assert!(refused.to_string().contains(why), "{bad:?}: {refused}");
        }
        assert_eq!(
            dump(&crate::test_support::db_path(dir.path())).await,
            before
        );
    }

    #[tokio::test]
    async fn what_was_typed_is_tidied_before_it_is_kept() {
        let (_dir, store) = temp_store().await;
        let typed = ProfileInput {
            settings: BTreeMap::from([
                (" billing_account_id ".to_string(), " ba-1 ".to_string()),
                ("  ".to_string(), "dropped".to_string()),
            ]),
            ..input(" shop.1 ", "sensecore", " https://gw.example ")
        };
        let saved = add_profile(&store, &Transport::default(), typed)
            .await
            .unwrap();
        assert_eq!(saved.name, "shop.1");
        assert_eq!(saved.base_url, "https://gw.example");
        assert_eq!(
            saved.settings,
            BTreeMap::from([("billing_account_id".to_string(), "ba-1".to_string())])
        );
        assert!(!saved.is_sandbox, "nothing answers as a sandbox there");
    }

    #[tokio::test]
    async fn a_profile_at_a_paydesk_sandbox_is_a_sandbox_profile_from_either_shell() {
        let sandbox =
            paydesk_sandbox::start("127.0.0.1:0", paydesk_sandbox::SandboxConfig::default())
                .await
                .unwrap();
        let (_dir, store) = temp_store().await;
        let saved = add_profile(
            &store,
            &Transport::default(),
            input("sc", "sensecore", &sandbox.base_url("sensecore")),
        )
        .await
        .unwrap();
        assert!(saved.is_sandbox);

        // It stays one: pointed at a real gateway it would mix demo money with real money, and
        // a real profile pointed at the sandbox the reverse.
        let transport = Transport::default();
        let real = add_profile(
            &store,
            &transport,
            input("real", "sensecore", "https://gw.example"),
        )
        .await
        .unwrap();
        for (name, url) in [
            ("sc", "https://gw.example".to_string()),
            ("real", sandbox.base_url("sensecore")),
        ] {
            let refused = edit_profile(&store, &transport, input(name, "sensecore", &url))
                .await
                .unwrap_err();
            assert!(
                refused.to_string().contains("add a new profile"),
                "{name}: {refused}"
            );
        }
        assert_eq!(store.profile("sc").await.unwrap().base_url, saved.base_url);
        assert_eq!(store.profile("real").await.unwrap().base_url, real.base_url);
    }

    #[tokio::test]
    async fn the_demo_takes_sandbox_profiles_only_and_none_is_pointed_elsewhere() {
        let sandbox =
            paydesk_sandbox::start("127.0.0.1:0", paydesk_sandbox::SandboxConfig::default())
                .await
                .unwrap();
        let (_dir, store) = temp_store().await;
        let demo = store.for_demo();
        let transport = Transport::default();
        let at_sandbox = input("sc", "sensecore", &sandbox.base_url("sensecore"));
        add_profile(&demo, &transport, at_sandbox.clone())
            .await
            .unwrap();
        let real = add_profile(
            &demo,
            &transport,
            input("real", "yian", "https://gw.example"),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&real.problem, Problem::RealProfileInDemo { profile } if profile == "real"),
            "{real:?}"
        );
        let elsewhere = ProfileInput {
            base_url: "https://gw.example".into(),
            ..at_sandbox
        };
        let moved = edit_profile(&demo, &Transport::default(), elsewhere)
            .await
            .unwrap_err();
        assert!(
            matches!(moved.problem, Problem::RealProfileInDemo { .. }),
            "{moved:?}"
        );
        let names: Vec<String> = demo
            .profiles()
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["sc"], "nothing real was added");
        assert_eq!(
            demo.profile("sc").await.unwrap().base_url,
            sandbox.base_url("sensecore"),
            "nothing was pointed elsewhere"
        );
    }
}
