//! The unified materials checklist (统一补贴申报材料清单, SPEC §3.2) as data: one definition
//! used by forms, validation, the clear card and the public guide. Each slot has a stable
//! code, its Chinese name, whether it is required and which file types it takes.

use super::rules::Item;
use serde::Serialize;

/// Which kind of application a list belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationKind {
    /// 企业费用资助.
    EnterpriseFee,
    /// 银行金融机构资助.
    Institution,
    /// 知识产权证券化资助.
    Securitisation,
}

/// What a slot accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKinds {
    /// PDF, JPEG, PNG, OFD: scans and certificates.
    Scan,
    /// Those and Office documents: lists and reports.
    Document,
}

/// One material slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub code: &'static str,
    pub name: &'static str,
    pub required: bool,
    pub files: FileKinds,
    /// What the slot must show, when the name alone does not say.
    pub note: &'static str,
}

const fn slot(code: &'static str, name: &'static str, note: &'static str) -> Slot {
    Slot {
        code,
        name,
        required: true,
        files: FileKinds::Scan,
        note,
    }
}

/// The edition of the checklist these lists are.
pub const EDITION: &str = "2026-1";

/// The base list of an enterprise fee application (the interest list).
pub const ENTERPRISE_BASE: &[Slot] = &[
    slot("application_form", "申请书", ""),
    slot("business_licence", "营业执照", ""),
    slot("tax_certificate", "纳税证明", ""),
    slot("loan_contract", "贷款合同", "由贷款银行出具"),
    slot("disbursement_voucher", "放款凭证", ""),
    slot(
        "repayment_voucher",
        "还款付息凭证",
        "已开始还款付息的证明，如银行付息凭证",
    ),
    slot("pledge_contract", "质押合同", ""),
    slot(
        "pledge_proof",
        "知识产权质押证明",
        "质权登记证书或质押登记通知书",
    ),
];

const EVALUATION: &[Slot] = &[
    slot("valuation_report", "知识产权评估报告", "由资产评估机构出具"),
    slot("valuation_contract", "资产评估合同", ""),
    slot("valuation_invoice", "评估费用发票", ""),
    slot("valuation_transfer", "银行转账凭证（评估费）", ""),
];

const GUARANTEE: &[Slot] = &[
    slot("guarantee_contract", "担保（或反担保）合同", ""),
    slot("guarantee_invoice", "担保费用发票", ""),
    slot("guarantee_transfer", "银行转账凭证（担保费）", ""),
];

const INSURANCE: &[Slot] = &[
    slot("insurance_contract", "保险合同（或保单）", ""),
    slot("insurance_invoice", "保险费用发票", ""),
    slot("insurance_transfer", "银行转账凭证（保险费）", ""),
];

/// The institution list.
pub const INSTITUTION: &[Slot] = &[
    slot("application_form", "申请书", ""),
    Slot {
        code: "pledge_list",
        name: "质押登记项目清单",
        required: true,
        files: FileKinds::Document,
        note: "每项附贷款合同、质押合同及相关合同和放款凭证；贷款另有其他担保的，合同须载明通过知识产权质押获得的金额或比例，否则该项无效",
    },
    Slot {
        code: "product_report",
        name: "专利商标质押融资产品实施情况报告",
        required: true,
        files: FileKinds::Document,
        note: "产品特点、服务团队、资金投入、工作措施、质押登记笔数与金额、成效与经验",
    },
    Slot {
        code: "other",
        name: "其他材料",
        required: false,
        files: FileKinds::Document,
        note: "",
    },
];

