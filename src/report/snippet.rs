//! The source line a finding points at, for the human report — with every
//! token-like word masked, so that a frame never shows a secret whole, even
//! one no detector recognised (a policy finding on a line with a literal
//! token). Read by the command, before reporting: writers never open files.

use std::collections::BTreeMap;
use std::path::Path;

use super::scrub::Scrubber;
use crate::engine::Finding;

/// Lines longer than this are cut around the column.
const MAX_LINE: usize = 160;

/// One frame: the masked source line (or the window of it around the
/// column) and where the caret goes in it, in characters.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub text: String,
    pub caret: usize,
}

/// Where frames are keyed: path, line, column.
pub(crate) type FrameKey = (String, u32, u32);

/// A detected value's place: from (line, column) to (line, column), in characters.
type Span = ((u32, u32), (u32, u32));

/// Per file: the (line, column) places wanted, and the detected values' spans.
type Wanted = (Vec<(u32, u32)>, Vec<Span>);

/// The frames of the findings in files under `root`. Files are decoded as
/// the scanner decodes them (UTF-16 included), and every detected value is
/// masked wherever it falls, across lines too.
pub(crate) fn collect(root: &Path, findings: &[Finding], scrub: &Scrubber<'_>) -> BTreeMap<FrameKey, Frame> {
    let base = if root.is_file() { root.parent().unwrap_or(root) } else { root };
    let mut wanted: BTreeMap<&str, Wanted> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.location.commit.is_none() && f.location.line > 0) {
        let l = &f.location;
        let entry = wanted.entry(l.path.as_str()).or_default();
        entry.0.push((l.line, l.column));
        if f.secret.is_some() {
            let end = (l.end_line.unwrap_or(l.line), l.end_column.unwrap_or(u32::MAX));
            // A value whose end is unknown (decoded) is masked to the end of its line.
            let end = if end.0 == l.line && end.1 <= l.column { (l.line, u32::MAX) } else { end };
            entry.1.push(((l.line, l.column), end));
        }
    }
    let mut out = BTreeMap::new();
    for (path, (places, spans)) in wanted {
        let full = if root.is_file() && root.ends_with(path) { root.to_path_buf() } else { base.join(path) };
        // Only small files: a frame is a courtesy, not worth reading a huge file twice.
        if std::fs::metadata(&full).map(|m| m.len() > 4 << 20).unwrap_or(true) {
            continue;
        }
        let Ok(bytes) = std::fs::read(&full) else { continue };
        let text = match crate::source::decode(&bytes) {
            crate::source::Content::Text(t) => String::from_utf8_lossy(&t).into_owned(),
            crate::source::Content::Binary => continue,
        };
        let lines: Vec<&str> = text.split('\n').collect();
        // The spans on each line: a file of 80,000 findings must not look
        // through every span for every frame.
        let last_line = u32::try_from(lines.len()).unwrap_or(u32::MAX);
        let mut spans_on: BTreeMap<u32, Vec<Span>> = BTreeMap::new();
        for &span in &spans {
            for l in span.0.0..=span.1.0.min(last_line) {
                spans_on.entry(l).or_default().push(span);
            }
        }
        // Per line, the byte offset of each character: columns are characters.
        let mut chars_of: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for (line, column) in places {
            let Some(raw) = lines.get(line as usize - 1) else { continue };
            let raw = raw.trim_end_matches('\r');
            let starts = chars_of.entry(line).or_insert_with(|| raw.char_indices().map(|(i, _)| i).collect());
            let byte_of = |column: u32| starts.get(column.saturating_sub(1) as usize).copied().unwrap_or(raw.len());
            // Only the window around the column is shown, so only it is masked.
            let split = byte_of(column);
            let (from, to) =
                (byte_of(column.saturating_sub(MAX_LINE as u32)), byte_of(column.saturating_add(MAX_LINE as u32)));
            let masked = |from: usize, to: usize| {
                let hidden: Vec<(usize, usize)> = spans_on
                    .get(&line)
                    .into_iter()
                    .flatten()
                    .filter_map(|&((sl, sc), (el, ec))| {
                        if line < sl || line > el {
                            return None;
                        }
                        let s = if line == sl { byte_of(sc) } else { 0 };
                        let e = if line == el { byte_of(ec) } else { raw.len() };
                        let (s, e) = (s.max(from), e.min(to));
                        (s < e).then(|| (s - from, e - from))
                    })
                    .collect();
                mask(&scrub.text(&hide(&raw[from..to], &hidden)))
            };
            let (before, after) = (masked(from, split), masked(split, to));
            out.insert((path.to_string(), line, column), window(&before, &after));
        }
    }
    out
}

/// Each byte range replaced by its first four characters and `…`.
fn hide(text: &str, ranges: &[(usize, usize)]) -> String {
    let mut ranges = ranges.to_vec();
    ranges.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (s, e) in ranges {
        let (s, e) = (s.max(last), e.min(text.len()));
        let (Some(before), Some(value)) = (text.get(last..s), text.get(s..e)) else { continue };
        out.push_str(before);
        out.extend(value.chars().take(4));
        out.push('…');
        last = e;
    }
    out.push_str(text.get(last..).unwrap_or(""));
    out
}

/// The line cut to `MAX_LINE` characters around the caret, which sits
/// where `before` ends.
fn window(before: &str, after: &str) -> Frame {
    let safe = |s: &str| super::one_line(s).replace('\t', "    ");
    let (before, after) = (safe(before), safe(after));
    let mut caret = before.chars().count();
    let mut text: String = before;
    if caret > MAX_LINE / 2 {
        let drop = caret - MAX_LINE / 2;
        text = format!("…{}", text.chars().skip(drop + 1).collect::<String>());
        caret -= drop;
    }
    text.push_str(&after);
    if text.chars().count() > MAX_LINE {
        text = format!("{}…", text.chars().take(MAX_LINE).collect::<String>());
    }
    Frame { text, caret }
}

/// Mask every word of 12 or more characters that mixes letters and digits
/// (keys, tokens, hashes) to its first 4 characters and `…`.
pub(crate) fn mask(line: &str) -> String {
    let is_word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '/' | '.' | '~');
    let mut out = String::with_capacity(line.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let secretish = word.chars().count() >= 12
            && word.chars().any(|c| c.is_ascii_digit())
            && word.chars().any(|c| c.is_ascii_alphabetic());
        if secretish {
            out.extend(word.chars().take(4));
            out.push('…');
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in line.chars() {
        if is_word(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_masked_and_words_kept() {
        assert_eq!(
            mask(r#"  "Authorization": "Bearer 9f2c7a1e5b8d4f3a6c0e2b7d""#),
            r#"  "Authorization": "Bearer 9f2c…""#
        );
        assert_eq!(mask("resource \"aws_iam_user\" \"reports_bot\" {"), "resource \"aws_iam_user\" \"reports_bot\" {");
        assert_eq!(mask("token = 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"), "token = ghp_…");
    }

    #[test]
    fn the_caret_stays_near_the_column_of_a_long_line() {
        let f = window(&"a ".repeat(2_000_000), "x = 1");
        assert!(f.text.chars().count() <= MAX_LINE + 1 && f.caret <= MAX_LINE / 2 + 1, "{}", f.caret);
        assert!(f.text.chars().nth(f.caret).is_some_and(|c| c == 'x'), "{f:?}");
    }

    #[test]
    fn hidden_ranges_keep_four_characters() {
        assert_eq!(hide("key=SECRETVALUE!", &[(4, 16)]), "key=SECR…");
        assert_eq!(hide("ééé=SECRETVALUE!", &[(7, 19)]), "ééé=SECR…");
    }
}
