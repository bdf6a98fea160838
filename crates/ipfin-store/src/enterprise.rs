//! The enterprise registry (SPEC §4): records keyed by credit code, scoped by registered
//! district, with a bigram name index for two-character Chinese searches, computed size class
//! (overridable), and claims by which enterprise users obtain an account for their enterprise.

use crate::db::{Page, Paged, exec, fetch_all, fetch_i64, fetch_opt, fetch_page_capped};
use crate::error::{Result, StoreError};
use crate::org::{clean, require_text};
use crate::stats_aggregate;
use crate::user::hash_password;
use crate::{Store, WriteTx};
use ipfin_domain::enterprise::{is_code_query, query_grams};
use ipfin_domain::size::{SizeClass, SizeInput, class_of, standard_2011};
use ipfin_domain::visibility::{Party, Reach, Records};
use ipfin_domain::{CreditCode, Fen, FieldError, Msg, OrgId, Role, Scope};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, FromQueryResult, Serialize, PartialEq)]
pub struct Enterprise {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub registered_district: Option<String>,
    pub tax_district: Option<String>,
    pub independent_legal_person: bool,
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub operating_revenue_fen: Option<Fen>,
    pub total_assets_fen: Option<Fen>,
    /// Computed from the figures by the SME standard, when they suffice.
    pub size_class: Option<String>,
    /// An officer's override, with its reason.
    pub size_override: Option<String>,
    pub size_override_reason: Option<String>,
    /// The enterprise's account organisation (not the registry record's own id).
    pub organisation_id: Option<i64>,
    pub data_sharing_consent: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Enterprise {
    /// The registry facts the eligibility check (R2.2) decides on, and as of when.
    pub fn facts(&self) -> ipfin_domain::policy::eligibility::EnterpriseFacts {
        ipfin_domain::policy::eligibility::EnterpriseFacts {
            name: self.name.clone(),
            registered_district: self.registered_district.clone(),
            tax_district: self.tax_district.clone(),
            independent_legal_person: self.independent_legal_person,
            source: "企业库登记信息".into(),
            as_of: ipfin_domain::calendar::business_date(self.updated_at).to_string(),
        }
    }

    /// The class that counts: the override when there is one, else the computed class.
    pub fn effective_size(&self) -> Option<SizeClass> {
        self.size_override
            .as_deref()
            .or(self.size_class.as_deref())
            .and_then(SizeClass::from_code)
    }
}

/// A record as entered by an officer or imported. The credit code is parsed at the edge (the
/// form, the API body, the import row): the store keys the record by it and never re-checks it.
#[derive(Debug, Clone)]
pub struct EnterpriseInput {
    pub credit_code: CreditCode,
    pub name: String,
    pub registered_district: Option<String>,
    pub tax_district: Option<String>,
    pub independent_legal_person: bool,
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub operating_revenue_fen: Option<Fen>,
    pub total_assets_fen: Option<Fen>,
    pub data_sharing_consent: bool,
}

impl EnterpriseInput {
    /// The figures the size class is computed from, and the data-sharing consent.
    pub fn figures(&self) -> EnterpriseFigures {
        EnterpriseFigures {
            industry: self.industry.clone(),
            employees: self.employees,
            operating_revenue_fen: self.operating_revenue_fen,
            total_assets_fen: self.total_assets_fen,
            data_sharing_consent: self.data_sharing_consent,
        }
    }
}

/// The figures of a registered enterprise as an officer or the enterprise updates them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnterpriseFigures {
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub operating_revenue_fen: Option<Fen>,
    pub total_assets_fen: Option<Fen>,
    pub data_sharing_consent: bool,
}

#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    /// A credit code (or its first characters) or two or more characters of the name.
    pub q: Option<String>,
    pub size: Option<SizeClass>,
    /// GB/T 4754 code prefix, e.g. `I65` or `C`.
    pub industry: Option<String>,
    /// A tag type code: only enterprises carrying it.
    pub tag: Option<String>,
}

const ENT_COLS: &str = "e.id, e.credit_code, e.name, e.registered_district, e.tax_district, e.independent_legal_person, \
    e.industry, e.employees, e.operating_revenue_fen, e.total_assets_fen, e.size_class, e.size_override, \
    e.size_override_reason, e.organisation_id, e.data_sharing_consent, e.created_at, e.updated_at";

fn non_negative(field: &'static str, label: &str, v: Option<i64>) -> Result<()> {
    match v {
        Some(n) if n < 0 => Err(StoreError::invalid(
            field,
            "enterprise.negative",
            format!("{label}不能为负数。"),
            format!("{field} cannot be negative."),
        )),
        _ => Ok(()),
    }
}

/// Validates an input and computes the size class; returns the normalised record fields.
pub fn validate(
    input: &EnterpriseInput,
) -> Result<(String, String, Option<String>, Option<String>)> {
    let code = input.credit_code.to_string();
    let name = require_text("name", "企业名称", "Enterprise name", &input.name, 200)?;
    let (industry, size) = check_figures(&input.figures())?;
    Ok((code, name, industry, size))
}

