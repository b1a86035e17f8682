//! The shape every connector shares: requests, outcomes, capabilities and error classes.

use std::collections::BTreeMap;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

use crate::{Money, Secrets};

/// A way to pay, in paydesk's own words; each connector maps it to its gateway's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Channel {
    Balance,
    Alipay,
    Wechat,
    Credit,
    Unionpay,
    FrozenAccount,
    RemitOffline,
    RemitOnline,
    Contract,
    Bank,
}

impl Channel {
    pub const ALL: [Channel; 10] = [
        Channel::Balance,
        Channel::Alipay,
        Channel::Wechat,
        Channel::Credit,
        Channel::Unionpay,
        Channel::FrozenAccount,
        Channel::RemitOffline,
        Channel::RemitOnline,
        Channel::Contract,
        Channel::Bank,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Channel::Balance => "balance",
            Channel::Alipay => "alipay",
            Channel::Wechat => "wechat",
            Channel::Credit => "credit",
            Channel::Unionpay => "unionpay",
            Channel::FrozenAccount => "frozen_account",
            Channel::RemitOffline => "remit_offline",
            Channel::RemitOnline => "remit_online",
            Channel::Contract => "contract",
            Channel::Bank => "bank",
        }
    }

    pub fn parse(text: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// How much of a payment of `amount_minor` on this channel was paid on credit: the split
    /// where the payment named one (TOP's `credit_pay_amount`), else all of it on the credit
    /// channel and none on any other.
    pub fn credit_part(self, split: Option<i64>, amount_minor: i64) -> i64 {
        match (self, split) {
            (_, Some(credit)) => credit,
            (Channel::Credit, None) => amount_minor,
            _ => 0,
        }
    }
}

/// A voucher or coupon deduction chosen for an attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deduction {
    pub id: String,
    pub amount: Money,
}

/// Everything a connector needs to build one payment request.
#[derive(Debug, Clone)]
pub struct PayRequest {
    pub order_no: String,
    pub amount: Money,
    pub subject: String,
    pub channel: Channel,
    /// Stable across every retry of one attempt.
    pub idempotency_key: String,
    pub deductions: Vec<Deduction>,
    /// Profile settings (non-secret), e.g. `billing_account_id`.
    pub settings: BTreeMap<String, String>,
    /// Per-order attributes, e.g. `resource_pack_id`.
    pub attributes: BTreeMap<String, String>,
    /// A coupon to apply (partner's `coupon_id`), where the gateway takes one.
    pub coupon: Option<String>,
    /// The part of `amount` paid on credit rather than balance (TOP's split).
    pub credit_amount: Option<Money>,
    /// Subscriptions this payment replaces, each refunded by its amount (TOP's
    /// `refund_subscribe_list`); the amounts to pay are not changed by them.
    pub subscription_refunds: Vec<SubscriptionRefund>,
}

/// A subscription a payment replaces, and the amount refunded for it (TOP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionRefund {
    pub subscribe_id: String,
    pub refund_amount: Money,
}

impl PayRequest {
    /// The payment this request is for, as an answer may name it back; `live` when it is asked
    /// of a real gateway, not a sandbox.
    pub fn asked(&self, live: bool) -> Asked<'_> {
        Asked {
            order_no: &self.order_no,
            idempotency_key: &self.idempotency_key,
            channel: self.channel,
            attributes: &self.attributes,
            gateway_ref: None,
            live,
        }
    }
}

/// The code of an answer that names another payment than the one it answers.
pub const ANSWER_FOR_ANOTHER_PAYMENT: &str = "ANSWER_FOR_ANOTHER_PAYMENT";

/// The code of an answer from the other world than the profile's: a test-mode answer to a
/// live profile (no money moved) or a live one to a sandbox profile (real money may have).
pub const ANSWER_IN_OTHER_MODE: &str = "ANSWER_IN_OTHER_MODE";

