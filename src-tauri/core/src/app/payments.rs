//! Paying, for the window and the command line alike: what was asked read into a payment by
//! one set of rules, its quote, the payment itself, a status check, a person's decision and a
//! reconcile pass. A paydesk sandbox learns of an order before it is paid, as real gateways
//! know their merchants' orders.

use crate::domain::{AttemptState, OrderView, Profile};
use crate::engine::Engine;
use crate::personal_data;
use crate::pricing::{connector_of, plan_payment, PayCommand, Quote};
use crate::report::{OrderDetail, PaymentReport};
use crate::sandbox_link;
use crate::store::{Store, StoreError};
use crate::Channel;
use paydesk_gateways::invalid::{Field, Rule};
use paydesk_gateways::{Currency, Invalid, Money};

use super::{AppError, Problem, Result};

/// A payment as a person asked for it, in either shell.
#[derive(Debug, Clone, Default)]
pub struct PayInput {
    pub order_no: String,
    /// A channel's name; none means the gateway's only channel.
    pub channel: Option<String>,
    /// Vouchers as typed: id and the amount it takes off, a decimal in the order's currency.
    pub vouchers: Vec<(String, String)>,
    pub coupon: Option<String>,
    /// The part paid on credit, where the gateway splits between balance and credit.
    pub credit_amount: Option<String>,
    /// Subscriptions the payment replaces (TOP), each id with its refund as typed.
    pub subscription_refunds: Vec<(String, String)>,
    /// The order's revision the person saw priced, where a screen showed it
    /// ([`PayCommand::seen_revision`]).
    pub revision: Option<i64>,
    /// The order's amount as the payer expects it, typed (the command line's
    /// `--expect-amount`): another amount is refused before anything is sent, and the payment
    /// is held to the revision that had it.
    pub expected_amount: Option<String>,
}

/// An order's payment read by every rule: its order and profile, and the command.
struct Asked {
    order: OrderView,
    profile: Profile,
    command: PayCommand,
}

