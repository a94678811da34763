//! Built-in validators for token formats that carry a checksum. A token
//! shape whose checksum does not verify is not reported: it is a made-up or
//! mistyped value, not a live credential.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksum {
    /// GitHub's classic token format (`ghp_`, `gho_`, `ghu_`, `ghs_`,
    /// `ghr_`): 30 random base62 characters, then the CRC32 of those 30,
    /// base62-encoded and zero-padded to 6 characters.
    GithubCrc32,
    /// npm's `npm_` tokens use GitHub's scheme.
    NpmCrc32,
}

impl Checksum {
    pub const NAMES: [&'static str; 2] = ["github-crc32", "npm-crc32"];

    pub fn from_name(name: &str) -> Option<Checksum> {
        match name {
            "github-crc32" => Some(Checksum::GithubCrc32),
            "npm-crc32" => Some(Checksum::NpmCrc32),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Checksum::GithubCrc32 => "github-crc32",
            Checksum::NpmCrc32 => "npm-crc32",
        }
    }

    /// Whether `value`, the detector's captured value, carries a valid checksum.
    pub fn verify(self, value: &[u8]) -> bool {
        match self {
            Checksum::GithubCrc32 | Checksum::NpmCrc32 => base62_crc32_suffix(value),
        }
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `prefix_` + 30 random characters + 6 characters of base62 CRC32.
fn base62_crc32_suffix(value: &[u8]) -> bool {
    let body = match value.iter().rposition(|&b| b == b'_') {
        Some(i) => &value[i + 1..],
        None => value,
    };
    if body.len() != 36 || !body.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (random, check) = body.split_at(30);
    let mut crc = crc32fast::hash(random);
    let mut expected = [b'0'; 6];
    for slot in expected.iter_mut().rev() {
        *slot = BASE62[(crc % 62) as usize];
        crc /= 62;
    }
    crc == 0 && expected == check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_tokens_with_a_valid_checksum_verify() {
        // Synthetic tokens built with the published scheme.
        assert!(Checksum::GithubCrc32.verify(b"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"));
        assert!(Checksum::NpmCrc32.verify(b"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"));
    }

    #[test]
    fn a_wrong_checksum_or_shape_does_not_verify() {
        assert!(!Checksum::GithubCrc32.verify(b"ghp_330kaY4wXh6hqYbRZsFjGESxQtGp1Q0SpFB9"));
        assert!(!Checksum::GithubCrc32.verify(b"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
        assert!(!Checksum::GithubCrc32.verify(b"ghp_short"));
    }
}
