//! Consent, partner banks, push lists and the banks' follow-up (SPEC §6, R3.2; issue #20 items
//! 3–5, decision 0034).
//!
//! - **Consent** is a history (`consent_events`); `enterprises.data_sharing_consent` is its
//!   current state, written in the same transaction. The enterprise gives or withdraws it on its
//!   own page; a withdrawal hides it at once from every bank that has not yet contacted it.
//! - **Push lists** are prepared by a lead officer from the district's whitelist (enterprises
//!   that consented), assigned to the district's partner banks by the domain's rule, and sent
//!   only when a second officer confirms (`confirmations`, kind `push.send`): enterprise data
//!   leaves the government. Confirming checks every line again (consent, partner, period).
//! - **A bank sees an enterprise only while it is pushed to it** — one row of the visibility
//!   table (`Party::PushedTo`), backed by `push_entries.visible`: set when the list is sent,
//!   cleared when the push period ends (the daily job) or consent is withdrawn before contact.
//! - **Follow-up** is recorded by the bank per entry (contact, outcome, loan); the first contact
//!   is due within the district's working-day limit.

use crate::db::{Page, Paged, exec, fetch_all, fetch_i64, fetch_opt, fetch_page};
use crate::error::{Result, StoreError};
use crate::notification::notify;
use crate::{Store, WriteTx};
use chrono::{Days, NaiveDate};
use ipfin_domain::confirmation::{PushLine, PushStep};
use ipfin_domain::id::OrgId;
use ipfin_domain::push::{
    Bank, CONSENT_SCOPE, Candidate, Channel, FollowUp, FunnelEntry, Lending, Method, Outcome,
    Settings, Source, assign,
};
use ipfin_domain::visibility::Records;
use ipfin_domain::{Fen, FieldError, Msg, OrgKind, Scope};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use serde_json::json;
use std::collections::HashSet;

/// Who consent arriving with an imported record is recorded as given by.
pub(crate) const CONSENT_SCOPE_IMPORT_NAME: &str = "数据导入（企业书面授权随数据报送）";

/// What a push list chooses its enterprises from.
#[derive(Debug, Clone, Copy)]
pub enum Pick<'a> {
    /// Today's whitelist, optionally one tag type; least recently pushed first.
    Whitelist { tag: Option<&'a str> },
    /// The district's saved screening model's result, best first: (enterprise, score in
    /// twelfths of a point, band), read before the write transaction (`Store::screened`).
    Screened {
        model_version: i32,
        scored: &'a [(i64, u32, ipfin_domain::screening::Band)],
    },
}

/// The most enterprises one push list takes.
pub const MAX_LIST: u32 = 500;

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether the enterprise `e` may be pushed to banks: it consented, or its data was recorded
/// as public and it has never said no (every consent event but `public` ones is a change of its
/// word, so any such event with consent now off means it withdrew; decision 0034).
pub(crate) const PUSHABLE: &str = "(e.data_sharing_consent = TRUE OR (e.data_public_basis IS NOT NULL \
     AND NOT EXISTS (SELECT 1 FROM consent_events w WHERE w.enterprise_id = e.id AND w.channel <> 'public')))";

/// The channel of a consent event that records the enterprise's data as public, or no longer so.
pub const PUBLIC_CHANNEL: &str = "public";

fn ids_of(s: &str) -> Vec<OrgId> {
    split_list(s)
        .iter()
        .filter_map(|s| s.parse().ok())
        .map(OrgId::new)
        .collect()
}

/// One giving or withdrawing of consent.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ConsentEvent {
    pub id: i64,
    pub given: bool,
    pub scope: String,
    /// Comma-separated ids of the banks the enterprise prefers.
    pub preferred_banks: String,
    /// `enterprise`, `officer` or `import`; `public`: the district recorded the data as public
    /// (`given`) or no longer so, with the basis in `scope`.
    pub channel: String,
    pub by_name: String,
    pub at: i64,
}

/// An enterprise's consent: now, the banks it prefers, and the history (newest first).
#[derive(Debug, Clone, Serialize)]
pub struct ConsentState {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub district_code: Option<String>,
    pub given: bool,
    /// Why the district recorded the enterprise's data as public, if it did.
    pub public_basis: Option<String>,
    /// Whether it may be pushed now: consent given, or public data and never said no.
    pub pushable: bool,
    pub preferred_banks: Vec<PartnerBank>,
    pub history: Vec<ConsentEvent>,
}

/// A partner bank of a district, with what it declares it lends on.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PartnerBank {
    pub org_id: OrgId,
    pub name: String,
    pub lending: Lending,
}

/// A push list as the district sees it.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct PushListRow {
    pub id: i64,
    pub district_code: String,
    pub method: String,
    pub k: i32,
    pub period_days: i32,
    pub note: String,
    /// `prepared` (awaiting a second officer), `sent`, `cancelled` (refused or withdrawn).
    pub state: String,
    pub prepared_by_name: Option<String>,
    pub prepared_at: i64,
    pub sent_on: Option<NaiveDate>,
    pub until_on: Option<NaiveDate>,
    pub model_version: Option<i64>,
    pub enterprises: i64,
    pub lines: i64,
    pub contacted: i64,
}

/// One enterprise pushed to one bank, with where its follow-up stands.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct PushEntryRow {
    pub id: i64,
    pub list_id: i64,
    pub district_code: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub credit_code: String,
    pub industry: Option<String>,
    pub size_class: Option<String>,
    pub bank_org_id: i64,
    pub bank_name: String,
    pub source: String,
    pub reason: String,
    pub visible: bool,
    pub hidden_reason: Option<String>,
    pub sent_on: Option<NaiveDate>,
    pub until_on: Option<NaiveDate>,
    pub first_contact_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub loan_id: Option<i64>,
    pub first_contact_working_days: i32,
}

impl PushEntryRow {
    /// The last day for the first contact (`None`: not sent, or no calendar for that year).
    pub fn contact_due(&self, cal: &ipfin_domain::calendar::Calendar) -> Option<NaiveDate> {
        let sent = self.sent_on?;
        cal.period_end(sent, self.first_contact_working_days.max(1) as u32)
            .ok()
    }

    /// First contact not made and its last day passed.
    pub fn overdue(&self, cal: &ipfin_domain::calendar::Calendar, today: NaiveDate) -> bool {
        self.first_contact_on.is_none() && self.contact_due(cal).is_some_and(|d| today > d)
    }

    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome.as_deref().and_then(Outcome::from_code)
    }
}

/// A follow-up as recorded.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct FollowUpRow {
    pub id: i64,
    pub entry_id: i64,
    pub contacted_on: NaiveDate,
    pub channel: String,
    pub person: String,
    pub outcome: String,
    pub loan_id: Option<i64>,
    pub note: String,
    pub recorded_by_name: Option<String>,
    pub recorded_at: i64,
}

/// Filters of a bank's received list.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReceivedFilter {
    /// Only entries still awaiting first contact.
    pub awaiting_contact: bool,
}

const LIST_COLS: &str = "pl.id, pl.district_code, pl.method, pl.k, pl.period_days, pl.note, pl.state, \
    u.display_name AS prepared_by_name, pl.prepared_at, pl.sent_on, pl.until_on, pl.model_version, \
    (SELECT COUNT(DISTINCT x.enterprise_id) FROM push_entries x WHERE x.list_id = pl.id) AS enterprises, \
    (SELECT COUNT(*) FROM push_entries x WHERE x.list_id = pl.id) AS lines, \
    (SELECT COUNT(*) FROM push_entries x WHERE x.list_id = pl.id AND x.first_contact_on IS NOT NULL) AS contacted";
