//! Fault injection: failing statuses, delays and dropped connections that the
//! local server inflicts on chosen requests, so that retries, timeouts and
//! error reports can be tested. Decisions come from a seeded generator: the
//! same seed gives the same faults to the same sequence of requests.

use std::collections::VecDeque;
use std::time::Duration;

/// One fault inflicted on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this HTTP status (100 to 999; and a JSON body saying the
    /// fault was injected) instead of handling the request.
    Status(u16),
    /// Close the connection without answering.
    DropConnection,
    /// Wait this long, then handle the request as usual.
    Delay(Duration),
}

/// Which faults the server inflicts, and on which requests.
///
/// The first requests get the [`script`](Self::script)ed faults, in order;
/// after that each request draws from the seeded generator: it is dropped
/// with the drop rate, else answered with the failure status with the failure
/// rate, else delayed with the delay rate. Requests that arrive one after the
/// other get the same faults for the same seed.
///
/// ```
/// use algolia_insights::local::{Fault, Faults};
/// use std::time::Duration;
///
/// // About one request in five fails with a 503; the first one is dropped.
/// let faults = Faults::seeded(7)
///     .fail(0.2, 503)
///     .script([Fault::DropConnection]);
/// // Every request fails with a 500.
/// let always = Faults::none().fail(1.0, 500);
/// // Every request waits 50 ms.
/// let slow = Faults::none().delay(1.0, Duration::from_millis(50));
/// # let _ = (faults, always, slow);
/// ```
#[derive(Debug, Clone)]
pub struct Faults {
    seed: u64,
    script: VecDeque<Fault>,
    failure_rate: f64,
    failure_status: u16,
    drop_rate: f64,
    delay_rate: f64,
    delay: Duration,
}

impl Default for Faults {
    fn default() -> Self {
        Faults::none()
    }
}

impl Faults {
    /// No faults: every request is handled as usual.
    pub fn none() -> Self {
        Faults::seeded(0)
    }

    /// No faults yet; the rates set next draw from a generator seeded with `seed`.
    pub fn seeded(seed: u64) -> Self {
        Faults {
            seed,
            script: VecDeque::new(),
            failure_rate: 0.0,
            failure_status: 503,
            drop_rate: 0.0,
            delay_rate: 0.0,
            delay: Duration::ZERO,
        }
    }

    /// Answers this share of requests (0.0 to 1.0) with the HTTP `status`.
    ///
    /// # Panics
    ///
    /// When `status` is not an HTTP status code (100 to 999).
    #[must_use]
    pub fn fail(mut self, rate: f64, status: u16) -> Self {
        check_status(status);
        self.failure_rate = clamp_rate(rate);
        self.failure_status = status;
        self
    }

    /// Closes the connection without an answer for this share of requests (0.0 to 1.0).
    #[must_use]
    pub fn drop_connections(mut self, rate: f64) -> Self {
        self.drop_rate = clamp_rate(rate);
        self
    }

    /// Delays this share of requests (0.0 to 1.0) by `delay` before handling them.
    #[must_use]
    pub fn delay(mut self, rate: f64, delay: Duration) -> Self {
        self.delay_rate = clamp_rate(rate);
        self.delay = delay;
        self
    }

    /// Inflicts these faults on the next requests, one each, in order, before
    /// the rates apply.
    ///
    /// # Panics
    ///
    /// When a [`Fault::Status`] is not an HTTP status code (100 to 999).
    #[must_use]
    pub fn script(mut self, faults: impl IntoIterator<Item = Fault>) -> Self {
        for fault in faults {
            if let Fault::Status(status) = fault {
                check_status(status);
            }
            self.script.push_back(fault);
        }
        self
    }

    /// Whether no request would ever get a fault.
    pub fn is_none(&self) -> bool {
        self.script.is_empty()
            && self.failure_rate == 0.0
            && self.drop_rate == 0.0
            && self.delay_rate == 0.0
    }
}

/// Refuses what no HTTP answer can carry, where the caller wrote it rather
/// than when a request meets the fault.
fn check_status(status: u16) {
    assert!(
        (100..=999).contains(&status),
        "a fault's status must be an HTTP status code, 100 to 999; got {status}"
    );
}

/// A rate as a probability: NaN and negative rates are 0, rates above 1 are 1.
fn clamp_rate(rate: f64) -> f64 {
    if rate.is_nan() {
        0.0
    } else {
        rate.clamp(0.0, 1.0)
    }
}

/// The faults in force and the generator's position: decides request after request.
#[derive(Debug)]
pub(crate) struct FaultPlan {
    faults: Faults,
    random: SplitMix64,
}

impl FaultPlan {
    pub(crate) fn new(faults: Faults) -> Self {
        let random = SplitMix64::new(faults.seed);
        FaultPlan { faults, random }
    }

    /// The fault for the next request, if any.
    pub(crate) fn next_fault(&mut self) -> Option<Fault> {
        if let Some(fault) = self.faults.script.pop_front() {
            return Some(fault);
        }
        if self.faults.is_none() {
            return None;
        }
        // Three draws per request whatever the rates, so that changing one
        // rate does not shift the decisions of the others.
        let drop = self.random.next_unit();
        let fail = self.random.next_unit();
        let delay = self.random.next_unit();
        let faults = &self.faults;
        if drop < faults.drop_rate {
            Some(Fault::DropConnection)
        } else if fail < faults.failure_rate {
            Some(Fault::Status(faults.failure_status))
        } else if delay < faults.delay_rate {
            Some(Fault::Delay(faults.delay))
        } else {
            None
        }
    }
}

/// The SplitMix64 generator: tiny, fast and good enough to spread faults.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)`, from the top 53 bits.
    fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decisions(faults: Faults, count: usize) -> Vec<Option<Fault>> {
        let mut plan = FaultPlan::new(faults);
        (0..count).map(|_| plan.next_fault()).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let faults = || Faults::seeded(42).fail(0.5, 502);
        assert_eq!(decisions(faults(), 64), decisions(faults(), 64));
        let other = decisions(Faults::seeded(43).fail(0.5, 502), 64);
        assert_ne!(decisions(faults(), 64), other);
    }

    #[test]
    fn rates_are_respected_roughly_and_the_script_comes_first() {
        let all = decisions(
            Faults::seeded(1)
                .fail(0.25, 503)
                .script([Fault::DropConnection]),
            4001,
        );
        assert_eq!(all[0], Some(Fault::DropConnection));
        let failed = all[1..].iter().filter(|d| d.is_some()).count();
        assert!((800..1200).contains(&failed), "{failed} of 4000 failed");
    }

    #[test]
    fn no_faults_means_none_and_bad_rates_are_clamped() {
        assert!(decisions(Faults::none(), 100).iter().all(Option::is_none));
        let always = decisions(Faults::none().drop_connections(7.0), 10);
        assert!(always.iter().all(|d| *d == Some(Fault::DropConnection)));
        assert!(Faults::none().fail(f64::NAN, 200).is_none());
    }

    #[test]
    #[should_panic(expected = "100 to 999; got 1000")]
    fn a_status_no_answer_can_carry_is_refused_where_it_is_written() {
        let _ = Faults::none().fail(0.5, 1000);
    }

    #[test]
    #[should_panic(expected = "100 to 999; got 42")]
    fn a_scripted_status_no_answer_can_carry_is_refused() {
        let _ = Faults::none().script([Fault::Status(42)]);
    }

    #[test]
    fn units_stay_below_one() {
        let mut random = SplitMix64::new(u64::MAX);
        assert!((0..10_000).all(|_| (0.0..1.0).contains(&random.next_unit())));
    }
}
