//! Organisations, roles and scopes (SPEC §0, R1.1): who a caller is and which tenant data they
//! may read or change. The store applies a `Scope` in SQL; these types only say what it means.

pub mod contact;

use crate::id::OrgId;
use serde::{Deserialize, Serialize};

code_enum!(
    /// The roles of SPEC §0.
    Role {
        CityAdmin = "city_admin", "市级管理员", "City administrator";
        DistrictOfficer = "district_officer", "区牵头部门经办人", "District officer";
        DepartmentMember = "department_member", "区协同部门", "Member department staff";
        BankUser = "bank_user", "金融机构用户", "Financial institution staff";
        AgencyUser = "agency_user", "服务机构用户", "Service agency staff";
        EnterpriseUser = "enterprise_user", "企业用户", "Enterprise staff";
        UserAdmin = "user_admin", "区用户管理员", "District user administrator";
    }
);

code_enum!(
    /// What kind of organisation a user belongs to.
    OrgKind {
        CityOffice = "city_office", "市级主管部门", "City office";
        Department = "department", "区级部门", "District department";
        FinancialInstitution = "financial_institution", "金融机构", "Financial institution";
        ServiceAgency = "service_agency", "服务机构", "Service agency";
        Enterprise = "enterprise", "企业", "Enterprise";
    }
);

code_enum!(
    /// The kinds of financial institution (R2.1, §4).
    InstitutionType {
        Bank = "bank", "银行", "Bank";
        Guarantor = "guarantor", "担保机构", "Guarantor";
        Insurer = "insurer", "保险机构", "Insurer";
        ValuationInstitution = "valuation_institution", "评估机构", "Valuation institution";
        SecuritisationIssuer = "securitisation_issuer", "证券化发行机构", "Securitisation issuer";
    }
);

code_enum!(
    /// District or functional zone.
    DistrictKind {
        District = "district", "行政区", "District";
        FunctionalZone = "functional_zone", "功能区", "Functional zone";
    }
);

impl Role {
    /// The organisation kinds a user with this role may belong to.
    pub fn allowed_org_kinds(self) -> &'static [OrgKind] {
        match self {
            Role::CityAdmin => &[OrgKind::CityOffice],
            Role::DistrictOfficer | Role::DepartmentMember | Role::UserAdmin => {
                &[OrgKind::Department]
            }
            Role::BankUser => &[OrgKind::FinancialInstitution],
            Role::AgencyUser => &[OrgKind::ServiceAgency],
            Role::EnterpriseUser => &[OrgKind::Enterprise],
        }
    }

    /// Precedence when a user holds several roles: the broadest scope wins.
    fn rank(self) -> u8 {
        match self {
            Role::CityAdmin => 0,
            Role::DistrictOfficer => 1,
            Role::DepartmentMember => 2,
            Role::BankUser => 3,
            Role::AgencyUser => 4,
            Role::EnterpriseUser => 5,
            // Administers accounts only: reads like a member department, never manages.
            Role::UserAdmin => 6,
        }
    }
}

/// The tenant boundary of a caller: everything they may see lies inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// The city office: all districts.
    City,
    /// One district; `manage` is true for the lead department's officers, false for members.
    District { code: String, manage: bool },
    /// One financial institution.
    Institution { org_id: OrgId },
    /// One service agency.
    Agency { org_id: OrgId },
    /// One enterprise.
    Enterprise { org_id: OrgId },
    /// Not signed in.
    Public,
}

/// What the scope resolution needs to know about a caller's organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgFacts {
    pub id: OrgId,
    pub kind: OrgKind,
    pub district_code: Option<String>,
}