const ENTRY_COLS: &str = "pe.id, pe.list_id, pl.district_code, pe.enterprise_id, e.name AS enterprise_name, e.credit_code, e.industry, \
    COALESCE(e.size_override, e.size_class) AS size_class, pe.bank_org_id, o.name AS bank_name, pe.source, pe.reason, pe.visible, \
    pe.hidden_reason, pl.sent_on, pl.until_on, pe.first_contact_on, pe.outcome, pe.loan_id, \
    COALESCE(ps.first_contact_working_days, 10) AS first_contact_working_days";
const ENTRY_FROM: &str = "FROM push_entries pe JOIN push_lists pl ON pl.id = pe.list_id JOIN enterprises e ON e.id = pe.enterprise_id \
    JOIN organisations o ON o.id = pe.bank_org_id LEFT JOIN push_settings ps ON ps.district_code = pl.district_code";

fn not_lead() -> StoreError {
    StoreError::Forbidden(ipfin_domain::confirmation::lead_only())
}

fn invalid(field: &'static str, code: &'static str, zh: String, en: &str) -> StoreError {
    StoreError::invalid(field, code, zh, en.to_string())
}

impl Store {
    /// The registry record of the enterprise the scope is (an enterprise's own account).
    pub async fn own_enterprise_id(&self, scope: &Scope) -> Result<i64> {
        let Some(org) = scope
            .organisation()
            .filter(|_| scope.org_kind() == Some(OrgKind::Enterprise))
        else {
            return Err(StoreError::NotFound);
        };
        #[derive(FromQueryResult)]
        struct I {
            id: i64,
        }
        fetch_opt::<I, _>(
            self.conn(),
            "SELECT id FROM enterprises WHERE organisation_id = ? ORDER BY id LIMIT 1",
            vec![org.into()],
        )
        .await?
        .map(|r| r.id)
        .ok_or(StoreError::NotFound)
    }

