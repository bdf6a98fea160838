//! Push to banks on pages (issue #20 items 3–5): `/push` for the district (settings, partner
//! banks, preparing a list that a second officer confirms, the lists), `/push/lists/{id}` and
//! `/push/entries/{id}`; `/pushed` for a bank (its enterprises, follow-up, its lending
//! declaration); `/consent` for an enterprise.

use super::{CsrfForm, FormErrors, PageCtx, flash_key, render, see_other};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::path_id;
use crate::usecase::push::{
    self as uc, ConsentBody, ConsentDto, FollowUpBody, LendingDto, Overview, PrepareBody,
    PushEntryDetail, PushEntryDto, PushListDetail, SettingsDto,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use ipfin_domain::ip_number::IpKind;
use ipfin_domain::push::{Channel, Method, Outcome};
use ipfin_domain::{FieldError, Lang};
use ipfin_store::Paged;
use serde::Deserialize;

fn status_of(errors: &FormErrors) -> StatusCode {
    if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

fn is_form_error(e: &AppError) -> bool {
    e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT
}

/// `?district=&page=&ok=`
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OverviewParams {
    district: Option<String>,
    page: Option<u64>,
    ok: Option<String>,
}

/// The prepare form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct PrepareForm {
    pub source: String,
    pub method: String,
    pub tag: String,
    pub limit: String,
    pub note: String,
}

/// The settings form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub max_banks: String,
    pub period_days: String,
    pub first_contact_working_days: String,
}

#[derive(Template)]
#[template(path = "push.html")]
struct OverviewPage {
    ctx: PageCtx,
    o: Overview,
    city: bool,
    manage: bool,
    methods: Vec<(&'static str, &'static str)>,
    sources: Vec<(&'static str, &'static str)>,
    tags: Vec<(String, String)>,
    prepare: PrepareForm,
    settings: SettingsForm,
    errors: FormErrors,
    prev: Option<String>,
    next: Option<String>,
}

impl OverviewPage {
    fn method_label(&self, code: &str) -> &'static str {
        Method::from_code(code).map_or("", |m| m.label(self.ctx.t.0))
    }
    fn state_label(&self, code: &str) -> String {
        self.ctx.t.s(&format!("push.state_{code}")).to_string()
    }
    fn ip_kinds(&self, l: &ipfin_domain::push::Lending) -> String {
        lending_text(l, self.ctx.t.0)
    }
}

/// A bank's declaration in one line.
fn lending_text(l: &ipfin_domain::push::Lending, lang: Lang) -> String {
    let t = crate::i18n::T(lang);
    let mut parts = Vec::new();
    if !l.ip_kinds.is_empty() {
        parts.push(
            l.ip_kinds
                .iter()
                .map(|k| {
                    IpKind::from_code(k).map_or(k.clone(), |k| match lang {
                        Lang::Zh => k.zh().to_string(),
                        Lang::En => k.en().to_string(),
                    })
                })
                .collect::<Vec<_>>()
                .join("、"),
        );
    }
    if l.min_fen.is_some() || l.max_fen.is_some() {
        parts.push(format!(
            "{}–{} {}",
            l.min_fen.map(|f| f.yuan()).unwrap_or_default(),
            l.max_fen.map(|f| f.yuan()).unwrap_or_default(),
            t.s("unit.yuan")
        ));
    }
    if !l.industries.is_empty() {
        parts.push(l.industries.join("、"));
    }
    if parts.is_empty() {
        t.s("push.lending_any").to_string()
    } else {
        parts.join("；")
    }
}

