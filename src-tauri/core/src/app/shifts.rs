//! Shifts for both shells: opening this desk's shift, closing it with its report (refused,
//! naming each, while a payment of it is open and not acknowledged), past shifts and any
//! shift's report.

use crate::shifts::{self, Shift, ShiftReport};
use crate::store::{Store, StoreError};

use super::{AppError, Problem, Result};

/// The most shifts one listing returns.
const LISTED: i64 = 500;

/// This desk's open shift, if it has one.
pub async fn current(store: &Store) -> Result<Option<Shift>> {
    Ok(store.open_shift().await?)
}

/// Opens a shift at this desk, as its operator: the one named, where one is (they become the
/// desk's operator first, so the shift and every payment in it are theirs, not the last
/// operator's). Refused while a shift is open, before anything changes.
pub async fn open(store: &Store, operator: Option<&str>) -> Result<Shift> {
    if let Some(open) = store.open_shift().await? {
        return Err(StoreError::ShiftOpen(Box::new(open)).into());
    }
    let named = operator.map(str::trim).filter(|o| !o.is_empty());
    if let Some(operator) = named.filter(|o| *o != store.actor().operator) {
        super::desk::set_operator(store, operator).await?;
    }
    let shift = store.start_shift().await?;
    tracing::info!(shift = shift.id, "shift opened");
    Ok(shift)
}

/// Closes this desk's shift and returns its report.
pub async fn close(
    store: &Store,
    acknowledged: &[i64],
    acknowledge_all: bool,
) -> Result<ShiftReport> {
    let shift = store.end_shift(acknowledged, acknowledge_all).await?;
    tracing::info!(shift = shift.id, "shift closed");
    report_of(store, shift).await
}

/// Shifts newest first: this desk's, or every desk's with `all_desks`.
pub async fn list(store: &Store, all_desks: bool) -> Result<Vec<Shift>> {
    let desk = (!all_desks).then(|| store.actor().desk);
    Ok(store.shifts(desk.as_deref(), LISTED).await?)
}

/// The report of shift `id`, or of this desk's open shift (else its last one).
pub async fn report(store: &Store, id: Option<i64>) -> Result<ShiftReport> {
    let shift = match id {
        Some(id) => store.shift(id).await?,
        None => {
            match store.open_shift().await? {
                Some(open) => open,
                None => {
                    let desk = store.actor().desk;
                    store
                    .shifts(Some(&desk), 1)
                    .await?
                    .into_iter()
                    .next()
                    .ok_or_else(|| {
                        AppError::new(
                            Problem::NoShift { desk: desk.clone() },
                            format!("desk {desk} has no shift yet: open one with `paydesk shift open`"),
                        )
                    })?
                }
            }
        }
    };
    report_of(store, shift).await
}

pub(super) async fn report_of(store: &Store, shift: Shift) -> Result<ShiftReport> {
    let attempts = store.shift_attempts(shift.id).await?;
    Ok(shifts::report(shift, &attempts, store.counts_sandbox()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_store;

    #[tokio::test]
    async fn a_shift_opens_for_the_operator_named_and_a_refusal_changes_nobody() {
        let (_dir, store) = temp_store().await;
        // As the window starts: who is at the desk, from its saved names.
        let before = super::super::desk::identify(&store, Default::default())
            .await
            .unwrap();
        let opened = open(&store, Some(" mei ")).await.unwrap();
        assert_eq!(opened.opened_by, "mei");
        assert_eq!(store.actor().operator, "mei", "her payments are hers");
        assert_eq!(store.actor().desk, before.desk, "the desk keeps its name");

        // Another window already opened one: refused, and the operator stays who it was.
        let refused = open(&store, Some("lin")).await.unwrap_err();
        assert!(
            matches!(refused.problem, Problem::ShiftOpen { .. }),
            "{refused}"
        );
        assert_eq!(store.actor().operator, "mei");
    }
}
