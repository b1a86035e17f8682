//! Claims on open attempts, on both stores: a claimed attempt is left to its claimant (nobody
//! else claims or resends it) until the claim is given up or its lease runs out, and desks
//! claiming due attempts at once take different ones.

use super::*;
use crate::sender::Sender;
use crate::test_support::{add_order, add_profile, another_desk, store_contract};

fn claimant<'a>(sender: &'a Sender, desk: &'a str) -> Claimant<'a> {
    Claimant {
        id: &sender.id,
        desk,
        lease_ms: 60_000,
    }
}

/// `n` orders, each with an attempt whose sender's time ran out long ago: due for a check now.
async fn overdue_attempts(store: &Store, n: usize) -> Vec<i64> {
    add_profile(store, "p", "sensecore").await;
    let gone = Sender::new();
    let mut ids = Vec::new();
    for i in 0..n {
        let order = add_order(store, "p", &format!("o-{i}"), "1.00", "").await;
        let sending = Sending {
            sender: &gone,
            timeout_ms: -3_600_000,
        };
        let attempt = store
            .begin_attempt(
                &order,
                "alipay",
                &format!("k-{i}"),
                order.amount_minor,
                "[]",
                None,
                None,
                "[]",
                sending,
            )
            .await
            .unwrap();
        ids.push(attempt.id);
    }
    ids
}

