//! The sandbox's book of orders and the ledger of every charge it made.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct SandboxOrder {
    pub order_no: String,
    pub amount_minor: i64,
    pub currency: String,
    pub subject: String,
    /// The order's attributes as paydesk holds them (e.g. partner's user_id, gift_pos_id).
    pub attributes: std::collections::BTreeMap<String, String>,
    pub paid: bool,
}

impl SandboxOrder {
    pub fn new(order_no: &str, amount_minor: i64, currency: &str, subject: &str) -> Self {
        SandboxOrder {
            order_no: order_no.into(),
            amount_minor,
            currency: currency.into(),
            subject: subject.into(),
            attributes: Default::default(),
            paid: false,
        }
    }

    pub fn with_attributes(
        mut self,
        attributes: std::collections::BTreeMap<String, String>,
    ) -> Self {
        self.attributes = attributes;
        self
    }
}

/// One charge the emulator made: the ground truth the chaos tests judge by.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Charge {
    pub gateway: String,
    pub order_no: String,
    pub amount_minor: i64,
    pub channel: String,
}

/// Everything the emulators know, behind one lock so that check-then-charge is atomic.
#[derive(Default)]
pub(crate) struct Book {
    pub orders: HashMap<(String, String), SandboxOrder>,
    pub charges: Vec<Charge>,
    /// Per-gateway memory an emulator keeps (idempotency records, charge objects, ...),
    /// keyed by (gateway, key).
    pub memos: HashMap<(String, String), serde_json::Value>,
    /// Per-gateway counters for ids the emulators hand out.
    pub counters: HashMap<String, u64>,
}

impl Book {
    pub fn order_mut(&mut self, gateway: &str, order_no: &str) -> Option<&mut SandboxOrder> {
        self.orders
            .get_mut(&(gateway.to_string(), order_no.to_string()))
    }

    pub fn recall(&self, gateway: &str, key: &str) -> Option<&serde_json::Value> {
        self.memos.get(&(gateway.to_string(), key.to_string()))
    }

    pub fn remember(&mut self, gateway: &str, key: &str, value: serde_json::Value) {
        self.memos
            .insert((gateway.to_string(), key.to_string()), value);
    }

    pub fn next_id(&mut self, gateway: &str) -> u64 {
        let counter = self.counters.entry(gateway.to_string()).or_insert(0);
        *counter += 1;
        *counter
    }

    /// Marks the order paid and records the charge; refuses a paid or unknown order.
    pub fn charge(
        &mut self,
        gateway: &str,
        order_no: &str,
        amount_minor: i64,
        channel: &str,
    ) -> ChargeResult {
        let Some(order) = self.order_mut(gateway, order_no) else {
            return ChargeResult::UnknownOrder;
        };
        if order.paid {
            return ChargeResult::AlreadyPaid;
        }
        order.paid = true;
        self.charges.push(Charge {
            gateway: gateway.into(),
            order_no: order_no.into(),
            amount_minor,
            channel: channel.into(),
        });
        ChargeResult::Charged
    }
}

#[derive(Clone, Default)]
pub struct Ledger {
    inner: Arc<Mutex<Book>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChargeResult {
    Charged,
    UnknownOrder,
    AlreadyPaid,
}

impl Ledger {
    /// Puts the order in the book; an unpaid one already there takes the new terms (the
    /// merchant edited it), a paid one keeps what it was paid for.
    pub fn register(&self, gateway: &str, order: SandboxOrder) {
        let mut book = self.inner.lock().expect("ledger lock");
        let kept = book
            .orders
            .entry((gateway.to_string(), order.order_no.clone()))
            .or_insert_with(|| order.clone());
        if !kept.paid {
            *kept = order;
        }
    }

    pub fn order(&self, gateway: &str, order_no: &str) -> Option<SandboxOrder> {
        let book = self.inner.lock().expect("ledger lock");
        book.orders
            .get(&(gateway.to_string(), order_no.to_string()))
            .cloned()
    }

    /// Everything the book holds (orders, charges, every emulator's memory and id counters),
    /// in a stable order: two snapshots are equal exactly when nothing changed in between.
    pub fn snapshot(&self) -> serde_json::Value {
        let book = self.inner.lock().expect("ledger lock");
        let mut orders: Vec<_> = book.orders.iter().collect();
        orders.sort_by(|a, b| a.0.cmp(b.0));
        let mut memos: Vec<_> = book.memos.iter().collect();
        memos.sort_by(|a, b| a.0.cmp(b.0));
        let mut counters: Vec<_> = book.counters.iter().collect();
        counters.sort();
        serde_json::json!({
            "orders": orders,
            "charges": book.charges,
            "memos": memos,
            "counters": counters,
        })
    }

    pub fn charges(&self) -> Vec<Charge> {
        self.inner.lock().expect("ledger lock").charges.clone()
    }

    pub fn charges_for(&self, gateway: &str, order_no: &str) -> usize {
        self.inner
            .lock()
            .expect("ledger lock")
            .charges
            .iter()
            .filter(|c| c.gateway == gateway && c.order_no == order_no)
            .count()
    }

    /// Charges an order once; a paid order is never charged again.
    pub(crate) fn charge(
        &self,
        gateway: &str,
        order_no: &str,
        amount_minor: i64,
        channel: &str,
    ) -> ChargeResult {
        self.transact(|book| book.charge(gateway, order_no, amount_minor, channel))
    }

    /// Runs `f` with the whole book locked: what an emulator checks and changes inside is
    /// atomic with respect to every other request.
    pub(crate) fn transact<R>(&self, f: impl FnOnce(&mut Book) -> R) -> R {
        let mut book = self.inner.lock().expect("ledger lock");
        f(&mut book)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The merchant edits an unpaid order and pays it again: the book takes the new amount; a
    /// paid order keeps what it was paid for.
    #[test]
    fn an_unpaid_order_takes_new_terms_and_a_paid_one_keeps_its_own() {
        let ledger = Ledger::default();
        ledger.register("g", SandboxOrder::new("o", 100, "CNY", "before"));
        ledger.register("g", SandboxOrder::new("o", 250, "CNY", "after"));
        assert_eq!(ledger.order("g", "o").unwrap().amount_minor, 250);
        assert_eq!(
            ledger.charge("g", "o", 250, "balance"),
            ChargeResult::Charged
        );
        ledger.register("g", SandboxOrder::new("o", 999, "CNY", "later"));
        let paid = ledger.order("g", "o").unwrap();
        assert_eq!((paid.amount_minor, paid.paid), (250, true));
    }
}
