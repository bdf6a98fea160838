//! Push to banks (推送, SPEC §6 R3.2; issue #20 items 3–5) for the pages and the API alike:
//! the district's partner banks, settings and push lists (prepared by one officer, sent when a
//! second confirms), the bank's received enterprises and follow-up, its lending declaration,
//! and the enterprise's consent.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use chrono::NaiveDate;
use ipfin_domain::id::OrgId;
use ipfin_domain::push::{FollowUp, Lending, Method, Outcome, Settings};
use ipfin_domain::{Fen, FieldError, Lang};
use ipfin_store::confirmation::ConfirmationRow;
use ipfin_store::push::{
    ConsentEvent, ConsentState, FollowUpRow, PartnerBank, PushEntryRow, PushListRow, ReceivedFilter,
};
use ipfin_store::{Page, Paged};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn today() -> NaiveDate {
    ipfin_store::today_shanghai()
}

/// The district a government caller works on: its own, or for the city the one asked for.
pub fn district_of(actor: &Actor, asked: Option<&str>) -> AppResult<String> {
    let asked = asked.map(str::trim).filter(|s| !s.is_empty());
    match (actor.scope.district(), asked) {
        (Some(own), Some(a)) if own != a => Err(AppError::not_found()),
        (Some(own), _) => Ok(own.to_string()),
        (None, Some(a)) if actor.scope.is_city() => Ok(a.to_string()),
        (None, None) if actor.scope.is_city() => Err(AppError::invalid(FieldError::new(
            "district",
            "push.district_required",
            "请选择区（district，例如 440305）。",
            "Choose a district (e.g. 440305).",
        ))),
        _ => Err(AppError::not_found()),
    }
}

/// A district's push settings.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SettingsDto {
    /// At most this many banks per enterprise in one list (1–10).
    pub max_banks: i64,
    /// A push lasts this many days, and the same enterprise is not pushed to the same bank
    /// again within it (7–366).
    pub period_days: i64,
    /// The bank's first contact is due within this many working days (1–60).
    pub first_contact_working_days: i64,
}

impl From<Settings> for SettingsDto {
    fn from(s: Settings) -> SettingsDto {
        SettingsDto {
            max_banks: s.max_banks.into(),
            period_days: s.period_days.into(),
            first_contact_working_days: s.first_contact_working_days.into(),
        }
    }
}

/// What a bank declares it lends on; empty lists and absent bounds mean "any".
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LendingDto {
    /// IP kinds accepted as pledge: patent, trademark, software_copyright, works_copyright.
    #[serde(default)]
    pub ip_kinds: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub min_fen: Option<Fen>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub max_fen: Option<Fen>,
    /// GB/T 4754 industry code prefixes (C, I65).
    #[serde(default)]
    pub industries: Vec<String>,
}

impl From<&Lending> for LendingDto {
    fn from(l: &Lending) -> LendingDto {
        LendingDto {
            ip_kinds: l.ip_kinds.clone(),
            min_fen: l.min_fen,
            max_fen: l.max_fen,
            industries: l.industries.clone(),
        }
    }
}

/// A partner bank of a district.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerBankDto {
    pub org_id: i64,
    pub name: String,
    pub lending: LendingDto,
}

impl From<&PartnerBank> for PartnerBankDto {
    fn from(p: &PartnerBank) -> PartnerBankDto {
        PartnerBankDto {
            org_id: p.org_id.get(),
            name: p.name.clone(),
            lending: (&p.lending).into(),
        }
    }
}

/// A push list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PushListDto {
    pub id: i64,
    pub district_code: String,
    /// preference | fit | round_robin
    pub method: String,
    pub k: i32,
    pub period_days: i32,
    pub note: String,
    /// prepared (awaiting a second officer) | sent | cancelled
    pub state: String,
    pub prepared_by_name: Option<String>,
    pub prepared_at: i64,
    pub sent_on: Option<NaiveDate>,
    /// Last day the banks see the list's enterprises.
    pub until_on: Option<NaiveDate>,
    /// The screening model version that chose enterprises (absent: whitelist only).
    pub model_version: Option<i64>,
    pub enterprises: i64,
    pub lines: i64,
    pub contacted: i64,
}

