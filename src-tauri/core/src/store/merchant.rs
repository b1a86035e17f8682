//! The merchant's settings and the receipts issued, in the store of record
//! ([`crate::merchant`], [`crate::receipt`]; [`super::journal::merchant`], `receipts`).

use super::{Result, Store};
use crate::merchant::Merchant;
use crate::receipt::PaidOrder;

impl Store {
    pub async fn merchant(&self) -> Result<Merchant> {
        on_record!(self, |pool, sql| sql::merchant::read(pool).await)
    }

    /// Replaces the merchant's settings (checked by the caller), as this store's operator.
    pub async fn set_merchant(&self, merchant: &Merchant) -> Result<Merchant> {
        let (actor, now) = (self.actor(), self.now().await?);
        on_record!(self, |pool, sql| sql::merchant::update(
            pool, merchant, &actor, now
        )
        .await)
    }

    /// The order's paid attempt, for its receipt: `NoSuchOrder`, or `NotPaid`.
    pub async fn paid_order(&self, order_no: &str) -> Result<PaidOrder> {
        on_record!(self, |pool, sql| sql::receipts::paid_order(pool, order_no)
            .await)
    }

    /// How many receipts of the attempt were issued so far.
    pub async fn receipts_issued(&self, attempt_id: i64) -> Result<i64> {
        on_record!(self, |pool, sql| sql::receipts::issued(pool, attempt_id)
            .await)
    }

    /// Records a receipt of `paid` issued at this desk, and when: how many were issued before
    /// it (0: the original).
    pub async fn issue_receipt(&self, paid: &PaidOrder) -> Result<(i64, i64)> {
        let (actor, now) = (self.actor(), self.now().await?);
        let may_write = !self.is_read_only();
        let earlier = on_record!(self, |pool, sql| sql::receipts::issue(
            pool, paid, &actor, now, may_write
        )
        .await)?;
        Ok((earlier, now))
    }
}
