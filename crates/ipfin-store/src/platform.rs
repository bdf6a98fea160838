//! The public service platform (SPEC §7 R3.3, issue #22, decision 0036): interpretations of a
//! district's policies, banks' loan products and enterprises' financing needs with the matches
//! proposed both ways, the contacts (rate-limited per day in the database, and fed into the push
//! funnel when the enterprise was pushed to that bank), disposal listings of pledged IP after a
//! default, and the two-character search index. Every read builds its scope condition with
//! `crate::visibility::condition`.

use crate::db::{exec, fetch_all, fetch_i64, fetch_opt};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::platform::{
    ContactKind, Interest, Interpretation, Listing, ListingOutcome, ListingStatus, Need, NeedFacts,
    NeedStatus, Product, ProductFacts, ProductStatus, QuoteAction, QuoteAnswer, QuoteStatus,
    ValuationProfile, ValuationReport, grams, match_reasons,
};
use ipfin_domain::visibility::Records;
use ipfin_domain::{Fen, FieldError, Msg, OrgId, OrgKind, Scope};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use serde_json::json;

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// A policy interpretation (政策解读).
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct InterpretationRow {
    pub id: i64,
    pub district_code: String,
    pub district_name: String,
    pub policy_version_id: i64,
    pub policy_title: String,
    pub title: String,
    pub body: String,
    pub status: String,
    pub author_name: String,
    pub updated_at: i64,
    pub published_at: Option<i64>,
}

/// A bank's loan product.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ProductRow {
    pub id: i64,
    pub bank_org_id: i64,
    pub bank_name: String,
    pub name: String,
    pub ip_kinds: String,
    pub min_fen: Fen,
    pub max_fen: Fen,
    pub min_months: i32,
    pub max_months: i32,
    pub min_rate_bp: i32,
    pub max_rate_bp: i32,
    pub industries: String,
    pub regions: String,
    pub contact: String,
    pub description: String,
    pub status: String,
    pub created_at: i64,
}

impl ProductRow {
    fn facts<'a>(
        &self,
        kinds: &'a [String],
        ind: &'a [String],
        reg: &'a [String],
    ) -> ProductFacts<'a> {
        ProductFacts {
            min_fen: self.min_fen,
            max_fen: self.max_fen,
            min_months: self.min_months,
            max_months: self.max_months,
            ip_kinds: kinds,
            industries: ind,
            regions: reg,
        }
    }
}

/// An enterprise's financing need, with the kinds of the IP it offers.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct NeedRow {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub industry: Option<String>,
    pub district_code: Option<String>,
    pub amount_fen: Fen,
    pub months: i32,
    pub purpose: String,
    pub public: bool,
    pub status: String,
    pub created_at: i64,
    /// The IP kinds of the assets offered (comma-separated codes), filled after the query.
    #[sea_orm(skip)]
    pub ip_kinds: String,
    /// The assets offered: (id, kind, number, title).
    #[sea_orm(skip)]
    pub assets: Vec<AssetRow>,
}

/// An IP asset as the platform shows it.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct AssetRow {
    pub owner_id: i64,
    pub id: i64,
    pub kind: String,
    pub number: String,
    pub title: String,
}

/// A proposed match with the reasons (which criteria matched, in both languages).
#[derive(Debug, Clone)]
pub struct Match<T> {
    pub item: T,
    pub reasons: Vec<Msg>,
}

/// A matchmaking contact.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ContactRow {
    pub id: i64,
    pub kind: String,
    pub subject_id: i64,
    pub subject: String,
    pub enterprise_name: String,
    pub bank_name: String,
    pub on_date: NaiveDate,
    pub message: String,
    pub by_name: String,
    pub push_entry_id: Option<i64>,
}

/// A defaulted loan its lender may list for disposal, with the pledged assets.
#[derive(Debug, Clone, Serialize)]
pub struct DisposableLoan {
    pub loan_id: i64,
    pub contract_number: String,
    pub enterprise_name: String,
    pub principal_fen: Fen,
    pub assets: Vec<AssetRow>,
}

/// A disposal listing.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ListingRow {
    pub id: i64,
    pub loan_id: i64,
    pub bank_org_id: i64,
    pub bank_name: String,
    pub enterprise_name: String,
    pub district_code: Option<String>,
    pub title: String,
    pub reserve_fen: Fen,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub terms: String,
    pub status: String,
    pub price_fen: Option<Fen>,
    pub outcome_on: Option<NaiveDate>,
    pub outcome_note: String,
    pub created_at: i64,
    #[sea_orm(skip)]
    pub assets: Vec<AssetRow>,
}

/// Interest registered on a listing (the listing's bank and the district read it).
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct InterestRow {
    pub id: i64,
    pub name: String,
    pub contact: String,
    pub note: String,
    pub created_at: i64,
}

/// A contact person of a district's lead department (shown on its zone).
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ZoneContact {
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub kind: &'static str,
    pub id: i64,
    pub title: String,
    pub url: String,
}

const INTERP_SELECT: &str = "SELECT i.id, i.district_code, d.name AS district_name, i.policy_version_id, p.title AS policy_title, \
     i.title, i.body, i.status, i.author_name, i.updated_at, i.published_at \
     FROM interpretations i JOIN policy_versions p ON p.id = i.policy_version_id JOIN districts d ON d.code = i.district_code";

const PRODUCT_SELECT: &str = "SELECT pr.id, pr.bank_org_id, o.name AS bank_name, pr.name, pr.ip_kinds, pr.min_fen, pr.max_fen, \
     pr.min_months, pr.max_months, pr.min_rate_bp, pr.max_rate_bp, pr.industries, pr.regions, pr.contact, pr.description, \
     pr.status, pr.created_at FROM loan_products pr JOIN organisations o ON o.id = pr.bank_org_id";

const NEED_SELECT: &str = "SELECT n.id, n.enterprise_id, e.name AS enterprise_name, e.industry, n.district_code, n.amount_fen, \
     n.months, n.purpose, n.public, n.status, n.created_at FROM financing_needs n JOIN enterprises e ON e.id = n.enterprise_id";

const LISTING_SELECT: &str = "SELECT dl.id, dl.loan_id, dl.bank_org_id, o.name AS bank_name, e.name AS enterprise_name, \
     dl.district_code, dl.title, dl.reserve_fen, dl.opens_on, dl.closes_on, dl.terms, dl.status, dl.price_fen, dl.outcome_on, \
     dl.outcome_note, dl.created_at FROM disposal_listings dl JOIN organisations o ON o.id = dl.bank_org_id \
     JOIN enterprises e ON e.id = dl.enterprise_id";

/// A district's published policies and interpretations.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ZoneCount {
    pub code: String,
    pub policies: i64,
    pub interpretations: i64,
}

/// A product's stored fields, in the column order of its INSERT and UPDATE (name … description).
fn product_values(p: &Product) -> Vec<Value> {
    let kinds: Vec<&str> = p.ip_kinds.iter().map(|k| k.code()).collect();
    vec![
        p.name.clone().into(),
        kinds.join(",").into(),
        p.min_fen.get().into(),
        p.max_fen.get().into(),
        p.min_months.into(),
        p.max_months.into(),
        p.min_rate_bp.into(),
        p.max_rate_bp.into(),
        p.industries.join(",").into(),
        p.regions.join(",").into(),
        p.contact.clone().into(),
        p.description.clone().into(),
    ]
}

fn not_bank() -> StoreError {
    StoreError::forbidden(
        "platform.bank_only",
        "只有金融机构可以发布融资产品、表达对接意向或挂牌处置。",
        "Only a financial institution may do this.",
    )
}

async fn index_grams(tx: &WriteTx, kind: &str, id: i64, text: &str) -> Result<()> {
    exec(
        tx.conn(),
        "DELETE FROM search_grams WHERE kind = ? AND record_id = ?",
        vec![kind.into(), id.into()],
    )
    .await?;
    for chunk in grams(text).chunks(100) {
        let mut values: Vec<Value> = Vec::new();
        for g in chunk {
            values.push(kind.into());
            values.push(id.into());
            values.push(g.clone().into());
        }
        exec(
            tx.conn(),
            &format!(
                "INSERT INTO search_grams (kind, record_id, gram) VALUES {}",
                vec!["(?, ?, ?)"; chunk.len()].join(", ")
            ),
            values,
        )
        .await?;
    }
    Ok(())
}

async fn own_enterprise<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
) -> Result<(i64, i64, Option<String>, String)> {
    let Some(org) = scope
        .organisation()
        .filter(|_| scope.org_kind() == Some(OrgKind::Enterprise))
    else {
        return Err(StoreError::forbidden(
            "platform.enterprise_only",
            "只有企业账号可以发布融资需求或申请对接。",
            "Only an enterprise may do this.",
        ));
    };
    #[derive(FromQueryResult)]
    struct E {
        id: i64,
        registered_district: Option<String>,
        name: String,
    }
    let e: E = fetch_opt(
        conn,
        "SELECT id, registered_district, name FROM enterprises WHERE organisation_id = ? ORDER BY id LIMIT 1",
        vec![org.into()],
    )
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok((e.id, org.get(), e.registered_district, e.name))
}

async fn assets_of<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    owner: &str,
    ids: &[i64],
) -> Result<Vec<AssetRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    fetch_all(
        conn,
        &format!(
            "SELECT x.{owner} AS owner_id, a.id, a.kind, a.number, a.title FROM {table} x JOIN ip_assets a ON a.id = x.ip_asset_id \
             WHERE x.{owner} IN ({}) ORDER BY a.kind, a.number",
            marks(ids.len())
        ),
        ids.iter().map(|i| (*i).into()).collect(),
    )
    .await
}

