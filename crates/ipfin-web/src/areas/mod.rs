//! The composition: every product area of the web layer, each registering its own routes
//! (with their access rules), navigation entries and messages. Adding an area is one line
//! here (see CONTRIBUTING.md).

use crate::actor::Actor;
use crate::i18n::Messages;
use crate::routes::Routes;

pub mod application;
pub mod audit;
pub mod confirmation;
pub mod coordination;
pub mod enterprise;
pub mod financing;
pub mod home;
pub mod import;
pub mod meeting;
pub mod ops;
pub mod org;
pub mod payment;
pub mod platform;
pub mod policy;
pub mod push;
pub mod screening;
pub mod station;
pub mod stats;
pub mod summary;
pub mod supervision;
pub mod tools;
pub mod user;
pub mod whitelist;

/// What a product area contributes to the web layer.
pub struct Area {
    pub name: &'static str,
    /// Adds the area's routes, each with who may call it.
    pub routes: fn(Routes) -> Routes,
    /// Adds the area's navigation entries for the caller.
    pub nav: fn(&Actor, &mut Vec<NavLink>),
    /// The area's page messages (key, zh-CN, en).
    pub messages: Messages,
}

/// Every area, in no particular order (routes do not overlap; the menu is ordered by
/// position).
pub const AREAS: &[Area] = &[
    home::AREA,
    ops::AREA,
    tools::AREA,
    org::AREA,
    user::AREA,
    coordination::AREA,
    enterprise::AREA,
    import::AREA,
    policy::AREA,
    financing::AREA,
    application::AREA,
    confirmation::AREA,
    payment::AREA,
    stats::AREA,
    supervision::AREA,
    whitelist::AREA,
    push::AREA,
    platform::AREA,
    screening::AREA,
    station::AREA,
    summary::AREA,
    meeting::AREA,
    audit::AREA,
];

/// A navigation entry: its position in the menu, its link and the message key of its label.
/// Positions: signed out 1–9; signed in 0 (home), 10–39 the scope's own pages in the order
/// they are listed for that scope, 90–99 the pages every signed-in scope shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavLink {
    pub position: u16,
    pub href: String,
    pub label: &'static str,
}

impl NavLink {
    pub fn new(position: u16, href: impl Into<String>, label: &'static str) -> NavLink {
        NavLink {
            position,
            href: href.into(),
            label,
        }
    }
}

/// The task groups of a signed-in menu (issue #23 item 3: officers had 22 links in one row).
/// Each entry belongs to one group by its first path segment; the menu test lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NavGroup {
    Home,
    /// 申报办理: applications, notices, objections' claims, four-eyes, payments.
    Work,
    /// 企业与融资: enterprises, loans, whitelist and push, stations and cases, the platform.
    Financing,
    /// 政策: drafts, interpretations, reference data.
    Policy,
    /// 统计考核: dashboard, targets, bulletins, assessment, conformance, summaries.
    Statistics,
    /// 协同监管: districts, departments, meetings, supervision.
    Coordination,
    /// 系统管理: users, API tokens, imports, audit.
    Admin,
    /// 工具: the public tools and district zones.
    Tools,
}

impl NavGroup {
    /// The message key of the group's name.
    pub fn label(self) -> &'static str {
        match self {
            NavGroup::Home => "nav.home",
            NavGroup::Work => "nav.group_work",
            NavGroup::Financing => "nav.group_financing",
            NavGroup::Policy => "nav.group_policy",
            NavGroup::Statistics => "nav.group_statistics",
            NavGroup::Coordination => "nav.group_coordination",
            NavGroup::Admin => "nav.group_admin",
            NavGroup::Tools => "nav.group_tools",
        }
    }

    /// The group of a menu entry, by the first segment of its path (`None`: a path no group
    /// names yet; the menu test fails on it, the page shows it under 工具).
    pub fn of(href: &str) -> Option<NavGroup> {
        let first = href.trim_start_matches('/').split(['/', '?', '#']).next();
        Some(match first.unwrap_or("") {
            "home" | "" => NavGroup::Home,
            "applications" | "notices" | "claims" | "confirmations" | "payments" => NavGroup::Work,
            "enterprises" | "loans" | "whitelist" | "push" | "pushed" | "screening"
            | "tag-types" | "stations" | "matchmaking" | "disposals" | "cases" | "bookings"
            | "valuation" | "consent" | "book" => NavGroup::Financing,
            "policy-drafts" | "interpretations" | "reference-data" | "policies" => NavGroup::Policy,
            "dashboard" | "targets" | "my" | "bulletins" | "assessments" | "conformance"
            | "summaries" => NavGroup::Statistics,
            "districts" | "orgs" | "meetings" | "supervision" => NavGroup::Coordination,
            "users" | "tokens" | "imports" | "audit" => NavGroup::Admin,
            "tools" | "zones" => NavGroup::Tools,
            _ => return None,
        })
    }
}