/// The payment a request was for, in the terms a gateway's answer may name it back by: an
/// answer that names another (a misrouted, proxied or cached answer, a gateway's own mix-up)
/// must not settle this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked<'a> {
    pub order_no: &'a str,
    pub idempotency_key: &'a str,
    pub channel: Channel,
    /// The order's attributes the request sent (the partner's `user_id`, `gift_pos_id`).
    pub attributes: &'a BTreeMap<String, String>,
    /// The gateway's reference for this payment, once an answer gave one (a status query's):
    /// a charge or payout under another is another attempt's, even of the same order.
    pub gateway_ref: Option<&'a str>,
    /// Asked of a real gateway (a live profile), not a sandbox: where an answer says which
    /// world it comes from (Ping++'s `livemode`), the other world's settles nothing.
    pub live: bool,
}

/// What a status query needs to find an attempt at the gateway.
#[derive(Debug, Clone)]
pub struct StatusQuery {
    pub order_no: String,
    pub amount: Money,
    pub channel: Channel,
    pub idempotency_key: String,
    /// The gateway's reference from the pay answer, when one was read.
    pub gateway_ref: Option<String>,
    pub settings: BTreeMap<String, String>,
    pub attributes: BTreeMap<String, String>,
    /// The part paid on credit, as the attempt sent it (TOP's split).
    pub credit_amount: Option<Money>,
    /// The subscription refunds the attempt sent (a TOP "status query" resends them).
    pub subscription_refunds: Vec<SubscriptionRefund>,
}

impl StatusQuery {
    /// The payment this query asks about, as an answer may name it back; `live` as for
    /// [`PayRequest::asked`].
    pub fn asked(&self, live: bool) -> Asked<'_> {
        Asked {
            order_no: &self.order_no,
            idempotency_key: &self.idempotency_key,
            channel: self.channel,
            attributes: &self.attributes,
            gateway_ref: self.gateway_ref.as_deref(),
            live,
        }
    }
}

/// What a gateway can do; the UI offers only what is listed here.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Capabilities {
    pub channels: Vec<Channel>,
    pub vouchers: bool,
    pub coupon: bool,
    pub credit_split: bool,
    pub status_query: bool,
    /// The status query sends the payment again under its idempotency key (TOP has no query
    /// of its own): every one of a payment whose fate is unknown counts as a resend, and a
    /// refusal of one settles nothing.
    #[serde(default)]
    pub status_query_is_resend: bool,
    pub idempotency_key: bool,
    /// Secrets the profile must hold in the keyring.
    pub required_secrets: Vec<String>,
    /// Secrets sent when the profile holds them (TOP's `session`).
    #[serde(default)]
    pub optional_secrets: Vec<String>,
    /// The gateway pays money out (the debit gateway's payouts to a bank account) instead of
    /// taking it in: worded as a payout everywhere and never counted as takings.
    #[serde(default)]
    pub pays_out: bool,
    /// A payment may name subscriptions it replaces, each with its refund (TOP).
    #[serde(default)]
    pub subscription_refunds: bool,
}

/// An order attribute a gateway reads when it pays: the window shows it as a field of New
/// order, and an order is checked against it when it is added or edited.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderAttribute {
    pub name: String,
    /// The payment is refused without it.
    pub required: bool,
    /// A positive whole number (the partner's `address_id`).
    pub positive_integer: bool,
}

impl OrderAttribute {
    pub fn text(name: &str, required: bool) -> Self {
        OrderAttribute {
            name: name.to_string(),
            required,
            positive_integer: false,
        }
    }

    /// Why `value` (trimmed, possibly empty) will not do for this attribute.
    pub fn problem(&self, value: Option<&str>) -> Option<AttributeProblem> {
        let value = value.map(str::trim).filter(|v| !v.is_empty());
        match value {
            None if self.required => Some(AttributeProblem::Missing),
            Some(v)
                if self.positive_integer
                    && !(v.bytes().all(|b| b.is_ascii_digit())
                        && v.parse::<i64>().is_ok_and(|n| n > 0)) =>
            {
                Some(AttributeProblem::NotWholeNumber)
            }
            _ => None,
        }
    }
}

/// What is wrong with an order attribute a gateway reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeProblem {
    Missing,
    NotWholeNumber,
}

