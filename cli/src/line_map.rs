//! Which input line each event the sender took came from. The sender numbers
//! events in the order it takes them (their sequence numbers); the reading
//! thread is its only producer, so an event's line is its number plus the
//! lines skipped before it (rejected or blank). Only the points where that
//! offset changes are kept, and only for events not yet settled: memory
//! follows the events in flight, not the length of the input.

use std::collections::{BTreeMap, VecDeque};
use std::ops::Range;

#[derive(Debug, Default)]
pub struct LineMap {
    /// `(first sequence number, line - sequence number)` of each run of
    /// events whose lines follow one another, in order.
    runs: VecDeque<(u64, u64)>,
    /// Every number below this is settled (delivered or failed).
    settled_below: u64,
    /// Settled runs above `settled_below`: start to end.
    settled_above: BTreeMap<u64, u64>,
}

impl LineMap {
    /// Event `sequence` is about to be taken, from input line `line`. A
    /// number given again (the sender refused the event that had it)
    /// replaces its line.
    pub fn taken(&mut self, sequence: u64, line: u64) {
        // Modulo 2^64: a spool's numbers may run ahead of the lines.
        let offset = line.wrapping_sub(sequence);
        if self
            .runs
            .back()
            .is_some_and(|&(start, _)| start == sequence)
        {
            self.runs.pop_back();
        }
        if self.runs.back().is_none_or(|&(_, last)| last != offset) {
            self.runs.push_back((sequence, offset));
        }
    }

    /// The input line of event `sequence` (taken, not yet settled).
    pub fn line(&self, sequence: u64) -> u64 {
        let run = self.runs.partition_point(|&(start, _)| start <= sequence);
        let offset = run.checked_sub(1).map_or(0, |run| self.runs[run].1);
        sequence.wrapping_add(offset)
    }

    /// These events are settled: their lines are no longer needed.
    pub fn settle(&mut self, numbers: Range<u64>) {
        if numbers.is_empty() {
            return;
        }
        let joined = self
            .settled_above
            .range(..=numbers.start)
            .next_back()
            .filter(|&(_, &end)| end >= numbers.start)
            .map(|(&start, _)| start);
        match joined {
            Some(start) => {
                let end = self.settled_above.entry(start).or_default();
                *end = (*end).max(numbers.end);
            }
            None => {
                self.settled_above.insert(numbers.start, numbers.end);
            }
        }
        while let Some(entry) = self.settled_above.first_entry() {
            if *entry.key() > self.settled_below {
                break;
            }
            self.settled_below = self.settled_below.max(entry.remove());
        }
        while self
            .runs
            .get(1)
            .is_some_and(|&(start, _)| start <= self.settled_below)
        {
            self.runs.pop_front();
        }
    }

    /// The entries kept (for tests of the memory bound).
    #[cfg(test)]
    fn kept(&self) -> usize {
        self.runs.len() + self.settled_above.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_skip_what_was_not_taken() {
        let mut map = LineMap::default();
        // Lines 1-3 taken, 4 rejected, 5-6 taken, 7 refused by the sender, 8 taken.
        for (sequence, line) in [(0, 1), (1, 2), (2, 3), (3, 5), (4, 6), (5, 7), (5, 8)] {
            map.taken(sequence, line);
        }
        let lines: Vec<u64> = (0..6).map(|s| map.line(s)).collect();
        assert_eq!(lines, [1, 2, 3, 5, 6, 8]);
    }

    #[test]
    fn settled_runs_are_forgotten_whatever_their_order() {
        let mut map = LineMap::default();
        // A rejected line after every event: each event starts a run.
        for sequence in 0..1000 {
            map.taken(sequence, sequence * 2 + 1);
        }
        map.settle(500..1000);
        map.settle(100..200);
        assert_eq!(map.line(0), 1);
        assert_eq!(map.line(250), 501);
        for sequence in (0..100).rev() {
            map.settle(sequence..sequence + 1);
        }
        assert_eq!(map.line(200), 401, "unsettled lines are still known");
        map.settle(200..500);
        assert!(map.kept() <= 1, "{} entries kept", map.kept());
        map.taken(1000, 3000);
        assert_eq!(map.line(1000), 3000);
    }
}