/// Validates figures and computes the size class: the normalised industry and the class.
fn check_figures(input: &EnterpriseFigures) -> Result<(Option<String>, Option<String>)> {
    non_negative("employees", "从业人员", input.employees)?;
    non_negative(
        "operating_revenue_fen",
        "营业收入",
        input.operating_revenue_fen.map(Fen::get),
    )?;
    non_negative(
        "total_assets_fen",
        "资产总额",
        input.total_assets_fen.map(Fen::get),
    )?;
    let industry = match clean(input.industry.clone()) {
        Some(i) => {
            standard_2011()
                .industry_group(&i)
                .map_err(StoreError::Invalid)?;
            Some(ipfin_domain::credit_code::normalize(&i))
        }
        None => None,
    };
    // The class is computed when the figures the industry group needs are present.
    let size = industry.as_ref().and_then(|i| {
        class_of(
            standard_2011(),
            &SizeInput {
                industry: i.clone(),
                employees: input.employees,
                operating_revenue_fen: input.operating_revenue_fen,
                total_assets_fen: input.total_assets_fen,
            },
        )
        .ok()
        .map(|c| c.code().to_string())
    });
    Ok((industry, size))
}

/// The name index holds each enterprise's distinct name bigrams. SQLite keeps them in a
/// contentless FTS5 table (rowid = enterprise id; each bigram written as the hex of its UTF-8
/// bytes so the `ascii` tokenizer keeps it whole); PostgreSQL in the `name_grams` column (the
/// bigrams separated by spaces) under a GIN index. Both write far fewer index entries than a
/// row per bigram would, and both serve a two-character search from an index.
pub(crate) fn fts_token(gram: &str) -> String {
    let mut s = String::with_capacity(gram.len() * 2);
    push_hex(&mut s, gram);
    s
}

fn push_hex(s: &mut String, gram: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in gram.bytes() {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
}

/// The index text of a name: its bigrams, in the form the backend's index reads.
pub(crate) fn name_index_text(backend: sea_orm::DbBackend, name: &str) -> String {
    let grams = ipfin_domain::enterprise::name_gram_pairs(name);
    let hex = backend == sea_orm::DbBackend::Sqlite;
    let mut s = String::with_capacity(grams.len() * 13);
    let mut buf = [0u8; 8];
    for [a, b] in grams {
        if !s.is_empty() {
            s.push(' ');
        }
        for c in [a, b] {
            let utf8 = c.encode_utf8(&mut buf);
            if hex {
                push_hex(&mut s, utf8);
            } else {
                s.push_str(utf8);
            }
        }
    }
    s
}

/// Rewrites the name index entries of enterprises; `fresh` when they have none yet.
pub(crate) async fn index_names<C: ConnectionTrait>(
    conn: &C,
    rows: &[(i64, &str)],
    fresh: bool,
) -> Result<()> {
    let backend = conn.get_database_backend();
    let texts: Vec<(i64, String)> = rows
        .iter()
        .map(|(id, name)| (*id, name_index_text(backend, name)))
        .collect();
    write_index_texts(conn, &texts, fresh).await
}

/// Writes prepared name index texts (see [`name_index_text`]).
pub(crate) async fn write_index_texts<C: ConnectionTrait>(
    conn: &C,
    rows: &[(i64, String)],
    fresh: bool,
) -> Result<()> {
    let backend = conn.get_database_backend();
    // Few large statements: FTS5 flushes its pending terms at every statement's savepoint.
    for chunk in rows.chunks(4000) {
        let pairs = vec!["(?, ?)"; chunk.len()].join(", ");
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 2);
        for (id, text) in chunk {
            values.push((*id).into());
            values.push(text.clone().into());
        }
        if backend == sea_orm::DbBackend::Sqlite {
            if !fresh {
                let ids = vec!["?"; chunk.len()].join(", ");
                exec(
                    conn,
                    &format!("DELETE FROM enterprise_name_fts WHERE rowid IN ({ids})"),
                    chunk.iter().map(|(id, _)| Value::from(*id)).collect(),
                )
                .await?;
            }
            exec(
                conn,
                &format!("INSERT INTO enterprise_name_fts (rowid, grams) VALUES {pairs}"),
                values,
            )
            .await?;
        } else {
            let pairs = vec!["(CAST(? AS BIGINT), CAST(? AS TEXT))"; chunk.len()].join(", ");
            exec(
                conn,
                &format!(
                    "UPDATE enterprises SET name_grams = v.g FROM (VALUES {pairs}) AS v(id, g) WHERE enterprises.id = v.id"
                ),
                values,
            )
            .await?;
        }
    }
    Ok(())
}

