//! Who administers whose account (等保 level 3, separation of duties; issue #17 item 2).
//!
//! Accounts that carry review, approval or administration rights are created, reset and
//! re-issued only by the role that administers users: the city administrator for every
//! organisation, or a district's user administrator (区用户管理员), who holds no review rights.
//! A district's lead officers review applications; they may still administer accounts that
//! carry none of those rights (member departments, enterprises of their district), and the
//! review stages later refuse an officer who administered an account of the applicant or of
//! another signer (`application::duties`).
//!
//! Nobody learns another person's password: a new account or a reset gives a one-time
//! activation link, valid for [`ACTIVATION_HOURS`], with which the person sets their own.

use crate::message::{FieldError, Msg};
use crate::org::{OrgFacts, OrgKind, Role};

/// How long an activation link works.
pub const ACTIVATION_HOURS: i64 = 72;

impl Role {
    /// Whether the role carries review, approval or administration rights: such accounts are
    /// administered only by a user administrator, never by a reviewer.
    pub fn is_privileged(self) -> bool {
        matches!(
            self,
            Role::CityAdmin | Role::DistrictOfficer | Role::UserAdmin
        )
    }
}

/// What a caller may do to accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Administrator {
    /// The city administrator: every account of every organisation.
    City,
    /// A district's user administrator: accounts of the district's departments and
    /// enterprises, including its officers; never other user administrators.
    District(String),
    /// A district's lead officer: accounts without review, approval or administration rights
    /// of the district's departments and enterprises.
    Reviewer(String),
    /// Everyone else.
    Nobody,
}

impl Administrator {
    /// The caller's powers from their roles and organisation (roles that do not fit the
    /// organisation count for nothing, as in `Scope::for_user`).
    pub fn of(roles: &[Role], org: &OrgFacts) -> Administrator {
        let has = |r: Role| roles.contains(&r) && r.allowed_org_kinds().contains(&org.kind);
        if has(Role::CityAdmin) {
            return Administrator::City;
        }
        let Some(district) = org.district_code.clone() else {
            return Administrator::Nobody;
        };
        if has(Role::UserAdmin) {
            Administrator::District(district)
        } else if has(Role::DistrictOfficer) {
            Administrator::Reviewer(district)
        } else {
            Administrator::Nobody
        }
    }

    /// Whether any account at all may be administered (the "new user" button).
    pub fn administers_any(&self) -> bool {
        *self != Administrator::Nobody
    }

    /// Whether accounts of an organisation of this kind and district may be administered.
    pub fn administers_org(&self, kind: OrgKind, district: Option<&str>) -> bool {
        match self {
            Administrator::City => true,
            Administrator::District(d) | Administrator::Reviewer(d) => {
                matches!(kind, OrgKind::Department | OrgKind::Enterprise)
                    && district == Some(d.as_str())
            }
            Administrator::Nobody => false,
        }
    }

    /// The roles that may be granted to a user of an organisation of this kind.
    pub fn grantable(&self, kind: OrgKind) -> Vec<Role> {
        Role::ALL
            .iter()
            .copied()
            .filter(|r| r.allowed_org_kinds().contains(&kind))
            .filter(|r| match self {
                Administrator::City => true,
                Administrator::District(_) => !matches!(r, Role::CityAdmin | Role::UserAdmin),
                Administrator::Reviewer(_) => !r.is_privileged(),
                Administrator::Nobody => false,
            })
            .collect()
    }

