//! What a gateway's answer means for an attempt: pure rules, time passed in, no I/O. The
//! engine asks and sends; the verdicts it records are decided here, once, for every path (a
//! payment's own answer, a status query, a resend, a callback) — which moves are legal, when
//! an amount is disputed, when "no such payment" may be believed, when asking goes to a
//! person. Tested as tables.

use paydesk_gateways::{Charged, GatewayError, Money, PayOutcome, Receipt};

use crate::domain::{Attempt, AttemptState};

/// How an attempt ended up after a gateway's answer, for [`Store::record`].
#[derive(Debug, Clone, Default)]
pub struct AttemptUpdate {
    pub gateway_ref: Option<String>,
    pub pay_url: Option<String>,
    /// What the gateway took off the price itself (a coupon it applied), when it says.
    pub gateway_deduction_minor: Option<i64>,
    /// Until when (unix ms) the customer can still pay with the gateway's code, when it says.
    pub payable_until: Option<i64>,
    /// The reference the customer's payment app shows, when the gateway says.
    pub customer_ref: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub detail: Option<String>,
}

/// What one status check concluded about an attempt.
#[derive(Debug, Clone)]
pub enum CheckVerdict {
    /// The answer settles the attempt (or hands it to a person): move it to this state.
    Settle(AttemptState, AttemptUpdate),
    /// Nothing settled: ask again later, less often.
    Inconclusive,
}

/// After this many inconclusive status answers an unknown attempt goes to a person.
pub const MAX_INCONCLUSIVE_CHECKS: i64 = 10;

/// An attempt's request is sent again under its idempotency key at most this often, whoever
/// asks (Pay, Check status, the reconciler); then a person decides.
pub const MAX_RESENDS: i64 = 5;

/// Whether a gateway recognises a repeat of a payment by its idempotency key (and so can be
/// asked again by sending it again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeats {
    Deduplicated,
    NotRecognised,
}

impl Repeats {
    pub fn of(capabilities: &paydesk_gateways::Capabilities) -> Repeats {
        if capabilities.idempotency_key {
            Repeats::Deduplicated
        } else {
            Repeats::NotRecognised
        }
    }
}

/// Whether a request sent when an attempt's last was must have landed or died by `now`: by
/// twice the timeout its own sender used ([`crate::sender::patience_ms`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Patience {
    Over,
    NotOver,
}

impl Patience {
    pub fn at(attempt: &Attempt, now_ms: i64) -> Patience {
        let sent_at = attempt.sent_at.unwrap_or(attempt.created_at);
        if now_ms - sent_at >= crate::sender::patience_ms(attempt.sender_timeout_ms) {
            Patience::Over
        } else {
            Patience::NotOver
        }
    }
}

/// What one answer (or its absence: `None` when the gateway has no status query) means for
/// an open attempt that asked the gateway to charge `asked`, at `now_ms` (the deciding clock).
pub fn judge(
    attempt: &Attempt,
    asked: Money,
    repeats: Repeats,
    answer: Option<PayOutcome>,
    patience: Patience,
    now_ms: i64,
) -> CheckVerdict {
    let last_chance = attempt.checks + 1 >= MAX_INCONCLUSIVE_CHECKS;
    let Some(outcome) = answer else {
        if attempt.state == AttemptState::Unknown && repeats == Repeats::NotRecognised {
            return review(
                attempt,
                "the gateway has neither a status query nor an idempotency key",
            );
        }
        // A payment waiting for its payer that the gateway cannot be asked about: after the
        // reconciler's patience (about half an hour of backoff), a person confirms it.
        if attempt.state == AttemptState::Pending && last_chance {
            return review(
                attempt,
                "still waiting for the payer, and the gateway has no status query",
            );
        }
        return CheckVerdict::Inconclusive;
    };
    if let PayOutcome::NoSuchPayment(e) = &outcome {
        if attempt.acknowledged() {
            return contradiction(attempt, e);
        }
    }
    let settles = outcome.reports_other_amount_than(asked)
        || match &outcome {
            PayOutcome::Succeeded(_) | PayOutcome::ForAPerson(_) => true,
            PayOutcome::Pending(_) => attempt.state != AttemptState::Pending,
            PayOutcome::Failed(_) => {
                attempt.state != AttemptState::Unknown || patience == Patience::Over
            }
            // "No such payment" for a request whose answer was lost: only once that request
            // must have landed or died.
            PayOutcome::NoSuchPayment(_) => patience == Patience::Over,
            PayOutcome::Unknown(_) => false,
        };
    if settles {
        let (state, update) = outcome_update(asked, outcome);
        return CheckVerdict::Settle(state, update);
    }
    if attempt.state == AttemptState::Unknown && last_chance {
        return review(
            attempt,
            "the gateway's status query never settled the payment",
        );
    }
    // A customer who walked away (or a payout the gateway never finishes) leaves a payment
    // waiting for good, and the order with it: nothing else is paid or changed while it
    // waits. Once it has been asked about often enough and long enough, and the customer's
    // code can no longer be used (or the gateway never said until when), a person confirms
    // whether it went through; "not paid" then takes their word that it can no longer
    // (`Attempt::may_still_be_paid`).
    let waited = now_ms.saturating_sub(attempt.sent_at.unwrap_or(attempt.created_at));
    let still_payable = attempt.payable_until.is_some_and(|until| now_ms < until);
    if attempt.state == AttemptState::Pending
        && last_chance
        && waited >= WAITING_PATIENCE_MS
        && !still_payable
    {
        return review(attempt, STILL_WAITING);
    }
    CheckVerdict::Inconclusive
}

