//! The one home for who may see what (decision 0020): the predicates on a caller's `Scope`,
//! each with one meaning, and the reach of a scope over each kind of tenant record. The store
//! turns a `Reach` into SQL in one module (`ipfin_store::visibility`); pages, API and store ask
//! these predicates instead of matching on `Scope` themselves.

use crate::id::OrgId;
use crate::org::{OrgKind, Scope};

impl Scope {
    /// The city office.
    pub fn is_city(&self) -> bool {
        matches!(self, Scope::City)
    }

    /// Reads a district's records: the city, or any department of that district (its lead
    /// officers and its member departments).
    pub fn reads_district(&self, district: &str) -> bool {
        match self {
            Scope::City => true,
            Scope::District { code, .. } => code == district,
            _ => false,
        }
    }

    /// Leads a district: that district's lead officers, and nobody else (not the city). Acts
    /// that the guideline gives to the district — scheduling its meetings, planning its
    /// inspections, writing its summaries, drafting its policies — need this.
    pub fn leads_district(&self, district: &str) -> bool {
        matches!(self, Scope::District { code, manage: true } if code == district)
    }

    /// Manages a district's records: the city, or that district's lead officers (registry,
    /// departments, data-sharing arrangements).
    pub fn manages_district(&self, district: &str) -> bool {
        self.is_city() || self.leads_district(district)
    }

    /// A reader of a district's records who manages nothing there (a member department's
    /// scope), to look up what a district offers (its tag types); without a district, the
    /// public's scope.
    pub fn district_reader(district: Option<&str>) -> Scope {
        match district {
            Some(code) => Scope::District {
                code: code.to_string(),
                manage: false,
            },
            None => Scope::Public,
        }
    }

    /// The district whose lead officers this scope is, if it is.
    pub fn lead_district(&self) -> Option<&str> {
        match self {
            Scope::District { code, manage: true } => Some(code),
            _ => None,
        }
    }

    /// The organisation this scope *is* — a financial institution, a service agency or an
    /// enterprise acting for itself. District departments and the city are not one
    /// organisation's scope (several departments share a district scope).
    pub fn organisation(&self) -> Option<OrgId> {
        match self {
            Scope::Institution { org_id }
            | Scope::Agency { org_id }
            | Scope::Enterprise { org_id } => Some(*org_id),
            _ => None,
        }
    }

    /// The kind of organisation this scope is (see [`Scope::organisation`]): a financial
    /// institution, a service agency or an enterprise; `None` for the city, a district and the
    /// public.
    pub fn org_kind(&self) -> Option<OrgKind> {
        match self {
            Scope::Institution { .. } => Some(OrgKind::FinancialInstitution),
            Scope::Agency { .. } => Some(OrgKind::ServiceAgency),
            Scope::Enterprise { .. } => Some(OrgKind::Enterprise),
            _ => None,
        }
    }

    /// Whether this scope is that organisation (see [`Scope::organisation`]).
    pub fn is_organisation(&self, org_id: OrgId) -> bool {
        self.organisation() == Some(org_id)
    }

    /// The organisation that acts when this scope answers for an owned record (a task, a
    /// report): the scope's own organisation, or for a district scope the caller's department.
    pub fn acting_organisation(&self, department: Option<OrgId>) -> Option<OrgId> {
        match self {
            Scope::District { .. } => department,
            _ => self.organisation(),
        }
    }

    /// Reads government records (statistics, targets, bulletins): the city or any department.
    pub fn is_government(&self) -> bool {
        matches!(self, Scope::City | Scope::District { .. })
    }

    /// May create or change organisations and users of this kind in this district: the city
    /// everything; a district's lead officers their own departments and enterprises; nobody
    /// else.
    pub fn manages_kind_in(&self, kind: OrgKind, district: Option<&str>) -> bool {
        match self {
            Scope::City => true,
            Scope::District { manage: true, .. } => {
                matches!(kind, OrgKind::Department | OrgKind::Enterprise)
                    && district.is_some_and(|d| self.leads_district(d))
            }
            _ => false,
        }
    }

