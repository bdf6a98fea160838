//! Organisations (R1.1 groundwork): districts, the dated lead-department designation, member
//! departments, financial institutions, service agencies, enterprises, and contact persons.
//! Every function that reads or writes tenant data takes the caller's `Scope` and applies it in SQL.

use crate::column::Code;
use crate::db::{Page, Paged, exec, fetch_all, fetch_i64, fetch_opt, fetch_page};
use crate::error::{Result, StoreError};
use crate::visibility::condition;
use crate::{Store, WriteTx};
use chrono::NaiveDate;
use ipfin_domain::org::DistrictKind;
use ipfin_domain::org::contact;
use ipfin_domain::visibility::Records;
use ipfin_domain::{CreditCode, InstitutionType, OrgFacts, OrgKind, Scope};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, FromQueryResult, Serialize, PartialEq)]
pub struct District {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub city_code: String,
    pub sort_order: i32,
}

/// A district with its current lead department and number of departments.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct DistrictSummary {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub lead_org_id: Option<i64>,
    pub lead_org_name: Option<String>,
    pub departments: i64,
}

#[derive(Debug, Clone, FromQueryResult, Serialize, PartialEq)]
pub struct Organisation {
    pub id: i64,
    pub kind: Code<OrgKind>,
    pub name: String,
    pub name_en: Option<String>,
    pub district_code: Option<String>,
    pub institution_type: Option<String>,
    pub credit_code: Option<String>,
    pub active: bool,
    pub created_at: i64,
}

