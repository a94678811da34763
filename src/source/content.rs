//! From raw bytes to scannable text: binary files are skipped, UTF-16 with a
//! byte-order mark is decoded, anything else is scanned as bytes (invalid
//! UTF-8 included: the detectors work on bytes).

use std::borrow::Cow;

/// What a unit's bytes turned out to be.
pub enum Content<'a> {
    Text(Cow<'a, [u8]>),
    Binary,
}

/// How far into a file to look for a NUL byte, as git does.
const BINARY_PROBE: usize = 8000;

pub fn decode(bytes: &[u8]) -> Content<'_> {
    if let Some(text) = utf16(bytes) {
        return Content::Text(Cow::Owned(text.into_bytes()));
    }
    let probe = &bytes[..bytes.len().min(BINARY_PROBE)];
    if probe.contains(&0) {
        return Content::Binary;
    }
    Content::Text(Cow::Borrowed(bytes))
}

/// Decode UTF-16 that starts with a byte-order mark.
fn utf16(bytes: &[u8]) -> Option<String> {
    let (le, body) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (true, rest),
        [0xFE, 0xFF, rest @ ..] => (false, rest),
        _ => return None,
    };
    let units = body
        .chunks_exact(2)
        .map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
    Some(char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_bytes_mean_binary() {
        assert!(matches!(decode(b"abc\0def"), Content::Binary));
        assert!(matches!(decode(b"plain text"), Content::Text(_)));
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