/// How long a payment is left waiting (for its customer, or the gateway) before a person is
/// asked about it: counted from when it was sent, so that asking often (Check status, again
/// and again) does not bring it sooner.
pub const WAITING_PATIENCE_MS: i64 = 30 * 60_000;

/// Why a payment that kept waiting went to a person.
pub const STILL_WAITING: &str = "the gateway's status query still reported the payment as waiting";

/// The gateway took this payment (a reference came back, or it said the payment waits) and
/// now says it has no such payment: neither a failure nor a success, but evidence for a person.
fn contradiction(attempt: &Attempt, answer: &GatewayError) -> CheckVerdict {
    let why = format!(
        "the gateway acknowledged this payment{} and now reports no such payment ({}: {})",
        attempt
            .gateway_ref
            .as_deref()
            .map(|r| format!(" as {r}"))
            .unwrap_or_default(),
        answer.code,
        answer.message
    );
    CheckVerdict::Settle(
        AttemptState::NeedsReview,
        AttemptUpdate {
            error_code: Some("CONTRADICTION".into()),
            error_message: Some(why.clone()),
            detail: Some(why),
            ..AttemptUpdate::default()
        },
    )
}

fn review(attempt: &Attempt, why: &str) -> CheckVerdict {
    let evidence = format!(
        "{why}; last error: {}: {}",
        attempt.error_code.as_deref().unwrap_or("none"),
        attempt.error_message.as_deref().unwrap_or("")
    );
    CheckVerdict::Settle(
        AttemptState::NeedsReview,
        AttemptUpdate {
            error_code: attempt.error_code.clone(),
            error_message: attempt.error_message.clone(),
            detail: Some(evidence),
            ..AttemptUpdate::default()
        },
    )
}

fn receipt_update(receipt: Receipt) -> AttemptUpdate {
    AttemptUpdate {
        gateway_deduction_minor: receipt.gateway_deduction.map(|d| d.minor),
        payable_until: receipt.payable_until,
        customer_ref: receipt.customer_ref,
        gateway_ref: receipt.gateway_ref,
        pay_url: receipt.pay_url,
        detail: receipt.detail.map(|d| d.to_string()),
        ..AttemptUpdate::default()
    }
}