/// The securitisation list.
pub const SECURITISATION: &[Slot] = &[
    slot("application_form", "项目申请书", ""),
    slot("business_licence", "营业执照", ""),
    slot("credit_report", "企业征信报告", ""),
    slot(
        "tax_certificate_last_year",
        "上一年度纳税证明",
        "由税务机关出具",
    ),
    slot(
        "loan_contracts",
        "借款相关合同",
        "与发行方、增信担保方签订的借款合同、担保合同",
    ),
    slot("loan_receipt", "借款借据", ""),
    slot("expense_vouchers", "费用支出凭证", "利息、本金、担保费"),
    slot("expense_invoices", "相关费用发票", "利息、担保费"),
    slot("issuer_proof", "发行方出具的参与知识产权证券化证明材料", ""),
    slot("settlement_proof", "贷款结清证明", ""),
    Slot {
        code: "other",
        name: "其他说明材料",
        required: false,
        files: FileKinds::Document,
        note: "",
    },
];

/// Each slot's name and note in English, by code (the same words in every list; glossary in
/// docs/glossary.md).
const ENGLISH: &[(&str, &str, &str)] = &[
    ("application_form", "Application form", ""),
    ("business_licence", "Business licence", ""),
    ("tax_certificate", "Tax payment certificate", ""),
    (
        "loan_contract",
        "Loan contract",
        "issued by the lending bank",
    ),
    ("disbursement_voucher", "Disbursement voucher", ""),
    (
        "repayment_voucher",
        "Repayment and interest vouchers",
        "proof that repayment and interest payments have begun, such as the bank's interest vouchers",
    ),
    ("pledge_contract", "Pledge contract", ""),
    (
        "pledge_proof",
        "Proof of the IP pledge",
        "the pledge registration certificate or notice",
    ),
    (
        "valuation_report",
        "IP valuation report",
        "issued by an asset valuation firm",
    ),
    ("valuation_contract", "Valuation contract", ""),
    ("valuation_invoice", "Valuation fee invoice", ""),
    (
        "valuation_transfer",
        "Bank transfer voucher (valuation fee)",
        "",
    ),
    (
        "guarantee_contract",
        "Guarantee (or counter-guarantee) contract",
        "",
    ),
    ("guarantee_invoice", "Guarantee fee invoice", ""),
    (
        "guarantee_transfer",
        "Bank transfer voucher (guarantee fee)",
        "",
    ),
    ("insurance_contract", "Insurance contract (or policy)", ""),
    ("insurance_invoice", "Insurance fee invoice", ""),
    (
        "insurance_transfer",
        "Bank transfer voucher (insurance fee)",
        "",
    ),
    (
        "pledge_list",
        "List of pledge registrations",
        "each with the loan contract, the pledge contract and related contracts and the disbursement voucher; a loan with other collateral counts only if its contract states the amount or share secured by IP",
    ),
    (
        "product_report",
        "Report on the patent and trademark pledge financing product",
        "the product, the team, funds, measures, number and amount of pledge registrations, results and lessons",
    ),
    ("other", "Other materials", ""),
    ("credit_report", "Enterprise credit report", ""),
    (
        "tax_certificate_last_year",
        "Last year's tax payment certificate",
        "issued by the tax authority",
    ),
    (
        "loan_contracts",
        "Loan-related contracts",
        "the loan and guarantee contracts with the issuer and the credit enhancer",
    ),
    ("loan_receipt", "Loan receipt", ""),
    (
        "expense_vouchers",
        "Expense vouchers",
        "interest, principal, guarantee fee",
    ),
    (
        "expense_invoices",
        "Invoices for the costs",
        "interest, guarantee fee",
    ),
    (
        "issuer_proof",
        "The issuer's proof of participation in the IP securitisation",
        "",
    ),
    ("settlement_proof", "Proof the loan is settled", ""),
];

/// A standard slot's English name and note, by its code.
pub fn english(code: &str) -> Option<(&'static str, &'static str)> {
    ENGLISH
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, n, note)| (*n, *note))
}

