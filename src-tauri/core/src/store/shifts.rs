//! Shifts in the store of record ([`crate::shifts`], [`super::journal::shifts`]): this desk's
//! open shift, opening and closing it as this store's operator, and a shift's attempts.

use super::{Result, Store};
use crate::changes::Change;
use crate::shifts::{Shift, ShiftAttempt};

impl Store {
    /// This desk's open shift, if it has one.
    pub async fn open_shift(&self) -> Result<Option<Shift>> {
        let desk = self.actor().desk;
        on_record!(self, |pool, sql| sql::shifts::open_of(pool, &desk).await)
    }

    pub async fn shift(&self, id: i64) -> Result<Shift> {
        on_record!(self, |pool, sql| sql::shifts::by_id(pool, id).await)
    }

    /// Shifts newest first, of one desk where given.
    pub async fn shifts(&self, desk: Option<&str>, limit: i64) -> Result<Vec<Shift>> {
        on_record!(self, |pool, sql| sql::shifts::list(pool, desk, limit).await)
    }

    /// Opens a shift at this desk, as its operator; refused while one is open.
    pub async fn start_shift(&self) -> Result<Shift> {
        let (actor, now) = (self.actor(), self.now().await?);
        let shift = on_record!(self, |pool, sql| sql::shifts::open(pool, &actor, now).await)?;
        self.publish(Change::Everything);
        Ok(shift)
    }

    /// Closes this desk's open shift, as its operator: refused while a payment of it is open
    /// and not acknowledged (`acknowledge_all` acknowledges every one).
    pub async fn end_shift(&self, acknowledged: &[i64], acknowledge_all: bool) -> Result<Shift> {
        let (actor, now) = (self.actor(), self.now().await?);
        let shift = on_record!(self, |pool, sql| sql::shifts::close(
            pool,
            acknowledged,
            acknowledge_all,
            &actor,
            now
        )
        .await)?;
        self.publish(Change::Everything);
        Ok(shift)
    }

    /// A shift's attempts, oldest first.
    pub async fn shift_attempts(&self, shift_id: i64) -> Result<Vec<ShiftAttempt>> {
        on_record!(self, |pool, sql| sql::shifts::attempts_of(pool, shift_id)
            .await)
    }

    /// Every desk's attempts started in `[since, until)`, oldest first (a day's report).
    pub async fn attempts_between(&self, since: i64, until: i64) -> Result<Vec<ShiftAttempt>> {
        on_record!(self, |pool, sql| sql::shifts::attempts_between(
            pool, since, until
        )
        .await)
    }

    /// Every desk's shifts open at some moment of `[since, until)`.
    pub async fn shifts_between(&self, since: i64, until: i64) -> Result<Vec<Shift>> {
        on_record!(self, |pool, sql| sql::shifts::open_between(
            pool, since, until
        )
        .await)
    }
}
