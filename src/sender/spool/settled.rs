//! Which events are settled (delivered, or rejected and reported): every
//! event below a mark, and the runs above it that requests finished out
//! of order. Kept exactly, so that a restart sends again only what was
//! in flight, not everything since the oldest unfinished request.

use std::collections::BTreeMap;
use std::ops::Range;

#[derive(Debug, Default, Clone)]
pub(crate) struct Settled {
    /// Every event numbered below it is settled.
    below: u64,
    /// Settled runs above `below`, by first number; disjoint, not touching.
    runs: BTreeMap<u64, u64>,
}

impl Settled {
    pub fn new(below: u64) -> Self {
        Settled {
            below,
            runs: BTreeMap::new(),
        }
    }

    pub fn below(&self) -> u64 {
        self.below
    }

    /// Everything below `below` is settled.
    pub fn settle_below(&mut self, below: u64) {
        if below > self.below {
            self.below = below;
            self.advance();
        }
    }

    /// The events numbered `run` are settled.
    pub fn settle(&mut self, run: Range<u64>) {
        let (mut start, mut end) = (run.start.max(self.below), run.end);
        if start >= end {
            return;
        }
        // Joins the run before, if it reaches this one.
        if let Some((&s, &e)) = self.runs.range(..=start).next_back() {
            if e >= start {
                start = s;
                end = end.max(e);
                self.runs.remove(&s);
            }
        }
        // Swallows the runs this one reaches.
        while let Some((&s, &e)) = self.runs.range(start..).next() {
            if s > end {
                break;
            }
            end = end.max(e);
            self.runs.remove(&s);
        }
        self.runs.insert(start, end);
        self.advance();
    }

    fn advance(&mut self) {
        while let Some((&s, &e)) = self.runs.first_key_value() {
            if s > self.below {
                break;
            }
            self.below = self.below.max(e);
            self.runs.remove(&s);
        }
    }

    pub fn contains(&self, number: u64) -> bool {
        number < self.below
            || self
                .runs
                .range(..=number)
                .next_back()
                .is_some_and(|(_, &e)| number < e)
    }

    /// The runs above the mark.
    pub fn runs(&self) -> impl Iterator<Item = Range<u64>> + '_ {
        self.runs.iter().map(|(&s, &e)| s..e)
    }

    /// The runs of the events numbered `range` that are not settled.
    pub fn unsettled_runs(&self, range: Range<u64>) -> Vec<Range<u64>> {
        let mut unsettled = Vec::new();
        let mut at = range.start.max(self.below);
        for run in self.runs() {
            if at >= range.end {
                break;
            }
            if run.end <= at {
                continue;
            }
            if run.start > at {
                unsettled.push(at..run.start.min(range.end));
            }
            at = at.max(run.end);
        }
        if at < range.end {
            unsettled.push(at..range.end);
        }
        unsettled
    }

    /// How many of the events numbered `range` are not settled.
    pub fn unsettled_in(&self, range: Range<u64>) -> u64 {
        let start = range.start.max(self.below);
        if start >= range.end {
            return 0;
        }
        let settled: u64 = self
            .runs()
            .map(|run| run.end.min(range.end).saturating_sub(run.start.max(start)))
            .sum();
        range.end - start - settled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_join_and_the_mark_moves_up_through_them() {
        let mut settled = Settled::new(10);
        settled.settle(20..30);
        settled.settle(40..50);
        assert_eq!(settled.runs().collect::<Vec<_>>(), [20..30, 40..50]);
        settled.settle(30..35);
        assert_eq!(settled.runs().collect::<Vec<_>>(), [20..35, 40..50]);
        settled.settle(34..41);
        assert_eq!(settled.runs().collect::<Vec<_>>(), vec![(20..50)]);
        assert!(settled.contains(5) && settled.contains(20) && settled.contains(49));
        assert!(!settled.contains(10) && !settled.contains(19) && !settled.contains(50));
        assert_eq!(settled.unsettled_in(0..60), 10 + 10);
        settled.settle(10..20);
        assert_eq!(settled.below(), 50);
        assert_eq!(settled.runs().count(), 0);
        settled.settle(0..5);
        assert_eq!(settled.below(), 50, "never moves down");
        settled.settle(60..61);
        settled.settle_below(70);
        assert_eq!((settled.below(), settled.runs().count()), (70, 0));
    }

    #[test]
    fn unsettled_runs_are_what_is_left_between_the_settled_ones() {
        let mut settled = Settled::new(10);
        settled.settle(20..30);
        settled.settle(40..50);
        assert_eq!(settled.unsettled_runs(0..60), [10..20, 30..40, 50..60]);
        assert_eq!(settled.unsettled_runs(25..45), vec![(30..40)]);
        assert_eq!(settled.unsettled_runs(0..10), []);
        assert_eq!(settled.unsettled_runs(22..28), []);
        assert_eq!(settled.unsettled_runs(45..55), vec![(50..55)]);
    }

    #[test]
    fn it_agrees_with_a_set_of_every_number() {
        let mut settled = Settled::new(0);
        let mut set = std::collections::BTreeSet::new();
        let mut x = 12345u64;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let start = x % 500;
            let run = start..start + 1 + (x >> 32) % 6;
            set.extend(run.clone());
            settled.settle(run);
            let below = (0..).find(|n| !set.contains(n)).unwrap();
            assert_eq!(settled.below(), below);
            for n in 0..520 {
                assert_eq!(settled.contains(n), set.contains(&n), "{n}");
            }
        }
    }
}