impl Store {
    // -----------------------------------------------------------------------------------------
    // Interpretations
    // -----------------------------------------------------------------------------------------

    /// Interpretations the scope reads, optionally of one district, newest first.
    pub async fn interpretations(
        &self,
        scope: &Scope,
        district: Option<&str>,
    ) -> Result<Vec<InterpretationRow>> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::Interpretations);
        let mut sql = format!("{INTERP_SELECT} WHERE {cond}");
        if let Some(d) = district {
            sql.push_str(" AND i.district_code = ?");
            values.push(d.to_string().into());
        }
        sql.push_str(" ORDER BY COALESCE(i.published_at, i.updated_at) DESC, i.id DESC LIMIT 200");
        fetch_all(self.conn(), &sql, values).await
    }

    pub async fn interpretation(&self, scope: &Scope, id: i64) -> Result<InterpretationRow> {
        interpretation_in(self.conn(), scope, id).await
    }

    /// A district's lead officers (or the city) write or edit an interpretation of one of the
    /// district's published policies; it stays a draft until published.
    pub async fn save_interpretation(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        district: &str,
        id: Option<i64>,
        i: &Interpretation,
    ) -> Result<i64> {
        if !scope.manages_district(district) {
            return Err(StoreError::forbidden(
                "interpretation.lead_only",
                "政策解读由本区牵头部门撰写和发布。",
                "Interpretations are written by the district's lead officers.",
            ));
        }
        let policy = i.policy_version_id.unwrap_or_default();
        let n = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM policy_versions WHERE id = ? AND district_code = ? AND status IN ('published', 'superseded')",
            vec![policy.into(), district.into()],
        )
        .await?;
        if n == 0 {
            return Err(StoreError::invalid(
                "policy_version_id",
                "interpretation.policy",
                "所解读的政策须是本区已发布的政策。",
                "The policy must be a published policy of the district.",
            ));
        }
        let now = crate::now_s();
        let name = tx.actor().label.clone();
        let id = match id {
            Some(id) => {
                let old = interpretation_in(tx.conn(), scope, id).await?;
                if old.district_code != district {
                    return Err(StoreError::NotFound);
                }
                exec(
                    tx.conn(),
                    "UPDATE interpretations SET policy_version_id = ?, title = ?, body = ?, updated_at = ? WHERE id = ?",
                    vec![policy.into(), i.title.clone().into(), i.body.clone().into(), now.into(), id.into()],
                )
                .await?;
                id
            }
            None => {
                fetch_i64(
                    tx.conn(),
                    "INSERT INTO interpretations (district_code, policy_version_id, title, body, status, author_user_id, author_name, created_at, updated_at) \
                     VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?) RETURNING id",
                    vec![
                        district.into(),
                        policy.into(),
                        i.title.clone().into(),
                        i.body.clone().into(),
                        tx.actor_user_id().into(),
                        name.into(),
                        now.into(),
                        now.into(),
                    ],
                )
                .await?
            }
        };
        index_grams(tx, "interpretation", id, &format!("{} {}", i.title, i.body)).await?;
        tx.audit(
            "interpretation.save",
            "interpretation",
            id,
            json!({"district": district, "policy_version_id": policy, "title": i.title}),
        )
        .await?;
        Ok(id)
    }

    /// Publishes (or withdraws) an interpretation: the district's lead officers or the city.
    pub async fn set_interpretation_status(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        publish: bool,
    ) -> Result<()> {
        let old = interpretation_in(tx.conn(), scope, id).await?;
        if !scope.manages_district(&old.district_code) {
            return Err(StoreError::forbidden(
                "interpretation.lead_only",
                "政策解读由本区牵头部门撰写和发布。",
                "Interpretations are written by the district's lead officers.",
            ));
        }
        let (status, at): (&str, Option<i64>) = if publish {
            (
                "published",
                Some(old.published_at.unwrap_or_else(crate::now_s)),
            )
        } else {
            ("withdrawn", old.published_at)
        };
        exec(
            tx.conn(),
            "UPDATE interpretations SET status = ?, published_at = ?, updated_at = ? WHERE id = ?",
            vec![status.into(), at.into(), crate::now_s().into(), id.into()],
        )
        .await?;
        tx.audit(
            if publish {
                "interpretation.publish"
            } else {
                "interpretation.withdraw"
            },
            "interpretation",
            id,
            json!({"district": old.district_code, "title": old.title}),
        )
        .await
    }

    /// The contact persons of a district's current lead department (public: the zone's
    /// "contact us").
    pub async fn zone_contacts(&self, district: &str) -> Result<Vec<ZoneContact>> {
        let lead = self
            .districts()
            .await?
            .into_iter()
            .find(|d| d.code == district)
            .ok_or(StoreError::NotFound)?
            .lead_org_id;
        let Some(lead) = lead else {
            return Ok(vec![]);
        };
        fetch_all(
            self.conn(),
            "SELECT name, title, phone, email FROM contact_persons WHERE organisation_id = ? ORDER BY id LIMIT 10",
            vec![lead.into()],
        )
        .await
    }

    // -----------------------------------------------------------------------------------------
    // Products and needs
    // -----------------------------------------------------------------------------------------

    /// Products the scope reads (the public: active ones; a bank: its own), newest first.
    pub async fn products(&self, scope: &Scope) -> Result<Vec<ProductRow>> {
        self.latest_products(scope, 500).await
    }

    /// The newest `limit` products the scope reads.
    pub async fn latest_products(&self, scope: &Scope, limit: u32) -> Result<Vec<ProductRow>> {
        let (cond, values) = crate::visibility::condition(scope, Records::Products);
        fetch_all(
            self.conn(),
            &format!("{PRODUCT_SELECT} WHERE {cond} ORDER BY pr.id DESC LIMIT {limit}"),
            values,
        )
        .await
    }

    /// Per district: published policies and published interpretations (the platform's front
    /// page), counted in the database.
    pub async fn zone_counts(&self) -> Result<Vec<ZoneCount>> {
        fetch_all(
            self.conn(),
            "SELECT d.code, \
             (SELECT COUNT(*) FROM policy_versions v WHERE v.district_code = d.code AND v.status = 'published') AS policies, \
             (SELECT COUNT(*) FROM interpretations i WHERE i.district_code = d.code AND i.status = 'published') AS interpretations \
             FROM districts d ORDER BY d.code",
            vec![],
        )
        .await
    }

    pub async fn product(&self, scope: &Scope, id: i64) -> Result<ProductRow> {
        product_in(self.conn(), scope, id).await
    }

    /// A bank publishes a product (checked by the domain before).
    pub async fn create_product(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        p: &Product,
    ) -> Result<i64> {
        let Some(bank) = scope
            .organisation()
            .filter(|_| scope.org_kind() == Some(OrgKind::FinancialInstitution))
        else {
            return Err(not_bank());
        };
        let now = crate::now_s();
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO loan_products (bank_org_id, name, ip_kinds, min_fen, max_fen, min_months, max_months, min_rate_bp, max_rate_bp, \
             industries, regions, contact, description, status, created_by, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?) RETURNING id",
            [
                vec![bank.into()],
                product_values(p),
                vec![tx.actor_user_id().into(), now.into(), now.into()],
            ]
            .concat(),
        )
        .await?;
        index_grams(tx, "product", id, &format!("{} {}", p.name, p.description)).await?;
        tx.audit(
            "product.create",
            "loan_product",
            id,
            json!({"name": p.name, "min_fen": p.min_fen.get(), "max_fen": p.max_fen.get(),
                   "months": [p.min_months, p.max_months], "rate_bp": [p.min_rate_bp, p.max_rate_bp]}),
        )
        .await?;
        Ok(id)
    }

    /// The bank withdraws its product (no longer public, no longer proposed).
    pub async fn withdraw_product(&self, tx: &mut WriteTx, scope: &Scope, id: i64) -> Result<()> {
        let p = product_in(tx.conn(), scope, id).await?;
        if !scope.is_organisation(ipfin_domain::OrgId::new(p.bank_org_id)) || p.status != "active" {
            return Err(StoreError::NotFound);
        }
        exec(
            tx.conn(),
            "UPDATE loan_products SET status = 'withdrawn', updated_at = ? WHERE id = ?",
            vec![crate::now_s().into(), id.into()],
        )
        .await?;
        tx.audit(
            "product.withdraw",
            "loan_product",
            id,
            json!({"name": p.name}),
        )
        .await
    }

    /// The bank's own product as long as it may still be edited: another bank's product (or
    /// any product for a caller that is not its bank) is `NotFound`, a withdrawn one a
    /// conflict with the reason.
    pub async fn product_for_edit(&self, scope: &Scope, id: i64) -> Result<ProductRow> {
        product_for_edit_in(self.conn(), scope, id).await
    }

    /// The bank corrects its product while it is on offer (checked by the domain before, like a
    /// new one); the search index follows, and matches are computed from the stored values.
    pub async fn update_product(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        p: &Product,
    ) -> Result<()> {
        let before = product_for_edit_in(tx.conn(), scope, id).await?;
        let kinds: Vec<&str> = p.ip_kinds.iter().map(|k| k.code()).collect();
        let n = exec(
            tx.conn(),
            "UPDATE loan_products SET name = ?, ip_kinds = ?, min_fen = ?, max_fen = ?, min_months = ?, max_months = ?, \
             min_rate_bp = ?, max_rate_bp = ?, industries = ?, regions = ?, contact = ?, description = ?, updated_at = ? \
             WHERE id = ? AND bank_org_id = ? AND status = ?",
            [
                product_values(p),
                vec![
                    crate::now_s().into(),
                    id.into(),
                before.bank_org_id.into(),
                ProductStatus::Active.code().into(),
            ],
            ]
            .concat(),
        )
        .await?;
        if n == 0 {
            return Err(product_not_editable());
        }
        index_grams(tx, "product", id, &format!("{} {}", p.name, p.description)).await?;
        tx.audit(
            "product.update",
            "loan_product",
            id,
            json!({"name": p.name, "min_fen": p.min_fen.get(), "max_fen": p.max_fen.get(),
                   "months": [p.min_months, p.max_months], "rate_bp": [p.min_rate_bp, p.max_rate_bp],
                   "ip_kinds": kinds, "industries": p.industries, "regions": p.regions,
                   "before": {"name": before.name, "min_fen": before.min_fen, "max_fen": before.max_fen,
                              "months": [before.min_months, before.max_months],
                              "rate_bp": [before.min_rate_bp, before.max_rate_bp], "ip_kinds": before.ip_kinds,
                              "industries": before.industries, "regions": before.regions}}),
        )
        .await
    }

    /// Needs the scope reads (the public: those listed publicly; a bank: every open one; an
    /// enterprise: its own), newest first, with the IP offered.
    pub async fn needs(&self, scope: &Scope) -> Result<Vec<NeedRow>> {
        let (cond, values) = crate::visibility::condition(scope, Records::FinancingNeeds);
        let mut rows: Vec<NeedRow> = fetch_all(
            self.conn(),
            &format!("{NEED_SELECT} WHERE {cond} ORDER BY n.id DESC LIMIT 500"),
            values,
        )
        .await?;
        fill_need_assets(self.conn(), &mut rows).await?;
        Ok(rows)
    }

    pub async fn need(&self, scope: &Scope, id: i64) -> Result<NeedRow> {
        let mut rows = vec![need_in(self.conn(), scope, id).await?];
        fill_need_assets(self.conn(), &mut rows).await?;
        rows.pop().ok_or(StoreError::NotFound)
    }

    /// The enterprise's own IP assets (to offer in a need).
    pub async fn own_ip_assets(&self, scope: &Scope) -> Result<Vec<AssetRow>> {
        let (ent, ..) = own_enterprise(self.conn(), scope).await?;
        fetch_all(
            self.conn(),
            "SELECT enterprise_id AS owner_id, id, kind, number, title FROM ip_assets WHERE enterprise_id = ? ORDER BY kind, number",
            vec![ent.into()],
        )
        .await
    }

    /// An enterprise publishes a financing need offering some of its IP assets.
    pub async fn create_need(&self, tx: &mut WriteTx, scope: &Scope, n: &Need) -> Result<i64> {
        let (ent, org, district, _) = own_enterprise(tx.conn(), scope).await?;
        only_own_assets(tx, ent, &n.ip_asset_ids).await?;
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO financing_needs (enterprise_id, enterprise_org_id, district_code, amount_fen, months, purpose, public, status, created_by, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
            vec![
                ent.into(),
                org.into(),
                district.into(),
                n.amount_fen.get().into(),
                n.months.into(),
                n.purpose.clone().into(),
                n.public.into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        for a in &n.ip_asset_ids {
            exec(
                tx.conn(),
                "INSERT INTO financing_need_assets (need_id, ip_asset_id) VALUES (?, ?)",
                vec![id.into(), (*a).into()],
            )
            .await?;
        }
        tx.audit(
            "need.create",
            "financing_need",
            id,
            json!({"amount_fen": n.amount_fen.get(), "months": n.months, "ip_asset_ids": n.ip_asset_ids, "public": n.public}),
        )
        .await?;
        Ok(id)
    }

    /// The enterprise closes its need (no longer shown or proposed).
    pub async fn close_need(&self, tx: &mut WriteTx, scope: &Scope, id: i64) -> Result<()> {
        let (ent, ..) = own_enterprise(tx.conn(), scope).await?;
        let n = exec(
            tx.conn(),
            "UPDATE financing_needs SET status = 'closed' WHERE id = ? AND enterprise_id = ? AND status = 'open'",
            vec![id.into(), ent.into()],
        )
        .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit("need.close", "financing_need", id, json!({}))
            .await
    }

    /// The enterprise's own need, with the IP offered, as long as it may still be edited:
    /// another enterprise's need is `NotFound`, a closed one a conflict with the reason.
    pub async fn need_for_edit(&self, scope: &Scope, id: i64) -> Result<NeedRow> {
        let mut rows = vec![need_for_edit_in(self.conn(), scope, id).await?];
        fill_need_assets(self.conn(), &mut rows).await?;
        rows.pop().ok_or(StoreError::NotFound)
    }

    /// The enterprise corrects its open need: figures, purpose, public listing and the IP
    /// offered (again at least one, all its own; checked by the domain before).
    pub async fn update_need(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        n: &Need,
    ) -> Result<()> {
        let before = need_for_edit_in(tx.conn(), scope, id).await?;
        only_own_assets(tx, before.enterprise_id, &n.ip_asset_ids).await?;
        let changed = exec(
            tx.conn(),
            "UPDATE financing_needs SET amount_fen = ?, months = ?, purpose = ?, public = ? \
             WHERE id = ? AND enterprise_id = ? AND status = ?",
            vec![
                n.amount_fen.get().into(),
                n.months.into(),
                n.purpose.clone().into(),
                n.public.into(),
                id.into(),
                before.enterprise_id.into(),
                NeedStatus::Open.code().into(),
            ],
        )
        .await?;
        if changed == 0 {
            return Err(need_not_editable());
        }
        let mut old = vec![before.clone()];
        fill_need_assets(tx.conn(), &mut old).await?;
        exec(
            tx.conn(),
            "DELETE FROM financing_need_assets WHERE need_id = ?",
            vec![id.into()],
        )
        .await?;
        for a in &n.ip_asset_ids {
            exec(
                tx.conn(),
                "INSERT INTO financing_need_assets (need_id, ip_asset_id) VALUES (?, ?)",
                vec![id.into(), (*a).into()],
            )
            .await?;
        }
        let old_ids: Vec<i64> = old
            .iter()
            .flat_map(|r| r.assets.iter().map(|a| a.id))
            .collect();
        tx.audit(
            "need.update",
            "financing_need",
            id,
            json!({"amount_fen": n.amount_fen.get(), "months": n.months, "ip_asset_ids": n.ip_asset_ids, "public": n.public,
                   "before": {"amount_fen": before.amount_fen, "months": before.months, "ip_asset_ids": old_ids,
                              "public": before.public}}),
        )
        .await
    }

    /// For an enterprise: each of its open needs with the active products that match, and why.
    pub async fn enterprise_matches(
        &self,
        scope: &Scope,
    ) -> Result<Vec<(NeedRow, Vec<Match<ProductRow>>)>> {
        let needs: Vec<NeedRow> = self
            .needs(scope)
            .await?
            .into_iter()
            .filter(|n| n.status == "open")
            .collect();
        let products = self.products(&Scope::Public).await?;
        Ok(needs
            .into_iter()
            .map(|n| {
                let m = products
                    .iter()
                    .filter_map(|p| {
                        reasons(p, &n).map(|r| Match {
                            item: p.clone(),
                            reasons: r,
                        })
                    })
                    .collect();
                (n, m)
            })
            .collect())
    }

    /// For a bank: each of its active products with the open needs that match, and why.
    pub async fn bank_matches(
        &self,
        scope: &Scope,
    ) -> Result<Vec<(ProductRow, Vec<Match<NeedRow>>)>> {
        let products: Vec<ProductRow> = self
            .products(scope)
            .await?
            .into_iter()
            .filter(|p| p.status == "active")
            .collect();
        let needs = self.needs(scope).await?;
        Ok(products
            .into_iter()
            .map(|p| {
                let m = needs
                    .iter()
                    .filter_map(|n| {
                        reasons(&p, n).map(|r| Match {
                            item: n.clone(),
                            reasons: r,
                        })
                    })
                    .collect();
                (p, m)
            })
            .collect())
    }

    // -----------------------------------------------------------------------------------------
    // Contacts
    // -----------------------------------------------------------------------------------------

    /// An enterprise asks a bank about an active product. The same request (enterprise,
    /// product) is refused a second time on the same day.
    pub async fn request_contact(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        product_id: i64,
        message: &str,
    ) -> Result<i64> {
        let (ent, org, district, ent_name) = own_enterprise(tx.conn(), scope).await?;
        let p = product_in(tx.conn(), &Scope::Public, product_id).await?;
        let message = contact_message(message)?;
        record_contact(
            tx,
            ContactKind::Request,
            product_id,
            (ent, Some(org), district),
            p.bank_org_id,
            &message,
            &format!("{ent_name}申请对接“{}”", p.name),
        )
        .await
    }

    /// A bank expresses interest in an open need. Once per bank, need and day.
    pub async fn express_interest(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        need_id: i64,
        message: &str,
    ) -> Result<i64> {
        let Some(bank) = scope
            .organisation()
            .filter(|_| scope.org_kind() == Some(OrgKind::FinancialInstitution))
        else {
            return Err(not_bank());
        };
        let n = need_in(tx.conn(), scope, need_id).await?;
        if n.status != "open" {
            return Err(StoreError::NotFound);
        }
        let message = contact_message(message)?;
        #[derive(FromQueryResult)]
        struct O {
            enterprise_org_id: i64,
        }
        let o: O = fetch_opt(
            tx.conn(),
            "SELECT enterprise_org_id FROM financing_needs WHERE id = ?",
            vec![need_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        record_contact(
            tx,
            ContactKind::Interest,
            need_id,
            (
                n.enterprise_id,
                Some(o.enterprise_org_id),
                n.district_code.clone(),
            ),
            bank.get(),
            &message,
            &format!("银行对融资需求 #{need_id} 表达对接意向"),
        )
        .await
    }

    /// The contacts the scope is party to (a bank: its own; an enterprise: its own; a district:
    /// its enterprises'), newest first.
    pub async fn match_contacts(&self, scope: &Scope) -> Result<Vec<ContactRow>> {
        let (cond, values) = crate::visibility::condition(scope, Records::Contacts);
        fetch_all(
            self.conn(),
            &format!(
                "SELECT c.id, c.kind, c.subject_id, \
                   COALESCE((SELECT pr.name FROM loan_products pr WHERE c.kind = 'request' AND pr.id = c.subject_id), \
                            (SELECT n.purpose FROM financing_needs n WHERE c.kind = 'interest' AND n.id = c.subject_id), '') AS subject, \
                   e.name AS enterprise_name, o.name AS bank_name, c.on_date, c.message, c.by_name, c.push_entry_id \
                 FROM match_contacts c JOIN enterprises e ON e.id = c.enterprise_id JOIN organisations o ON o.id = c.bank_org_id \
                 WHERE {cond} ORDER BY c.id DESC LIMIT 200"
            ),
            values,
        )
        .await
    }

    // -----------------------------------------------------------------------------------------
    // Disposal
    // -----------------------------------------------------------------------------------------

    /// The bank's defaulted loans with their pledged IP, which it may list for disposal.
    pub async fn disposable_loans(&self, scope: &Scope) -> Result<Vec<DisposableLoan>> {
        if scope.org_kind() != Some(OrgKind::FinancialInstitution) {
            return Ok(vec![]);
        }
        let (cond, values) = crate::visibility::condition(scope, Records::Loans);
        #[derive(FromQueryResult)]
        struct L {
            id: i64,
            contract_number: String,
            name: String,
            principal_fen: Fen,
        }
        let loans: Vec<L> = fetch_all(
            self.conn(),
            &format!(
                "SELECT l.id, l.contract_number, e.name, l.principal_fen FROM loans l JOIN enterprises e ON e.id = l.enterprise_id \
                 WHERE l.status = 'defaulted' AND {cond} ORDER BY l.id DESC LIMIT 200"
            ),
            values,
        )
        .await?;
        let mut out = Vec::new();
        for l in loans {
            let assets = pledged_assets(self.conn(), l.id).await?;
            out.push(DisposableLoan {
                loan_id: l.id,
                contract_number: l.contract_number,
                enterprise_name: l.name,
                principal_fen: l.principal_fen,
                assets,
            });
        }
        Ok(out)
    }

    /// Listings the scope reads (the public: all; a bank: its own), open first.
    pub async fn listings(&self, scope: &Scope) -> Result<Vec<ListingRow>> {
        self.listings_where(scope, None, false, 500).await
    }

    /// The listings the scope reads, open ones first (soonest closing first): of one district
    /// (`district`), only those open (`open_only`), at most `limit` — filtered in the database.
    pub async fn listings_where(
        &self,
        scope: &Scope,
        district: Option<&str>,
        open_only: bool,
        limit: u32,
    ) -> Result<Vec<ListingRow>> {
        let (mut cond, mut values) = crate::visibility::condition(scope, Records::Listings);
        if let Some(d) = district {
            cond.push_str(" AND dl.district_code = ?");
            values.push(d.to_string().into());
        }
        if open_only {
            cond.push_str(" AND dl.status = 'open'");
        }
        let mut rows: Vec<ListingRow> = fetch_all(
            self.conn(),
            &format!(
                "{LISTING_SELECT} WHERE {cond} ORDER BY CASE WHEN dl.status = 'open' THEN 0 ELSE 1 END, dl.closes_on, dl.id DESC LIMIT {limit}"
            ),
            values,
        )
        .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let assets = assets_of(self.conn(), "disposal_assets", "listing_id", &ids).await?;
        for r in &mut rows {
            r.assets = assets
                .iter()
                .filter(|a| a.owner_id == r.id)
                .cloned()
                .collect();
        }
        Ok(rows)
    }

    pub async fn listing(&self, scope: &Scope, id: i64) -> Result<ListingRow> {
        let mut r = listing_in(self.conn(), scope, id).await?;
        r.assets = assets_of(self.conn(), "disposal_assets", "listing_id", &[id]).await?;
        Ok(r)
    }

    /// The pledgee bank lists pledged IP of one of its defaulted loans. One open listing per
    /// loan; the assets must be pledged for that loan.
    pub async fn create_listing(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        loan_id: i64,
        l: &Listing,
    ) -> Result<i64> {
        let Some(bank) = scope
            .organisation()
            .filter(|_| scope.org_kind() == Some(OrgKind::FinancialInstitution))
        else {
            return Err(not_bank());
        };
        let (cond, mut values) = crate::visibility::condition(scope, Records::Loans);
        values.insert(0, loan_id.into());
        #[derive(FromQueryResult)]
        struct L {
            status: String,
            enterprise_id: i64,
            registered_district: Option<String>,
            lender_org_id: i64,
        }
        let loan: L = fetch_opt(
            tx.conn(),
            &format!(
                "SELECT l.status, l.enterprise_id, e.registered_district, l.lender_org_id FROM loans l \
                 JOIN enterprises e ON e.id = l.enterprise_id WHERE l.id = ? AND {cond}"
            ),
            values,
        )
        .await?
        .filter(|l: &L| l.lender_org_id == bank.get())
        .ok_or(StoreError::NotFound)?;
        if loan.status != "defaulted" {
            return Err(StoreError::invalid(
                "loan_id",
                "listing.not_defaulted",
                "只有已登记违约的贷款才能挂牌处置质押的知识产权。",
                "Only a defaulted loan's pledged IP can be listed.",
            ));
        }
        let pledged: Vec<i64> = pledged_assets(tx.conn(), loan_id)
            .await?
            .iter()
            .map(|a| a.id)
            .collect();
        if l.ip_asset_ids.iter().any(|a| !pledged.contains(a)) {
            return Err(StoreError::invalid(
                "ip_asset_ids",
                "listing.not_pledged",
                "所选知识产权不是该笔贷款的质押物。",
                "Choose only IP pledged for this loan.",
            ));
        }
        let open = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM disposal_listings WHERE loan_id = ? AND status = 'open'",
            vec![loan_id.into()],
        )
        .await?;
        if open > 0 {
            return Err(StoreError::conflict(
                "listing.open_exists",
                "该笔贷款已有挂牌中的处置公告，请先登记其结果。",
                "The loan already has an open listing.",
            ));
        }
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO disposal_listings (loan_id, bank_org_id, enterprise_id, district_code, title, reserve_fen, opens_on, closes_on, terms, status, created_by, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
            vec![
                loan_id.into(),
                bank.into(),
                loan.enterprise_id.into(),
                loan.registered_district.into(),
                l.title.clone().into(),
                l.reserve_fen.get().into(),
                l.opens_on.into(),
                l.closes_on.into(),
                l.terms.clone().into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        for a in &l.ip_asset_ids {
            exec(
                tx.conn(),
                "INSERT INTO disposal_assets (listing_id, ip_asset_id) VALUES (?, ?)",
                vec![id.into(), (*a).into()],
            )
            .await?;
        }
        index_grams(tx, "listing", id, &format!("{} {}", l.title, l.terms)).await?;
        tx.audit(
            "listing.create",
            "disposal_listing",
            id,
            json!({"loan_id": loan_id, "reserve_fen": l.reserve_fen.get(), "closes_on": l.closes_on, "ip_asset_ids": l.ip_asset_ids}),
        )
        .await?;
        Ok(id)
    }

    /// Anyone registers interest in an open listing within its period.
    pub async fn register_interest(
        &self,
        tx: &mut WriteTx,
        listing_id: i64,
        i: &Interest,
        today: NaiveDate,
    ) -> Result<i64> {
        let l = listing_in(tx.conn(), &Scope::Public, listing_id).await?;
        if l.status != "open" || today < l.opens_on || today > l.closes_on {
            return Err(StoreError::conflict(
                "listing.closed",
                "该处置公告不在挂牌期内，不能再登记意向。",
                "The listing is not open.",
            ));
        }
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO disposal_interests (listing_id, name, contact, note, by_user_id, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                listing_id.into(),
                i.name.clone().into(),
                i.contact.clone().into(),
                i.note.clone().into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "listing.interest",
            "disposal_listing",
            listing_id,
            json!({"interest_id": id}),
        )
        .await?;
        Ok(id)
    }

    /// The interest registered on a listing: its bank and its district read it.
    pub async fn listing_interests(
        &self,
        scope: &Scope,
        listing_id: i64,
    ) -> Result<Vec<InterestRow>> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::ListingInterests);
        values.insert(0, listing_id.into());
        fetch_all(
            self.conn(),
            &format!(
                "SELECT di.id, di.name, di.contact, di.note, di.created_at FROM disposal_interests di \
                 JOIN disposal_listings dl ON dl.id = di.listing_id WHERE dl.id = ? AND {cond} ORDER BY di.id"
            ),
            values,
        )
        .await
    }

    /// The listing's bank records its outcome (sold with the price, or withdrawn).
    pub async fn record_listing_outcome(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        o: &ListingOutcome,
    ) -> Result<()> {
        let l = listing_in(tx.conn(), scope, id).await?;
        if !scope.is_organisation(ipfin_domain::OrgId::new(l.bank_org_id)) {
            return Err(StoreError::NotFound);
        }
        if l.status != ListingStatus::Open.code() {
            return Err(StoreError::conflict(
                "listing.decided",
                "该处置公告的结果已登记，不能再更改。",
                "The outcome is recorded already.",
            ));
        }
        exec(
            tx.conn(),
            "UPDATE disposal_listings SET status = ?, price_fen = ?, outcome_on = ?, outcome_note = ? WHERE id = ?",
            vec![
                o.status.code().into(),
                o.price_fen.map(|p| p.get()).into(),
                o.on.into(),
                o.note.clone().into(),
                id.into(),
            ],
        )
        .await?;
        tx.audit(
            "listing.outcome",
            "disposal_listing",
            id,
            json!({"loan_id": l.loan_id, "status": o.status.code(), "price_fen": o.price_fen.map(|p| p.get()), "on": o.on}),
        )
        .await
    }

    // -----------------------------------------------------------------------------------------
    // Search
    // -----------------------------------------------------------------------------------------

    /// Public records containing every gram of the query: published policies (their titles,
    /// matched in memory — a city has a few hundred), and through the gram index published
    /// interpretations, active products and listings.
    pub async fn search(&self, query_grams: &[String]) -> Result<Vec<SearchHit>> {
        let mut hits = Vec::new();
        for v in self.policy_versions(&Scope::Public, None).await? {
            if v.status != "published" {
                continue;
            }
            let g = grams(&v.title);
            if query_grams.iter().all(|q| g.contains(q)) {
                hits.push(SearchHit {
                    kind: "policy",
                    id: v.id,
                    title: v.title.clone(),
                    url: format!("/policies/{}", v.id),
                });
            }
        }
        #[derive(FromQueryResult)]
        struct G {
            kind: String,
            record_id: i64,
        }
        let mut values: Vec<Value> = query_grams.iter().map(|g| g.clone().into()).collect();
        values.push((query_grams.len() as i64).into());
        let found: Vec<G> = fetch_all(
            self.conn(),
            &format!(
                "SELECT kind, record_id FROM search_grams WHERE gram IN ({}) GROUP BY kind, record_id \
                 HAVING COUNT(DISTINCT gram) = ? ORDER BY record_id DESC LIMIT 200",
                marks(query_grams.len())
            ),
            values,
        )
        .await?;
        for f in found {
            let hit = match f.kind.as_str() {
                "interpretation" => interpretation_in(self.conn(), &Scope::Public, f.record_id)
                    .await
                    .ok()
                    .map(|i| SearchHit {
                        kind: "interpretation",
                        id: i.id,
                        url: format!("/zones/{}/interpretations/{}", i.district_code, i.id),
                        title: i.title,
                    }),
                "product" => product_in(self.conn(), &Scope::Public, f.record_id)
                    .await
                    .ok()
                    .map(|p| SearchHit {
                        kind: "product",
                        id: p.id,
                        url: format!("/products/{}", p.id),
                        title: format!("{}（{}）", p.name, p.bank_name),
                    }),
                "listing" => listing_in(self.conn(), &Scope::Public, f.record_id)
                    .await
                    .ok()
                    .map(|l| SearchHit {
                        kind: "listing",
                        id: l.id,
                        url: format!("/disposal/{}", l.id),
                        title: l.title,
                    }),
                _ => None,
            };
            hits.extend(hit);
        }
        Ok(hits)
    }
}

fn reasons(p: &ProductRow, n: &NeedRow) -> Option<Vec<Msg>> {
    let (pk, ind, reg) = (split(&p.ip_kinds), split(&p.industries), split(&p.regions));
    let nk = split(&n.ip_kinds);
    match_reasons(
        &p.facts(&pk, &ind, &reg),
        &NeedFacts {
            amount_fen: n.amount_fen,
            months: n.months,
            ip_kinds: &nk,
            industry: n.industry.as_deref(),
            district: n.district_code.as_deref(),
        },
    )
}

fn contact_message(m: &str) -> Result<String> {
    let m = m.trim();
    if m.chars().count() > 500 {
        return Err(StoreError::invalid(
            "message",
            "field.too_long",
            "留言不能超过 500 个字符。",
            "The message may have at most 500 characters.",
        ));
    }
    if let Err((at, c)) = ipfin_domain::text::normalise(m) {
        return Err(StoreError::Invalid(
            ipfin_domain::text::forbidden_char_error("message", "留言", "The message", at, c),
        ));
    }
    Ok(m.to_string())
}

/// Records a contact once per (kind, subject, enterprise, bank, day) — the unique index holds
/// the limit even between two concurrent requests — and, when the enterprise is pushed to that
/// bank now, records it as the bank's follow-up of the push entry (channel online, outcome
/// "needs time" unless one is recorded), so the push funnel counts the contact.
async fn record_contact(
    tx: &mut WriteTx,
    kind: ContactKind,
    subject: i64,
    (ent, ent_org, district): (i64, Option<i64>, Option<String>),
    bank: i64,
    message: &str,
    what: &str,
) -> Result<i64> {
    let today = crate::today_shanghai();
    let repeated = fetch_i64(
        tx.conn(),
        "SELECT COUNT(*) FROM match_contacts WHERE kind = ? AND subject_id = ? AND enterprise_id = ? AND bank_org_id = ? AND on_date = ?",
        vec![kind.code().into(), subject.into(), ent.into(), bank.into(), today.into()],
    )
    .await?;
    let refused = || {
        StoreError::conflict(
            "match.contact_repeated",
            "今天已经提出过同样的对接请求，同一对接每天只能提出一次，对方会尽快联系，请明天再试。",
            "The same contact was made today already; try again tomorrow.",
        )
    };
    if repeated > 0 {
        return Err(refused());
    }
    let by = tx.actor().label.clone();
    let id = fetch_i64(
        tx.conn(),
        "INSERT INTO match_contacts (kind, subject_id, enterprise_id, enterprise_org_id, bank_org_id, district_code, on_date, message, by_user_id, by_name, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            kind.code().into(),
            subject.into(),
            ent.into(),
            ent_org.into(),
            bank.into(),
            district.into(),
            today.into(),
            message.to_string().into(),
            tx.actor_user_id().into(),
            by.clone().into(),
            crate::now_s().into(),
        ],
    )
    .await
    .map_err(|e| e.unique_as(ipfin_domain::Msg::new("match.contact_repeated", "今天已经提出过同样的对接请求，请明天再试。", "Try again tomorrow.")))?;
    #[derive(FromQueryResult)]
    struct E {
        id: i64,
    }
    let entry: Option<E> = fetch_opt(
        tx.conn(),
        "SELECT id FROM push_entries WHERE enterprise_id = ? AND bank_org_id = ? AND visible = TRUE ORDER BY id DESC LIMIT 1",
        vec![ent.into(), bank.into()],
    )
    .await?;
    if let Some(e) = &entry {
        exec(
            tx.conn(),
            "INSERT INTO push_follow_ups (entry_id, contacted_on, channel, person, outcome, loan_id, note, recorded_by, recorded_at) \
             VALUES (?, ?, 'online', ?, 'needs_time', NULL, ?, ?, ?)",
            vec![
                e.id.into(),
                today.into(),
                by.into(),
                format!("融资对接平台：{what}（对接记录 #{id}）").into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE push_entries SET first_contact_on = COALESCE(first_contact_on, ?), outcome = COALESCE(outcome, 'needs_time') WHERE id = ?",
            vec![today.into(), e.id.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE match_contacts SET push_entry_id = ? WHERE id = ?",
            vec![e.id.into(), id.into()],
        )
        .await?;
    }
    tx.audit(
        "match.contact",
        "match_contact",
        id,
        json!({"kind": kind.code(), "subject_id": subject, "enterprise_id": ent, "bank_org_id": bank,
               "push_entry_id": entry.map(|e| e.id)}),
    )
    .await?;
    Ok(id)
}

/// Refuses IP assets that are not the enterprise's own (a need offers only its own IP).
async fn only_own_assets(tx: &WriteTx, ent: i64, ids: &[i64]) -> Result<()> {
    let refused = || {
        StoreError::invalid(
            "ip_asset_ids",
            "need.ip_not_own",
            "所选知识产权须是本企业登记的知识产权。",
            "Offer only your own IP assets.",
        )
    };
    if ids.is_empty() {
        return Err(refused());
    }
    let mut values: Vec<Value> = vec![ent.into()];
    values.extend(ids.iter().map(|i| Value::from(*i)));
    let owned = fetch_i64(
        tx.conn(),
        &format!(
            "SELECT COUNT(*) FROM ip_assets WHERE enterprise_id = ? AND id IN ({})",
            marks(ids.len())
        ),
        values,
    )
    .await?;
    if owned != ids.len() as i64 {
        return Err(refused());
    }
    Ok(())
}

fn product_not_editable() -> StoreError {
    StoreError::conflict(
        "product.not_editable",
        "该产品已撤回，不能再修改；如需继续提供，请重新发布产品。",
        "The product was withdrawn and can no longer be edited; publish it again instead.",
    )
}

fn need_not_editable() -> StoreError {
    StoreError::conflict(
        "need.not_editable",
        "该融资需求已关闭，不能再修改；如仍需融资，请重新发布需求。",
        "The need was closed and can no longer be edited; publish a new one instead.",
    )
}

/// The bank's own product if it may be edited (one answer for the page, the API and the write).
async fn product_for_edit_in<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    id: i64,
) -> Result<ProductRow> {
    let p = product_in(conn, scope, id).await?;
    if scope.org_kind() != Some(OrgKind::FinancialInstitution)
        || !scope.is_organisation(OrgId::new(p.bank_org_id))
    {
        return Err(StoreError::NotFound);
    }
    if !ProductStatus::from_code(&p.status).is_some_and(ProductStatus::editable) {
        return Err(product_not_editable());
    }
    Ok(p)
}

/// The enterprise's own need if it may be edited (one answer for the page, the API and the
/// write).
async fn need_for_edit_in<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<NeedRow> {
    let (ent, ..) = own_enterprise(conn, scope).await.map_err(|e| match e {
        StoreError::Forbidden(..) => StoreError::NotFound,
        e => e,
    })?;
    let n = need_in(conn, scope, id).await?;
    if n.enterprise_id != ent {
        return Err(StoreError::NotFound);
    }
    if !NeedStatus::from_code(&n.status).is_some_and(NeedStatus::editable) {
        return Err(need_not_editable());
    }
    Ok(n)
}

async fn interpretation_in<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    id: i64,
) -> Result<InterpretationRow> {
    let (cond, mut values) = crate::visibility::condition(scope, Records::Interpretations);
    values.insert(0, id.into());
    fetch_opt(
        conn,
        &format!("{INTERP_SELECT} WHERE i.id = ? AND {cond}"),
        values,
    )
    .await?
    .ok_or(StoreError::NotFound)
}

async fn product_in<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<ProductRow> {
    let (cond, mut values) = crate::visibility::condition(scope, Records::Products);
    values.insert(0, id.into());
    fetch_opt(
        conn,
        &format!("{PRODUCT_SELECT} WHERE pr.id = ? AND {cond}"),
        values,
    )
    .await?
    .ok_or(StoreError::NotFound)
}

async fn need_in<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<NeedRow> {
    let (cond, mut values) = crate::visibility::condition(scope, Records::FinancingNeeds);
    values.insert(0, id.into());
    fetch_opt(
        conn,
        &format!("{NEED_SELECT} WHERE n.id = ? AND {cond}"),
        values,
    )
    .await?
    .ok_or(StoreError::NotFound)
}

async fn listing_in<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<ListingRow> {
    let (cond, mut values) = crate::visibility::condition(scope, Records::Listings);
    values.insert(0, id.into());
    fetch_opt(
        conn,
        &format!("{LISTING_SELECT} WHERE dl.id = ? AND {cond}"),
        values,
    )
    .await?
    .ok_or(StoreError::NotFound)
}

async fn fill_need_assets<C: ConnectionTrait>(conn: &C, rows: &mut [NeedRow]) -> Result<()> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let assets = assets_of(conn, "financing_need_assets", "need_id", &ids).await?;
    for r in rows {
        r.assets = assets
            .iter()
            .filter(|a| a.owner_id == r.id)
            .cloned()
            .collect();
        let mut kinds: Vec<&str> = r.assets.iter().map(|a| a.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        r.ip_kinds = kinds.join(",");
    }
    Ok(())
}

async fn pledged_assets<C: ConnectionTrait>(conn: &C, loan_id: i64) -> Result<Vec<AssetRow>> {
    fetch_all(
        conn,
        "SELECT lp.loan_id AS owner_id, a.id, a.kind, a.number, a.title FROM loan_pledges lp \
         JOIN pledge_items pi ON pi.registration_id = lp.registration_id JOIN ip_assets a ON a.id = pi.ip_asset_id \
         WHERE lp.loan_id = ? ORDER BY a.kind, a.number",
        vec![loan_id.into()],
    )
    .await
}

/// The demo's platform (issue #22): IP assets of the two account-holding enterprises, a product
/// per bank, two financing needs, an interpretation of Nanshan's and Futian's policies and a
/// contact. The disposal listing comes with a loan, so it is seeded apart
/// ([`Store::seed_demo_disposal`], by `ipfin serve --demo` / `ipfin demo`): the store and web
/// tests count the demo's loans.
pub(crate) async fn seed_demo(
    store: &Store,
    tx: &mut WriteTx,
    banks: &[ipfin_domain::OrgId; 3],
) -> Result<()> {
    use crate::enterprise::IpInput;
    let city = Scope::City;
    // The demo's valuation institution publishes its profile (valued IP, fee range).
    exec(
        tx.conn(),
        "INSERT INTO valuation_profiles (org_id, qualifications, ip_kinds, fee_min_fen, fee_max_fen, updated_at) \
         SELECT id, '资产评估机构备案（演示）；专利、商标评估师 6 名', 'patent,trademark,software_copyright', 800000, 5000000, ? \
         FROM organisations WHERE name = '华信资产评估有限公司'",
        vec![crate::now_s().into()],
    )
    .await?;
    let ns = fetch_i64(
        tx.conn(),
        "SELECT id FROM enterprises WHERE name = ?",
        vec!["深圳市南山示例科技有限公司".into()],
    )
    .await?;
    let ft = fetch_i64(
        tx.conn(),
        "SELECT id FROM enterprises WHERE name = ?",
        vec!["深圳市福田样本电子有限公司".into()],
    )
    .await?;
    let mut ns_assets = Vec::new();
    for (kind, number, title) in [
        (
            "patent",
            "202310456789.0",
            "一种基于多模态数据的工业视觉检测方法",
        ),
        (
            "software_copyright",
            "2024SR0123456",
            "智能质检云平台软件V2.0",
        ),
    ] {
        let a = store
            .add_ip_asset(
                tx,
                &city,
                ns,
                IpInput {
                    kind: kind.into(),
                    number: number.into(),
                    title: title.into(),
                    legal_status: "valid".into(),
                    grant_date: None,
                    nice_class: None,
                },
            )
            .await?;
        ns_assets.push(a.id);
    }
    let ft_asset = store
        .add_ip_asset(
            tx,
            &city,
            ft,
            IpInput {
                kind: "patent".into(),
                number: "202220567891.9".into(),
                title: "一种柔性电路板的层压结构".into(),
                legal_status: "valid".into(),
                grant_date: None,
                nice_class: None,
            },
        )
        .await?
        .id;
    let products = [
        (
            banks[0],
            "知易贷（知识产权质押）",
            vec!["patent", "software_copyright"],
            100_000_000,
            1_000_000_000,
            6,
            36,
            320,
            450,
            "",
            "",
            "深南银行深圳分行科技金融部 0755-88880001",
            "专利、软件著作权质押，最快 5 个工作日审批，可叠加区贴息。",
        ),
        (
            banks[1],
            "鹏城知商贷",
            vec!["patent", "trademark"],
            50_000_000,
            500_000_000,
            12,
            36,
            345,
            500,
            "C",
            "",
            "鹏城商业银行普惠金融部 0755-88880002",
            "面向制造业中小企业，专利和商标均可质押。",
        ),
        (
            banks[2],
            "科创知产贷",
            vec!["patent", "software_copyright"],
            200_000_000,
            3_000_000_000,
            12,
            60,
            330,
            480,
            "I,M",
            "440305",
            "前海农商银行南山支行 0755-88880003",
            "服务南山区软件和科技服务企业。",
        ),
    ];
    for (bank, name, kinds, min, max, m1, m2, r1, r2, ind, reg, contact, desc) in products {
        let kinds: Vec<String> = kinds.into_iter().map(str::to_string).collect();
        let p = Product::check(&ipfin_domain::platform::ProductInput {
            name,
            ip_kinds: &kinds,
            min_fen: Some(Fen::new(min)),
            max_fen: Some(Fen::new(max)),
            min_months: Some(m1),
            max_months: Some(m2),
            min_rate_bp: Some(r1),
            max_rate_bp: Some(r2),
            industries: &[ind.to_string()],
            regions: &[reg.to_string()],
            contact,
            description: desc,
        })
        .map_err(StoreError::fields)?;
        let scope = Scope::Institution { org_id: bank };
        store.create_product(tx, &scope, &p).await?;
    }
    let ns_scope = Scope::Enterprise {
        org_id: ipfin_domain::OrgId::new(
            fetch_i64(
                tx.conn(),
                "SELECT organisation_id FROM enterprises WHERE id = ?",
                vec![ns.into()],
            )
            .await?,
        ),
    };
    let ft_scope = Scope::Enterprise {
        org_id: ipfin_domain::OrgId::new(
            fetch_i64(
                tx.conn(),
                "SELECT organisation_id FROM enterprises WHERE id = ?",
                vec![ft.into()],
            )
            .await?,
        ),
    };
    let need = Need::check(
        Some(Fen::new(300_000_000)),
        Some(12),
        "新一代视觉检测设备研发投入及流动资金",
        &ns_assets,
        true,
    )
    .map_err(StoreError::fields)?;
    store.create_need(tx, &ns_scope, &need).await?;
    let need = Need::check(
        Some(Fen::new(200_000_000)),
        Some(24),
        "柔性电路板产线扩产",
        &[ft_asset],
        false,
    )
    .map_err(StoreError::fields)?;
    store.create_need(tx, &ft_scope, &need).await?;
    // 福田样本电子 asks 深南银行 about its product (not a pushed pair: the funnel is unchanged).
    let product = fetch_i64(
        tx.conn(),
        "SELECT id FROM loan_products WHERE bank_org_id = ? ORDER BY id LIMIT 1",
        vec![banks[0].into()],
    )
    .await?;
    store
        .request_contact(
            tx,
            &ft_scope,
            product,
            "我司拟以一项发明专利质押融资约 200 万元，请联系财务部王经理。",
        )
        .await?;
    // Interpretations of the Nanshan and Futian policies.
    for (code, title, body) in [
        (
            "440305",
            "一图读懂：南山区知识产权质押融资贴息怎么申请",
            "一、谁可以申请：在南山区注册、具有独立法人资格、以知识产权质押获得银行贷款的企业。\n二、补贴什么：按实际支付利息给予贴息，评估、担保、保险费用按比例补贴，中小微企业比例不低于大型企业。\n三、怎么申请：在申报批次开放期内登录平台，选择贷款，上传材料清单所列材料后提交。\n<b>温馨提示</b>：本文中的符号按原样显示，不会被当作网页代码执行。",
        ),
        (
            "440304",
            "福田区知识产权质押融资扶持政策解读",
            "本政策支持福田区企业以专利、商标、著作权质押融资，贴息比例和上限见明白卡。\n企业可在平台上查看银行发布的融资产品，直接申请对接。",
        ),
    ] {
        let lead = Scope::District {
            code: code.into(),
            manage: true,
        };
        let policy = fetch_i64(
            tx.conn(),
            "SELECT id FROM policy_versions WHERE district_code = ? AND status = 'published' ORDER BY id LIMIT 1",
            vec![code.into()],
        )
        .await?;
        let i = Interpretation::check(title, body, Some(policy)).map_err(StoreError::fields)?;
        let id = store.save_interpretation(tx, &lead, code, None, &i).await?;
        store.set_interpretation_status(tx, &lead, id, true).await?;
    }
    Ok(())
}

/// A valuation institution in the public directory, with its profile once it has written one.
#[derive(Debug, Clone, Serialize)]
pub struct Valuer {
    pub org_id: i64,
    pub name: String,
    pub profile: Option<ValuerProfileRow>,
    pub contacts: Vec<ZoneContact>,
}

/// A valuation institution's profile as stored.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ValuerProfileRow {
    pub org_id: i64,
    pub qualifications: String,
    /// IP kind codes, comma-separated.
    pub ip_kinds: String,
    pub fee_min_fen: Fen,
    pub fee_max_fen: Fen,
}