impl From<PushListRow> for PushListDto {
    fn from(r: PushListRow) -> PushListDto {
        let PushListRow {
            id,
            district_code,
            method,
            k,
            period_days,
            note,
            state,
            prepared_by_name,
            prepared_at,
            sent_on,
            until_on,
            model_version,
            enterprises,
            lines,
            contacted,
        } = r;
        PushListDto {
            id,
            district_code,
            method,
            k,
            period_days,
            note,
            state,
            prepared_by_name,
            prepared_at,
            sent_on,
            until_on,
            model_version,
            enterprises,
            lines,
            contacted,
        }
    }
}

/// One enterprise pushed to one bank, with its follow-up state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PushEntryDto {
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
    /// whitelist | screening
    pub source: String,
    /// Why this bank.
    pub reason: String,
    /// Whether the bank sees the enterprise now.
    pub visible: bool,
    /// expired | consent_withdrawn
    pub hidden_reason: Option<String>,
    pub sent_on: Option<NaiveDate>,
    pub until_on: Option<NaiveDate>,
    pub first_contact_on: Option<NaiveDate>,
    /// Last day for the first contact.
    pub contact_due_on: Option<NaiveDate>,
    /// First contact not made and its last day passed.
    pub overdue: bool,
    /// not_reachable | not_interested | needs_time | applying | granted
    pub outcome: Option<String>,
    pub loan_id: Option<i64>,
}

/// Converts an entry, with its due date and overdue flag on `today`.
pub fn entry_dto(
    r: PushEntryRow,
    cal: &ipfin_domain::calendar::Calendar,
    today: NaiveDate,
) -> PushEntryDto {
    let contact_due_on = r.contact_due(cal);
    let overdue = r.overdue(cal, today);
    let PushEntryRow {
        id,
        list_id,
        district_code,
        enterprise_id,
        enterprise_name,
        credit_code,
        industry,
        size_class,
        bank_org_id,
        bank_name,
        source,
        reason,
        visible,
        hidden_reason,
        sent_on,
        until_on,
        first_contact_on,
        outcome,
        loan_id,
        first_contact_working_days: _,
    } = r;
    PushEntryDto {
        id,
        list_id,
        district_code,
        enterprise_id,
        enterprise_name,
        credit_code,
        industry,
        size_class,
        bank_org_id,
        bank_name,
        source,
        reason,
        visible,
        hidden_reason,
        sent_on,
        until_on,
        first_contact_on,
        contact_due_on,
        overdue,
        outcome,
        loan_id,
    }
}

/// A follow-up as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUpDto {
    pub id: i64,
    pub contacted_on: NaiveDate,
    /// phone | visit | online | meeting | other
    pub channel: String,
    pub person: String,
    pub outcome: String,
    pub loan_id: Option<i64>,
    pub note: String,
    pub recorded_by_name: Option<String>,
    pub recorded_at: i64,
}

impl From<FollowUpRow> for FollowUpDto {
    fn from(r: FollowUpRow) -> FollowUpDto {
        let FollowUpRow {
            id,
            entry_id: _,
            contacted_on,
            channel,
            person,
            outcome,
            loan_id,
            note,
            recorded_by_name,
            recorded_at,
        } = r;
        FollowUpDto {
            id,
            contacted_on,
            channel,
            person,
            outcome,
            loan_id,
            note,
            recorded_by_name,
            recorded_at,
        }
    }
}

/// An entry with its follow-ups.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PushEntryDetail {
    pub entry: PushEntryDto,
    pub follow_ups: Vec<FollowUpDto>,
}

/// A push list with its lines.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PushListDetail {
    pub list: PushListDto,
    pub entries: Vec<PushEntryDto>,
}