/// Why a gateway could never be paid for an order: every reason at once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderRefusal {
    /// The currency the profile's orders are in, where the order is in another.
    pub expected_currency: Option<crate::Currency>,
    /// Attributes the gateway needs that the order lacks.
    pub missing: Vec<String>,
    /// Attributes that must be positive whole numbers and are not.
    pub not_whole_number: Vec<String>,
}

impl std::fmt::Display for OrderRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut reasons = Vec::new();
        if let Some(expected) = self.expected_currency {
            reasons.push(format!("the profile's orders are in {expected}"));
        }
        if !self.missing.is_empty() {
            reasons.push(format!(
                "the order needs the attributes {}",
                self.missing.join(", ")
            ));
        }
        if !self.not_whole_number.is_empty() {
            reasons.push(format!(
                "{} must be positive whole numbers",
                self.not_whole_number.join(", ")
            ));
        }
        write!(f, "{}", reasons.join("; "))
    }
}

/// A setting a gateway's profiles take: the profile form shows it as a field of its own.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SettingSpec {
    pub name: String,
    /// The profile is refused without it.
    pub required: bool,
    pub kind: SettingKind,
    /// What the gateway uses when it is not given.
    pub default: Option<String>,
}

/// What a setting holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", content = "choices", rename_all = "snake_case")]
pub enum SettingKind {
    Text,
    Integer,
    Url,
    /// One of these words.
    Choice(Vec<String>),
}

impl SettingSpec {
    pub fn new(name: &str, required: bool, kind: SettingKind) -> Self {
        SettingSpec {
            name: name.to_string(),
            required,
            kind,
            default: None,
        }
    }

    pub fn defaulting_to(mut self, default: &str) -> Self {
        self.default = Some(default.to_string());
        self
    }
}

/// Whether sending the same request again is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryClass {
    /// Nothing happened; a new attempt may be sent.
    Safe,
    /// The gateway refused for a reason a resend will not fix.
    Not,
    /// The fate is unknown: resolve by a status query or a person before any resend.
    Unknown,
}

/// A refusal or fault in the gateway's own words, plus what it means for a retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayError {
    /// The gateway's own code, as text (`INVALID_ARGUMENT`, `-4`, `isv.invalid-parameter`).
    pub code: String,
    /// The gateway's own message.
    pub message: String,
    pub retry: RetryClass,
}

impl GatewayError {
    pub fn new(code: impl Into<String>, message: impl Into<String>, retry: RetryClass) -> Self {
        GatewayError {
            code: code.into(),
            message: message.into(),
            retry,
        }
    }
}

/// What a gateway's answer means for the attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayOutcome {
    Succeeded(Receipt),
    /// Accepted, but the payer must still act or the gateway is still processing.
    Pending(Receipt),
    Failed(GatewayError),
    /// The answer could not be read: the payment may or may not have happened.
    Unknown(GatewayError),
    /// A status answer: the gateway has no payment under this reference, so nothing was
    /// charged under it, if the request it answers for ever arrived. Believable only for a
    /// request whose answer was lost, once that request must have landed or died; for a
    /// payment the gateway acknowledged it is a contradiction for a person.
    NoSuchPayment(GatewayError),
    /// An answer that the gateway's documents say no machine can read as settled either way
    /// (a refused resend, whose first request may have paid): a person decides.
    ForAPerson(GatewayError),
}

impl PayOutcome {
    /// Whether the answer names an amount for this payment other than `asked`.
    pub fn reports_other_amount_than(&self, asked: Money) -> bool {
        match self {
            PayOutcome::Succeeded(r) | PayOutcome::Pending(r) => {
                r.charged.as_ref().is_some_and(|charged| {
                    let owed = match r.gateway_deduction {
                        None => Ok(asked),
                        Some(deducted) => asked.checked_sub(&deducted),
                    };
                    !matches!(owed, Ok(owed) if owed.minor >= 0 && charged.is(owed))
                })
            }
            PayOutcome::Failed(_)
            | PayOutcome::Unknown(_)
            | PayOutcome::NoSuchPayment(_)
            | PayOutcome::ForAPerson(_) => false,
        }
    }

