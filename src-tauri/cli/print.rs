//! What the command line prints about payments: `pay`, `status`, `resolve`, `reconcile`.

use paydesk_core::domain::{AttemptState, OrderView};
use paydesk_core::merchant::Zone;
use paydesk_core::report::{Charges, DeductionKind, OrderDetail, PaymentReport};
use paydesk_core::store::Store;

/// `status`: the latest attempt as `pay` reports it, with every attempt beside it.
/// An order's payments; answered from the desk's copy of the shared history while its server
/// is out of reach, which the JSON says (`"source": "cache"`, `"as_of"`) and the text too.
pub(super) fn print_status(detail: &OrderDetail, json: bool, store: &Store, zone: &Zone) {
    let from_copy = !store.is_reachable();
    let order_no = &detail.order.order_no;
    let latest = detail.attempts.last();
    if json {
        let mut value = match latest {
            Some(a) => serde_json::to_value(PaymentReport::new(&detail.order, &a.attempt))
                .expect("serializable"),
            None => serde_json::json!({
                "order_no": order_no, "state": "created", "attempt_id": null, "channel": null,
                "idempotency_key": null, "gateway_ref": null, "customer_ref": null, "pay_url": null,
                "error": null,
                "is_sandbox": detail.order.is_sandbox
            }),
        };
        value["attempts"] = serde_json::to_value(&detail.attempts).expect("serializable");
        value["cancelled"] = detail.order.cancelled_at.is_some().into();
        value["cancel_note"] = detail.order.cancel_note.clone().into();
        if from_copy {
            value["source"] = "cache".into();
            value["as_of"] = store.copy_as_of().into();
        }
        println!("{value}");
        return;
    }
    say!(
        "order {} ({} {}) via {}{}",
        order_no,
        detail.order.currency,
        detail.order.amount,
        detail.order.profile,
        sandbox_badge(detail.order.is_sandbox)
    );
    if from_copy {
        say!(
            "  offline: history as of {}; paying is paused",
            paydesk_core::store::as_of_text(store.copy_as_of())
        );
    }
    if detail.order.cancelled_at.is_some() {
        match &detail.order.cancel_note {
            Some(note) => say!("  cancelled: {note}"),
            None => say!("  cancelled"),
        }
    } else if detail.attempts.is_empty() {
        say!("  not paid yet");
    }
    for a in &detail.attempts {
        say_part!(
            "  attempt {} via {}: {}",
            a.attempt.id,
            a.attempt.channel,
            a.attempt.state
        );
        if let Some(e) = &a.error {
            say_part!(" ({}: {})", e.code, e.message);
        }
        println!();
        // What a support agent compares with what the customer or the gateway says.
        let who = [a.attempt.desk.as_str(), a.attempt.operator.as_str()]
            .into_iter()
            .filter(|name| !name.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        let started = format!("{} ({})", zone.time(a.attempt.created_at), zone.name());
        if who.is_empty() {
            say!("    started {started}");
        } else {
            say!("    started {started} by {who}");
        }
        if let Some(reference) = &a.attempt.gateway_ref {
            say!("    gateway reference {reference}");
        }
        if let Some(number) = &a.attempt.customer_ref {
            say!("    customer's payment number {number}");
        }
        print_charges(&detail.order, &a.charges);
    }
}

/// After a profile's name wherever the command line shows one: a sandbox's payments are test
/// money, never the merchant's takings.
pub(super) fn sandbox_badge(is_sandbox: bool) -> &'static str {
    if is_sandbox {
        " [SANDBOX]"
    } else {
        ""
    }
}

pub(super) fn exit_code(state: AttemptState) -> u8 {
    match state {
        AttemptState::Succeeded
        | AttemptState::Pending
        | AttemptState::Created
        | AttemptState::Submitting => 0,
        AttemptState::Failed => 1,
        AttemptState::Unknown | AttemptState::NeedsReview => 3,
    }
}

/// The deductions and the split of an attempt, when it had any, down to what was charged.
fn print_charges(order: &OrderView, charges: &Charges) {
    let plain = charges.deductions.is_empty() && charges.credit_amount.is_none();
    if plain && charges.charged_amount_minor == order.amount_minor {
        return;
    }
    for d in &charges.deductions {
        let kind = match d.kind {
            DeductionKind::Voucher => "voucher",
            DeductionKind::Coupon => "coupon",
        };
        let amount = d
            .amount
            .as_deref()
            .map_or("amount not given by the gateway".into(), |a| {
                format!("-{a}")
            });
        say!("    {kind} {}: {amount}", d.id);
    }
    if let (Some(balance), Some(credit)) = (&charges.balance_amount, &charges.credit_amount) {
        say!("    balance {balance}, credit {credit}");
    }
    say!("    charged {} {}", order.currency, charges.charged_amount);
}

pub(super) fn print_report(report: &PaymentReport, json: bool) {
    if json {
        println!("{}", serde_json::to_string(report).expect("serializable"));
        return;
    }
    say_part!("order {}: {}", report.order_no, report.state);
    if let Some(r) = &report.gateway_ref {
        say_part!(" (gateway ref {r})");
    }
    if let Some(r) = &report.customer_ref {
        say_part!(" (customer's payment number {r})");
    }
    if let Some(url) = &report.pay_url {
        say_part!(" pay at {url}");
    }
    if let Some(e) = &report.error {
        say_part!(" — {}: {}", e.code, e.message);
    }
    println!();
}
