//! The time paydesk decides by (journal times, deadlines, patience): the real time, except on
//! a thread where a simulation has taken the clock over and moves it itself, so that a seed
//! replays the same timings (`tests/simulation.rs`).

use std::cell::Cell;

thread_local! {
    static SIMULATED: Cell<Option<i64>> = const { Cell::new(None) };
}

/// Now, in unix milliseconds.
pub fn now_ms() -> i64 {
    SIMULATED
        .with(Cell::get)
        .unwrap_or_else(|| chrono::Utc::now().timestamp_millis())
}

/// This thread's clock, held at `start_ms` and moved only by [`SimulatedClock::advance`] until
/// the guard is dropped. For simulations on a single-threaded runtime: code running on other
/// threads keeps the real time.
#[doc(hidden)]
pub struct SimulatedClock(());

impl SimulatedClock {
    pub fn start(start_ms: i64) -> SimulatedClock {
        SIMULATED.with(|clock| clock.set(Some(start_ms)));
        SimulatedClock(())
    }

    pub fn advance(&self, ms: i64) {
        SIMULATED.with(|clock| clock.set(clock.get().map(|now| now.saturating_add(ms))));
    }
}

impl Drop for SimulatedClock {
    fn drop(&mut self) {
        SIMULATED.with(|clock| clock.set(None));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simulation_moves_its_threads_clock_and_gives_it_back() {
        let real = now_ms();
        {
            let clock = SimulatedClock::start(1_000);
            assert_eq!(now_ms(), 1_000);
            clock.advance(250);
            assert_eq!(now_ms(), 1_250);
            let elsewhere = std::thread::spawn(now_ms).join().unwrap();
            assert!(elsewhere >= real, "other threads keep the real time");
        }
        assert!(now_ms() >= real);
    }
}