/// One consent event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentEventDto {
    pub given: bool,
    pub scope: String,
    pub preferred_banks: Vec<i64>,
    /// enterprise | officer | import | public (the district recorded the data as public, the
    /// basis in `scope`, or no longer so)
    pub channel: String,
    pub by_name: String,
    pub at: i64,
}

impl From<ConsentEvent> for ConsentEventDto {
    fn from(e: ConsentEvent) -> ConsentEventDto {
        let ConsentEvent {
            id: _,
            given,
            scope,
            preferred_banks,
            channel,
            by_name,
            at,
        } = e;
        ConsentEventDto {
            given,
            scope,
            preferred_banks: preferred_banks
                .split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect(),
            channel,
            by_name,
            at,
        }
    }
}

/// An enterprise's consent to share its data with the district's partner banks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentDto {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    /// The district it is registered in.
    pub district_code: Option<String>,
    pub given: bool,
    /// The basis on which the district recorded the enterprise's data as public, if it did.
    pub public_basis: Option<String>,
    /// Whether the enterprise may be pushed now: it consented, or its data is public and it
    /// has never said no.
    pub pushable: bool,
    /// What the consent covers, in Chinese.
    pub scope_zh: String,
    pub preferred_banks: Vec<PartnerBankDto>,
    /// The district's partner banks the enterprise may prefer.
    pub partner_banks: Vec<PartnerBankDto>,
    /// Newest first.
    pub history: Vec<ConsentEventDto>,
}

/// Giving or withdrawing consent.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentBody {
    pub given: bool,
    /// Partner banks the enterprise prefers, in order (only with `given`).
    #[serde(default)]
    pub preferred_banks: Vec<i64>,
}

/// Preparing a push list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrepareBody {
    /// The district (the city administrator chooses; a district's officers get their own).
    #[serde(default)]
    pub district: Option<String>,
    /// preference | fit | round_robin
    pub method: String,
    /// `whitelist` (default: today's whitelist, least recently pushed first) or `screening`
    /// (the district's saved screening model, best score first).
    #[serde(default)]
    pub source: Option<String>,
    /// Only whitelisted enterprises with a valid tag of this type (whitelist only).
    #[serde(default)]
    pub tag: Option<String>,
    /// At most this many enterprises (1–500, default 100).
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub note: String,
}

/// A bank's follow-up of a pushed enterprise.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpBody {
    /// The contact's date (between the push and today).
    pub contacted_on: Option<NaiveDate>,
    /// phone | visit | online | meeting | other
    pub channel: String,
    /// The bank's person who made the contact.
    pub person: String,
    /// not_reachable | not_interested | needs_time | applying | granted
    pub outcome: String,
    /// With `granted`: the loan this bank reported for the enterprise.
    #[serde(default)]
    pub loan_id: Option<i64>,
    #[serde(default)]
    pub note: String,
}

/// The consent of the caller's own enterprise.
pub async fn consent(state: &AppState, actor: &Actor) -> AppResult<ConsentDto> {
    let id = state.store.own_enterprise_id(&actor.scope).await?;
    let c = state.store.consent(&actor.scope, id).await?;
    let partners = match &c.district_code {
        Some(d) => state.store.partner_banks(&actor.scope, d).await?,
        None => vec![],
    };
    Ok(consent_dto(c, &partners))
}

fn consent_dto(c: ConsentState, partners: &[PartnerBank]) -> ConsentDto {
    ConsentDto {
        enterprise_id: c.enterprise_id,
        enterprise_name: c.enterprise_name,
        district_code: c.district_code,
        given: c.given,
        public_basis: c.public_basis,
        pushable: c.pushable,
        scope_zh: ipfin_domain::push::CONSENT_SCOPE_ZH.to_string(),
        preferred_banks: c.preferred_banks.iter().map(Into::into).collect(),
        partner_banks: partners.iter().map(Into::into).collect(),
        history: c.history.into_iter().map(Into::into).collect(),
    }
}