impl Store {
    /// Creates or updates (by credit code) an enterprise record. The city may write any record;
    /// a district's lead officers only records registered in their district.
    pub async fn save_enterprise(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        input: EnterpriseInput,
    ) -> Result<(Enterprise, bool)> {
        let (code, name, industry, size) = validate(&input)?;
        let mut registered = clean(input.registered_district.clone());
        if let Some(own) = scope.lead_district() {
            registered = Some(own.to_string());
        }
        if !scope.manages_kind_in(ipfin_domain::OrgKind::Enterprise, registered.as_deref()) {
            return Err(StoreError::forbidden(
                "enterprise.manage",
                "您无权登记或修改企业信息。",
                "You may not register or change enterprise records.",
            ));
        }
        for (field, d) in [
            ("registered_district", &registered),
            ("tax_district", &clean(input.tax_district.clone())),
        ] {
            if let Some(d) = d {
                Self::district_in(tx.conn(), d).await.map_err(|_| {
                    StoreError::invalid(
                        field,
                        "org.district_unknown",
                        format!("辖区 {d} 不存在。"),
                        format!("District {d} does not exist."),
                    )
                })?;
            }
        }
        #[derive(FromQueryResult)]
        struct Existing {
            id: i64,
            registered_district: Option<String>,
            data_sharing_consent: bool,
        }
        let existing: Option<Existing> = fetch_opt(
            tx.conn(),
            "SELECT id, registered_district, data_sharing_consent FROM enterprises WHERE credit_code = ?",
            vec![code.clone().into()],
        )
        .await?;
        let now = crate::now_s();
        let tax = clean(input.tax_district.clone());
        let values = |extra: Vec<Value>| {
            let mut v: Vec<Value> = vec![
                name.clone().into(),
                registered.clone().into(),
                tax.clone().into(),
                input.independent_legal_person.into(),
                industry.clone().into(),
                input.employees.into(),
                input.operating_revenue_fen.into(),
                input.total_assets_fen.into(),
                size.clone().into(),
                input.data_sharing_consent.into(),
                now.into(),
            ];
            v.extend(extra);
            v
        };
        let consent_before = existing.as_ref().map(|e| e.data_sharing_consent);
        let (id, created) = match existing {
            Some(e) => {
                if !scope.manages_kind_in(
                    ipfin_domain::OrgKind::Enterprise,
                    e.registered_district.as_deref(),
                ) {
                    return Err(StoreError::conflict(
                        "enterprise.other_district",
                        "该统一社会信用代码已登记在其他辖区，请联系市级管理员处理迁移。",
                        "This credit code is registered in another district; ask the city administrator to move it.",
                    ));
                }
                // Its loans follow it to its district and size (decision 0010).
                let before = stats_aggregate::enterprise_facts(tx.conn(), &[e.id], true).await?;
                exec(
                    tx.conn(),
                    "UPDATE enterprises SET name = ?, registered_district = ?, tax_district = ?, independent_legal_person = ?, \
                     industry = ?, employees = ?, operating_revenue_fen = ?, total_assets_fen = ?, size_class = ?, \
                     data_sharing_consent = ?, updated_at = ? WHERE id = ?",
                    values(vec![e.id.into()]),
                )
                .await?;
                let after = stats_aggregate::enterprise_facts(tx.conn(), &[e.id], false).await?;
                tx.replace_stats(&before, &after)?;
                (e.id, false)
            }
            None => {
                let id = fetch_i64(
                    tx.conn(),
                    "INSERT INTO enterprises (name, registered_district, tax_district, independent_legal_person, industry, employees, \
                     operating_revenue_fen, total_assets_fen, size_class, data_sharing_consent, updated_at, credit_code, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    values(vec![code.clone().into(), now.into()]),
                )
                .await?;
                (id, true)
            }
        };
        exec(
            tx.conn(),
            "UPDATE enterprises SET source_ref = ? WHERE id = ?",
            vec![tx.source_ref().into(), id.into()],
        )
        .await?;
        index_names(tx.conn(), &[(id, name.as_str())], created).await?;
        crate::screening::mark_changed(tx.conn(), &[id]).await?;
        if consent_before.unwrap_or(false) != input.data_sharing_consent {
            crate::push::record_consent_event(tx, id, input.data_sharing_consent, "", "officer")
                .await?;
        }
        let e = self.enterprise_in(tx.conn(), &Scope::City, id).await?;
        tx.audit(
            if created {
                "enterprise.create"
            } else {
                "enterprise.update"
            },
            "enterprise",
            id,
            json!({"after": &e}),
        )
        .await?;
        Ok((e, created))
    }

    pub async fn enterprise(&self, scope: &Scope, id: i64) -> Result<Enterprise> {
        self.enterprise_in(self.conn(), scope, id).await
    }