    /// An enterprise's consent (the enterprise itself, and its district's government).
    pub async fn consent(&self, scope: &Scope, enterprise_id: i64) -> Result<ConsentState> {
        let e = self.enterprise(scope, enterprise_id).await?;
        let history: Vec<ConsentEvent> = fetch_all(
            self.conn(),
            "SELECT id, given, scope, preferred_banks, channel, by_name, at FROM consent_events \
             WHERE enterprise_id = ? ORDER BY id DESC",
            vec![enterprise_id.into()],
        )
        .await?;
        let preferred = match history.iter().find(|h| h.channel != PUBLIC_CHANNEL) {
            Some(h) if h.given => ids_of(&h.preferred_banks),
            _ => vec![],
        };
        #[derive(FromQueryResult)]
        struct P {
            basis: Option<String>,
            pushable: bool,
        }
        let p: P = fetch_opt(
            self.conn(),
            &format!("SELECT e.data_public_basis AS basis, {PUSHABLE} AS pushable FROM enterprises e WHERE e.id = ?"),
            vec![enterprise_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let partners = match &e.registered_district {
            Some(d) => self.partners_of(self.conn(), d).await?,
            None => vec![],
        };
        Ok(ConsentState {
            enterprise_id,
            enterprise_name: e.name,
            district_code: e.registered_district,
            given: e.data_sharing_consent,
            public_basis: p.basis,
            pushable: p.pushable,
            preferred_banks: preferred
                .iter()
                .filter_map(|id| partners.iter().find(|p| p.org_id == *id).cloned())
                .collect(),
            history,
        })
    }

    /// The enterprise (for itself) or its district's lead officers (recording a consent given
    /// on paper) give or withdraw consent. Preferred banks must be partners of the district.
    /// A withdrawal hides the enterprise at once from every bank that has not contacted it.
    pub async fn record_consent(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        enterprise_id: i64,
        given: bool,
        preferred: &[OrgId],
    ) -> Result<()> {
        let e = self.enterprise_in(tx.conn(), scope, enterprise_id).await?;
        let channel = if scope.org_kind() == Some(OrgKind::Enterprise) {
            "enterprise"
        } else if e
            .registered_district
            .as_deref()
            .is_some_and(|d| scope.manages_district(d))
        {
            "officer"
        } else {
            return Err(StoreError::forbidden(
                "consent.who",
                "数据共享授权只能由企业本人或所在区牵头部门（凭企业书面授权）登记。",
                "Consent is given by the enterprise, or recorded by its district's lead officers.",
            ));
        };
        let partners = match &e.registered_district {
            Some(d) => self.partners_of(tx.conn(), d).await?,
            None => vec![],
        };
        if given
            && let Some(bad) = preferred
                .iter()
                .find(|b| !partners.iter().any(|p| p.org_id == **b))
        {
            return Err(invalid(
                "preferred_banks",
                "consent.preferred_bank",
                format!("意向银行（编号 {bad}）不是本区的合作银行，请从列表中选择。"),
                "A preferred bank is not a partner bank of the district.",
            ));
        }
        let banks = if given {
            preferred
                .iter()
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(",")
        } else {
            String::new()
        };
        record_consent_event(tx, enterprise_id, given, &banks, channel).await?;
        tx.audit(
            if given {
                "consent.give"
            } else {
                "consent.withdraw"
            },
            "enterprise",
            enterprise_id,
            json!({"scope": CONSENT_SCOPE, "preferred_banks": banks, "channel": channel}),
        )
        .await
    }

    /// The district's lead officers record that an enterprise's data is public (`Some(basis)`:
    /// e.g. "深交所上市公司，定期报告公开披露") or no longer so (`None`). An enterprise whose data
    /// is public may be pushed without a consent form unless it has said no; clearing the basis
    /// hides it from every bank that has not contacted it, unless it consented.
    pub async fn record_public_data(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        enterprise_id: i64,
        basis: Option<&str>,
    ) -> Result<()> {
        let e = self.enterprise_in(tx.conn(), scope, enterprise_id).await?;
        if !e
            .registered_district
            .as_deref()
            .is_some_and(|d| scope.manages_district(d))
        {
            return Err(StoreError::forbidden(
                "consent.public_who",
                "企业数据已公开的依据只能由企业所在区的牵头部门登记。",
                "Only the enterprise's district's lead officers record that its data is public.",
            ));
        }
        let basis = match basis.map(str::trim) {
            None => None,
            Some(b) if (4..=200).contains(&b.chars().count()) => Some(b.to_string()),
            Some(_) => {
                return Err(invalid(
                    "basis",
                    "consent.public_basis",
                    "请填写企业数据已公开的依据（4 至 200 个字），例如“深交所上市公司，定期报告公开披露”。"
                        .into(),
                    "State the basis on which the data is public (4 to 200 characters).",
                ));
            }
        };
        let by_name = crate::confirmation::signer_name(tx).await?;
        exec(
            tx.conn(),
            "INSERT INTO consent_events (enterprise_id, given, scope, preferred_banks, channel, by_user_id, by_name, at) \
             VALUES (?, ?, ?, '', ?, ?, ?, ?)",
            vec![
                enterprise_id.into(),
                basis.is_some().into(),
                basis.clone().unwrap_or_default().into(),
                PUBLIC_CHANNEL.into(),
                tx.actor_user_id().into(),
                by_name.into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE enterprises SET data_public_basis = ? WHERE id = ?",
            vec![basis.clone().into(), enterprise_id.into()],
        )
        .await?;
        if basis.is_none() {
            hide_unpushable(tx, enterprise_id).await?;
        }
        tx.audit(
            if basis.is_some() {
                "consent.public"
            } else {
                "consent.public_cleared"
            },
            "enterprise",
            enterprise_id,
            json!({"basis": basis}),
        )
        .await
    }

    /// The active banks (financial institutions of type bank), to choose partners from.
    pub async fn banks(&self) -> Result<Vec<(OrgId, String)>> {
        #[derive(FromQueryResult)]
        struct B {
            id: i64,
            name: String,
        }
        Ok(fetch_all::<B, _>(
            self.conn(),
            "SELECT id, name FROM organisations WHERE kind = 'financial_institution' AND institution_type = 'bank' \
             AND active = TRUE ORDER BY name, id",
            vec![],
        )
        .await?
        .into_iter()
        .map(|b| (OrgId::new(b.id), b.name))
        .collect())
    }

    /// The district's partner banks (its government reads).
    pub async fn partner_banks(&self, scope: &Scope, district: &str) -> Result<Vec<PartnerBank>> {
        if !scope.reads_district(district) && scope.org_kind() != Some(OrgKind::Enterprise) {
            return Err(StoreError::NotFound);
        }
        self.partners_of(self.conn(), district).await
    }

    async fn partners_of<C: ConnectionTrait>(
        &self,
        conn: &C,
        district: &str,
    ) -> Result<Vec<PartnerBank>> {
        #[derive(FromQueryResult)]
        struct P {
            id: i64,
            name: String,
            ip_kinds: Option<String>,
            min_fen: Option<Fen>,
            max_fen: Option<Fen>,
            industries: Option<String>,
        }
        let rows: Vec<P> = fetch_all(
            conn,
            "SELECT o.id, o.name, l.ip_kinds, l.min_fen, l.max_fen, l.industries FROM partner_banks p \
             JOIN organisations o ON o.id = p.bank_org_id LEFT JOIN bank_lending l ON l.bank_org_id = o.id \
             WHERE p.district_code = ? AND o.active = TRUE ORDER BY o.id",
            vec![district.into()],
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|p| PartnerBank {
                org_id: OrgId::new(p.id),
                name: p.name,
                lending: Lending {
                    ip_kinds: split_list(p.ip_kinds.as_deref().unwrap_or("")),
                    min_fen: p.min_fen,
                    max_fen: p.max_fen,
                    industries: split_list(p.industries.as_deref().unwrap_or("")),
                },
            })
            .collect())
    }

    /// The district's lead officers add a bank (a financial institution of type bank) as a
    /// partner of the district.
    pub async fn add_partner_bank(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: &str,
        bank: OrgId,
    ) -> Result<()> {
        if !scope.leads_district(district) {
            return Err(not_lead());
        }
        #[derive(FromQueryResult)]
        struct O {
            kind: String,
            institution_type: Option<String>,
            name: String,
        }
        let o: Option<O> = fetch_opt(
            tx.conn(),
            "SELECT kind, institution_type, name FROM organisations WHERE id = ? AND active = TRUE",
            vec![bank.into()],
        )
        .await?;
        let Some(o) = o.filter(|o| {
            o.kind == "financial_institution" && o.institution_type.as_deref() == Some("bank")
        }) else {
            return Err(invalid(
                "bank_org_id",
                "push.not_a_bank",
                format!("编号 {bank} 不是在用的银行机构，只有银行可以成为合作银行。"),
                "Only an active bank can be a partner bank.",
            ));
        };
        let n = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM partner_banks WHERE district_code = ? AND bank_org_id = ?",
            vec![district.into(), bank.into()],
        )
        .await?;
        if n > 0 {
            return Err(StoreError::conflict(
                "push.partner_exists",
                format!("{} 已是本区合作银行。", o.name),
                "Already a partner bank.",
            ));
        }
        exec(
            tx.conn(),
            "INSERT INTO partner_banks (district_code, bank_org_id, added_by, added_at) VALUES (?, ?, ?, ?)",
            vec![
                district.into(),
                bank.into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "push.partner_add",
            "organisation",
            bank.get(),
            json!({"district": district, "bank": o.name}),
        )
        .await
    }

    /// Ends a partnership (pushes already sent stay until their period ends).
    pub async fn remove_partner_bank(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: &str,
        bank: OrgId,
    ) -> Result<()> {
        if !scope.leads_district(district) {
            return Err(not_lead());
        }
        let n = exec(
            tx.conn(),
            "DELETE FROM partner_banks WHERE district_code = ? AND bank_org_id = ?",
            vec![district.into(), bank.into()],
        )
        .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(
            "push.partner_remove",
            "organisation",
            bank.get(),
            json!({"district": district}),
        )
        .await
    }

    /// What the bank the scope is declares it lends on.
    pub async fn bank_lending(&self, scope: &Scope) -> Result<Lending> {
        let bank = own_bank(scope)?;
        #[derive(FromQueryResult)]
        struct L {
            ip_kinds: String,
            min_fen: Option<Fen>,
            max_fen: Option<Fen>,
            industries: String,
        }
        let l: Option<L> = fetch_opt(
            self.conn(),
            "SELECT ip_kinds, min_fen, max_fen, industries FROM bank_lending WHERE bank_org_id = ?",
            vec![bank.into()],
        )
        .await?;
        Ok(l.map(|l| Lending {
            ip_kinds: split_list(&l.ip_kinds),
            min_fen: l.min_fen,
            max_fen: l.max_fen,
            industries: split_list(&l.industries),
        })
        .unwrap_or_default())
    }

    /// The bank declares what it lends on (checked by the domain before).
    pub async fn set_bank_lending(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        l: &Lending,
    ) -> Result<()> {
        let bank = own_bank(scope)?;
        exec(
            tx.conn(),
            "DELETE FROM bank_lending WHERE bank_org_id = ?",
            vec![bank.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "INSERT INTO bank_lending (bank_org_id, ip_kinds, min_fen, max_fen, industries, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                bank.into(),
                l.ip_kinds.join(",").into(),
                l.min_fen.map(|f| f.get()).into(),
                l.max_fen.map(|f| f.get()).into(),
                l.industries.join(",").into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "push.lending",
            "organisation",
            bank.get(),
            json!({"ip_kinds": l.ip_kinds, "min_fen": l.min_fen.map(|f| f.get()),
                   "max_fen": l.max_fen.map(|f| f.get()), "industries": l.industries}),
        )
        .await
    }

    /// The district's push settings (the defaults until its lead officers set them).
    pub async fn push_settings(&self, scope: &Scope, district: &str) -> Result<Settings> {
        if !scope.reads_district(district) {
            return Err(StoreError::NotFound);
        }
        settings_of(self.conn(), district).await
    }

    pub async fn set_push_settings(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: &str,
        s: Settings,
    ) -> Result<()> {
        if !scope.leads_district(district) {
            return Err(not_lead());
        }
        exec(
            tx.conn(),
            "DELETE FROM push_settings WHERE district_code = ?",
            vec![district.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "INSERT INTO push_settings (district_code, max_banks, period_days, first_contact_working_days, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                district.into(),
                i64::from(s.max_banks).into(),
                i64::from(s.period_days).into(),
                i64::from(s.first_contact_working_days).into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "push.settings",
            "district",
            0,
            json!({"district": district, "max_banks": s.max_banks, "period_days": s.period_days,
                   "first_contact_working_days": s.first_contact_working_days}),
        )
        .await
    }

    /// A lead officer prepares a push list for the district: the whitelist's enterprises that
    /// consented (optionally only those with a tag), at most `limit`, those pushed least
    /// recently first, assigned to the partner banks by `method`. The list waits for a second
    /// officer (the returned request); nothing leaves the government before.
    #[allow(clippy::too_many_arguments)]
    pub async fn prepare_push(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: &str,
        method: Method,
        pick: Pick<'_>,
        limit: u32,
        note: &str,
        today: NaiveDate,
    ) -> Result<crate::confirmation::ConfirmationRow> {
        if !scope.leads_district(district) {
            return Err(not_lead());
        }
        let mut errors = Vec::new();
        if !(1..=MAX_LIST).contains(&limit) {
            errors.push(FieldError::new(
                "limit",
                "push.limit",
                format!("本次推送企业数须为 1 至 {MAX_LIST}。"),
                format!("The number of enterprises must be 1 to {MAX_LIST}."),
            ));
        }
        let note = note.trim();
        if note.chars().count() > 500 {
            errors.push(FieldError::new(
                "note",
                "push.note",
                "说明最多 500 字。",
                "The note is at most 500 characters.",
            ));
        }
        let settings = settings_of(tx.conn(), district).await?;
        let partners = self.partners_of(tx.conn(), district).await?;
        if partners.is_empty() {
            errors.push(FieldError::new(
                "method",
                "push.no_partners",
                "本区尚未设置合作银行，请先在“合作银行”中添加。",
                "The district has no partner banks yet.",
            ));
        }
        if !errors.is_empty() {
            return Err(StoreError::fields(errors));
        }
        let (candidates, scores, model_version) = match pick {
            Pick::Whitelist { tag } => (
                candidates(tx.conn(), district, tag, limit, today).await?,
                std::collections::HashMap::new(),
                None,
            ),
            Pick::Screened {
                model_version,
                scored,
            } => {
                let c = screened_candidates(tx.conn(), district, scored, limit).await?;
                let scores: std::collections::HashMap<i64, (u32, ipfin_domain::screening::Band)> =
                    scored.iter().map(|(id, s, b)| (*id, (*s, *b))).collect();
                (c, scores, Some(i64::from(model_version)))
            }
        };
        if candidates.is_empty() {
            return Err(invalid(
                "source",
                "push.no_candidates",
                match pick {
                    Pick::Whitelist { .. } => {
                        "白名单中没有已授权数据共享的企业可推送（按所选标签）。".to_string()
                    }
                    Pick::Screened { .. } => {
                        "数据化筛选达标的企业中没有已授权数据共享的企业可推送。".to_string()
                    }
                },
                "No enterprise with consent to push.",
            ));
        }
        let recent = recent_pairs(tx.conn(), &candidates, today).await?;
        let banks: Vec<Bank> = partners
            .iter()
            .map(|p| Bank {
                org_id: p.org_id,
                lending: p.lending.clone(),
            })
            .collect();
        let (assigned, skipped) = assign(&candidates, &banks, method, settings.max_banks, &recent);
        if assigned.is_empty() {
            let why = skipped
                .first()
                .map(|s| s.reason.clone())
                .unwrap_or_default();
            return Err(invalid(
                "method",
                "push.nothing_assigned",
                format!("按所选方式没有可推送的企业与银行组合（例如：{why}）。请换一种分配方式。"),
                "Nothing could be assigned by this method.",
            ));
        }
        let list_id = fetch_i64(
            tx.conn(),
            "INSERT INTO push_lists (district_code, method, k, period_days, note, state, prepared_by, prepared_at, model_version) \
             VALUES (?, ?, ?, ?, ?, 'prepared', ?, ?, ?) RETURNING id",
            vec![
                district.into(),
                method.code().into(),
                i64::from(settings.max_banks).into(),
                i64::from(settings.period_days).into(),
                note.to_string().into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
                model_version.into(),
            ],
        )
        .await?;
        for a in &assigned {
            let scored = scores.get(&a.enterprise_id);
            let (source, reason) = match scored {
                Some((s, b)) => (
                    Source::Screening,
                    format!(
                        "{}；筛选得分 {}（{}，模型第 {} 版）",
                        a.reason,
                        ipfin_domain::screening::Score(*s),
                        b.zh(),
                        model_version.unwrap_or(0)
                    ),
                ),
                None => (Source::Whitelist, a.reason.clone()),
            };
            exec(
                tx.conn(),
                "INSERT INTO push_entries (list_id, enterprise_id, bank_org_id, source, score, band, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                vec![
                    list_id.into(),
                    a.enterprise_id.into(),
                    a.bank.into(),
                    source.code().into(),
                    scored.map(|(s, _)| i64::from(*s)).into(),
                    scored.map(|(_, b)| b.code().to_string()).into(),
                    reason.into(),
                ],
            )
            .await?;
        }
        let step = plan_push(tx.conn(), list_id, today).await?;
        tx.audit(
            "push.prepare",
            "push_list",
            list_id,
            json!({"district": district, "method": method.code(), "lines": step.lines.len(),
                   "skipped": skipped.len()}),
        )
        .await?;
        crate::confirmation::record_request(
            tx,
            scope,
            district,
            ipfin_domain::confirmation::Step::Push(step),
        )
        .await
    }

    /// Sends a confirmed push list: the banks see their enterprises from today for the period
    /// and are notified.
    pub(crate) async fn send_push(
        tx: &mut WriteTx,
        step: &PushStep,
        today: NaiveDate,
    ) -> Result<()> {
        let until = today + Days::new(u64::from(step.period_days.saturating_sub(1)));
        let n = exec(
            tx.conn(),
            "UPDATE push_lists SET state = 'sent', sent_at = ?, sent_on = ?, until_on = ? WHERE id = ? AND state = 'prepared'",
            vec![
                crate::now_s().into(),
                today.into(),
                until.into(),
                step.list_id.into(),
            ],
        )
        .await?;
        if n != 1 {
            return Err(changed_list());
        }
        exec(
            tx.conn(),
            "UPDATE push_entries SET visible = TRUE WHERE list_id = ?",
            vec![step.list_id.into()],
        )
        .await?;
        for (bank, count) in per_bank_ids(step) {
            notify(
                tx.conn(),
                Some(OrgId::new(bank)),
                None,
                None,
                (
                    format!(
                        "区知识产权局向贵行推送了 {count} 户企业（推送有效期至 {}），请及时联系并登记跟进情况。",
                        ipfin_domain::format::date_zh(until)
                    ),
                    format!(
                        "The district pushed {count} enterprises to you (valid until {}): contact them and record the follow-up.",
                        ipfin_domain::format::date(until, ipfin_domain::Lang::En)
                    ),
                ),
                "/pushed".into(),
            )
            .await?;
        }
        tx.audit(
            "push.send",
            "push_list",
            step.list_id,
            json!({"lines": step.lines.len(), "until": until}),
        )
        .await
    }

    /// A refused or withdrawn push request cancels its list.
    pub(crate) async fn cancel_push(tx: &WriteTx, list_id: i64) -> Result<()> {
        exec(
            tx.conn(),
            "UPDATE push_lists SET state = 'cancelled' WHERE id = ? AND state = 'prepared'",
            vec![list_id.into()],
        )
        .await
        .map(|_| ())
    }

    /// The district's push lists, newest first (its government; the city: all or one).
    pub async fn push_lists(
        &self,
        scope: &Scope,
        district: Option<&str>,
        page: Page,
    ) -> Result<Paged<PushListRow>> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::PushLists);
        let mut from =
            format!("FROM push_lists pl LEFT JOIN users u ON u.id = pl.prepared_by WHERE {cond}");
        if let Some(d) = district {
            from.push_str(" AND pl.district_code = ?");
            values.push(d.to_string().into());
        }
        fetch_page(self.conn(), LIST_COLS, &from, "pl.id DESC", values, page).await
    }

    /// One push list with its lines (its district's government).
    pub async fn push_list(
        &self,
        scope: &Scope,
        id: i64,
    ) -> Result<(PushListRow, Vec<PushEntryRow>)> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::PushLists);
        values.insert(0, id.into());
        let list: PushListRow = fetch_opt(
            self.conn(),
            &format!(
                "SELECT {LIST_COLS} FROM push_lists pl LEFT JOIN users u ON u.id = pl.prepared_by WHERE pl.id = ? AND {cond}"
            ),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let entries = fetch_all(
            self.conn(),
            &format!(
                "SELECT {ENTRY_COLS} {ENTRY_FROM} WHERE pe.list_id = ? ORDER BY e.name, pe.id"
            ),
            vec![id.into()],
        )
        .await?;
        Ok((list, entries))
    }