fn amount_mismatch(asked: Money, receipt: Receipt) -> (AttemptState, AttemptUpdate) {
    let charged = receipt
        .charged
        .as_ref()
        .map_or_else(|| "another amount".to_string(), ToString::to_string);
    // Where the gateway took its own deduction first, the price it charged from is the
    // figure held against what was asked.
    let reported = match (&receipt.charged, receipt.gateway_deduction) {
        (Some(Charged::Money(paid)), Some(deducted)) if deducted.minor > 0 => {
            let price = paid
                .minor
                .checked_add(deducted.minor)
                .filter(|_| paid.currency == deducted.currency)
                .map(|minor| Money::from_minor(minor, paid.currency));
            match price {
                Some(price) => format!(
                    "a price of {price} ({paid} charged after its own deduction of {deducted})"
                ),
                None => format!("{paid} charged after its own deduction of {deducted}"),
            }
        }
        _ => charged,
    };
    let message = format!("the gateway reports {reported} for this payment, but {asked} was asked");
    (
        AttemptState::NeedsReview,
        AttemptUpdate {
            gateway_ref: receipt.gateway_ref,
            pay_url: receipt.pay_url,
            gateway_deduction_minor: receipt.gateway_deduction.map(|d| d.minor),
            payable_until: receipt.payable_until,
            customer_ref: receipt.customer_ref,
            detail: Some(message.clone()),
            error_code: Some("AMOUNT_MISMATCH".into()),
            error_message: Some(message),
        },
    )
}

fn error_update(error: GatewayError) -> AttemptUpdate {
    AttemptUpdate {
        detail: Some(format!("{}: {}", error.code, error.message)),
        error_code: Some(error.code),
        error_message: Some(error.message),
        ..AttemptUpdate::default()
    }
}

/// A refusal of a resend says nothing certain about the first request, which may have paid.
pub fn refused_resend(refusal: GatewayError) -> (AttemptState, AttemptUpdate) {
    let why = format!(
        "the gateway refused the payment sent again under its idempotency key ({}: {}); the first request may have paid",
        refusal.code, refusal.message
    );
    for_a_person(refusal, why)
}

pub fn too_many_resends(attempt: &Attempt) -> AttemptUpdate {
    let why = format!(
        "sent again {} times without an answer that settles it; last error: {}: {}",
        attempt.resends,
        attempt.error_code.as_deref().unwrap_or("none"),
        attempt.error_message.as_deref().unwrap_or("")
    );
    AttemptUpdate {
        error_code: attempt.error_code.clone(),
        error_message: attempt.error_message.clone(),
        detail: Some(why),
        ..AttemptUpdate::default()
    }
}

/// An answer a person must weigh: the gateway's own words kept, and why in the event.
fn for_a_person(error: GatewayError, why: String) -> (AttemptState, AttemptUpdate) {
    (
        AttemptState::NeedsReview,
        AttemptUpdate {
            detail: Some(why),
            error_code: Some(error.code),
            error_message: Some(error.message),
            ..AttemptUpdate::default()
        },
    )
}

/// What a gateway's answer means for an attempt that asked it to charge `asked`. A payment
/// the gateway reports for another amount is neither paid nor waiting: a person compares the
/// gateway's record with the order (paydesk never settles a disagreement about money itself).
pub fn outcome_update(asked: Money, outcome: PayOutcome) -> (AttemptState, AttemptUpdate) {
    let disputed = outcome.reports_other_amount_than(asked);
    match outcome {
        PayOutcome::Succeeded(r) | PayOutcome::Pending(r) if disputed => amount_mismatch(asked, r),
        PayOutcome::Succeeded(r) => (AttemptState::Succeeded, receipt_update(r)),
        PayOutcome::Pending(r) => (AttemptState::Pending, receipt_update(r)),
        PayOutcome::Failed(e) | PayOutcome::NoSuchPayment(e) => {
            (AttemptState::Failed, error_update(e))
        }
        PayOutcome::Unknown(e) => (AttemptState::Unknown, error_update(e)),
        PayOutcome::ForAPerson(e) => {
            let why = format!(
                "the gateway's answer settles nothing either way ({}: {}); a person decides",
                e.code, e.message
            );
            for_a_person(e, why)
        }
    }
}

/// When the reconciler asks about a pending or unknown attempt again: quickly at first, then
/// backing off to once every ten minutes.
pub fn next_check_delay_ms(checks: i64) -> i64 {
    let seconds = 2_i64.saturating_pow(checks.clamp(0, 20) as u32).min(600);
    seconds * 1000
}

#[cfg(test)]
mod tests {
    use super::*;
    use paydesk_gateways::{Currency, RetryClass};