/// The enterprise gives or withdraws its consent.
pub async fn set_consent(state: &AppState, actor: &Actor, b: &ConsentBody) -> AppResult<()> {
    let id = state.store.own_enterprise_id(&actor.scope).await?;
    let banks: Vec<OrgId> = b.preferred_banks.iter().map(|i| OrgId::new(*i)).collect();
    write!(state, actor, |tx| state
        .store
        .record_consent(&mut tx, &actor.scope, id, b.given, &banks)
        .await?)
}

/// An enterprise's consent and public-data basis as its district's officers see them.
pub async fn consent_of(state: &AppState, actor: &Actor, id: i64) -> AppResult<ConsentDto> {
    let c = state.store.consent(&actor.scope, id).await?;
    let partners = match &c.district_code {
        Some(d) => state.store.partner_banks(&actor.scope, d).await?,
        None => vec![],
    };
    Ok(consent_dto(c, &partners))
}

/// Recording that an enterprise's data is public (`basis`), or no longer so (`null`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicDataBody {
    /// E.g. "深交所上市公司，定期报告公开披露" (4 to 200 characters); `null` clears it.
    pub basis: Option<String>,
}

/// The district's lead officers record that an enterprise's data is public, or no longer so.
pub async fn set_public_data(
    state: &AppState,
    actor: &Actor,
    id: i64,
    b: &PublicDataBody,
) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .record_public_data(&mut tx, &actor.scope, id, b.basis.as_deref())
        .await?)
}

/// Everything a district's push page shows: settings, partners, banks to add, lists.
pub struct Overview {
    pub district: String,
    pub settings: Settings,
    pub partners: Vec<PartnerBank>,
    pub banks: Vec<(OrgId, String)>,
    pub lists: Paged<PushListRow>,
}

pub async fn overview(
    state: &AppState,
    actor: &Actor,
    district: &str,
    page: Page,
) -> AppResult<Overview> {
    let settings = state.store.push_settings(&actor.scope, district).await?;
    let partners = state.store.partner_banks(&actor.scope, district).await?;
    let banks = state.store.banks().await?;
    let lists = state
        .store
        .push_lists(&actor.scope, Some(district), page)
        .await?;
    Ok(Overview {
        district: district.to_string(),
        settings,
        partners,
        banks,
        lists,
    })
}

pub async fn set_settings(
    state: &AppState,
    actor: &Actor,
    district: &str,
    b: &SettingsDto,
) -> AppResult<Settings> {
    let s = Settings::check(b.max_banks, b.period_days, b.first_contact_working_days)
        .map_err(|e| AppError::from(ipfin_store::StoreError::fields(e)))?;
    write!(state, actor, |tx| state
        .store
        .set_push_settings(&mut tx, &actor.scope, district, s)
        .await?)?;
    Ok(s)
}

pub async fn add_partner(
    state: &AppState,
    actor: &Actor,
    district: &str,
    bank: i64,
) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .add_partner_bank(&mut tx, &actor.scope, district, OrgId::new(bank))
        .await?)
}

pub async fn remove_partner(
    state: &AppState,
    actor: &Actor,
    district: &str,
    bank: i64,
) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .remove_partner_bank(&mut tx, &actor.scope, district, OrgId::new(bank))
        .await?)
}

