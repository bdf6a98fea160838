//! The one store module that turns who may see what into SQL (decision 0020): the domain says
//! what a scope reaches of each kind of record (`Scope::reach`); this module knows, for each
//! kind, the columns (under the alias its queries use) that express a district, publication
//! and each party. Every scoped read in the store builds its condition here.

use ipfin_domain::Scope;
use ipfin_domain::visibility::{Party, Reach, Records};
use sea_orm::Value;

/// A SQL condition with its bound values, to be put after `WHERE` or `AND`.
pub(crate) type Cond = (String, Vec<Value>);

/// The columns of one kind of record, under the alias its queries use.
struct Columns {
    /// The district the record belongs to.
    district: &'static str,
    /// The condition that the record is published (public to everyone who reads published
    /// records), when the kind has publication.
    published: Option<&'static str>,
}

fn columns(records: Records) -> Columns {
    let (district, published) = match records {
        Records::Organisations => ("o.district_code", None),
        Records::Enterprises | Records::Loans => ("e.registered_district", None),
        Records::Applications | Records::Arrangements => ("a.district_code", None),
        // Import jobs record their owner as a key (`district:440305`, `institution:7`).
        Records::Imports => ("scope", None),
        Records::Policies => (
            "p.district_code",
            Some("p.status IN ('published', 'superseded')"),
        ),
        Records::TagTypes => ("district_code", Some("district_code IS NULL")),
        Records::Meetings => ("m.district_code", None),
        Records::MeetingIssues => ("s.district_code", None),
        Records::Tasks => ("t.district_code", None),
        Records::Confirmations => ("c.district_code", None),
        Records::PaymentRuns => ("r.district_code", None),
        Records::PushLists => ("pl.district_code", None),
        Records::Interpretations => ("i.district_code", Some("i.status = 'published'")),
        // Products have no district; their publication is being active.
        Records::Products => ("''", Some("pr.status = 'active'")),
        Records::FinancingNeeds => (
            "n.district_code",
            Some("(n.public = TRUE AND n.status = 'open')"),
        ),
        Records::Contacts => ("c.district_code", None),
        Records::Listings | Records::ListingInterests => (
            "dl.district_code",
            Some("dl.status IN ('open', 'sold', 'withdrawn')"),
        ),
        Records::Stations => ("st.district_code", Some("st.active = TRUE")),
        Records::ServiceCases => ("sc.district_code", None),
        Records::Bookings => ("bk.district_code", None),
        Records::ValuationQuotes => ("vq.district_code", None),
    };
    Columns {
        district,
        published,
    }
}

/// The condition that an organisation is this party to a record of this kind, with `?` for
/// the organisation's id; `None` where the kind has no such party.
fn party_condition(records: Records, party: Party) -> Option<&'static str> {
    Some(match (records, party) {
        (Records::Organisations, Party::Itself) => "o.id = ?",
        (Records::Enterprises, Party::Itself) | (Records::Loans, Party::Borrower) => {
            "e.organisation_id = ?"
        }
        (Records::Loans, Party::Lender) => "l.lender_org_id = ?",
        (Records::Applications, Party::Applicant) => "a.applicant_org_id = ?",
        (Records::Imports, Party::Importer) => "scope = ?",
        (Records::Meetings, Party::Invitee) => {
            "EXISTS (SELECT 1 FROM meeting_invitations vi WHERE vi.meeting_id = m.id AND vi.organisation_id = ?)"
        }
        (Records::MeetingIssues, Party::Owner) => "s.owner_org_id = ?",
        (Records::Tasks, Party::Owner) => "t.owner_org_id = ?",
        (Records::Enterprises, Party::PushedTo) => {
            "EXISTS (SELECT 1 FROM push_entries pv WHERE pv.enterprise_id = e.id AND pv.bank_org_id = ? AND pv.visible = TRUE)"
        }
        (Records::Products, Party::Provider) => "pr.bank_org_id = ?",
        (Records::Contacts, Party::Provider) => "c.bank_org_id = ?",
        (Records::Listings | Records::ListingInterests, Party::Provider) => "dl.bank_org_id = ?",
        (Records::FinancingNeeds, Party::Financier) => {
            "(n.status = 'open' AND EXISTS (SELECT 1 FROM organisations nf WHERE nf.id = ? AND nf.kind = 'financial_institution' AND nf.active = TRUE))"
        }
        (Records::FinancingNeeds, Party::Client) => "n.enterprise_org_id = ?",
        (Records::Contacts, Party::Client) => "c.enterprise_org_id = ?",
        (Records::Stations, Party::Itself) => "st.org_id = ?",
        (Records::ServiceCases, Party::Station) => "sc.station_org_id = ?",
        (Records::Bookings, Party::Station) => "bk.station_org_id = ?",
        (Records::ServiceCases, Party::Served) => {
            "EXISTS (SELECT 1 FROM enterprises ce WHERE ce.id = sc.enterprise_id AND ce.organisation_id = ?)"
        }
        (Records::Bookings, Party::Served) => "bk.requested_by_org = ?",
        (Records::ServiceCases, Party::AccountManager) => "sc.manager_org_id = ?",
        (Records::ValuationQuotes, Party::Provider) => "vq.valuer_org_id = ?",
        (Records::ValuationQuotes, Party::Client) => "vq.enterprise_org_id = ?",
        // A station's specialists see the enterprises of their station's cases (R3.1).
        (Records::Enterprises, Party::ServedBy) => {
            "EXISTS (SELECT 1 FROM service_cases sv WHERE sv.enterprise_id = e.id AND sv.station_org_id = ?)"
        }
        _ => return None,
    })
}