    fn attempt(state: AttemptState, checks: i64) -> Attempt {
        Attempt {
            id: 7,
            order_id: 1,
            channel: "alipay".into(),
            state,
            idempotency_key: "k".into(),
            amount_minor: 100,
            gateway_ref: None,
            pay_url: None,
            error_code: Some("ANSWER_LOST".into()),
            error_message: Some("timed out".into()),
            deductions: "[]".into(),
            coupon: None,
            credit_minor: None,
            checks,
            resends: 0,
            contested: None,
            gateway_deduction_minor: None,
            sent_at: Some(0),
            sender_timeout_ms: Some(30_000),
            sender: None,
            sender_process: None,
            desk: String::new(),
            operator: String::new(),
            db_role: None,
            payable_until: None,
            customer_ref: None,
            subscription_refunds: "[]".into(),
            created_at: 0,
            updated_at: 0,
        }
    }

    /// What the attempt asked the gateway to charge.
    fn asked(attempt: &Attempt) -> Money {
        Money::from_minor(attempt.amount_minor, Currency::CNY)
    }

    #[test]
    fn a_payment_the_gateway_reports_for_another_amount_goes_to_a_person() {
        let pending = attempt(AttemptState::Pending, 0);
        let reporting = |charged: Charged| Receipt {
            gateway_ref: Some("ch_1".into()),
            charged: Some(charged),
            ..Receipt::default()
        };
        let fen = |minor| Charged::Money(Money::from_minor(minor, Currency::CNY));
        for exact in [
            fen(100),
            Charged::Decimal("1.00".into()),
            Charged::Decimal("1".into()),
        ] {
            let paid = PayOutcome::Succeeded(reporting(exact));
            assert_eq!(
                settles_to(&judge(
                    &pending,
                    asked(&pending),
                    Repeats::Deduplicated,
                    Some(paid),
                    Patience::NotOver,
                    0
                )),
                Some(AttemptState::Succeeded)
            );
        }
        let more = PayOutcome::Succeeded(reporting(fen(101)));
        let verdict = judge(
            &pending,
            asked(&pending),
            Repeats::Deduplicated,
            Some(more),
            Patience::NotOver,
            0,
        );
        let CheckVerdict::Settle(AttemptState::NeedsReview, update) = verdict else {
            panic!("expected a review, got {verdict:?}");
        };
        assert_eq!(update.error_code.as_deref(), Some("AMOUNT_MISMATCH"));
        let why = update.detail.unwrap();
        assert!(why.contains("¥1.01") && why.contains("¥1.00"), "{why}");
        assert_eq!(update.gateway_ref.as_deref(), Some("ch_1"));
        // Still waiting, but for another amount; another currency; an amount finer than fen.
        for disputed in [
            PayOutcome::Pending(reporting(fen(99))),
            PayOutcome::Succeeded(reporting(Charged::Money(Money::from_minor(
                100,
                Currency::INR,
            )))),
            PayOutcome::Succeeded(reporting(Charged::Decimal("1.001".into()))),
        ] {
            assert_eq!(
                settles_to(&judge(
                    &pending,
                    asked(&pending),
                    Repeats::Deduplicated,
                    Some(disputed),
                    Patience::NotOver,
                    0
                )),
                Some(AttemptState::NeedsReview)
            );
        }
    }

    fn failed() -> PayOutcome {
        PayOutcome::Failed(GatewayError::new(
            "NOT_FOUND",
            "no such order",
            RetryClass::Safe,
        ))
    }

    fn settles_to(verdict: &CheckVerdict) -> Option<AttemptState> {
        match verdict {
            CheckVerdict::Settle(state, _) => Some(*state),
            CheckVerdict::Inconclusive => None,
        }
    }

    #[test]
    fn no_such_payment_is_believed_only_after_the_lost_request_had_time_to_land() {
        let unknown = attempt(AttemptState::Unknown, 0);
        assert_eq!(
            settles_to(&judge(
                &unknown,
                asked(&unknown),
                Repeats::Deduplicated,
                Some(failed()),
                Patience::NotOver,
                0
            )),
            None
        );
        assert_eq!(
            settles_to(&judge(
                &unknown,
                asked(&unknown),
                Repeats::Deduplicated,
                Some(failed()),
                Patience::Over,
                0
            )),
            Some(AttemptState::Failed)
        );
        // A pending payment the gateway calls failed is failed: its request is long in.
        let pending = attempt(AttemptState::Pending, 0);
        assert_eq!(
            settles_to(&judge(
                &pending,
                asked(&pending),
                Repeats::Deduplicated,
                Some(failed()),
                Patience::NotOver,
                0
            )),
            Some(AttemptState::Failed)
        );
    }