    /// What this scope may read of one kind of tenant record.
    pub fn reach(&self, records: Records) -> Reach<'_> {
        use Records as R;
        match (self, records) {
            (
                Scope::Public,
                R::Policies
                | R::TagTypes
                | R::Interpretations
                | R::Products
                | R::FinancingNeeds
                | R::Listings
                | R::Stations,
            ) => Reach::Published,
            (Scope::Public, _) => Reach::Nothing,
            (Scope::City, _) => Reach::All,
            (
                Scope::District { code, .. },
                R::Policies | R::TagTypes | R::Interpretations | R::Listings,
            ) => Reach::DistrictOrPublished(code),
            // Products belong to no district: a district reads the published ones.
            (Scope::District { .. }, R::Products) => Reach::Published,
            (Scope::District { code, .. }, _) => Reach::District(code),
            // The platform (R3.3): a bank reads its own products, contacts and listings (with
            // the interest registered on them), and every open financing need (an enterprise
            // publishes a need to be found by banks); an enterprise its own needs and contacts.
            (
                Scope::Institution { org_id },
                R::Products | R::Contacts | R::Listings | R::ListingInterests,
            ) => Reach::Party(Party::Provider, *org_id),
            (Scope::Institution { org_id }, R::FinancingNeeds) => {
                Reach::Party(Party::Financier, *org_id)
            }
            (Scope::Enterprise { org_id }, R::FinancingNeeds | R::Contacts) => {
                Reach::Party(Party::Client, *org_id)
            }
            // A station's staff read their own station (its public record is the booking list).
            (Scope::Agency { org_id }, R::Stations) => Reach::Party(Party::Itself, *org_id),
            (
                _,
                R::Policies
                | R::TagTypes
                | R::Interpretations
                | R::Products
                | R::FinancingNeeds
                | R::Listings
                | R::Stations,
            ) => Reach::Published,
            (
                Scope::Institution { org_id }
                | Scope::Agency { org_id }
                | Scope::Enterprise { org_id },
                R::Organisations,
            ) => Reach::Party(Party::Itself, *org_id),
            (Scope::Enterprise { org_id }, R::Enterprises) => Reach::Party(Party::Itself, *org_id),
            (Scope::Institution { org_id }, R::Loans) => Reach::Party(Party::Lender, *org_id),
            // A bank sees an enterprise only while it is pushed to that bank (R3.2).
            (Scope::Institution { org_id }, R::Enterprises) => {
                Reach::Party(Party::PushedTo, *org_id)
            }
            (Scope::Enterprise { org_id }, R::Loans) => Reach::Party(Party::Borrower, *org_id),
            // A station's specialists see their station's cases and bookings, and the
            // enterprises of those cases (R3.1); an enterprise its own.
            (Scope::Agency { org_id }, R::ServiceCases | R::Bookings) => {
                Reach::Party(Party::Station, *org_id)
            }
            (Scope::Agency { org_id }, R::Enterprises) => Reach::Party(Party::ServedBy, *org_id),
            // A valuation quote: the institution asked and the enterprise that asked.
            (Scope::Institution { org_id }, R::ValuationQuotes) => {
                Reach::Party(Party::Provider, *org_id)
            }
            (Scope::Enterprise { org_id }, R::ValuationQuotes) => {
                Reach::Party(Party::Client, *org_id)
            }
            // A bank reads the cases its account manager is assigned to.
            (Scope::Institution { org_id }, R::ServiceCases) => {
                Reach::Party(Party::AccountManager, *org_id)
            }
            (Scope::Enterprise { org_id }, R::ServiceCases | R::Bookings) => {
                Reach::Party(Party::Served, *org_id)
            }
            (Scope::Institution { org_id } | Scope::Enterprise { org_id }, R::Applications) => {
                Reach::Party(Party::Applicant, *org_id)
            }
            (Scope::Institution { org_id }, R::Imports) => Reach::Party(Party::Importer, *org_id),
            (Scope::Institution { org_id } | Scope::Agency { org_id }, R::Meetings) => {
                Reach::Party(Party::Invitee, *org_id)
            }
            (Scope::Institution { org_id } | Scope::Agency { org_id }, R::MeetingIssues)
            | (
                Scope::Institution { org_id }
                | Scope::Agency { org_id }
                | Scope::Enterprise { org_id },
                R::Tasks,
            ) => Reach::Party(Party::Owner, *org_id),
            // Push lists are the government's (banks read their own entries as enterprises
            // pushed to them); agencies see no loans, no applications; enterprises no meetings and no imports;
            // nobody outside government sees data-sharing arrangements.
            _ => Reach::Nothing,
        }
    }
}

