//! Screening on pages (issue #20 item 2): `/screening` with the model in force, the counts and
//! distribution of scores, the best-scored enterprises with their factors, the XLSX, the
//! versions; for the lead officers (and the city administrator) the settings form, whose
//! preview shows who would enter and leave before the change is confirmed and saved.

use super::export::{EXPORT_LIMIT, xlsx};
use super::{CsrfForm, FormErrors, PageCtx, flash_key, render, see_other};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::usecase::screening::{
    self as uc, ContributionDto, ModelBody, Overview, ScreeningQuery, WeightDto, xlsx_rows,
};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use ipfin_domain::screening::{Factor, Model};
use ipfin_domain::{FieldError, Lang};
use ipfin_store::screening::ScoredEnterprise;
use serde::Deserialize;

/// A scored enterprise as the page shows it.
pub struct Line {
    pub name: String,
    pub credit_code: String,
    pub district: String,
    pub score: String,
    pub band: &'static str,
    pub band_code: &'static str,
    pub factors: Vec<ContributionDto>,
}

fn line(e: &ScoredEnterprise, model: &Model, lang: Lang) -> Line {
    Line {
        name: e.name.clone(),
        credit_code: e.credit_code.clone(),
        district: e.district_code.clone(),
        score: e.score.display(),
        band: e.band.label(lang),
        band_code: e.band.code(),
        factors: uc::explain(e.profile, model, lang),
    }
}

/// A weight field of the settings form.
pub struct WeightField {
    pub code: &'static str,
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
}

/// A saved version as the history shows it.
pub struct Version {
    pub version: i32,
    pub threshold: u32,
    pub weights: String,
    pub note: String,
    pub saved_by: String,
    pub saved_at: String,
}

/// What a preview shows.
pub struct PreviewView {
    pub before: u64,
    pub after: u64,
    pub entering: u64,
    pub leaving: u64,
    pub entering_items: Vec<Line>,
    pub leaving_items: Vec<Line>,
}

/// The settings form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ModelForm {
    pub district: String,
    pub threshold: String,
    pub note: String,
    pub confirm: String,
}

