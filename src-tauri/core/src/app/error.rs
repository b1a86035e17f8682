//! The one error every operation of the application layer returns: a kind both shells
//! translate (the window into an IPC error, the command line into an exit code), a stable code
//! with its parameters the window words in either language, and the English message the
//! command line prints and the window falls back on.

use serde::Serialize;
use ts_rs::TS;

use crate::domain::AttemptState;
use crate::engine::PayError;
use crate::pricing::PlanRefusal;
use crate::shifts::OpenAttemptRef;
use crate::store::StoreError;
use crate::vault::VaultError;

/// What kind of failure an operation met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Refused before anything was changed or sent: bad input, a rule.
    Refused,
    NotFound,
    /// A payment for the order is being sent or waits for its answer.
    InProgress,
    AlreadyPaid,
    Duplicate,
    /// The OS keyring could not be used.
    Keyring,
    /// The data could not be opened or used at all (the back end did not start, the database
    /// cannot be opened, is corrupt or was written by a newer paydesk).
    Unavailable,
    /// paydesk could not do it (the database, the disk): not the caller's input.
    Internal,
}

impl ErrorKind {
    /// The stable name the window branches on.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorKind::Refused => "refused",
            ErrorKind::NotFound => "not_found",
            ErrorKind::InProgress => "in_progress",
            ErrorKind::AlreadyPaid => "already_paid",
            ErrorKind::Duplicate => "duplicate",
            ErrorKind::Keyring => "keyring",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Internal => "internal",
        }
    }
}