/// For an area without menu entries.
pub fn no_nav(_: &Actor, _: &mut Vec<NavLink>) {}

/// The caller's menu: every area's entries, by position.
pub fn nav(actor: &Actor) -> Vec<NavLink> {
    let mut links = Vec::new();
    for a in AREAS {
        (a.nav)(actor, &mut links);
    }
    links.sort_by_key(|l| l.position);
    links
}

/// Every area's routes.
pub fn routes() -> Routes {
    AREAS.iter().fold(Routes::new(), |r, a| (a.routes)(r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Principal;
    use ipfin_domain::id::{OrgId, UserId};
    use ipfin_domain::{Lang, OrgFacts, OrgKind, Role, Scope};
    use ipfin_store::auth::SessionUser;

    fn signed_in(role: Role, kind: OrgKind, district: Option<&str>) -> Actor {
        let user = SessionUser {
            user_id: UserId::new(5),
            username: "u".into(),
            display_name: "U".into(),
            organisation_id: OrgId::new(7),
            org_name: "O".into(),
            org_kind: kind,
            district_code: district.map(str::to_string),
            district_name: None,
            roles: vec![role],
            must_change_password: false,
            csrf_token: String::new(),
            session_hash: String::new(),
            last_seen_at: 0,
        };
        let scope = Scope::for_user(
            &user.roles,
            &OrgFacts {
                id: user.organisation_id,
                kind,
                district_code: user.district_code.clone(),
            },
        );
        Actor {
            principal: Principal::User(Box::new(user)),
            scope,
            lang: Lang::Zh,
            ip: None,
        }
    }

    fn menu(actor: &Actor) -> Vec<String> {
        nav(actor)
            .into_iter()
            .map(|l| format!("{} {}", l.position, l.href))
            .collect()
    }

    /// The whole menu of each kind of caller, written out: the menu follows the scope's
    /// predicates, and a change to who sees which entry changes this test.
    #[test]
    fn each_kind_of_caller_has_its_menu() {
        let d = Some("440305");
        let cases = [
            (
                "anonymous",
                Actor {
                    principal: Principal::Anonymous,
                    scope: Scope::Public,
                    lang: Lang::Zh,
                    ip: None,
                },
            ),
            (
                "city",
                signed_in(Role::CityAdmin, OrgKind::CityOffice, None),
            ),
            (
                "lead",
                signed_in(Role::DistrictOfficer, OrgKind::Department, d),
            ),
            (
                "member",
                signed_in(Role::DepartmentMember, OrgKind::Department, d),
            ),
            (
                "user admin",
                signed_in(Role::UserAdmin, OrgKind::Department, d),
            ),
            (
                "bank",
                signed_in(Role::BankUser, OrgKind::FinancialInstitution, None),
            ),
            (
                "agency",
                signed_in(Role::AgencyUser, OrgKind::ServiceAgency, None),
            ),
            (
                "enterprise",
                signed_in(Role::EnterpriseUser, OrgKind::Enterprise, d),
            ),
            // A role that does not fit the organisation: signed in, public scope.
            ("misfit", signed_in(Role::CityAdmin, OrgKind::Enterprise, d)),
        ];
        let expected: [&[&str]; 9] = [
            &[
                "1 /",
                "2 /tools/credit-code",
                "3 /tools/patent-number",
                "4 /tools/enterprise-size",
                "5 /policies",
                "6 /notices",
                "7 /tools/subsidy-calculator",
                "8 /register",
                "9 /zones",
                "10 /book",
            ],
            &[
                "0 /home",
                "10 /districts",
                "11 /enterprises",
                "12 /loans",
                "13 /applications",
                "14 /imports",
                "15 /orgs",
                "16 /users",
                "16 /whitelist",
                "16 /push",
                "16 /screening",
                "17 /tokens",
                "18 /policy-drafts",
                "19 /dashboard",
                "20 /targets",
                "21 /bulletins",
                "22 /assessments",
                "23 /conformance",
                "24 /summaries",
                "25 /reference-data",
                "26 /audit",
                "27 /payments",
                "29 /interpretations",
                "30 /stations",
                "90 /supervision",
                "91 /meetings",
                "92 /tools/credit-code",
                "93 /zones",
            ],
            &[
                "0 /home",
                "10 /districts/440305",
                "11 /enterprises",
                "12 /loans",
                "13 /applications",
                "14 /notices",
                "15 /claims",
                "16 /imports",
                "16 /whitelist",
                "16 /push",
                "16 /screening",
                "17 /tag-types",
                "18 /policy-drafts",
                "19 /dashboard/districts/440305",
                "20 /targets",
                "21 /my/targets",
                "22 /bulletins",
                "23 /summaries",
                "24 /conformance",
                "25 /orgs",
                "26 /users",
                "27 /tokens",
                "27 /payments",
                "28 /confirmations",
                "29 /interpretations",
                "30 /stations",
                "90 /supervision",
                "91 /meetings",
                "92 /tools/credit-code",
                "93 /zones",
            ],
            &[
                "0 /home",
                "10 /districts/440305",
                "11 /enterprises",
                "12 /loans",
                "13 /applications",
                "16 /whitelist",
                "16 /push",
                "16 /screening",
                "18 /policy-drafts",
                "19 /dashboard/districts/440305",
                "20 /targets",
                "21 /my/targets",
                "22 /bulletins",
                "23 /summaries",
                "25 /orgs",
                "26 /users",
                "27 /payments",
                "29 /interpretations",
                "30 /stations",
                "90 /supervision",
                "91 /meetings",
                "92 /tools/credit-code",
                "93 /zones",
            ],
            &[
                "0 /home",
                "10 /districts/440305",
                "11 /enterprises",
                "12 /loans",
                "13 /applications",
                "18 /policy-drafts",
                "19 /dashboard/districts/440305",
                "20 /targets",
                "21 /my/targets",
                "22 /bulletins",
                "23 /summaries",
                "25 /orgs",
                "26 /users",
                "90 /supervision",
                "91 /meetings",
                "92 /tools/credit-code",
                "93 /zones",
            ],
            &[
                "0 /home",
                "10 /loans",
                "10 /pushed",
                "11 /applications",
                "12 /imports",
                "13 /orgs/7",
                "14 /tokens",
                "30 /matchmaking",
                "31 /disposals",
                "32 /cases",
                "90 /supervision/tasks",
                "91 /meetings",
                "92 /tools/credit-code",
                "93 /zones",
            ],
            &[
                "0 /home",
                "10 /orgs/7",
                "11 /tokens",
                "30 /cases",
                "31 /cases/week",
                "32 /bookings",
                "90 /supervision/tasks",
                "91 /meetings",
                "92 /tools/credit-code",
                "93 /zones",
            ],
            &[
                "0 /home",
                "10 /enterprises",
                "11 /loans",
                "12 /applications",
                "13 /orgs/7",
                "13 /consent",
                "30 /matchmaking",
                "31 /cases",
                "33 /valuation/quotes",
                "90 /supervision/tasks",
                "92 /tools/credit-code",
                "93 /zones",
            ],
            &["0 /home", "92 /tools/credit-code", "93 /zones"],
        ];
        for ((who, actor), want) in cases.iter().zip(expected) {
            assert_eq!(menu(actor), want, "{who}");
            // The signed-in menus are grouped (signed out, the menu is one short row).
            for l in nav(actor).iter().filter(|_| actor.user().is_some()) {
                assert!(
                    NavGroup::of(&l.href).is_some(),
                    "{who}: {} has no group",
                    l.href
                );
            }
        }
    }
}
