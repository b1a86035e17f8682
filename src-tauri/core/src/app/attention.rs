//! What the window's notifier hears: the store's change feed turned into [`Notice`]s of
//! payments left waiting that settled and of attempts that came to need a person, by the rule
//! of [`crate::attention`]. It remembers what it last saw of every attempt still open or
//! waiting for a person (read once when it starts, so what already waited then is not news),
//! and reads again only the attempts a change names.

use std::collections::{BTreeSet, HashMap};

use paydesk_gateways::{Currency, Money};

use crate::attention::{attention, Notice, Standing};
use crate::changes::Change;
use crate::domain::{Attempt, OrderView};
use crate::store::{Store, StoreError};

use super::Result;

/// The attempts being watched, by id, as last seen.
pub struct AttentionWatch {
    store: Store,
    seen: HashMap<i64, Standing>,
}

impl AttentionWatch {
    /// Starts watching every attempt open or waiting for a person now, telling nothing of them.
    pub async fn start(store: Store) -> Result<AttentionWatch> {
        let mut seen: HashMap<i64, Standing> = HashMap::new();
        for (id, state, contested) in store.watched_standings().await? {
            seen.entry(id)
                .and_modify(|s| s.contested |= contested)
                .or_insert(Standing { state, contested });
        }
        Ok(AttentionWatch { store, seen })
    }

    /// How many attempts are being watched.
    pub fn watching(&self) -> usize {
        self.seen.len()
    }

