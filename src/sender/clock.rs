//! The time `send` checks events against (events older than the API keeps
//! are refused), read from the system clock every 100 ms by a small task
//! rather than once per event: measured, reading the clock cost more than
//! all of a typical event's checks (41 ns against 15 ns, see BENCHMARKS.md).
//! The API's rule is about days, so a tenth of a second makes no difference.

use crate::validation::ValidationContext;
use std::sync::atomic::{AtomicI64, Ordering::Relaxed};
use std::sync::Weak;
use std::time::Duration;

/// How often the time is read.
const TICK: Duration = Duration::from_millis(100);

/// The validation context of a sender, with a time that a task keeps fresh.
#[derive(Debug)]
pub(crate) struct Clock {
    context: ValidationContext,
    now_millis: AtomicI64,
}

impl Clock {
    /// A clock for checks made with `context` (its rules; its time is replaced).
    pub fn new(context: ValidationContext) -> Self {
        Clock {
            now_millis: AtomicI64::new(context.now_millis()),
            context,
        }
    }

    /// The context to check an event with now.
    pub fn context(&self) -> ValidationContext {
        self.context.clone().at(self.now_millis.load(Relaxed))
    }

    fn refresh(&self) {
        self.now_millis
            .store(ValidationContext::now().now_millis(), Relaxed);
    }
}

/// Keeps a clock fresh until its owner is gone, or `clock` (which finds
/// the clock in its owner) gives none: the owner has stopped.
pub(crate) async fn tick<T>(owner: Weak<T>, clock: fn(&T) -> Option<&Clock>) {
    loop {
        crate::runtime::platform::sleep(TICK).await;
        let Some(owner) = owner.upgrade() else {
            return;
        };
        match clock(&owner) {
            Some(clock) => clock.refresh(),
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_keeps_its_rules_and_takes_the_clocks_time() {
        let rules = ValidationContext::now()
            .at(1_000)
            .allow_stale_timestamps(true)
            .skip_serialized_size();
        let clock = Clock::new(rules);
        assert_eq!(clock.context().now_millis(), 1_000);
        clock.refresh();
        let context = clock.context();
        assert!(context.now_millis() > 1_000);
        assert!(!context.checks_serialized_size());
    }
}
