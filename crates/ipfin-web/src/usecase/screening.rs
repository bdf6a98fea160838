//! Screening (数据化手段筛选, SPEC §6 R3.2; issue #20 item 2) for the pages and the API alike:
//! the district's (or the city's) model in force and its history, the enterprises it scores at
//! or above its threshold with each score's contributing factors, the preview of a change
//! (who enters, who leaves) and saving a new version.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use ipfin_domain::screening::{Contribution, Factor, Model, Profile};
use ipfin_domain::{FieldError, Lang};
use ipfin_store::screening::{Preview, Refresh, SavedModel, Scored, ScoredEnterprise};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which list (`?district=&page=&per_page=`).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ScreeningQuery {
    /// The district (a district's departments always get their own; the city: a district, or
    /// none for the city's own model over all districts).
    pub district: Option<String>,
    pub page: Option<String>,
    /// Rows per page (1–200, default 20).
    pub per_page: Option<String>,
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ScreeningQuery {
    /// The district asked for: a district's own (another one is not found), or the city's
    /// choice (`None`: the city as a whole).
    pub fn district(&self, actor: &Actor) -> AppResult<Option<String>> {
        match (actor.scope.district(), opt(&self.district)) {
            (Some(own), Some(asked)) if own != asked => Err(AppError::not_found()),
            (Some(own), _) => Ok(Some(own.to_string())),
            (None, asked) if actor.scope.is_city() => Ok(asked.map(str::to_string)),
            _ => Err(AppError::not_found()),
        }
    }

    pub fn page(&self) -> ipfin_store::Page {
        ipfin_store::Page::new(
            opt(&self.page).and_then(|p| p.parse().ok()),
            opt(&self.per_page).and_then(|p| p.parse().ok()),
        )
    }
}

/// One weight of a model.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WeightDto {
    /// The factor's code, e.g. `invention_patents`.
    pub factor: String,
    /// The factor's name in the caller's language (ignored when sent).
    #[serde(default)]
    pub label: String,
    /// Points the factor's top level earns (0–100).
    pub weight: i64,
}

/// A model as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelDto {
    /// `city` or the district's code.
    pub area: String,
    /// 0: the default model (never saved).
    pub version: i32,
    pub weights: Vec<WeightDto>,
    /// Points an enterprise needs to be screened in.
    pub threshold: u32,
    /// The most points an enterprise can reach.
    pub total: u32,
    pub note: Option<String>,
    pub saved_by: Option<String>,
    /// Unix seconds.
    pub saved_at: Option<i64>,
}

impl ModelDto {
    pub fn new(m: &SavedModel, lang: Lang) -> ModelDto {
        ModelDto {
            area: m.area.clone(),
            version: m.version,
            weights: Factor::ALL
                .iter()
                .map(|f| WeightDto {
                    factor: f.code().to_string(),
                    label: f.label(lang).to_string(),
                    weight: i64::from(m.model.weight(*f)),
                })
                .collect(),
            threshold: m.model.threshold,
            total: m.model.total(),
            note: m.note.clone(),
            saved_by: m.saved_by.clone(),
            saved_at: m.saved_at,
        }
    }
}

/// The model in force and every saved version, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelsDto {
    pub current: ModelDto,
    pub history: Vec<ModelDto>,
}

/// One factor's part of a score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContributionDto {
    pub factor: String,
    pub label: String,
    /// The fact's level in words, or 缺失 when it is not known.
    pub level: String,
    /// Whether the fact is missing (it then contributes nothing).
    pub missing: bool,
    /// Points earned, one decimal.
    pub points: String,
    pub weight: u32,
    /// The whole line, e.g. 有效发明专利：5–9 件，15.0 / 20 分.
    pub text: String,
}

impl ContributionDto {
    pub fn new(c: &Contribution, lang: Lang) -> ContributionDto {
        ContributionDto {
            factor: c.factor.code().to_string(),
            label: c.factor.label(lang).to_string(),
            level: c.factor.level_text(c.level, lang).to_string(),
            missing: c.level.is_none(),
            points: c.points.display(),
            weight: c.weight,
            text: c.text(lang),
        }
    }
}

/// An enterprise with its score and the factors that make it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoredDto {
    pub enterprise_id: i64,
    pub credit_code: String,
    pub name: String,
    pub district_code: String,
    /// Points, one decimal.
    pub score: String,
    /// `high` (优先), `qualified` (达标) or `below`.
    pub band: String,
    pub contributions: Vec<ContributionDto>,
}

impl ScoredDto {
    pub fn new(e: &ScoredEnterprise, model: &Model, lang: Lang) -> ScoredDto {
        ScoredDto {
            enterprise_id: e.enterprise_id,
            credit_code: e.credit_code.clone(),
            name: e.name.clone(),
            district_code: e.district_code.clone(),
            score: e.score.display(),
            band: e.band.code().to_string(),
            contributions: explain(e.profile, model, lang),
        }
    }
}

pub fn explain(p: Profile, model: &Model, lang: Lang) -> Vec<ContributionDto> {
    model
        .explain(p)
        .iter()
        .map(|c| ContributionDto::new(c, lang))
        .collect()
}

/// Enterprises per ten points of score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BucketDto {
    /// The lowest score of the bucket (0, 10, 20, …).
    pub from: u32,
    pub enterprises: u64,
}

/// When the scores' facts were last read from the records.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefreshDto {
    /// The business date the facts are as of.
    pub as_of: chrono::NaiveDate,
    pub enterprises: i64,
    pub millis: i64,
    /// Unix seconds.
    pub refreshed_at: i64,
}