    /// What was pushed to the bank the scope is and it sees now, newest first.
    pub async fn pushed(
        &self,
        scope: &Scope,
        f: ReceivedFilter,
        page: Page,
    ) -> Result<Paged<PushEntryRow>> {
        let bank = own_bank(scope)?;
        let (cond, mut values) = crate::visibility::condition(scope, Records::Enterprises);
        values.push(bank.into());
        let mut from =
            format!("{ENTRY_FROM} WHERE {cond} AND pe.bank_org_id = ? AND pe.visible = TRUE");
        if f.awaiting_contact {
            from.push_str(" AND pe.first_contact_on IS NULL");
        }
        fetch_page(
            self.conn(),
            ENTRY_COLS,
            &from,
            "pl.sent_on DESC, pe.id DESC",
            values,
            page,
        )
        .await
    }

    /// The bank's count of entries awaiting first contact (for its home page).
    pub async fn pushed_awaiting_contact(&self, scope: &Scope) -> Result<i64> {
        let bank = own_bank(scope)?;
        fetch_i64(
            self.conn(),
            "SELECT COUNT(*) FROM push_entries WHERE bank_org_id = ? AND visible = TRUE AND first_contact_on IS NULL",
            vec![bank.into()],
        )
        .await
    }

    /// One entry pushed to the bank, with its follow-ups (404 for anything not pushed to it or
    /// no longer visible to it).
    pub async fn pushed_entry(
        &self,
        scope: &Scope,
        entry_id: i64,
    ) -> Result<(PushEntryRow, Vec<FollowUpRow>)> {
        let e = entry_for(self.conn(), scope, entry_id).await?;
        let f = follow_ups(self.conn(), entry_id).await?;
        Ok((e, f))
    }