    /// Checks an account with these roles, in an organisation of this kind and district, may
    /// be created, reset or re-issued by this administrator; the error says why not.
    pub fn check(
        &self,
        kind: OrgKind,
        district: Option<&str>,
        roles: &[Role],
    ) -> Result<(), FieldError> {
        if !self.administers_org(kind, district) {
            return Err(FieldError::new(
                "organisation_id",
                "user.manage",
                "您无权管理该机构的用户账户。",
                "You may not administer accounts of this organisation.",
            ));
        }
        let grantable = self.grantable(kind);
        if let Some(r) = roles.iter().find(|r| !grantable.contains(r)) {
            let (zh, en) = if r.is_privileged() && matches!(self, Administrator::Reviewer(_)) {
                (
                    format!(
                        "具有审核、审批或用户管理权限的账户（{}）只能由市级管理员或区用户管理员开设或重置，审核人员不能为他人开设此类账户。",
                        r.zh()
                    ),
                    format!(
                        "Accounts with review, approval or administration rights ({}) are created or reset only by a user administrator, never by a reviewer.",
                        r.en()
                    ),
                )
            } else {
                (
                    format!("角色“{}”不能由您授予{}的用户。", r.zh(), kind.zh()),
                    format!(
                        "You cannot grant role {} to a user of a {}.",
                        r.en(),
                        kind.en()
                    ),
                )
            };
            return Err(FieldError::new("roles", "user.role_not_allowed", zh, en));
        }
        check_combination(roles)
    }
}

/// A user administrator holds no review rights: the two never go on one account.
/// Normalises and checks a username: 3–64 of `a-z 0-9 . _ -`, starting with a letter or digit.
pub fn parse_username(raw: &str) -> Result<String, FieldError> {
    let u = raw.trim().to_lowercase();
    let ok = (3..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        && u.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !ok {
        return Err(FieldError::new(
            "username",
            "user.username_format",
            "用户名须为 3–64 位小写字母、数字或 . _ -，并以字母或数字开头。",
            "Username: 3–64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.",
        ));
    }
    Ok(u)
}

/// What an enterprise's claim to its account states, checked (SPEC §3.1 registration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimFields {
    pub username: String,
    pub display_name: String,
    pub phone: String,
}

/// Checks a claim's fields all at once: the username's form, the name (at most 50
/// characters), an 11-digit mobile number the district can call, the password's strength
/// and that it was typed the same twice.
pub fn check_claim(
    username: &str,
    display_name: &str,
    phone: &str,
    password: &str,
    password_again: &str,
) -> Result<ClaimFields, Vec<FieldError>> {
    let mut e = crate::message::FieldErrors::default();
    let username = e.take(parse_username(username));
    let display_name = e.take(crate::text::required(
        "display_name",
        "姓名",
        "Name",
        display_name,
        50,
    ));
    let phone = phone.trim();
    if !(phone.len() == 11 && phone.starts_with('1') && phone.chars().all(|c| c.is_ascii_digit())) {
        e.push(FieldError::new(
            "phone",
            "claim.phone",
            "请填写 11 位手机号码，区级部门将通过该号码核实身份。",
            "Enter an 11-digit mobile number; the district will call it to verify.",
        ));
    }
    e.take(crate::password::check_new_password(
        "password",
        username.as_deref().unwrap_or(""),
        password,
    ));
    if password != password_again {
        e.push(FieldError::new(
            "password_again",
            "password.mismatch",
            "两次输入的密码不一致。",
            "The two passwords differ.",
        ));
    }
    match (username, display_name, e.finish()) {
        (Some(username), Some(display_name), Ok(())) => Ok(ClaimFields {
            username,
            display_name,
            phone: phone.to_string(),
        }),
        (_, _, Err(errors)) => Err(errors),
        // A missing value always recorded its problem.
        _ => Err(vec![]),
    }
}

pub fn check_combination(roles: &[Role]) -> Result<(), FieldError> {
    if roles.contains(&Role::UserAdmin)
        && roles
            .iter()
            .any(|r| matches!(r, Role::DistrictOfficer | Role::CityAdmin))
    {
        return Err(FieldError::new(
            "roles",
            "user.roles_separated",
            "区用户管理员不能同时具有审核权限：请为审核人员另开账户。",
            "A user administrator cannot also hold review rights: open a separate account.",
        ));
    }
    Ok(())
}

