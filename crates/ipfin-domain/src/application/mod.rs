//! Applications (SPEC §3, issue #6): kinds and readable numbers, the workflow as a pure
//! table, the loan lines and their cross-check with the bank's report, uploaded files judged
//! by content, and the slots an application must fill. The unified materials checklist and
//! the calculation live in `policy` (they are part of a policy's published package).

pub mod checks;
pub mod duties;
pub mod figures;
pub mod files;
pub mod lines;
pub mod number;
pub mod objection;
pub mod queue;
pub mod workflow;

pub use figures::{Difference, Reported};
pub use files::FileType;
pub use lines::{Line, LineError};
pub use number::{ApplicationNumber, Kind};
pub use workflow::{Action, Actor, Phase, Stage, State, Workflow};

use crate::policy::document::ExtraMaterial;
use crate::policy::materials::{self, FileKinds};
use crate::policy::rules::Item;
use serde::Serialize;

/// A slot an application must (or may) fill: from the unified checklist, or added by the
/// district (a deviation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlotDef {
    pub code: String,
    pub name: String,
    pub required: bool,
    pub files: FileKinds,
    pub note: String,
    /// Added by the district, not in the unified checklist.
    pub deviation: bool,
}

impl From<&materials::Slot> for SlotDef {
    fn from(s: &materials::Slot) -> SlotDef {
        SlotDef {
            code: s.code.into(),
            name: s.name.into(),
            required: s.required,
            files: s.files,
            note: s.note.into(),
            deviation: false,
        }
    }
}

/// The slots of an application of this kind for these items (enterprise fee: the base list
/// once plus each item's additions), then the district's additions for this kind.
pub fn slots(kind: Kind, items: &[Item], extra: &[ExtraMaterial]) -> Vec<SlotDef> {
    let base: Vec<materials::Slot> = match kind {
        Kind::EnterpriseFee => materials::enterprise_fee(items),
        Kind::Institution => materials::INSTITUTION.to_vec(),
        Kind::Securitisation => materials::SECURITISATION.to_vec(),
    };
    let mut out: Vec<SlotDef> = base.iter().map(SlotDef::from).collect();
    for m in extra {
        if (m.kinds.is_empty() || m.kinds.iter().any(|k| k == kind.code()))
            && !out.iter().any(|s| s.code == m.code)
        {
            out.push(SlotDef {
                code: m.code.clone(),
                name: m.name.clone(),
                required: m.required,
                files: FileKinds::Document,
                note: "本区增加的材料（统一清单以外）".into(),
                deviation: true,
            });
        }
    }
    out
}

/// The required slots with no file, in checklist order.
pub fn missing<'a>(slots: &'a [SlotDef], filled: &[&str]) -> Vec<&'a SlotDef> {
    slots
        .iter()
        .filter(|s| s.required && !filled.contains(&s.code.as_str()))
        .collect()
}

/// Slots whose files can be reused from an enterprise's document vault while still valid.
pub const VAULT_SLOTS: &[&str] = &["business_licence", "tax_certificate"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_and_what_is_missing() {
        let extra = vec![ExtraMaterial {
            code: "credit_report".into(),
            name: "企业信用报告".into(),
            required: true,
            kinds: vec!["enterprise_fee".into()],
        }];
        let s = slots(
            Kind::EnterpriseFee,
            &[Item::Interest, Item::Guarantee],
            &extra,
        );
        assert_eq!(s.len(), 8 + 3 + 1);
        assert!(s.last().is_some_and(|x| x.deviation));
        let m = missing(&s, &["application_form", "business_licence"]);
        assert_eq!(m.len(), 10);
        assert_eq!(m[0].name, "纳税证明");
        assert!(
            slots(Kind::Institution, &[], &extra)
                .iter()
                .all(|x| !x.deviation)
        );
    }
}