    #[test]
    fn no_such_payment_is_believed_only_for_a_request_the_gateway_never_acknowledged() {
        let not_found = || {
            PayOutcome::NoSuchPayment(GatewayError::new(
                "ORDER_NOT_FOUND",
                "order not found",
                RetryClass::Safe,
            ))
        };
        let lost = attempt(AttemptState::Unknown, 0);
        let acknowledged = Attempt {
            gateway_ref: Some("7".into()),
            ..attempt(AttemptState::Unknown, 0)
        };
        let pending = attempt(AttemptState::Pending, 0);
        // (attempt, patience, what it settles to)
        let table = [
            (&lost, Patience::NotOver, None),
            (&lost, Patience::Over, Some(AttemptState::Failed)),
            (
                &acknowledged,
                Patience::NotOver,
                Some(AttemptState::NeedsReview),
            ),
            (
                &acknowledged,
                Patience::Over,
                Some(AttemptState::NeedsReview),
            ),
            (&pending, Patience::NotOver, Some(AttemptState::NeedsReview)),
            (&pending, Patience::Over, Some(AttemptState::NeedsReview)),
        ];
        for (seen, patience, expected) in table {
            let verdict = judge(
                seen,
                asked(seen),
                Repeats::Deduplicated,
                Some(not_found()),
                patience,
                0,
            );
            assert_eq!(settles_to(&verdict), expected, "{seen:?} {patience:?}");
            if expected == Some(AttemptState::NeedsReview) {
                let CheckVerdict::Settle(_, update) = verdict else {
                    unreachable!()
                };
                assert_eq!(update.error_code.as_deref(), Some("CONTRADICTION"));
                assert!(update.detail.unwrap().contains("order not found"));
            }
        }
    }

    #[test]
    fn an_answer_for_a_person_settles_nothing_by_itself() {
        let refused = PayOutcome::ForAPerson(GatewayError::new(
            "isv.order-not-exist",
            "Remote service error",
            RetryClass::Not,
        ));
        for state in [AttemptState::Unknown, AttemptState::Pending] {
            let seen = attempt(state, 0);
            for patience in [Patience::NotOver, Patience::Over] {
                let verdict = judge(
                    &seen,
                    asked(&seen),
                    Repeats::Deduplicated,
                    Some(refused.clone()),
                    patience,
                    0,
                );
                let CheckVerdict::Settle(AttemptState::NeedsReview, update) = verdict else {
                    panic!("expected a review, got {verdict:?}");
                };
                assert_eq!(update.error_code.as_deref(), Some("isv.order-not-exist"));
            }
        }
    }

    #[test]
    fn still_pending_and_unreadable_answers_settle_nothing() {
        let pending = attempt(AttemptState::Pending, 0);
        let waiting = PayOutcome::Pending(Receipt::default());
        assert_eq!(
            settles_to(&judge(
                &pending,
                asked(&pending),
                Repeats::Deduplicated,
                Some(waiting.clone()),
                Patience::Over,
                0
            )),
            None
        );
        let unknown = attempt(AttemptState::Unknown, 0);
        assert_eq!(
            settles_to(&judge(
                &unknown,
                asked(&unknown),
                Repeats::Deduplicated,
                Some(waiting),
                Patience::Over,
                0
            )),
            Some(AttemptState::Pending)
        );
        let garbled = PayOutcome::Unknown(GatewayError::new("X", "?", RetryClass::Unknown));
        assert_eq!(
            settles_to(&judge(
                &unknown,
                asked(&unknown),
                Repeats::Deduplicated,
                Some(garbled),
                Patience::Over,
                0
            )),
            None
        );
        assert_eq!(
            settles_to(&judge(
                &pending,
                asked(&pending),
                Repeats::Deduplicated,
                Some(PayOutcome::Succeeded(Receipt::default())),
                Patience::NotOver,
                0
            )),
            Some(AttemptState::Succeeded)
        );
    }

