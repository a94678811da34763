//! Text a unit holds encoded, found and decoded for the detectors to read:
//! percent-encoding (a token in a URL's query string, a `.git-credentials`
//! password) and base64 of a whole config blob (an `.env` file pasted into a
//! CI variable or a ConfigMap). JSON and YAML string escapes are the
//! structured readers' business (`DetectorSet::escaped`).
//!
//! Everything here is bounded: runs longer than `MAX_RUN` are not decoded,
//! and the caller stops after `MAX_DECODED` bytes per unit and `MAX_DEPTH`
//! levels of encoding inside encoding.

use base64::Engine;

/// The most decoded bytes one unit yields, all runs and levels together.
pub(crate) const MAX_DECODED: usize = 1 << 20;
/// Encoding inside encoding is followed this deep (a base64 blob whose
/// text holds another).
pub(crate) const MAX_DEPTH: usize = 2;
/// A base64 run shorter than this (36 bytes decoded) is a token, a hash or
/// an id, not a config blob: the detectors read such values as they stand.
const MIN_BASE64: usize = 48;
/// A wrapped blob's lines are this long or longer (`base64` writes 76).
const WRAP_WIDTH: usize = 60;
/// A percent-escaped run shorter than this is a format string (`%2d`
/// reads as an escaped `-`), not a URL or a form body with a credential.
const MIN_PERCENT_RUN: usize = 16;
/// The longest run decoded.
const MAX_RUN: usize = 256 << 10;

/// One encoded run: where it starts in the unit, and its decoded bytes.
#[derive(Debug, PartialEq)]
pub(crate) struct Decoded {
    pub offset: usize,
    pub text: Vec<u8>,
}

/// Bytes of a URL or a form body, `%` included.
fn url_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(b, b'%' | b'.' | b'_' | b'~' | b'-' | b'+' | b'/' | b'=' | b'&' | b':' | b'@' | b'?')
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Runs of URL bytes holding a `%XX` escape of a byte tokens are made of
/// (`%5F` for `_`, `%2B`, `%2F`, `%3D`, `%40`…), percent-decoded. A printf
/// format (`%02x`, `%s`) escapes nothing of the kind and is passed over.
pub(crate) fn percent_runs(text: &[u8]) -> Vec<Decoded> {
    let mut out = Vec::new();
    let mut from = 0;
    for at in memchr::memchr_iter(b'%', text) {
        if at < from {
            continue;
        }
        let escaped = text.get(at + 1).copied().and_then(hex).zip(text.get(at + 2).copied().and_then(hex));
        let Some((hi, lo)) = escaped else { continue };
        let byte = hi << 4 | lo;
        if !(byte.is_ascii_graphic() && (byte.is_ascii_alphanumeric() || b"_+/=-.:@~!$*".contains(&byte))) {
            continue;
        }
        let start = text[..at].iter().rposition(|&b| !url_byte(b)).map_or(0, |p| p + 1).max(from);
        let end = text[at..].iter().position(|&b| !url_byte(b)).map_or(text.len(), |p| at + p);
        from = end;
        if end - start > MAX_RUN || end - start < MIN_PERCENT_RUN {
            continue;
        }
        out.push(Decoded { offset: start, text: percent_decode(&text[start..end]) });
    }
    out
}

pub(crate) fn percent_decode(run: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(run.len());
    let mut i = 0;
    while i < run.len() {
        let escaped = (run[i] == b'%')
            .then(|| run.get(i + 1).copied().and_then(hex).zip(run.get(i + 2).copied().and_then(hex)))
            .flatten();
        match escaped {
            Some((hi, lo)) => {
                out.push(hi << 4 | lo);
                i += 3;
            }
            None => {
                out.push(run[i]);
                i += 1;
            }
        }
    }
    out
}

/// The bytes of standard and URL-safe base64, as a table: every byte of a
/// configuration file is tested.
static BASE64_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_');
        b += 1;
    }
    table
};

fn base64_byte(b: u8) -> bool {
    BASE64_BYTES[usize::from(b)]
}

/// Base64 runs (standard or URL-safe, padded or not, wrapped at a fixed
/// width as `base64` writes it) that decode to config text: printable, with
/// `KEY=value` or `key: value` lines.
pub(crate) fn base64_blobs(text: &[u8]) -> Vec<Decoded> {
    // A blob's first line is a run of at least this many base64 bytes (a
    // wrapped blob's lines are longer still). A config file is mostly
    // shorter words, passed over as a string search passes over text: when
    // the byte this far on is not base64, no such run starts before it.
    const SHORTEST: usize = MIN_BASE64 - 2;
    let mut out = Vec::new();
    // Before `i`, every run has been read; `text[i - 1]` is not base64,
    // or ended a run.
    let mut i = 0;
    while let Some(&last) = text.get(i + SHORTEST - 1) {
        if !base64_byte(last) {
            i += SHORTEST;
            continue;
        }
        let probe = i + SHORTEST - 1;
        let start = text[i..probe].iter().rposition(|&b| !base64_byte(b)).map_or(i, |k| i + k + 1);
        let len = text[start..].iter().position(|&b| !base64_byte(b)).unwrap_or(text.len() - start);
        if len < SHORTEST {
            i = start + len;
            continue;
        }
        let (end, compact) = run_at(text, start);
        if compact.len() >= MIN_BASE64
            && compact.len() <= MAX_RUN
            && let Some(decoded) = decode_base64(&compact).filter(|d| is_config_text(d))
        {
            out.push(Decoded { offset: start, text: decoded });
        }
        i = end.max(start + 1);
    }
    out
}