    /// The follow-ups of an entry the district's government reads (from its push list).
    pub async fn push_entry_follow_ups(
        &self,
        scope: &Scope,
        entry_id: i64,
    ) -> Result<(PushEntryRow, Vec<FollowUpRow>)> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::PushLists);
        values.insert(0, entry_id.into());
        let e: PushEntryRow = fetch_opt(
            self.conn(),
            &format!("SELECT {ENTRY_COLS} {ENTRY_FROM} WHERE pe.id = ? AND {cond}"),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let f = follow_ups(self.conn(), entry_id).await?;
        Ok((e, f))
    }

    /// The bank records a contact with a pushed enterprise. A granted loan must be one this bank
    /// reported for this enterprise.
    pub async fn record_follow_up(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        entry_id: i64,
        f: &FollowUp,
    ) -> Result<i64> {
        let e = entry_for(tx.conn(), scope, entry_id).await?;
        if let Some(loan) = f.loan_id {
            let n = fetch_i64(
                tx.conn(),
                "SELECT COUNT(*) FROM loans WHERE id = ? AND lender_org_id = ? AND enterprise_id = ?",
                vec![loan.into(), e.bank_org_id.into(), e.enterprise_id.into()],
            )
            .await?;
            if n == 0 {
                return Err(invalid(
                    "loan_id",
                    "push.loan_unknown",
                    format!(
                        "贷款编号 {loan} 不是本行为“{}”报送的贷款，请先报送贷款再登记放款。",
                        e.enterprise_name
                    ),
                    "The loan is not one this bank reported for the enterprise.",
                ));
            }
        }
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO push_follow_ups (entry_id, contacted_on, channel, person, outcome, loan_id, note, recorded_by, recorded_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                entry_id.into(),
                f.contacted_on.into(),
                f.channel.code().into(),
                f.person.clone().into(),
                f.outcome.code().into(),
                f.loan_id.into(),
                f.note.clone().into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        // The entry's state: the first contact (the earliest date a reached contact was made),
        // the latest outcome, the loan once granted.
        let first = if f.outcome.contacted() {
            Some(
                e.first_contact_on
                    .map_or(f.contacted_on, |d| d.min(f.contacted_on)),
            )
        } else {
            e.first_contact_on
        };
        exec(
            tx.conn(),
            "UPDATE push_entries SET first_contact_on = ?, outcome = ?, loan_id = COALESCE(?, loan_id) WHERE id = ?",
            vec![
                first.into(),
                f.outcome.code().into(),
                f.loan_id.into(),
                entry_id.into(),
            ],
        )
        .await?;
        tx.audit(
            "push.follow_up",
            "push_entry",
            entry_id,
            json!({"enterprise_id": e.enterprise_id, "contacted_on": f.contacted_on,
                   "channel": f.channel.code(), "outcome": f.outcome.code(), "loan_id": f.loan_id}),
        )
        .await?;
        Ok(id)
    }

    /// The daily job: pushes whose period ended are no longer visible to their banks.
    pub async fn expire_pushes(&self, today: NaiveDate) -> Result<u64> {
        exec(
            self.conn(),
            "UPDATE push_entries SET visible = FALSE, hidden_reason = 'expired' \
             WHERE visible = TRUE AND list_id IN (SELECT id FROM push_lists WHERE state = 'sent' AND until_on < ?)",
            vec![today.into()],
        )
        .await
    }
}

/// Records a change of consent and keeps the enterprise's current flag; a withdrawal hides the
/// enterprise from every bank that has not contacted it. Used by the enterprise's own page, the
/// officer's figures form and the import alike.
pub(crate) async fn record_consent_event(
    tx: &WriteTx,
    enterprise_id: i64,
    given: bool,
    preferred_banks: &str,
    channel: &str,
) -> Result<()> {
    let by_name = crate::confirmation::signer_name(tx).await?;
    exec(
        tx.conn(),
        "INSERT INTO consent_events (enterprise_id, given, scope, preferred_banks, channel, by_user_id, by_name, at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            enterprise_id.into(),
            given.into(),
            CONSENT_SCOPE.into(),
            preferred_banks.into(),
            channel.into(),
            tx.actor_user_id().into(),
            by_name.into(),
            crate::now_s().into(),
        ],
    )
    .await?;
    exec(
        tx.conn(),
        "UPDATE enterprises SET data_sharing_consent = ? WHERE id = ?",
        vec![given.into(), enterprise_id.into()],
    )
    .await?;
    if !given {
        hide_unpushable(tx, enterprise_id).await?;
    }
    Ok(())
}

/// Hides the enterprise from every bank that has not contacted it, when it may no longer be
/// pushed (consent withdrawn, or its public basis cleared without consent).
async fn hide_unpushable(tx: &WriteTx, enterprise_id: i64) -> Result<()> {
    exec(
        tx.conn(),
        &format!(
            "UPDATE push_entries SET visible = FALSE, hidden_reason = 'consent_withdrawn' \
             WHERE enterprise_id = ? AND visible = TRUE AND first_contact_on IS NULL \
             AND NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.id = push_entries.enterprise_id AND {PUSHABLE})"
        ),
        vec![enterprise_id.into()],
    )
    .await?;
    Ok(())
}

