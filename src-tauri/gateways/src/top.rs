//! top connector (being written).

use crate::connector::*;
use crate::Secrets;

pub const ID: &str = "top";

pub struct Top;

impl Connector for Top {
    fn id(&self) -> &'static str {
        ID
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            channels: vec![],
            vouchers: false,
            coupon: false,
            credit_split: false,
            status_query: false,
            idempotency_key: false,
            required_secrets: vec![],
        }
    }

    fn build_pay(
        &self,
        _base_url: &str,
        _request: &PayRequest,
        _secrets: &Secrets,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        Err(BuildError::Invalid("the top connector is not written yet".into()))
    }

    fn parse_pay(&self, _response: &http::Response<Vec<u8>>) -> PayOutcome {
        PayOutcome::Unknown(GatewayError::new("UNREAD", "not written yet", RetryClass::Unknown))
    }
}