/// The run of base64 starting at `start`: where it ends, and its characters
/// without the line breaks of a wrapped blob. A line continues the run when
/// the one before it was full (the same width as the first, 60 or more).
fn run_at(text: &[u8], start: usize) -> (usize, Vec<u8>) {
    let mut compact = Vec::new();
    let mut at = start;
    let mut width = None;
    loop {
        let len = text[at..].iter().position(|&b| !base64_byte(b)).unwrap_or(text.len() - at);
        compact.extend_from_slice(&text[at..at + len]);
        let mut end = at + len;
        let pad = text[end..].iter().take(2).take_while(|&&b| b == b'=').count();
        compact.extend(std::iter::repeat_n(b'=', pad));
        end += pad;
        let full = len >= WRAP_WIDTH && pad == 0 && width.is_none_or(|w| w == len);
        width = width.or(Some(len));
        let next = match text.get(end..) {
            Some([b'\r', b'\n', rest @ ..]) | Some([b'\n', rest @ ..]) if full => {
                let indent = rest.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
                end + (text.len() - end - rest.len()) + indent
            }
            _ => return (end, compact),
        };
        if compact.len() > MAX_RUN || !text.get(next).copied().is_some_and(base64_byte) {
            return (end, compact);
        }
        at = next;
    }
}

fn decode_base64(run: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let lenient = GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let url_safe = run.iter().any(|&b| b == b'-' || b == b'_');
    let alphabet = if url_safe { &base64::alphabet::URL_SAFE } else { &base64::alphabet::STANDARD };
    GeneralPurpose::new(alphabet, lenient).decode(run).ok()
}

/// Text a config file could be: all printable (tabs and line breaks too),
/// with a line that assigns (`KEY=value`, `key: value`).
fn is_config_text(bytes: &[u8]) -> bool {
    let printable = bytes.iter().all(|&b| b.is_ascii_graphic() || matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    printable
        && bytes.split(|&b| b == b'\n').any(|line| {
            let line = line.trim_ascii_start();
            let key = line.iter().position(|&b| b == b'=' || b == b':');
            key.is_some_and(|k| k > 0 && line[..k].iter().all(|&b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    #[test]
    fn percent_escapes_of_token_bytes_are_decoded_and_printf_formats_are_not() {
        let text = b"url = \"https://x.test/cb?token=ghp%5Fabc%2Bdef&x=1\"\nprintf(\"%02x %s\", v);";
        let runs = percent_runs(text);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].text, b"https://x.test/cb?token=ghp_abc+def&x=1");
        assert_eq!(&text[runs[0].offset..runs[0].offset + 5], b"https");
        assert!(percent_runs(b"50% of %s and 100%").is_empty());
        assert!(percent_runs(b"printf(\"%s:%2d\", host, port);").is_empty());
    }

    #[test]
    fn a_blob_is_found_wherever_it_starts_among_short_words() {
        let env = "DB_HOST=db.internal\nDB_PASSWORD=Zq7#pLx2vR9m!Tc4\n";
        for words in [0, 1, 2, 7] {
            for word in [1, 44, 45, 46, 47] {
                let lead: String = (0..words).map(|_| format!("{} ", "w".repeat(word))).collect();
                let text = format!("{lead}{}", b64(env));
                let blobs = base64_blobs(text.as_bytes());
                assert_eq!(blobs, vec![Decoded { offset: lead.len(), text: env.as_bytes().to_vec() }], "{text}");
            }
        }
    }

    #[test]
    fn a_base64_config_blob_is_decoded_wrapped_or_not() {
        let env = "DB_HOST=db.internal\nDB_PASSWORD=Zq7#pLx2vR9m!Tc4\nAPI_URL=https://api.internal\n";
        let one_line = format!("ENV_FILE: {}\n", b64(env));
        let blobs = base64_blobs(one_line.as_bytes());
        assert_eq!(blobs, vec![Decoded { offset: 10, text: env.as_bytes().to_vec() }]);
        // As `base64` writes it: 76 columns, here indented in YAML.
        let encoded = b64(env);
        let wrapped: Vec<&str> = encoded.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap_or("")).collect();
        let yaml = format!("data: |\n  {}\n", wrapped.join("\n  "));
        let blobs = base64_blobs(yaml.as_bytes());
        assert_eq!(blobs.len(), 1, "{yaml}");
        assert_eq!(blobs[0].text, env.as_bytes());
    }

    #[test]
    fn base64_that_is_not_config_text_is_left_alone() {
        let binary = base64::engine::general_purpose::STANDARD.encode([0u8, 159, 146, 150, 1, 2, 3].repeat(10));
        let prose = b64("just a sentence of prose without any assignment in it at all, really");
        for text in [binary, prose, "c2hvcnQ=".to_string(), "a".repeat(MIN_BASE64)] {
            assert!(base64_blobs(text.as_bytes()).is_empty(), "{text}");
        }
    }
}