pub(crate) fn own_bank(scope: &Scope) -> Result<OrgId> {
    scope
        .organisation()
        .filter(|_| scope.org_kind() == Some(OrgKind::FinancialInstitution))
        .ok_or(StoreError::NotFound)
}

fn changed_list() -> StoreError {
    StoreError::conflict(
        "confirmation.changed",
        "推送名单已变化（已发送或已取消），请刷新页面后查看。",
        "The push list changed meanwhile; reload.",
    )
}

fn per_bank_ids(step: &PushStep) -> Vec<(i64, usize)> {
    let mut m: std::collections::BTreeMap<i64, usize> = Default::default();
    for l in &step.lines {
        *m.entry(l.bank_org_id).or_default() += 1;
    }
    m.into_iter().collect()
}

async fn settings_of<C: ConnectionTrait>(conn: &C, district: &str) -> Result<Settings> {
    #[derive(FromQueryResult)]
    struct S {
        max_banks: i32,
        period_days: i32,
        first_contact_working_days: i32,
    }
    let s: Option<S> = fetch_opt(
        conn,
        "SELECT max_banks, period_days, first_contact_working_days FROM push_settings WHERE district_code = ?",
        vec![district.into()],
    )
    .await?;
    Ok(s.map(|s| Settings {
        max_banks: s.max_banks.max(1) as u32,
        period_days: s.period_days.max(1) as u32,
        first_contact_working_days: s.first_contact_working_days.max(1) as u32,
    })
    .unwrap_or_default())
}

/// The district's whitelisted enterprises that consented, least recently pushed first.
async fn candidates<C: ConnectionTrait>(
    conn: &C,
    district: &str,
    tag: Option<&str>,
    limit: u32,
    today: NaiveDate,
) -> Result<Vec<Candidate>> {
    let mut values: Vec<Value> = vec![today.into(), today.into()];
    let mut tag_sql = crate::whitelist::VALID_TAG.to_string();
    if let Some(t) = tag {
        tag_sql.push_str(" AND t.tag_type = ?");
        values.push(t.to_string().into());
    }
    let listed = if tag.is_some() {
        tag_sql
    } else {
        values.push(today.into());
        format!("{tag_sql} UNION {}", crate::whitelist::ACTIVE_DECISION)
    };
    values.push(district.into());
    values.push(i64::from(limit).into());
    #[derive(FromQueryResult)]
    struct C {
        id: i64,
        industry: Option<String>,
        banks: Option<String>,
    }
    let rows: Vec<C> = fetch_all(
        conn,
        &format!(
            "SELECT e.id, e.industry, \
             (SELECT c.preferred_banks FROM consent_events c WHERE c.enterprise_id = e.id ORDER BY c.id DESC LIMIT 1) AS banks \
             FROM enterprises e WHERE e.id IN ({listed}) AND e.registered_district = ? AND {PUSHABLE} \
             ORDER BY COALESCE((SELECT MAX(x.list_id) FROM push_entries x JOIN push_lists l ON l.id = x.list_id \
             WHERE x.enterprise_id = e.id AND l.state <> 'cancelled'), 0), e.id LIMIT ?"
        ),
        values,
    )
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut kinds = kinds_of(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Candidate {
            enterprise_id: r.id,
            preferred_banks: ids_of(r.banks.as_deref().unwrap_or("")),
            ip_kinds: kinds.remove(&r.id).unwrap_or_default(),
            need_fen: None,
            industry: r.industry,
        })
        .collect())
}

/// The screened enterprises (best first) of the district that consented, at most `limit`.
async fn screened_candidates<C: ConnectionTrait>(
    conn: &C,
    district: &str,
    scored: &[(i64, u32, ipfin_domain::screening::Band)],
    limit: u32,
) -> Result<Vec<Candidate>> {
    #[derive(FromQueryResult)]
    struct C {
        id: i64,
        industry: Option<String>,
        banks: Option<String>,
    }
    let mut found: std::collections::HashMap<i64, C> = Default::default();
    for chunk in scored.chunks(400) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut values: Vec<Value> = chunk.iter().map(|(id, _, _)| (*id).into()).collect();
        values.push(district.into());
        let rows: Vec<C> = fetch_all(
            conn,
            &format!(
                "SELECT e.id, e.industry, \
                 (SELECT c.preferred_banks FROM consent_events c WHERE c.enterprise_id = e.id ORDER BY c.id DESC LIMIT 1) AS banks \
                 FROM enterprises e WHERE e.id IN ({marks}) AND e.registered_district = ? AND {PUSHABLE}"
            ),
            values,
        )
        .await?;
        found.extend(rows.into_iter().map(|r| (r.id, r)));
    }
    let ids: Vec<i64> = scored
        .iter()
        .map(|(id, _, _)| *id)
        .filter(|id| found.contains_key(id))
        .take(limit as usize)
        .collect();
    let mut kinds = kinds_of(conn, &ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| found.remove(id))
        .map(|r| Candidate {
            enterprise_id: r.id,
            preferred_banks: ids_of(r.banks.as_deref().unwrap_or("")),
            ip_kinds: kinds.remove(&r.id).unwrap_or_default(),
            need_fen: None,
            industry: r.industry,
        })
        .collect())
}

/// The kinds of IP asset each enterprise holds.
async fn kinds_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<String>>> {
    #[derive(FromQueryResult)]
    struct K {
        enterprise_id: i64,
        kind: String,
    }
    let mut out: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for chunk in ids.chunks(400) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let rows: Vec<K> = fetch_all(
            conn,
            &format!(
                "SELECT DISTINCT enterprise_id, kind FROM ip_assets WHERE enterprise_id IN ({marks}) ORDER BY enterprise_id, kind"
            ),
            chunk.iter().map(|i| (*i).into()).collect(),
        )
        .await?;
        for k in rows {
            out.entry(k.enterprise_id).or_default().push(k.kind);
        }
    }
    Ok(out)
}

/// Pairs (enterprise, bank) pushed within their period, or waiting in a prepared list.
async fn recent_pairs<C: ConnectionTrait>(
    conn: &C,
    candidates: &[Candidate],
    today: NaiveDate,
) -> Result<HashSet<(i64, OrgId)>> {
    let mut out = HashSet::new();
    for chunk in candidates.chunks(400) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut values: Vec<Value> = chunk.iter().map(|c| c.enterprise_id.into()).collect();
        values.push(today.into());
        #[derive(FromQueryResult)]
        struct P {
            enterprise_id: i64,
            bank_org_id: i64,
        }
        let rows: Vec<P> = fetch_all(
            conn,
            &format!(
                "SELECT x.enterprise_id, x.bank_org_id FROM push_entries x JOIN push_lists l ON l.id = x.list_id \
                 WHERE x.enterprise_id IN ({marks}) AND (l.state = 'prepared' OR (l.state = 'sent' AND l.until_on >= ?))"
            ),
            values,
        )
        .await?;
        out.extend(
            rows.into_iter()
                .map(|p| (p.enterprise_id, OrgId::new(p.bank_org_id))),
        );
    }
    Ok(out)
}

