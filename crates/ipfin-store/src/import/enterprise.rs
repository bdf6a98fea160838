//! Enterprise rows: parsing, the batch write (idempotent: unchanged rows are not written) and
//! finding enterprises by credit code for the rows of other imports.

use super::RowError;
use super::columns::yes_no;
use super::rows::{Problems, RowProblems};
use crate::db::{exec, fetch_all};
use crate::enterprise::{EnterpriseInput, validate};
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use ipfin_domain::Fen;
use ipfin_domain::Scope;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use std::collections::HashMap;

/// Parses one row into an enterprise input; districts may be given by code or Chinese name.
/// Every field is read; all problems are returned.
pub fn parse_enterprise_row(
    cols: &HashMap<&'static str, usize>,
    values: &[String],
    districts: &HashMap<String, String>,
) -> std::result::Result<EnterpriseInput, RowProblems> {
    let mut p = Problems::default();
    let input = read_enterprise_row(cols, values, districts, &mut p);
    p.finish(input)
}

/// The row as an input, a field that fails read as empty and its problem recorded in `p`.
fn read_enterprise_row(
    cols: &HashMap<&'static str, usize>,
    values: &[String],
    districts: &HashMap<String, String>,
    p: &mut Problems,
) -> EnterpriseInput {
    let get = |f: &str| {
        cols.get(f)
            .and_then(|i| values.get(*i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let district = |f: &str| -> std::result::Result<Option<String>, (String, String)> {
        let v = get(f);
        if v.is_empty() {
            return Ok(None);
        }
        districts.get(&v).cloned().map(Some).ok_or_else(|| {
            (
                f.to_string(),
                format!("辖区“{v}”不存在：请填写辖区代码（如 440305）或名称（如 南山区）。"),
            )
        })
    };
    let amount = |f: &str| -> std::result::Result<Option<Fen>, (String, String)> {
        let v = get(f);
        if v.is_empty() {
            return Ok(None);
        }
        ipfin_domain::money::parse_amount(&v, 100)
            .map(|a| Some(Fen::new(a)))
            .ok_or_else(|| {
                (
                    f.to_string(),
                    format!("“{v}”不是有效金额：请填写不小于 0 的数字（单位元，最多两位小数）。"),
                )
            })
    };
    let employees = match get("employees") {
        v if v.is_empty() => None,
        v => p.take(
            v.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .map(Some)
                .ok_or_else(|| {
                    (
                        "employees".to_string(),
                        format!("“{v}”不是有效人数：请填写不小于 0 的整数。"),
                    )
                }),
        ),
    };
    EnterpriseInput {
        name: get("name"),
        registered_district: p.take(district("registered_district")),
        tax_district: p.take(district("tax_district")),
        independent_legal_person: p
            .take(
                yes_no(&get("independent_legal_person"), true)
                    .map(Some)
                    .ok_or_else(|| {
                        (
                            "independent_legal_person".to_string(),
                            "独立法人一栏请填“是”或“否”。".to_string(),
                        )
                    }),
            )
            .unwrap_or(true),
        industry: Some(get("industry")).filter(|s| !s.is_empty()),
        employees,
        operating_revenue_fen: p.take(amount("operating_revenue_yuan")),
        total_assets_fen: p.take(amount("total_assets_yuan")),
        data_sharing_consent: p.take(yes_no(&get("data_sharing_consent"), false).ok_or_else(
            || {
                (
                    "data_sharing_consent".to_string(),
                    "同意数据共享一栏请填“是”或“否”。".to_string(),
                )
            },
        )),
        // Read last, so its problem is listed after the others (as when the store checked it);
        // a code that does not parse is set aside as a valid placeholder and its problem
        // recorded (the row is refused).
        credit_code: ipfin_domain::CreditCode::parse(&get("credit_code")).unwrap_or_else(|m| {
            p.add(("credit_code".to_string(), m.zh));
            placeholder_code()
        }),
    }
}

/// The screening facts of a row (issue #20 item 2). Each is `None` when the file has no such
/// column (what is stored stays), `Some(None)` for an empty cell (unknown), else the value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScreeningFields {
    pub rd_expense_fen: Option<Option<Fen>>,
    pub prev_revenue_fen: Option<Option<Fen>>,
    pub financing_need: Option<Option<bool>>,
    pub abnormal_operation: Option<Option<bool>>,
    pub dishonest: Option<Option<bool>>,
}

/// The stored screening facts of an enterprise (all unknown for a new one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoredScreening {
    pub rd_expense_fen: Option<Fen>,
    pub prev_revenue_fen: Option<Fen>,
    pub financing_need: Option<bool>,
    pub abnormal_operation: Option<bool>,
    pub dishonest: Option<bool>,
}

impl ScreeningFields {
    /// What to store: the file's values, and for its missing columns what was stored.
    pub fn over(&self, stored: StoredScreening) -> StoredScreening {
        StoredScreening {
            rd_expense_fen: self.rd_expense_fen.unwrap_or(stored.rd_expense_fen),
            prev_revenue_fen: self.prev_revenue_fen.unwrap_or(stored.prev_revenue_fen),
            financing_need: self.financing_need.unwrap_or(stored.financing_need),
            abnormal_operation: self.abnormal_operation.unwrap_or(stored.abnormal_operation),
            dishonest: self.dishonest.unwrap_or(stored.dishonest),
        }
    }
}

fn read_screening_fields(
    cols: &HashMap<&'static str, usize>,
    values: &[String],
    p: &mut Problems,
) -> ScreeningFields {
    let cell = |f: &str| {
        cols.get(f).map(|i| {
            values
                .get(*i)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        })
    };
    let mut amount = |f: &str, what: &str| -> Option<Option<Fen>> {
        let v = cell(f)?;
        if v.is_empty() {
            return Some(None);
        }
        match ipfin_domain::money::parse_amount(&v, 100) {
            Some(a) => Some(Some(Fen::new(a))),
            None => {
                p.add((
                    f.to_string(),
                    format!("{what}“{v}”不是有效金额：请填写不小于 0 的数字（单位元，最多两位小数），未知请留空。"),
                ));
                Some(None)
            }
        }
    };
    let rd_expense_fen = amount("rd_expense_yuan", "研发费用");
    let prev_revenue_fen = amount("prev_revenue_yuan", "上年营业收入");
    let mut flag = |f: &str, what: &str| -> Option<Option<bool>> {
        let v = cell(f)?;
        if v.is_empty() {
            return Some(None);
        }
        match yes_no(&v, false) {
            Some(b) => Some(Some(b)),
            None => {
                p.add((
                    f.to_string(),
                    format!("{what}一栏请填“是”或“否”，未知请留空。"),
                ));
                Some(None)
            }
        }
    };
    ScreeningFields {
        rd_expense_fen,
        prev_revenue_fen,
        financing_need: flag("financing_need", "融资需求"),
        abnormal_operation: flag("abnormal_operation", "经营异常"),
        dishonest: flag("dishonest", "失信被执行人"),
    }
}

/// A valid code that stands in for one that did not parse while the rest of the row is checked
/// (never written: the row has a problem and is refused).
fn placeholder_code() -> ipfin_domain::CreditCode {
    ipfin_domain::CreditCode::parse("9144030071526726XG")
        .expect("GB 32100's example code is valid (tested in the domain)")
}

/// Parses and validates an enterprise row for the scope, reporting every problem of the row.
///
/// [`ready`] (the store's validation) stops at its first problem, so after each one the field
/// is set to a value that passes and the check runs again, until it passes or names a problem
/// that cannot be set aside (the registered district, checked last). The row is never written
/// with those values: any problem refuses it.
pub(super) fn check_enterprise_row(
    scope: &Scope,
    line: u64,
    cols: &HashMap<&'static str, usize>,
    values: &[String],
    districts: &HashMap<String, String>,
) -> std::result::Result<ReadyRow, RowProblems> {
    let mut p = Problems::default();
    let mut input = read_enterprise_row(cols, values, districts, &mut p);
    let screening = read_screening_fields(cols, values, &mut p);
    for _ in 0..8 {
        match ready(scope, line, input.clone()) {
            Ok(r) => return p.finish(ReadyRow { screening, ..r }),
            Err((field, message)) => {
                let set_aside = match field.as_str() {
                    "name" => {
                        input.name = "—".to_string();
                        true
                    }
                    "employees" => input.employees.take().is_some(),
                    "operating_revenue_fen" => input.operating_revenue_fen.take().is_some(),
                    "total_assets_fen" => input.total_assets_fen.take().is_some(),
                    "industry" => input.industry.take().is_some(),
                    _ => false,
                };
                p.add((field, message));
                if !set_aside {
                    break;
                }
            }
        }
    }
    Err(p.0)
}

/// What a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

#[derive(Debug, Clone, FromQueryResult)]
struct ExistingRow {
    id: i64,
    credit_code: String,
    name: String,
    registered_district: Option<String>,
    tax_district: Option<String>,
    independent_legal_person: bool,
    industry: Option<String>,
    employees: Option<i64>,
    operating_revenue_fen: Option<Fen>,
    total_assets_fen: Option<Fen>,
    data_sharing_consent: bool,
    rd_expense_fen: Option<Fen>,
    prev_revenue_fen: Option<Fen>,
    financing_need: Option<bool>,
    abnormal_operation: Option<bool>,
    dishonest: Option<bool>,
}

impl ExistingRow {
    fn screening(&self) -> StoredScreening {
        StoredScreening {
            rd_expense_fen: self.rd_expense_fen,
            prev_revenue_fen: self.prev_revenue_fen,
            financing_need: self.financing_need,
            abnormal_operation: self.abnormal_operation,
            dishonest: self.dishonest,
        }
    }
}

/// A validated row ready to write.
#[derive(Debug, Clone)]
pub struct ReadyRow {
    pub line: u64,
    pub code: String,
    pub name: String,
    pub input: EnterpriseInput,
    pub industry: Option<String>,
    pub size: Option<String>,
    /// The name index text (filled in by the importer for its backend).
    pub index_text: String,
    /// The screening facts the file carries.
    pub screening: ScreeningFields,
}

/// Validates a parsed row for the scope; the error names the field and the rule.
pub fn ready(
    scope: &Scope,
    line: u64,
    input: EnterpriseInput,
) -> std::result::Result<ReadyRow, (String, String)> {
    let (code, name, industry, size) = validate(&input).map_err(|e| match e {
        StoreError::Invalid(fe) => (fe.field.to_string(), fe.msg.zh),
        other => ("_row".to_string(), other.to_string()),
    })?;
    if input.registered_district.is_none() {
        return Err(("registered_district".into(), "请填写注册地辖区。".into()));
    }
    if !scope.manages_kind_in(
        ipfin_domain::OrgKind::Enterprise,
        input.registered_district.as_deref(),
    ) {
        return Err((
            "registered_district".into(),
            "注册地不在您的辖区，不能导入。".into(),
        ));
    }
    Ok(ReadyRow {
        line,
        code,
        name,
        input,
        industry,
        size,
        index_text: String::new(),
        screening: ScreeningFields::default(),
    })
}

/// A row's name index text: as prepared by the reading thread, or computed here.
fn index_text(backend: sea_orm::DbBackend, r: &ReadyRow) -> String {
    if r.index_text.is_empty() {
        crate::enterprise::name_index_text(backend, &r.name)
    } else {
        r.index_text.clone()
    }
}

/// `INDEXED BY` for a batch lookup of enterprises by credit code on SQLite.
///
/// The planner weighs a `credit_code IN (…5,000 codes…)` lookup against the statistics of
/// `enterprises`, and opening the store runs `PRAGMA optimize`, which analyses the table while
/// it is still small (the demo city's 12 rows). Planned against 12 rows the lookup became a
/// full scan of the table testing each row against the list, and the prepared statement keeps
/// that plan for the whole import: each batch read the whole table, so a 2,000,000-row import
/// spent 78 of its 125 s in this lookup, more the larger the table grew. Naming the index keeps
/// it one index search per code whatever the statistics say.
fn code_index_hint(backend: sea_orm::DbBackend) -> &'static str {
    if backend == sea_orm::DbBackend::Sqlite {
        " INDEXED BY ux_ent_credit_code"
    } else {
        ""
    }
}