    pub(crate) async fn enterprise_in<C: ConnectionTrait>(
        &self,
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<Enterprise> {
        let (cond, mut values) = crate::visibility::condition(scope, Records::Enterprises);
        values.insert(0, id.into());
        fetch_opt(
            conn,
            &format!("SELECT {ENT_COLS} FROM enterprises e WHERE e.id = ? AND {cond}"),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Searches the scope's enterprises by credit code or name fragment, with filters. The
    /// total is exact up to [`SEARCH_COUNT_CAP`] and marked as a lower bound beyond it.
    pub async fn search_enterprises(
        &self,
        scope: &Scope,
        f: &EnterpriseFilter,
        page: Page,
    ) -> Result<Paged<Enterprise>> {
        self.search_enterprises_capped(scope, f, page, SEARCH_COUNT_CAP)
            .await
    }

    /// [`Store::search_enterprises`] with the count cap given.
    pub async fn search_enterprises_capped(
        &self,
        scope: &Scope,
        f: &EnterpriseFilter,
        page: Page,
        cap: u64,
    ) -> Result<Paged<Enterprise>> {
        let q = filter_sql(self.backend(), scope, f)?;
        fetch_page_capped(
            self.conn(),
            ENT_COLS,
            &format!("FROM {} WHERE {}", q.from, q.cond),
            q.order,
            q.values,
            page,
            Some(cap),
        )
        .await
    }

    /// Every enterprise matching the filter, up to `limit` rows (for exports), in id order.
    pub async fn export_enterprises(
        &self,
        scope: &Scope,
        f: &EnterpriseFilter,
        limit: u64,
    ) -> Result<Vec<Enterprise>> {
        let mut q = filter_sql(self.backend(), scope, f)?;
        q.values.push((limit as i64).into());
        fetch_all(
            self.conn(),
            &format!(
                "SELECT {ENT_COLS} FROM {} WHERE {} ORDER BY {} LIMIT ?",
                q.from, q.cond, q.order
            ),
            q.values,
        )
        .await
    }
}

/// Search results are counted exactly up to this many; beyond it the list says "200+" (a
/// common fragment such as 科技 matches a large share of a city, and counting every match
/// would cost more than the page itself).
pub const SEARCH_COUNT_CAP: u64 = 200;

/// The FROM clause, WHERE condition, order and values of an enterprise query.
struct FilterSql {
    from: &'static str,
    cond: String,
    order: &'static str,
    values: Vec<Value>,
}

/// The query (alias `e`) for a scope and a filter. A name search on SQLite drives the query
/// from the FTS5 index in rowid order, so a page of a common fragment stops early.
fn filter_sql(
    backend: sea_orm::DbBackend,
    scope: &Scope,
    f: &EnterpriseFilter,
) -> Result<FilterSql> {
    let (mut cond, mut values) = crate::visibility::condition(scope, Records::Enterprises);
    let mut from = "enterprises e";
    let mut order = "e.id";
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        if is_code_query(q) {
            let code = ipfin_domain::credit_code::normalize(q);
            if code.len() == 18 {
                cond.push_str(" AND e.credit_code = ?");
                values.push(code.into());
            } else {
                // A range, not LIKE, so the unique index on credit_code serves the prefix on
                // both databases ('~' sorts after every character of the code alphabet); the
                // list is in code order, which the same index gives without sorting.
                order = "e.credit_code";
                cond.push_str(" AND e.credit_code >= ? AND e.credit_code < ?");
                values.push(code.clone().into());
                values.push(format!("{code}~").into());
            }
        } else {
            let grams = query_grams(q).map_err(StoreError::Invalid)?;
            if backend == sea_orm::DbBackend::Sqlite {
                from = "enterprise_name_fts f JOIN enterprises e ON e.id = f.rowid";
                order = "f.rowid";
                let expr = grams
                    .iter()
                    .map(|g| format!("\"{}\"", fts_token(g)))
                    .collect::<Vec<_>>()
                    .join(" AND ");
                cond.push_str(" AND enterprise_name_fts MATCH ?");
                values.push(expr.into());
            } else {
                cond.push_str(" AND string_to_array(e.name_grams, ' ') @> string_to_array(?, ' ')");
                values.push(grams.join(" ").into());
            }
            // The bigrams all occur; when the query has no punctuation, require it as a
            // substring. A two-character query is its own bigram and needs no such check
            // (which would also make PostgreSQL misjudge how many rows match).
            let folded: String = ipfin_domain::enterprise::fold_name(q).into_iter().collect();
            if folded == q.to_lowercase() && folded.chars().count() > 2 {
                cond.push_str(" AND LOWER(e.name) LIKE ?");
                values.push(format!("%{}%", folded.replace(['%', '_'], "")).into());
            }
        }
    }
    if let Some(s) = f.size {
        cond.push_str(" AND COALESCE(e.size_override, e.size_class) = ?");
        values.push(s.code().into());
    }
    if let Some(t) = f.tag.as_deref().filter(|t| !t.is_empty()) {
        cond.push_str(" AND EXISTS (SELECT 1 FROM enterprise_tags t WHERE t.enterprise_id = e.id AND t.tag_type = ?)");
        values.push(t.to_string().into());
    }
    if let Some(i) = f
        .industry
        .as_deref()
        .map(ipfin_domain::credit_code::normalize)
        .filter(|i| !i.is_empty())
    {
        cond.push_str(" AND e.industry LIKE ?");
        values.push(format!("{}%", i.replace(['%', '_'], "")).into());
    }
    Ok(FilterSql {
        from,
        cond,
        order,
        values,
    })
}

impl Store {
    /// The enterprise, if the scope manages it: its district's lead officers or the city.
    async fn managed_enterprise(
        &self,
        tx: &WriteTx,
        scope: &Scope,
        id: i64,
        code: &'static str,
        zh: &str,
        en: &str,
    ) -> Result<Enterprise> {
        let e = self.enterprise_in(tx.conn(), scope, id).await?;
        if !scope.manages_kind_in(
            ipfin_domain::OrgKind::Enterprise,
            e.registered_district.as_deref(),
        ) {
            return Err(StoreError::forbidden(code, zh, en));
        }
        Ok(e)
    }

    /// The enterprise, if the scope may edit its figures and IP: its district's officers, the
    /// city, or the enterprise's own users.
    async fn editable_enterprise(
        &self,
        tx: &WriteTx,
        scope: &Scope,
        id: i64,
        zh: &str,
        en: &str,
    ) -> Result<Enterprise> {
        let e = self.enterprise_in(tx.conn(), scope, id).await?;
        // The enterprise's own registry record (the reach table's "itself").
        let own = e.organisation_id.is_some_and(|o| {
            scope.reach(Records::Enterprises)
                == Reach::Party(Party::Itself, ipfin_domain::id::OrgId::new(o))
        });
        if !own
            && !scope.manages_kind_in(
                ipfin_domain::OrgKind::Enterprise,
                e.registered_district.as_deref(),
            )
        {
            return Err(StoreError::forbidden("enterprise.manage", zh, en));
        }
        Ok(e)
    }

    /// Updates an enterprise's own figures (industry, employees, revenue, assets, data-sharing
    /// consent): its district's officers, the city, or the enterprise's own users. The size class
    /// is recomputed.
    pub async fn update_enterprise_figures(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        figures: EnterpriseFigures,
    ) -> Result<Enterprise> {
        let e = self
            .editable_enterprise(
                tx,
                scope,
                id,
                "您无权修改该企业信息。",
                "You may not change this enterprise.",
            )
            .await?;
        let (industry, size) = check_figures(&figures)?;
        let before = stats_aggregate::enterprise_facts(tx.conn(), &[id], true).await?;
        exec(
            tx.conn(),
            "UPDATE enterprises SET industry = ?, employees = ?, operating_revenue_fen = ?, total_assets_fen = ?, size_class = ?, \
             data_sharing_consent = ?, updated_at = ? WHERE id = ?",
            vec![
                industry.into(),
                figures.employees.into(),
                figures.operating_revenue_fen.into(),
                figures.total_assets_fen.into(),
                size.into(),
                figures.data_sharing_consent.into(),
                crate::now_s().into(),
                id.into(),
            ],
        )
        .await?;
        let facts = stats_aggregate::enterprise_facts(tx.conn(), &[id], false).await?;
        tx.replace_stats(&before, &facts)?;
        crate::screening::mark_changed(tx.conn(), &[id]).await?;
        if e.data_sharing_consent != figures.data_sharing_consent {
            let channel = if scope.org_kind() == Some(ipfin_domain::OrgKind::Enterprise) {
                "enterprise"
            } else {
                "officer"
            };
            crate::push::record_consent_event(tx, id, figures.data_sharing_consent, "", channel)
                .await?;
        }
        let after = self.enterprise_in(tx.conn(), &Scope::City, id).await?;
        tx.audit(
            "enterprise.update_figures",
            "enterprise",
            id,
            json!({"before": e, "after": &after}),
        )
        .await?;
        Ok(after)
    }

    /// Overrides the computed size class with a reason (officers of the enterprise's district).
    pub async fn override_size(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        class: Option<SizeClass>,
        reason: &str,
    ) -> Result<Enterprise> {
        let e = self
            .managed_enterprise(
                tx,
                scope,
                id,
                "enterprise.manage",
                "您无权修改该企业的规模。",
                "You may not change this enterprise's size.",
            )
            .await?;
        let reason = match class {
            Some(_) => Some(require_text(
                "reason",
                "调整理由及依据",
                "Reason and evidence",
                reason,
                500,
            )?),
            None => None,
        };
        let before = stats_aggregate::enterprise_facts(tx.conn(), &[id], true).await?;
        exec(
            tx.conn(),
            "UPDATE enterprises SET size_override = ?, size_override_reason = ?, size_override_by = ?, size_override_at = ?, updated_at = ? WHERE id = ?",
            vec![
                class.map(|c| c.code().to_string()).into(),
                reason.clone().into(),
                tx.actor().user_id.into(),
                crate::now_s().into(),
                crate::now_s().into(),
                id.into(),
            ],
        )
        .await?;
        crate::screening::mark_changed(tx.conn(), &[id]).await?;
        let after = stats_aggregate::enterprise_facts(tx.conn(), &[id], false).await?;
        tx.replace_stats(&before, &after)?;
        tx.audit(
            "enterprise.size_override",
            "enterprise",
            id,
            json!({"before": e.size_override, "after": class.map(|c| c.code()), "computed": e.size_class, "reason": reason}),
        )
        .await?;
        self.enterprise_in(tx.conn(), &Scope::City, id).await
    }
}

/// A pending, approved or rejected request by a person to manage an enterprise's account.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct Claim {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub credit_code: String,
    pub username: String,
    pub display_name: String,
    pub phone: String,
    pub status: String,
    pub reason: Option<String>,
    pub created_at: i64,
}

/// A claim as the registration form submits it (the credit code parsed by the form).
#[derive(Debug, Clone)]
pub struct ClaimInput {
    pub credit_code: CreditCode,
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub phone: String,
}

impl Store {
    /// Registers a person and their claim to an enterprise (no sign-in until a district officer
    /// approves it). The enterprise must be in the registry.
    pub async fn submit_claim(&self, c: ClaimInput) -> Result<i64> {
        let code = &c.credit_code;
        // Every problem at once; the page has already compared the two passwords.
        let ipfin_domain::user::ClaimFields {
            username,
            display_name,
            phone,
        } = ipfin_domain::user::check_claim(
            &c.username,
            &c.display_name,
            &c.phone,
            &c.password,
            &c.password,
        )
        .map_err(StoreError::fields)?;
        #[derive(FromQueryResult)]
        struct Id {
            id: i64,
        }
        let ent: Id = fetch_opt(self.conn(), "SELECT id FROM enterprises WHERE credit_code = ?", vec![code.to_string().into()])
            .await?
            .ok_or_else(|| {
                StoreError::invalid(
                    "credit_code",
                    "claim.enterprise_unknown",
                    "系统中尚无该统一社会信用代码的企业记录，请联系注册地所在区的知识产权主管部门登记。",
                    "No enterprise with this credit code is registered yet; ask your district's IP office.",
                )
            })?;
        // Whether the username is taken is not said here (that would tell anyone which
        // usernames exist): the claim is kept either way, and approving one whose username is
        // taken is refused (`user.duplicate_username`), so the district tells the applicant on
        // the verification call to submit again with another username.
        let hash = hash_password(c.password.clone()).await?;
        let mut tx = self
            .write(crate::audit::AuditActor::system("register"))
            .await?;
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO enterprise_claims (enterprise_id, username, display_name, password_hash, phone, status, created_at) \
             VALUES (?, ?, ?, ?, ?, 'pending', ?) RETURNING id",
            vec![ent.id.into(), username.clone().into(), display_name.into(), hash.into(), phone.into(), crate::now_s().into()],
        )
        .await?;
        tx.audit(
            "claim.submit",
            "enterprise",
            ent.id,
            json!({"claim_id": id, "username": username}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Claims on the scope's enterprises, pending first.
    pub async fn claims(&self, scope: &Scope) -> Result<Vec<Claim>> {
        let (cond, values) = crate::visibility::condition(scope, Records::Enterprises);
        fetch_all(
            self.conn(),
            &format!(
                "SELECT c.id, c.enterprise_id, e.name AS enterprise_name, e.credit_code, c.username, c.display_name, c.phone, \
                 c.status, c.reason, c.created_at FROM enterprise_claims c JOIN enterprises e ON e.id = c.enterprise_id \
                 WHERE {cond} ORDER BY CASE WHEN c.status = 'pending' THEN 0 ELSE 1 END, c.id LIMIT 500"
            ),
            values,
        )
        .await
    }

    /// Approves (creating the enterprise's organisation if needed and the user) or rejects a
    /// pending claim. Officers of the enterprise's district, or the city.
    pub async fn decide_claim(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        claim_id: i64,
        approve: bool,
        reason: Option<String>,
    ) -> Result<()> {
        #[derive(FromQueryResult)]
        struct Row {
            enterprise_id: i64,
            username: String,
            display_name: String,
            password_hash: String,
            status: String,
        }
        let row: Row = fetch_opt(
            tx.conn(),
            "SELECT enterprise_id, username, display_name, password_hash, status FROM enterprise_claims WHERE id = ?",
            vec![claim_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let e = self
            .enterprise_in(tx.conn(), scope, row.enterprise_id)
            .await?;
        if !scope.manages_kind_in(
            ipfin_domain::OrgKind::Enterprise,
            e.registered_district.as_deref(),
        ) {
            return Err(StoreError::forbidden(
                "claim.decide",
                "您无权审核该企业的认领申请。",
                "You may not decide this claim.",
            ));
        }
        if row.status != "pending" {
            return Err(StoreError::conflict(
                "claim.decided",
                "该认领申请已处理。",
                "This claim has already been decided.",
            ));
        }
        let reason = clean(reason);
        if !approve && reason.is_none() {
            return Err(StoreError::invalid(
                "reason",
                "claim.reason_required",
                "驳回时请填写理由，理由将记录在该认领申请中。",
                "Give the reason for rejecting; it is kept with the claim.",
            ));
        }
        if approve {
            let org_id = match e.organisation_id.map(OrgId::new) {
                Some(id) => id,
                None => {
                    #[derive(FromQueryResult)]
                    struct Org {
                        id: OrgId,
                    }
                    let found: Option<Org> = fetch_opt(
                        tx.conn(),
                        "SELECT id FROM organisations WHERE credit_code = ?",
                        vec![e.credit_code.clone().into()],
                    )
                    .await?;
                    let id = match found {
                        Some(o) => o.id,
                        None => OrgId::new(
                            fetch_i64(
                                tx.conn(),
                                "INSERT INTO organisations (kind, name, district_code, credit_code, active, created_at) \
                                 VALUES ('enterprise', ?, ?, ?, TRUE, ?) RETURNING id",
                                vec![e.name.clone().into(), e.registered_district.clone().into(), e.credit_code.clone().into(), crate::now_s().into()],
                            )
                            .await?,
                        ),
                    };
                    exec(
                        tx.conn(),
                        "UPDATE enterprises SET organisation_id = ? WHERE id = ?",
                        vec![id.into(), e.id.into()],
                    )
                    .await?;
                    id
                }
            };
            let user_id = fetch_i64(
                tx.conn(),
                "INSERT INTO users (organisation_id, username, display_name, password_hash, active, must_change_password, created_at) \
                 VALUES (?, ?, ?, ?, TRUE, FALSE, ?) RETURNING id",
                vec![org_id.into(), row.username.clone().into(), row.display_name.clone().into(), row.password_hash.into(), crate::now_s().into()],
            )
            .await
            .map_err(|err| err.unique_as(Msg::new("user.duplicate_username", "用户名已被占用，请驳回并请申请人换用户名。", "The username is taken; reject and ask for another.")))?;
            exec(
                tx.conn(),
                "INSERT INTO user_roles (user_id, role) VALUES (?, ?)",
                vec![user_id.into(), Role::EnterpriseUser.code().into()],
            )
            .await?;
        }
        exec(
            tx.conn(),
            "UPDATE enterprise_claims SET status = ?, reason = ?, decided_by = ?, decided_at = ? WHERE id = ?",
            vec![
                if approve { "approved" } else { "rejected" }.into(),
                reason.clone().into(),
                tx.actor().user_id.into(),
                crate::now_s().into(),
                claim_id.into(),
            ],
        )
        .await?;
        tx.audit(
            if approve {
                "claim.approve"
            } else {
                "claim.reject"
            },
            "enterprise",
            e.id,
            json!({"claim_id": claim_id, "username": row.username, "reason": reason}),
        )
        .await
    }
}

/// A tag type: the guideline's categories and each district's own.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct TagType {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub district_code: Option<String>,
}

/// A whitelist tag on an enterprise, with its source, year and validity.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct EnterpriseTag {
    pub id: i64,
    pub enterprise_id: i64,
    pub tag_type: String,
    pub name_zh: String,
    pub name_en: String,
    pub source: String,
    pub year: i32,
    pub valid_from: Option<chrono::NaiveDate>,
    pub valid_to: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct TagInput {
    pub tag_type: String,
    pub source: String,
    pub year: i32,
    pub valid_from: Option<chrono::NaiveDate>,
    pub valid_to: Option<chrono::NaiveDate>,
}

/// An IP asset held by an enterprise.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct IpAsset {
    pub id: i64,
    pub enterprise_id: i64,
    pub kind: String,
    pub number: String,
    pub patent_kind: Option<String>,
    pub title: String,
    pub legal_status: String,
    pub grant_date: Option<chrono::NaiveDate>,
    pub nice_class: Option<i16>,
}

#[derive(Debug, Clone, Default)]
pub struct IpInput {
    pub kind: String,
    pub number: String,
    pub title: String,
    pub legal_status: String,
    pub grant_date: Option<chrono::NaiveDate>,
    pub nice_class: Option<String>,
}

/// Legal statuses of an IP asset: (code, 中文, English).
pub const LEGAL_STATUSES: &[(&str, &str, &str)] = &[
    ("pending", "审查中", "Pending"),
    ("valid", "有效", "In force"),
    ("lapsed", "失效", "Lapsed"),
];

/// An IP asset's fields, checked and normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidIp {
    pub kind: ipfin_domain::ip_number::IpKind,
    pub number: String,
    pub patent_kind: Option<ipfin_domain::ip_number::PatentKind>,
    pub title: String,
    pub legal_status: String,
    pub grant_date: Option<chrono::NaiveDate>,
    pub nice_class: Option<i16>,
}

/// Checks an IP asset: the kind, the number by the rules of its kind (check digit for
/// patents), the title, the legal status and, for trademarks, the Nice class.
pub fn validate_ip(a: &IpInput) -> Result<ValidIp> {
    let kind = ipfin_domain::ip_number::IpKind::from_code(a.kind.trim()).ok_or_else(|| {
        StoreError::invalid(
            "kind",
            "ip.kind",
            "请选择知识产权类型（专利、商标、软件著作权、作品著作权）。",
            "Choose the kind of IP asset.",
        )
    })?;
    let (number, patent_kind) = kind.parse_number(&a.number).map_err(|m| {
        StoreError::Invalid(FieldError {
            field: "number",
            msg: m,
        })
    })?;
    let title = require_text("title", "名称", "Title", &a.title, 200)?;
    if !LEGAL_STATUSES.iter().any(|(c, _, _)| *c == a.legal_status) {
        return Err(StoreError::invalid(
            "legal_status",
            "ip.legal_status",
            "请选择法律状态（审查中、有效、失效）。",
            "Choose the legal status.",
        ));
    }
    let nice_class = match (kind, clean(a.nice_class.clone())) {
        (ipfin_domain::ip_number::IpKind::Trademark, Some(c)) => {
            Some(ipfin_domain::ip_number::parse_nice_class(&c).map_err(|m| {
                StoreError::Invalid(FieldError {
                    field: "nice_class",
                    msg: m,
                })
            })? as i16)
        }
        (ipfin_domain::ip_number::IpKind::Trademark, None) => {
            return Err(StoreError::invalid(
                "nice_class",
                "trademark.nice_class",
                "商标须填写尼斯分类（1–45）。",
                "A trademark needs its Nice class (1–45).",
            ));
        }
        _ => None,
    };
    Ok(ValidIp {
        kind,
        number,
        patent_kind,
        title,
        legal_status: a.legal_status.clone(),
        grant_date: a.grant_date,
        nice_class,
    })
}

/// Checks a tag's source, year and validity period; returns the cleaned source.
pub fn validate_tag(t: &TagInput) -> Result<String> {
    let source = require_text("source", "来源（认定文件或名单）", "Source", &t.source, 200)?;
    if !(2000..=2100).contains(&t.year) {
        return Err(StoreError::invalid(
            "year",
            "tag.year",
            "认定年度应在 2000–2100 之间。",
            "The year must be between 2000 and 2100.",
        ));
    }
    if let (Some(f), Some(to)) = (t.valid_from, t.valid_to)
        && to < f
    {
        return Err(StoreError::invalid(
            "valid_to",
            "tag.validity",
            "有效期截止日不能早于起始日。",
            "The validity cannot end before it starts.",
        ));
    }
    Ok(source)
}

impl Store {
    /// Tag types usable in the scope: the guideline's and the scope's district's own.
    pub async fn tag_types(&self, scope: &Scope) -> Result<Vec<TagType>> {
        Self::tag_types_in(self.conn(), scope).await
    }

