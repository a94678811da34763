//! From raw bytes to scannable text: binary files are skipped, UTF-16 with a
//! byte-order mark is decoded, anything else is scanned as bytes (invalid
//! UTF-8 included: the detectors work on bytes).

use std::borrow::Cow;

/// What a unit's bytes turned out to be.
pub(crate) enum Content<'a> {
    Text(Cow<'a, [u8]>),
    Binary,
}

/// Bytes as text, invalid sequences replaced. Valid UTF-8 (nearly every
/// file) is borrowed after `from_utf8`'s check, which runs a word at a time
/// over ASCII where `from_utf8_lossy` goes byte by byte.
pub(crate) fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// How far into a file to look for a NUL byte, as git does.
const BINARY_PROBE: usize = 8000;

pub(crate) fn decode(bytes: &[u8]) -> Content<'_> {
    if let Some(text) = utf16(bytes) {
        return Content::Text(Cow::Owned(text.into_bytes()));
    }
    let probe = &bytes[..bytes.len().min(BINARY_PROBE)];
    if looks_binary(probe) {
        return Content::Binary;
    }
    Content::Text(Cow::Borrowed(bytes))
}

/// Binary by content: NULs in more than 1% of the probe (and more than a
/// handful: a text file with stray NULs is still text), or control bytes in
/// more than 30% of it. Binary units are still searched for token shapes
/// (see `scan`), so this decides how a unit is read, not whether it is.
fn looks_binary(probe: &[u8]) -> bool {
    let (nuls, controls) = count_nuls_and_controls(probe);
    (nuls > 8 && nuls * 100 > probe.len()) || controls * 10 > probe.len().max(1) * 3
}