#[derive(Template)]
#[template(path = "screening.html")]
struct ScreeningPage {
    ctx: PageCtx,
    district: String,
    area_label: String,
    show_district: bool,
    version: i32,
    saved_by: String,
    saved_at: String,
    note: String,
    threshold: u32,
    total_points: u32,
    current_weights: Vec<(&'static str, u32)>,
    refreshed: String,
    enterprises: u64,
    passing: u64,
    high: u64,
    distribution: Vec<(u32, u64, u64)>,
    items: Vec<Line>,
    total: u64,
    page: u64,
    pages: u64,
    prev: Option<String>,
    next: Option<String>,
    export_link: String,
    manage: bool,
    fields: Vec<WeightField>,
    form_threshold: String,
    form_note: String,
    preview: Option<PreviewView>,
    history: Vec<Version>,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IndexParams {
    #[serde(flatten)]
    q: ScreeningQuery,
    ok: Option<String>,
}

/// `GET /screening`: the district's (the city: a district's, or the city's) screening.
pub async fn index(
    State(state): State<AppState>,
    actor: Actor,
    Query(p): Query<IndexParams>,
) -> AppResult<Response> {
    let flash = flash_key(&p.ok);
    let o = uc::overview(&state, &actor, &p.q, p.q.page()).await?;
    let form = typed_model(&o.saved.model);
    page(
        &state,
        &actor,
        &o,
        &form,
        None,
        FormErrors::default(),
        flash,
    )
}

/// The form filled with a model (weights, threshold, an empty note).
fn typed_model(m: &Model) -> Typed {
    (
        Factor::ALL
            .iter()
            .map(|f| (*f, m.weight(*f).to_string()))
            .collect(),
        m.threshold.to_string(),
        String::new(),
    )
}

type Typed = (Vec<(Factor, String)>, String, String);

fn page(
    state: &AppState,
    actor: &Actor,
    o: &Overview,
    form: &Typed,
    preview: Option<PreviewView>,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<Response> {
    let lang = actor.lang;
    let t = crate::i18n::T(lang);
    let district = o.district.clone().unwrap_or_default();
    let qs = serde_urlencoded::to_string([("district", district.as_str())]).unwrap_or_default();
    let list = &o.scored.list;
    let pages = list.pages();
    let link = |n: u64| format!("/screening?{qs}&page={n}");
    let most = o.scored.distribution.iter().map(|d| d.1).max().unwrap_or(0);
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let p = ScreeningPage {
        ctx: PageCtx::new(actor, state, "/screening").with_flash(flash),
        area_label: if district.is_empty() {
            t.s("sc.city").to_string()
        } else {
            district.clone()
        },
        show_district: actor.scope.is_city(),
        version: o.saved.version,
        saved_by: o.saved.saved_by.clone().unwrap_or_default(),
        saved_at: o
            .saved
            .saved_at
            .and_then(ipfin_store::date_shanghai)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        note: o.saved.note.clone().unwrap_or_default(),
        threshold: o.saved.model.threshold,
        total_points: o.saved.model.total(),
        current_weights: Factor::ALL
            .iter()
            .map(|f| (f.label(lang), o.saved.model.weight(*f)))
            .collect(),
        refreshed: o
            .refreshed
            .as_ref()
            .map(|r| {
                format!(
                    "{} · {} {}",
                    r.as_of,
                    r.enterprises,
                    t.s("sc.enterprises_unit")
                )
            })
            .unwrap_or_else(|| t.s("sc.never_refreshed").to_string()),
        enterprises: o.scored.enterprises,
        passing: o.scored.passing,
        high: o.scored.high,
        distribution: o
            .scored
            .distribution
            .iter()
            .map(|(from, n)| (*from, *n, (n * 100).checked_div(most).unwrap_or(0)))
            .collect(),
        items: list
            .items
            .iter()
            .map(|e| line(e, &o.saved.model, lang))
            .collect(),
        total: list.total,
        page: list.page,
        pages,
        prev: (list.page > 1).then(|| link(list.page - 1)),
        next: (list.page < pages).then(|| link(list.page + 1)),
        export_link: format!("/screening/export.xlsx?{qs}"),
        manage: o.manage,
        fields: form
            .0
            .iter()
            .map(|(f, v)| WeightField {
                code: f.code(),
                name: f.field(),
                label: f.label(lang),
                value: v.clone(),
            })
            .collect(),
        form_threshold: form.1.clone(),
        form_note: form.2.clone(),
        preview,
        history: o
            .history
            .iter()
            .map(|h| Version {
                version: h.version,
                threshold: h.model.threshold,
                weights: Factor::ALL
                    .iter()
                    .map(|f| format!("{} {}", f.label(lang), h.model.weight(*f)))
                    .collect::<Vec<_>>()
                    .join("，"),
                note: h.note.clone().unwrap_or_default(),
                saved_by: h.saved_by.clone().unwrap_or_default(),
                saved_at: h
                    .saved_at
                    .and_then(ipfin_store::date_shanghai)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        district,
        errors,
    };
    Ok(render(status, &p))
}

/// The form's model: weights from the `weights.<factor>` fields, every unreadable one beside
/// its field, then the model's own checks.
fn read_form(form: &CsrfForm<ModelForm>) -> (Typed, AppResult<ModelBody>) {
    let f = &form.data;
    let mut typed = Vec::new();
    let mut weights = Vec::new();
    let mut errors = Vec::new();
    for factor in Factor::ALL {
        let v = form
            .pairs
            .iter()
            .find(|(k, _)| k == factor.field())
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default();
        match v.parse::<i64>() {
            Ok(w) => weights.push(WeightDto {
                factor: factor.code().to_string(),
                label: String::new(),
                weight: w,
            }),
            Err(_) => errors.push(FieldError::new(
                factor.field(),
                "screening.weight_number",
                format!("“{}”的权重应为 0 至 100 的整数。", factor.zh()),
                format!(
                    "The weight of “{}” must be a whole number from 0 to 100.",
                    factor.en()
                ),
            )),
        }
        typed.push((*factor, v));
    }
    let threshold = match f.threshold.trim().parse::<i64>() {
        Ok(t) => t,
        Err(_) => {
            errors.push(FieldError::new(
                "threshold",
                "screening.threshold",
                "入选分数线应为不小于 0 的整数。",
                "The threshold must be a whole number.",
            ));
            0
        }
    };
    let typed = (typed, f.threshold.clone(), f.note.clone());
    if !errors.is_empty() {
        return (
            typed,
            Err(AppError::from(ipfin_store::StoreError::fields(errors))),
        );
    }
    let body = ModelBody {
        weights,
        threshold,
        note: Some(f.note.clone()).filter(|n| !n.trim().is_empty()),
    };
    (typed, body.model().map(|_| body))
}

fn query_of(f: &ModelForm) -> ScreeningQuery {
    ScreeningQuery {
        district: Some(f.district.clone()).filter(|d| !d.trim().is_empty()),
        ..Default::default()
    }
}

/// `POST /screening/preview`: the page with who would enter and leave under the typed model,
/// and the confirmation to save it; errors beside their fields, what was typed kept.
pub async fn preview(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<ModelForm>,
) -> AppResult<Response> {
    let q = query_of(&form.data);
    let o = uc::overview(&state, &actor, &q, q.page()).await?;
    let (typed, body) = read_form(&form);
    let lang = actor.lang;
    let r = async {
        let b = body?;
        let new = b.model()?;
        let p = uc::preview(
            &state,
            &actor,
            o.district.as_deref(),
            &b,
            ipfin_store::Page::new(Some(1), Some(50)),
        )
        .await?;
        Ok::<_, AppError>(PreviewView {
            before: p.shift.before,
            after: p.shift.after,
            entering: p.shift.entering,
            leaving: p.shift.leaving,
            entering_items: p
                .entering
                .items
                .iter()
                .map(|e| line(e, &new, lang))
                .collect(),
            leaving_items: p
                .leaving
                .items
                .iter()
                .map(|e| line(e, &o.saved.model, lang))
                .collect(),
        })
    }
    .await;
    match r {
        Ok(pv) => page(
            &state,
            &actor,
            &o,
            &typed,
            Some(pv),
            FormErrors::default(),
            None,
        ),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FormErrors::from_error(&e, lang);
            page(&state, &actor, &o, &typed, None, errors, None)
        }
        Err(e) => Err(e),
    }
}

/// `POST /screening/model` (the previewed fields and `confirm=yes`): saves a new version.
pub async fn save(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<ModelForm>,
) -> AppResult<Response> {
    let q = query_of(&form.data);
    let district = q.district(&actor)?;
    let (typed, body) = read_form(&form);
    let r = async {
        let b = body?;
        if form.data.confirm != "yes" {
            return Err(AppError::invalid(FieldError::new(
                "confirm",
                "form.confirm",
                "请先预览变化，勾选确认后再保存。",
                "Preview the change and tick the confirmation to save.",
            )));
        }
        uc::save(&state, &actor, district.as_deref(), &b).await
    }
    .await;
    match r {
        Ok(_) => {
            let qs = serde_urlencoded::to_string([("district", district.unwrap_or_default())])
                .unwrap_or_default();
            Ok(see_other(&format!("/screening?{qs}"), "updated"))
        }
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT =>
        {
            let o = uc::overview(&state, &actor, &q, q.page()).await?;
            let errors = FormErrors::from_error(&e, actor.lang);
            page(&state, &actor, &o, &typed, None, errors, None)
        }
        Err(e) => Err(e),
    }
}

/// `GET /screening/export.xlsx`: the passing enterprises, best first (at most the export
/// limit), each with its score, band and factors.
pub async fn export(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ScreeningQuery>,
) -> AppResult<Response> {
    let o = uc::overview(
        &state,
        &actor,
        &q,
        ipfin_store::Page {
            page: 1,
            per_page: EXPORT_LIMIT,
        },
    )
    .await?;
    let (headers, rows) = xlsx_rows(&o.scored.list.items, &o.saved.model, actor.lang);
    xlsx(
        "筛选结果",
        &headers,
        &rows,
        &format!(
            "screening-{}-v{}.xlsx",
            o.district.as_deref().unwrap_or("city"),
            o.saved.version
        ),
    )
}
