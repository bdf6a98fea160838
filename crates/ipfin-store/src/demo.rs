//! The demo city (Shenzhen, SPEC §0): its districts and functional zones, each district's lead
//! and member departments, a few financial institutions, a service agency, two enterprises, and
//! one account per role. Deterministic apart from the generated passwords; loading twice is a no-op.

use crate::Store;
use crate::WriteTx;
use crate::audit::AuditActor;
use crate::db::{exec, fetch_opt};
use crate::error::Result;
use crate::org::{NewContact, NewDesignation, NewDistrict, NewOrganisation};
use crate::user::NewUser;
use chrono::NaiveDate;
use ipfin_domain::credit_code::{check_character, org_check_character};
use ipfin_domain::target::Metric;
use ipfin_domain::{Fen, Role, Scope};
use sea_orm::FromQueryResult;
use serde_json::json;

mod year;
pub use year::interest;

/// (code, name, English name, kind)
/// A demo district's annual targets: amount in 亿元, enterprises financed, pledge
/// registrations (sized to the city-scale demo loans).
fn demo_targets(code: &str) -> (i64, i64, i64) {
    match code {
        "440303" => (150, 500, 520),
        "440304" => (320, 950, 1_000),
        "440305" => (250, 820, 850),
        "440306" => (520, 1_600, 1_650),
        "440307" => (400, 1_300, 1_350),
        "440308" => (30, 130, 130),
        "440309" => (230, 800, 820),
        "440310" => (60, 190, 200),
        "440311" => (110, 290, 300),
        "440300DP" => (20, 70, 70),
        _ => (25, 60, 65),
    }
}

pub const SHENZHEN_DISTRICTS: &[(&str, &str, &str, &str)] = &[
    ("440303", "罗湖区", "Luohu District", "district"),
    ("440304", "福田区", "Futian District", "district"),
    ("440305", "南山区", "Nanshan District", "district"),
    ("440306", "宝安区", "Bao'an District", "district"),
    ("440307", "龙岗区", "Longgang District", "district"),
    ("440308", "盐田区", "Yantian District", "district"),
    ("440309", "龙华区", "Longhua District", "district"),
    ("440310", "坪山区", "Pingshan District", "district"),
    ("440311", "光明区", "Guangming District", "district"),
    // Functional zones have no GB/T 2260 code of their own: stable internal codes.
    (
        "440300DP",
        "大鹏新区",
        "Dapeng New District",
        "functional_zone",
    ),
    (
        "440300SS",
        "深汕特别合作区",
        "Shenshan Special Cooperation Zone",
        "functional_zone",
    ),
];

/// Member departments every demo district has (name suffix, English).
const MEMBER_DEPARTMENTS: &[(&str, &str)] = &[
    ("财政局", "Finance Bureau"),
    ("税务局", "Tax Bureau"),
    ("科技创新局", "Science and Technology Innovation Bureau"),
    ("金融工作局", "Financial Work Bureau"),
];

/// Demo registry records: name, district, industry, employees, revenue and assets in 万元, and
/// which demo account organisation (1 or 2) holds it (0 = none).
type DemoEnterprise = (&'static str, &'static str, &'static str, i64, i64, i64, u8);
/// Whitelist tags of the demo registry (issue #20): enterprise, tag type, where it came from,
/// the list's year (years before this one), and how many days from today it stays valid (a
/// negative number: expired, so the enterprise is not on the whitelist by it).
const DEMO_TAGS: &[(&str, &str, &str, i32, i64)] = &[
    (
        "深圳市南山示例科技有限公司",
        "high_tech",
        "深圳市高新技术企业认定名单",
        1,
        900,
    ),
    (
        "深圳市鹏华光电科技有限公司",
        "specialised",
        "广东省专精特新中小企业名单",
        0,
        1000,
    ),
    (
        "深圳华科智能装备股份有限公司",
        "little_giant",
        "专精特新“小巨人”企业名单（第五批）",
        3,
        -30,
    ),
    (
        "深圳市前海云链信息技术有限公司",
        "tech_sme",
        "科技型中小企业入库名单",
        0,
        60,
    ),
    (
        "深圳市华强微电子有限公司",
        "patent_award",
        "中国专利奖获奖名单",
        2,
        700,
    ),
];

const DEMO_ENTERPRISES: &[DemoEnterprise] = &[
    (
        "深圳市南山示例科技有限公司",
        "440305",
        "I65",
        120,
        1500,
        2000,
        1,
    ),
    (
        "深圳市福田样本电子有限公司",
        "440304",
        "C39",
        260,
        8000,
        6000,
        2,
    ),
    (
        "深圳市鹏华光电科技有限公司",
        "440305",
        "C39",
        85,
        2600,
        3100,
        0,
    ),
    (
        "深圳华科智能装备股份有限公司",
        "440305",
        "C35",
        1200,
        52000,
        61000,
        0,
    ),
    (
        "深圳市前海云链信息技术有限公司",
        "440305",
        "I65",
        9,
        40,
        120,
        0,
    ),
    (
        "深圳市蛇口海洋生物科技有限公司",
        "440305",
        "M73",
        45,
        900,
        1500,
        0,
    ),
    (
        "深圳市华强微电子有限公司",
        "440304",
        "C39",
        310,
        12000,
        9000,
        0,
    ),
    ("深圳市福华新材料有限公司", "440304", "C26", 15, 280, 400, 0),
    (
        "深圳市宝安精密模具有限公司",
        "440306",
        "C35",
        150,
        6000,
        4500,
        0,
    ),
    (
        "深圳市龙岗新能源电池有限公司",
        "440307",
        "C38",
        480,
        36000,
        28000,
        0,
    ),
    (
        "深圳市龙华医疗器械有限公司",
        "440309",
        "C35",
        60,
        1800,
        2200,
        0,
    ),
    (
        "深圳市光明生物医药研究院有限公司",
        "440311",
        "M73",
        120,
        3000,
        8000,
        0,
    ),
];

/// One demo login.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub organisation: String,
}