/// Prepares a push list; every wrong field at once. Answers the pending request.
pub async fn prepare(
    state: &AppState,
    actor: &Actor,
    b: &PrepareBody,
) -> AppResult<ConfirmationRow> {
    let district = district_of(actor, b.district.as_deref())?;
    let method = Method::from_code(b.method.trim()).ok_or_else(|| {
        AppError::invalid(FieldError::new(
            "method",
            "push.method",
            format!(
                "请选择分配方式：{}。",
                Method::ALL
                    .iter()
                    .map(|m| format!("{}（{}）", m.zh(), m.code()))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            "Method is preference, fit or round_robin.",
        ))
    })?;
    let tag = b.tag.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let source = match b.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => ipfin_domain::push::Source::Whitelist,
        Some(s) => ipfin_domain::push::Source::from_code(s).ok_or_else(|| {
            AppError::invalid(FieldError::new(
                "source",
                "push.source",
                "推送来源应为 whitelist（白名单）或 screening（数据化筛选）。",
                "Source is whitelist or screening.",
            ))
        })?,
    };
    let limit = b.limit.unwrap_or(100);
    // The screening result is read before the write transaction: best first, enough pages to
    // find `limit` enterprises that consented.
    let mut scored = Vec::new();
    let mut version = 0;
    if source == ipfin_domain::push::Source::Screening {
        for n in 1..=25u64 {
            let (v, p) = state
                .store
                .screened(&actor.scope, &district, Page::new(Some(n), Some(200)))
                .await?;
            version = v;
            let last = p.page >= p.pages();
            scored.extend(
                p.items
                    .into_iter()
                    .map(|e| (e.enterprise_id, e.score.0, e.band)),
            );
            if last || scored.len() >= (limit as usize) * 5 {
                break;
            }
        }
    }
    let pick = match source {
        ipfin_domain::push::Source::Whitelist => ipfin_store::push::Pick::Whitelist { tag },
        ipfin_domain::push::Source::Screening => ipfin_store::push::Pick::Screened {
            model_version: version,
            scored: &scored,
        },
    };
    write!(state, actor, |tx| state
        .store
        .prepare_push(
            &mut tx,
            &actor.scope,
            &district,
            method,
            pick,
            limit,
            &b.note,
            today()
        )
        .await?)
}

pub async fn list(state: &AppState, actor: &Actor, id: i64) -> AppResult<PushListDetail> {
    let (l, entries) = state.store.push_list(&actor.scope, id).await?;
    let cal = state.store.calendar().await?;
    let t = today();
    Ok(PushListDetail {
        list: l.into(),
        entries: entries.into_iter().map(|e| entry_dto(e, &cal, t)).collect(),
    })
}

/// The enterprises pushed to the caller's bank.
pub async fn received(
    state: &AppState,
    actor: &Actor,
    awaiting_contact: bool,
    page: Page,
) -> AppResult<Paged<PushEntryDto>> {
    let p = state
        .store
        .pushed(&actor.scope, ReceivedFilter { awaiting_contact }, page)
        .await?;
    let cal = state.store.calendar().await?;
    let t = today();
    Ok(Paged {
        items: p.items.into_iter().map(|e| entry_dto(e, &cal, t)).collect(),
        total: p.total,
        capped: p.capped,
        page: p.page,
        per_page: p.per_page,
    })
}

/// One entry pushed to the caller's bank (or, for the district's government, one line of its
/// push list) with its follow-ups.
pub async fn entry(state: &AppState, actor: &Actor, id: i64) -> AppResult<PushEntryDetail> {
    let (e, f) = if actor.scope.is_government() {
        state.store.push_entry_follow_ups(&actor.scope, id).await?
    } else {
        state.store.pushed_entry(&actor.scope, id).await?
    };
    let cal = state.store.calendar().await?;
    Ok(PushEntryDetail {
        entry: entry_dto(e, &cal, today()),
        follow_ups: f.into_iter().map(Into::into).collect(),
    })
}

/// The bank records a follow-up; every wrong field at once.
pub async fn follow_up(
    state: &AppState,
    actor: &Actor,
    id: i64,
    b: &FollowUpBody,
) -> AppResult<i64> {
    let (e, _) = state.store.pushed_entry(&actor.scope, id).await?;
    let t = today();
    let f = FollowUp::check(
        b.contacted_on,
        &b.channel,
        &b.person,
        &b.outcome,
        b.loan_id,
        &b.note,
        e.sent_on.unwrap_or(t),
        t,
    )
    .map_err(|e| AppError::from(ipfin_store::StoreError::fields(e)))?;
    write!(state, actor, |tx| state
        .store
        .record_follow_up(&mut tx, &actor.scope, id, &f)
        .await?)
}

