//! A secret's value as every output may show it: the first few and last few
//! characters at most, never the whole.
//!
//! `Redacted` can only be built from a raw value by cutting it, so a report
//! writer that receives one cannot print the secret: the type is the guard.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Redacted(String);

/// The ellipsis that stands for the hidden middle.
const HIDDEN: &str = "…";

impl Redacted {
    /// Keep at most the first 4 and last 2 characters, and fewer for short
    /// values, so that at least two thirds of any value stays hidden.
    pub fn new(raw: &str) -> Redacted {
        let chars: Vec<char> = raw.chars().collect();
        let n = chars.len();
        let head = (n / 4).min(4);
        let tail = (n / 8).min(2);
        // A kept newline or control character would break the line a report
        // shows the value on (a PEM block ends in one): it is dropped.
        let shown = |c: &&char| !c.is_control() && !c.is_whitespace();
        let mut out: String = chars.iter().take(head).filter(shown).collect();
        out.push_str(HIDDEN);
        out.extend(chars.iter().skip(n - tail).filter(shown));
        Redacted(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redacted({:?})", self.0)
    }
}

/// A facts file may only carry values that are already redacted; a value
/// without the ellipsis is redacted again on the way in.
impl<'de> Deserialize<'de> for Redacted {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.contains(HIDDEN) && s.chars().count() <= 4 + 1 + 2 { Ok(Redacted(s)) } else { Ok(Redacted::new(&s)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_newline_is_dropped_so_that_the_value_stays_on_its_line() {
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", "A".repeat(64));
        let shown = Redacted::new(&pem).to_string();
        assert!(!shown.contains('\n'), "{shown:?}");
        assert_eq!(shown, "----…-");
    }

    #[test]
    fn long_values_keep_four_and_two() {
        assert_eq!(Redacted::new("ghp_abcdefghijklmnopqrstuvwxyz0123456789").as_str(), "ghp_…89");
    }

    #[test]
    fn short_values_show_less() {
        assert_eq!(Redacted::new("hunter2").as_str(), "h…");
        assert_eq!(Redacted::new("abc").as_str(), "…");
        assert_eq!(Redacted::new("").as_str(), "…");
        assert_eq!(Redacted::new("0123456789abcdef").as_str(), "0123…ef");
    }

    #[test]
    fn multibyte_values_are_cut_on_characters() {
        assert_eq!(Redacted::new("ééééééééééééééééé").as_str(), "éééé…éé");
    }

    #[test]
    fn deserializing_a_raw_value_redacts_it() {
        let r: Redacted =
            serde_json::from_str("\"sk_live_0123456789abcdefghij\"").unwrap_or_else(|_| Redacted::new(""));
        assert_eq!(r.as_str(), "sk_l…ij");
    }
}