    /// The gateway's error, for the outcomes that carry one.
    pub fn error(&self) -> Option<&GatewayError> {
        match self {
            PayOutcome::Succeeded(_) | PayOutcome::Pending(_) => None,
            PayOutcome::Failed(e)
            | PayOutcome::Unknown(e)
            | PayOutcome::NoSuchPayment(e)
            | PayOutcome::ForAPerson(e) => Some(e),
        }
    }
}

/// References the gateway gave back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub gateway_ref: Option<String>,
    pub pay_url: Option<String>,
    /// The gateway's raw structured detail worth keeping (a charge, an order_info).
    pub detail: Option<serde_json::Value>,
    /// What the gateway says this payment charges, when its answer says: the engine holds
    /// it against what the attempt asked for, and a difference goes to a person.
    pub charged: Option<Charged>,
    /// What the gateway itself took off the price before charging (the partner's coupon,
    /// `deduct_price`): `charged` plus this is the price it must have been asked.
    #[serde(default)]
    pub gateway_deduction: Option<Money>,
    /// Until when (unix ms) the customer can still pay with the code the gateway gave, where
    /// its answer says (益安's charge `time_expire`).
    #[serde(default)]
    pub payable_until: Option<i64>,
    /// The reference the customer's own payment app shows for this payment (益安's
    /// `transaction_no`, the partner's `third_order_no`), which support is quoted.
    #[serde(default)]
    pub customer_ref: Option<String>,
}

/// An amount as a gateway's answer states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Charged {
    /// With its currency (益安's charge: `amount` in fen and `currency`).
    Money(Money),
    /// A decimal in the account's currency, which the answer does not name (debit's
    /// `fiatAmount`).
    Decimal(String),
}

impl Charged {
    /// Whether this is exactly `asked`.
    pub fn is(&self, asked: Money) -> bool {
        match self {
            Charged::Money(money) => *money == asked,
            Charged::Decimal(text) => Money::parse(text, asked.currency) == Ok(asked),
        }
    }
}

impl std::fmt::Display for Charged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Charged::Money(money) => write!(f, "{money}"),
            Charged::Decimal(text) => f.write_str(text),
        }
    }
}

/// A request the connector refuses to build: nothing is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("channel {0} is not offered by this gateway")]
    UnsupportedChannel(&'static str),
    #[error("missing secret {0:?} in the profile's keyring entries")]
    MissingSecret(String),
    #[error("missing setting {0:?} in the gateway profile")]
    MissingSetting(String),
    #[error("{0}")]
    BadBaseUrl(crate::Invalid),
    #[error("{0}")]
    Invalid(String),
    /// A value a rule refuses (a setting), as data the window words.
    #[error("{0}")]
    Refused(crate::Invalid),
}

/// One gateway's translator. Implementations are pure: no clocks read behind the caller's
/// back beyond what the request needs, no sockets, no files.
pub trait Connector: Send + Sync {
    fn id(&self) -> &'static str;
    fn capabilities(&self) -> Capabilities;
    fn build_pay(
        &self,
        base_url: &str,
        request: &PayRequest,
        secrets: &Secrets,
    ) -> Result<http::Request<Vec<u8>>, BuildError>;
    /// Reads a pay answer: with the profile's secrets and settings where the caller has them
    /// (debit's V2 answers are sealed with one of its secrets, in the wire version its
    /// settings name), and held against the payment `asked` where it knows it, so that an
    /// answer naming another order, idempotency key or channel settles nothing for this one
    /// (it is [`PayOutcome::ForAPerson`], code [`ANSWER_FOR_ANOTHER_PAYMENT`]).
    fn read_pay(
        &self,
        response: &http::Response<Vec<u8>>,
        secrets: &Secrets,
        settings: &BTreeMap<String, String>,
        asked: Option<Asked<'_>>,
    ) -> PayOutcome;

    /// [`Connector::read_pay`] with nothing but the answer: what it says on its own.
    fn parse_pay(&self, response: &http::Response<Vec<u8>>) -> PayOutcome {
        self.read_pay(response, &Secrets::new(), &BTreeMap::new(), None)
    }

