//! `paydesk order add | edit | cancel`.

use paydesk_core::app::orders::{self, OrderEdit, OrderInput};
use paydesk_core::console::LookupHit;
use paydesk_core::domain::OrderView;
use paydesk_core::store::Store;
use paydesk_core::{Currency, Money};

use super::{key_values, Failure, OrderCommand};

pub(super) async fn run(store: &Store, command: OrderCommand) -> Result<u8, Failure> {
    match command {
        OrderCommand::Add {
            profile,
            order_no,
            amount,
            currency,
            subject,
            attributes,
        } => {
            let input = OrderInput {
                profile,
                order_no,
                amount,
                currency,
                subject,
                attributes: key_values(&attributes, "attribute")?,
            };
            let order = orders::add_order(store, input).await?;
            say!("order {} added: {}", order.order_no, shown(&order));
        }
        OrderCommand::Edit {
            order_no,
            amount,
            subject,
            attributes,
            unset_attributes,
        } => {
            let edit = OrderEdit {
                order_no,
                revision: None,
                amount,
                subject,
                attributes: None,
                set_attributes: key_values(&attributes, "attribute")?,
                unset_attributes,
            };
            let order = orders::edit_order(store, edit).await?;
            say!("order {} is now {}", order.order_no, shown(&order));
        }
        OrderCommand::Cancel { order_no, note } => {
            let done = orders::cancel_order(store, &order_no, note.as_deref()).await?;
            if done.cancelled_now {
                say!("order {} cancelled", done.order.order_no);
            } else {
                say!("order {} was already cancelled", done.order.order_no);
            }
        }
    }
    Ok(0)
}

/// `lookup`'s hits, best first: a JSON array (empty when nothing matches), or a line each.
pub(super) fn print_hits(hits: &[LookupHit], json: bool) {
    if json {
        println!("{}", serde_json::to_string(hits).expect("serializable"));
        return;
    }
    if hits.is_empty() {
        say!("no order matches");
    }
    for h in hits {
        let cancelled = if h.cancelled { " (cancelled)" } else { "" };
        say!(
            "{}\t{}{cancelled}\t{} {}{}\t{} {}",
            h.order_no,
            h.state,
            h.currency,
            h.amount,
            super::print::sandbox_badge(h.is_sandbox),
            h.matched,
            h.value
        );
    }
}

/// The amount with its currency's sign (`¥12.30`), and the subject where there is one.
fn shown(order: &OrderView) -> String {
    let amount = Currency::parse(&order.currency)
        .map(|c| Money::from_minor(order.amount_minor, c).to_string())
        .unwrap_or_else(|_| order.amount.clone());
    if order.subject.is_empty() {
        amount
    } else {
        format!("{amount} ({})", order.subject)
    }
}

/// The audit trail: a JSON array, or a line per entry (local time, desk · operator, what, to
/// what, the rest).
pub(super) fn print_audit(entries: &[paydesk_core::audit::AuditEntry], json: bool) {
    if json {
        println!("{}", serde_json::to_string(entries).expect("serializable"));
        return;
    }
    if entries.is_empty() {
        say!("nothing in the audit trail");
    }
    for e in entries {
        let at = chrono::DateTime::from_timestamp_millis(e.at)
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
            })
            .unwrap_or_else(|| e.at.to_string());
        say!(
            "{at}\t{} · {}\t{}\t{}\t{}",
            e.desk,
            e.operator,
            e.recorded_as,
            e.subject,
            e.detail
        );
    }
}