/// A valuation quote with the names around it.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct QuoteRow {
    pub id: i64,
    pub district_code: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub valuer_org_id: i64,
    pub valuer_name: String,
    pub asset_id: i64,
    pub asset_kind: String,
    pub asset_number: String,
    pub asset_title: String,
    pub note: String,
    pub status: String,
    pub fee_fen: Option<Fen>,
    pub days: Option<i32>,
    pub answer: Option<String>,
    pub report_number: Option<String>,
    pub report_date: Option<NaiveDate>,
    pub appraised_fen: Option<Fen>,
    pub requested_on: NaiveDate,
}

const QUOTE_SELECT: &str = "SELECT vq.id, vq.district_code, vq.enterprise_id, e.name AS enterprise_name, vq.valuer_org_id, \
    o.name AS valuer_name, vq.asset_id, a.kind AS asset_kind, a.number AS asset_number, a.title AS asset_title, vq.note, \
    vq.status, vq.fee_fen, vq.days, vq.answer, vq.report_number, vq.report_date, vq.appraised_fen, vq.requested_on \
    FROM valuation_quotes vq JOIN enterprises e ON e.id = vq.enterprise_id JOIN organisations o ON o.id = vq.valuer_org_id \
    JOIN ip_assets a ON a.id = vq.asset_id";