    /// What [`Connector::build_pay`] refuses that does not depend on the profile's secrets:
    /// the request and the profile's settings. The engine checks it before the attempt is
    /// journaled, so that a payment refused for what was asked changes nothing, and reads the
    /// secrets from the keyring while it journals. Every `build_pay` checks the request before
    /// it reads a secret, so a build without secrets that gets as far as a missing one has
    /// passed every other check.
    fn check_pay(&self, base_url: &str, request: &PayRequest) -> Result<(), BuildError> {
        match self.build_pay(base_url, request, &Secrets::new()) {
            Ok(_) | Err(BuildError::MissingSecret(_)) => Ok(()),
            Err(refused) => Err(refused),
        }
    }

    /// Whether a profile's settings are complete and readable for this gateway: checked when
    /// the profile is saved, so that a missing or malformed setting is named then rather
    /// than at the first payment.
    fn check_settings(&self, _settings: &BTreeMap<String, String>) -> Result<(), BuildError> {
        Ok(())
    }

    /// The settings its profiles take (checked by [`Connector::check_settings`] when saved).
    fn settings(&self) -> Vec<SettingSpec> {
        Vec::new()
    }

    /// The currency a profile's orders must be in, where the gateway (or the profile's
    /// settings) fixes one; `None` takes any.
    fn order_currency(&self, _settings: &BTreeMap<String, String>) -> Option<crate::Currency> {
        None
    }

    /// The domains of the gateway's own test environment, as it documents them (TOP's
    /// `tbsandbox.com`): payments there move no money, so a profile may not point at one
    /// (paydesk keeps test money apart only on its own sandbox, which knows it is one).
    fn test_domains(&self) -> &'static [&'static str] {
        &[]
    }

    /// The order attributes the gateway reads when it pays.
    fn order_attributes(&self) -> Vec<OrderAttribute> {
        Vec::new()
    }

    /// Why an order in `currency` with these attributes cannot be paid through a profile with
    /// these settings, checked when it is added or edited: every reason at once.
    fn order_refusal(
        &self,
        settings: &BTreeMap<String, String>,
        currency: crate::Currency,
        attributes: &BTreeMap<String, String>,
    ) -> Option<OrderRefusal> {
        let mut refusal = OrderRefusal {
            expected_currency: self.order_currency(settings).filter(|c| *c != currency),
            ..OrderRefusal::default()
        };
        for attribute in self.order_attributes() {
            match attribute.problem(attributes.get(&attribute.name).map(String::as_str)) {
                Some(AttributeProblem::Missing) => refusal.missing.push(attribute.name),
                Some(AttributeProblem::NotWholeNumber) => {
                    refusal.not_whole_number.push(attribute.name)
                }
                None => {}
            }
        }
        (refusal != OrderRefusal::default()).then_some(refusal)
    }

    /// [`Connector::read_pay`] as the engine reads a payment's answer: with the profile's
    /// secrets and settings, held against the payment it asked. The engine always calls this
    /// one.
    fn parse_pay_with(
        &self,
        response: &http::Response<Vec<u8>>,
        secrets: &Secrets,
        settings: &BTreeMap<String, String>,
        asked: Asked<'_>,
    ) -> PayOutcome {
        self.read_pay(response, secrets, settings, Some(asked))
    }

    /// [`Connector::read_status`] as the engine reads a status answer (as
    /// [`Connector::parse_pay_with`]). The engine always calls this one.
    fn parse_status_with(
        &self,
        response: &http::Response<Vec<u8>>,
        secrets: &Secrets,
        settings: &BTreeMap<String, String>,
        asked: Asked<'_>,
    ) -> PayOutcome {
        self.read_status(response, secrets, settings, Some(asked))
    }

    /// Reads a notification the gateway pushed to paydesk (debit's callback): the idempotency
    /// key of the attempt it is about and what it says. `None` when the gateway sends none.
    fn parse_callback(
        &self,
        _body: &[u8],
        _secrets: &Secrets,
    ) -> Option<Result<(String, PayOutcome), GatewayError>> {
        None
    }

    /// The request that asks the gateway what became of a payment, or `None` when the gateway
    /// has no status call (then an unknown attempt goes to a person).
    fn build_status(
        &self,
        _base_url: &str,
        _query: &StatusQuery,
        _secrets: &Secrets,
    ) -> Option<Result<http::Request<Vec<u8>>, BuildError>> {
        None
    }

    /// Reads a status answer, as [`Connector::read_pay`] reads a pay answer. `Failed` here
    /// means the gateway says the payment did not and will not happen (nothing charged);
    /// `Unknown` that the answer settles nothing.
    fn read_status(
        &self,
        _response: &http::Response<Vec<u8>>,
        _secrets: &Secrets,
        _settings: &BTreeMap<String, String>,
        _asked: Option<Asked<'_>>,
    ) -> PayOutcome {
        PayOutcome::Unknown(GatewayError::new(
            "NO_STATUS_QUERY",
            "this gateway has no status query",
            RetryClass::Unknown,
        ))
    }

    /// [`Connector::read_status`] with nothing but the answer: what it says on its own.
    fn parse_status(&self, response: &http::Response<Vec<u8>>) -> PayOutcome {
        self.read_status(response, &Secrets::new(), &BTreeMap::new(), None)
    }
}