pub(super) fn not_in_scope(line: u64, code: &str, values: Vec<String>) -> RowError {
    RowError {
        line,
        field: "credit_code".into(),
        message: format!("统一社会信用代码 {code} 的企业未在您的辖区登记：请先导入或登记该企业。"),
        values,
    }
}

impl Store {
    /// The scope's enterprises with these credit codes: code → (id, registered district).
    pub(super) async fn enterprises_by_code(
        tx: &WriteTx,
        scope: &Scope,
        codes: &[&str],
    ) -> Result<HashMap<String, (i64, Option<String>)>> {
        #[derive(FromQueryResult)]
        struct E {
            id: i64,
            credit_code: String,
            registered_district: Option<String>,
        }
        let mut out = HashMap::new();
        for chunk in codes.chunks(2000) {
            let (cond, mut values) =
                crate::visibility::condition(scope, ipfin_domain::visibility::Records::Enterprises);
            let placeholders = vec!["?"; chunk.len()].join(", ");
            values.extend(chunk.iter().map(|c| Value::from(c.to_string())));
            let found: Vec<E> = fetch_all(
                tx.conn(),
                &format!(
                    "SELECT e.id, e.credit_code, e.registered_district FROM enterprises e{} WHERE {cond} AND e.credit_code IN ({placeholders})",
                    code_index_hint(tx.conn().get_database_backend())
                ),
                values,
            )
            .await?;
            out.extend(
                found
                    .into_iter()
                    .map(|e| (e.credit_code, (e.id, e.registered_district))),
            );
        }
        Ok(out)
    }