fn valuer_only(scope: &Scope) -> Result<i64> {
    scope
        .organisation()
        .filter(|_| scope.org_kind() == Some(OrgKind::FinancialInstitution))
        .map(OrgId::get)
        .ok_or_else(|| {
            StoreError::forbidden(
                "valuation.valuer_only",
                "只有评估机构账号可以办理此事项。",
                "Only the valuation institution may do this.",
            )
        })
}

fn quote_state(status: &str, action: QuoteAction) -> Result<()> {
    match QuoteStatus::from_code(status) {
        Some(s) if s.allows(action) => Ok(()),
        _ => Err(StoreError::conflict(
            "valuation.state",
            format!(
                "该询价当前为“{}”，不能办理此事项，请刷新页面查看最新状态。",
                QuoteStatus::from_code(status)
                    .map_or_else(|| status.to_string(), |s| s.zh().to_string())
            ),
            "The quote is not in a state that allows this; reload the page.",
        )),
    }
}

impl Store {
    /// The valuation institutions (financial institutions of type valuation institution) with
    /// their profiles and contact persons: the public directory.
    pub async fn valuation_institutions(&self) -> Result<Vec<Valuer>> {
        #[derive(FromQueryResult)]
        struct O {
            id: i64,
            name: String,
        }
        let orgs: Vec<O> = fetch_all(
            self.conn(),
            "SELECT id, name FROM organisations WHERE kind = 'financial_institution' \
             AND institution_type = 'valuation_institution' AND active = TRUE ORDER BY name, id",
            vec![],
        )
        .await?;
        let mut out = Vec::new();
        for o in orgs {
            let contacts = fetch_all(
                self.conn(),
                "SELECT name, title, phone, email FROM contact_persons WHERE organisation_id = ? ORDER BY id LIMIT 5",
                vec![o.id.into()],
            )
            .await?;
            let profile = fetch_opt(
                self.conn(),
                "SELECT org_id, qualifications, ip_kinds, fee_min_fen, fee_max_fen FROM valuation_profiles WHERE org_id = ?",
                vec![o.id.into()],
            )
            .await?;
            out.push(Valuer {
                org_id: o.id,
                name: o.name,
                profile,
                contacts,
            });
        }
        Ok(out)
    }

