//! The keyword search over a large input: the DFA's transitions in a table
//! of our own, searched as four interleaved streams.
//!
//! The table. The crate's DFA numbers its states as its trie was built, one
//! keyword after another, so the shallow states that nearly every byte
//! visits lie scattered over two megabytes, past the core's cache. Here the
//! states are numbered breadth-first from the start (the shallow states sit
//! together), with one column per byte class and no padding; the table is
//! half the size and the search about a quarter faster (1.9 GB/s against
//! 1.5 GB/s on Linux sources, one core).
//!
//! The match test. Match states come first, below a power of two, and the
//! other states above it: a state is a match state exactly when that one
//! bit is clear, so one `and` of the four states tells whether any of them
//! matched. A step of the four streams is otherwise a dozen instructions,
//! and comparing each state against a bound cost a third of them.
//!
//! The streams. A DFA takes one table step per byte, and each step needs
//! the state the one before it produced: one stream runs at the latency of
//! a cache load. Four streams over four quarters of the input are
//! independent, so their steps overlap in the processor. Each stream starts
//! `max_pattern_len - 1` bytes before its quarter, so that a keyword that
//! crosses into the quarter is seen whole, and reports only the keywords
//! that end inside its quarter: every occurrence is reported exactly once,
//! as `find_overlapping_iter` would.

use std::collections::HashMap;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{Anchored, dfa::DFA};

#[derive(Debug)]
pub(crate) struct KeywordTable {
    /// `next[state + class]`: the next state. States are premultiplied by
    /// `stride`, so a step is an add and a load.
    next: Vec<u32>,
    classes: [u8; 256],
    stride: usize,
    start: u32,
    /// The bit that is set in every state but the match states.
    searching: u32,
    /// For each match state (`state / stride`), its (pattern, length)
    /// pairs: `matched[match_ranges[i]..match_ranges[i + 1]]`.
    match_ranges: Vec<u32>,
    matched: Vec<(usize, usize)>,
    max_pattern_len: usize,
}

impl KeywordTable {
    /// The table of `dfa`, an unanchored DFA over `keywords` (which decide
    /// the byte classes: a byte in no keyword steps as any other such byte;
    /// the DFA is ASCII case-insensitive, so a letter steps as its other
    /// case).
    pub(crate) fn new(dfa: &DFA, keywords: &[String]) -> Option<KeywordTable> {
        let mut classes = [0u8; 256];
        let mut representatives = vec![0u8];
        for b in keywords.iter().flat_map(|k| k.bytes()).map(|b| b.to_ascii_lowercase()) {
            if classes[usize::from(b)] == 0 {
                classes[usize::from(b)] = u8::try_from(representatives.len()).ok()?;
                classes[usize::from(b.to_ascii_uppercase())] = classes[usize::from(b)];
                representatives.push(b);
            }
        }
        // Class 0 holds the bytes of no keyword.
        representatives[0] = (0..=255u8).find(|&b| classes[usize::from(b)] == 0).unwrap_or(0);
        let stride = representatives.len();
        let start = dfa.start_state(Anchored::No).ok()?;
        let mut order = vec![start];
        let mut number: HashMap<StateID, usize> = HashMap::from([(start, 0)]);
        let mut edges = Vec::new();
        let mut i = 0;
        while let Some(&state) = order.get(i) {
            i += 1;
            for &b in &representatives {
                let next = dfa.next_state(Anchored::No, state, b);
                let n = *number.entry(next).or_insert_with(|| {
                    order.push(next);
                    order.len() - 1
                });
                edges.push(n);
            }
        }
        // Match states first, each group in breadth-first order.
        let mut renumbered: Vec<usize> = (0..order.len()).collect();
        renumbered.sort_by_key(|&s| !dfa.is_match(order[s]));
        let mut new_of = vec![0; order.len()];
        for (new, &old) in renumbered.iter().enumerate() {
            new_of[old] = new;
        }
        let matching = renumbered.iter().take_while(|&&s| dfa.is_match(order[s])).count();
        // The other states start at the power of two that bounds both groups,
        // so that they all have its bit and no match state has it. The gap
        // below it is never stepped into: its pages are never touched.
        let searching = (matching.max(order.len() - matching) * stride).next_power_of_two();
        let place = |new: usize| if new < matching { new * stride } else { searching + (new - matching) * stride };
        let premultiplied = |s: usize| u32::try_from(place(new_of[s])).ok();
        let mut next = vec![0u32; place(order.len())];
        for (old, targets) in edges.chunks(stride).enumerate() {
            for (class, &target) in targets.iter().enumerate() {
                next[place(new_of[old]) + class] = premultiplied(target)?;
            }
        }
        let mut match_ranges = vec![0];
        let mut matched = Vec::new();
        for s in renumbered.iter().map(|&s| order[s]).take_while(|&s| dfa.is_match(s)) {
            matched.extend(
                (0..dfa.match_len(s)).map(|k| dfa.match_pattern(s, k)).map(|p| (p.as_usize(), dfa.pattern_len(p))),
            );
            match_ranges.push(u32::try_from(matched.len()).ok()?);
        }
        Some(KeywordTable {
            searching: u32::try_from(searching).ok()?,
            start: premultiplied(0)?,
            next,
            classes,
            stride,
            match_ranges,
            matched,
            max_pattern_len: dfa.max_pattern_len(),
        })
    }