    /// What `change` is worth telling. A change naming more than can be named (`everything`)
    /// is caught up with by reading every watched attempt again.
    pub async fn notices(&mut self, change: &Change) -> Result<Vec<Notice>> {
        let attempts = match change {
            Change::Attempts { attempt_ids, .. } => self.read(attempt_ids.iter().copied()).await?,
            Change::Everything => self.catch_up().await?,
            Change::Orders { .. } | Change::Profiles { .. } => return Ok(Vec::new()),
        };
        let order_ids: Vec<i64> = attempts
            .iter()
            .map(|a| a.order_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let orders = self.store.orders_by_id(&order_ids).await?;
        let here = self.store.actor().desk;
        let mut notices = Vec::new();
        for attempt in attempts {
            let now = Standing::of(&attempt);
            let before = if now.is_watched() {
                self.seen.insert(attempt.id, now)
            } else {
                self.seen.remove(&attempt.id)
            };
            let Some(told) = attention(before, now, attempt.desk == here) else {
                continue;
            };
            match orders.get(&attempt.order_id) {
                Some(order) => notices.push(notice(order, &attempt, told)),
                None => tracing::warn!(attempt = attempt.id, "an attempt's order was not found"),
            }
        }
        Ok(notices)
    }

    /// These attempts as they stand; one gone (a test's database emptied) is left out.
    async fn read(&self, ids: impl Iterator<Item = i64>) -> Result<Vec<Attempt>> {
        let mut attempts = Vec::new();
        for id in ids.collect::<BTreeSet<_>>() {
            match self.store.attempt(id).await {
                Ok(attempt) => attempts.push(attempt),
                Err(StoreError::NoSuchAttempt(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(attempts)
    }

    /// Every attempt watched now, and every one watched before that is watched no longer (it
    /// settled, or a person decided it) as it stands now.
    async fn catch_up(&self) -> Result<Vec<Attempt>> {
        let mut attempts = self.store.watched_attempts().await?;
        let still: BTreeSet<i64> = attempts.iter().map(|a| a.id).collect();
        let moved_on = self.seen.keys().copied().filter(|id| !still.contains(id));
        attempts.extend(self.read(moved_on).await?);
        Ok(attempts)
    }
}

fn notice(order: &OrderView, attempt: &Attempt, told: crate::attention::Attention) -> Notice {
    // The order's currency was checked when it was added; an unknown one would be a damaged
    // record, and the notice then says the amount in minor units of the order's code.
    let currency = Currency::parse(&order.currency).unwrap_or(Currency::CNY);
    Notice {
        order_no: order.order_no.clone(),
        amount: Money::from_minor(attempt.amount_minor, currency),
        state: attempt.state,
        attention: told,
        pays_out: paydesk_gateways::connector_for(&order.gateway)
            .is_some_and(|c| c.capabilities().pays_out),
        sandbox: order.is_sandbox,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::Attention;
    use crate::domain::AttemptState::{self, *};
    use crate::test_support::{
        add_order, add_profile, begin_attempt, record_state, store_contract,
    };

    async fn next_notices(
        watch: &mut AttentionWatch,
        changes: &mut crate::changes::Changes,
    ) -> Vec<Notice> {
        let mut told = Vec::new();
        while let Some(change) = changes.try_next() {
            told.extend(watch.notices(&change).await.unwrap());
        }
        told
    }

    store_contract! {
        async fn a_waiting_payment_settling_and_a_review_are_told_once_what_waited_at_the_start_is_not(store) {
            add_profile(&store, "shop", "sensecore").await;
            let earlier = add_order(&store, "shop", "E-1", "5.00", "").await;
            let earlier = begin_attempt(&store, &earlier, "wechat", "k-e1")
                .await
                .unwrap();
            record_state(&store, earlier.id, NeedsReview).await;

            let mut changes = store.subscribe();
            let mut watch = AttentionWatch::start(store.clone()).await.unwrap();
            assert_eq!(
                watch.watching(),
                1,
                "the review already waiting is watched, not told"
            );

            let waiting = add_order(&store, "shop", "W-1", "12.34", "").await;
            let waiting = begin_attempt(&store, &waiting, "wechat", "k-w1")
                .await
                .unwrap();
            record_state(&store, waiting.id, Pending).await;
            assert_eq!(next_notices(&mut watch, &mut changes).await, []);
            record_state(&store, waiting.id, Succeeded).await;
            let told = next_notices(&mut watch, &mut changes).await;
            assert_eq!(
                told,
                [Notice {
                    order_no: "W-1".into(),
                    amount: Money::parse("12.34", Currency::CNY).unwrap(),
                    state: Succeeded,
                    attention: Attention::Settled(Succeeded),
                    pays_out: false,
                    sandbox: false,
                }]
            );

            // A gateway's report contradicting it later: a person is needed.
            store
                .contest(waiting.id, "the gateway's report says failed")
                .await
                .unwrap();
            let told = next_notices(&mut watch, &mut changes).await;
            assert_eq!(told.len(), 1);
            assert_eq!(
                (told[0].order_no.as_str(), told[0].attention),
                ("W-1", Attention::NeedsPerson)
            );
            store
                .resolve_review(waiting.id, Succeeded, "the bank shows it paid")
                .await
                .unwrap();

            let doubtful = add_order(&store, "shop", "R-1", "1.00", "").await;
            let doubtful = begin_attempt(&store, &doubtful, "wechat", "k-r1")
                .await
                .unwrap();
            record_state(&store, doubtful.id, Unknown).await;
            record_state(&store, doubtful.id, NeedsReview).await;
            let told = next_notices(&mut watch, &mut changes).await;
            assert_eq!(told.len(), 1);
            assert_eq!(
                (told[0].order_no.as_str(), told[0].attention),
                ("R-1", Attention::NeedsPerson)
            );
            // A person's decision is not news; the earlier review decided too.
            store
                .resolve_review(doubtful.id, Failed, "refused")
                .await
                .unwrap();
            store
                .resolve_review(earlier.id, Succeeded, "paid")
                .await
                .unwrap();
            assert_eq!(next_notices(&mut watch, &mut changes).await, []);
            assert_eq!(watch.watching(), 0, "settled attempts are let go");
        }

        async fn the_watch_starts_from_every_open_attempt_and_every_contested_one(store) {
            add_profile(&store, "shop", "sensecore").await;
            let mut attempts = Vec::new();
            for (n, state) in [Pending, Succeeded, Failed, NeedsReview].into_iter().enumerate() {
                let order = add_order(&store, "shop", &format!("S-{n}"), "1.00", "").await;
                let attempt = begin_attempt(&store, &order, "wechat", &format!("k-s{n}"))
                    .await
                    .unwrap();
                record_state(&store, attempt.id, state).await;
                attempts.push(attempt.id);
            }
            let [pending, paid, failed, review] = attempts[..] else { unreachable!() };
            store.contest(paid, "the gateway's report says failed").await.unwrap();

            let mut standings = store.watched_standings().await.unwrap();
            standings.sort_by_key(|(id, ..)| *id);
            assert_eq!(
                standings,
                [(pending, Pending, false), (paid, Succeeded, true), (review, NeedsReview, false)]
            );
            let mut watched: Vec<(i64, AttemptState, bool)> = store
                .watched_attempts()
                .await
                .unwrap()
                .into_iter()
                .map(|a| (a.id, a.state, a.contested.is_some()))
                .collect();
            watched.sort_by_key(|(id, ..)| *id);
            assert_eq!(watched, standings, "{failed} settled uncontested is not watched");
        }

        async fn a_listener_that_fell_behind_catches_up_with_what_settled_meanwhile(store) {
            add_profile(&store, "shop", "sensecore").await;
            let order = add_order(&store, "shop", "L-1", "3.00", "").await;
            let attempt = begin_attempt(&store, &order, "wechat", "k-l1")
                .await
                .unwrap();
            record_state(&store, attempt.id, Pending).await;
            let mut watch = AttentionWatch::start(store.clone()).await.unwrap();
            record_state(&store, attempt.id, Failed).await;
            let told = watch.notices(&Change::Everything).await.unwrap();
            assert_eq!(told.len(), 1);
            assert_eq!(told[0].attention, Attention::Settled(Failed));
            assert_eq!(watch.notices(&Change::Everything).await.unwrap(), []);
        }
    }
}
