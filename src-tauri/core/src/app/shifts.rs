//! Shifts for both shells: opening this desk's shift, closing it with its report (refused,
//! naming each, while a payment of it is open and not acknowledged), past shifts and any
//! shift's report.

use crate::shifts::{self, Shift, ShiftReport};
use crate::store::Store;

use super::{AppError, Problem, Result};

/// The most shifts one listing returns.
const LISTED: i64 = 500;

/// This desk's open shift, if it has one.
pub async fn current(store: &Store) -> Result<Option<Shift>> {
    Ok(store.open_shift().await?)
}

/// Opens a shift at this desk, as its operator.
pub async fn open(store: &Store) -> Result<Shift> {
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