/// What went wrong, as a stable code and the values a sentence about it needs. A refusal
/// without a code of its own is `refused`, its English reason its parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "code", content = "params", rename_all = "snake_case")]
pub enum Problem {
    Refused {
        reason: String,
    },
    NoSuchOrder {
        order_no: String,
    },
    NotPaid {
        order_no: String,
    },
    /// No installed font has these characters of a page to print.
    NoFont {
        missing: String,
    },
    NoSuchProfile {
        profile: String,
    },
    NoSuchAttempt {
        attempt_id: i64,
    },
    DuplicateOrder {
        order_no: String,
    },
    DuplicateProfile {
        profile: String,
    },
    /// Another desk's (or this one's) payment of the order is under way: who, where known.
    PaymentInProgress {
        order_no: String,
        desk: Option<String>,
        operator: Option<String>,
    },
    /// Another reconciler (a window, the command line, a desk) is settling the attempt now.
    BeingSettled {
        attempt_id: i64,
        desk: Option<String>,
    },
    AlreadyPaid {
        order_no: String,
    },
    /// The order was cancelled: it is kept, never paid or changed.
    OrderCancelled {
        order_no: String,
    },
    /// The order was edited (at another desk or window) after it was read here.
    OrderChanged {
        order_no: String,
    },
    /// This desk reaches the shared history through a role that may only read.
    ReadOnly,
    /// The shared store this desk uses did not answer or refused it: nothing was sent.
    SharedStoreUnreachable {
        url: String,
        reason: String,
    },
    /// The shared store's server is out of reach: the desk shows its copy of the history
    /// (complete to `as_of`, unix ms) and pays nothing until the server is back.
    SharedStoreOffline {
        as_of: Option<i64>,
        /// Out though the server answers: its schema and this paydesk's differ.
        schema_mismatch: Option<crate::store::SchemaMismatch>,
    },
    /// The database gave up waiting for other desks' or windows' work: nothing was written.
    StoreBusy,
    /// A payment's request left but its answer could not be written: the customer may have
    /// been charged, and a status query settles it once the store takes writes again.
    SentNotRecorded {
        attempt_id: i64,
        reason: String,
        because: crate::engine::NotRecordedBecause,
    },
    /// A person's decision was asked for an attempt that is not waiting for one.
    NotAwaitingReview {
        attempt_id: i64,
        state: AttemptState,
    },
    /// "Not paid" on an attempt the customer may yet pay, without the person's word that they
    /// did not and that its payment code can no longer be used.
    CodeMayStillBePaid {
        attempt_id: i64,
    },
    /// "Not paid" on an attempt whose code the gateway says can be paid until `until` (unix
    /// ms): not before then.
    StillPayable {
        attempt_id: i64,
        until: i64,
    },
    /// An amount as typed that is not one: its words name why.
    AmountEmpty,
    AmountNotDecimal {
        amount: String,
    },
    AmountTooPrecise {
        amount: String,
        digits: u32,
        currency: String,
    },
    AmountTooLarge {
        amount: String,
    },
    AmountNotPositive {
        amount: String,
    },
    UnknownCurrency {
        currency: String,
    },
    /// The profile's gateway could never be paid for this order: the currency it takes
    /// (where another was given), the attributes it needs that are missing, and those that
    /// must be whole numbers.
    OrderNotPayable(Box<NotPayable>),
    /// A voucher's, the credit part's or a subscription refund's amount is not one: `amount`
    /// is that amount's own problem.
    VoucherAmount {
        id: String,
        amount: Box<Problem>,
    },
    CreditAmount {
        amount: Box<Problem>,
    },
    RefundAmount {
        id: String,
        amount: Box<Problem>,
    },
    /// The order's last payment waits for a person's decision before anything else is sent.
    NeedsAPerson {
        order_no: String,
    },
    /// A gateway profile lacks a setting its gateway cannot work without.
    MissingSetting {
        key: String,
    },
    /// A value a rule refuses: which value and which rule, as data.
    Invalid(Box<paydesk_gateways::Invalid>),
    /// A real gateway's profile asked of the demo, which holds only sandbox ones.
    RealProfileInDemo {
        profile: String,
    },
    /// The demo is asked to join a shared store; it stays on its desk.
    DemoStaysOnItsOwn,
    NoSuchShift {
        shift_id: i64,
    },
    /// The desk has no shift open (to close) or none at all (to report).
    NoOpenShift {
        desk: String,
    },
    NoShift {
        desk: String,
    },
    /// The desk's shift is open already: one at a time.
    ShiftOpen {
        shift_id: i64,
        opened_at: i64,
        opened_by: String,
    },
    /// Payments of the shift still open and not acknowledged, each named.
    ShiftHasOpenAttempts {
        attempts: Vec<OpenAttemptRef>,
    },
    /// A profile that orders use cannot be removed: their history names it.
    ProfileInUse {
        profile: String,
        orders: i64,
    },
    /// The gateway offers several channels and none was chosen.
    ChannelRequired {
        gateway: String,
        /// The channels the gateway offers, comma-separated.
        offered: String,
    },
    /// This desk's keyring lacks a secret the profile's gateway needs.
    NoSecret {
        profile: String,
        key: String,
    },
    /// A person's decision on an attempt whose order another payment has paid or is paying.
    OtherPaymentOfOrder {
        attempt_id: i64,
        decision: AttemptState,
    },
    UnknownChannel {
        channel: String,
        gateway: String,
        /// The channels the gateway offers, comma-separated.
        offered: String,
    },
    ChannelNotOffered {
        gateway: String,
        channel: String,
    },
    NoVouchers {
        gateway: String,
    },
    NoCoupon {
        gateway: String,
    },
    NoSubscriptionRefunds {
        gateway: String,
    },
    DeductionsExceedAmount,
    NoCreditSplit {
        gateway: String,
    },
    CreditExceedsRemainder {
        credit: String,
        remaining: String,
    },
    TooManyToExport {
        limit: u64,
    },
    DiskFull,
    KeyringUnavailable {
        reason: String,
    },
    StoreUnavailable {
        reason: String,
    },
    Internal {
        reason: String,
    },
}

