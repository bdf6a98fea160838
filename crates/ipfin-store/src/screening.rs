//! Screening (数据化手段筛选, SPEC §6 R3.2; issue #20 item 2): the districts' and the city's
//! scoring models (each save a new version, with who and when; no saved model: the default,
//! version 0), the derived score profiles, and the scored lists.
//!
//! An enterprise's score depends only on its factor levels, packed into one number, its
//! *profile* (`ipfin_domain::screening::Profile`). `refresh_screening` derives every
//! enterprise's profile from the records (enterprises, IP register, pledge register) and counts
//! them per district; scoring a district (or the city) then scores its distinct profiles — a
//! few thousand rows whatever the number of enterprises — and lists enterprises profile by
//! profile in the order of their scores (decision 0033).

use crate::db::{Page, Paged, exec, fetch_all, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::{Months, NaiveDate};
use ipfin_domain::Fen;
use ipfin_domain::org::Scope;
use ipfin_domain::screening::{Band, Factor, Facts, Model, Profile, Score, Shift, levels, shift};
use ipfin_domain::size::SizeClass;
use sea_orm::{FromQueryResult, Value};
use serde::Serialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// The area key of the city's model (districts use their code).
pub const CITY_AREA: &str = "city";

/// A model as saved (version 0: the default model, never saved).
#[derive(Debug, Clone, Serialize)]
pub struct SavedModel {
    pub id: Option<i64>,
    /// `city` or the district's code.
    pub area: String,
    pub version: i32,
    pub model: Model,
    pub note: Option<String>,
    pub saved_by: Option<String>,
    pub saved_at: Option<i64>,
}

/// When the profiles were last derived from the records.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct Refresh {
    /// The generation of profiles this refresh wrote.
    pub id: i64,
    pub as_of: NaiveDate,
    pub enterprises: i64,
    pub millis: i64,
    pub refreshed_at: i64,
}

/// An enterprise with its score under a model.
#[derive(Debug, Clone, Serialize)]
pub struct ScoredEnterprise {
    pub enterprise_id: i64,
    pub credit_code: String,
    pub name: String,
    pub district_code: String,
    pub profile: Profile,
    pub score: Score,
    pub band: Band,
}

/// What the push (issue #20 item 4) takes from screening: an enterprise at or above the saved
/// model's threshold.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenedEnterprise {
    pub enterprise_id: i64,
    pub credit_code: String,
    pub name: String,
    pub score: Score,
    pub band: Band,
}

/// A district (or the city) scored by a model.
#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    /// Enterprises with a profile.
    pub enterprises: u64,
    /// At or above the threshold.
    pub passing: u64,
    pub high: u64,
    /// Enterprises per ten points of score: `[0–10), [10–20), …` up to the model's total.
    pub distribution: Vec<(u32, u64)>,
    /// Distinct profiles scored.
    pub profiles: usize,
    /// The sum of every enterprise's score in twelfths of a point (a checksum to compare the
    /// scoring with another tool's).
    pub score_sum: u64,
    /// The passing enterprises, best first.
    pub list: Paged<ScoredEnterprise>,
}

/// A new model against the saved one.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub shift: Shift,
    /// Passing under the new model only, best (new score) first.
    pub entering: Paged<ScoredEnterprise>,
    /// Passing under the saved model only, best (saved score) first.
    pub leaving: Paged<ScoredEnterprise>,
}

/// What one refresh did.
#[derive(Debug, Clone, Serialize)]
pub struct RefreshReport {
    pub enterprises: i64,
    pub profiles: i64,
    pub millis: i64,
}

#[derive(FromQueryResult)]
struct ModelRow {
    id: i64,
    area: String,
    version: i32,
    weights: String,
    threshold: i32,
    note: Option<String>,
    saved_by: Option<String>,
    saved_at: i64,
}

impl ModelRow {
    fn decode(self) -> Result<SavedModel> {
        let unreadable =
            || StoreError::Internal(format!("screening model {} is unreadable", self.id));
        let map: HashMap<String, i64> =
            serde_json::from_str(&self.weights).map_err(|_| unreadable())?;
        let pairs: Vec<(Factor, i64)> = Factor::ALL
            .iter()
            .map(|f| (*f, map.get(f.code()).copied().unwrap_or(-1)))
            .collect();
        let model = Model::check(&pairs, i64::from(self.threshold)).map_err(|_| unreadable())?;
        Ok(SavedModel {
            id: Some(self.id),
            area: self.area,
            version: self.version,
            model,
            note: self.note,
            saved_by: self.saved_by,
            saved_at: Some(self.saved_at),
        })
    }
}

const MODEL_COLUMNS: &str = "m.id, m.area, m.version, m.weights, m.threshold, m.note, \
    u.display_name AS saved_by, m.saved_at FROM screening_models m LEFT JOIN users u ON u.id = m.saved_by";