/// An activation link that no longer works: used, expired, or replaced by a newer one.
pub fn activation_gone() -> Msg {
    Msg::new(
        "activation.gone",
        format!(
            "该激活链接已使用、已过期（有效期 {ACTIVATION_HOURS} 小时）或已被新链接取代。请联系您的用户管理员重新发放激活链接。"
        ),
        format!(
            "This activation link was used, has expired (it works for {ACTIVATION_HOURS} hours) or was replaced. Ask your user administrator for a new one."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(kind: OrgKind, d: Option<&str>) -> OrgFacts {
        OrgFacts {
            id: crate::id::OrgId::new(1),
            kind,
            district_code: d.map(str::to_string),
        }
    }

    #[test]
    fn a_reviewer_never_opens_a_reviewer_account() {
        let officer = Administrator::of(
            &[Role::DistrictOfficer],
            &org(OrgKind::Department, Some("440305")),
        );
        assert_eq!(officer, Administrator::Reviewer("440305".into()));
        let e = officer
            .check(
                OrgKind::Department,
                Some("440305"),
                &[Role::DistrictOfficer],
            )
            .expect_err("reviewer creating a reviewer");
        assert_eq!(e.msg.code, "user.role_not_allowed");
        assert!(e.msg.zh.contains("区用户管理员"));
        assert!(
            officer
                .check(
                    OrgKind::Department,
                    Some("440305"),
                    &[Role::DepartmentMember]
                )
                .is_ok()
        );
        assert!(
            officer
                .check(OrgKind::Enterprise, Some("440305"), &[Role::EnterpriseUser])
                .is_ok()
        );
        // Not another district, not a bank.
        assert!(
            officer
                .check(OrgKind::Enterprise, Some("440304"), &[Role::EnterpriseUser])
                .is_err()
        );
        assert!(
            officer
                .check(OrgKind::FinancialInstitution, None, &[Role::BankUser])
                .is_err()
        );
    }

    #[test]
    fn a_user_administrator_opens_officer_accounts_but_holds_no_review_rights() {
        let admin = Administrator::of(
            &[Role::UserAdmin],
            &org(OrgKind::Department, Some("440305")),
        );
        assert_eq!(admin, Administrator::District("440305".into()));
        assert!(
            admin
                .check(
                    OrgKind::Department,
                    Some("440305"),
                    &[Role::DistrictOfficer]
                )
                .is_ok()
        );
        assert!(
            admin
                .check(OrgKind::Department, Some("440305"), &[Role::UserAdmin])
                .is_err()
        );
        let e = check_combination(&[Role::UserAdmin, Role::DistrictOfficer]).expect_err("both");
        assert_eq!(e.msg.code, "user.roles_separated");
        let city = Administrator::of(&[Role::CityAdmin], &org(OrgKind::CityOffice, None));
        assert!(
            city.check(OrgKind::Department, Some("440305"), &[Role::UserAdmin])
                .is_ok()
        );
        assert!(
            city.check(
                OrgKind::Department,
                Some("440305"),
                &[Role::UserAdmin, Role::DistrictOfficer]
            )
            .is_err()
        );
    }

    #[test]
    fn others_administer_nothing() {
        for (roles, o) in [
            (
                vec![Role::DepartmentMember],
                org(OrgKind::Department, Some("440305")),
            ),
            (
                vec![Role::BankUser],
                org(OrgKind::FinancialInstitution, None),
            ),
            (
                vec![Role::EnterpriseUser],
                org(OrgKind::Enterprise, Some("440305")),
            ),
            // A role that does not fit the organisation counts for nothing.
            (
                vec![Role::UserAdmin],
                org(OrgKind::Enterprise, Some("440305")),
            ),
        ] {
            let a = Administrator::of(&roles, &o);
            assert_eq!(a, Administrator::Nobody, "{roles:?}");
            assert!(!a.administers_any());
        }
    }
}