impl Scope {
    /// Resolves a user's scope from their roles and organisation. Roles that do not fit the
    /// organisation kind are ignored (the store never creates such users, but a scope must never
    /// widen because of bad data). No usable role → `Public`.
    pub fn for_user(roles: &[Role], org: &OrgFacts) -> Scope {
        let mut usable: Vec<Role> = roles
            .iter()
            .copied()
            .filter(|r| r.allowed_org_kinds().contains(&org.kind))
            .collect();
        usable.sort_by_key(|r| r.rank());
        match usable.first() {
            Some(Role::CityAdmin) => Scope::City,
            Some(Role::DistrictOfficer | Role::DepartmentMember | Role::UserAdmin) => {
                match &org.district_code {
                    Some(code) => Scope::District {
                        code: code.clone(),
                        manage: usable.contains(&Role::DistrictOfficer),
                    },
                    None => Scope::Public,
                }
            }
            Some(Role::BankUser) => Scope::Institution { org_id: org.id },
            Some(Role::AgencyUser) => Scope::Agency { org_id: org.id },
            Some(Role::EnterpriseUser) => Scope::Enterprise { org_id: org.id },
            None => Scope::Public,
        }
    }

    /// The scope of an API token issued to an organisation: the same boundary as its staff,
    /// read-only for district departments (tokens never manage a district).
    pub fn for_token(org: &OrgFacts) -> Scope {
        match org.kind {
            OrgKind::CityOffice => Scope::City,
            OrgKind::Department => match &org.district_code {
                Some(code) => Scope::District {
                    code: code.clone(),
                    manage: false,
                },
                None => Scope::Public,
            },
            OrgKind::FinancialInstitution => Scope::Institution { org_id: org.id },
            OrgKind::ServiceAgency => Scope::Agency { org_id: org.id },
            OrgKind::Enterprise => Scope::Enterprise { org_id: org.id },
        }
    }

    /// Whether this scope may see an organisation with these facts.
    pub fn can_see_org(&self, org: &OrgFacts) -> bool {
        use crate::visibility::{Party, RecordFacts, Records};
        self.reach(Records::Organisations).admits(&RecordFacts {
            district: org.district_code.as_deref(),
            published: false,
            parties: &[(Party::Itself, org.id)],
        })
    }

    /// The district this scope is confined to, if any.
    pub fn district(&self) -> Option<&str> {
        match self {
            Scope::District { code, .. } => Some(code),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dept(id: i64, d: &str) -> OrgFacts {
        OrgFacts {
            id: OrgId::new(id),
            kind: OrgKind::Department,
            district_code: Some(d.to_string()),
        }
    }

    #[test]
    fn officer_scope_is_their_district() {
        let s = Scope::for_user(&[Role::DistrictOfficer], &dept(1, "440305"));
        assert_eq!(
            s,
            Scope::District {
                code: "440305".into(),
                manage: true
            }
        );
        assert!(s.can_see_org(&dept(2, "440305")));
        assert!(!s.can_see_org(&dept(3, "440304")));
        assert!(s.manages_kind_in(OrgKind::Department, Some("440305")));
        assert!(!s.manages_kind_in(OrgKind::Department, Some("440304")));
        assert!(!s.manages_kind_in(OrgKind::FinancialInstitution, Some("440305")));
    }

    #[test]
    fn member_reads_but_does_not_manage() {
        let s = Scope::for_user(&[Role::DepartmentMember], &dept(1, "440305"));
        assert!(s.can_see_org(&dept(2, "440305")));
        assert!(!s.manages_kind_in(OrgKind::Department, Some("440305")));
    }

    #[test]
    fn roles_that_do_not_fit_the_org_are_ignored() {
        let bank = OrgFacts {
            id: OrgId::new(9),
            kind: OrgKind::FinancialInstitution,
            district_code: None,
        };
        // A city_admin role on a bank user must not widen the scope.
        assert_eq!(
            Scope::for_user(&[Role::CityAdmin, Role::BankUser], &bank),
            Scope::Institution {
                org_id: OrgId::new(9)
            }
        );
        assert_eq!(Scope::for_user(&[Role::CityAdmin], &bank), Scope::Public);
    }

    #[test]
    fn institution_sees_only_itself() {
        let s = Scope::Institution {
            org_id: OrgId::new(9),
        };
        let other = OrgFacts {
            id: OrgId::new(10),
            kind: OrgKind::FinancialInstitution,
            district_code: None,
        };
        assert!(!s.can_see_org(&other));
    }

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(*r));
        }
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::from_code(k.code()), Some(*k));
        }
    }
}
