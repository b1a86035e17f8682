//! SenseCore BOSS subscription API: `POST {base}/v1/orders/{order_id}:pay`.
//!
//! Bearer auth, JSON body with snake_case keys, errors as `google.rpc.Status` whose body
//! `code` is authoritative (the HTTP status only confirms it). `interactive: true` in a 200
//! answer means the payer must still act: the attempt is pending.
//!
//! Status [ours, emulator-side: nothing public documents it]: `GET {base}/v1/orders/{order_id}`
//! answers `{"order_id", "state"}` with `PAID`, `PAYING` (the payer must still act) or `UNPAID`
//! (no payment took effect: paying again is safe, since SenseCore refuses a second payment of
//! a paid order anyway). A 404 or 501 there means the deployment has no status endpoint,
//! which settles nothing. The order id is the only idempotency key SenseCore has.
//!
//! [ours] The pay and status answers name their order: read by the engine (`parse_pay_with`,
//! `parse_status_with`), an `order_id` other than the one in the path is another payment's
//! answer and goes to a person (`ANSWER_FOR_ANOTHER_PAYMENT`).

use crate::common::answer::{self, Named};
use crate::connector::*;
use crate::Secrets;
use std::collections::BTreeMap;

mod config;
mod wire;

pub use config::{Config, Keys};
use wire::{
    retry_class, BillingAccountVouchers, PayBody, PayResponse, RpcStatus, SelectedVoucher,
    StatusResponse,
};
pub use wire::{rpc_code_name, OrderState};

pub const ID: &str = "sensecore";

pub struct Sensecore;

fn channel_value(channel: Channel) -> Option<&'static str> {
    Some(match channel {
        Channel::Balance => "PC_BALANCE",
        Channel::Credit => "PC_CREDIT",
        Channel::FrozenAccount => "PC_FROZENACCOUNT",
        Channel::RemitOffline => "PC_REMIT_OFFLINE",
        Channel::Alipay => "PC_ALIPAY",
        Channel::Unionpay => "PC_UNIONPAY",
        Channel::RemitOnline => "PC_REMIT_ONLINE",
        Channel::Contract => "PC_CONTRACT",
        Channel::Wechat => "PC_WECHAT",
        Channel::Bank => return None,
    })
}

impl Connector for Sensecore {
    fn id(&self) -> &'static str {
        ID
    }

    fn order_attributes(&self) -> Vec<OrderAttribute> {
        vec![OrderAttribute::text("resource_pack_id", false)]
    }

    fn settings(&self) -> Vec<SettingSpec> {
        // Needed only by a payment with vouchers: a profile without one still saves.
        vec![SettingSpec::new(
            "billing_account_id",
            false,
            SettingKind::Text,
        )]
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            channels: Channel::ALL
                .into_iter()
                .filter(|c| channel_value(*c).is_some())
                .collect(),
            vouchers: true,
            coupon: false,
            credit_split: false,
            status_query: true,
            status_query_is_resend: false,
            // A paid order is never paid twice, but a resend's "already paid" refusal cannot be
            // told apart from a real refusal: an unknown attempt is settled by the status query.
            idempotency_key: false,
            required_secrets: vec!["token".into()],
            optional_secrets: vec![],
            pays_out: false,
            subscription_refunds: false,
        }
    }

    fn build_pay(
        &self,
        base_url: &str,
        request: &PayRequest,
        secrets: &Secrets,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        let channel = channel_value(request.channel)
            .ok_or(BuildError::UnsupportedChannel(request.channel.as_str()))?;
        if request.order_no.is_empty() {
            return Err(BuildError::Invalid("order number is empty".into()));
        }
        let mut ba_vouchers = Vec::new();
        if !request.deductions.is_empty() {
            let billing_account_id = Config::parse(&request.settings)?.billing_account_id()?;
            let mut total: i64 = 0;
            let mut selected = Vec::new();
            for d in &request.deductions {
                if d.amount.currency != request.amount.currency {
                    return Err(BuildError::Invalid(format!(
                        "voucher {} is in {}, the order in {}",
                        d.id, d.amount.currency, request.amount.currency
                    )));
                }
                if d.amount.minor <= 0 {
                    return Err(BuildError::Invalid(format!(
                        "voucher {} must deduct a positive amount",
                        d.id
                    )));
                }
                total = total.saturating_add(d.amount.minor);
                selected.push(SelectedVoucher {
                    id: &d.id,
                    deduction_amount: d.amount.to_google(),
                });
            }
            if total > request.amount.minor {
                return Err(BuildError::Invalid(
                    "voucher deductions exceed the order amount".into(),
                ));
            }
            ba_vouchers.push(BillingAccountVouchers {
                billing_account_id,
                selected_vouchers: selected,
            });
        }
        let body = PayBody {
            order_id: &request.order_no,
            payment_channel: channel,
            resource_pack_id: request
                .attributes
                .get("resource_pack_id")
                .map(String::as_str)
                .filter(|v| !v.is_empty()),
            ba_vouchers,
        };
        let token = Keys::parse(secrets)?.token;
        let segment = escape(&request.order_no);
        let url = join_url(base_url, &format!("/v1/orders/{segment}:pay"))?;
        http::Request::post(url)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header(
                "authorization",
                crate::secrets::secret_header(format!("Bearer {token}"))?,
            )
            .body(serde_json::to_vec(&body).expect("serializable body"))
            .map_err(|e| BuildError::Invalid(e.to_string()))
    }

    fn build_status(
        &self,
        base_url: &str,
        query: &StatusQuery,
        secrets: &Secrets,
    ) -> Option<Result<http::Request<Vec<u8>>, BuildError>> {
        let build = || {
            let token = Keys::parse(secrets)?.token;
            let segment = escape(&query.order_no);
            let url = join_url(base_url, &format!("/v1/orders/{segment}"))?;
            http::Request::get(url)
                .header("accept", "application/json")
                .header(
                    "authorization",
                    crate::secrets::secret_header(format!("Bearer {token}"))?,
                )
                .body(Vec::new())
                .map_err(|e| BuildError::Invalid(e.to_string()))
        };
        Some(build())
    }

    fn read_status(
        &self,
        response: &http::Response<Vec<u8>>,
        _secrets: &Secrets,
        _settings: &BTreeMap<String, String>,
        asked: Option<Asked<'_>>,
    ) -> PayOutcome {
        status_outcome(response, asked)
    }

    fn read_pay(
        &self,
        response: &http::Response<Vec<u8>>,
        _secrets: &Secrets,
        _settings: &BTreeMap<String, String>,
        asked: Option<Asked<'_>>,
    ) -> PayOutcome {
        pay_outcome(response, asked)
    }
}

