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
//! independent, so their steps overlap in the processor. Each stream warms
//! up on the bytes before its quarter and reports only the keywords that
//! end inside it (`Split`): every occurrence is reported exactly once, as
//! `find_overlapping_iter` would.
//!
//! The wide path (`wide`). Where the processor has AVX-512, a file of some
//! size is searched as 16 to 48 streams instead, sixteen to a vector
//! register, each step one gather of sixteen table entries: the same table,
//! the same streams and the same reports, at about 1.7 times the speed.

use std::collections::HashMap;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{Anchored, dfa::DFA};

#[cfg(target_arch = "x86_64")]
mod wide;

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
    /// Whether a search may take the wide path: the processor has its
    /// instructions and the table keeps the promises that path relies on.
    wide: bool,
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
        let mut table = KeywordTable {
            searching: u32::try_from(searching).ok()?,
            start: premultiplied(0)?,
            next,
            classes,
            stride,
            match_ranges,
            matched,
            max_pattern_len: dfa.max_pattern_len(),
            wide: false,
        };
        #[cfg(target_arch = "x86_64")]
        {
            table.wide = wide::supported(&table);
        }
        Some(table)
    }

    fn step(&self, state: u32, byte: u8) -> u32 {
        self.next[state as usize + usize::from(self.classes[usize::from(byte)])]
    }

    /// The (pattern, length) pairs that end where the search is in `state`.
    fn matches(&self, state: u32) -> &[(usize, usize)] {
        if state & self.searching != 0 {
            return &[];
        }
        // A 32-bit division: the 64-bit one takes several times as long,
        // once per hit.
        let i = (state / self.stride as u32) as usize;
        &self.matched[self.match_ranges[i] as usize..self.match_ranges[i + 1] as usize]
    }

    /// Calls `found(pattern, start, len)` for every occurrence of every
    /// pattern, overlapping ones included, in no particular order.
    pub(crate) fn overlapping(&self, haystack: &[u8], found: impl FnMut(usize, usize, usize)) {
        #[cfg(target_arch = "x86_64")]
        if self.wide
            && let Some(groups) = wide::groups(haystack.len())
        {
            return wide::overlapping(self, haystack, groups, found);
        }
        self.overlapping_narrow(haystack, found)
    }

    /// The four streams of plain instructions.
    fn overlapping_narrow(&self, haystack: &[u8], mut found: impl FnMut(usize, usize, usize)) {
        let split = Split::<4>::new(haystack.len(), 4, self.max_pattern_len, 1);
        let mut report = |s: usize, state: u32, end: usize| self.report(&split, s, state, end, &mut found);
        let windows: [&[u8]; 4] = std::array::from_fn(|s| &haystack[split.window[s]..split.window[s] + split.common]);
        let mut state = [self.start; 4];
        let mut j = 0;
        while j < split.common {
            j = self.lockstep(&windows, &mut state, j);
            for (s, &state) in state.iter().enumerate() {
                report(s, state, split.window[s] + j);
            }
        }
        self.finish(&split, haystack, &state, report);
    }

    /// Calls `found` for the keywords that end at `end` in stream `s`,
    /// now in `state`, if they are the stream's to report.
    fn report<const N: usize>(
        &self,
        split: &Split<N>,
        s: usize,
        state: u32,
        end: usize,
        found: &mut impl FnMut(usize, usize, usize),
    ) {
        if end > split.from[s] && end <= split.to[s] {
            for &(pattern, len) in self.matches(state) {
                found(pattern, end - len, len);
            }
        }
    }

    /// Steps each stream, in its `state` after the common steps, alone to
    /// the end of its part.
    fn finish<const N: usize>(
        &self,
        split: &Split<N>,
        haystack: &[u8],
        states: &[u32],
        mut report: impl FnMut(usize, u32, usize),
    ) {
        for (s, &state) in states.iter().enumerate() {
            let mut state = state;
            for (p, &byte) in haystack.iter().enumerate().take(split.to[s]).skip(split.window[s] + split.common) {
                state = self.step(state, byte);
                report(s, state, p + 1);
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

/// How streams share an input. Stream `s` reports the keywords that end
/// in its part, `from[s] + 1..=to[s]`, and steps from `window[s]`, up to
/// `max_pattern_len - 1` bytes before its part, so that a keyword that
/// crosses into the part is seen whole. All step `common` bytes together,
/// a multiple of some step: as far as every stream but the last needs (the
/// first, which has no bytes to warm up on, runs on past its part and
/// reports nothing there) and none can go. Each then steps alone to the end
/// of its part: the last its few extra bytes, the others a step's rounding.
struct Split<const N: usize> {
    from: [usize; N],
    to: [usize; N],
    window: [usize; N],
    common: usize,
}

impl<const N: usize> Split<N> {
    /// `streams` (at most `N`) streams over `len` bytes, their common steps a
    /// multiple of `multiple`.
    fn new(len: usize, streams: usize, max_pattern_len: usize, multiple: usize) -> Split<N> {
        let warm = max_pattern_len.saturating_sub(1);
        let part = len / streams;
        let from: [usize; N] = std::array::from_fn(|s| (s * part).min(len));
        let to: [usize; N] = std::array::from_fn(|s| if s + 1 >= streams { len } else { (s + 1) * part });
        let window: [usize; N] = std::array::from_fn(|s| from[s].saturating_sub(warm));
        let needed = (0..streams - 1).map(|s| to[s] - window[s]).max().unwrap_or(0);
        let room = (0..streams).map(|s| len - window[s]).min().unwrap_or(0);
        Split { from, to, window, common: needed.min(room) / multiple * multiple }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};
    use proptest::prelude::*;

    /// (pattern, start) pairs, sorted.
    type Occurrences = Vec<(usize, usize)>;
    /// A search that calls its argument with each (pattern, start, length).
    type Search<'a> = &'a dyn Fn(&mut dyn FnMut(usize, usize, usize));

    /// The crate's occurrences of `keywords` in `haystack`, and ours by
    /// every path this processor can take (the plain streams, and the wide
    /// ones with one to three registers), each named.
    fn searches(keywords: &[String], haystack: &[u8]) -> (Occurrences, Vec<(String, Occurrences)>) {
        let ac = AhoCorasick::builder().ascii_case_insensitive(true).match_kind(MatchKind::Standard).build(keywords);
        let mut theirs: Occurrences = ac
            .map(|ac| ac.find_overlapping_iter(haystack).map(|m| (m.pattern().as_usize(), m.start())).collect())
            .unwrap_or_default();
        theirs.sort_unstable();
        let dfa = aho_corasick::dfa::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(keywords);
        let Some(table) = dfa.ok().and_then(|dfa| KeywordTable::new(&dfa, keywords)) else {
            return (theirs, vec![]);
        };
        let collect = |search: Search| {
            let mut ours = Vec::new();
            search(&mut |k, s, _| ours.push((k, s)));
            ours.sort_unstable();
            ours
        };
        let mut ours = vec![("plain".to_string(), collect(&|f| table.overlapping_narrow(haystack, f)))];
        #[cfg(target_arch = "x86_64")]
        if table.wide {
            for groups in 1..=3 {
                ours.push((format!("wide x{groups}"), collect(&|f| wide::overlapping(&table, haystack, groups, f))));
            }
        }
        (theirs, ours)
    }

    #[test]
    fn occurrences_across_stream_boundaries_are_reported_once() {
        let keywords: Vec<String> = ["abcdef", "cdefgh", "ef", "xyz"].iter().map(|s| s.to_string()).collect();
        for n in [0, 1, 5, 16, 17, 64, 1000, 5000] {
            let hay: Vec<u8> = b"..abcdefgh.XyZ.".iter().copied().cycle().take(n).collect();
            let (theirs, ours) = searches(&keywords, &hay);
            assert!(!ours.is_empty());
            for (path, ours) in ours {
                assert_eq!(ours, theirs, "length {n}, {path}");
            }
        }
    }

    /// Hundreds of keywords (the words of the detector module, and a few
    /// with punctuation) over this module's source and bytes above 127: a
    /// large automaton, many hits, and every path agrees with the crate.
    #[test]
    fn a_large_keyword_set_is_found_by_every_path() {
        let mut keywords: Vec<String> = include_str!("mod.rs")
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .filter(|w| w.len() >= 2)
            .map(|w| w.to_ascii_lowercase())
            .collect();
        keywords.extend(["://", "$2a$", "pwd=", "q~", "fn ", "_s"].map(String::from));
        keywords.sort();
        keywords.dedup();
        let mut haystack = include_bytes!("streams.rs").repeat(3);
        haystack.extend_from_slice("é ü 鍵 password=«x» AKIA".as_bytes());
        let (theirs, ours) = searches(&keywords, &haystack);
        assert!(keywords.len() > 500 && theirs.len() > 5_000, "{} keywords, {} hits", keywords.len(), theirs.len());
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512vbmi") {
            assert_eq!(ours.len(), 4, "the wide paths are taken on this processor");
        }
        for (path, ours) in ours {
            assert_eq!(ours, theirs, "{path}");
        }
    }

    proptest! {
        #[test]
        fn finds_what_the_crate_finds(
            keywords in prop::collection::vec("[a-dA-D_-]{1,7}", 1..10),
            haystack in prop::collection::vec(prop::sample::select(b"abcdABCD_- \n\xe9".to_vec()), 0..2000),
        ) {
            let (theirs, ours) = searches(&keywords, &haystack);
            for (path, ours) in ours {
                prop_assert_eq!(&ours, &theirs, "{}", path);
            }
        }
    }
}