/// The area a scope reads: a district it reads, or the city (the city only).
fn area(scope: &Scope, district: Option<&str>) -> Result<String> {
    match district {
        Some(d) if scope.reads_district(d) => Ok(d.to_string()),
        None if scope.is_city() => Ok(CITY_AREA.to_string()),
        _ => Err(StoreError::NotFound),
    }
}

/// Rows a refresh reads at once.
const CHUNK: i64 = 10_000;
/// Changed enterprises one refresh transaction takes.
const CHANGES_CHUNK: usize = 2_000;
/// The daily full refresh in `periodic_jobs` (one instance runs it).
pub const REFRESH_JOB: &str = "screening_refresh";
/// A full refresh that has not finished after this long is taken as abandoned.
const REFRESH_STALE_SECS: i64 = 3 * 3600;

/// Records, in the writer's transaction, that these enterprises' screening facts may have
/// changed (their record, IP or pledges): the next refresh of changes derives their profiles
/// again (decision 0033).
pub(crate) async fn mark_changed<C: sea_orm::ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(1_000) {
        exec(
            conn,
            &format!(
                "INSERT INTO screening_changes (enterprise_id) VALUES {}",
                vec!["(?)"; chunk.len()].join(", ")
            ),
            chunk.iter().map(|i| Value::from(*i)).collect(),
        )
        .await?;
    }
    Ok(())
}
/// Rows a multi-row insert writes (4 values a row).
const INSERT_ROWS: usize = 5_000;

impl Store {
    /// The model in force for a district (`None`: the city's own model): the newest version,
    /// or the default model (version 0) when none was saved.
    pub async fn screening_model(
        &self,
        scope: &Scope,
        district: Option<&str>,
    ) -> Result<SavedModel> {
        let area = area(scope, district)?;
        let row: Option<ModelRow> = fetch_opt(
            self.conn(),
            &format!("SELECT {MODEL_COLUMNS} WHERE m.area = ? ORDER BY m.version DESC LIMIT 1"),
            vec![area.clone().into()],
        )
        .await?;
        match row {
            Some(r) => r.decode(),
            None => Ok(SavedModel {
                id: None,
                area,
                version: 0,
                model: Model::default_model(),
                note: None,
                saved_by: None,
                saved_at: None,
            }),
        }
    }

    /// Every saved version, newest first.
    pub async fn screening_models(
        &self,
        scope: &Scope,
        district: Option<&str>,
    ) -> Result<Vec<SavedModel>> {
        let area = area(scope, district)?;
        let rows: Vec<ModelRow> = fetch_all(
            self.conn(),
            &format!("SELECT {MODEL_COLUMNS} WHERE m.area = ? ORDER BY m.version DESC"),
            vec![area.into()],
        )
        .await?;
        rows.into_iter().map(ModelRow::decode).collect()
    }