/// Everything but RFC 3986's unreserved characters is escaped: a value stays one path segment
/// whatever it holds (`/`, `?`, `#`, `:`, spaces), and reads back from any form decoder (a
/// space as `%20`).
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A value escaped for a URL path segment, a query or a form body.
pub fn escape(value: &str) -> impl std::fmt::Display + '_ {
    utf8_percent_encode(value, ESCAPED)
}

/// `application/x-www-form-urlencoded` text of the pairs, in the order given.
pub fn form_encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// What is wrong with a base URL as [`join_url`] reads it (scheme, host, port, optional
/// prefix; no query or fragment), if anything.
pub fn base_url_problem(base_url: &str) -> Option<crate::invalid::Rule> {
    use crate::invalid::Rule;
    let base = base_url.trim();
    let lower = base.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Some(Rule::NotHttp);
    }
    if base.contains(['?', '#']) {
        return Some(Rule::QueryOrFragment);
    }
    None
}

/// Joins a profile's base URL (scheme, host, port, optional prefix) with a documented path.
pub fn join_url(base_url: &str, path: &str) -> Result<String, BuildError> {
    if let Some(rule) = base_url_problem(base_url) {
        return Err(BuildError::BadBaseUrl(crate::Invalid::new(
            crate::invalid::Field::BaseUrl,
            rule,
        )));
    }
    Ok(format!("{}{}", base_url.trim().trim_end_matches('/'), path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        assert_eq!(Channel::parse("cash"), None);
    }

    #[test]
    fn an_amount_is_held_against_what_was_asked_after_the_gateways_own_deduction() {
        let fen = |minor| Money::from_minor(minor, crate::Currency::CNY);
        let answer = |charged: i64, deducted: Option<i64>| {
            PayOutcome::Succeeded(Receipt {
                charged: Some(Charged::Money(fen(charged))),
                gateway_deduction: deducted.map(fen),
                ..Receipt::default()
            })
        };
        // (charged, the gateway's own deduction, asked, reports another amount)
        let table = [
            (300, None, 300, false),
            (301, None, 300, true),
            (250, Some(50), 300, false),
            (300, Some(0), 300, false),
            (300, Some(100), 300, true),
            (0, Some(300), 300, false),
            (0, Some(400), 300, true),
        ];
        for (charged, deducted, asked, other) in table {
            assert_eq!(
                answer(charged, deducted).reports_other_amount_than(fen(asked)),
                other,
                "{charged} + {deducted:?} vs {asked}"
            );
        }
    }

    #[test]
    fn join_url_keeps_prefix_and_rejects_junk() {
        assert_eq!(
            join_url("http://127.0.0.1:9/sc/", "/v1/x").unwrap(),
            "http://127.0.0.1:9/sc/v1/x"
        );
        assert!(join_url("ftp://x", "/a").is_err());
        assert!(join_url("http://x/?a=1", "/a").is_err());
    }
}