fn blank_is_none(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn channel_list(channels: &[Channel]) -> String {
    if channels.is_empty() {
        return "no channel".into();
    }
    channels
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The coupon, if one was given: a reference like any other (it is sent and journaled).
fn coupon(typed: Option<String>) -> Result<Option<String>> {
    let coupon = blank_is_none(typed);
    if let Some(id) = &coupon {
        crate::input_rules::check_reference_as(Field::Coupon, id)?;
    }
    Ok(coupon)
}

/// The vouchers without blank rows; an amount without an id, or one id twice, is refused.
fn vouchers(rows: Vec<(String, String)>) -> Result<Vec<(String, String)>> {
    let mut kept: Vec<(String, String)> = Vec::new();
    for (id, amount) in rows {
        let (id, amount) = (id.trim().to_string(), amount.trim().to_string());
        if id.is_empty() && amount.is_empty() {
            continue;
        }
        if id.is_empty() {
            return Err(Invalid::new(Field::VoucherId, Rule::Blank).into());
        }
        crate::input_rules::check_reference_as(Field::VoucherId, &id)?;
        if kept.iter().any(|(seen, _)| *seen == id) {
            let value = paydesk_gateways::shown(&id);
            return Err(Invalid::new(Field::VoucherId, Rule::GivenTwice { value }).into());
        }
        kept.push((id, amount));
    }
    Ok(kept)
}

/// The revision a payment is held to when the payer expects `typed` to be the order's amount:
/// the one read, if the order is that amount now (the journal refuses the payment if it is
/// edited before then). A revision the payer saw too must be that one.
fn expected_revision(order: &OrderView, typed: &str, seen: Option<i64>) -> Result<i64> {
    let currency =
        Currency::parse(&order.currency).map_err(|e| AppError::refused(e.to_string()))?;
    let expected = Money::parse(typed, currency)?;
    let amount = Money::from_minor(order.amount_minor, currency);
    if expected != amount {
        return Err(AppError::refused(format!(
            "order {} is {amount}, not the {expected} expected: nothing was sent",
            paydesk_gateways::shown(&order.order_no)
        )));
    }
    match seen {
        Some(seen) if seen != order.revision => {
            Err(StoreError::OrderChanged(order.order_no.clone()).into())
        }
        _ => Ok(order.revision),
    }
}

async fn read(store: &Store, input: PayInput) -> Result<Asked> {
    let order = store.order(&input.order_no).await?;
    let profile = store.profile(&order.profile).await?;
    let channels = connector_of(&profile.gateway)?.capabilities().channels;
    let channel = match input.channel.as_deref().map(str::trim) {
        Some(text) => Channel::parse(text).ok_or_else(|| {
            let offered = channel_list(&channels);
            // Quoted back cut short: a value of any length was typed.
            let text = match text.char_indices().nth(40) {
                Some((end, _)) => format!("{}…", &text[..end]),
                None => text.to_string(),
            };
            AppError::new(
                Problem::UnknownChannel {
                    channel: text.clone(),
                    gateway: profile.gateway.clone(),
                    offered: offered.clone(),
                },
                format!(
                    "unknown channel {text:?}; {} offers {offered}",
                    profile.gateway
                ),
            )
        })?,
        None if channels.len() == 1 => channels[0],
        None => {
            let offered = channel_list(&channels);
            return Err(AppError::new(
                Problem::ChannelRequired {
                    gateway: profile.gateway.clone(),
                    offered: offered.clone(),
                },
                format!(
                    "a channel is required: {} offers {offered}",
                    profile.gateway
                ),
            ));
        }
    };
    let seen_revision = match blank_is_none(input.expected_amount) {
        Some(typed) => Some(expected_revision(&order, &typed, input.revision)?),
        None => input.revision,
    };
    let command = PayCommand {
        order_no: order.order_no.clone(),
        channel,
        deductions: vouchers(input.vouchers)?,
        coupon: coupon(input.coupon)?,
        credit_amount: blank_is_none(input.credit_amount),
        subscription_refunds: input.subscription_refunds,
        seen_revision,
    };
    Ok(Asked {
        order,
        profile,
        command,
    })
}

/// What the payment would charge, refused for exactly the reasons paying refuses before
/// sending anything.
pub async fn quote(store: &Store, input: PayInput) -> Result<Quote> {
    let asked = read(store, input).await?;
    if (asked.command.seen_revision).is_some_and(|seen| seen != asked.order.revision) {
        return Err(StoreError::OrderChanged(asked.order.order_no.clone()).into());
    }
    let connector = connector_of(&asked.profile.gateway)?;
    let plan = plan_payment(
        &asked.order,
        &asked.profile.gateway,
        &connector.capabilities(),
        &asked.command,
    )?;
    let quote = Quote::of(&plan);
    crate::engine::checked_request(
        connector.as_ref(),
        &asked.order,
        &asked.profile,
        &asked.command,
        plan,
    )?;
    Ok(quote)
}

/// Pays the order as asked (see [`Engine::pay`] for how an earlier attempt is settled first).
pub async fn pay(engine: &Engine, input: PayInput) -> Result<PaymentReport> {
    let asked = read(engine.store(), input).await?;
    if asked.profile.is_sandbox {
        let connector = connector_of(&asked.profile.gateway)?;
        plan_payment(
            &asked.order,
            &asked.profile.gateway,
            &connector.capabilities(),
            &asked.command,
        )?;
        register_in_sandbox(engine, &asked).await?;
    }
    let paid = engine.pay(&asked.command).await;
    // What a shared desk paid (or tried to) stays readable here when its server is not.
    engine
        .store()
        .keep_copy(std::slice::from_ref(&asked.order.order_no))
        .await;
    Ok(PaymentReport::new(&asked.order, &paid?))
}

async fn register_in_sandbox(engine: &Engine, asked: &Asked) -> Result<()> {
    let transport = engine.transport_for(&asked.profile.settings)?;
    let order = &asked.order;
    sandbox_link::register_order(
        &transport,
        &asked.profile.base_url,
        &asked.profile.gateway,
        &order.order_no,
        order.amount_minor,
        &order.currency,
        &order.subject,
        &order.attributes,
    )
    .await
    .map_err(|e| AppError::refused(format!("the sandbox could not take the order: {e}")))
}

/// Asks the gateway about the attempt now; the order as it stands afterwards.
pub async fn check_status(engine: &Engine, attempt_id: i64) -> Result<OrderDetail> {
    let attempt = engine.check_status(attempt_id).await?;
    let order = engine.store().order_of(&attempt).await?;
    Ok(personal_data::hidden(
        engine.store().order_detail(&order.order_no).await?,
    ))
}

/// The order, after asking the gateway about its latest attempt if that is still open. A
/// payment still being sent is asked about too: settled there and then when its sender is
/// gone, refused (nothing changed) while it may be waiting.
pub async fn refresh(engine: &Engine, order_no: &str) -> Result<OrderDetail> {
    let store = engine.store();
    let order = store.order(order_no).await?;
    if let Some(latest) = store.latest_attempt(order.id).await? {
        if matches!(
            latest.state,
            AttemptState::Pending | AttemptState::Unknown | AttemptState::Submitting
        ) {
            engine.check_status(latest.id).await?;
        }
    }
    Ok(personal_data::hidden(store.order_detail(order_no).await?))
}

/// A person's decision on an attempt waiting for one: `succeeded` or `failed`, with a note
/// (and, for "not paid" where the customer may yet pay, `code_unusable`: their word that the
/// customer did not and the payment code can no longer be used).
pub async fn resolve_review(
    engine: &Engine,
    attempt_id: i64,
    decision: &str,
    note: &str,
    code_unusable: bool,
) -> Result<OrderDetail> {
    let decision = match AttemptState::parse(decision.trim()) {
        Some(d @ (AttemptState::Succeeded | AttemptState::Failed)) => d,
        _ => {
            return Err(AppError::refused(format!(
                "a review decides \"succeeded\" or \"failed\", not {decision:?}"
            )))
        }
    };
    let attempt = engine
        .resolve_review(attempt_id, decision, note, code_unusable)
        .await
        .map_err(|e| match e {
            crate::engine::PayError::Store(StoreError::BadTransition { id, from, .. }) => {
                AppError::new(
                    Problem::NotAwaitingReview {
                        attempt_id: id,
                        state: from,
                    },
                    format!("attempt {id} is {from}, not waiting for review"),
                )
            }
            other => other.into(),
        })?;
    let order = engine.store().order_of(&attempt).await?;
    Ok(personal_data::hidden(
        engine.store().order_detail(&order.order_no).await?,
    ))
}

/// Settles every open attempt now; the payments that changed.
pub async fn reconcile(engine: &Engine) -> Result<Vec<PaymentReport>> {
    let mut reports = Vec::new();
    for attempt in engine.reconcile_all().await? {
        let order = engine.store().order_of(&attempt).await?;
        reports.push(PaymentReport::new(&order, &attempt));
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn vouchers_skip_blank_rows_and_refuse_a_missing_or_repeated_id() {
        assert_eq!(
            vouchers(rows(&[(" v1 ", " 1.00 "), ("", " "), ("v2", "2")])).unwrap(),
            rows(&[("v1", "1.00"), ("v2", "2")])
        );
        let no_id = vouchers(rows(&[("", "3.00")])).unwrap_err();
        assert_eq!(no_id.to_string(), "the voucher id is empty");
        let twice = vouchers(rows(&[("v1", "1"), (" v1", "2")])).unwrap_err();
        assert_eq!(twice.to_string(), "the voucher id \"v1\" is given twice");
        // An id is sent to the gateway, journaled and printed: a reference's rules.
        let escape = vouchers(rows(&[("v\u{1b}[7mX\u{7}", "1.00")])).unwrap_err();
        assert_eq!(
            escape.to_string(),
            "the voucher id contains control characters"
        );
        let long = vouchers(rows(&[(&"v".repeat(129), "1.00")])).unwrap_err();
        assert!(long.to_string().contains("longer than 128"), "{long}");
        let coupon_refused = coupon(Some("c\u{7}".into())).unwrap_err();
        assert_eq!(
            coupon_refused.to_string(),
            "the coupon contains control characters"
        );
        assert_eq!(coupon(Some(" c-1 ".into())).unwrap(), Some("c-1".into()));
    }

    #[tokio::test]
    async fn a_payment_priced_from_an_order_since_changed_is_refused_before_anything_is_written() {
        use crate::app::orders::{edit_order, OrderEdit};
        use crate::test_support::{add_profile, cny, new_order, temp_store};
        let (_dir, store) = temp_store().await;
        add_profile(&store, "p", "sensecore").await;
        let seen = store
            .add_order(&new_order("p", "O-1", cny("10.00")))
            .await
            .unwrap();
        // Another window makes it 12.00 while the pay dialog still shows 10.00.
        let edit = OrderEdit {
            order_no: "O-1".into(),
            revision: Some(seen.revision),
            amount: Some("12.00".into()),
            ..OrderEdit::default()
        };
        let now = edit_order(&store, edit).await.unwrap();
        let asked = |revision| PayInput {
            order_no: "O-1".into(),
            channel: Some("balance".into()),
            revision: Some(revision),
            ..PayInput::default()
        };
        let vault: std::sync::Arc<dyn crate::vault::Vault> =
            std::sync::Arc::new(crate::vault::MemoryVault::default());
        let engine = Engine::new(store.clone(), vault, Default::default());
        let quoted = quote(&store, asked(seen.revision)).await.unwrap_err();
        let paid = pay(&engine, asked(seen.revision)).await.unwrap_err();
        for refused in [&quoted, &paid] {
            assert!(
                matches!(refused.problem, Problem::OrderChanged { .. }),
                "{refused}"
            );
        }
        assert!(
            store.attempts("O-1").await.unwrap().is_empty(),
            "nothing journaled"
        );
        // Priced again from the order as it is now, it quotes what will be charged.
        let fresh = quote(&store, asked(now.revision)).await.unwrap();
        assert_eq!(fresh.remaining, "12.00");
    }

    #[tokio::test]
    async fn an_expected_amount_other_than_the_orders_is_refused_and_nothing_is_sent() {
        use crate::test_support::{add_profile, cny, new_order, temp_store};
        let (_dir, store) = temp_store().await;
        add_profile(&store, "p", "sensecore").await;
        let order = store
            .add_order(&new_order("p", "O-1", cny("12.00")))
            .await
            .unwrap();
        let vault: std::sync::Arc<dyn crate::vault::Vault> =
            std::sync::Arc::new(crate::vault::MemoryVault::default());
        let engine = Engine::new(store.clone(), vault, Default::default());
        let expecting = |amount: &str, revision| PayInput {
            order_no: "O-1".into(),
            channel: Some("balance".into()),
            expected_amount: Some(amount.into()),
            revision,
            ..PayInput::default()
        };
        let refused = pay(&engine, expecting("10.00", None)).await.unwrap_err();
        assert!(
            matches!(refused.problem, Problem::Refused { .. }),
            "{refused}"
        );
        assert!(
            refused.message.contains("¥12.00") && refused.message.contains("¥10.00"),
            "{refused}"
        );
        let unreadable = pay(&engine, expecting("ten", None)).await.unwrap_err();
        assert!(
            matches!(unreadable.problem, Problem::AmountNotDecimal { .. }),
            "{unreadable}"
        );
        let stale = pay(&engine, expecting("12.00", Some(order.revision - 1)))
            .await
            .unwrap_err();
        assert!(
            matches!(stale.problem, Problem::OrderChanged { .. }),
            "{stale}"
        );
        assert!(
            store.attempts("O-1").await.unwrap().is_empty(),
            "nothing journaled"
        );

        // The amount as it is: the payment is held to the revision that had it.
        let asked = read(&store, expecting(" 12.0 ", None)).await.unwrap();
        assert_eq!(asked.command.seen_revision, Some(order.revision));
    }

    #[test]
    fn blank_optional_fields_mean_none() {
        assert_eq!(blank_is_none(Some("  ".into())), None);
        assert_eq!(blank_is_none(Some(" c1 ".into())), Some("c1".into()));
        assert_eq!(blank_is_none(None), None);
    }
}