impl From<Refresh> for RefreshDto {
    fn from(r: Refresh) -> RefreshDto {
        RefreshDto {
            as_of: r.as_of,
            enterprises: r.enterprises,
            millis: r.millis,
            refreshed_at: r.refreshed_at,
        }
    }
}

/// The district (or city) scored by its model in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScreeningDto {
    pub model: ModelDto,
    /// Absent: the facts were never derived (no enterprise is scored).
    pub refreshed: Option<RefreshDto>,
    /// Enterprises scored.
    pub enterprises: u64,
    /// At or above the threshold.
    pub passing: u64,
    /// In the upper half between the threshold and the most points (优先).
    pub high: u64,
    pub distribution: Vec<BucketDto>,
    /// The passing enterprises, best first.
    pub items: Vec<ScoredDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// What the page and the API show.
pub struct Overview {
    pub district: Option<String>,
    pub saved: SavedModel,
    pub scored: Scored,
    pub refreshed: Option<Refresh>,
    pub history: Vec<SavedModel>,
    /// Whether the caller may save a new version (signed in as a person who manages it).
    pub manage: bool,
}

impl Overview {
    pub fn dto(&self, lang: Lang) -> ScreeningDto {
        ScreeningDto {
            model: ModelDto::new(&self.saved, lang),
            refreshed: self.refreshed.clone().map(RefreshDto::from),
            enterprises: self.scored.enterprises,
            passing: self.scored.passing,
            high: self.scored.high,
            distribution: self
                .scored
                .distribution
                .iter()
                .map(|(from, n)| BucketDto {
                    from: *from,
                    enterprises: *n,
                })
                .collect(),
            items: self
                .scored
                .list
                .items
                .iter()
                .map(|e| ScoredDto::new(e, &self.saved.model, lang))
                .collect(),
            total: self.scored.list.total,
            page: self.scored.list.page,
            per_page: self.scored.list.per_page,
        }
    }
}

/// Whether the caller may save the model of this district (`None`: the city's).
pub fn manages(actor: &Actor, district: Option<&str>) -> bool {
    actor.user().is_some()
        && match district {
            Some(d) => actor.scope.manages_district(d),
            None => actor.scope.is_city(),
        }
}

/// The district (or city) under its model in force, with one page of the passing enterprises.
pub async fn overview(
    state: &AppState,
    actor: &Actor,
    q: &ScreeningQuery,
    page: ipfin_store::Page,
) -> AppResult<Overview> {
    let district = q.district(actor)?;
    let d = district.as_deref();
    let saved = state.store.screening_model(&actor.scope, d).await?;
    let scored = state
        .store
        .score_district(&actor.scope, d, &saved.model, page)
        .await?;
    Ok(Overview {
        manage: manages(actor, d),
        history: state.store.screening_models(&actor.scope, d).await?,
        refreshed: state.store.screening_refreshed().await?,
        district,
        saved,
        scored,
    })
}

/// A model as the API and the form send it.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelBody {
    /// Every factor's weight (0–100).
    pub weights: Vec<WeightDto>,
    /// Points an enterprise needs (0 to the total of the weights).
    pub threshold: i64,
    /// Why the model changes (at most 500 characters).
    #[serde(default)]
    pub note: Option<String>,
}

impl ModelBody {
    /// The weights by factor; an unknown factor code is an error beside `weights`.
    pub fn pairs(&self) -> AppResult<Vec<(Factor, i64)>> {
        let mut out = Vec::new();
        for w in &self.weights {
            match Factor::from_code(w.factor.trim()) {
                Some(f) => out.push((f, w.weight)),
                None => {
                    return Err(AppError::invalid(FieldError::new(
                        "weights",
                        "screening.unknown_factor",
                        format!("没有名为“{}”的筛选因素。", w.factor),
                        format!("There is no factor “{}”.", w.factor),
                    )));
                }
            }
        }
        Ok(out)
    }

    /// The model, every problem at once (nothing is read from the store).
    pub fn model(&self) -> AppResult<Model> {
        Model::check(&self.pairs()?, self.threshold)
            .map_err(|e| AppError::from(ipfin_store::StoreError::fields(e)))
    }
}

/// How a new model would change the list, checked first.
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    district: Option<&str>,
    b: &ModelBody,
    page: ipfin_store::Page,
) -> AppResult<Preview> {
    let model = b.model()?;
    Ok(state
        .store
        .preview_screening(&actor.scope, district, &model, page)
        .await?)
}

/// Saves a new version of the model.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    district: Option<&str>,
    b: &ModelBody,
) -> AppResult<SavedModel> {
    let pairs = b.pairs()?;
    write!(state, actor, |tx| state
        .store
        .save_screening_model(
            &mut tx,
            &actor.scope,
            district,
            &pairs,
            b.threshold,
            b.note.as_deref()
        )
        .await?)
}

/// The XLSX header and rows of the scored list.
pub fn xlsx_rows(
    items: &[ScoredEnterprise],
    model: &Model,
    lang: Lang,
) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let t = crate::i18n::T(lang);
    let headers = vec![
        t.s("org.credit_code"),
        t.s("ent.name"),
        t.s("district.name"),
        t.s("sc.score"),
        t.s("sc.band"),
        t.s("sc.factors"),
    ];
    let rows = items
        .iter()
        .map(|e| {
            vec![
                e.credit_code.clone(),
                e.name.clone(),
                e.district_code.clone(),
                e.score.display(),
                e.band.label(lang).to_string(),
                model
                    .explain(e.profile)
                    .iter()
                    .map(|c| c.text(lang))
                    .collect::<Vec<_>>()
                    .join("；"),
            ]
        })
        .collect();
    (headers, rows)
}