/// NULs, and control bytes other than NUL and the whitespace and escape
/// that text uses. Counted in `u8` lanes of 32, emptied before they can
/// overflow, with `&` rather than `&&`: the loops compile to vector code,
/// which a tree of 80,000 files notices (it was a tenth of a Linux tree
/// scan). Text has no byte below 0x20 but tab, newline and carriage return,
/// and one pass of fewer tests says so before anything is counted.
fn count_nuls_and_controls(bytes: &[u8]) -> (usize, usize) {
    const LANES: usize = 32;
    let unusual = |b: u8| (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r');
    let mut seen = [0u8; LANES];
    let mut blocks = bytes.chunks_exact(LANES);
    for block in &mut blocks {
        for (s, &b) in seen.iter_mut().zip(block) {
            *s |= u8::from(unusual(b));
        }
    }
    if seen.iter().all(|&s| s == 0) && !blocks.remainder().iter().any(|&b| unusual(b)) {
        return (0, 0);
    }
    let control = |b: u8| unusual(b) & (b != 0x0c) & (b != 0x1b) & (b != 0);
    let (mut nuls, mut controls) = (0, 0);
    for run in bytes.chunks(usize::from(u8::MAX) * LANES) {
        let (mut n, mut c) = ([0u8; LANES], [0u8; LANES]);
        let mut blocks = run.chunks_exact(LANES);
        for block in &mut blocks {
            n.iter_mut().zip(block).for_each(|(n, &b)| *n += u8::from(b == 0));
            c.iter_mut().zip(block).for_each(|(c, &b)| *c += u8::from(control(b)));
        }
        for &b in blocks.remainder() {
            nuls += usize::from(b == 0);
            controls += usize::from(control(b));
        }
        nuls += n.iter().map(|&x| usize::from(x)).sum::<usize>();
        controls += c.iter().map(|&x| usize::from(x)).sum::<usize>();
    }
    (nuls, controls)
}

/// Decode UTF-16: with a byte-order mark, or without one when the NULs
/// fall on every other byte of mostly-ASCII text (as Windows tools write it).
fn utf16(bytes: &[u8]) -> Option<String> {
    let (le, body) = match bytes {
        // A byte-order mark before text without a NUL is not UTF-16: any
        // ASCII character in UTF-16 has one.
        [0xFF, 0xFE, rest @ ..] if rest.contains(&0) => (true, rest),
        [0xFE, 0xFF, rest @ ..] if rest.contains(&0) => (false, rest),
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => return None,
        _ => (bom_less_utf16(bytes)?, bytes),
    };
    let units = body
        .chunks_exact(2)
        .map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
    Some(char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect())
}

/// The raw bytes of a unit that was decoded as UTF-16 but also holds
/// plain ASCII text (a run of 20 printable bytes without a NUL, which real
/// UTF-16 of ASCII never has): they are scanned as well, so that a byte-order
/// mark or a UTF-16 prefix cannot hide plain text behind a decoding.
pub(crate) fn also_raw(bytes: &[u8]) -> Option<Vec<u8>> {
    utf16(bytes)?;
    let mut run = 0;
    let plain = bytes.iter().any(|&b| {
        run = if (0x20..0x7f).contains(&b) { run + 1 } else { 0 };
        run >= 20
    });
    plain.then(|| bytes.iter().map(|&b| if b == 0 { b' ' } else { b }).collect())
}

/// Whether BOM-less bytes are UTF-16 little-endian (`Some(true)`) or
/// big-endian (`Some(false)`): at least 90% of the odd (or even) bytes of
/// the probe are NUL and almost none of the others are.
fn bom_less_utf16(bytes: &[u8]) -> Option<bool> {
    let probe = &bytes[..bytes.len().min(BINARY_PROBE) & !1];
    // Most text has no NUL at all: nothing to count.
    if probe.len() < 4 || memchr::memchr(0, probe).is_none() {
        return None;
    }
    let pairs = probe.len() / 2;
    let zero_at = |i: usize| probe.chunks_exact(2).filter(|c| c[i] == 0).count();
    let (even, odd) = (zero_at(0), zero_at(1));
    let mostly = |n: usize| n * 10 >= pairs * 9;
    let few = |n: usize| n * 20 <= pairs;
    if mostly(odd) && few(even) {
        Some(true)
    } else if mostly(even) && few(odd) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_bytes_mean_binary_but_a_stray_one_does_not() {
        assert!(matches!(decode(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0"), Content::Binary));
        let padded =
            b"#!/bin/sh\n# \x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\nexport TOKEN=value\necho $TOKEN\n"
                .repeat(2);
        assert!(matches!(decode(&padded), Content::Text(_)));
        assert!(matches!(decode(b"plain text"), Content::Text(_)));
        assert!(matches!(decode(b"token = ghp_x\0 and more text after the stray NUL byte"), Content::Text(_)));
    }

    #[test]
    fn a_bom_or_a_utf16_prefix_does_not_hide_plain_text() {
        let mut bom_ascii = vec![0xFF, 0xFE];
        bom_ascii.extend(b"token=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n");
        assert!(matches!(decode(&bom_ascii), Content::Text(t) if t.windows(4).any(|w| w == b"ghp_")));
        let mut prefix = b"a\0".repeat(4000);
        prefix.extend(b"\ntoken=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n");
        let raw = also_raw(&prefix).unwrap_or_default();
        assert!(raw.windows(4).any(|w| w == b"ghp_"));
        let mut real = Vec::new();
        for u in "key = value\n".repeat(10).encode_utf16() {
            real.extend(u.to_le_bytes());
        }
        assert!(also_raw(&real).is_none());
    }

    #[test]
    fn utf16_without_a_bom_is_decoded() {
        for le in [true, false] {
            let mut bytes = Vec::new();
            for u in "API_KEY=ghp_x\n".encode_utf16() {
                bytes.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            match decode(&bytes) {
                Content::Text(t) => assert_eq!(&*t, b"API_KEY=ghp_x\n"),
                Content::Binary => panic!("BOM-less UTF-16 was taken for binary"),
            }
        }
    }

    #[test]
    fn utf16_with_a_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "key=ghp_x".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        match decode(&bytes) {
            Content::Text(t) => assert_eq!(&*t, b"key=ghp_x"),
            Content::Binary => panic!("UTF-16 was taken for binary"),
        }
    }

    #[test]
    fn invalid_utf8_is_still_text() {
        assert!(matches!(decode(b"\xc3\x28 token"), Content::Text(_)));
    }
}