    async fn tag_types_in<C: ConnectionTrait>(conn: &C, scope: &Scope) -> Result<Vec<TagType>> {
        let (cond, values) = crate::visibility::condition(scope, Records::TagTypes);
        fetch_all(
            conn,
            &format!("SELECT code, name_zh, name_en, district_code FROM tag_types WHERE {cond} ORDER BY district_code IS NOT NULL, code"),
            values,
        )
        .await
    }

    /// Adds a district's own tag type (其他知识产权领域表现突出的企业 and the like).
    pub async fn create_district_tag_type(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        code: &str,
        name_zh: &str,
        name_en: &str,
    ) -> Result<TagType> {
        let Some(district) = scope.lead_district() else {
            return Err(StoreError::forbidden(
                "tag.manage",
                "只有区牵头部门可以新增本区的标签类型。",
                "Only a district's lead officers add district tag types.",
            ));
        };
        let code = code.trim().to_lowercase();
        if !ipfin_domain::whitelist::valid_district_tag_code(&code) {
            return Err(StoreError::invalid(
                "code",
                "tag.code_format",
                "标签代码应以 d_ 开头，后接 2–40 位小写字母、数字或下划线，例如 d_nanshan_star。",
                "A tag code is d_ followed by 2–40 lower-case letters, digits or underscores.",
            ));
        }
        let name_zh = require_text("name_zh", "标签名称", "Tag name", name_zh, 50)?;
        let t = TagType {
            code: code.clone(),
            name_zh,
            name_en: name_en.trim().to_string(),
            district_code: Some(district.to_string()),
        };
        exec(
            tx.conn(),
            "INSERT INTO tag_types (code, name_zh, name_en, district_code) VALUES (?, ?, ?, ?)",
            vec![
                t.code.clone().into(),
                t.name_zh.clone().into(),
                t.name_en.clone().into(),
                t.district_code.clone().into(),
            ],
        )
        .await
        .map_err(|e| {
            e.unique_as(Msg::new(
                "tag.duplicate",
                "该标签代码已存在。",
                "This tag code exists already.",
            ))
        })?;
        tx.audit("tag_type.create", "tag_type", &code, json!({"after": &t}))
            .await?;
        Ok(t)
    }