    /// A valuation institution writes its profile (replacing the one before).
    pub async fn save_valuation_profile(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        p: &ValuationProfile,
    ) -> Result<()> {
        let org = valuer_only(scope)?;
        let is_valuer = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM organisations WHERE id = ? AND institution_type = 'valuation_institution'",
            vec![org.into()],
        )
        .await?;
        if is_valuer == 0 {
            return Err(StoreError::forbidden(
                "valuation.valuer_only",
                "只有登记为评估机构的金融机构可以发布评估信息。",
                "Only a valuation institution publishes a valuation profile.",
            ));
        }
        let kinds: Vec<&str> = p.ip_kinds.iter().map(|k| k.code()).collect();
        exec(
            tx.conn(),
            "DELETE FROM valuation_profiles WHERE org_id = ?",
            vec![org.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "INSERT INTO valuation_profiles (org_id, qualifications, ip_kinds, fee_min_fen, fee_max_fen, updated_by, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                org.into(),
                p.qualifications.clone().into(),
                kinds.join(",").into(),
                p.fee_min.get().into(),
                p.fee_max.get().into(),
                tx.actor_user_id().into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "valuation.profile",
            "organisation",
            org,
            json!({"ip_kinds": kinds, "fee_min_fen": p.fee_min.get(), "fee_max_fen": p.fee_max.get()}),
        )
        .await
    }