    fn step(&self, state: u32, byte: u8) -> u32 {
        self.next[state as usize + usize::from(self.classes[usize::from(byte)])]
    }

    /// Calls `found(pattern, start)` for every occurrence of every pattern,
    /// overlapping ones included, in no particular order.
    pub(crate) fn overlapping(&self, haystack: &[u8], mut found: impl FnMut(usize, usize, usize)) {
        let n = haystack.len();
        let warm = self.max_pattern_len.saturating_sub(1);
        let quarter = n.div_ceil(4);
        let from: [usize; 4] = std::array::from_fn(|i| (i * quarter).min(n));
        let to: [usize; 4] = std::array::from_fn(|i| if i < 3 { from[i + 1] } else { n });
        let window: [usize; 4] = std::array::from_fn(|i| from[i].saturating_sub(warm));
        let mut report = |state: u32, end: usize, quarter: usize| {
            if state & self.searching == 0 && end > from[quarter] {
                // A 32-bit division: the 64-bit one takes several times as long,
                // once per hit.
                let i = (state / self.stride as u32) as usize;
                let range = self.match_ranges[i] as usize..self.match_ranges[i + 1] as usize;
                for &(pattern, len) in &self.matched[range] {
                    found(pattern, end - len, len);
                }
            }
        };
        // The four windows in lockstep for as long as the shortest; then each
        // to its end.
        let common = (0..4).map(|i| to[i] - window[i]).min().unwrap_or(0);
        let windows: [&[u8]; 4] = std::array::from_fn(|i| &haystack[window[i]..window[i] + common]);
        let mut state = [self.start; 4];
        let mut j = 0;
        while j < common {
            j = self.lockstep(&windows, &mut state, j);
            for (i, &s) in state.iter().enumerate() {
                report(s, window[i] + j, i);
            }
        }
        for (i, state) in state.iter_mut().enumerate() {
            for (p, &byte) in haystack.iter().enumerate().take(to[i]).skip(window[i] + common) {
                *state = self.step(*state, byte);
                report(*state, p + 1, i);
            }
        }
    }

    /// Steps the four states over their windows from `j` until one of them
    /// is a match state or the windows end, and returns how many bytes each
    /// has consumed. A loop of its own, so that the four states stay in
    /// registers: kept inline with the reporting around it, they were
    /// spilled to the stack and every step paid a store and a reload.
    #[inline(never)]
    fn lockstep(&self, windows: &[&[u8]; 4], state: &mut [u32; 4], mut j: usize) -> usize {
        let [a, b, c, d] = *windows;
        let len = a.len().min(b.len()).min(c.len()).min(d.len());
        let [mut s0, mut s1, mut s2, mut s3] = *state;
        while j < len {
            s0 = self.step(s0, a[j]);
            s1 = self.step(s1, b[j]);
            s2 = self.step(s2, c[j]);
            s3 = self.step(s3, d[j]);
            j += 1;
            if s0 & s1 & s2 & s3 & self.searching == 0 {
                break;
            }
        }
        *state = [s0, s1, s2, s3];
        j
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};
    use proptest::prelude::*;

    /// (pattern, start) pairs, sorted.
    type Occurrences = Vec<(usize, usize)>;

    fn both(keywords: &[String], haystack: &[u8]) -> (Occurrences, Occurrences) {
        let build = |b: &mut aho_corasick::dfa::Builder| {
            b.ascii_case_insensitive(true).match_kind(MatchKind::Standard).build(keywords)
        };
        let Ok(dfa) = build(&mut aho_corasick::dfa::Builder::new()) else { return (vec![], vec![]) };
        let Some(table) = KeywordTable::new(&dfa, keywords) else { return (vec![], vec![]) };
        let mut ours = Vec::new();
        table.overlapping(haystack, |k, s, _| ours.push((k, s)));
        ours.sort_unstable();
        let ac = AhoCorasick::builder().ascii_case_insensitive(true).match_kind(MatchKind::Standard).build(keywords);
        let mut theirs: Vec<(usize, usize)> = ac
            .map(|ac| ac.find_overlapping_iter(haystack).map(|m| (m.pattern().as_usize(), m.start())).collect())
            .unwrap_or_default();
        theirs.sort_unstable();
        (ours, theirs)
    }

    #[test]
    fn occurrences_across_quarter_boundaries_are_reported_once() {
        let keywords: Vec<String> = ["abcdef", "cdefgh", "ef", "xyz"].iter().map(|s| s.to_string()).collect();
        for n in [0, 1, 5, 16, 17, 64, 1000] {
            let hay: Vec<u8> = b"..abcdefgh.XyZ.".iter().copied().cycle().take(n).collect();
            let (ours, theirs) = both(&keywords, &hay);
            assert_eq!(ours, theirs, "length {n}");
        }
    }

    proptest! {
        #[test]
        fn finds_what_the_crate_finds(
            keywords in prop::collection::vec("[a-dA-D_-]{1,7}", 1..10),
            haystack in prop::collection::vec(prop::sample::select(b"abcdABCD_- \\n".to_vec()), 0..400),
        ) {
            let (ours, theirs) = both(&keywords, &haystack);
            prop_assert_eq!(ours, theirs);
        }
    }
}