pub async fn lending(state: &AppState, actor: &Actor) -> AppResult<LendingDto> {
    Ok((&state.store.bank_lending(&actor.scope).await?).into())
}

pub async fn set_lending(state: &AppState, actor: &Actor, b: &LendingDto) -> AppResult<()> {
    let l = Lending::check(
        b.ip_kinds.clone(),
        b.min_fen,
        b.max_fen,
        b.industries.clone(),
    )
    .map_err(|e| AppError::from(ipfin_store::StoreError::fields(e)))?;
    write!(state, actor, |tx| state
        .store
        .set_bank_lending(&mut tx, &actor.scope, &l)
        .await?)
}

/// An outcome's label.
pub fn outcome_label(code: Option<&str>, lang: Lang) -> &'static str {
    code.and_then(Outcome::from_code)
        .map_or("", |o| o.label(lang))
}

/// `?district=&from=&to=`: the funnel's period (default: this quarter so far).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct FunnelQuery {
    /// The district (the city: all or one; a district's departments their own; a bank: all
    /// districts that pushed to it).
    pub district: Option<String>,
    /// First day of pushes counted (YYYY-MM-DD; default the quarter's first day).
    pub from: Option<String>,
    /// Last day (default today).
    pub to: Option<String>,
}

impl FunnelQuery {
    /// The period; every wrong value at once.
    pub fn period(&self) -> AppResult<(NaiveDate, NaiveDate)> {
        let t = today();
        let q = ipfin_domain::stats::Quarter::of(t);
        let mut errors = Vec::new();
        let mut date = |field: &'static str, v: &Option<String>, default: NaiveDate| match v
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => default,
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|_| {
                errors.push(FieldError::new(
                    field,
                    "form.date",
                    "日期格式应为 2026-10-01。",
                    "Dates are like 2026-10-01.",
                ));
                default
            }),
        };
        let from = date("from", &self.from, q.first_day());
        let to = date("to", &self.to, t);
        if errors.is_empty() && from > to {
            errors.push(FieldError::new(
                "to",
                "push.period_order",
                "截止日期不能早于起始日期。",
                "The end cannot be before the start.",
            ));
        }
        if errors.is_empty() {
            Ok((from, to))
        } else {
            Err(AppError::from(ipfin_store::StoreError::fields(errors)))
        }
    }
}

/// One stage set of the funnel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StagesDto {
    pub pushed: i64,
    pub contacted: i64,
    pub applied: i64,
    pub granted: i64,
    #[schema(value_type = i64)]
    pub granted_fen: ipfin_domain::Fen,
    /// Share of pushed lines contacted, in percent to one decimal (absent: nothing pushed).
    pub contacted_pct: Option<String>,
    pub applied_pct: Option<String>,
    pub granted_pct: Option<String>,
    /// Average days from push to first contact (absent: no contact yet).
    pub avg_contact_days: Option<String>,
}

impl From<&ipfin_domain::push::Stages> for StagesDto {
    fn from(s: &ipfin_domain::push::Stages) -> StagesDto {
        use ipfin_domain::push::Stages;
        StagesDto {
            pushed: s.pushed,
            contacted: s.contacted,
            applied: s.applied,
            granted: s.granted,
            granted_fen: s.granted_fen,
            contacted_pct: Stages::pct(s.contacted, s.pushed).map(|v| v.to_string()),
            applied_pct: Stages::pct(s.applied, s.pushed).map(|v| v.to_string()),
            granted_pct: Stages::pct(s.granted, s.pushed).map(|v| v.to_string()),
            avg_contact_days: s.avg_contact_days().map(|v| v.to_string()),
        }
    }
}

/// One bank's funnel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BankFunnelDto {
    pub bank_org_id: i64,
    pub bank_name: String,
    pub stages: StagesDto,
}

/// One source's funnel (whitelist, screening).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceFunnelDto {
    pub source: String,
    pub stages: StagesDto,
}