/// `GET /push`: the district's push page.
pub async fn index(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<OverviewParams>,
) -> AppResult<Response> {
    let flash = flash_key(&p.ok);
    let district = match (actor.scope.is_city(), p.district.as_deref()) {
        (true, None | Some("")) => "440305".to_string(),
        _ => uc::district_of(&actor, p.district.as_deref())?,
    };
    overview_page(
        &state,
        &actor,
        &district,
        p.page,
        PrepareForm::default(),
        None,
        FormErrors::default(),
        flash,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn overview_page(
    state: &AppState,
    actor: &Actor,
    district: &str,
    page: Option<u64>,
    prepare: PrepareForm,
    settings: Option<SettingsForm>,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<Response> {
    let o = uc::overview(state, actor, district, ipfin_store::Page::new(page, None)).await?;
    let lang = actor.lang;
    let settings = settings.unwrap_or_else(|| SettingsForm {
        max_banks: o.settings.max_banks.to_string(),
        period_days: o.settings.period_days.to_string(),
        first_contact_working_days: o.settings.first_contact_working_days.to_string(),
    });
    let tags = state
        .store
        .tag_types(&ipfin_domain::Scope::district_reader(Some(district)))
        .await?
        .into_iter()
        .map(|t| {
            let label = match lang {
                Lang::Zh => t.name_zh,
                Lang::En => t.name_en,
            };
            (t.code, label)
        })
        .collect();
    let base = format!("/push?district={district}");
    let prev = (o.lists.page > 1).then(|| format!("{base}&page={}", o.lists.page - 1));
    let next =
        (o.lists.page < o.lists.pages()).then(|| format!("{base}&page={}", o.lists.page + 1));
    let p = OverviewPage {
        ctx: PageCtx::new(actor, state, "/push").with_flash(flash),
        city: actor.scope.is_city(),
        manage: actor.scope.leads_district(district) && actor.user().is_some(),
        methods: Method::ALL
            .iter()
            .map(|m| (m.code(), m.label(lang)))
            .collect(),
        sources: ipfin_domain::push::Source::ALL
            .iter()
            .map(|s| (s.code(), s.label(lang)))
            .collect(),
        tags,
        prepare,
        settings,
        errors: errors.clone(),
        prev,
        next,
        o,
    };
    Ok(render(status_of(&errors), &p))
}

/// `POST /push/lists`: a lead officer prepares a list; it waits for a second officer.
pub async fn prepare(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<PrepareForm>,
) -> AppResult<Response> {
    let f = form.data;
    let district = uc::district_of(&actor, None)?;
    let limit = match f.limit.trim() {
        "" => Ok(None),
        v => v.parse::<u32>().map(Some).map_err(|_| {
            AppError::invalid(FieldError::new(
                "limit",
                "push.limit",
                "本次推送企业数须为 1 至 500 的整数。",
                "The number of enterprises must be a whole number from 1 to 500.",
            ))
        }),
    };
    let r = match limit {
        Ok(limit) => {
            let b = PrepareBody {
                district: None,
                source: Some(f.source.clone()),
                method: f.method.clone(),
                tag: Some(f.tag.clone()),
                limit,
                note: f.note.clone(),
            };
            uc::prepare(&state, &actor, &b).await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(c) => Ok(see_other(&format!("/confirmations/{}", c.id), "prepared")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            overview_page(&state, &actor, &district, None, f, None, errors, None).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /push/settings`.
pub async fn settings(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<SettingsForm>,
) -> AppResult<Response> {
    let f = form.data;
    let district = uc::district_of(&actor, None)?;
    let num = |s: &str| s.trim().parse::<i64>().unwrap_or(-1);
    let b = SettingsDto {
        max_banks: num(&f.max_banks),
        period_days: num(&f.period_days),
        first_contact_working_days: num(&f.first_contact_working_days),
    };
    match uc::set_settings(&state, &actor, &district, &b).await {
        Ok(_) => Ok(see_other("/push", "updated")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            overview_page(
                &state,
                &actor,
                &district,
                None,
                PrepareForm::default(),
                Some(f),
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PartnerForm {
    pub bank_org_id: String,
    pub confirm: String,
}

/// `POST /push/partners` (`bank_org_id`).
pub async fn add_partner(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<PartnerForm>,
) -> AppResult<Response> {
    let district = uc::district_of(&actor, None)?;
    let bank = form.data.bank_org_id.trim().parse::<i64>().unwrap_or(0);
    match uc::add_partner(&state, &actor, &district, bank).await {
        Ok(()) => Ok(see_other("/push", "created")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            overview_page(
                &state,
                &actor,
                &district,
                None,
                PrepareForm::default(),
                None,
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /push/partners/{bank_id}/remove` (`confirm=yes`).
pub async fn remove_partner(
    State(state): State<AppState>,
    actor: Actor,
    Path(bank): Path<String>,
    form: CsrfForm<PartnerForm>,
) -> AppResult<Response> {
    let bank = path_id(&bank)?;
    let district = uc::district_of(&actor, None)?;
    if form.data.confirm != "yes" {
        return Err(AppError::invalid(FieldError::new(
            "confirm",
            "form.confirm",
            "请勾选确认后再移除合作银行。",
            "Tick the confirmation to remove the partner.",
        )));
    }
    uc::remove_partner(&state, &actor, &district, bank).await?;
    Ok(see_other("/push", "updated"))
}

#[derive(Template)]
#[template(path = "push_list.html")]
struct ListPage {
    ctx: PageCtx,
    d: PushListDetail,
}

impl ListPage {
    fn method_label(&self, code: &str) -> &'static str {
        Method::from_code(code).map_or("", |m| m.label(self.ctx.t.0))
    }
    fn state_label(&self, code: &str) -> String {
        self.ctx.t.s(&format!("push.state_{code}")).to_string()
    }
    fn outcome(&self, e: &PushEntryDto) -> &'static str {
        uc::outcome_label(e.outcome.as_deref(), self.ctx.t.0)
    }
}

/// `GET /push/lists/{list_id}`.
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let d = uc::list(&state, &actor, path_id(&id)?).await?;
    Ok(render(
        StatusCode::OK,
        &ListPage {
            ctx: PageCtx::new(&actor, &state, "/push"),
            d,
        },
    ))
}

/// The follow-up form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct FollowUpForm {
    pub contacted_on: String,
    pub channel: String,
    pub person: String,
    pub outcome: String,
    pub loan_id: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "push_entry.html")]
struct EntryPage {
    ctx: PageCtx,
    d: PushEntryDetail,
    bank: bool,
    channels: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    form: FollowUpForm,
    errors: FormErrors,
}

impl EntryPage {
    fn outcome_label(&self, code: &str) -> &'static str {
        uc::outcome_label(Some(code), self.ctx.t.0)
    }
    fn current_outcome(&self) -> &'static str {
        uc::outcome_label(self.d.entry.outcome.as_deref(), self.ctx.t.0)
    }
    fn channel_label(&self, code: &str) -> &'static str {
        Channel::from_code(code).map_or("", |c| c.label(self.ctx.t.0))
    }
}

