//! The audit trail in the store of record ([`crate::audit`], [`super::journal::audit`]): the
//! store's own acts write their entries in their transactions; the acts it does not do itself
//! (a secret kept in the keyring, a file exported, personal data shown) are recorded here.

use super::{Result, Store};
use crate::audit::{AuditEntry, AuditQuery, Audited};

impl Store {
    /// Records an act done outside the store, as this store's desk and operator, now.
    pub async fn audit(&self, entry: &Audited) -> Result<()> {
        let (actor, now) = (self.actor(), self.now().await?);
        on_record!(self, |pool, sql| sql::audit::record_alone(
            pool, entry, &actor, now
        )
        .await)
    }

    /// The entries `query` asks for, newest first. The desk's copy of a shared history holds
    /// no audit trail: offline, it is [`super::StoreError::Offline`], never an empty trail
    /// (which would say that nothing happened).
    pub async fn audit_trail(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        if let super::Route::Copy(_) = self.route() {
            return self.offline_said(Err(super::StoreError::offline()));
        }
        on_record!(self, |pool, sql| sql::audit::list(pool, query).await)
    }
}