/// The push funnel for a period: pushed → contacted → applied → granted, per bank and source.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FunnelDto {
    pub district: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: StagesDto,
    pub banks: Vec<BankFunnelDto>,
    pub sources: Vec<SourceFunnelDto>,
}

/// The funnel the caller may read for the period asked.
pub async fn funnel(
    state: &AppState,
    actor: &Actor,
    q: &FunnelQuery,
) -> AppResult<(FunnelDto, ipfin_domain::push::Funnel)> {
    let (from, to) = q.period()?;
    let district = if actor.scope.is_government() {
        match (actor.scope.district(), q.district.as_deref().map(str::trim)) {
            (Some(own), _) => Some(own.to_string()),
            (None, Some(d)) if !d.is_empty() => Some(d.to_string()),
            _ => None,
        }
    } else {
        q.district
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string)
    };
    if let (Some(own), Some(asked)) = (actor.scope.district(), q.district.as_deref())
        && !asked.trim().is_empty()
        && own != asked.trim()
    {
        return Err(AppError::not_found());
    }
    let entries = state
        .store
        .funnel_entries(&actor.scope, district.as_deref(), from, to)
        .await?;
    let f = ipfin_domain::push::Funnel::of(&entries)
        .map_err(|e| AppError::internal(format!("push funnel: {e}")))?;
    let dto = FunnelDto {
        district,
        from,
        to,
        total: (&f.total).into(),
        banks: f
            .banks
            .iter()
            .map(|(id, name, s)| BankFunnelDto {
                bank_org_id: id.get(),
                bank_name: name.clone(),
                stages: s.into(),
            })
            .collect(),
        sources: f
            .sources
            .iter()
            .map(|(src, s)| SourceFunnelDto {
                source: src.clone(),
                stages: s.into(),
            })
            .collect(),
    };
    Ok((dto, f))
}

/// The funnel's XLSX rows: the total, each bank, each source.
pub fn funnel_rows(f: &FunnelDto, lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let t = crate::i18n::T(lang);
    let headers = vec![
        t.s("push.funnel_row"),
        t.s("push.stage_pushed"),
        t.s("push.stage_contacted"),
        t.s("push.stage_applied"),
        t.s("push.stage_granted"),
        t.s("push.granted_yuan"),
        t.s("push.contacted_pct"),
        t.s("push.avg_days"),
    ];
    let row = |label: String, s: &StagesDto| {
        vec![
            label,
            s.pushed.to_string(),
            s.contacted.to_string(),
            s.applied.to_string(),
            s.granted.to_string(),
            s.granted_fen.yuan(),
            s.contacted_pct.clone().unwrap_or_default(),
            s.avg_contact_days.clone().unwrap_or_default(),
        ]
    };
    let mut rows = vec![row(t.s("conf.total").to_string(), &f.total)];
    rows.extend(f.banks.iter().map(|b| row(b.bank_name.clone(), &b.stages)));
    rows.extend(
        f.sources
            .iter()
            .map(|s| row(source_label(&s.source, lang), &s.stages)),
    );
    (headers, rows)
}

/// The bank's pushed enterprises awaiting first contact, and how many of them are overdue (its
/// home page's to-do).
pub async fn awaiting_contact(state: &AppState, actor: &Actor) -> AppResult<(i64, i64)> {
    let p = received(state, actor, true, Page::new(Some(1), Some(200))).await?;
    let overdue = p.items.iter().filter(|e| e.overdue).count() as i64;
    Ok((p.total as i64, overdue))
}

/// A funnel source's label: 白名单, or 数据化筛选 · 优先 (the score band at the push).
pub fn source_label(code: &str, lang: Lang) -> String {
    let (source, band) = code.split_once(':').unwrap_or((code, ""));
    let s = ipfin_domain::push::Source::from_code(source).map_or(source, |x| x.label(lang));
    match ipfin_domain::screening::Band::from_code(band) {
        Some(b) => format!("{s} · {}", b.label(lang)),
        None => s.to_string(),
    }
}