/// A slot's name in the reader's language, by its code (a stored slot keeps its Chinese name;
/// an unknown code shows it).
pub fn slot_name(code: &str, zh: &'static str, lang: crate::message::Lang) -> &'static str {
    match lang {
        crate::message::Lang::Zh => zh,
        crate::message::Lang::En => ENGLISH
            .iter()
            .find(|(c, _, _)| *c == code)
            .map_or(zh, |(_, n, _)| *n),
    }
}

impl Slot {
    /// The name in the reader's language.
    pub fn name_in(&self, lang: crate::message::Lang) -> &'static str {
        slot_name(self.code, self.name, lang)
    }

    /// The note in the reader's language.
    pub fn note_in(&self, lang: crate::message::Lang) -> &'static str {
        match lang {
            crate::message::Lang::Zh => self.note,
            crate::message::Lang::En => ENGLISH
                .iter()
                .find(|(c, _, _)| *c == self.code)
                .map_or(self.note, |(_, _, n)| *n),
        }
    }
}

/// The slots of an enterprise fee application for these items: the base list once, then each
/// item's additions.
pub fn enterprise_fee(items: &[Item]) -> Vec<Slot> {
    let mut out: Vec<Slot> = ENTERPRISE_BASE.to_vec();
    for item in Item::ALL {
        if !items.contains(&item) {
            continue;
        }
        let extra: &[Slot] = match item {
            Item::Interest => &[],
            Item::Evaluation => EVALUATION,
            Item::Guarantee => GUARANTEE,
            Item::Insurance => INSURANCE,
        };
        out.extend(extra.iter().copied());
    }
    out
}

/// (name, note) of every material of an enterprise fee application for all four items, for
/// the public pages.
pub fn fee_application_materials() -> Vec<(&'static str, &'static str)> {
    fee_application_materials_in(crate::message::Lang::Zh)
}

/// The same in the reader's language.
pub fn fee_application_materials_in(
    lang: crate::message::Lang,
) -> Vec<(&'static str, &'static str)> {
    enterprise_fee(&Item::ALL)
        .iter()
        .map(|s| (s.name_in(lang), s.note_in(lang)))
        .collect()
}

/// The list of a kind of application (for the enterprise fee kind: all four items).
pub fn checklist(kind: ApplicationKind) -> Vec<Slot> {
    match kind {
        ApplicationKind::EnterpriseFee => enterprise_fee(&Item::ALL),
        ApplicationKind::Institution => INSTITUTION.to_vec(),
        ApplicationKind::Securitisation => SECURITISATION.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_slot_has_its_english_name() {
        for kind in [
            ApplicationKind::EnterpriseFee,
            ApplicationKind::Institution,
            ApplicationKind::Securitisation,
        ] {
            for s in checklist(kind) {
                let en = s.name_in(crate::message::Lang::En);
                assert!(en.is_ascii(), "{}: {en}", s.code);
                assert!(s.note_in(crate::message::Lang::En).is_ascii(), "{}", s.code);
                assert_eq!(
                    s.note.is_empty(),
                    s.note_in(crate::message::Lang::En).is_empty(),
                    "{}",
                    s.code
                );
            }
        }
    }

    #[test]
    fn the_lists_of_the_guideline() {
        assert_eq!(enterprise_fee(&[Item::Interest]).len(), 8);
        // Interest + guarantee: the base once, plus the three guarantee slots.
        let g = enterprise_fee(&[Item::Guarantee, Item::Interest]);
        assert_eq!(g.len(), 11);
        assert!(g.iter().any(|s| s.name == "担保费用发票"));
        assert_eq!(enterprise_fee(&Item::ALL).len(), 8 + 4 + 3 + 3);
        assert_eq!(
            checklist(ApplicationKind::Institution)
                .iter()
                .filter(|s| s.required)
                .count(),
            3
        );
        assert_eq!(checklist(ApplicationKind::Securitisation).len(), 11);
        // Codes are unique within each list.
        for kind in [
            ApplicationKind::EnterpriseFee,
            ApplicationKind::Institution,
            ApplicationKind::Securitisation,
        ] {
            let l = checklist(kind);
            let mut codes: Vec<&str> = l.iter().map(|s| s.code).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), l.len(), "{kind:?}");
        }
    }
}
