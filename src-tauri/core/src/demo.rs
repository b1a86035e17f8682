//! First run with nothing configured: a SANDBOX gateway profile with a generated token in
//! the keyring, and a handful of demo orders, so a first launch is a working console.

use std::collections::BTreeMap;
use std::sync::Arc;

use paydesk_gateways::{Currency, Money};
use secrecy::SecretString;

use crate::domain::Profile;
use crate::store::{NewOrder, NewProfile, Store, StoreError};
use crate::vault::{generate_secret, Vault, VaultError};

/// The name of the built-in sandbox profile for each gateway.
pub fn sandbox_profile_name(gateway: &str) -> String {
    format!("sandbox-{gateway}")
}

/// A demo order: gateway, number, amount in the main unit, subject, order attributes.
pub struct DemoOrder {
    pub gateway: &'static str,
    pub currency: &'static str,
    pub order_no: &'static str,
    pub amount: &'static str,
    pub subject: &'static str,
    pub attributes: &'static [(&'static str, &'static str)],
}

const fn demo(
    gateway: &'static str,
    order_no: &'static str,
    amount: &'static str,
    subject: &'static str,
    attributes: &'static [(&'static str, &'static str)],
) -> DemoOrder {
    DemoOrder {
        gateway,
        // BharatPay pays out rupees; the others charge yuan.
        currency: if matches!(gateway.as_bytes(), b"debit") {
            "INR"
        } else {
            "CNY"
        },
        order_no,
        amount,
        subject,
        attributes,
    }
}

// The partner API pays a gift pack for a user: each demo order is its own pack.
const PARTNER_ATTRS: &[(&str, &str)] = &[
    ("user_id", "41840909af844632885424fbc20cae79"),
    ("gift_pos_id", "55fca782f55f406d94e2cecb23d0140b"),
    ("address_id", "1"),
];
const PARTNER_ATTRS_2: &[(&str, &str)] = &[
    ("user_id", "41840909af844632885424fbc20cae79"),
    ("gift_pos_id", "7b1e2c9d4f3a4e6b8c0d2f4a6b8c0d2e"),
    ("address_id", "2"),
];

pub const DEMO_ORDERS: &[DemoOrder] = &[
    demo(
        "sensecore",
        "DEMO-1001",
        "12.34",
        "Cloud GPU hours (A100)",
        &[],
    ),
    demo(
        "sensecore",
        "DEMO-1002",
        "99.00",
        "Object storage, 1 TB month",
        &[],
    ),
    demo("sensecore", "DEMO-1003", "0.01", "Test charge", &[]),
    demo(
        "sensecore",
        "DEMO-1004",
        "1288.00",
        "Annual support plan",
        &[],
    ),
    demo(
        "sensecore",
        "DEMO-1005",
        "45.60",
        "Inference credits",
        &[("resource_pack_id", "rp-demo-1")],
    ),
    demo(
        "yian",
        "12134676899915430002",
        "99.00",
        "collection的使用 (course)",
        &[],
    ),
    demo(
        "yian",
        "12134676899915430003",
        "19.90",
        "Course bundle",
        &[],
    ),
    demo("top", "TOP-3001", "30.00", "Cloud game hours", &[]),
    demo("top", "TOP-3002", "128.00", "Cloud game season pass", &[]),
    demo(
        "partner",
        "202201071757551641549475668",
        "3.00",
        "拉卡拉大POS 1台装礼包 升V5",
        PARTNER_ATTRS,
    ),
    demo(
        "partner",
        "202201071757551641549475669",
        "58.00",
        "POS gift pack",
        PARTNER_ATTRS_2,
    ),
    demo("debit", "DB-5001", "250.00", "Payout to merchant", &[]),
    demo("debit", "DB-5002", "1000.50", "Supplier payout", &[]),
];

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// Ensures the sandbox profile for `gateway` exists and that every secret it needs is in the
/// vault (generating a random one of `secret_lengths[key]` characters where missing), and
/// returns it with the secrets the in-process sandbox must accept. A profile of that name that
/// is not a sandbox one is never taken over (`None`): its base URL and secrets stay as they are.
pub async fn ensure_sandbox_profile(
    store: &Store,
    vault: Arc<dyn Vault>,
    gateway: &str,
    settings: BTreeMap<String, String>,
    secret_lengths: BTreeMap<String, usize>,
) -> Result<Option<(Profile, BTreeMap<String, SecretString>)>, SetupError> {
    let name = sandbox_profile_name(gateway);
    let profile = match store.profile(&name).await {
        Ok(p) if !p.is_sandbox => {
            tracing::warn!(profile = %name, "a real profile has the sandbox's name: left alone");
            return Ok(None);
        }
        Ok(p) => p,
        Err(StoreError::NoSuchProfile(_)) => {
            store
                .create_profile(&NewProfile {
                    name: name.clone(),
                    gateway: gateway.to_string(),
                    // Rewritten at every start to where the in-process sandbox listens.
                    base_url: "http://127.0.0.1:9".into(),
                    settings,
                    is_sandbox: true,
                })
                .await?
        }
        Err(e) => return Err(e.into()),
    };
    let vault_id = profile.vault_id.clone();
    let secrets = crate::off_thread::run("the keyring call", move || -> Result<_, VaultError> {
        let mut secrets = BTreeMap::new();
        for (key, length) in secret_lengths {
            let value = match vault.get(&vault_id, &key)? {
                Some(existing) => existing,
                None => {
                    let fresh = generate_secret(length);
                    vault.set(&vault_id, &key, &fresh)?;
                    fresh
                }
            };
            secrets.insert(key, value);
        }
        Ok(secrets)
    })
    .await
    .map_err(VaultError::from)??;
    Ok(Some((profile, secrets)))
}

/// Adds a gateway's demo orders to a profile, once (existing ones are left alone).
pub async fn seed_demo_orders(
    store: &Store,
    gateway: &str,
    profile: &str,
) -> Result<(), StoreError> {
    for demo in DEMO_ORDERS.iter().filter(|d| d.gateway == gateway) {
        let added = store
            .add_order(&NewOrder {
                order_no: demo.order_no.to_string(),
                profile: profile.to_string(),
                amount: Money::parse(
                    demo.amount,
                    Currency::parse(demo.currency).expect("known currency"),
                )
                .expect("valid demo amount"),
                subject: demo.subject.to_string(),
                attributes: demo
                    .attributes
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            })
            .await;
        match added {
            Ok(_) | Err(StoreError::DuplicateOrder(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
