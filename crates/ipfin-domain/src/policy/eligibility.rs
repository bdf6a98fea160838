//! Eligibility (R2.2): an enterprise may apply in a district when it is registered there, pays
//! its taxes there and is an independent legal person. Each condition is decided with the
//! evidence that decided it and as of when; a policy's extra conditions are listed as such,
//! to be checked by the officer (the guideline asks districts not to set any).

use serde::{Deserialize, Serialize};

code_enum!(
    /// The decisions at which eligibility is proved again (issue #18 item 2): an enterprise
    /// that moved its registration or tax district after submitting is caught at acceptance,
    /// and one that moved after review is caught when the grant is decided.
    Step {
        Submit = "submit", "申报时", "At submission";
        Accept = "accept", "受理时", "At acceptance";
        Grant = "grant", "资助确定时", "When the grant is decided";
    }
);

/// A condition as kept with the application (read back for the review screen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptCondition {
    pub code: String,
    pub name: String,
    pub met: Option<bool>,
    pub evidence: String,
    pub as_of: String,
    #[serde(default)]
    pub extra: bool,
}

/// One check of eligibility kept with the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptCheck {
    pub step: Step,
    pub checked_at: i64,
    pub eligible: bool,
    pub conditions: Vec<KeptCondition>,
}

impl Condition {
    /// The refusal when this condition fails at a step, naming the condition, the value that
    /// decided it, its source and as-of date.
    pub fn refusal(&self, step: Step) -> crate::message::Msg {
        crate::message::Msg::new(
            "application.not_eligible",
            format!(
                "{}核验申请条件未通过：{}（{}，截至 {}）。如登记或纳税信息有误，请联系区服务站更正后再办理。",
                step.zh(),
                self.name,
                self.evidence,
                self.as_of
            ),
            format!("Not eligible {}: {}.", step.en().to_lowercase(), self.code),
        )
    }
}

/// What the registry says about the enterprise, and when it was last updated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterpriseFacts {
    pub name: String,
    pub registered_district: Option<String>,
    pub tax_district: Option<String>,
    pub independent_legal_person: bool,
    /// Where the facts come from, e.g. 企业库登记信息.
    pub source: String,
    /// The date the record was last updated (Asia/Shanghai), YYYY-MM-DD.
    pub as_of: String,
}

/// One condition and how it was decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub code: &'static str,
    pub name: String,
    /// `None`: an extra condition the officer checks.
    pub met: Option<bool>,
    pub evidence: String,
    pub as_of: String,
    /// Set on the policy's own conditions beyond the guideline's three.
    pub extra: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Eligibility {
    /// All of the guideline's conditions are met (extra conditions are left to the officer).
    pub eligible: bool,
    pub conditions: Vec<Condition>,
    /// What the officer must see beside the conditions, e.g. an open clawback (issue #6).
    pub flags: Vec<String>,
}

impl Eligibility {
    /// Flags subsidies of the enterprise still to be clawed back (SPEC §3.3: enterprises with
    /// clawbacks are flagged in later eligibility checks). Not a condition: the officer decides.
    pub fn flag_open_clawbacks(&mut self, n: i64) {
        if n > 0 {
            self.flags.push(format!(
                "该企业有 {n} 笔资助被决定追回且尚未追回完毕，审核时请核实。"
            ));
        }
    }
}

/// Decides the guideline's three conditions for a district and lists the policy's extra ones.
pub fn check(
    f: &EnterpriseFacts,
    district_code: &str,
    district_name: &str,
    extra: &[String],
) -> Eligibility {
    let place = |code: &'static str, what: &str, value: &Option<String>| {
        let met = value.as_deref() == Some(district_code);
        Condition {
            code,
            name: format!("{what}在{district_name}"),
            met: Some(met),
            evidence: match value {
                Some(v) => format!("{}：{what}为 {v}", f.source),
                None => format!("{}：未登记{what}", f.source),
            },
            as_of: f.as_of.clone(),
            extra: false,
        }
    };
    let mut conditions = vec![
        place("registered_in_district", "注册地", &f.registered_district),
        place("taxed_in_district", "纳税地", &f.tax_district),
        Condition {
            code: "independent_legal_person",
            name: "具有独立法人资格".into(),
            met: Some(f.independent_legal_person),
            evidence: format!(
                "{}：{}",
                f.source,
                if f.independent_legal_person {
                    "独立法人"
                } else {
                    "非独立法人（分支机构等）"
                }
            ),
            as_of: f.as_of.clone(),
            extra: false,
        },
    ];
    let eligible = conditions.iter().all(|c| c.met == Some(true));
    conditions.extend(extra.iter().map(|e| Condition {
        code: "extra",
        name: e.clone(),
        met: None,
        evidence: "政策附加条件（指导意见未要求），由区级经办人审核。".into(),
        as_of: f.as_of.clone(),
        extra: true,
    }));
    Eligibility {
        eligible,
        conditions,
        flags: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> EnterpriseFacts {
        EnterpriseFacts {
            name: "深圳市示例科技有限公司".into(),
            registered_district: Some("440305".into()),
            tax_district: Some("440305".into()),
            independent_legal_person: true,
            source: "企业库登记信息".into(),
            as_of: "2026-11-20".into(),
        }
    }

    #[test]
    fn the_three_conditions_with_their_evidence() {
        let mut e = check(&facts(), "440305", "南山区", &[]);
        e.flag_open_clawbacks(0);
        assert!(e.flags.is_empty());
        e.flag_open_clawbacks(2);
        assert!(
            e.flags[0].contains("2 笔") && e.eligible,
            "a flag, not a condition"
        );
        assert!(e.eligible && e.conditions.len() == 3);
        assert!(
            e.conditions[0].evidence.contains("注册地为 440305")
                && e.conditions[0].as_of == "2026-11-20"
        );
        let mut f = facts();
        f.tax_district = Some("440304".into());
        let e = check(&f, "440305", "南山区", &["成立满 2 年".into()]);
        assert!(!e.eligible);
        assert_eq!(e.conditions[1].met, Some(false));
        assert!(e.conditions[3].extra && e.conditions[3].met.is_none());
        let mut f = facts();
        f.independent_legal_person = false;
        f.registered_district = None;
        let e = check(&f, "440305", "南山区", &[]);
        assert!(!e.eligible && e.conditions[0].evidence.contains("未登记注册地"));
    }
}