    /// District code and name → code, for rows that name a district either way.
    pub async fn district_lookup(&self) -> Result<HashMap<String, String>> {
        let mut m = HashMap::new();
        for d in self.districts().await? {
            m.insert(d.name.clone(), d.code.clone());
            m.insert(d.code.clone(), d.code);
        }
        Ok(m)
    }

    /// Writes one batch of validated rows: new codes are inserted, changed records updated,
    /// identical ones left alone; the name index follows. Returns what happened.
    pub async fn import_enterprise_batch(
        &self,
        tx: &mut WriteTx,
        rows: &[ReadyRow],
        source: &str,
    ) -> Result<BatchOutcome> {
        let mut out = BatchOutcome::default();
        if rows.is_empty() {
            return Ok(out);
        }
        let mut existing: HashMap<String, ExistingRow> = HashMap::new();
        for chunk in rows.chunks(5000) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let found: Vec<ExistingRow> = fetch_all(
                tx.conn(),
                &format!(
                    "SELECT id, credit_code, name, registered_district, tax_district, independent_legal_person, industry, employees, \
                     operating_revenue_fen, total_assets_fen, data_sharing_consent, rd_expense_fen, prev_revenue_fen, financing_need, \
                     abnormal_operation, dishonest FROM enterprises{} WHERE credit_code IN ({placeholders})",
                    code_index_hint(tx.conn().get_database_backend())
                ),
                chunk.iter().map(|r| Value::from(r.code.clone())).collect(),
            )
            .await?;
            existing.extend(found.into_iter().map(|e| (e.credit_code.clone(), e)));
        }
        let now = crate::now_s();
        let mut new_rows = Vec::new();
        let mut fresh: Vec<(i64, String)> = Vec::new();
        let mut renamed: Vec<(i64, String)> = Vec::new();
        let mut changed: Vec<(&ReadyRow, &ExistingRow)> = Vec::new();
        for r in rows {
            match existing.get(&r.code) {
                None => new_rows.push(r),
                Some(e) => {
                    let same = e.name == r.name
                        && e.registered_district == r.input.registered_district
                        && e.tax_district == r.input.tax_district
                        && e.independent_legal_person == r.input.independent_legal_person
                        && e.industry == r.industry
                        && e.employees == r.input.employees
                        && e.operating_revenue_fen == r.input.operating_revenue_fen
                        && e.total_assets_fen == r.input.total_assets_fen
                        && e.data_sharing_consent == r.input.data_sharing_consent
                        && r.screening.over(e.screening()) == e.screening();
                    if same {
                        out.unchanged += 1;
                    } else {
                        changed.push((r, e));
                    }
                }
            }
        }
        // A changed record may move to another district or size class: its loans and pledges
        // move with it in the statistics (decision 0010).
        let changed_ids: Vec<i64> = changed.iter().map(|(_, e)| e.id).collect();
        let before =
            crate::stats_aggregate::enterprise_facts(tx.conn(), &changed_ids, true).await?;
        for (r, e) in changed {
            let f = r.screening.over(e.screening());
            exec(
                        tx.conn(),
                        "UPDATE enterprises SET name = ?, registered_district = ?, tax_district = ?, independent_legal_person = ?, industry = ?, \
                         employees = ?, operating_revenue_fen = ?, total_assets_fen = ?, size_class = ?, data_sharing_consent = ?, updated_at = ?, \
                         source_ref = ?, rd_expense_fen = ?, prev_revenue_fen = ?, financing_need = ?, abnormal_operation = ?, dishonest = ? \
                         WHERE id = ?",
                        vec![
                            r.name.clone().into(),
                            r.input.registered_district.clone().into(),
                            r.input.tax_district.clone().into(),
                            r.input.independent_legal_person.into(),
                            r.industry.clone().into(),
                            r.input.employees.into(),
                            r.input.operating_revenue_fen.into(),
                            r.input.total_assets_fen.into(),
                            r.size.clone().into(),
                            r.input.data_sharing_consent.into(),
                            now.into(),
                            source.into(),
                            f.rd_expense_fen.into(),
                            f.prev_revenue_fen.into(),
                            f.financing_need.into(),
                            f.abnormal_operation.into(),
                            f.dishonest.into(),
                            e.id.into(),
                        ],
                    )
                    .await?;
            out.updated += 1;
            crate::screening::mark_changed(tx.conn(), &[e.id]).await?;
            if e.data_sharing_consent != r.input.data_sharing_consent {
                crate::push::record_consent_event(
                    tx,
                    e.id,
                    r.input.data_sharing_consent,
                    "",
                    "import",
                )
                .await?;
            }
            if e.name != r.name {
                renamed.push((e.id, index_text(tx.conn().get_database_backend(), r)));
            }
        }
        let after =
            crate::stats_aggregate::enterprise_facts(tx.conn(), &changed_ids, false).await?;
        tx.replace_stats(&before, &after)?;
        // Multi-row inserts of 19 values a row (20 on PostgreSQL, which stores the name index
        // in the row): 1,500 rows a statement on SQLite (the bundled SQLite allows 32,766
        // parameters), 1,000 on PostgreSQL.
        let backend = tx.conn().get_database_backend();
        let pg = backend == sea_orm::DbBackend::Postgres;
        let (per_stmt, row_ph) = if pg {
            (
                1000,
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
        } else {
            (
                1500,
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
        };
        for chunk in new_rows.chunks(per_stmt) {
            let placeholders = vec![row_ph; chunk.len()].join(", ");
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 20);
            for r in chunk {
                let f = r.screening.over(StoredScreening::default());
                values.extend([
                    Value::from(r.code.clone()),
                    r.name.clone().into(),
                    r.input.registered_district.clone().into(),
                    r.input.tax_district.clone().into(),
                    r.input.independent_legal_person.into(),
                    r.industry.clone().into(),
                    r.input.employees.into(),
                    r.input.operating_revenue_fen.into(),
                    r.input.total_assets_fen.into(),
                    r.size.clone().into(),
                    r.input.data_sharing_consent.into(),
                    now.into(),
                    now.into(),
                    source.into(),
                    f.rd_expense_fen.into(),
                    f.prev_revenue_fen.into(),
                    f.financing_need.into(),
                    f.abnormal_operation.into(),
                    f.dishonest.into(),
                ]);
                if pg {
                    values.push(index_text(backend, r).into());
                }
            }
            #[derive(FromQueryResult)]
            struct Inserted {
                id: i64,
                credit_code: String,
            }
            let ids: Vec<Inserted> = fetch_all(
                tx.conn(),
                &format!(
                    "INSERT INTO enterprises (credit_code, name, registered_district, tax_district, independent_legal_person, industry, \
                     employees, operating_revenue_fen, total_assets_fen, size_class, data_sharing_consent, created_at, updated_at, source_ref, \
                     rd_expense_fen, prev_revenue_fen, financing_need, abnormal_operation, dishonest{}) \
                     VALUES {placeholders} RETURNING id, credit_code",
                    if pg { ", name_grams" } else { "" }
                ),
                values,
            )
            .await?;
            let new_ids: Vec<i64> = ids.iter().map(|i| i.id).collect();
            crate::screening::mark_changed(tx.conn(), &new_ids).await?;
            if !pg {
                let by_code: HashMap<&str, &ReadyRow> =
                    chunk.iter().map(|r| (r.code.as_str(), *r)).collect();
                for i in ids {
                    if let Some(r) = by_code.get(i.credit_code.as_str()) {
                        fresh.push((i.id, index_text(backend, r)));
                    }
                }
            }
            out.inserted += chunk.len() as u64;
            // Consent arriving with a new record is recorded like any other (decision 0034).
            let consenting: Vec<Value> = chunk
                .iter()
                .filter(|r| r.input.data_sharing_consent)
                .map(|r| Value::from(r.code.clone()))
                .collect();
            if !consenting.is_empty() {
                let marks = vec!["?"; consenting.len()].join(", ");
                let mut values = vec![
                    Value::from(crate::push::CONSENT_SCOPE_IMPORT_NAME.to_string()),
                    Value::from(now),
                ];
                values.extend(consenting);
                exec(
                    tx.conn(),
                    &format!(
                        "INSERT INTO consent_events (enterprise_id, given, scope, preferred_banks, channel, by_user_id, by_name, at) \
                         SELECT id, TRUE, 'banks', '', 'import', NULL, ?, ? FROM enterprises WHERE credit_code IN ({marks})"
                    ),
                    values,
                )
                .await?;
            }
        }
        // Name index entries for new and renamed records.
        crate::enterprise::write_index_texts(tx.conn(), &fresh, true).await?;
        crate::enterprise::write_index_texts(tx.conn(), &renamed, false).await?;
        Ok(out)
    }
}