    /// Saves a new version of a district's model (its lead officers or the city administrator)
    /// or of the city's (the city administrator), signed in as a person. Weights and threshold
    /// are checked all at once; nothing is stored when any is wrong.
    pub async fn save_screening_model(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: Option<&str>,
        weights: &[(Factor, i64)],
        threshold: i64,
        note: Option<&str>,
    ) -> Result<SavedModel> {
        let area = area(scope, district)?;
        let manages = match district {
            Some(d) => scope.manages_district(d),
            None => scope.is_city(),
        };
        if !manages {
            return Err(StoreError::forbidden(
                "screening.manage",
                "只有本区牵头部门或市级管理员可以修改筛选模型。",
                "Only the district's lead department or the city administrator changes the model.",
            ));
        }
        if tx.actor_user_id().is_none() {
            return Err(StoreError::forbidden(
                "screening.person_required",
                "修改筛选模型须以个人账号登录办理。",
                "A model is saved by a person.",
            ));
        }
        let model = Model::check(weights, threshold).map_err(StoreError::fields)?;
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > 500) {
            return Err(StoreError::invalid(
                "note",
                "screening.note",
                "修改说明最多 500 字。",
                "The note is at most 500 characters.",
            ));
        }
        let version = fetch_i64(
            tx.conn(),
            "SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) FROM screening_models WHERE area = ?",
            vec![area.clone().into()],
        )
        .await? as i32;
        let weights_json = serde_json::to_string(
            &model
                .weight_pairs()
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
        .map_err(|e| StoreError::Internal(e.to_string()))?;
        let now = crate::now_s();
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO screening_models (area, version, weights, threshold, note, saved_by, saved_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                area.clone().into(),
                version.into(),
                weights_json.clone().into(),
                (model.threshold as i32).into(),
                note.map(str::to_string).into(),
                tx.actor_user_id().into(),
                now.into(),
            ],
        )
        .await
        .map_err(|e| {
            e.unique_as(ipfin_domain::Msg::new(
                "screening.concurrent",
                "另一位同事刚刚保存了新版本，请刷新后再试。",
                "Someone saved a version just now; reload and try again.",
            ))
        })?;
        tx.audit(
            "screening.model_saved",
            "screening_model",
            id,
            json!({"area": area, "version": version, "weights": weights_json, "threshold": model.threshold, "note": note}),
        )
        .await?;
        Ok(SavedModel {
            id: Some(id),
            area,
            version,
            model,
            note: note.map(str::to_string),
            saved_by: None,
            saved_at: Some(now),
        })
    }

    /// The refresh whose profiles are in force (the newest finished), if any.
    pub async fn screening_refreshed(&self) -> Result<Option<Refresh>> {
        fetch_opt(
            self.conn(),
            "SELECT id, as_of, enterprises, millis, refreshed_at FROM screening_refreshes \
             WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
            vec![],
        )
        .await
    }

    /// The generation in force (0: none yet, nothing is scored).
    async fn screening_generation(&self) -> Result<i64> {
        Ok(self.screening_refreshed().await?.map_or(0, |r| r.id))
    }

    /// Derives every enterprise's profile from the records on `today` (IP in force and its
    /// grants in the last two years, pledges not cancelled, the enterprise's figures and
    /// records) as a new generation beside the one in force, counts the profiles per district,
    /// then puts the generation in force in one short audited transaction and deletes the old
    /// ones. The rows of a generation are derived data invisible until it is in force, so they
    /// are written statement by statement (10,000 enterprises read, 5,000 rows a statement):
    /// no transaction holds the database for the whole of a city-scale refresh.
    pub async fn refresh_screening(&self, today: NaiveDate) -> Result<RefreshReport> {
        let started = std::time::Instant::now();
        // Changes recorded before the refresh starts are covered by it.
        let covered = fetch_i64(
            self.conn(),
            "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM screening_changes",
            vec![],
        )
        .await?;
        let generation = fetch_i64(
            self.conn(),
            "INSERT INTO screening_refreshes (as_of, enterprises, millis, refreshed_at) VALUES (?, 0, 0, ?) RETURNING id",
            vec![today.into(), crate::now_s().into()],
        )
        .await?;
        let mut last = 0i64;
        let mut total = 0i64;
        loop {
            let rows = facts_after(self.conn(), last, CHUNK, today).await?;
            let Some(end) = rows.last().map(|r| r.0) else {
                break;
            };
            for chunk in rows.chunks(INSERT_ROWS) {
                let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
                for (id, d, facts) in chunk {
                    values.extend([
                        Value::from(generation),
                        (*id).into(),
                        d.clone().into(),
                        Profile::of(&levels(facts)).0.into(),
                    ]);
                }
                exec(
                    self.conn(),
                    &format!(
                        "INSERT INTO screening_facts (generation, enterprise_id, district_code, profile) VALUES {}",
                        vec!["(?, ?, ?, ?)"; chunk.len()].join(", ")
                    ),
                    values,
                )
                .await?;
            }
            total += rows.len() as i64;
            last = end;
        }
        exec(
            self.conn(),
            "INSERT INTO screening_profiles (generation, district_code, profile, enterprises) \
             SELECT generation, district_code, profile, COUNT(*) FROM screening_facts WHERE generation = ? \
             GROUP BY generation, district_code, profile",
            vec![generation.into()],
        )
        .await?;
        let profiles = fetch_i64(
            self.conn(),
            "SELECT CAST(COUNT(*) AS BIGINT) FROM screening_profiles WHERE generation = ?",
            vec![generation.into()],
        )
        .await?;
        let millis = started.elapsed().as_millis() as i64;
        let report = RefreshReport {
            enterprises: total,
            profiles,
            millis,
        };
        let mut tx = self
            .write(crate::audit::AuditActor::system("screening-refresh"))
            .await?;
        exec(
            tx.conn(),
            "UPDATE screening_refreshes SET enterprises = ?, millis = ?, finished_at = ? WHERE id = ?",
            vec![
                total.into(),
                millis.into(),
                crate::now_s().into(),
                generation.into(),
            ],
        )
        .await?;
        exec(
            tx.conn(),
            "DELETE FROM screening_changes WHERE id <= ?",
            vec![covered.into()],
        )
        .await?;
        tx.audit(
            "screening.refresh",
            "screening",
            generation,
            json!({"as_of": today, "enterprises": total, "profiles": profiles, "millis": millis}),
        )
        .await?;
        tx.commit().await?;
        self.drop_old_screening(generation).await?;
        Ok(report)
    }

    /// How many changes of enterprises wait for the refresh of changes.
    pub async fn screening_changes_pending(&self) -> Result<i64> {
        fetch_i64(
            self.conn(),
            "SELECT CAST(COUNT(*) AS BIGINT) FROM screening_changes",
            vec![],
        )
        .await
    }

    /// Derives again the profiles of the enterprises recorded as changed, in the generation in
    /// force and as of its date, adjusting the district counts by the difference, 2,000
    /// enterprises a transaction; returns how many were derived. Nothing happens while no
    /// generation is in force or a full refresh is running (the changes wait; those it covers
    /// are deleted when it goes in force). Two instances never apply the same change: each
    /// transaction deletes the changes it read first and gives up if another took them.
    pub async fn refresh_screening_changes(&self) -> Result<i64> {
        let Some(in_force) = self.screening_refreshed().await? else {
            return Ok(0);
        };
        let running = fetch_i64(
            self.conn(),
            "SELECT CAST(COUNT(*) AS BIGINT) FROM screening_refreshes WHERE finished_at IS NULL AND id > ? AND refreshed_at > ?",
            vec![
                in_force.id.into(),
                (crate::now_s() - REFRESH_STALE_SECS).into(),
            ],
        )
        .await?;
        if running > 0 {
            return Ok(0);
        }
        let (generation, as_of) = (in_force.id, in_force.as_of);
        let mut total = 0i64;
        loop {
            let mut tx = self
                .write(crate::audit::AuditActor::system("screening-changes"))
                .await?;
            let applied = apply_changes(&tx, generation, as_of).await?;
            let Some(enterprises) = applied else {
                tx.rollback().await?;
                break;
            };
            tx.audit(
                "screening.refresh_changes",
                "screening",
                generation,
                json!({"as_of": as_of, "enterprises": enterprises}),
            )
            .await?;
            tx.commit().await?;
            total += enterprises;
        }
        Ok(total)
    }

    /// After records changed (an import, the job): the changed enterprises' profiles derived
    /// again, or a full refresh when nothing is in force yet or so many changed that reading
    /// everything is cheaper (more than a tenth of the enterprises, at least 50,000).
    pub async fn refresh_screening_after_changes(&self, today: NaiveDate) -> Result<()> {
        let pending = self.screening_changes_pending().await?;
        if pending == 0 {
            return Ok(());
        }
        let full = match self.screening_refreshed().await? {
            None => true,
            Some(r) => pending > (r.enterprises / 10).max(50_000),
        };
        if full {
            self.refresh_screening(today).await?;
        } else {
            self.refresh_screening_changes().await?;
        }
        Ok(())
    }

    /// The daily full refresh (the facts depend on the day: grants in the last two years,
    /// pledges in force): when due, claimed through `periodic_jobs` so one instance runs it,
    /// and skipped when the profiles in force are already of today.
    pub async fn refresh_screening_if_due(
        &self,
        today: NaiveDate,
    ) -> Result<Option<RefreshReport>> {
        let now = crate::now_s();
        let mut tx = self.write(crate::audit::AuditActor::system("jobs")).await?;
        let claimed = exec(
            tx.conn(),
            "UPDATE periodic_jobs SET due_at = ?, last_run_at = ? WHERE name = ? AND due_at <= ?",
            vec![
                (now + 3600).into(),
                now.into(),
                REFRESH_JOB.into(),
                now.into(),
            ],
        )
        .await?;
        if claimed == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        tx.audit("job.run", "periodic_job", REFRESH_JOB, json!({}))
            .await?;
        tx.commit().await?;
        match self.screening_refreshed().await? {
            Some(r) if r.as_of >= today => Ok(None),
            _ => self.refresh_screening(today).await.map(Some),
        }
    }

    /// Deletes the profiles of generations older than `generation`, a slice at a time.
    async fn drop_old_screening(&self, generation: i64) -> Result<()> {
        exec(
            self.conn(),
            "DELETE FROM screening_profiles WHERE generation < ?",
            vec![generation.into()],
        )
        .await?;
        #[derive(FromQueryResult)]
        struct G {
            generation: i64,
        }
        let old: Vec<G> = fetch_all(
            self.conn(),
            "SELECT id AS generation FROM screening_refreshes WHERE id < ? ORDER BY id",
            vec![generation.into()],
        )
        .await?;
        for g in old {
            while exec(
                self.conn(),
                "DELETE FROM screening_facts WHERE generation = ? AND enterprise_id IN \
                 (SELECT enterprise_id FROM screening_facts WHERE generation = ? ORDER BY enterprise_id LIMIT 50000)",
                vec![g.generation.into(), g.generation.into()],
            )
            .await?
                > 0
            {}
        }
        Ok(())
    }

    /// The facts of the enterprises after `after` (at most `limit`), as the refresh reads them:
    /// for exporting the same rows to other tools (the screening benchmark).
    pub async fn screening_facts_after(
        &self,
        after: i64,
        limit: i64,
        today: NaiveDate,
    ) -> Result<Vec<(i64, String, Facts)>> {
        facts_after(self.conn(), after, limit, today).await
    }

    /// The distinct profiles of a district (`None`: the city) with their counts.
    async fn screening_profiles(
        &self,
        generation: i64,
        district: Option<&str>,
    ) -> Result<Vec<(Profile, u64)>> {
        #[derive(FromQueryResult)]
        struct P {
            profile: i64,
            n: i64,
        }
        let rows: Vec<P> = match district {
            Some(d) => {
                fetch_all(
                    self.conn(),
                    "SELECT profile, enterprises AS n FROM screening_profiles WHERE generation = ? AND district_code = ?",
                    vec![generation.into(), d.to_string().into()],
                )
                .await?
            }
            None => {
                fetch_all(
                    self.conn(),
                    "SELECT profile, CAST(SUM(enterprises) AS BIGINT) AS n FROM screening_profiles WHERE generation = ? \
                     GROUP BY profile",
                    vec![generation.into()],
                )
                .await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|r| (Profile(r.profile), u64::try_from(r.n).unwrap_or(0)))
            .collect())
    }

    /// Scores every enterprise of a district (`None`: the city, for the city only) by `model`:
    /// the counts, the distribution of scores, and one page of the passing enterprises, best
    /// first (ties by profile, then by enterprise id).
    pub async fn score_district(
        &self,
        scope: &Scope,
        district: Option<&str>,
        model: &Model,
        page: Page,
    ) -> Result<Scored> {
        area(scope, district)?;
        let generation = self.screening_generation().await?;
        let profiles = self.screening_profiles(generation, district).await?;
        let mut scored: Vec<(Profile, u64, Score)> = profiles
            .iter()
            .map(|(p, n)| (*p, *n, model.score(*p)))
            .collect();
        let buckets = (model.total() / 10 + 1) as usize;
        let mut distribution: Vec<(u32, u64)> = (0..buckets).map(|i| (i as u32 * 10, 0)).collect();
        let (mut enterprises, mut passing, mut high, mut score_sum) = (0u64, 0u64, 0u64, 0u64);
        for (_, n, s) in &scored {
            enterprises += n;
            score_sum += n * u64::from(s.0);
            let b = ((s.0 / ipfin_domain::screening::TWELFTHS) / 10) as usize;
            if let Some(slot) = distribution.get_mut(b.min(buckets - 1)) {
                slot.1 += n;
            }
            match model.band(*s) {
                Band::High => {
                    passing += n;
                    high += n;
                }
                Band::Qualified => passing += n,
                Band::Below => {}
            }
        }
        scored.retain(|(_, _, s)| model.passes(*s));
        let list = self
            .list_by_profile(generation, district, model, &mut scored, page)
            .await?;
        Ok(Scored {
            enterprises,
            passing,
            high,
            distribution,
            profiles: profiles.len(),
            score_sum,
            list,
        })
    }

    /// A new model against the saved one: how many enterprises enter and leave, and one page of
    /// each.
    pub async fn preview_screening(
        &self,
        scope: &Scope,
        district: Option<&str>,
        new: &Model,
        page: Page,
    ) -> Result<Preview> {
        let saved = self.screening_model(scope, district).await?.model;
        let generation = self.screening_generation().await?;
        let profiles = self.screening_profiles(generation, district).await?;
        let shift = shift(&saved, new, &profiles);
        let mut entering: Vec<(Profile, u64, Score)> = profiles
            .iter()
            .filter(|(p, _)| new.passes(new.score(*p)) && !saved.passes(saved.score(*p)))
            .map(|(p, n)| (*p, *n, new.score(*p)))
            .collect();
        let mut leaving: Vec<(Profile, u64, Score)> = profiles
            .iter()
            .filter(|(p, _)| saved.passes(saved.score(*p)) && !new.passes(new.score(*p)))
            .map(|(p, n)| (*p, *n, saved.score(*p)))
            .collect();
        Ok(Preview {
            shift,
            entering: self
                .list_by_profile(generation, district, new, &mut entering, page)
                .await?,
            leaving: self
                .list_by_profile(generation, district, &saved, &mut leaving, page)
                .await?,
        })
    }

    /// The enterprises of a district at or above its saved model's threshold, best first, with
    /// the model's version (0: the default model): what a push list chooses from.
    pub async fn screened(
        &self,
        scope: &Scope,
        district: &str,
        page: Page,
    ) -> Result<(i32, Paged<ScreenedEnterprise>)> {
        let saved = self.screening_model(scope, Some(district)).await?;
        let scored = self
            .score_district(scope, Some(district), &saved.model, page)
            .await?;
        let l = scored.list;
        Ok((
            saved.version,
            Paged {
                items: l
                    .items
                    .into_iter()
                    .map(|e| ScreenedEnterprise {
                        enterprise_id: e.enterprise_id,
                        credit_code: e.credit_code,
                        name: e.name,
                        score: e.score,
                        band: e.band,
                    })
                    .collect(),
                total: l.total,
                capped: false,
                page: l.page,
                per_page: l.per_page,
            },
        ))
    }

    /// One page of the enterprises of these profiles, in the order of their scores (then
    /// profile, then enterprise id): the profiles that cover the page are read one by one.
    async fn list_by_profile(
        &self,
        generation: i64,
        district: Option<&str>,
        model: &Model,
        profiles: &mut [(Profile, u64, Score)],
        page: Page,
    ) -> Result<Paged<ScoredEnterprise>> {
        profiles.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
        let total: u64 = profiles.iter().map(|p| p.1).sum();
        let mut skip = (page.page - 1).saturating_mul(page.per_page);
        let mut want = page.per_page;
        let mut items = Vec::new();
        #[derive(FromQueryResult)]
        struct R {
            enterprise_id: i64,
            credit_code: String,
            name: String,
            district_code: String,
        }
        for (p, n, s) in profiles.iter() {
            if want == 0 {
                break;
            }
            if skip >= *n {
                skip -= n;
                continue;
            }
            let (cond, mut values): (&str, Vec<Value>) = match district {
                Some(d) => (
                    "f.generation = ? AND f.district_code = ? AND f.profile = ?",
                    vec![generation.into(), d.to_string().into(), p.0.into()],
                ),
                None => (
                    "f.generation = ? AND f.profile = ?",
                    vec![generation.into(), p.0.into()],
                ),
            };
            values.push((want as i64).into());
            values.push((skip as i64).into());
            let rows: Vec<R> = fetch_all(
                self.conn(),
                &format!(
                    "SELECT f.enterprise_id, e.credit_code, e.name, f.district_code FROM screening_facts f \
                     JOIN enterprises e ON e.id = f.enterprise_id WHERE {cond} ORDER BY f.enterprise_id LIMIT ? OFFSET ?"
                ),
                values,
            )
            .await?;
            skip = 0;
            want = want.saturating_sub(rows.len() as u64);
            items.extend(rows.into_iter().map(|r| ScoredEnterprise {
                enterprise_id: r.enterprise_id,
                credit_code: r.credit_code,
                name: r.name,
                district_code: r.district_code,
                profile: *p,
                score: *s,
                band: model.band(*s),
            }));
        }
        Ok(Paged {
            items,
            total,
            capped: false,
            page: page.page,
            per_page: page.per_page,
        })
    }

    /// The profile of one enterprise the scope sees (for its page), if it has one.
    pub async fn screening_profile_of(
        &self,
        scope: &Scope,
        enterprise_id: i64,
    ) -> Result<Option<Profile>> {
        #[derive(FromQueryResult)]
        struct P {
            profile: i64,
            district_code: String,
        }
        let generation = self.screening_generation().await?;
        Ok(fetch_opt::<P, _>(
            self.conn(),
            "SELECT profile, district_code FROM screening_facts WHERE generation = ? AND enterprise_id = ?",
            vec![generation.into(), enterprise_id.into()],
        )
        .await?
        .filter(|p| scope.reads_district(&p.district_code))
        .map(|p| Profile(p.profile)))
    }
}