    /// An enterprise asks a valuation institution for a quote on one of its IP assets. The
    /// institution must value that kind of IP; one open request per institution and asset.
    pub async fn request_quote(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        valuer_org_id: i64,
        asset_id: Option<i64>,
        note: &str,
        today: NaiveDate,
    ) -> Result<i64> {
        let (ent, org, district, _) = own_enterprise(tx.conn(), scope).await?;
        let mut errors = Vec::new();
        let note = note.trim().to_string();
        if note.chars().count() > 500 {
            errors.push(FieldError::new(
                "note",
                "field.too_long",
                "需求说明不能超过 500 个字符。",
                "The note may have at most 500 characters.",
            ));
        }
        let profile: Option<ValuerProfileRow> = fetch_opt(
            tx.conn(),
            "SELECT p.org_id, p.qualifications, p.ip_kinds, p.fee_min_fen, p.fee_max_fen FROM valuation_profiles p \
             JOIN organisations o ON o.id = p.org_id WHERE p.org_id = ? AND o.active = TRUE",
            vec![valuer_org_id.into()],
        )
        .await?;
        let Some(profile) = profile else {
            return Err(StoreError::NotFound);
        };
        #[derive(FromQueryResult)]
        struct A {
            kind: String,
        }
        let asset: Option<A> = match asset_id {
            Some(id) => {
                fetch_opt(
                    tx.conn(),
                    "SELECT kind FROM ip_assets WHERE id = ? AND enterprise_id = ?",
                    vec![id.into(), ent.into()],
                )
                .await?
            }
            None => None,
        };
        match &asset {
            None => errors.push(FieldError::new(
                "asset_id",
                "valuation.asset",
                "请选择本企业名下需要评估的知识产权。",
                "Choose one of the enterprise's IP assets.",
            )),
            Some(a) if !profile.ip_kinds.split(',').any(|k| k == a.kind) => {
                errors.push(FieldError::new(
                    "asset_id",
                    "valuation.kind_not_valued",
                    "该机构不评估此类知识产权，请选择其他资产或其他评估机构。",
                    "This institution does not value that kind of IP.",
                ))
            }
            Some(_) => {}
        }
        if !errors.is_empty() {
            return Err(StoreError::fields(errors));
        }
        let asset_id = asset_id.unwrap_or_default();
        let open = fetch_i64(
            tx.conn(),
            "SELECT COUNT(*) FROM valuation_quotes WHERE enterprise_id = ? AND valuer_org_id = ? AND asset_id = ? \
             AND status IN ('requested', 'quoted', 'accepted')",
            vec![ent.into(), valuer_org_id.into(), asset_id.into()],
        )
        .await?;
        if open > 0 {
            return Err(StoreError::conflict(
                "valuation.open_quote",
                "已向该机构就这项知识产权询价且尚未办结，请在“评估询价”中查看进度。",
                "A quote for this asset from this institution is already open.",
            ));
        }
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO valuation_quotes (district_code, enterprise_id, enterprise_org_id, valuer_org_id, asset_id, note, status, \
             requested_on, requested_at) VALUES (?, ?, ?, ?, ?, ?, 'requested', ?, ?) RETURNING id",
            vec![
                district.unwrap_or_default().into(),
                ent.into(),
                org.into(),
                valuer_org_id.into(),
                asset_id.into(),
                note.into(),
                today.into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "valuation.request",
            "valuation_quote",
            id,
            json!({"valuer_org_id": valuer_org_id, "asset_id": asset_id}),
        )
        .await?;
        Ok(id)
    }

