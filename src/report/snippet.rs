//! The source line a finding points at, for the human report — with every
//! token-like word masked, so that a frame never shows a secret whole, even
//! one no detector recognised (a policy finding on a line with a literal
//! token). Read by the command, before reporting: writers never open files.

use std::collections::BTreeMap;
use std::path::Path;

use crate::engine::Finding;

/// A detected value's byte range in its line.
type Span = (usize, usize);

/// Lines longer than this are cut around the column.
const MAX_LINE: usize = 160;

/// `(path, line)` → the masked line, for findings in files under `root`.
pub fn collect(root: &Path, findings: &[Finding]) -> BTreeMap<(String, u32), String> {
    let base = if root.is_file() { root.parent().unwrap_or(root) } else { root };
    // Per file: the lines wanted, and the byte spans of detected values on them.
    let mut wanted: BTreeMap<&str, Vec<(u32, Option<Span>)>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.location.commit.is_none() && f.location.line > 0) {
        let l = &f.location;
        let span = match (f.secret.is_some(), l.end_line, l.end_column) {
            (true, Some(end_line), Some(end)) if end_line == l.line => {
                Some((l.column.saturating_sub(1) as usize, end.saturating_sub(1) as usize))
            }
            _ => None,
        };
        wanted.entry(l.path.as_str()).or_default().push((l.line, span));
    }
    let mut out = BTreeMap::new();
    for (path, lines) in wanted {
        let full = if root.is_file() && root.ends_with(path) { root.to_path_buf() } else { base.join(path) };
        // Only small files: a frame is a courtesy, not worth reading a huge file twice.
        if std::fs::metadata(&full).map(|m| m.len() > 4 << 20).unwrap_or(true) {
            continue;
        }
        let Ok(bytes) = std::fs::read(&full) else { continue };
        let text = String::from_utf8_lossy(&bytes);
        for (i, line) in text.lines().enumerate() {
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if !lines.iter().any(|(l, _)| *l == n) {
                continue;
            }
            let mut line = line.to_string();
            // Detected values go first, whatever their shape; right to left
            // so that earlier spans keep their offsets.
            let mut spans: Vec<Span> = lines.iter().filter(|(l, _)| *l == n).filter_map(|(_, s)| *s).collect();
            spans.sort_unstable_by(|a, b| b.cmp(a));
            for (start, end) in spans {
                if let (Some(value), true) = (line.get(start..end), line.is_char_boundary(start)) {
                    let shown: String = value.chars().take(4).collect();
                    line.replace_range(start..end, &format!("{shown}…"));
                }
            }
            out.insert((path.to_string(), n), mask(&line));
        }
    }
    out
}

/// Mask every word of 12 or more characters that mixes letters and digits
/// (keys, tokens, hashes) to its first 4 characters and `…`; cut long lines.
pub fn mask(line: &str) -> String {
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
    let out = out.replace('\t', "    ");
    if out.chars().count() > MAX_LINE { format!("{}…", out.chars().take(MAX_LINE).collect::<String>()) } else { out }
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
}