/// One transaction of the refresh of changes: takes up to `CHANGES_CHUNK` changes (deleting
/// them; `None` when there are none or another instance took them), derives those enterprises'
/// profiles as of `as_of`, replaces their rows in `generation` and moves the district counts
/// from their old profiles to the new ones. Returns the number of enterprises derived.
async fn apply_changes(tx: &WriteTx, generation: i64, as_of: NaiveDate) -> Result<Option<i64>> {
    #[derive(FromQueryResult)]
    struct Change {
        id: i64,
        enterprise_id: i64,
    }
    #[derive(FromQueryResult)]
    struct Old {
        district_code: String,
        profile: i64,
    }
    let changes: Vec<Change> = fetch_all(
        tx.conn(),
        &format!(
            "SELECT id, enterprise_id FROM screening_changes ORDER BY id LIMIT {CHANGES_CHUNK}"
        ),
        vec![],
    )
    .await?;
    if changes.is_empty() {
        return Ok(None);
    }
    let marks = vec!["?"; changes.len()].join(", ");
    let taken = exec(
        tx.conn(),
        &format!("DELETE FROM screening_changes WHERE id IN ({marks})"),
        changes.iter().map(|c| Value::from(c.id)).collect(),
    )
    .await?;
    if taken != changes.len() as u64 {
        return Ok(None);
    }
    let mut ids: Vec<i64> = changes.iter().map(|c| c.enterprise_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let marks = vec!["?"; ids.len()].join(", ");
    let with_generation = || {
        let mut v: Vec<Value> = vec![generation.into()];
        v.extend(ids.iter().map(|i| Value::from(*i)));
        v
    };
    let old: Vec<Old> = fetch_all(
        tx.conn(),
        &format!(
            "SELECT district_code, profile FROM screening_facts WHERE generation = ? AND enterprise_id IN ({marks})"
        ),
        with_generation(),
    )
    .await?;
    exec(
        tx.conn(),
        &format!("DELETE FROM screening_facts WHERE generation = ? AND enterprise_id IN ({marks})"),
        with_generation(),
    )
    .await?;
    let new = facts_of(tx.conn(), Select::Ids(&ids), as_of).await?;
    let mut delta: HashMap<(String, i64), i64> = HashMap::new();
    for o in &old {
        *delta
            .entry((o.district_code.clone(), o.profile))
            .or_default() -= 1;
    }
    for chunk in new.chunks(INSERT_ROWS) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
        for (id, d, facts) in chunk {
            let profile = Profile::of(&levels(facts)).0;
            *delta.entry((d.clone(), profile)).or_default() += 1;
            values.extend([
                Value::from(generation),
                (*id).into(),
                d.clone().into(),
                profile.into(),
            ]);
        }
        exec(
            tx.conn(),
            &format!(
                "INSERT INTO screening_facts (generation, enterprise_id, district_code, profile) VALUES {}",
                vec!["(?, ?, ?, ?)"; chunk.len()].join(", ")
            ),
            values,
        )
        .await?;
    }
    for ((district, profile), d) in delta.into_iter().filter(|(_, d)| *d != 0) {
        let key =
            || -> Vec<Value> { vec![generation.into(), district.clone().into(), profile.into()] };
        let mut values: Vec<Value> = vec![d.into()];
        values.extend(key());
        let n = exec(
            tx.conn(),
            "UPDATE screening_profiles SET enterprises = enterprises + ? WHERE generation = ? AND district_code = ? AND profile = ?",
            values,
        )
        .await?;
        if n == 0 && d > 0 {
            let mut values = key();
            values.push(d.into());
            exec(
                tx.conn(),
                "INSERT INTO screening_profiles (generation, district_code, profile, enterprises) VALUES (?, ?, ?, ?)",
                values,
            )
            .await?;
        }
    }
    exec(
        tx.conn(),
        "DELETE FROM screening_profiles WHERE generation = ? AND enterprises <= 0",
        vec![generation.into()],
    )
    .await?;
    exec(
        tx.conn(),
        "UPDATE screening_refreshes SET enterprises = enterprises + ? WHERE id = ?",
        vec![
            (new.len() as i64 - old.len() as i64).into(),
            generation.into(),
        ],
    )
    .await?;
    Ok(Some(ids.len() as i64))
}