/// `GET /push/entries/{entry_id}`: the bank's page for one pushed enterprise (with the
/// follow-up form), or the district's view of one line.
pub async fn entry(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    entry_page(
        &state,
        &actor,
        id,
        FollowUpForm::default(),
        FormErrors::default(),
    )
    .await
}

async fn entry_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    form: FollowUpForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let d = uc::entry(state, actor, id).await?;
    let lang = actor.lang;
    let form = if form.contacted_on.is_empty() && !errors.any() {
        FollowUpForm {
            contacted_on: uc::today().to_string(),
            ..form
        }
    } else {
        form
    };
    let p = EntryPage {
        ctx: PageCtx::new(
            actor,
            state,
            if actor.scope.is_government() {
                "/push"
            } else {
                "/pushed"
            },
        ),
        bank: !actor.scope.is_government(),
        d,
        channels: Channel::ALL
            .iter()
            .map(|c| (c.code(), c.label(lang)))
            .collect(),
        outcomes: Outcome::ALL
            .iter()
            .map(|c| (c.code(), c.label(lang)))
            .collect(),
        form,
        errors: errors.clone(),
    };
    Ok(render(status_of(&errors), &p))
}

/// `POST /pushed/{entry_id}/follow-ups`.
pub async fn follow_up(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<FollowUpForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let f = form.data;
    let b = FollowUpBody {
        contacted_on: NaiveDate::parse_from_str(f.contacted_on.trim(), "%Y-%m-%d").ok(),
        channel: f.channel.clone(),
        person: f.person.clone(),
        outcome: f.outcome.clone(),
        loan_id: f.loan_id.trim().parse().ok(),
        note: f.note.clone(),
    };
    match uc::follow_up(&state, &actor, id, &b).await {
        Ok(_) => Ok(see_other(&format!("/push/entries/{id}"), "created")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            entry_page(&state, &actor, id, f, errors).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReceivedParams {
    awaiting_contact: Option<String>,
    page: Option<u64>,
    ok: Option<String>,
}

/// The lending form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct LendingForm {
    pub min_yuan: String,
    pub max_yuan: String,
    pub industries: String,
}

#[derive(Template)]
#[template(path = "pushed.html")]
struct ReceivedPage {
    ctx: PageCtx,
    list: Paged<PushEntryDto>,
    awaiting: bool,
    prev: Option<String>,
    next: Option<String>,
    kinds: Vec<(&'static str, &'static str, bool)>,
    lending: LendingForm,
    errors: FormErrors,
}

impl ReceivedPage {
    fn outcome(&self, e: &PushEntryDto) -> &'static str {
        uc::outcome_label(e.outcome.as_deref(), self.ctx.t.0)
    }
}

/// `GET /pushed`: the enterprises pushed to the bank, newest first; its lending declaration.
pub async fn received(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<ReceivedParams>,
) -> AppResult<Response> {
    let flash = flash_key(&p.ok);
    let awaiting = p.awaiting_contact.as_deref() == Some("true");
    received_page(
        &state,
        &actor,
        awaiting,
        p.page,
        None,
        FormErrors::default(),
        flash,
    )
    .await
}

async fn received_page(
    state: &AppState,
    actor: &Actor,
    awaiting: bool,
    page: Option<u64>,
    lending_form: Option<(LendingForm, Vec<String>)>,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<Response> {
    let list = uc::received(state, actor, awaiting, ipfin_store::Page::new(page, None)).await?;
    let current = uc::lending(state, actor).await?;
    let (lending, chosen) = lending_form.unwrap_or_else(|| {
        (
            LendingForm {
                min_yuan: current.min_fen.map(|f| f.yuan()).unwrap_or_default(),
                max_yuan: current.max_fen.map(|f| f.yuan()).unwrap_or_default(),
                industries: current.industries.join(","),
            },
            current.ip_kinds.clone(),
        )
    });
    let lang = actor.lang;
    let base = format!("/pushed?awaiting_contact={awaiting}");
    let prev = (list.page > 1).then(|| format!("{base}&page={}", list.page - 1));
    let next = (list.page < list.pages()).then(|| format!("{base}&page={}", list.page + 1));
    let p = ReceivedPage {
        ctx: PageCtx::new(actor, state, "/pushed").with_flash(flash),
        list,
        awaiting,
        prev,
        next,
        kinds: IpKind::ALL
            .iter()
            .map(|k| {
                (
                    k.code(),
                    match lang {
                        Lang::Zh => k.zh(),
                        Lang::En => k.en(),
                    },
                    chosen.iter().any(|c| c == k.code()),
                )
            })
            .collect(),
        lending,
        errors: errors.clone(),
    };
    Ok(render(status_of(&errors), &p))
}

/// `POST /pushed/lending`: the bank's declaration (IP kinds ticked, amounts in 元, industries).
pub async fn set_lending(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<LendingForm>,
) -> AppResult<Response> {
    let kinds: Vec<String> = form
        .pairs
        .iter()
        .filter(|(k, _)| k == "ip_kinds")
        .map(|(_, v)| v.clone())
        .collect();
    let f = form.data;
    let mut errors = Vec::new();
    let mut amount = |field: &'static str, s: &str| -> Option<ipfin_domain::Fen> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let v = ipfin_domain::money::parse_amount(s, 100).map(ipfin_domain::Fen::new);
        if v.is_none() {
            errors.push(FieldError::new(
                field,
                "form.amount",
                "金额应为元，最多两位小数，例如 5000000 或 5000000.00。",
                "Amounts are in yuan with at most two decimals.",
            ));
        }
        v
    };
    let min = amount("min_amount", &f.min_yuan);
    let max = amount("max_amount", &f.max_yuan);
    let b = LendingDto {
        ip_kinds: kinds.clone(),
        min_fen: min,
        max_fen: max,
        industries: f
            .industries
            .split([',', '，', ' '])
            .map(str::to_string)
            .collect(),
    };
    let r = if errors.is_empty() {
        uc::set_lending(&state, &actor, &b).await
    } else {
        Err(AppError::from(ipfin_store::StoreError::fields(errors)))
    };
    match r {
        Ok(()) => Ok(see_other("/pushed", "updated")),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, actor.lang);
            received_page(&state, &actor, false, None, Some((f, kinds)), errors, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    ctx: PageCtx,
    c: ConsentDto,
    errors: FormErrors,
}

impl ConsentPage {
    fn preferred(&self, id: &i64) -> bool {
        self.c.preferred_banks.iter().any(|b| b.org_id == *id)
    }
    fn bank_names(&self, ids: &[i64]) -> String {
        bank_names(&self.c, ids)
    }
}

/// The names of the partner banks with these ids (a consent event's preferred banks).
fn bank_names(c: &ConsentDto, ids: &[i64]) -> String {
    ids.iter()
        .filter_map(|i| c.partner_banks.iter().find(|b| b.org_id == *i))
        .map(|b| b.name.clone())
        .collect::<Vec<_>>()
        .join("、")
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConsentParams {
    ok: Option<String>,
}

/// `GET /consent`: the enterprise's consent, its preferred banks and the history.
pub async fn consent(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<ConsentParams>,
) -> AppResult<Response> {
    let c = uc::consent(&state, &actor).await?;
    Ok(render(
        StatusCode::OK,
        &ConsentPage {
            ctx: PageCtx::new(&actor, &state, "/consent").with_flash(flash_key(&p.ok)),
            c,
            errors: FormErrors::default(),
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConsentForm {
    pub given: String,
    pub confirm: String,
}

/// `POST /consent` (`given=yes|no`, `preferred_banks` repeated, `confirm=yes` to withdraw).
pub async fn set_consent(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<ConsentForm>,
) -> AppResult<Response> {
    let banks: Vec<i64> = form
        .pairs
        .iter()
        .filter(|(k, _)| k == "preferred_banks")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let f = form.data;
    let given = f.given == "yes";
    let r = if !given && f.confirm != "yes" {
        Err(AppError::invalid(FieldError::new(
            "confirm",
            "form.confirm",
            "撤回授权后，尚未联系贵企业的银行将立即看不到贵企业信息。请勾选确认后再撤回。",
            "Tick the confirmation to withdraw.",
        )))
    } else {
        uc::set_consent(
            &state,
            &actor,
            &ConsentBody {
                given,
                preferred_banks: banks,
            },
        )
        .await
    };
    match r {
        Ok(()) => Ok(see_other("/consent", "updated")),
        Err(e) if is_form_error(&e) => {
            let c = uc::consent(&state, &actor).await?;
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ConsentPage {
                    ctx: PageCtx::new(&actor, &state, "/consent"),
                    c,
                    errors: FormErrors::from_error(&e, actor.lang),
                },
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "push_consent.html")]
struct OfficerConsentPage {
    ctx: PageCtx,
    c: ConsentDto,
    /// Whether the caller may record the public-data basis (a lead officer of the district).
    manages: bool,
    /// The basis as typed (kept after an error), else the one recorded.
    basis: String,
    errors: FormErrors,
}

impl OfficerConsentPage {
    fn bank_names(&self, ids: &[i64]) -> String {
        bank_names(&self.c, ids)
    }
}

fn officer_consent_page(
    state: &AppState,
    actor: &Actor,
    c: ConsentDto,
    typed: Option<String>,
    errors: FormErrors,
    ok: &Option<String>,
) -> OfficerConsentPage {
    let manages = actor.has_any(crate::routes::MANAGERS)
        && c.district_code
            .as_deref()
            .is_some_and(|d| actor.scope.manages_district(d));
    OfficerConsentPage {
        ctx: PageCtx::new(actor, state, "/push").with_flash(flash_key(ok)),
        basis: typed.unwrap_or_else(|| c.public_basis.clone().unwrap_or_default()),
        c,
        manages,
        errors,
    }
}

/// `GET /push/consent/{enterprise_id}`: an enterprise's consent and public-data basis, with
/// the form to record the basis for the district's lead officers.
pub async fn consent_of(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(p): Query<ConsentParams>,
) -> AppResult<Response> {
    let c = uc::consent_of(&state, &actor, path_id(&id)?).await?;
    let page = officer_consent_page(&state, &actor, c, None, FormErrors::default(), &p.ok);
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublicDataForm {
    pub action: String,
    pub basis: String,
    pub confirm: String,
}

/// `POST /push/consent/{enterprise_id}` (`action=set` with `basis`, or `action=clear` with
/// `confirm=yes`).
pub async fn set_public_data(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<PublicDataForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    uc::consent_of(&state, &actor, id).await?;
    let f = form.data;
    let clear = f.action == "clear";
    let r = if clear && f.confirm != "yes" {
        Err(AppError::invalid(FieldError::new(
            "confirm",
            "form.confirm",
            "撤销后，该企业如未授权，尚未联系它的银行将立即看不到它。请勾选确认后再撤销。",
            "Tick the confirmation to clear the basis.",
        )))
    } else {
        let basis = (!clear).then(|| f.basis.clone());
        uc::set_public_data(&state, &actor, id, &uc::PublicDataBody { basis }).await
    };
    match r {
        Ok(()) => Ok(see_other(&format!("/push/consent/{id}"), "updated")),
        Err(e) if is_form_error(&e) => {
            let c = uc::consent_of(&state, &actor, id).await?;
            let errors = FormErrors::from_error(&e, actor.lang);
            let page = officer_consent_page(&state, &actor, c, Some(f.basis), errors, &None);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "push_funnel.html")]
struct FunnelPage {
    ctx: PageCtx,
    f: uc::FunnelDto,
    q: uc::FunnelQuery,
    chart: String,
    city: bool,
    export_link: String,
}

impl FunnelPage {
    fn source_label(&self, code: &str) -> String {
        uc::source_label(code, self.ctx.t.0)
    }
    fn yuan<F: Copy + Into<ipfin_domain::Fen>>(&self, fen: &F) -> String {
        (*fen).into().yuan()
    }
}

/// `GET /push/funnel`: the funnel with its chart, per bank and source, and the XLSX link.
pub async fn funnel(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<uc::FunnelQuery>,
) -> AppResult<Response> {
    let (f, _) = uc::funnel(&state, &actor, &q).await?;
    let t = crate::i18n::T(actor.lang);
    let chart = crate::chart::funnel_chart(
        t.s("push.funnel"),
        &[
            (t.s("push.stage_pushed").to_string(), f.total.pushed),
            (t.s("push.stage_contacted").to_string(), f.total.contacted),
            (t.s("push.stage_applied").to_string(), f.total.applied),
            (t.s("push.stage_granted").to_string(), f.total.granted),
        ],
    );
    let qs = serde_urlencoded::to_string([
        ("district", f.district.clone().unwrap_or_default()),
        ("from", f.from.to_string()),
        ("to", f.to.to_string()),
    ])
    .unwrap_or_default();
    Ok(render(
        StatusCode::OK,
        &FunnelPage {
            ctx: PageCtx::new(
                &actor,
                &state,
                if actor.scope.is_government() {
                    "/push"
                } else {
                    "/pushed"
                },
            ),
            city: actor.scope.is_city(),
            export_link: format!("/push/funnel.xlsx?{qs}"),
            chart,
            f,
            q,
        },
    ))
}

/// `GET /push/funnel.xlsx`: the same figures as a workbook.
pub async fn funnel_export(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<uc::FunnelQuery>,
) -> AppResult<Response> {
    let (f, _) = uc::funnel(&state, &actor, &q).await?;
    let (headers, rows) = uc::funnel_rows(&f, actor.lang);
    super::export::xlsx(
        "推送漏斗",
        &headers,
        &rows,
        &format!("push-funnel-{}-{}.xlsx", f.from, f.to),
    )
}