impl Problem {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Problem::NoSuchOrder { .. }
            | Problem::NoSuchShift { .. }
            | Problem::NoSuchProfile { .. }
            | Problem::NoSuchAttempt { .. } => ErrorKind::NotFound,
            Problem::DuplicateOrder { .. } | Problem::DuplicateProfile { .. } => {
                ErrorKind::Duplicate
            }
            Problem::PaymentInProgress { .. } | Problem::BeingSettled { .. } => {
                ErrorKind::InProgress
            }
            Problem::AlreadyPaid { .. } => ErrorKind::AlreadyPaid,
            Problem::SentNotRecorded { .. } => ErrorKind::InProgress,
            Problem::KeyringUnavailable { .. } => ErrorKind::Keyring,
            Problem::StoreUnavailable { .. } => ErrorKind::Unavailable,
            Problem::DiskFull | Problem::StoreBusy | Problem::Internal { .. } => {
                ErrorKind::Internal
            }
            Problem::Refused { .. }
            | Problem::OrderCancelled { .. }
            | Problem::NotPaid { .. }
            | Problem::NoFont { .. }
            | Problem::OrderChanged { .. }
            | Problem::NotAwaitingReview { .. }
            | Problem::CodeMayStillBePaid { .. }
            | Problem::StillPayable { .. }
            | Problem::UnknownChannel { .. }
            | Problem::AmountEmpty
            | Problem::AmountNotDecimal { .. }
            | Problem::AmountTooPrecise { .. }
            | Problem::AmountTooLarge { .. }
            | Problem::AmountNotPositive { .. }
            | Problem::UnknownCurrency { .. }
            | Problem::OrderNotPayable(_)
            | Problem::MissingSetting { .. }
            | Problem::Invalid(_)
            | Problem::ProfileInUse { .. }
            | Problem::RealProfileInDemo { .. }
            | Problem::NoOpenShift { .. }
            | Problem::NoShift { .. }
            | Problem::ShiftOpen { .. }
            | Problem::ShiftHasOpenAttempts { .. }
            | Problem::DemoStaysOnItsOwn
            | Problem::ChannelRequired { .. }
            | Problem::NoSecret { .. }
            | Problem::OtherPaymentOfOrder { .. }
            | Problem::NeedsAPerson { .. }
            | Problem::VoucherAmount { .. }
            | Problem::CreditAmount { .. }
            | Problem::RefundAmount { .. }
            | Problem::ChannelNotOffered { .. }
            | Problem::NoVouchers { .. }
            | Problem::NoCoupon { .. }
            | Problem::NoSubscriptionRefunds { .. }
            | Problem::DeductionsExceedAmount
            | Problem::NoCreditSplit { .. }
            | Problem::CreditExceedsRemainder { .. }
            | Problem::TooManyToExport { .. }
            | Problem::ReadOnly
            | Problem::SharedStoreUnreachable { .. }
            | Problem::SharedStoreOffline { .. } => ErrorKind::Refused,
        }
    }
}

/// Why a profile's gateway could never be paid for an order ([`Problem::OrderNotPayable`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct NotPayable {
    pub profile: String,
    /// The currency the profile's orders are in, where the order is in another.
    pub expected_currency: Option<String>,
    pub currency: String,
    pub missing: Vec<String>,
    pub not_whole_number: Vec<String>,
}

/// A failed operation. Nothing was changed or sent unless its problem says otherwise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub problem: Problem,
    /// The English sentence the command line prints.
    pub message: String,
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    pub fn new(problem: Problem, message: impl Into<String>) -> Self {
        AppError {
            problem,
            message: message.into(),
        }
    }

    /// A refusal whose reason is its message.
    pub fn refused(reason: impl Into<String>) -> Self {
        let reason = reason.into();
        AppError {
            message: reason.clone(),
            problem: Problem::Refused { reason },
        }
    }

    pub fn internal(reason: impl Into<String>) -> Self {
        let reason = reason.into();
        AppError {
            message: reason.clone(),
            problem: Problem::Internal { reason },
        }
    }

    /// The back end could not start, for this reason.
    pub fn unavailable(reason: impl Into<String>) -> Self {
        let reason = reason.into();
        AppError {
            message: reason.clone(),
            problem: Problem::StoreUnavailable { reason },
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.problem.kind()
    }
}