/// A pay answer, held against the payment `asked` where the caller knows it.
fn pay_outcome(response: &http::Response<Vec<u8>>, asked: Option<Asked<'_>>) -> PayOutcome {
    let status = response.status();
    let body = response.body();
    if status.is_success() {
        return match serde_json::from_slice::<PayResponse>(body) {
            Ok(paid) => {
                // The answer names the order it paid: another's is not this payment's.
                let named = asked.map(|asked| Named {
                    field: "order_id",
                    sent: asked.order_no,
                    answered: &paid.order_id,
                });
                if let Some(other) = answer::for_another_payment(named.as_slice()) {
                    return other;
                }
                let receipt = Receipt {
                    gateway_ref: Some(paid.order_id),
                    pay_url: None,
                    detail: None,
                    // The answer names no amount.
                    charged: None,
                    gateway_deduction: None,
                    payable_until: None,
                    customer_ref: None,
                };
                if paid.interactive {
                    PayOutcome::Pending(receipt)
                } else {
                    PayOutcome::Succeeded(receipt)
                }
            }
            Err(e) => answer::malformed(format!("HTTP {status} with an unreadable body: {e}")),
        };
    }
    match serde_json::from_slice::<RpcStatus>(body) {
        Ok(rpc) if rpc.code != 0 => answer::refusal(GatewayError::new(
            rpc_code_name(rpc.code),
            rpc.message,
            retry_class(rpc.code),
        )),
        _ => answer::unknown(
            answer::http_code(status),
            format!("HTTP {status} without a readable google.rpc.Status body"),
        ),
    }
}

/// A status answer, held against the payment `asked` where the caller knows it.
fn status_outcome(response: &http::Response<Vec<u8>>, asked: Option<Asked<'_>>) -> PayOutcome {
    let status = response.status();
    if status.is_success() {
        return match serde_json::from_slice::<StatusResponse>(response.body()) {
            Ok(read) => {
                // The answer names the order it is about, where it names one.
                let named = asked
                    .zip(read.order_id.as_deref())
                    .map(|(asked, answered)| Named {
                        field: "order_id",
                        sent: asked.order_no,
                        answered,
                    });
                match answer::for_another_payment(named.as_slice()) {
                    Some(other) => other,
                    None => read.state.outcome(),
                }
            }
            Err(e) => answer::malformed(format!("HTTP {status} with an unreadable body: {e}")),
        };
    }
    match pay_outcome(response, None) {
        PayOutcome::Failed(e) if e.code == "UNAUTHENTICATED" || e.code == "PERMISSION_DENIED" => {
            PayOutcome::Unknown(e)
        }
        // No status endpoint (404/501) or an error: the answer settles nothing.
        PayOutcome::Failed(e) | PayOutcome::Unknown(e) => PayOutcome::Unknown(e),
        other => other,
    }
}

#[cfg(test)]
mod tests;