/// A syntactically valid, fictitious credit code for demo data: 91 + division + MA5 + serial.
pub fn demo_credit_code(division: &str, serial: u32) -> String {
    let body = format!("MA5{serial:05}");
    let org_check = org_check_character(&body).unwrap_or('0');
    let first17 = format!("91{division}{body}{org_check}");
    let check = check_character(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// [`demo_credit_code`] as a parsed `CreditCode`, for store inputs.
pub fn demo_code(division: &str, serial: u32) -> ipfin_domain::CreditCode {
    ipfin_domain::CreditCode::parse(&demo_credit_code(division, serial))
        .expect("a demo code carries its computed check characters")
}

impl Store {
    /// The demo's annual targets of `today`'s year for every district, sized to the city-scale
    /// demo loans (`ipfin demo --scale city`; the small demo sizes them to its working year:
    /// [`Store::seed_demo_year`]).
    pub async fn set_demo_city_targets(&self, tx: &mut WriteTx, today: NaiveDate) -> Result<()> {
        let year = chrono::Datelike::year(&today);
        let mut targets = Vec::new();
        for (code, _, _, _) in SHENZHEN_DISTRICTS {
            let (yi, firms, pledges) = demo_targets(code);
            targets.push((
                (*code).to_string(),
                Metric::Amount,
                Some(yi * 10_000 * 10_000 * 100),
            ));
            targets.push(((*code).to_string(), Metric::Enterprises, Some(firms)));
            targets.push(((*code).to_string(), Metric::Pledges, Some(pledges)));
            targets.push(((*code).to_string(), Metric::SmeShare, Some(7_000)));
        }
        self.set_targets(tx, &Scope::City, year, today, false, &targets)
            .await?;
        Ok(())
    }

    /// Whether the demo city was loaded into this database.
    pub async fn demo_loaded(&self) -> Result<bool> {
        #[derive(FromQueryResult)]
        struct Row {
            #[allow(dead_code)]
            value: String,
        }
        let r: Option<Row> = fetch_opt(
            self.conn(),
            "SELECT value FROM settings WHERE key = 'demo_loaded'",
            vec![],
        )
        .await?;
        Ok(r.is_some())
    }

    /// Loads the demo city in one transaction. `password` gives each demo account's password
    /// (the CLI passes random ones; tests a fixed one). Returns `None` when already loaded.
    /// The policies' batches are laid around today ([`demo_policy_at`]).
    pub async fn load_demo(
        &self,
        password: impl Fn(&str) -> String,
    ) -> Result<Option<Vec<DemoLogin>>> {
        self.load_demo_at(crate::today_shanghai(), password).await
    }

    /// [`Store::load_demo`] with the demo policies laid around `policy_day` instead of today:
    /// their year, batches and publication date (decision 0040). Tests that walk an
    /// application through fixed dates pass a fixed day, so they do not depend on the date
    /// they run on; everything else in the demo city stays relative to today.
    pub async fn load_demo_at(
        &self,
        policy_day: NaiveDate,
        password: impl Fn(&str) -> String,
    ) -> Result<Option<Vec<DemoLogin>>> {
        if self.demo_loaded().await? {
            return Ok(None);
        }
        let city = Scope::City;
        let mut tx = self.write(AuditActor::system("demo")).await?;
        let mut logins = Vec::new();

        let office = self
            .create_organisation(
                &mut tx,
                &city,
                NewOrganisation {
                    kind: "city_office".into(),
                    name: "深圳市市场监督管理局（知识产权局）".into(),
                    name_en: Some(
                        "Shenzhen Administration for Market Regulation (IP Office)".into(),
                    ),
                    ..Default::default()
                },
            )
            .await?;

        let from = NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date");
        let mut dept_ids = std::collections::HashMap::new();
        for (i, (code, name, name_en, kind)) in SHENZHEN_DISTRICTS.iter().enumerate() {
            self.create_district(
                &mut tx,
                &city,
                NewDistrict {
                    code: code.to_string(),
                    name: name.to_string(),
                    name_en: name_en.to_string(),
                    kind: kind.to_string(),
                    city_code: "440300".into(),
                    sort_order: i as i32,
                },
            )
            .await?;
            let short = name.trim_end_matches('区');
            let lead = self
                .create_organisation(
                    &mut tx,
                    &city,
                    NewOrganisation {
                        kind: "department".into(),
                        name: format!("{name}市场监督管理局"),
                        name_en: Some(format!("{name_en} Administration for Market Regulation")),
                        district_code: Some(code.to_string()),
                        ..Default::default()
                    },
                )
                .await?;
            self.designate_lead(
                &mut tx,
                &city,
                code,
                NewDesignation {
                    organisation_id: lead.id,
                    from,
                    head_name: Some(format!("{short}局长")),
                    note: Some("按市指导意见由区市场监管部门牵头".into()),
                },
            )
            .await?;
            self.add_contact(
                &mut tx,
                &city,
                lead.id,
                NewContact {
                    name: format!("{short}联络员"),
                    title: Some("知识产权科".into()),
                    phone: Some(format!("0755-8{:03}0000", i + 100)),
                    email: None,
                },
            )
            .await?;
            dept_ids.insert(code.to_string(), lead.id);
            let mut members = std::collections::BTreeMap::new();
            for (suffix, en) in MEMBER_DEPARTMENTS {
                let dept = self
                    .create_organisation(
                        &mut tx,
                        &city,
                        NewOrganisation {
                            kind: "department".into(),
                            name: format!("{name}{suffix}"),
                            name_en: Some(format!("{name_en} {en}")),
                            district_code: Some(code.to_string()),
                            ..Default::default()
                        },
                    )
                    .await?;
                if *suffix == "财政局" {
                    dept_ids.insert(format!("{code}-finance"), dept.id);
                }
                members.insert(*suffix, dept.id);
            }
            // Data-sharing arrangements (R1.1): every district shares its registration data
            // monthly (started three weeks ago, so on time); Nanshan also tax data quarterly
            // since 1 January (overdue: nothing delivered yet) and the high-tech list yearly.
            let today = crate::today_shanghai();
            Store::seed_sharing_demo(
                &tx,
                code,
                lead.id,
                &members,
                *code == "440305",
                today - chrono::Days::new(21),
                today,
            )
            .await?;
        }

        let institutions = [
            ("深南银行深圳分行", "bank", 1u32),
            ("鹏城商业银行", "bank", 2),
            ("前海科技融资担保有限公司", "guarantor", 3),
            ("南方财产保险深圳分公司", "insurer", 4),
            ("华信资产评估有限公司", "valuation_institution", 5),
            ("深圳前海农商银行（演示）", "bank", 6),
        ];
        let mut inst_ids = Vec::new();
        for (name, t, serial) in institutions {
            let org = self
                .create_organisation(
                    &mut tx,
                    &city,
                    NewOrganisation {
                        kind: "financial_institution".into(),
                        name: name.into(),
                        institution_type: Some(t.into()),
                        credit_code: Some(demo_code("440300", serial)),
                        ..Default::default()
                    },
                )
                .await?;
            inst_ids.push(org.id);
        }
        let agency = self
            .create_organisation(
                &mut tx,
                &city,
                NewOrganisation {
                    kind: "service_agency".into(),
                    name: "南山知识产权金融服务站".into(),
                    credit_code: Some(demo_code("440305", 11)),
                    ..Default::default()
                },
            )
            .await?;
        // Issue #21: two more service stations' agencies (福田区, 宝安区).
        let mut station_orgs = Vec::new();
        for (name, district, serial) in [
            ("福田知识产权金融服务站", "440304", 12u32),
            ("宝安知识产权金融服务站", "440306", 13),
        ] {
            let org = self
                .create_organisation(
                    &mut tx,
                    &city,
                    NewOrganisation {
                        kind: "service_agency".into(),
                        name: name.into(),
                        district_code: Some(district.into()),
                        credit_code: Some(demo_code(district, serial)),
                        ..Default::default()
                    },
                )
                .await?;
            station_orgs.push(org.id);
        }
        let ent1 = self
            .create_organisation(
                &mut tx,
                &city,
                NewOrganisation {
                    kind: "enterprise".into(),
                    name: "深圳市南山示例科技有限公司".into(),
                    district_code: Some("440305".into()),
                    credit_code: Some(demo_code("440305", 101)),
                    ..Default::default()
                },
            )
            .await?;
        let ent2 = self
            .create_organisation(
                &mut tx,
                &city,
                NewOrganisation {
                    kind: "enterprise".into(),
                    name: "深圳市福田样本电子有限公司".into(),
                    district_code: Some("440304".into()),
                    credit_code: Some(demo_code("440304", 102)),
                    ..Default::default()
                },
            )
            .await?;

        // The enterprise registry: the two account-holding enterprises and a few more per district.
        for (i, (name, district, industry, employees, revenue_wan, assets_wan, org)) in
            DEMO_ENTERPRISES.iter().enumerate()
        {
            let code = match *org {
                1 => ent1.credit_code.clone().unwrap_or_default(),
                2 => ent2.credit_code.clone().unwrap_or_default(),
                _ => demo_credit_code(district, 200 + i as u32),
            };
            let code = ipfin_domain::CreditCode::parse(&code).map_err(|m| {
                crate::StoreError::Invalid(ipfin_domain::FieldError {
                    field: "credit_code",
                    msg: m,
                })
            })?;
            let (e, _) = self
                .save_enterprise(
                    &mut tx,
                    &city,
                    crate::enterprise::EnterpriseInput {
                        credit_code: code,
                        name: name.to_string(),
                        registered_district: Some(district.to_string()),
                        tax_district: Some(district.to_string()),
                        independent_legal_person: true,
                        industry: Some(industry.to_string()),
                        employees: Some(*employees),
                        operating_revenue_fen: Some(Fen::new(revenue_wan * 1_000_000)),
                        total_assets_fen: Some(Fen::new(assets_wan * 1_000_000)),
                        data_sharing_consent: *org != 0,
                    },
                )
                .await?;
            let link = match *org {
                1 => Some(ent1.id),
                2 => Some(ent2.id),
                _ => None,
            };
            if let Some(org_id) = link {
                exec(
                    tx.conn(),
                    "UPDATE enterprises SET organisation_id = ? WHERE id = ?",
                    vec![org_id.into(), e.id.into()],
                )
                .await?;
            }
        }

        let today = crate::today_shanghai();
        for (name, tag_type, source, years_ago, days) in DEMO_TAGS {
            let id = crate::db::fetch_i64(
                tx.conn(),
                "SELECT id FROM enterprises WHERE name = ?",
                vec![name.to_string().into()],
            )
            .await?;
            self.add_tag(
                &mut tx,
                &city,
                id,
                crate::enterprise::TagInput {
                    tag_type: tag_type.to_string(),
                    source: source.to_string(),
                    year: chrono::Datelike::year(&today) - years_ago,
                    valid_from: None,
                    valid_to: Some(today + chrono::Duration::days(*days)),
                },
            )
            .await?;
        }

        let accounts: Vec<(&str, &str, Role, i64, String)> = vec![
            (
                "city.admin",
                "市级管理员（演示）",
                Role::CityAdmin,
                office.id,
                office.name.clone(),
            ),
            (
                "ns.officer",
                "南山区经办人（演示）",
                Role::DistrictOfficer,
                dept_ids["440305"],
                "南山区市场监督管理局".into(),
            ),
            (
                "ns.checker",
                "南山区复核人（演示）",
                Role::DistrictOfficer,
                dept_ids["440305"],
                "南山区市场监督管理局".into(),
            ),
            (
                "ns.approver",
                "南山区审批人（演示）",
                Role::DistrictOfficer,
                dept_ids["440305"],
                "南山区市场监督管理局".into(),
            ),
            (
                "ns.payer",
                "南山区拨付经办人（演示）",
                Role::DistrictOfficer,
                dept_ids["440305"],
                "南山区市场监督管理局".into(),
            ),
            (
                "ns.inspector",
                "南山区监管核查人（演示）",
                Role::DistrictOfficer,
                dept_ids["440305"],
                "南山区市场监督管理局".into(),
            ),
            // Four eyes (issue #18 item 3): the second person of a payment and of a clawback,
            // neither of whom reviewed (policies and notices are confirmed by any second
            // officer, e.g. ns.checker).
            (
                "ns.cashier",
                "南山区拨付复核人（演示）",
                Role::DistrictOfficer,
                dept_ids["440305"],
                "南山区市场监督管理局".into(),
            ),
            (
                "ns.auditor",
                "南山区追回复核人（演示）",
                Role::DistrictOfficer,
                dept_ids["440305"],
                "南山区市场监督管理局".into(),
            ),
            (
                "ns.useradmin",
                "南山区用户管理员（演示）",
                Role::UserAdmin,
                dept_ids["440305"],
                "南山区市场监督管理局".into(),
            ),
            (
                "ns.finance",
                "南山区财政局（演示）",
                Role::DepartmentMember,
                dept_ids["440305-finance"],
                "南山区财政局".into(),
            ),
            (
                "ft.officer",
                "福田区经办人（演示）",
                Role::DistrictOfficer,
                dept_ids["440304"],
                "福田区市场监督管理局".into(),
            ),
            (
                "bank.manager",
                "深南银行客户经理（演示）",
                Role::BankUser,
                inst_ids[0],
                "深南银行深圳分行".into(),
            ),
            (
                "bank2.manager",
                "鹏城商业银行客户经理（演示）",
                Role::BankUser,
                inst_ids[1],
                "鹏城商业银行".into(),
            ),
            (
                "valuer.user",
                "华信资产评估评估师（演示）",
                Role::BankUser,
                inst_ids[4],
                "华信资产评估有限公司".into(),
            ),
            (
                "agency.specialist",
                "服务专员（演示）",
                Role::AgencyUser,
                agency.id,
                agency.name.clone(),
            ),
            (
                "ft.specialist",
                "福田服务站服务专员（演示）",
                Role::AgencyUser,
                station_orgs[0],
                "福田知识产权金融服务站".into(),
            ),
            (
                "ent.user",
                "南山示例科技（演示）",
                Role::EnterpriseUser,
                ent1.id,
                ent1.name.clone(),
            ),
            (
                "ent2.user",
                "福田样本电子（演示）",
                Role::EnterpriseUser,
                ent2.id,
                ent2.name.clone(),
            ),
        ];
        for (username, display, role, org_id, org_name) in accounts {
            let pw = password(username);
            self.create_user(
                &mut tx,
                &city,
                &ipfin_domain::user::Administrator::City,
                NewUser {
                    organisation_id: org_id,
                    username: username.into(),
                    display_name: display.into(),
                    roles: vec![role],
                    password: Some(pw.clone()),
                    temporary: false,
                },
            )
            .await?;
            logins.push(DemoLogin {
                username: username.into(),
                password: pw,
                role,
                organisation: org_name,
            });
        }
        // Each district's finance bureau is its paying unit (issue #18 item 4): it prepares the
        // payment runs its lead department confirms.
        for (code, ..) in SHENZHEN_DISTRICTS {
            if let Some(id) = dept_ids.get(&format!("{code}-finance")) {
                Store::seed_paying_unit(&mut tx, code, *id).await?;
            }
        }
        // LPR values, and a published policy per district (Nanshan- and Futian-style rules for
        // those two, a common template elsewhere).
        for v in ipfin_domain::policy::LprTable::demo().values() {
            self.set_lpr(&mut tx, &Scope::City, *v).await?;
        }
        for (code, name, _, _) in SHENZHEN_DISTRICTS {
            let lead = Scope::District {
                code: (*code).to_string(),
                manage: true,
            };
            let doc = demo_policy_at(code, name, policy_day);
            let v = self.create_policy(&mut tx, &lead, &doc).await?;
            self.publish_policy(&mut tx, &lead, v.id).await?;
            // Backdating (demo only): `publish_policy` stamps now; a district publishes its
            // year's policy early in the year (R2.3: by the end of June), before its batches.
            exec(
                tx.conn(),
                "UPDATE policy_versions SET published_at = ? WHERE id = ?",
                vec![
                    at_shanghai(demo_published_on(policy_day), 10).into(),
                    v.id.into(),
                ],
            )
            .await?;
        }
        // The city's annual targets for this year (R4.1), so the dashboards, bulletins and the
        // assessment have something to measure against.
        self.set_demo_city_targets(&mut tx, crate::today_shanghai())
            .await?;
        // Quarterly working meetings of 南山区 (issue #8, R1.2).
        crate::meeting::seed_demo(self, &mut tx).await?;
        crate::supervision::seed_demo(self, &mut tx).await?; // issue #8: inspections (R4.3)
        crate::summary::seed_demo(&mut tx, self).await?; // issue #8: district summaries (R4.4)
        // issue #20: Nanshan's partner banks, consents, a push sent to three banks, follow-ups.
        crate::push::seed_demo(
            &tx,
            &[inst_ids[0], inst_ids[1], inst_ids[5]].map(ipfin_domain::id::OrgId::new),
        )
        .await?;
        // issue #22: the public service platform's products, needs, interpretations, a listing.
        crate::platform::seed_demo(
            self,
            &mut tx,
            &[inst_ids[0], inst_ids[1], inst_ids[5]].map(ipfin_domain::id::OrgId::new),
        )
        .await?;
        // Issue #21: service stations in three districts with cases in every step.
        {
            use ipfin_domain::station::PartnerKind as K;
            crate::station::seed_demo(
                self,
                &mut tx,
                &[
                    (
                        agency.id,
                        "440305",
                        "南山知识产权金融服务站",
                        K::IndustrialPark,
                        "深圳湾科技园",
                    ),
                    (
                        station_orgs[0],
                        "440304",
                        "福田知识产权金融服务站",
                        K::FinancialInstitution,
                        "深南银行深圳分行",
                    ),
                    (
                        station_orgs[1],
                        "440306",
                        "宝安知识产权金融服务站",
                        K::IpProtectionCentre,
                        "宝安知识产权保护中心",
                    ),
                ],
            )
            .await?;
        }
        backdate_demo_records(&tx).await?;
        exec(
            tx.conn(),
            "INSERT INTO settings (key, value) VALUES ('demo_loaded', ?)",
            vec![crate::now_s().to_string().into()],
        )
        .await?;
        tx.audit(
            "demo.load",
            "city",
            "440300",
            json!({"accounts": logins.len()}),
        )
        .await?;
        seed_screening_facts(&tx).await?;
        tx.commit().await?;
        // Issue #20 item 2: the score profiles of the demo's enterprises.
        self.refresh_screening(crate::today_shanghai()).await?;
        Ok(Some(logins))
    }
}

/// The facts the data-sharing arrangements bring for screening (issue #20 item 2), for some
/// of the demo's enterprises: R&D expense, last year's revenue, a declared financing need and
/// the abnormal-operation and dishonest records. The others stay unknown (NULL).
async fn seed_screening_facts(tx: &WriteTx) -> Result<()> {
    for (name, rd, prev, need, abnormal, dishonest) in [
        (
            "深圳市南山示例科技有限公司",
            Some(240_000_000_i64),
            Some(1_200_000_000_i64),
            Some(true),
            Some(false),
            Some(false),
        ),
        (
            "深圳市鹏华光电科技有限公司",
            Some(50_000_000),
            Some(900_000_000),
            Some(true),
            Some(false),
            Some(false),
        ),
        (
            "深圳市前海云链信息技术有限公司",
            None,
            None,
            Some(false),
            Some(true),
            Some(false),
        ),
    ] {
        exec(
            tx.conn(),
            "UPDATE enterprises SET rd_expense_fen = ?, prev_revenue_fen = ?, financing_need = ?, abnormal_operation = ?, dishonest = ? WHERE name = ?",
            vec![rd.into(), prev.into(), need.into(), abnormal.into(), dishonest.into(), name.into()],
        )
        .await?;
    }
    Ok(())
}

/// Unix seconds of a business date at a time of day in Asia/Shanghai.
fn at_shanghai(date: chrono::NaiveDate, hour: u32) -> i64 {
    date.and_hms_opt(hour, 0, 0)
        .map(|t| t.and_utc().timestamp() - 8 * 3600)
        .unwrap_or_else(crate::now_s)
}

/// The day a demo policy laid around `policy_day` was published: 1 March of its year, or
/// earlier when that is still to come (never before 1 January, never after `policy_day`).
pub fn demo_published_on(policy_day: NaiveDate) -> NaiveDate {
    let year = chrono::Datelike::year(&policy_day);
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(policy_day);
    let mar1 = NaiveDate::from_ymd_opt(year, 3, 1).unwrap_or(policy_day);
    (policy_day - chrono::Days::new(95))
        .min(mar1)
        .max(jan1)
        .min(policy_day)
}

/// The demo's meetings and summaries are written today, as the seeding functions record any
/// write; their times are moved to when a real district would have made them: reports two days
/// before the meeting, the meeting held on its day, issues raised there, minutes three days
/// later; each quarter's summary ten days after the quarter, by the lead officer.
async fn backdate_demo_records(tx: &WriteTx) -> Result<()> {
    #[derive(FromQueryResult)]
    struct M {
        id: i64,
        meeting_date: chrono::NaiveDate,
        status: String,
    }
    let meetings: Vec<M> = crate::db::fetch_all(
        tx.conn(),
        "SELECT id, meeting_date, status FROM meetings",
        vec![],
    )
    .await?;
    for m in meetings.iter().filter(|m| m.status == "held") {
        let day = m.meeting_date;
        let before = at_shanghai(day - chrono::Days::new(2), 10);
        let held = at_shanghai(day, 17);
        for sql in [
            "UPDATE meeting_reports SET submitted_at = ? WHERE meeting_id = ?",
            "UPDATE meeting_report_versions SET submitted_at = ? WHERE report_id IN (SELECT id FROM meeting_reports WHERE meeting_id = ?)",
            "UPDATE meeting_report_files SET uploaded_at = ? WHERE report_id IN (SELECT id FROM meeting_reports WHERE meeting_id = ?)",
        ] {
            exec(tx.conn(), sql, vec![before.into(), m.id.into()]).await?;
        }
        exec(
            tx.conn(),
            "UPDATE meetings SET held_at = ? WHERE id = ?",
            vec![held.into(), m.id.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE meetings SET minutes_published_at = ? WHERE id = ? AND minutes_published_at IS NOT NULL",
            vec![at_shanghai(day + chrono::Days::new(3), 10).into(), m.id.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE meeting_issues SET created_at = ? WHERE meeting_id = ?",
            vec![held.into(), m.id.into()],
        )
        .await?;
        exec(
            tx.conn(),
            "UPDATE meeting_issue_events SET at = ? WHERE issue_id IN (SELECT id FROM meeting_issues WHERE meeting_id = ?)",
            vec![at_shanghai(day + chrono::Days::new(20), 10).into(), m.id.into()],
        )
        .await?;
    }
    #[derive(FromQueryResult)]
    struct S {
        id: i64,
        period: String,
    }
    let summaries: Vec<S> = crate::db::fetch_all(
        tx.conn(),
        "SELECT id, period FROM summaries WHERE revision IS NOT NULL",
        vec![],
    )
    .await?;
    for s in summaries {
        let Ok(q) = ipfin_domain::stats::Quarter::parse(&s.period) else {
            continue;
        };
        let on = q.last_day() + chrono::Days::new(10);
        if on >= crate::today_shanghai() {
            continue;
        }
        exec(
            tx.conn(),
            "UPDATE summaries SET submitted_at = ?, submitted_by_name = ? WHERE id = ?",
            vec![
                at_shanghai(on, 10).into(),
                "南山区经办人（演示）".into(),
                s.id.into(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// The demo policy of a district: Nanshan-style rules for Nanshan (70% of interest and fees,
/// CNY 1.5 million per enterprise per year), Futian-style for Futian (patents only, loans up
/// to a year, 50% of interest, fees up to 4% of the principal, CNY 2 million, first come
/// first served), and elsewhere 70% for SMEs and 50% for large enterprises with CNY 1 million
/// per enterprise per year. Laid around today: see [`demo_policy_at`].
pub fn demo_policy(code: &str, name: &str) -> ipfin_domain::policy::document::PolicyDocument {
    demo_policy_at(code, name, crate::today_shanghai())
}

/// The demo policy of a district for the year of `day`, with three batches laid around it
/// (decision 0040): two that ended (270–211 and 87–28 days before) and one open on `day`
/// (from 11 days before to 34 days after) — for 27 November 2026 exactly the batches of
/// 2026 (2 March–30 April, 1 September–30 October, 16 November–31 December).
pub fn demo_policy_at(
    code: &str,
    name: &str,
    day: NaiveDate,
) -> ipfin_domain::policy::document::PolicyDocument {
    use ipfin_domain::ip_number::IpKind;
    use ipfin_domain::policy::BudgetMode;
    use ipfin_domain::policy::document::*;
    use ipfin_domain::policy::rules::*;
    use rust_decimal::Decimal;
    let pct = |p: i64| Ratio::new(Decimal::new(p, 2)).unwrap_or(Ratio::ZERO);
    let yuan = |y: i64| Fen::new(y * 100);
    let item = |item: Item, large: i64, sme: i64| {
        ItemRule::new(item, PerClass::large_and_sme(pct(large), pct(sme)))
    };
    let year = chrono::Datelike::year(&day);
    let before = |n: u64| day - chrono::Days::new(n);
    let after = |n: u64| day + chrono::Days::new(n);
    let (rules, budget, title, summary) = match code {
        "440305" => (
            Rules {
                items: Item::ALL.iter().map(|i| item(*i, 70, 70)).collect(),
                application_cap_fen: PerClass::all(None),
                enterprise_cap: Some(EnterpriseCap {
                    amount_fen: PerClass::all(Some(yuan(1_500_000))),
                    period: CapPeriod::Year,
                }),
                conditions: Conditions::default(),
                fee_group_limit: None,
                institution_reward: Some(RewardRule {
                    ratio: pct(1),
                    per_loan_fen: Fen::ZERO,
                    cap_per_year_fen: Some(yuan(1_000_000)),
                    first_time_borrowers_only: false,
                    ip_kinds: Vec::new(),
                    classes: None,
                }),
                securitisation: Some(SecuritisationRule {
                    ratio: pct(70),
                    cap_per_year_fen: Some(yuan(3_000_000)),
                    max_years: Some(3),
                }),
            },
            Budget {
                total_fen: yuan(50_000_000),
                mode: BudgetMode::ProRata,
            },
            format!("{name}知识产权质押融资扶持措施（{year} 年修订）"),
            "对企业实际支付的贷款利息、担保费、保险费、评估费给予 70% 资助，每家企业每年最高 150 万元；知识产权证券化融资成本资助 70%，每年最高 300 万元，最长 3 年。",
        ),
        "440304" => (
            Rules {
                items: vec![
                    item(Item::Interest, 50, 50),
                    item(Item::Guarantee, 50, 50),
                    item(Item::Evaluation, 50, 50),
                ],
                application_cap_fen: PerClass::all(None),
                enterprise_cap: Some(EnterpriseCap {
                    amount_fen: PerClass::all(Some(yuan(2_000_000))),
                    period: CapPeriod::Year,
                }),
                conditions: Conditions {
                    ip_kinds: vec![IpKind::Patent],
                    max_loan_days: Some(366),
                    max_loan_months: None,
                    max_revenue_fen: None,
                },
                fee_group_limit: Some(GroupLimit {
                    items: vec![Item::Guarantee, Item::Evaluation],
                    share_of_principal: pct(4),
                }),
                institution_reward: None,
                securitisation: None,
            },
            Budget {
                total_fen: yuan(30_000_000),
                mode: BudgetMode::FirstComeFirstServed,
            },
            format!("{name}专利权质押融资贴息资助办法（{year} 年）"),
            "以专利权质押、期限不超过 1 年的贷款，按实际支付利息的 50% 贴息；担保费、评估费按不超过本金 4% 的部分给予 50% 资助；每家企业每年最高 200 万元，预算用完即止。",
        ),
        _ => (
            Rules {
                items: Item::ALL.iter().map(|i| item(*i, 50, 70)).collect(),
                application_cap_fen: PerClass::all(None),
                enterprise_cap: Some(EnterpriseCap {
                    amount_fen: PerClass::all(Some(yuan(1_000_000))),
                    period: CapPeriod::Year,
                }),
                conditions: Conditions::default(),
                fee_group_limit: None,
                institution_reward: None,
                securitisation: None,
            },
            Budget {
                total_fen: yuan(20_000_000),
                mode: BudgetMode::ProRata,
            },
            format!("{name}知识产权金融扶持措施（{year} 年）"),
            "中小微企业按实际支付的利息、评估费、担保费、保险费的 70% 资助，大型企业按 50%；每家企业每年最高 100 万元。",
        ),
    };
    let ip_types = if code == "440304" {
        vec![IpType::Patent]
    } else {
        vec![IpType::Patent, IpType::Trademark, IpType::Copyright]
    };
    PolicyDocument {
        title,
        year,
        summary: summary.to_string(),
        financing_modes: vec![FinancingMode::Pledge, FinancingMode::Insurance],
        ip_types,
        rules,
        budget: Some(budget),
        batches: vec![
            Batch {
                name: format!("{year} 年第一批"),
                opens: before(270),
                closes: before(211),
            },
            Batch {
                name: format!("{year} 年第二批"),
                opens: before(87),
                closes: before(28),
            },
            Batch {
                name: format!("{year} 年第三批"),
                opens: before(11),
                closes: after(34),
            },
        ],
        eligibility: Eligibility::default(),
        documents: vec![
            PackageDocument {
                kind: PackageKind::Policy,
                title: format!("{name}知识产权质押融资扶持措施"),
                reference: None,
                url: None,
            },
            PackageDocument {
                kind: PackageKind::Guide,
                title: format!("{year} 年度申报指南"),
                reference: None,
                url: None,
            },
        ],
        contact: format!("{name}市场监督管理局知识产权科 · 工作日 9:00–12:00、14:00–18:00"),
        extra_materials: vec![],
    }
}

impl Store {
    /// For the application load test (`scripts/bench/applications.sh`): `count` enterprises in
    /// 南山区, each registered, small, with an account organisation and an API token. Returns the
    /// district's published policy version and (organisation id, token) per enterprise.
    pub async fn bench_applicants(&self, count: u32) -> Result<(i64, Vec<(i64, String)>)> {
        let city = Scope::City;
        let policy = self
            .policy_versions(&city, Some("440305"))
            .await?
            .into_iter()
            .find(|v| v.status == "published")
            .ok_or_else(|| {
                crate::StoreError::Internal("load the demo city first (ipfin demo)".into())
            })?
            .id;
        let mut out = Vec::with_capacity(count as usize);
        for chunk in (0..count).collect::<Vec<_>>().chunks(100) {
            let mut tx = self.write(AuditActor::system("bench")).await?;
            for i in chunk {
                let code = demo_code("440305", 50_000 + i);
                let name = format!("深圳市南山基准测试{i:04}科技有限公司");
                let org = self
                    .create_organisation(
                        &mut tx,
                        &city,
                        NewOrganisation {
                            kind: "enterprise".into(),
                            name: name.clone(),
                            district_code: Some("440305".into()),
                            credit_code: Some(code.clone()),
                            ..Default::default()
                        },
                    )
                    .await?;
                let (e, _) = self
                    .save_enterprise(
                        &mut tx,
                        &city,
                        crate::enterprise::EnterpriseInput {
                            credit_code: code,
                            name,
                            registered_district: Some("440305".into()),
                            tax_district: Some("440305".into()),
                            independent_legal_person: true,
                            industry: Some("I65".into()),
                            employees: Some(50),
                            operating_revenue_fen: Some(Fen::new(2_000 * 1_000_000)),
                            total_assets_fen: Some(Fen::new(3_000 * 1_000_000)),
                            data_sharing_consent: true,
                        },
                    )
                    .await?;
                exec(
                    tx.conn(),
                    "UPDATE enterprises SET organisation_id = ? WHERE id = ?",
                    vec![org.id.into(), e.id.into()],
                )
                .await?;
                let (_, token) = self
                    .create_api_token(&mut tx, &city, org.id, "基准测试", None)
                    .await?;
                out.push((org.id, token));
            }
            tx.commit().await?;
        }
        Ok((policy, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_policies_check_clean() {
        for (code, name, _, _) in SHENZHEN_DISTRICTS {
            let d = demo_policy(code, name);
            assert!(d.check().is_empty(), "{code}: {:?}", d.check());
        }
    }

    #[test]
    fn demo_credit_codes_are_valid() {
        for s in 1..200 {
            let c = demo_credit_code("440305", s);
            let r = ipfin_domain::credit_code::check(&c);
            assert!(
                r.is_valid() && r.warnings.is_empty(),
                "{c}: {:?} {:?}",
                r.errors,
                r.warnings
            );
        }
    }
}
