//! Gateway connectors: pure translators between paydesk's typed payment requests and each
//! gateway's HTTP wire format, plus the one HTTP [`transport`] that carries them.
//!
//! A connector never performs I/O. [`Connector::build_pay`] turns a [`PayRequest`] into an
//! [`http::Request`]; [`Connector::parse_pay`] turns the [`http::Response`] into a
//! [`PayOutcome`]. That keeps every connector testable against hand-written responses.

#[cfg(test)]
mod already_paid_tests;
#[cfg(test)]
mod another_payment_tests;
mod common;
pub mod connector;
pub mod debit;
pub mod invalid;
pub mod money;
#[cfg(test)]
mod money_props;
pub mod partner;
pub mod secrets;
pub mod sensecore;
#[doc(hidden)]
pub mod test_panic;
pub mod top;
pub mod transport;
pub mod yian;

pub use connector::*;
pub use invalid::{shown, Invalid};
pub use money::{Currency, GoogleMoney, Money, MoneyError};
pub use secrets::Secrets;

/// The connector for a gateway id (`sensecore`, ...), or `None` if paydesk does not know it.
pub fn connector_for(gateway: &str) -> Option<Box<dyn Connector>> {
    match gateway {
        sensecore::ID => Some(Box::new(sensecore::Sensecore)),
        yian::ID => Some(Box::new(yian::Yian)),
        top::ID => Some(Box::new(top::Top)),
        partner::ID => Some(Box::new(partner::Partner)),
        debit::ID => Some(Box::new(debit::Debit)),
        _ => None,
    }
}

/// Whether a gateway's payments are money paid out (a payout gateway's), never to be added to
/// money taken in; a gateway paydesk does not know takes money in.
pub fn pays_out(gateway: &str) -> bool {
    connector_for(gateway).is_some_and(|c| c.capabilities().pays_out)
}

/// Every gateway id paydesk speaks.
pub const GATEWAYS: &[&str] = &[sensecore::ID, yian::ID, top::ID, partner::ID, debit::ID];