/// The facts of up to `limit` enterprises with a district, after the id `after` in id order,
/// on `today`: IP in force by kind and granted in the two years up to today, whether a pledge
/// registration is in force, and the enterprise's own figures and records.
async fn facts_after<C: sea_orm::ConnectionTrait>(
    conn: &C,
    after: i64,
    limit: i64,
    today: NaiveDate,
) -> Result<Vec<(i64, String, Facts)>> {
    facts_of(conn, Select::After { after, limit }, today).await
}

/// Which enterprises' facts to read: a slice in id order (the full refresh), or given ids (the
/// refresh of changed enterprises).
enum Select<'a> {
    After { after: i64, limit: i64 },
    Ids(&'a [i64]),
}

/// The facts of the selected enterprises that have a district, in id order.
async fn facts_of<C: sea_orm::ConnectionTrait>(
    conn: &C,
    select: Select<'_>,
    today: NaiveDate,
) -> Result<Vec<(i64, String, Facts)>> {
    let since = today.checked_sub_months(Months::new(24)).unwrap_or(today);
    #[derive(FromQueryResult)]
    struct E {
        id: i64,
        district: String,
        revenue_fen: Option<Fen>,
        prev_revenue_fen: Option<Fen>,
        rd_expense_fen: Option<Fen>,
        financing_need: Option<bool>,
        abnormal_operation: Option<bool>,
        dishonest: Option<bool>,
        size_class: Option<String>,
    }
    #[derive(FromQueryResult)]
    struct Ip {
        enterprise_id: i64,
        inventions: i64,
        trademarks: i64,
        copyrights: i64,
        recent: i64,
    }
    #[derive(FromQueryResult)]
    struct Pledged {
        id: i64,
    }
    let (selected, values, by_ids): (String, Vec<Value>, bool) = match select {
        Select::After { after, limit } => (
            "e.id > ? ORDER BY e.id LIMIT ?".into(),
            vec![after.into(), limit.into()],
            false,
        ),
        Select::Ids([]) => return Ok(Vec::new()),
        Select::Ids(ids) => (
            format!(
                "e.id IN ({}) ORDER BY e.id",
                vec!["?"; ids.len()].join(", ")
            ),
            ids.iter().map(|i| Value::from(*i)).collect(),
            true,
        ),
    };
    let rows: Vec<E> = fetch_all(
        conn,
        &format!(
            "SELECT e.id, e.registered_district AS district, e.operating_revenue_fen AS revenue_fen, e.prev_revenue_fen, \
             e.rd_expense_fen, e.financing_need, e.abnormal_operation, e.dishonest, \
             COALESCE(e.size_override, e.size_class) AS size_class \
             FROM enterprises e WHERE e.registered_district IS NOT NULL AND {selected}"
        ),
        values,
    )
    .await?;
    let (Some(first), Some(end)) = (rows.first().map(|r| r.id), rows.last().map(|r| r.id)) else {
        return Ok(Vec::new());
    };
    // The IP and pledges of a slice are read by id range (one index range scan); of given
    // ids, by the ids themselves.
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let (ip_cond, pledge_cond, mut ip_values, pledge_values): (
        String,
        String,
        Vec<Value>,
        Vec<Value>,
    ) = if by_ids {
        let marks = vec!["?"; ids.len()].join(", ");
        let v: Vec<Value> = ids.iter().map(|i| Value::from(*i)).collect();
        (
            format!("enterprise_id IN ({marks})"),
            format!("pledgor_enterprise_id IN ({marks})"),
            v.clone(),
            v,
        )
    } else {
        (
            "enterprise_id >= ? AND enterprise_id <= ?".into(),
            "pledgor_enterprise_id >= ? AND pledgor_enterprise_id <= ?".into(),
            vec![first.into(), end.into()],
            vec![first.into(), end.into()],
        )
    };
    let mut values: Vec<Value> = vec![since.into(), today.into()];
    values.append(&mut ip_values);
    let ip: Vec<Ip> = fetch_all(
        conn,
        &format!(
            "SELECT enterprise_id, \
             CAST(SUM(CASE WHEN kind = 'patent' AND patent_kind IN ('invention', 'pct_invention') THEN 1 ELSE 0 END) AS BIGINT) AS inventions, \
             CAST(SUM(CASE WHEN kind = 'trademark' THEN 1 ELSE 0 END) AS BIGINT) AS trademarks, \
             CAST(SUM(CASE WHEN kind IN ('software_copyright', 'works_copyright') THEN 1 ELSE 0 END) AS BIGINT) AS copyrights, \
             CAST(SUM(CASE WHEN grant_date >= ? AND grant_date <= ? THEN 1 ELSE 0 END) AS BIGINT) AS recent \
             FROM ip_assets WHERE {ip_cond} AND legal_status = 'valid' GROUP BY enterprise_id"
        ),
        values,
    )
    .await?;
    let ip: HashMap<i64, Ip> = ip.into_iter().map(|r| (r.enterprise_id, r)).collect();
    let mut values = pledge_values;
    values.extend([Value::from(today), Value::from(today)]);
    let pledged: Vec<Pledged> = fetch_all(
        conn,
        &format!(
            "SELECT DISTINCT pledgor_enterprise_id AS id FROM pledge_registrations \
             WHERE {pledge_cond} AND registration_date <= ? \
             AND (cancellation_date IS NULL OR cancellation_date > ?)"
        ),
        values,
    )
    .await?;
    let pledged: HashSet<i64> = pledged.into_iter().map(|p| p.id).collect();
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(rows
        .into_iter()
        .map(|e| {
            let a = ip.get(&e.id);
            let facts = Facts {
                invention_patents: a.map_or(0, |a| count(a.inventions)),
                trademarks: a.map_or(0, |a| count(a.trademarks)),
                copyrights: a.map_or(0, |a| count(a.copyrights)),
                recent_grants: a.map_or(0, |a| count(a.recent)),
                rd_expense_fen: e.rd_expense_fen,
                revenue_fen: e.revenue_fen,
                prev_revenue_fen: e.prev_revenue_fen,
                current_pledge: pledged.contains(&e.id),
                financing_need: e.financing_need,
                abnormal_operation: e.abnormal_operation,
                dishonest: e.dishonest,
                size: e.size_class.as_deref().and_then(SizeClass::from_code),
            };
            (e.id, e.district, facts)
        })
        .collect())
}