impl From<paydesk_gateways::Invalid> for AppError {
    fn from(invalid: paydesk_gateways::Invalid) -> Self {
        AppError::new(
            Problem::Invalid(Box::new(invalid.clone())),
            invalid.to_string(),
        )
    }
}

impl From<paydesk_gateways::BuildError> for AppError {
    fn from(e: paydesk_gateways::BuildError) -> Self {
        use paydesk_gateways::BuildError as B;
        let message = e.to_string();
        match e {
            B::MissingSetting(key) => AppError::new(Problem::MissingSetting { key }, message),
            B::Refused(invalid) | B::BadBaseUrl(invalid) => invalid.into(),
            B::UnsupportedChannel(_) | B::MissingSecret(_) | B::Invalid(_) => {
                AppError::refused(message)
            }
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        let problem = match e {
            StoreError::NoSuchOrder(order_no) => Problem::NoSuchOrder { order_no },
            StoreError::NotPaid(order_no) => Problem::NotPaid { order_no },
            StoreError::NoSuchProfile(profile) => Problem::NoSuchProfile { profile },
            StoreError::NoSuchAttempt(attempt_id) => Problem::NoSuchAttempt { attempt_id },
            StoreError::DuplicateOrder(order_no) => Problem::DuplicateOrder { order_no },
            StoreError::DuplicateProfile(profile) => Problem::DuplicateProfile { profile },
            StoreError::AttemptInProgress {
                order_no,
                desk,
                operator,
            } => Problem::PaymentInProgress {
                order_no,
                desk,
                operator,
            },
            StoreError::AlreadyPaid(order_no) => Problem::AlreadyPaid { order_no },
            StoreError::OrderCancelled(order_no) => Problem::OrderCancelled { order_no },
            StoreError::OrderChanged(order_no) => Problem::OrderChanged { order_no },
            StoreError::BeingSettled { attempt_id, desk } => {
                Problem::BeingSettled { attempt_id, desk }
            }
            StoreError::Invalid(invalid) => Problem::Invalid(Box::new(invalid)),
            StoreError::NoSuchShift(shift_id) => Problem::NoSuchShift { shift_id },
            StoreError::NoOpenShift(desk) => Problem::NoOpenShift { desk },
            StoreError::ShiftOpen(shift) => Problem::ShiftOpen {
                shift_id: shift.id,
                opened_at: shift.opened_at,
                opened_by: shift.opened_by,
            },
            StoreError::ShiftHasOpenAttempts(attempts) => {
                Problem::ShiftHasOpenAttempts { attempts }
            }
            StoreError::OtherPaymentOfOrder {
                attempt_id,
                decision,
            } => Problem::OtherPaymentOfOrder {
                attempt_id,
                decision,
            },
            StoreError::HistoriesDisagree(_) => Problem::Refused {
                reason: message.clone(),
            },
            StoreError::DiskFull(_) => Problem::DiskFull,
            StoreError::Busy(_) => Problem::StoreBusy,
            StoreError::ReadOnly => Problem::ReadOnly,
            StoreError::Offline {
                as_of,
                schema_mismatch,
            } => Problem::SharedStoreOffline {
                as_of,
                schema_mismatch,
            },
            StoreError::Open { .. }
            | StoreError::Connect { .. }
            | StoreError::Unusable { .. }
            | StoreError::Migrate(_)
            | StoreError::SharedSchema(_)
            | StoreError::Corrupt(_) => Problem::StoreUnavailable {
                reason: message.clone(),
            },
            StoreError::Sql(_) | StoreError::BadTransition { .. } => Problem::Internal {
                reason: message.clone(),
            },
        };
        AppError { problem, message }
    }
}

impl From<VaultError> for AppError {
    fn from(e: VaultError) -> Self {
        let message = e.to_string();
        let problem = match e {
            VaultError::BadSecret(invalid) => Problem::Invalid(Box::new(invalid)),
            VaultError::Unavailable(_) | VaultError::Refused(_) => Problem::KeyringUnavailable {
                reason: message.clone(),
            },
        };
        AppError { problem, message }
    }
}

impl From<PlanRefusal> for AppError {
    fn from(refusal: PlanRefusal) -> Self {
        let message = refusal.to_string();
        let problem = match refusal {
            PlanRefusal::Cancelled { order_no } => Problem::OrderCancelled { order_no },
            PlanRefusal::VoucherAmount { id, error } => Problem::VoucherAmount {
                id,
                amount: Box::new(AppError::from(error).problem),
            },
            PlanRefusal::CreditAmount(error) => Problem::CreditAmount {
                amount: Box::new(AppError::from(error).problem),
            },
            PlanRefusal::RefundAmount { id, error } => Problem::RefundAmount {
                id,
                amount: Box::new(AppError::from(error).problem),
            },
            PlanRefusal::ChannelNotOffered { gateway, channel } => {
                Problem::ChannelNotOffered { gateway, channel }
            }
            PlanRefusal::NoVouchers { gateway } => Problem::NoVouchers { gateway },
            PlanRefusal::NoCoupon { gateway } => Problem::NoCoupon { gateway },
            PlanRefusal::DeductionsExceedAmount => Problem::DeductionsExceedAmount,
            PlanRefusal::NoCreditSplit { gateway } => Problem::NoCreditSplit { gateway },
            PlanRefusal::CreditExceedsRemainder { credit, remaining } => {
                Problem::CreditExceedsRemainder { credit, remaining }
            }
            PlanRefusal::BadSubscriptionRefund(invalid) => Problem::Invalid(Box::new(invalid)),
            PlanRefusal::NoSubscriptionRefunds { gateway } => {
                Problem::NoSubscriptionRefunds { gateway }
            }
            PlanRefusal::UnsupportedGateway { .. }
            | PlanRefusal::Currency(_)
            | PlanRefusal::BadVoucher { .. } => Problem::Refused {
                reason: message.clone(),
            },
        };
        AppError { problem, message }
    }
}

impl From<paydesk_gateways::MoneyError> for AppError {
    fn from(e: paydesk_gateways::MoneyError) -> Self {
        use paydesk_gateways::MoneyError as M;
        let message = e.to_string();
        let problem = match e {
            M::Empty => Problem::AmountEmpty,
            M::NotDecimal(amount) => Problem::AmountNotDecimal { amount },
            M::TooPrecise {
                amount,
                digits,
                currency,
            } => Problem::AmountTooPrecise {
                amount,
                digits,
                currency: currency.code().to_string(),
            },
            M::Overflow(amount) => Problem::AmountTooLarge { amount },
            M::NotPositive(amount) => Problem::AmountNotPositive { amount },
            M::UnknownCurrency(currency) => Problem::UnknownCurrency { currency },
            M::BadGoogleMoney(_) | M::CurrencyMismatch(..) => Problem::Refused {
                reason: message.clone(),
            },
        };
        AppError { problem, message }
    }
}

impl From<crate::demo::SetupError> for AppError {
    fn from(e: crate::demo::SetupError) -> Self {
        match e {
            crate::demo::SetupError::Store(e) => e.into(),
            crate::demo::SetupError::Vault(e) => e.into(),
        }
    }
}

impl From<PayError> for AppError {
    fn from(e: PayError) -> Self {
        match e {
            PayError::Refused(reason) => AppError::refused(reason),
            no_secret @ PayError::NoSecret { .. } => {
                let message = no_secret.to_string();
                let PayError::NoSecret { profile, key } = no_secret else {
                    unreachable!("matched above")
                };
                AppError::new(Problem::NoSecret { profile, key }, message)
            }
            PayError::Invalid(invalid) => invalid.into(),
            PayError::Build(e) => e.into(),
            waiting @ PayError::NeedsAPerson { .. } => {
                let message = waiting.to_string();
                let PayError::NeedsAPerson { order_no } = waiting else {
                    unreachable!("matched above")
                };
                AppError::new(Problem::NeedsAPerson { order_no }, message)
            }
            open @ PayError::CodeMayStillBePaid { attempt_id } => {
                AppError::new(Problem::CodeMayStillBePaid { attempt_id }, open.to_string())
            }
            payable @ PayError::StillPayable { attempt_id, until } => AppError::new(
                Problem::StillPayable { attempt_id, until },
                payable.to_string(),
            ),
            PayError::Plan(refusal) => refusal.into(),
            PayError::Store(e) => e.into(),
            PayError::Vault(e) => e.into(),
            sent @ PayError::SentNotRecorded { .. } => {
                let message = sent.to_string();
                let PayError::SentNotRecorded {
                    attempt_id,
                    reason,
                    because,
                } = sent
                else {
                    unreachable!("matched above")
                };
                AppError::new(
                    Problem::SentNotRecorded {
                        attempt_id,
                        reason,
                        because,
                    },
                    message,
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(refusal: PlanRefusal) -> AppError {
        refusal.into()
    }

    #[test]
    fn every_failure_has_one_kind_both_shells_translate() {
        let table: Vec<(AppError, ErrorKind)> = vec![
            (PayError::Refused("no".into()).into(), ErrorKind::Refused),
            (
                StoreError::Invalid(crate::input_rules::check_note("\u{0}").unwrap_err()).into(),
                ErrorKind::Refused,
            ),
            (
                StoreError::NoSuchOrder("o".into()).into(),
                ErrorKind::NotFound,
            ),
            (StoreError::NoSuchAttempt(1).into(), ErrorKind::NotFound),
            (
                StoreError::AttemptInProgress {
                    order_no: "o".into(),
                    desk: None,
                    operator: None,
                }
                .into(),
                ErrorKind::InProgress,
            ),
            (
                StoreError::BeingSettled {
                    attempt_id: 1,
                    desk: None,
                }
                .into(),
                ErrorKind::InProgress,
            ),
            (
                StoreError::AlreadyPaid("o".into()).into(),
                ErrorKind::AlreadyPaid,
            ),
            (
                StoreError::DuplicateProfile("p".into()).into(),
                ErrorKind::Duplicate,
            ),
            (
                StoreError::DiskFull("full".into()).into(),
                ErrorKind::Internal,
            ),
            (
                StoreError::Corrupt("x".into()).into(),
                ErrorKind::Unavailable,
            ),
            (
                VaultError::BadSecret(crate::input_rules::check_secret("k", "").unwrap_err())
                    .into(),
                ErrorKind::Refused,
            ),
            (
                VaultError::Unavailable("no bus".into()).into(),
                ErrorKind::Keyring,
            ),
            (
                VaultError::Refused("locked".into()).into(),
                ErrorKind::Keyring,
            ),
            (
                plan(PlanRefusal::DeductionsExceedAmount),
                ErrorKind::Refused,
            ),
        ];
        for (error, kind) in table {
            assert_eq!(error.kind(), kind, "{error}");
        }
        assert_eq!(ErrorKind::InProgress.as_str(), "in_progress");
    }

    #[test]
    fn a_problem_keeps_the_message_the_command_line_prints_and_gains_a_code() {
        let e: AppError = StoreError::NoSuchOrder("O-1".into()).into();
        assert_eq!(e.to_string(), "no order \"O-1\"");
        assert_eq!(
            serde_json::to_value(&e.problem).unwrap(),
            serde_json::json!({"code": "no_such_order", "params": {"order_no": "O-1"}})
        );
        let e = plan(PlanRefusal::NoCoupon {
            gateway: "yian".into(),
        });
        assert_eq!(e.to_string(), "yian does not take coupons");
        assert_eq!(
            serde_json::to_value(&e.problem).unwrap(),
            serde_json::json!({"code": "no_coupon", "params": {"gateway": "yian"}})
        );
        assert_eq!(
            serde_json::to_value(Problem::DiskFull).unwrap(),
            serde_json::json!({"code": "disk_full"})
        );
    }
}
