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
    enterprise_fee(&Item::ALL)
        .iter()
        .map(|s| (s.name, s.note))
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