    #[test]
    fn what_asking_cannot_settle_goes_to_a_person_with_the_evidence() {
        let last = MAX_INCONCLUSIVE_CHECKS - 1;
        let garbled = PayOutcome::Unknown(GatewayError::new("X", "?", RetryClass::Unknown));
        let verdict = judge(
            &attempt(AttemptState::Unknown, last),
            asked(&attempt(AttemptState::Unknown, last)),
            Repeats::Deduplicated,
            Some(garbled),
            Patience::Over,
            0,
        );
        let CheckVerdict::Settle(AttemptState::NeedsReview, update) = verdict else {
            panic!("expected a review, got {verdict:?}");
        };
        assert!(update.detail.unwrap().contains("ANSWER_LOST: timed out"));
        assert_eq!(update.error_code.as_deref(), Some("ANSWER_LOST"));
        // No status query: an unknown attempt without an idempotency key cannot be settled by
        // a machine at all; one with a key waits for its resend.
        let unknown = attempt(AttemptState::Unknown, 0);
        assert_eq!(
            settles_to(&judge(
                &unknown,
                asked(&unknown),
                Repeats::NotRecognised,
                None,
                Patience::Over,
                0
            )),
            Some(AttemptState::NeedsReview)
        );
        assert_eq!(
            settles_to(&judge(
                &unknown,
                asked(&unknown),
                Repeats::Deduplicated,
                None,
                Patience::Over,
                0
            )),
            None
        );
        assert_eq!(
            settles_to(&judge(
                &attempt(AttemptState::Pending, last - 1),
                asked(&attempt(AttemptState::Pending, last - 1)),
                Repeats::Deduplicated,
                None,
                Patience::Over,
                0
            )),
            None
        );
        assert_eq!(
            settles_to(&judge(
                &attempt(AttemptState::Pending, last),
                asked(&attempt(AttemptState::Pending, last)),
                Repeats::Deduplicated,
                None,
                Patience::Over,
                0
            )),
            Some(AttemptState::NeedsReview)
        );
    }

    #[test]
    fn a_payment_that_keeps_waiting_for_its_customer_goes_to_a_person_once_its_code_is_spent() {
        // Sent at 0 (the table's attempts), asked about for longer than the patience.
        let now = WAITING_PATIENCE_MS + 60_000;
        let last = MAX_INCONCLUSIVE_CHECKS - 1;
        let waiting = PayOutcome::Pending(Receipt::default());
        let no_endpoint = PayOutcome::Unknown(GatewayError::new(
            "NO_STATUS_ENDPOINT",
            "HTTP 404",
            RetryClass::Unknown,
        ));
        let pending = |checks: i64, payable_until: Option<i64>| Attempt {
            payable_until,
            error_code: None,
            error_message: None,
            ..attempt(AttemptState::Pending, checks)
        };
        // (checks made, the code payable until, the answer, goes to a person)
        let cases = [
            (last - 1, None, waiting.clone(), false),
            (last, None, waiting.clone(), true),
            (last, None, no_endpoint.clone(), true),
            (last, Some(now + 1), waiting.clone(), false),
            (last, Some(now + 1), no_endpoint, false),
            (last, Some(now), waiting.clone(), true),
            (last + 5, Some(now - 60_000), waiting, true),
        ];
        for (checks, until, answer, reviewed) in cases {
            let a = pending(checks, until);
            let at = |now| {
                judge(
                    &a,
                    asked(&a),
                    Repeats::NotRecognised,
                    Some(answer.clone()),
                    Patience::Over,
                    now,
                )
            };
            // Asked as often, but sooner (Check status pressed again and again): it waits.
            assert!(
                matches!(at(WAITING_PATIENCE_MS - 1), CheckVerdict::Inconclusive),
                "{checks} checks, payable until {until:?}: asked too soon"
            );
            let verdict = at(now);
            let case = format!("{checks} checks, payable until {until:?}, {answer:?}");
            match verdict {
                CheckVerdict::Settle(AttemptState::NeedsReview, update) => {
                    assert!(reviewed, "{case}: reviewed");
                    assert!(update.detail.unwrap().starts_with(STILL_WAITING), "{case}");
                }
                CheckVerdict::Inconclusive => assert!(!reviewed, "{case}: still waiting"),
                other => panic!("{case}: {other:?}"),
            }
        }
    }
}