/// The kinds of tenant record a scope's reach is defined for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    Organisations,
    Enterprises,
    Loans,
    Applications,
    Imports,
    Policies,
    Meetings,
    MeetingIssues,
    Tasks,
    Arrangements,
    /// Enterprise tag types: the guideline's six are public, a district's own are its own.
    TagTypes,
    /// Four-eyes requests (issue #18 item 3): the district's government reads its own.
    Confirmations,
    /// Payment runs of a district's paying unit (issue #18 item 4): government only.
    PaymentRuns,
    /// Push lists to banks (issue #20 item 4): the district's government.
    PushLists,
    /// Policy interpretations (R3.3): public once published, drafts the district's.
    Interpretations,
    /// Banks' loan products (R3.3): public while active, every one its bank's.
    Products,
    /// Enterprises' financing needs (R3.3): public when the enterprise lists it publicly, open
    /// ones to every bank, all to the enterprise and its district.
    FinancingNeeds,
    /// Matchmaking contacts (R3.3): the bank and the enterprise of each, the district.
    Contacts,
    /// Disposal listings (R3.3): public; the pledgee bank's own, the district's.
    Listings,
    /// Interest registered on a disposal listing (names and contacts): the listing's bank and
    /// the district only.
    ListingInterests,
    /// Service stations (issue #21, R3.1): public while active; the district's own always.
    Stations,
    /// Service cases: the district's government, the station's staff, the enterprise served.
    ServiceCases,
    /// Bookings of on-site service: as service cases.
    Bookings,
    /// Valuation quotes (R3.3 item 3): the enterprise that asked, the institution asked, the
    /// enterprise's district.
    ValuationQuotes,
}

impl Records {
    pub const ALL: &'static [Records] = &[
        Records::Organisations,
        Records::Enterprises,
        Records::Loans,
        Records::Applications,
        Records::Imports,
        Records::Policies,
        Records::Meetings,
        Records::MeetingIssues,
        Records::Tasks,
        Records::Arrangements,
        Records::TagTypes,
        Records::Confirmations,
        Records::PaymentRuns,
        Records::PushLists,
        Records::Interpretations,
        Records::Products,
        Records::FinancingNeeds,
        Records::Contacts,
        Records::Listings,
        Records::ListingInterests,
        Records::Stations,
        Records::ServiceCases,
        Records::Bookings,
        Records::ValuationQuotes,
    ];
}