/// The plan of a prepared list, checked line by line as of now: the enterprise still consents
/// and is registered in the district, the bank is still a partner, and no other list pushed the
/// pair within its period. Preparing and confirming both run it; a line that no longer holds
/// refuses the step with its reason.
pub(crate) async fn plan_push<C: ConnectionTrait>(
    conn: &C,
    list_id: i64,
    today: NaiveDate,
) -> Result<PushStep> {
    #[derive(FromQueryResult)]
    struct L {
        district_code: String,
        method: String,
        k: i32,
        period_days: i32,
        state: String,
    }
    let l: L = fetch_opt(
        conn,
        "SELECT district_code, method, k, period_days, state FROM push_lists WHERE id = ?",
        vec![list_id.into()],
    )
    .await?
    .ok_or(StoreError::NotFound)?;
    if l.state != "prepared" {
        return Err(changed_list());
    }
    #[derive(FromQueryResult)]
    struct E {
        enterprise_id: i64,
        name: String,
        credit_code: String,
        registered_district: Option<String>,
        pushable: bool,
        bank_org_id: i64,
        bank_name: String,
        partner: i64,
        elsewhere: i64,
        source: String,
        reason: String,
    }
    let rows: Vec<E> = fetch_all(
        conn,
        &format!("SELECT pe.enterprise_id, e.name, e.credit_code, e.registered_district, {PUSHABLE} AS pushable, pe.bank_org_id, \
         o.name AS bank_name, \
         (SELECT COUNT(*) FROM partner_banks p WHERE p.district_code = ? AND p.bank_org_id = pe.bank_org_id) AS partner, \
         (SELECT COUNT(*) FROM push_entries x JOIN push_lists y ON y.id = x.list_id WHERE x.enterprise_id = pe.enterprise_id \
           AND x.bank_org_id = pe.bank_org_id AND x.list_id <> pe.list_id AND y.state = 'sent' AND y.until_on >= ?) AS elsewhere, \
         pe.source, pe.reason \
         FROM push_entries pe JOIN enterprises e ON e.id = pe.enterprise_id JOIN organisations o ON o.id = pe.bank_org_id \
         WHERE pe.list_id = ? ORDER BY pe.id"),
        vec![l.district_code.clone().into(), today.into(), list_id.into()],
    )
    .await?;
    let mut problems = Vec::new();
    for r in &rows {
        if !r.pushable {
            problems.push(format!("“{}”已撤回数据共享授权", r.name));
        } else if r.registered_district.as_deref() != Some(l.district_code.as_str()) {
            problems.push(format!("“{}”已不在本区登记", r.name));
        }
        if r.partner == 0 {
            problems.push(format!("“{}”已不是本区合作银行", r.bank_name));
        }
        if r.elsewhere > 0 {
            problems.push(format!(
                "“{}”在推送有效期内已推送给“{}”",
                r.name, r.bank_name
            ));
        }
    }
    if !problems.is_empty() {
        problems.dedup();
        return Err(StoreError::Invalid(FieldError {
            field: "list",
            msg: Msg::new(
                "push.line_invalid",
                format!(
                    "推送名单中有不能推送的企业：{}。请退回或撤回本名单后重新准备。",
                    problems.join("；")
                ),
                "Some lines of the push list can no longer be pushed; prepare it again.",
            ),
        }));
    }
    Ok(PushStep {
        list_id,
        method: l.method,
        k: l.k.max(1) as u32,
        period_days: l.period_days.max(1) as u32,
        lines: rows
            .into_iter()
            .map(|r| PushLine {
                enterprise_id: r.enterprise_id,
                enterprise_name: r.name,
                credit_code: r.credit_code,
                bank_org_id: r.bank_org_id,
                bank_name: r.bank_name,
                source: r.source,
                reason: r.reason,
            })
            .collect(),
    })
}

/// An entry pushed to the bank the scope is and visible to it now.
async fn entry_for<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    entry_id: i64,
) -> Result<PushEntryRow> {
    let bank = own_bank(scope)?;
    let (cond, mut values) = crate::visibility::condition(scope, Records::Enterprises);
    values.insert(0, entry_id.into());
    values.push(bank.into());
    fetch_opt(
        conn,
        &format!(
            "SELECT {ENTRY_COLS} {ENTRY_FROM} WHERE pe.id = ? AND {cond} AND pe.bank_org_id = ? AND pe.visible = TRUE"
        ),
        values,
    )
    .await?
    .ok_or(StoreError::NotFound)
}

async fn follow_ups<C: ConnectionTrait>(conn: &C, entry_id: i64) -> Result<Vec<FollowUpRow>> {
    fetch_all(
        conn,
        "SELECT f.id, f.entry_id, f.contacted_on, f.channel, f.person, f.outcome, f.loan_id, f.note, \
         u.display_name AS recorded_by_name, f.recorded_at FROM push_follow_ups f LEFT JOIN users u ON u.id = f.recorded_by \
         WHERE f.entry_id = ? ORDER BY f.contacted_on DESC, f.id DESC",
        vec![entry_id.into()],
    )
    .await
}

/// The channel's label (for pages and exports).
pub fn channel_zh(code: &str) -> &'static str {
    Channel::from_code(code).map_or("", Channel::zh)
}

/// The demo (issue #20): Nanshan works with three partner banks (the first declares what it
/// lends on); the whitelisted 鹏华光电 and 前海云链 consent beside 南山示例; a list sent 20 days
/// ago pushes one enterprise to each bank (seeded as confirmed, like the demo's published
/// policies); the first bank reached its enterprise and an application is in progress, the
/// second needs more time, the third has not called yet (first contact overdue).
pub(crate) async fn seed_demo(tx: &WriteTx, banks: &[OrgId; 3]) -> Result<()> {
    let district = "440305";
    let now = crate::now_s();
    let today = crate::today_shanghai();
    for b in banks {
        exec(
            tx.conn(),
            "INSERT INTO partner_banks (district_code, bank_org_id, added_by, added_at) VALUES (?, ?, NULL, ?)",
            vec![district.into(), (*b).into(), now.into()],
        )
        .await?;
    }
    exec(
        tx.conn(),
        "INSERT INTO bank_lending (bank_org_id, ip_kinds, min_fen, max_fen, industries, updated_by, updated_at) \
         VALUES (?, 'patent,trademark', 100000000, 3000000000, 'C,I', NULL, ?)",
        vec![banks[0].into(), now.into()],
    )
    .await?;
    let id_of = |name: &'static str| async move {
        fetch_i64(
            tx.conn(),
            "SELECT id FROM enterprises WHERE name = ?",
            vec![name.into()],
        )
        .await
    };
    let names = [
        "深圳市南山示例科技有限公司",
        "深圳市鹏华光电科技有限公司",
        "深圳市前海云链信息技术有限公司",
    ];
    let mut ids = Vec::new();
    for n in names {
        ids.push(id_of(n).await?);
    }
    for id in &ids[1..] {
        record_consent_event(tx, *id, true, &banks[0].to_string(), "officer").await?;
    }
    let sent = today - Days::new(20);
    let until = sent + Days::new(89);
    let list = fetch_i64(
        tx.conn(),
        "INSERT INTO push_lists (district_code, method, k, period_days, note, state, prepared_by, prepared_at, sent_at, sent_on, until_on) \
         VALUES (?, 'round_robin', 1, 90, '演示：第一批白名单推送', 'sent', NULL, ?, ?, ?, ?) RETURNING id",
        vec![
            district.into(),
            (now - 21 * 86_400).into(),
            (now - 20 * 86_400).into(),
            sent.into(),
            until.into(),
        ],
    )
    .await?;
    let mut entries = Vec::new();
    for (e, b) in ids.iter().zip(banks) {
        entries.push(
            fetch_i64(
                tx.conn(),
                "INSERT INTO push_entries (list_id, enterprise_id, bank_org_id, source, reason, visible) \
                 VALUES (?, ?, ?, 'whitelist', '轮流分配', TRUE) RETURNING id",
                vec![list.into(), (*e).into(), (*b).into()],
            )
            .await?,
        );
    }
    for (entry, days_ago, channel, person, outcome, note) in [
        (
            entries[0],
            17,
            "phone",
            "王经理",
            "applying",
            "企业有 500 万元研发贷款需求，已提交授信申请。",
        ),
        (
            entries[1],
            9,
            "visit",
            "李经理",
            "needs_time",
            "上门介绍产品，企业下月答复。",
        ),
    ] {
        let on = today - Days::new(days_ago);
        exec(
            tx.conn(),
            "INSERT INTO push_follow_ups (entry_id, contacted_on, channel, person, outcome, loan_id, note, recorded_by, recorded_at) \
             VALUES (?, ?, ?, ?, ?, NULL, ?, NULL, ?)",
            vec![entry.into(), on.into(), channel.into(), person.into(), outcome.into(), note.into(), now.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE push_entries SET first_contact_on = ?, outcome = ? WHERE id = ?",
            vec![on.into(), outcome.into(), entry.into()],
        )
        .await?;
    }
    Ok(())
}