impl Organisation {
    pub fn kind(&self) -> OrgKind {
        self.kind.get()
    }
    pub fn facts(&self) -> OrgFacts {
        OrgFacts {
            id: ipfin_domain::id::OrgId::new(self.id),
            kind: self.kind(),
            district_code: self.district_code.clone(),
        }
    }
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct LeadDesignation {
    pub id: i64,
    pub district_code: String,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub from_date: NaiveDate,
    pub to_date: Option<NaiveDate>,
    pub head_name: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct ContactPerson {
    pub id: i64,
    pub organisation_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct NewDistrict {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub city_code: String,
    pub sort_order: i32,
}

#[derive(Debug, Clone, Default)]
pub struct NewOrganisation {
    pub kind: String,
    pub name: String,
    pub name_en: Option<String>,
    pub district_code: Option<String>,
    pub institution_type: Option<String>,
    /// Parsed at the edge (a blank field is `None`).
    pub credit_code: Option<CreditCode>,
}

/// A new lead-department designation of a district.
#[derive(Debug, Clone)]
pub struct NewDesignation {
    pub organisation_id: i64,
    pub from: NaiveDate,
    pub head_name: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct NewContact {
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    pub kind: Option<OrgKind>,
    pub district_code: Option<String>,
    /// Substring of the name or the credit code.
    pub q: Option<String>,
}

const ORG_COLS: &str = "o.id, o.kind, o.name, o.name_en, o.district_code, o.institution_type, o.credit_code, o.active, o.created_at";

pub use ipfin_domain::text::clean;

/// A required text of at most `max` characters (`ipfin_domain::text::required`), as a store
/// error.
pub(crate) fn require_text(
    field: &'static str,
    label_zh: &str,
    label_en: &str,
    value: &str,
    max: usize,
) -> Result<String> {
    ipfin_domain::text::required(field, label_zh, label_en, value, max).map_err(StoreError::Invalid)
}

fn check_phone(phone: &Option<String>) -> Result<()> {
    phone
        .as_deref()
        .map_or(Ok(()), contact::check_phone)
        .map_err(StoreError::Invalid)
}

fn check_email(email: &Option<String>) -> Result<()> {
    email
        .as_deref()
        .map_or(Ok(()), contact::check_email)
        .map_err(StoreError::Invalid)
}

impl Store {
    /// All districts with their current lead department (public data).
    pub async fn districts(&self) -> Result<Vec<DistrictSummary>> {
        fetch_all(
            self.conn(),
            "SELECT d.code, d.name, d.name_en, d.kind, \
               (SELECT l.organisation_id FROM lead_designations l WHERE l.district_code = d.code AND l.from_date <= ? AND (l.to_date IS NULL OR l.to_date > ?)) AS lead_org_id, \
               (SELECT o.name FROM lead_designations l JOIN organisations o ON o.id = l.organisation_id WHERE l.district_code = d.code AND l.from_date <= ? AND (l.to_date IS NULL OR l.to_date > ?)) AS lead_org_name, \
               (SELECT COUNT(*) FROM organisations o WHERE o.district_code = d.code AND o.kind = 'department') AS departments \
             FROM districts d ORDER BY d.sort_order, d.code",
            {
                let today = crate::today_shanghai();
                vec![today.into(), today.into(), today.into(), today.into()]
            },
        )
        .await
    }

    pub async fn district(&self, code: &str) -> Result<District> {
        Self::district_in(self.conn(), code).await
    }

    pub(crate) async fn district_in<C: ConnectionTrait>(conn: &C, code: &str) -> Result<District> {
        fetch_opt(
            conn,
            "SELECT code, name, name_en, kind, city_code, sort_order FROM districts WHERE code = ?",
            vec![code.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// A district's internal records (lead history, departments) are for the city and that
    /// district only.
    pub fn check_district_scope(scope: &Scope, code: &str) -> Result<()> {
        if scope.reads_district(code) {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    pub async fn create_district(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        d: NewDistrict,
    ) -> Result<District> {
        if !scope.is_city() {
            return Err(StoreError::forbidden(
                "district.manage",
                "只有市级管理员可以新增辖区。",
                "Only the city administrator can add districts.",
            ));
        }
        let code = d.code.trim().to_string();
        let code_ok = (4..=20).contains(&code.len())
            && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !code_ok {
            return Err(StoreError::invalid(
                "code",
                "district.code_format",
                "辖区代码应为 4–20 位字母、数字或连字符，行政区请使用 GB/T 2260 六位代码（如 440305）。",
                "District code: 4–20 letters, digits or hyphens; use the GB/T 2260 code (e.g. 440305) for districts.",
            ));
        }
        let name = require_text("name", "辖区名称", "District name", &d.name, 50)?;
        let name_en = d.name_en.trim().to_string();
        if DistrictKind::from_code(&d.kind).is_none() {
            return Err(StoreError::invalid(
                "kind",
                "district.kind",
                "辖区类型只能是“行政区”或“功能区”。",
                "Kind must be district or functional zone.",
            ));
        }
        let district = District {
            code: code.clone(),
            name,
            name_en,
            kind: d.kind.clone(),
            city_code: d.city_code.trim().to_string(),
            sort_order: d.sort_order,
        };
        exec(
            tx.conn(),
            "INSERT INTO districts (code, name, name_en, kind, city_code, sort_order, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                district.code.clone().into(),
                district.name.clone().into(),
                district.name_en.clone().into(),
                district.kind.clone().into(),
                district.city_code.clone().into(),
                district.sort_order.into(),
                crate::now_s().into(),
            ],
        )
        .await
        .map_err(|e| e.unique_as(ipfin_domain::Msg::new(
                    "district.duplicate",
                    format!("辖区代码 {code} 已存在。"),
                    format!("District code {code} already exists."),
                )))?;
        tx.audit(
            "district.create",
            "district",
            &code,
            json!({ "after": &district }),
        )
        .await?;
        Ok(district)
    }

    /// The lead-department history of a district, newest first.
    pub async fn lead_history(&self, scope: &Scope, code: &str) -> Result<Vec<LeadDesignation>> {
        Self::check_district_scope(scope, code)?;
        fetch_all(
            self.conn(),
            "SELECT l.id, l.district_code, l.organisation_id, o.name AS organisation_name, l.from_date, l.to_date, l.head_name, l.note \
             FROM lead_designations l JOIN organisations o ON o.id = l.organisation_id \
             WHERE l.district_code = ? ORDER BY l.from_date DESC, l.id DESC",
            vec![code.into()],
        )
        .await
    }

    /// Which department was lead on a given date (R1.1: "who was lead when").
    pub async fn lead_on<C: ConnectionTrait>(
        conn: &C,
        code: &str,
        date: NaiveDate,
    ) -> Result<Option<i64>> {
        #[derive(FromQueryResult)]
        struct Row {
            organisation_id: i64,
        }
        let r: Option<Row> = fetch_opt(
            conn,
            "SELECT organisation_id FROM lead_designations WHERE district_code = ? AND from_date <= ? \
             AND (to_date IS NULL OR to_date > ?) ORDER BY from_date DESC LIMIT 1",
            vec![code.into(), date.into(), date.into()],
        )
        .await?;
        Ok(r.map(|r| r.organisation_id))
    }

    /// Designates a department of the district as its lead department from `from` on, closing
    /// the current designation (one lead at a time). City administrators only.
    pub async fn designate_lead(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        code: &str,
        d: NewDesignation,
    ) -> Result<i64> {
        let NewDesignation {
            organisation_id: org_id,
            from,
            head_name,
            note,
        } = d;
        if !scope.is_city() {
            return Err(StoreError::forbidden(
                "district.designate_lead",
                "只有市级管理员可以指定牵头部门。",
                "Only the city administrator designates lead departments.",
            ));
        }
        let org = self.org_in(tx.conn(), &Scope::City, org_id).await?;
        if org.kind() != OrgKind::Department || org.district_code.as_deref() != Some(code) {
            return Err(StoreError::invalid(
                "organisation_id",
                "district.lead_not_department",
                "牵头部门必须是本辖区的区级部门。",
                "The lead department must be a department of this district.",
            ));
        }
        #[derive(FromQueryResult)]
        struct Current {
            id: i64,
            organisation_id: i64,
            from_date: NaiveDate,
        }
        let current: Option<Current> = fetch_opt(
            tx.conn(),
            "SELECT id, organisation_id, from_date FROM lead_designations WHERE district_code = ? AND to_date IS NULL",
            vec![code.into()],
        )
        .await?;
        if let Some(c) = &current {
            if c.organisation_id == org_id {
                return Err(StoreError::conflict(
                    "district.lead_unchanged",
                    "该部门已是本辖区的牵头部门。",
                    "This department is already the lead department.",
                ));
            }
            if from <= c.from_date {
                return Err(StoreError::invalid(
                    "from_date",
                    "district.lead_date_order",
                    format!(
                        "生效日期必须晚于当前牵头部门的起始日期（{}）。",
                        c.from_date
                    ),
                    format!(
                        "The start date must be after the current designation's start ({}).",
                        c.from_date
                    ),
                ));
            }
            exec(
                tx.conn(),
                "UPDATE lead_designations SET to_date = ? WHERE id = ?",
                vec![from.into(), c.id.into()],
            )
            .await?;
        }
        let head_name = clean(head_name);
        let note = clean(note);
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO lead_designations (district_code, organisation_id, from_date, head_name, note, created_by, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                code.into(),
                org_id.into(),
                from.into(),
                head_name.clone().into(),
                note.clone().into(),
                tx.actor().user_id.into(),
                crate::now_s().into(),
            ],
        )
        .await?;
        tx.audit(
            "district.designate_lead",
            "district",
            code,
            json!({
                "before": current.as_ref().map(|c| c.organisation_id),
                "after": org_id, "from_date": from, "head_name": head_name, "note": note
            }),
        )
        .await?;
        Ok(id)
    }

    /// Organisations visible in the scope, filtered and paged.
    pub async fn organisations(
        &self,
        scope: &Scope,
        f: &OrgFilter,
        page: Page,
    ) -> Result<Paged<Organisation>> {
        let (mut cond, mut values) = condition(scope, Records::Organisations);
        if let Some(k) = f.kind {
            cond.push_str(" AND o.kind = ?");
            values.push(k.code().into());
        }
        if let Some(d) = &f.district_code {
            cond.push_str(" AND o.district_code = ?");
            values.push(d.clone().into());
        }
        if let Some(q) = f.q.as_ref().map(|q| q.trim()).filter(|q| !q.is_empty()) {
            cond.push_str(" AND (o.name LIKE ? OR o.credit_code LIKE ?)");
            let pat = format!("%{}%", q.replace(['%', '_'], ""));
            values.push(pat.clone().into());
            values.push(pat.to_uppercase().into());
        }
        fetch_page(
            self.conn(),
            ORG_COLS,
            &format!("FROM organisations o WHERE {cond}"),
            "o.kind, o.district_code, o.id",
            values,
            page,
        )
        .await
    }

    /// One organisation, if it lies in the scope; `NotFound` otherwise.
    pub async fn organisation(&self, scope: &Scope, id: i64) -> Result<Organisation> {
        self.org_in(self.conn(), scope, id).await
    }

    pub(crate) async fn org_in<C: ConnectionTrait>(
        &self,
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<Organisation> {
        let (cond, mut values) = condition(scope, Records::Organisations);
        values.insert(0, id.into());
        fetch_opt(
            conn,
            &format!("SELECT {ORG_COLS} FROM organisations o WHERE o.id = ? AND {cond}"),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Creates an organisation; the scope decides which kinds and districts are allowed.
    pub async fn create_organisation(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        n: NewOrganisation,
    ) -> Result<Organisation> {
        let kind = OrgKind::from_code(n.kind.trim()).ok_or_else(|| {
            StoreError::invalid(
                "kind",
                "org.kind",
                "请选择机构类型。",
                "Choose the kind of organisation.",
            )
        })?;
        let mut district_code = clean(n.district_code);
        if let Some(code) = scope.district() {
            // A district officer always creates within their own district.
            district_code = Some(code.to_string());
        }
        if !scope.manages_kind_in(kind, district_code.as_deref()) {
            return Err(StoreError::forbidden(
                "org.manage",
                format!("您无权新增“{}”类机构。", kind.zh()),
                format!("You may not add organisations of kind {}.", kind.en()),
            ));
        }
        let name = require_text("name", "机构名称", "Name", &n.name, 100)?;
        match kind {
            OrgKind::Department | OrgKind::Enterprise => {
                let Some(code) = &district_code else {
                    return Err(StoreError::invalid(
                        "district_code",
                        "org.district_required",
                        "区级部门和企业必须选择所属辖区。",
                        "Departments and enterprises belong to a district: choose one.",
                    ));
                };
                Self::district_in(tx.conn(), code).await.map_err(|_| {
                    StoreError::invalid(
                        "district_code",
                        "org.district_unknown",
                        format!("辖区 {code} 不存在。"),
                        format!("District {code} does not exist."),
                    )
                })?;
            }
            _ => district_code = None,
        }
        let institution_type = match kind {
            OrgKind::FinancialInstitution => {
                let t = clean(n.institution_type)
                    .and_then(|t| InstitutionType::from_code(&t))
                    .ok_or_else(|| {
                        StoreError::invalid(
                            "institution_type",
                            "org.institution_type",
                            "请选择金融机构类别（银行、担保、保险、评估、证券化发行）。",
                            "Choose the institution type (bank, guarantor, insurer, valuation, securitisation issuer).",
                        )
                    })?;
                Some(t.code().to_string())
            }
            _ => None,
        };
        let credit_code = match n.credit_code {
            None if kind == OrgKind::Enterprise => {
                return Err(StoreError::invalid(
                    "credit_code",
                    "credit_code.empty",
                    "企业必须填写统一社会信用代码。",
                    "An enterprise needs its unified social credit code.",
                ));
            }
            None => None,
            Some(c) => Some(c.to_string()),
        };
        let now = crate::now_s();
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO organisations (kind, name, name_en, district_code, institution_type, credit_code, active, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, TRUE, ?) RETURNING id",
            vec![
                kind.code().into(),
                name.clone().into(),
                clean(n.name_en.clone()).into(),
                district_code.clone().into(),
                institution_type.clone().into(),
                credit_code.clone().into(),
                now.into(),
            ],
        )
        .await
        .map_err(|e| e.unique_as(ipfin_domain::Msg::new(
                    "org.duplicate_credit_code",
                    "该统一社会信用代码已登记为其他机构。",
                    "This credit code is already registered to another organisation.",
                )))?;
        let org = Organisation {
            id,
            kind: Code(kind),
            name,
            name_en: clean(n.name_en),
            district_code,
            institution_type,
            credit_code,
            active: true,
            created_at: now,
        };
        tx.audit("org.create", "organisation", id, json!({ "after": &org }))
            .await?;
        Ok(org)
    }

    /// Checks the scope may manage this organisation (and returns it).
    pub(crate) async fn managed_org<C: ConnectionTrait>(
        &self,
        conn: &C,
        scope: &Scope,
        id: i64,
    ) -> Result<Organisation> {
        let org = self.org_in(conn, scope, id).await?;
        if !scope.manages_kind_in(org.kind(), org.district_code.as_deref()) {
            return Err(StoreError::forbidden(
                "org.manage",
                "您可以查看该机构，但无权修改。",
                "You may view this organisation but not change it.",
            ));
        }
        Ok(org)
    }

    pub async fn set_organisation_active(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: i64,
        active: bool,
    ) -> Result<()> {
        let org = self.managed_org(tx.conn(), scope, id).await?;
        exec(
            tx.conn(),
            "UPDATE organisations SET active = ? WHERE id = ?",
            vec![active.into(), id.into()],
        )
        .await?;
        tx.audit(
            if active { "org.enable" } else { "org.disable" },
            "organisation",
            id,
            json!({"before": {"active": org.active}, "after": {"active": active}}),
        )
        .await
    }

    pub async fn contacts(&self, scope: &Scope, org_id: i64) -> Result<Vec<ContactPerson>> {
        self.organisation(scope, org_id).await?;
        fetch_all(
            self.conn(),
            "SELECT id, organisation_id, name, title, phone, email FROM contact_persons WHERE organisation_id = ? ORDER BY id",
            vec![org_id.into()],
        )
        .await
    }

    pub async fn add_contact(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        org_id: i64,
        c: NewContact,
    ) -> Result<ContactPerson> {
        self.managed_org(tx.conn(), scope, org_id).await?;
        let name = require_text("name", "联系人姓名", "Contact name", &c.name, 50)?;
        let (title, phone, email) = (clean(c.title), clean(c.phone), clean(c.email));
        check_phone(&phone)?;
        check_email(&email)?;
        if phone.is_none() && email.is_none() {
            return Err(StoreError::invalid(
                "phone",
                "contact.no_channel",
                "请至少填写联系电话或电子邮箱中的一项。",
                "Give at least a phone number or an e-mail address.",
            ));
        }
        let id = fetch_i64(
            tx.conn(),
            "INSERT INTO contact_persons (organisation_id, name, title, phone, email, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            vec![org_id.into(), name.clone().into(), title.clone().into(), phone.clone().into(), email.clone().into(), crate::now_s().into()],
        )
        .await?;
        let contact = ContactPerson {
            id,
            organisation_id: org_id,
            name,
            title,
            phone,
            email,
        };
        tx.audit(
            "contact.create",
            "organisation",
            org_id,
            json!({"after": &contact}),
        )
        .await?;
        Ok(contact)
    }

    pub async fn remove_contact(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        org_id: i64,
        contact_id: i64,
    ) -> Result<()> {
        self.managed_org(tx.conn(), scope, org_id).await?;
        let before: ContactPerson = fetch_opt(
            tx.conn(),
            "SELECT id, organisation_id, name, title, phone, email FROM contact_persons WHERE id = ? AND organisation_id = ?",
            vec![contact_id.into(), org_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        exec(
            tx.conn(),
            "DELETE FROM contact_persons WHERE id = ?",
            vec![contact_id.into()],
        )
        .await?;
        tx.audit(
            "contact.delete",
            "organisation",
            org_id,
            json!({"before": before}),
        )
        .await
    }

    /// Organisations in the scope that have no contact person yet (a to-do for managers).
    pub async fn orgs_without_contacts(
        &self,
        scope: &Scope,
        kind: OrgKind,
    ) -> Result<Vec<Organisation>> {
        let (cond, mut values) = condition(scope, Records::Organisations);
        values.push(kind.code().into());
        fetch_all(
            self.conn(),
            &format!(
                "SELECT {ORG_COLS} FROM organisations o WHERE {cond} AND o.kind = ? AND o.active = TRUE \
                 AND NOT EXISTS (SELECT 1 FROM contact_persons c WHERE c.organisation_id = o.id) ORDER BY o.id LIMIT 50"
            ),
            values,
        )
        .await
    }

    /// Organisations and users per organisation kind within the scope, in one query (home figures).
    pub async fn scope_counts(&self, scope: &Scope) -> Result<Vec<KindCount>> {
        let (cond, values) = condition(scope, Records::Organisations);
        fetch_all(
            self.conn(),
            &format!(
                "SELECT o.kind AS kind, COUNT(DISTINCT o.id) AS orgs, COUNT(u.id) AS users \
                 FROM organisations o LEFT JOIN users u ON u.organisation_id = o.id WHERE {cond} GROUP BY o.kind"
            ),
            values,
        )
        .await
    }
}

/// How many organisations of a kind, and their users, a scope holds.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct KindCount {
    pub kind: String,
    pub orgs: i64,
    pub users: i64,
}
