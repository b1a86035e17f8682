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
    pub paid: bool,
}

impl SandboxOrder {
    pub fn new(order_no: &str, amount_minor: i64, currency: &str, subject: &str) -> Self {
        SandboxOrder {
            order_no: order_no.into(),
            amount_minor,
            currency: currency.into(),
            subject: subject.into(),
            paid: false,
        }
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

#[derive(Default)]
struct Book {
    orders: HashMap<(String, String), SandboxOrder>,
    charges: Vec<Charge>,
}

#[derive(Clone, Default)]
pub struct Ledger {
    inner: Arc<Mutex<Book>>,
}

pub(crate) enum ChargeResult {
    Charged,
    UnknownOrder,
    AlreadyPaid,
}

impl Ledger {
    pub fn register(&self, gateway: &str, order: SandboxOrder) {
        let mut book = self.inner.lock().expect("ledger lock");
        book.orders
            .entry((gateway.to_string(), order.order_no.clone()))
            .or_insert(order);
    }

    pub fn order(&self, gateway: &str, order_no: &str) -> Option<SandboxOrder> {
        let book = self.inner.lock().expect("ledger lock");
        book.orders
            .get(&(gateway.to_string(), order_no.to_string()))
            .cloned()
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
        let mut book = self.inner.lock().expect("ledger lock");
        let Some(order) = book
            .orders
            .get_mut(&(gateway.to_string(), order_no.to_string()))
        else {
            return ChargeResult::UnknownOrder;
        };
        if order.paid {
            return ChargeResult::AlreadyPaid;
        }
        order.paid = true;
        book.charges.push(Charge {
            gateway: gateway.into(),
            order_no: order_no.into(),
            amount_minor,
            channel: channel.into(),
        });
        ChargeResult::Charged
    }
}