impl Store {
    /// The pushed lines sent between `from` and `to` (inclusive) that the scope may count: the
    /// district's government its district's (the city all, or one); a bank its own.
    pub async fn funnel_entries(
        &self,
        scope: &Scope,
        district: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FunnelEntry>> {
        let (mut cond, mut values) = if scope.is_government() {
            crate::visibility::condition(scope, Records::PushLists)
        } else {
            let bank = own_bank(scope)?;
            ("pe.bank_org_id = ?".to_string(), vec![bank.into()])
        };
        if let Some(d) = district {
            cond.push_str(" AND pl.district_code = ?");
            values.push(d.to_string().into());
        }
        values.push(from.into());
        values.push(to.into());
        #[derive(FromQueryResult)]
        struct R {
            district_code: String,
            bank_org_id: i64,
            bank_name: String,
            source: String,
            sent_on: NaiveDate,
            first_contact_on: Option<NaiveDate>,
            outcome: Option<String>,
            principal_fen: Option<Fen>,
        }
        let rows: Vec<R> = fetch_all(
            self.conn(),
            &format!(
                "SELECT pl.district_code, pe.bank_org_id, o.name AS bank_name, \
                 CASE WHEN pe.band IS NULL THEN pe.source ELSE pe.source || ':' || pe.band END AS source, pl.sent_on, pe.first_contact_on, \
                 pe.outcome, l.principal_fen FROM push_entries pe JOIN push_lists pl ON pl.id = pe.list_id \
                 JOIN organisations o ON o.id = pe.bank_org_id LEFT JOIN loans l ON l.id = pe.loan_id \
                 WHERE {cond} AND pl.state = 'sent' AND pl.sent_on >= ? AND pl.sent_on <= ?"
            ),
            values,
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| FunnelEntry {
                district: r.district_code,
                bank: OrgId::new(r.bank_org_id),
                bank_name: r.bank_name,
                source: r.source,
                sent_on: r.sent_on,
                first_contact_on: r.first_contact_on,
                outcome: r.outcome.as_deref().and_then(Outcome::from_code),
                granted_fen: r.principal_fen,
            })
            .collect())
    }

    /// How many enterprises each district has on its whitelist today (the conformance matrix).
    pub async fn whitelist_counts(
        &self,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<std::collections::HashMap<String, i64>> {
        if !scope.is_government() {
            return Err(StoreError::NotFound);
        }
        #[derive(FromQueryResult)]
        struct C {
            registered_district: Option<String>,
            n: i64,
        }
        let rows: Vec<C> = fetch_all(
            self.conn(),
            &format!(
                "SELECT e.registered_district, COUNT(*) AS n FROM enterprises e WHERE e.id IN ({} UNION {}) \
                 GROUP BY e.registered_district",
                crate::whitelist::VALID_TAG,
                crate::whitelist::ACTIVE_DECISION
            ),
            vec![today.into(), today.into(), today.into()],
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|c| c.registered_district.map(|d| (d, c.n)))
            .filter(|(d, _)| scope.reads_district(d))
            .collect())
    }
}

impl Store {
    /// The daily job: each pushed line whose first contact is overdue (the district's limit of
    /// working days after the push) is flagged once to its bank and to the district.
    pub async fn notify_overdue_first_contacts(&self, today: NaiveDate) -> Result<u64> {
        let cal = self.calendar().await?;
        let rows: Vec<PushEntryRow> = fetch_all(
            self.conn(),
            &format!(
                "SELECT {ENTRY_COLS} {ENTRY_FROM} WHERE pe.visible = TRUE AND pe.first_contact_on IS NULL \
                 AND pe.overdue_notified = FALSE AND pl.state = 'sent'"
            ),
            vec![],
        )
        .await?;
        let overdue: Vec<&PushEntryRow> = rows.iter().filter(|e| e.overdue(&cal, today)).collect();
        if overdue.is_empty() {
            return Ok(0);
        }
        let mut tx = self.write(crate::audit::AuditActor::system("jobs")).await?;
        let mut n = 0;
        for e in overdue {
            let claimed = exec(
                tx.conn(),
                "UPDATE push_entries SET overdue_notified = TRUE WHERE id = ? AND overdue_notified = FALSE",
                vec![e.id.into()],
            )
            .await?;
            if claimed != 1 {
                continue; // another instance flagged it
            }
            let due = e
                .contact_due(&cal)
                .map(ipfin_domain::format::date_zh)
                .unwrap_or_default();
            let due_en = e
                .contact_due(&cal)
                .map(|d| ipfin_domain::format::date(d, ipfin_domain::Lang::En))
                .unwrap_or_default();
            notify(
                tx.conn(),
                Some(OrgId::new(e.bank_org_id)),
                None,
                None,
                (
                    format!(
                        "推送企业“{}”的首次联系已逾期（应于 {due} 前联系），请尽快联系并登记跟进情况。",
                        e.enterprise_name
                    ),
                    format!(
                        "First contact with the pushed enterprise “{}” is overdue (due by {due_en}): contact it and record the follow-up.",
                        e.enterprise_name
                    ),
                ),
                format!("/push/entries/{}", e.id),
            )
            .await?;
            notify(
                tx.conn(),
                None,
                Some(&e.district_code),
                None,
                (
                    format!(
                        "{} 对推送企业“{}”的首次联系已逾期（应于 {due} 前联系）。",
                        e.bank_name, e.enterprise_name
                    ),
                    format!(
                        "{}'s first contact with the pushed enterprise “{}” is overdue (due by {due_en}).",
                        e.bank_name, e.enterprise_name
                    ),
                ),
                format!("/push/lists/{}", e.list_id),
            )
            .await?;
            tx.audit(
                "push.first_contact_overdue",
                "push_entry",
                e.id,
                json!({"bank": e.bank_name, "enterprise_id": e.enterprise_id, "due": due}),
            )
            .await?;
            n += 1;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Pushed lines of the district whose first contact is overdue (its lead officers' to-do):
    /// how many, and the earliest day a first contact was due.
    pub async fn overdue_first_contacts(
        &self,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<(i64, Option<NaiveDate>)> {
        let Some(d) = scope.lead_district() else {
            return Ok((0, None));
        };
        let cal = self.calendar().await?;
        let rows: Vec<PushEntryRow> = fetch_all(
            self.conn(),
            &format!(
                "SELECT {ENTRY_COLS} {ENTRY_FROM} WHERE pl.district_code = ? AND pe.visible = TRUE \
                 AND pe.first_contact_on IS NULL AND pl.state = 'sent'"
            ),
            vec![d.to_string().into()],
        )
        .await?;
        let overdue: Vec<&PushEntryRow> = rows.iter().filter(|e| e.overdue(&cal, today)).collect();
        Ok((
            overdue.len() as i64,
            overdue.iter().filter_map(|e| e.contact_due(&cal)).min(),
        ))
    }
}
