//! Which moves of an attempt are worth telling a person who is not looking at the window,
//! decided with no I/O: a payment that was left waiting (being sent, pending, unknown) has
//! settled, or an attempt has come to need a person (review, or a settled payment a gateway's
//! report contradicts). Everything else the window shows when it is looked at.
//!
//! The window's notifier (`app::attention` reads, the desktop shell shows) remembers what it
//! last saw of each attempt still open or waiting for a person and asks [`attention`] about
//! every change the store publishes.

use paydesk_gateways::Money;

use crate::domain::{Attempt, AttemptState};

/// What the notifier remembers of an attempt: where it stands, and whether a gateway's report
/// contests it (settled, and waiting for a person's decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub state: AttemptState,
    pub contested: bool,
}

impl Standing {
    pub fn of(attempt: &Attempt) -> Standing {
        Standing {
            state: attempt.state,
            contested: attempt.contested.is_some(),
        }
    }

    /// Waits for a person: nothing paydesk does will move it.
    pub fn needs_person(&self) -> bool {
        self.state == AttemptState::NeedsReview || self.contested
    }

    /// Left waiting on the gateway or the customer: its end is news.
    pub fn is_waiting(&self) -> bool {
        matches!(
            self.state,
            AttemptState::Submitting | AttemptState::Pending | AttemptState::Unknown
        )
    }

    /// Whether the notifier keeps watching it: a later move of it may be news.
    pub fn is_watched(&self) -> bool {
        self.is_waiting() || self.needs_person() || self.state == AttemptState::Created
    }
}

/// Why a person away from the window should hear about an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attention {
    /// A payment left waiting settled: paid (succeeded) or failed.
    Settled(AttemptState),
    /// It now needs a person: review, or a settled payment a gateway's report contradicts.
    NeedsPerson,
}

/// What a move of an attempt is worth telling, if anything. `before` is what was last seen of
/// it (`None`: never seen, as a payment started and settled between two looks, or a settled
/// one seen again); `taken_here` whether this desk started it. A payment's end is news only
/// to the desk that took it (another desk on a shared store waits for its own); that a person
/// is needed is news to every desk, as the badge and the status bar count them all.
pub fn attention(before: Option<Standing>, now: Standing, taken_here: bool) -> Option<Attention> {
    let needed_before = before.is_some_and(|b| b.needs_person());
    if now.needs_person() && !needed_before {
        return Some(Attention::NeedsPerson);
    }
    let was_waiting = before.is_some_and(|b| b.is_waiting());
    if was_waiting && now.state.is_terminal() && !now.contested && taken_here {
        return Some(Attention::Settled(now.state));
    }
    None
}

/// One attempt worth telling about, with only what a notification may show: the order's
/// number, the amount and the state. Never the subject, a customer's data or a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub order_no: String,
    pub amount: Money,
    /// The attempt's state now (a contested payment's is the settled one it is recorded as).
    pub state: AttemptState,
    pub attention: Attention,
    /// The gateway pays out (a payout, worded as one).
    pub pays_out: bool,
    /// On a sandbox profile: no real money moved.
    pub sandbox: bool,
}

#[cfg(test)]
mod tests {
    use super::Attention::*;
    use super::*;
    use crate::domain::AttemptState::*;

    fn at(state: AttemptState) -> Option<Standing> {
        Some(Standing {
            state,
            contested: false,
        })
    }

    fn contested(state: AttemptState) -> Option<Standing> {
        Some(Standing {
            state,
            contested: true,
        })
    }

    #[test]
    fn a_waiting_payment_s_end_and_a_need_for_a_person_are_told_nothing_else() {
        // (seen before, seen now, taken at this desk, what is told)
        let table = [
            // A payment left waiting settles: told, paid or failed.
            (at(Pending), at(Succeeded), true, Some(Settled(Succeeded))),
            (at(Pending), at(Failed), true, Some(Settled(Failed))),
            (
                at(Submitting),
                at(Succeeded),
                true,
                Some(Settled(Succeeded)),
            ),
            (at(Submitting), at(Failed), true, Some(Settled(Failed))),
            (at(Unknown), at(Succeeded), true, Some(Settled(Succeeded))),
            (at(Unknown), at(Failed), true, Some(Settled(Failed))),
            // Another desk's payment settling is that desk's news.
            (at(Pending), at(Succeeded), false, None),
            (at(Unknown), at(Failed), false, None),
            // Anything coming to need a person: told, at every desk.
            (at(Submitting), at(NeedsReview), true, Some(NeedsPerson)),
            (at(Pending), at(NeedsReview), false, Some(NeedsPerson)),
            (at(Unknown), at(NeedsReview), true, Some(NeedsPerson)),
            (None, at(NeedsReview), false, Some(NeedsPerson)),
            (at(Succeeded), contested(Succeeded), true, Some(NeedsPerson)),
            (None, contested(Failed), false, Some(NeedsPerson)),
            // A settled payment contested as it settles needs a person, nothing more.
            (at(Pending), contested(Succeeded), true, Some(NeedsPerson)),
            // Still needing a person: told once, not again at each look.
            (at(NeedsReview), at(NeedsReview), true, None),
            (contested(Succeeded), contested(Succeeded), true, None),
            // A person's decision is their own doing, not news.
            (at(NeedsReview), at(Succeeded), true, None),
            (at(NeedsReview), at(Failed), true, None),
            (contested(Succeeded), at(Failed), true, None),
            (contested(Failed), at(Failed), true, None),
            // Still waiting, or moving between waiting states.
            (at(Created), at(Submitting), true, None),
            (None, at(Submitting), true, None),
            (at(Submitting), at(Pending), true, None),
            (at(Pending), at(Pending), true, None),
            (at(Pending), at(Unknown), true, None),
            (at(Unknown), at(Submitting), true, None),
            // Never left waiting: refused before it was sent, or settled before it was seen.
            (at(Created), at(Failed), true, None),
            (None, at(Succeeded), true, None),
            (None, at(Failed), true, None),
            // Settled and seen again (a check counted, evidence added): already told.
            (at(Succeeded), at(Succeeded), true, None),
            (at(Failed), at(Failed), true, None),
        ];
        for (before, now, taken_here, told) in table {
            let now = now.unwrap();
            assert_eq!(
                attention(before, now, taken_here),
                told,
                "{before:?} -> {now:?}, taken here: {taken_here}"
            );
        }
    }

    #[test]
    fn what_is_watched_is_what_may_still_be_news() {
        for state in AttemptState::ALL {
            let plain = Standing {
                state,
                contested: false,
            };
            assert_eq!(plain.is_watched(), !state.is_terminal(), "{state}");
            let disputed = Standing {
                state,
                contested: true,
            };
            assert!(disputed.is_watched(), "{state}, contested");
        }
    }
}