/// The key an import job stores for its owner; `None` for scopes that do not import.
pub(crate) fn import_owner_key(scope: &Scope) -> Option<String> {
    match scope.reach(Records::Imports) {
        Reach::All => Some("city".into()),
        Reach::District(d) => Some(format!("district:{d}")),
        Reach::Party(Party::Importer, id) => Some(format!("institution:{id}")),
        _ => None,
    }
}

/// The condition confining records of this kind to what the scope may read.
pub(crate) fn condition(scope: &Scope, records: Records) -> Cond {
    let cols = columns(records);
    let nothing = || ("1 = 0".to_string(), vec![]);
    match scope.reach(records) {
        Reach::All => ("1 = 1".into(), vec![]),
        Reach::Nothing => nothing(),
        Reach::District(_) | Reach::Party(Party::Importer, _) if records == Records::Imports => {
            match import_owner_key(scope) {
                Some(key) => ("scope = ?".into(), vec![key.into()]),
                None => nothing(),
            }
        }
        Reach::District(d) => (format!("{} = ?", cols.district), vec![d.into()]),
        Reach::DistrictOrPublished(d) => match cols.published {
            Some(p) => (format!("({} = ? OR {p})", cols.district), vec![d.into()]),
            None => (format!("{} = ?", cols.district), vec![d.into()]),
        },
        Reach::Published => match cols.published {
            Some(p) => (p.to_string(), vec![]),
            None => nothing(),
        },
        Reach::Party(party, id) => match party_condition(records, party) {
            Some(c) => (c.to_string(), vec![id.into()]),
            None => {
                tracing::error!(
                    ?records,
                    ?party,
                    "a reach names a party the store has no column for"
                );
                nothing()
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ipfin_domain::id::OrgId;

    fn scopes() -> Vec<Scope> {
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

    /// Every reach the domain gives has a column here: a party without one would silently
    /// read nothing, so the table must be complete.
    #[test]
    fn every_reach_has_its_columns() {
        for s in scopes() {
            for r in Records::ALL {
                let reach = s.reach(*r);
                if let Reach::Party(p, _) = reach {
                    assert!(party_condition(*r, p).is_some(), "{s:?} {r:?} {p:?}");
                }
                if matches!(reach, Reach::Published | Reach::DistrictOrPublished(_)) {
                    assert!(columns(*r).published.is_some(), "{s:?} {r:?}");
                }
                let (sql, values) = condition(&s, *r);
                assert_eq!(sql.matches('?').count(), values.len(), "{s:?} {r:?}: {sql}");
                if reach == Reach::Nothing {
                    assert_eq!(sql, "1 = 0");
                }
            }
        }
    }

    #[test]
    fn conditions_as_the_queries_use_them() {
        let bank = Scope::Institution {
            org_id: OrgId::new(7),
        };
        assert_eq!(condition(&bank, Records::Loans).0, "l.lender_org_id = ?");
        assert_eq!(
            condition(&bank, Records::Imports),
            ("scope = ?".to_string(), vec!["institution:7".into()])
        );
        let member = &scopes()[2];
        assert_eq!(
            condition(member, Records::Imports),
            ("scope = ?".to_string(), vec!["district:440305".into()])
        );
        assert_eq!(
            condition(member, Records::Policies).0,
            "(p.district_code = ? OR p.status IN ('published', 'superseded'))"
        );
        assert_eq!(condition(&Scope::Public, Records::Loans).0, "1 = 0");
        assert_eq!(
            condition(
                &Scope::Enterprise {
                    org_id: OrgId::new(9)
                },
                Records::Meetings
            )
            .0,
            "1 = 0"
        );
    }
}