    /// The quotes the scope reads, newest first.
    pub async fn quotes(&self, scope: &Scope) -> Result<Vec<QuoteRow>> {
        let (cond, values) = crate::visibility::condition(scope, Records::ValuationQuotes);
        fetch_all(
            self.conn(),
            &format!("{QUOTE_SELECT} WHERE {cond} ORDER BY vq.id DESC LIMIT 500"),
            values,
        )
        .await
    }

    /// One quote the scope reads.
    pub async fn quote(&self, scope: &Scope, id: i64) -> Result<QuoteRow> {
        quote_in(self.conn(), scope, id).await
    }

    /// The institution answers a request: a fee and days, or a decline with its reason.
    pub async fn answer_quote(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        a: &QuoteAnswer,
    ) -> Result<()> {
        let org = valuer_only(scope)?;
        let q = quote_in(tx.conn(), scope, id).await?;
        if q.valuer_org_id != org {
            return Err(StoreError::NotFound);
        }
        quote_state(&q.status, QuoteAction::Answer)?;
        let (status, fee, days, answer) = match a {
            QuoteAnswer::Quote { fee, days, note } => {
                ("quoted", Some(fee.get()), Some(*days), note.clone())
            }
            QuoteAnswer::Decline { reason } => ("declined", None, None, reason.clone()),
        };
        exec(
            tx.conn(),
            "UPDATE valuation_quotes SET status = ?, fee_fen = ?, days = ?, answer = ?, answered_at = ? WHERE id = ?",
            vec![
                status.into(),
                fee.into(),
                days.into(),
                answer.into(),
                crate::now_s().into(),
                id.into(),
            ],
        )
        .await?;
        tx.audit(
            "valuation.answer",
            "valuation_quote",
            id,
            json!({"status": status, "fee_fen": fee, "days": days}),
        )
        .await
    }