/// How an organisation stands to a record it may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The record is the organisation itself (or its enterprise registry record).
    Itself,
    /// The institution that lent (and reports) the loan.
    Lender,
    /// The enterprise that borrowed.
    Borrower,
    /// The organisation that filed the application.
    Applicant,
    /// The institution whose import job it is.
    Importer,
    /// An organisation invited to the meeting.
    Invitee,
    /// The organisation that owns the tracked issue or rectification task.
    Owner,
    /// The bank the enterprise is pushed to (while the push lasts).
    PushedTo,
    /// The bank that offers the product, is the contact's bank or lists the pledged IP.
    Provider,
    /// Any active financial institution, reading what enterprises offer to all of them (open
    /// financing needs).
    Financier,
    /// The enterprise whose need or contact it is.
    Client,
    /// The station (its agency organisation) whose service case or booking it is.
    Station,
    /// The enterprise a service case or booking is for.
    Served,
    /// A station with a service case for the enterprise.
    ServedBy,
    /// The bank whose account manager (客户经理) is assigned to the service case.
    AccountManager,
}

/// The part of a record set a scope may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach<'a> {
    /// Every record.
    All,
    /// The records of one district.
    District(&'a str),
    /// The records of one district, and every published one (policies).
    DistrictOrPublished(&'a str),
    /// Published records only (policies).
    Published,
    /// The records this organisation is a party to, in the given role.
    Party(Party, OrgId),
    /// None.
    Nothing,
}

/// The facts of one record that decide whether a reach admits it.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordFacts<'a> {
    pub district: Option<&'a str>,
    pub published: bool,
    /// The organisations party to the record, with their role.
    pub parties: &'a [(Party, OrgId)],
}

