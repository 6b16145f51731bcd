//! Whether one `pattern` accepts every value another accepts: language
//! inclusion decided on the two patterns' DFAs (`regex-automata`), by walking
//! the pairs of states both reach on the same input and looking for one where
//! the first accepts and the second does not.

use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::util::start;
use regex_automata::{Anchored, MatchKind};
use std::collections::{BTreeSet, VecDeque};

/// How the values two patterns accept compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inclusion {
    /// The same values.
    Equal,
    /// The new pattern accepts every old value, and more.
    Wider,
    /// The old pattern accepts every new value, and more.
    Narrower,
    /// Each accepts a value the other refuses.
    Different,
    /// A DFA could not be built within the size limit (or a pattern does not parse).
    Undecided,
}

/// The largest DFA built for one pattern (bytes of transition table).
const SIZE_LIMIT: usize = 4 << 20;

/// Compares what `old` and `new` accept. A pattern matches anywhere in the
/// value unless anchored, as in JSON Schema.
pub fn compare(old: &str, new: &str) -> Inclusion {
    let (Some(a), Some(b)) = (dfa(old), dfa(new)) else {
        return Inclusion::Undecided;
    };
    let (Some(a_in_b), Some(b_in_a)) = (included(&a, &b), included(&b, &a)) else {
        return Inclusion::Undecided;
    };
    match (a_in_b, b_in_a) {
        (true, true) => Inclusion::Equal,
        (true, false) => Inclusion::Wider,
        (false, true) => Inclusion::Narrower,
        (false, false) => Inclusion::Different,
    }
}

/// A DFA of the whole-value language: what the pattern finds anywhere in a
/// value, as an anchored match of the full input.
fn dfa(pattern: &str) -> Option<dense::DFA<Vec<u32>>> {
    let whole = format!("(?s:.)*?(?:{pattern})(?s:.)*");
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .match_kind(MatchKind::All)
                .dfa_size_limit(Some(SIZE_LIMIT))
                .determinize_size_limit(Some(SIZE_LIMIT)),
        )
        .build(&whole)
        .ok()
}

/// Whether every input `a` accepts in full, `b` accepts too (`None` when
/// the walk cannot start).
fn included(a: &dense::DFA<Vec<u32>>, b: &dense::DFA<Vec<u32>>) -> Option<bool> {
    let config = start::Config::new().anchored(Anchored::Yes);
    let start = (a.start_state(&config).ok()?, b.start_state(&config).ok()?);
    let mut seen = BTreeSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some((sa, sb)) = queue.pop_front() {
        let accepts = |dfa: &dense::DFA<Vec<u32>>, s| dfa.is_match_state(dfa.next_eoi_state(s));
        if accepts(a, sa) && !accepts(b, sb) {
            return Some(false);
        }
        for byte in 0..=255u8 {
            let next = (a.next_state(sa, byte), b.next_state(sb, byte));
            if a.is_dead_state(next.0) || a.is_quit_state(next.0) {
                continue;
            }
            if seen.insert(next) {
                queue.push_back(next);
            }
        }
    }
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inclusion_is_decided_on_the_languages_not_the_text() {
        let old = "^[0-9a-f]{32}$";
        let new = "^([0-9a-f]{32}|message_[!-~]+)$";
        assert_eq!(compare(old, new), Inclusion::Wider);
        assert_eq!(compare(new, old), Inclusion::Narrower);
        assert_eq!(compare("^[a-c]+$", "^(a|b|c)+$"), Inclusion::Equal);
        assert_eq!(compare("^[a-c]+$", "^[b-d]+$"), Inclusion::Different);
        // Unanchored: `ab` anywhere, which `b` anywhere includes.
        assert_eq!(compare("ab", "b"), Inclusion::Wider);
        assert_eq!(compare("^ab", "ab"), Inclusion::Wider);
        assert_eq!(compare("[", "a"), Inclusion::Undecided);
    }
}
