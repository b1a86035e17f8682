//! Paying, as far as the shells need more than the engine: the quote shown before paying.

use paydesk_gateways::connector_for;

use crate::pricing::{plan_payment, PayCommand, PlanRefusal, Quote};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum QuoteError {
    /// The engine would refuse this payment before sending anything, for this reason.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<PlanRefusal> for QuoteError {
    fn from(refusal: PlanRefusal) -> Self {
        QuoteError::Refused(refusal.to_string())
    }
}

/// What paying as `command` asks would charge, refused for exactly the reasons the engine
/// refuses before sending.
pub async fn quote(store: &Store, command: &PayCommand) -> Result<Quote, QuoteError> {
    let order = store.order(&command.order_no).await?;
    let profile = store.profile(&order.profile).await?;
    let connector = connector_for(&profile.gateway).ok_or_else(|| {
        QuoteError::Refused(format!("gateway {:?} is not supported", profile.gateway))
    })?;
    let plan = plan_payment(&order, &profile.gateway, &connector.capabilities(), command)?;
    Ok(Quote::of(&plan))
}
