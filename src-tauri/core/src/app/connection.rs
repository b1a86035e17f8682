//! A profile's connection test, and what it proved: whether the gateway's host answers, and
//! whether it accepts the profile's credentials where the gateway has a harmless
//! authenticated call (a status query of a payment that does not exist). Nothing that can
//! move money is ever sent: a gateway whose only "status" call is a payment (TOP) or that has
//! none (the partner) is not asked, and the report says so.

use paydesk_gateways::{Money, StatusQuery};
use serde::Serialize;
use ts_rs::TS;

use super::{gateways, orders, secrets, Result};
use crate::engine::Engine;
use crate::pricing::connector_of;
use crate::Currency;

/// What a connection test found.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConnectionReport {
    pub reachable: bool,
    pub detail: String,
    pub missing_secrets: Vec<String>,
    pub credentials: Credentials,
}

/// What the test learnt of the profile's credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Credentials {
    /// The gateway answered an authenticated read as it answers a caller it knows.
    Accepted { status: u16 },
    /// The gateway refused the credentials (HTTP 401 or 403).
    Refused { status: u16 },
    /// Not tested, and why.
    NotChecked { reason: NotChecked },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NotChecked {
    /// The gateway has no call that reads without paying (TOP's status is a payment resend;
    /// the partner has no status query).
    NoHarmlessCall,
    Unreachable,
    MissingSecrets,
    /// The gateway's answer said nothing either way (a server error, no answer).
    NoAnswer,
    /// The profile's settings or secrets could not make the request.
    CannotBuild,
}

/// What an answer to an authenticated read says of the credentials: a 401 or 403 refuses
/// them; any other answer below 500 (a 404 for the made-up payment included) came from a
/// gateway that knew the caller; a server error says nothing.
pub fn verdict(status: u16) -> Credentials {
    match status {
        401 | 403 => Credentials::Refused { status },
        100..=499 => Credentials::Accepted { status },
        _ => Credentials::NotChecked {
            reason: NotChecked::NoAnswer,
        },
    }
}

/// A profile's connection test: a TCP connection to its gateway, the keyring asked which
/// required secrets it lacks, then, where the gateway has one, a status query of a payment
/// that does not exist, to see the credentials accepted or refused.
pub async fn test_connection(engine: &Engine, profile: &str) -> Result<ConnectionReport> {
    let profile = engine.store().profile(profile).await?;
    let missing_secrets: Vec<String> = secrets::states(engine, &profile.name)
        .await?
        .into_iter()
        .filter(|s| s.required && !s.set)
        .map(|s| s.key)
        .collect();
    let (reachable, detail) = match gateways::reachable(&profile.base_url).await {
        Ok(address) => (true, address),
        Err(why) => (false, why.to_string()),
    };
    let not_checked = |reason| Credentials::NotChecked { reason };
    let connector = connector_of(&profile.gateway)?;
    let capabilities = connector.capabilities();
    let credentials = if !capabilities.status_query || capabilities.status_query_is_resend {
        not_checked(NotChecked::NoHarmlessCall)
    } else if !reachable {
        not_checked(NotChecked::Unreachable)
    } else if !missing_secrets.is_empty() {
        not_checked(NotChecked::MissingSecrets)
    } else {
        let secrets = engine.secrets(&profile, &capabilities).await?;
        let currency = orders::order_currency(&profile).unwrap_or(Currency::CNY);
        let id = uuid::Uuid::new_v4().simple().to_string();
        let query = StatusQuery {
            order_no: format!("paydesk-connection-test-{id}"),
            amount: Money::from_minor(1, currency),
            channel: capabilities.channels[0],
            idempotency_key: id,
            gateway_ref: None,
            settings: profile.settings.clone(),
            attributes: Default::default(),
            credit_amount: None,
            subscription_refunds: Vec::new(),
        };
        match connector.build_status(&profile.base_url, &query, &secrets) {
            None => not_checked(NotChecked::NoHarmlessCall),
            Some(Err(_)) => not_checked(NotChecked::CannotBuild),
            Some(Ok(request)) => match engine.transport_for(&profile.settings)?.send(request).await
            {
                Ok(response) => verdict(response.status().as_u16()),
                Err(_) => not_checked(NotChecked::NoAnswer),
            },
        }
    };
    tracing::info!(profile = %profile.name, reachable, ?credentials, "connection tested");
    Ok(ConnectionReport {
        reachable,
        detail,
        missing_secrets,
        credentials,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refusal_of_the_caller_refuses_the_credentials() {
        for (status, expected) in [
            (200, Credentials::Accepted { status: 200 }),
            (404, Credentials::Accepted { status: 404 }),
            (400, Credentials::Accepted { status: 400 }),
            (401, Credentials::Refused { status: 401 }),
            (403, Credentials::Refused { status: 403 }),
            (
                500,
                Credentials::NotChecked {
                    reason: NotChecked::NoAnswer,
                },
            ),
            (
                503,
                Credentials::NotChecked {
                    reason: NotChecked::NoAnswer,
                },
            ),
        ] {
            assert_eq!(verdict(status), expected, "{status}");
        }
    }
}