    /// The enterprise accepts the quoted fee.
    pub async fn accept_quote(&self, tx: &mut WriteTx, scope: &Scope, id: i64) -> Result<()> {
        let (ent, ..) = own_enterprise(tx.conn(), scope).await?;
        let q = quote_in(tx.conn(), scope, id).await?;
        if q.enterprise_id != ent {
            return Err(StoreError::NotFound);
        }
        quote_state(&q.status, QuoteAction::Accept)?;
        exec(
            tx.conn(),
            "UPDATE valuation_quotes SET status = 'accepted' WHERE id = ?",
            vec![id.into()],
        )
        .await?;
        tx.audit(
            "valuation.accept",
            "valuation_quote",
            id,
            json!({"fee_fen": q.fee_fen}),
        )
        .await
    }

    /// The institution records the valuation report of an accepted quote; it then shows with
    /// the enterprise's IP asset.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_valuation_report(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        number: &str,
        date: Option<NaiveDate>,
        appraised_fen: Option<Fen>,
        today: NaiveDate,
    ) -> Result<()> {
        let org = valuer_only(scope)?;
        let q = quote_in(tx.conn(), scope, id).await?;
        if q.valuer_org_id != org {
            return Err(StoreError::NotFound);
        }
        quote_state(&q.status, QuoteAction::Report)?;
        let r = ValuationReport::check(number, date, appraised_fen, q.requested_on, today)
            .map_err(StoreError::fields)?;
        exec(
            tx.conn(),
            "UPDATE valuation_quotes SET status = 'reported', report_number = ?, report_date = ?, appraised_fen = ?, \
             reported_at = ? WHERE id = ?",
            vec![
                r.number.clone().into(),
                r.date.into(),
                r.appraised.get().into(),
                crate::now_s().into(),
                id.into(),
            ],
        )
        .await?;
        tx.audit(
            "valuation.report",
            "valuation_quote",
            id,
            json!({"report_number": r.number, "appraised_fen": r.appraised.get(), "asset_id": q.asset_id}),
        )
        .await
    }
}

async fn quote_in<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<QuoteRow> {
    let (cond, mut values) = crate::visibility::condition(scope, Records::ValuationQuotes);
    values.insert(0, id.into());
    fetch_opt(
        conn,
        &format!("{QUOTE_SELECT} WHERE vq.id = ? AND {cond}"),
        values,
    )
    .await?
    .ok_or(StoreError::NotFound)
}

impl Store {
    /// The demo's disposal listing (issue #22): a loan of 深南银行 to 宝安精密模具 (2024–2025)
    /// that defaulted, its pledged patent listed for 30 days with one registered interest.
    /// Nothing is done when the demo is not loaded or a listing exists already.
    pub async fn seed_demo_disposal(&self) -> Result<bool> {
        if !self.demo_loaded().await?
            || fetch_i64(
                self.conn(),
                "SELECT COUNT(*) FROM disposal_listings",
                vec![],
            )
            .await?
                > 0
        {
            return Ok(false);
        }
        let mut w = self.write(crate::audit::AuditActor::system("demo")).await?;
        seed_disposal(self, &mut w).await?;
        w.commit().await?;
        Ok(true)
    }
}

async fn seed_disposal(store: &Store, tx: &mut WriteTx) -> Result<()> {
    let today = crate::today_shanghai();
    // A loan of 深南银行 to 宝安精密模具 (2024–2025) that defaulted; its pledged patent is listed.
    let bank = Scope::Institution {
        org_id: ipfin_domain::OrgId::new(
            fetch_i64(
                tx.conn(),
                "SELECT id FROM organisations WHERE name = '深南银行深圳分行'",
                vec![],
            )
            .await?,
        ),
    };
    let code: String = {
        #[derive(FromQueryResult)]
        struct C {
            credit_code: String,
        }
        fetch_opt::<C, _>(
            tx.conn(),
            "SELECT credit_code FROM enterprises WHERE name = ?",
            vec!["深圳市宝安精密模具有限公司".into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?
        .credit_code
    };
    let day = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let saved = store
        .save_loan(
            tx,
            &bank,
            &crate::financing::LoanInput {
                borrower_credit_code: ipfin_domain::CreditCode::parse(&code).map_err(|m| {
                    StoreError::Invalid(ipfin_domain::FieldError {
                        field: "credit_code",
                        msg: m,
                    })
                })?,
                terms: ipfin_domain::financing::LoanTerms {
                    contract_number: "SN-ZY-2024-0318".into(),
                    principal_fen: ipfin_domain::Fen::new(300_000_000),
                    annual_rate: rust_decimal::Decimal::new(385, 4),
                    start: day(2024, 3, 18),
                    end: day(2025, 3, 17),
                    disbursements: vec![],
                    other_collateral: false,
                    ip_amount_fen: None,
                    ip_ratio: None,
                },
                first_loan: true,
                status: Some(ipfin_domain::financing::LoanStatus::Defaulted),
                pledges: vec![crate::financing::PledgeInput {
                    terms: ipfin_domain::financing::PledgeTerms {
                        number: "Y2024980012345".into(),
                        secured_amount_fen: ipfin_domain::Fen::new(300_000_000),
                        registration_date: day(2024, 3, 12),
                        cancellation_date: None,
                    },
                    items: vec![crate::financing::PledgeItemInput {
                        kind: "patent".into(),
                        number: "202410345678.7".into(),
                        title: Some("一种高精度注塑模具冷却流道结构".into()),
                        related_party: None,
                    }],
                }],
            },
        )
        .await?;
    let assets: Vec<i64> = pledged_assets(tx.conn(), saved.id)
        .await?
        .iter()
        .map(|a| a.id)
        .collect();
    let l = Listing::check(
        "发明专利“一种高精度注塑模具冷却流道结构”处置转让",
        Some(Fen::new(180_000_000)),
        Some(today),
        Some(today + chrono::Days::new(30)),
        "整体转让，受让方承担过户费用；保证金 10 万元；成交后 10 个工作日内付清。",
        &assets,
        today,
    )
    .map_err(StoreError::fields)?;
    let listing = store.create_listing(tx, &bank, saved.id, &l).await?;
    let i = Interest::check(
        "深圳市模具行业协会会员单位",
        "0755-26660000",
        "有意整体受让，请提供评估报告。",
    )
    .map_err(StoreError::fields)?;
    store.register_interest(tx, listing, &i, today).await?;
    Ok(())
}