    pub async fn enterprise_tags(&self, scope: &Scope, ent_id: i64) -> Result<Vec<EnterpriseTag>> {
        self.enterprise(scope, ent_id).await?;
        fetch_all(
            self.conn(),
            "SELECT t.id, t.enterprise_id, t.tag_type, y.name_zh, y.name_en, t.source, t.year, t.valid_from, t.valid_to \
             FROM enterprise_tags t JOIN tag_types y ON y.code = t.tag_type WHERE t.enterprise_id = ? ORDER BY t.year DESC, t.id",
            vec![ent_id.into()],
        )
        .await
    }

    /// Tags an enterprise (officers of its district, or the city).
    pub async fn add_tag(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        ent_id: i64,
        t: TagInput,
    ) -> Result<i64> {
        let e = self
            .managed_enterprise(
                tx,
                scope,
                ent_id,
                "tag.manage",
                "您无权为该企业添加标签。",
                "You may not tag this enterprise.",
            )
            .await?;
        let district_scope = Scope::district_reader(e.registered_district.as_deref());
        if !Self::tag_types_in(tx.conn(), &district_scope)
            .await?
            .iter()
            .any(|u| u.code == t.tag_type)
        {
            return Err(StoreError::invalid(
                "tag_type",
                "tag.type_unknown",
                "请选择有效的标签类型。",
                "Choose a valid tag type.",
            ));
        }
        let source = validate_tag(&t)?;
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO enterprise_tags (enterprise_id, tag_type, source, year, valid_from, valid_to, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![ent_id.into(), t.tag_type.clone().into(), source.clone().into(), t.year.into(), t.valid_from.into(), t.valid_to.into(), crate::now_s().into()],
        )
        .await
        .map_err(|e| e.unique_as(Msg::new("tag.duplicate", "该企业已有同一年度的此类标签。", "The enterprise already has this tag for that year.")))?;
        tx.audit(
            "enterprise.tag_add",
            "enterprise",
            ent_id,
            json!({"tag_id": id, "tag_type": t.tag_type, "source": source, "year": t.year}),
        )
        .await?;
        Ok(id)
    }

