//! How sure a detector is that a secret is one: the level a secret fact
//! carries and reports show. What decides it is the detector's business
//! (`detect::confidence`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    /// Also what a secret given in a facts file is taken to be.
    #[default]
    High,
}

impl Confidence {
    pub const NAMES: [&'static str; 3] = ["high", "medium", "low"];

    /// One step less sure: a credential's part found without the other.
    pub fn lowered(self) -> Confidence {
        match self {
            Confidence::High => Confidence::Medium,
            Confidence::Medium | Confidence::Low => Confidence::Low,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    /// SARIF `rank` (0 to 100): how sure the tool is that this is a problem.
    pub fn sarif_rank(self) -> f64 {
        match self {
            Confidence::High => 90.0,
            Confidence::Medium => 60.0,
            Confidence::Low => 30.0,
        }
    }
}

impl std::fmt::Display for Confidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Confidence {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Confidence::Low),
            "medium" => Ok(Confidence::Medium),
            "high" => Ok(Confidence::High),
            _ => Err(format!("not a confidence; use one of {}", Confidence::NAMES.join(", "))),
        }
    }
}