impl Reach<'_> {
    /// Whether this reach admits a record with these facts (the in-memory twin of the SQL
    /// condition the store builds from the same reach).
    pub fn admits(&self, r: &RecordFacts<'_>) -> bool {
        match *self {
            Reach::All => true,
            Reach::District(d) => r.district == Some(d),
            Reach::DistrictOrPublished(d) => r.published || r.district == Some(d),
            Reach::Published => r.published,
            Reach::Party(p, id) => r.parties.contains(&(p, id)),
            Reach::Nothing => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_scopes() -> Vec<Scope> {
        vec![
            Scope::City,
            Scope::District {
                code: "440305".into(),
                manage: true,
            },
            Scope::District {
                code: "440305".into(),
                manage: false,
            },
            Scope::Institution {
                org_id: OrgId::new(7),
            },
            Scope::Agency {
                org_id: OrgId::new(8),
            },
            Scope::Enterprise {
                org_id: OrgId::new(9),
            },
            Scope::Public,
        ]
    }

    #[test]
    fn district_predicates_have_one_meaning_each() {
        // (scope, reads 440305, leads 440305, manages 440305, reads 440304)
        let expect = [
            (true, false, true, true),
            (true, true, true, false),
            (true, false, false, false),
            (false, false, false, false),
            (false, false, false, false),
            (false, false, false, false),
            (false, false, false, false),
        ];
        for (s, (reads, leads, manages, other)) in all_scopes().iter().zip(expect) {
            assert_eq!(s.reads_district("440305"), reads, "{s:?} reads");
            assert_eq!(s.leads_district("440305"), leads, "{s:?} leads");
            assert_eq!(s.manages_district("440305"), manages, "{s:?} manages");
            assert_eq!(s.reads_district("440304"), other, "{s:?} reads another");
            assert!(!s.leads_district("440304") && !s.leads_district(""));
            assert_eq!(s.lead_district().is_some(), leads);
        }
    }

    #[test]
    fn organisation_is_only_the_scope_of_one() {
        let scopes = all_scopes();
        assert_eq!(
            scopes.iter().map(Scope::organisation).collect::<Vec<_>>(),
            [None, None, None, Some(7), Some(8), Some(9), None]
                .map(|o| o.map(OrgId::new))
                .to_vec()
        );
        assert!(
            scopes[3].is_organisation(OrgId::new(7)) && !scopes[3].is_organisation(OrgId::new(8))
        );
        assert_eq!(
            scopes[1].acting_organisation(Some(OrgId::new(3))),
            Some(OrgId::new(3))
        );
        assert_eq!(
            scopes[4].acting_organisation(Some(OrgId::new(3))),
            Some(OrgId::new(8))
        );
        assert_eq!(scopes[0].acting_organisation(Some(OrgId::new(3))), None);
    }

    #[test]
    fn org_kind_is_the_kind_of_the_one_organisation() {
        assert_eq!(
            all_scopes().iter().map(Scope::org_kind).collect::<Vec<_>>(),
            vec![
                None,
                None,
                None,
                Some(OrgKind::FinancialInstitution),
                Some(OrgKind::ServiceAgency),
                Some(OrgKind::Enterprise),
                None
            ]
        );
        // A token's scope is of its organisation's kind; a department's or the city's has none.
        for kind in OrgKind::ALL {
            let facts = crate::org::OrgFacts {
                id: OrgId::new(4),
                kind: *kind,
                district_code: Some("440305".into()),
            };
            let scope = Scope::for_token(&facts);
            let expected = scope.organisation().map(|_| *kind);
            assert_eq!(scope.org_kind(), expected, "{kind:?}");
            assert_eq!(
                scope.org_kind().is_some(),
                matches!(
                    kind,
                    OrgKind::FinancialInstitution | OrgKind::ServiceAgency | OrgKind::Enterprise
                )
            );
        }
    }

    #[test]
    fn a_district_reader_reads_its_district_and_manages_nothing() {
        let r = Scope::district_reader(Some("440305"));
        assert!(r.reads_district("440305") && !r.reads_district("440304"));
        assert!(!r.manages_district("440305") && r.lead_district().is_none());
        assert_eq!(Scope::district_reader(None), Scope::Public);
    }

    #[test]
    fn managing_kinds() {
        let lead = &all_scopes()[1];
        assert!(lead.manages_kind_in(OrgKind::Department, Some("440305")));
        assert!(lead.manages_kind_in(OrgKind::Enterprise, Some("440305")));
        assert!(!lead.manages_kind_in(OrgKind::Department, Some("440304")));
        assert!(!lead.manages_kind_in(OrgKind::FinancialInstitution, Some("440305")));
        assert!(!lead.manages_kind_in(OrgKind::Department, None));
        assert!(Scope::City.manages_kind_in(OrgKind::FinancialInstitution, None));
        let member = &all_scopes()[2];
        assert!(!member.manages_kind_in(OrgKind::Department, Some("440305")));
    }

    /// The whole reach table, written out: a change to who sees what changes this test.
    #[test]
    fn reach_table() {
        use Party as P;
        use Reach as X;
        use Records as R;
        let d = "440305";
        let row = |s: &Scope| -> Vec<Reach<'static>> {
            R::ALL
                .iter()
                .map(|r| match s.reach(*r) {
                    X::District(_) => X::District(d),
                    X::DistrictOrPublished(_) => X::DistrictOrPublished(d),
                    other => match other {
                        X::All => X::All,
                        X::Published => X::Published,
                        X::Party(p, id) => X::Party(p, id),
                        _ => X::Nothing,
                    },
                })
                .collect()
        };
        let s = all_scopes();
        let n = X::Nothing;
        // Organisations, Enterprises, Loans, Applications, Imports, Policies, Meetings,
        // MeetingIssues, Tasks, Arrangements, TagTypes, Confirmations, PaymentRuns, PushLists,
        // Interpretations, Products, FinancingNeeds, Contacts, Listings, ListingInterests,
        // Stations, ServiceCases, Bookings, ValuationQuotes
        assert_eq!(row(&s[0]), vec![X::All; 24]);
        let mut district = vec![X::District(d); 24];
        district[5] = X::DistrictOrPublished(d);
        district[10] = X::DistrictOrPublished(d);
        district[14] = X::DistrictOrPublished(d);
        district[15] = X::Published;
        district[18] = X::DistrictOrPublished(d);
        assert_eq!(row(&s[1]), district);
        assert_eq!(row(&s[2]), district);
        assert_eq!(
            row(&s[3]),
            vec![
                X::Party(P::Itself, OrgId::new(7)),
                X::Party(P::PushedTo, OrgId::new(7)),
                X::Party(P::Lender, OrgId::new(7)),
                X::Party(P::Applicant, OrgId::new(7)),
                X::Party(P::Importer, OrgId::new(7)),
                X::Published,
                X::Party(P::Invitee, OrgId::new(7)),
                X::Party(P::Owner, OrgId::new(7)),
                X::Party(P::Owner, OrgId::new(7)),
                n,
                X::Published,
                n,
                n,
                n,
                X::Published,
                X::Party(P::Provider, OrgId::new(7)),
                X::Party(P::Financier, OrgId::new(7)),
                X::Party(P::Provider, OrgId::new(7)),
                X::Party(P::Provider, OrgId::new(7)),
                X::Party(P::Provider, OrgId::new(7)),
                X::Published,
                X::Party(P::AccountManager, OrgId::new(7)),
                n,
                X::Party(P::Provider, OrgId::new(7)),
            ]
        );
        assert_eq!(
            row(&s[4]),
            vec![
                X::Party(P::Itself, OrgId::new(8)),
                X::Party(P::ServedBy, OrgId::new(8)),
                n,
                n,
                n,
                X::Published,
                X::Party(P::Invitee, OrgId::new(8)),
                X::Party(P::Owner, OrgId::new(8)),
                X::Party(P::Owner, OrgId::new(8)),
                n,
                X::Published,
                n,
                n,
                n,
                X::Published,
                X::Published,
                X::Published,
                n,
                X::Published,
                n,
                X::Party(P::Itself, OrgId::new(8)),
                X::Party(P::Station, OrgId::new(8)),
                X::Party(P::Station, OrgId::new(8)),
                n,
            ]
        );
        assert_eq!(
            row(&s[5]),
            vec![
                X::Party(P::Itself, OrgId::new(9)),
                X::Party(P::Itself, OrgId::new(9)),
                X::Party(P::Borrower, OrgId::new(9)),
                X::Party(P::Applicant, OrgId::new(9)),
                n,
                X::Published,
                n,
                n,
                X::Party(P::Owner, OrgId::new(9)),
                n,
                X::Published,
                n,
                n,
                n,
                X::Published,
                X::Published,
                X::Party(P::Client, OrgId::new(9)),
                X::Party(P::Client, OrgId::new(9)),
                X::Published,
                n,
                X::Published,
                X::Party(P::Served, OrgId::new(9)),
                X::Party(P::Served, OrgId::new(9)),
                X::Party(P::Client, OrgId::new(9)),
            ]
        );
        assert_eq!(
            row(&s[6]),
            vec![
                n,
                n,
                n,
                n,
                n,
                X::Published,
                n,
                n,
                n,
                n,
                X::Published,
                n,
                n,
                n,
                X::Published,
                X::Published,
                X::Published,
                n,
                X::Published,
                n,
                X::Published,
                n,
                n,
                n,
            ]
        );
    }

    #[test]
    fn admits_matches_the_reach() {
        let facts = RecordFacts {
            district: Some("440305"),
            published: false,
            parties: &[(Party::Owner, OrgId::new(7))],
        };
        assert!(Reach::All.admits(&facts));
        assert!(Reach::District("440305").admits(&facts));
        assert!(!Reach::District("440304").admits(&facts));
        assert!(Reach::Party(Party::Owner, OrgId::new(7)).admits(&facts));
        assert!(!Reach::Party(Party::Owner, OrgId::new(8)).admits(&facts));
        assert!(!Reach::Party(Party::Invitee, OrgId::new(7)).admits(&facts));
        assert!(!Reach::Published.admits(&facts));
        assert!(!Reach::Nothing.admits(&facts));
        let published = RecordFacts {
            published: true,
            ..facts
        };
        assert!(Reach::DistrictOrPublished("440304").admits(&published));
    }
}