    pub async fn remove_tag(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        ent_id: i64,
        tag_id: i64,
    ) -> Result<()> {
        self.managed_enterprise(
            tx,
            scope,
            ent_id,
            "tag.manage",
            "您无权删除该企业的标签。",
            "You may not untag this enterprise.",
        )
        .await?;
        let n = exec(
            tx.conn(),
            "DELETE FROM enterprise_tags WHERE id = ? AND enterprise_id = ?",
            vec![tag_id.into(), ent_id.into()],
        )
        .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(
            "enterprise.tag_remove",
            "enterprise",
            ent_id,
            json!({"tag_id": tag_id}),
        )
        .await
    }

    pub async fn ip_assets(&self, scope: &Scope, ent_id: i64) -> Result<Vec<IpAsset>> {
        self.enterprise(scope, ent_id).await?;
        fetch_all(
            self.conn(),
            "SELECT id, enterprise_id, kind, number, patent_kind, title, legal_status, grant_date, nice_class \
             FROM ip_assets WHERE enterprise_id = ? ORDER BY kind, number",
            vec![ent_id.into()],
        )
        .await
    }

    /// Records an IP asset of an enterprise (its district's officers, the city, or the
    /// enterprise itself). The number is validated and normalised per kind.
    pub async fn add_ip_asset(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        ent_id: i64,
        a: IpInput,
    ) -> Result<IpAsset> {
        self.editable_enterprise(
            tx,
            scope,
            ent_id,
            "您无权为该企业登记知识产权。",
            "You may not add IP assets for this enterprise.",
        )
        .await?;
        let v = validate_ip(&a)?;
        let (kind, number, patent_kind, title, nice_class) =
            (v.kind, v.number, v.patent_kind, v.title, v.nice_class);
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO ip_assets (enterprise_id, kind, number, patent_kind, title, legal_status, grant_date, nice_class, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                ent_id.into(),
                kind.code().into(),
                number.clone().into(),
                patent_kind.map(|k| k.code().to_string()).into(),
                title.clone().into(),
                a.legal_status.clone().into(),
                a.grant_date.into(),
                nice_class.into(),
                crate::now_s().into(),
            ],
        )
        .await
        .map_err(|e| e.unique_as(Msg::new("ip.duplicate", format!("{}“{number}”已登记，不能重复登记。", kind.zh()), format!("{} {number} is registered already.", kind.en()))))?;
        crate::screening::mark_changed(tx.conn(), &[ent_id]).await?;
        let asset = IpAsset {
            id,
            enterprise_id: ent_id,
            kind: kind.code().into(),
            number,
            patent_kind: patent_kind.map(|k| k.code().to_string()),
            title,
            legal_status: a.legal_status,
            grant_date: a.grant_date,
            nice_class,
        };
        tx.audit("ip.create", "enterprise", ent_id, json!({"after": &asset}))
            .await?;
        Ok(asset)
    }
}
