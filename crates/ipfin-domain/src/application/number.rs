//! Application kinds (SPEC §3.1) and readable application numbers (SPEC §3.3): district code,
//! year, kind, and a sequence with no gaps within a district-year-kind, e.g.
//! `440305-2026-EF-00042`. The store hands out the sequence; this formats and reads it.

use crate::message::Msg;
use serde::{Deserialize, Serialize};

code_enum!(
    /// The three kinds of application.
    Kind {
        EnterpriseFee = "enterprise_fee", "企业费用资助", "Enterprise fee subsidy";
        Institution = "institution", "银行金融机构资助", "Financial institution reward";
        Securitisation = "securitisation", "知识产权证券化资助", "Securitisation subsidy";
    }
);

impl Kind {
    /// The two letters in an application number.
    pub fn letters(self) -> &'static str {
        match self {
            Kind::EnterpriseFee => "EF",
            Kind::Institution => "IN",
            Kind::Securitisation => "SC",
        }
    }

    fn from_letters(s: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.letters() == s)
    }
}

/// A parsed application number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationNumber {
    pub district: String,
    pub year: i32,
    pub kind: Kind,
    pub sequence: u32,
}

impl std::fmt::Display for ApplicationNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}-{}-{}-{:05}",
            self.district,
            self.year,
            self.kind.letters(),
            self.sequence
        )
    }
}

impl ApplicationNumber {
    /// Reads `440305-2026-EF-00042` (case and surrounding spaces folded).
    pub fn parse(input: &str) -> Result<ApplicationNumber, Msg> {
        let bad = || {
            Msg::new(
                "application.number",
                format!(
                    "申请编号“{}”格式不对，应如 440305-2026-EF-00042（区代码-年度-类别-序号）。",
                    input.trim()
                ),
                format!(
                    "Application number “{}” should look like 440305-2026-EF-00042 (district-year-kind-sequence).",
                    input.trim()
                ),
            )
        };
        let s = crate::credit_code::normalize(input).trim().to_uppercase();
        let parts: Vec<&str> = s.split('-').collect();
        let [district, year, kind, seq] = parts.as_slice() else {
            return Err(bad());
        };
        let district_ok = (6..=8).contains(&district.len())
            && district.chars().take(6).all(|c| c.is_ascii_digit())
            && district.chars().skip(6).all(|c| c.is_ascii_uppercase());
        let year: i32 = year.parse().map_err(|_| bad())?;
        let kind = Kind::from_letters(kind).ok_or_else(bad)?;
        let sequence: u32 = if seq.len() >= 5 && seq.chars().all(|c| c.is_ascii_digit()) {
            seq.parse().map_err(|_| bad())?
        } else {
            return Err(bad());
        };
        if !district_ok || !(2000..=2100).contains(&year) || sequence == 0 {
            return Err(bad());
        }
        Ok(ApplicationNumber {
            district: district.to_string(),
            year,
            kind,
            sequence,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_and_reads_the_spec_example() {
        let n = ApplicationNumber {
            district: "440305".into(),
            year: 2026,
            kind: Kind::EnterpriseFee,
            sequence: 42,
        };
        assert_eq!(n.to_string(), "440305-2026-EF-00042");
        assert_eq!(
            ApplicationNumber::parse(" 440305-2026-ef-00042 ").unwrap(),
            n
        );
        // Functional zones have letters after the six digits; sequences past 99,999 grow.
        let z = ApplicationNumber::parse("440300DP-2026-IN-123456").unwrap();
        assert_eq!(
            (z.district.as_str(), z.kind, z.sequence),
            ("440300DP", Kind::Institution, 123_456)
        );
        for bad in [
            "440305-2026-XX-00042",
            "440305-26-EF-00042",
            "440305-2026-EF-42",
            "4403-2026-EF-00042",
            "440305-2026-EF-00000",
            "",
        ] {
            assert_eq!(
                ApplicationNumber::parse(bad).unwrap_err().code,
                "application.number",
                "{bad}"
            );
        }
    }

    proptest! {
        #[test]
        fn numbers_round_trip(d in 100_000u32..999_999, year in 2000i32..2100, k in 0usize..3, seq in 1u32..10_000_000) {
            let n = ApplicationNumber { district: d.to_string(), year, kind: Kind::ALL[k], sequence: seq };
            prop_assert_eq!(ApplicationNumber::parse(&n.to_string()).unwrap(), n);
        }
    }
}