store_contract! {
    async fn a_claimed_attempt_is_left_to_its_claimant_until_given_up_or_run_out(store) {
        let id = overdue_attempts(&store, 1).await[0];
        let (_dir, other) = another_desk(&store).await;
        let (mine, theirs) = (Sender::new(), Sender::new());

        let claimed = store.claim(&[id], &claimant(&mine, "desk-1")).await.unwrap();
        assert_eq!(claimed.iter().map(|a| a.id).collect::<Vec<_>>(), [id]);
        // Claiming again is this claimant's own to do; nobody else's.
        assert_eq!(store.claim(&[id], &claimant(&mine, "desk-1")).await.unwrap().len(), 1);
        assert!(other.claim(&[id], &claimant(&theirs, "desk-2")).await.unwrap().is_empty());
        assert!(other.claim_due(&claimant(&theirs, "desk-2"), 10).await.unwrap().is_empty());
        let holder = other.claim_holder(id).await.unwrap().unwrap();
        assert_eq!((holder.by.as_str(), holder.desk.as_deref()), (mine.id.as_str(), Some("desk-1")));
        // Nor may anyone else resend it meanwhile.
        other.record(id, AttemptState::Unknown, &AttemptUpdate::default()).await.unwrap();
        let resend = other
            .record_resend(id, "again", Sending { sender: &theirs, timeout_ms: 30_000 })
            .await;
        match resend {
            Err(StoreError::BeingSettled { attempt_id, desk }) => {
                assert_eq!((attempt_id, desk.as_deref()), (id, Some("desk-1")));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(other.attempt(id).await.unwrap().state, AttemptState::Unknown);

        store.release_claims(&[id], &mine.id).await.unwrap();
        assert_eq!(other.claim_holder(id).await.unwrap(), None);
        assert_eq!(other.claim(&[id], &claimant(&theirs, "desk-2")).await.unwrap().len(), 1);
        // Giving up someone else's claim gives up nothing.
        store.release_claims(&[id], &mine.id).await.unwrap();
        assert!(store.claim(&[id], &claimant(&mine, "desk-1")).await.unwrap().is_empty());

        // A lease that has run out frees the attempt.
        let brief = Claimant { lease_ms: 0, ..claimant(&theirs, "desk-2") };
        assert_eq!(other.claim(&[id], &brief).await.unwrap().len(), 1);
        assert_eq!(store.claim(&[id], &claimant(&mine, "desk-1")).await.unwrap().len(), 1);
    }

    async fn desks_claiming_due_attempts_at_once_take_different_ones(store) {
        let ids = overdue_attempts(&store, 12).await;
        let mut desks = Vec::new();
        for _ in 0..3 {
            desks.push(another_desk(&store).await);
        }
        let mut race = tokio::task::JoinSet::new();
        for (n, (_, desk)) in desks.iter().enumerate() {
            let desk = desk.clone();
            race.spawn(async move {
                let sender = Sender::new();
                let name = format!("desk-{n}");
                desk.claim_due(&claimant(&sender, &name), 4).await.unwrap()
            });
        }
        let mut claimed: Vec<i64> = race
            .join_all()
            .await
            .into_iter()
            .inspect(|taken| assert!(taken.len() <= 4))
            .flatten()
            .map(|a| a.id)
            .collect();
        claimed.sort();
        let before = claimed.len();
        claimed.dedup();
        assert_eq!(claimed.len(), before, "an attempt was claimed twice");
        assert!(claimed.iter().all(|id| ids.contains(id)));
        assert!(!claimed.is_empty());
    }

    async fn claiming_every_open_attempt_takes_the_free_ones_and_names_one_held(store) {
        let ids = overdue_attempts(&store, 5).await;
        for (id, state) in [
            (ids[0], AttemptState::Pending),
            (ids[1], AttemptState::Unknown),
            (ids[2], AttemptState::Pending),
            (ids[4], AttemptState::Succeeded),
        ] {
            store.record(id, state, &AttemptUpdate::default()).await.unwrap();
        }
        let (_dir, other) = another_desk(&store).await;
        let (mine, theirs) = (Sender::new(), Sender::new());
        assert_eq!(other.claim(&[ids[2]], &claimant(&theirs, "desk-2")).await.unwrap().len(), 1);

        // ids[3] is still being sent: it is claimed only when named (a send taken over).
        let sized_for = std::sync::Mutex::new(None);
        let open = store
            .claim_open(&[ids[3]], |attempts| {
                *sized_for.lock().unwrap() = Some(attempts);
                claimant(&mine, "desk-1")
            })
            .await
            .unwrap();
        let claimed: Vec<(i64, AttemptState)> =
            open.claimed.iter().map(|a| (a.id, a.state)).collect();
        assert_eq!(
            claimed,
            [
                (ids[0], AttemptState::Pending),
                (ids[1], AttemptState::Unknown),
                (ids[3], AttemptState::Submitting),
            ]
        );
        assert_eq!(open.held, Some(ids[2]));
        assert_eq!(*sized_for.lock().unwrap(), Some(4), "three open, one taken over");
        for id in [ids[0], ids[1], ids[3]] {
            let holder = other.claim_holder(id).await.unwrap().unwrap();
            assert_eq!(holder.by, mine.id);
        }
        assert!(other.claim(&ids, &claimant(&theirs, "desk-2")).await.unwrap().len() == 2,
            "theirs again, and the settled one");
    }

    async fn a_send_to_take_over_that_another_desk_holds_is_named(store) {
        let id = overdue_attempts(&store, 1).await[0];
        let (_dir, other) = another_desk(&store).await;
        let (mine, theirs) = (Sender::new(), Sender::new());
        assert_eq!(other.claim(&[id], &claimant(&theirs, "desk-2")).await.unwrap().len(), 1);
        let open = store.claim_open(&[id], |_| claimant(&mine, "desk-1")).await.unwrap();
        assert!(open.claimed.is_empty());
        assert_eq!(open.held, Some(id));
    }

    async fn desks_claiming_every_open_attempt_at_once_take_different_ones(store) {
        let ids = overdue_attempts(&store, 12).await;
        for &id in &ids {
            store.record(id, AttemptState::Pending, &AttemptUpdate::default()).await.unwrap();
        }
        let mut desks = Vec::new();
        for _ in 0..3 {
            desks.push(another_desk(&store).await);
        }
        let mut race = tokio::task::JoinSet::new();
        for (n, (_, desk)) in desks.iter().enumerate() {
            let desk = desk.clone();
            race.spawn(async move {
                let sender = Sender::new();
                let name = format!("desk-{n}");
                desk.claim_open(&[], |_| claimant(&sender, &name)).await.unwrap()
            });
        }
        let mut claimed: Vec<i64> = race
            .join_all()
            .await
            .into_iter()
            .flat_map(|open| open.claimed)
            .map(|a| a.id)
            .collect();
        claimed.sort();
        assert_eq!(claimed, ids, "each open attempt claimed once");
    }
}
