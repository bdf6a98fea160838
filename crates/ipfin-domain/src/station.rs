//! Service stations and door-to-door service (知识产权金融服务站与上门服务, SPEC §7 R3.1; issue
//! #21): a station set up by a district with a partner, its service cases through six steps
//! with visits, the enterprise's trips to an office (目标"一次不用跑"), the enterprise's rating,
//! bookings, and the figures the district sees. Pure rules; the store keeps the records.

use crate::message::FieldError;
use crate::money::{Fen, MoneyOverflow};
use crate::push::Stages;
use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

code_enum! {
    /// The partner a district sets a station up with.
    PartnerKind {
        FinancialInstitution = "financial_institution", "金融机构", "Financial institution";
        IndustryAssociation = "industry_association", "行业协会", "Industry association";
        IndustrialPark = "industrial_park", "产业园区", "Industrial park";
        IpProtectionCentre = "ip_protection_centre", "知识产权保护中心", "IP protection centre";
        IpServiceCentre = "ip_service_centre", "知识产权服务中心", "IP service centre";
        IpWorkstation = "ip_workstation", "知识产权保护工作站", "IP protection workstation";
    }
}

code_enum! {
    /// The six steps of a service case, in order.
    Step {
        Policy = "policy", "政策解读", "Policy interpretation";
        Qualification = "qualification", "资质审查", "Qualification review";
        Valuation = "valuation", "价值评估", "Valuation";
        Contract = "contract", "合同填写", "Contract filling";
        Registration = "registration", "质押登记", "Pledge registration";
        Subsidy = "subsidy", "申报资助", "Subsidy application";
    }
}

code_enum! {
    /// Where one step of a case stands.
    StepStatus {
        NotStarted = "not_started", "未开始", "Not started";
        InProgress = "in_progress", "进行中", "In progress";
        Done = "done", "已完成", "Done";
        NotNeeded = "not_needed", "无需办理", "Not needed";
    }
}

code_enum! {
    /// What a station's person is: a specialist of the station, or a bank's account manager
    /// who works with it.
    PersonRole {
        Specialist = "specialist", "服务专员", "Specialist";
        AccountManager = "account_manager", "银行客户经理", "Account manager";
    }
}

code_enum! {
    /// Where a booking stands.
    BookingState {
        Requested = "requested", "待处理", "Requested";
        Accepted = "accepted", "已转为服务案件", "Became a case";
        Declined = "declined", "已婉拒", "Declined";
    }
}

/// The record a step needs before it can be marked done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// A valuation report (a financing contract of kind valuation).
    ValuationReport,
    /// A pledge registration.
    PledgeRegistration,
    /// A subsidy application.
    Application,
}

impl Link {
    pub fn zh(self) -> &'static str {
        match self {
            Link::ValuationReport => "评估报告",
            Link::PledgeRegistration => "质押登记",
            Link::Application => "资助申报",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Link::ValuationReport => "valuation report",
            Link::PledgeRegistration => "pledge registration",
            Link::Application => "application",
        }
    }
}

impl Step {
    /// The linked record this step needs to be done, if any.
    pub fn link(self) -> Option<Link> {
        match self {
            Step::Valuation => Some(Link::ValuationReport),
            Step::Registration => Some(Link::PledgeRegistration),
            Step::Subsidy => Some(Link::Application),
            _ => None,
        }
    }

    /// 1-based position of the step.
    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }
}

impl StepStatus {
    /// Whether the step no longer holds the case open.
    pub fn settled(self) -> bool {
        matches!(self, StepStatus::Done | StepStatus::NotNeeded)
    }
}

/// Who may work a station's cases (open, update steps, record visits and trips, decide
/// bookings): the station's own staff, and the district's lead officers (and the city).
pub fn may_work(scope: &crate::Scope, station_org: crate::OrgId, district: &str) -> bool {
    scope.is_organisation(station_org) || scope.manages_district(district)
}

/// A station as entered, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationInput {
    pub name: String,
    pub partner_kind: PartnerKind,
    pub partner_name: String,
    pub address: String,
    /// District codes the station serves (its own always among them).
    pub service_area: Vec<String>,
    pub opened_on: NaiveDate,
    pub contact_name: String,
    pub contact_phone: String,
}

/// The raw fields of a station form or body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StationFields {
    pub name: String,
    pub partner_kind: String,
    pub partner_name: String,
    pub address: String,
    pub service_area: Vec<String>,
    pub opened_on: Option<NaiveDate>,
    pub contact_name: String,
    pub contact_phone: String,
}

fn text(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    zh: &str,
    en: &str,
    v: &str,
    max: usize,
) -> String {
    match crate::text::required(field, zh, en, v, max) {
        Ok(v) => v,
        Err(e) => {
            errors.push(e);
            String::new()
        }
    }
}

/// A phone number: digits, optionally with `-`, `+` and spaces, 7–20 characters.
fn phone_ok(s: &str) -> bool {
    let s = s.trim();
    (7..=20).contains(&s.chars().count())
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' '))
        && s.chars().filter(char::is_ascii_digit).count() >= 7
}

fn phone(errors: &mut Vec<FieldError>, field: &'static str, v: &str) -> String {
    if v.trim().is_empty() {
        errors.push(FieldError::new(
            field,
            "field.required",
            "请填写联系电话。",
            "The phone number is required.",
        ));
    } else if !phone_ok(v) {
        errors.push(FieldError::new(
            field,
            "station.phone",
            "联系电话应为 7 至 20 位数字（可含“-”“+”和空格），例如 0755-86001234 或 13800138000。",
            "A phone number has 7 to 20 digits (with -, + or spaces), e.g. 0755-86001234.",
        ));
    }
    v.trim().to_string()
}

impl StationInput {
    /// Checks a station's fields; `own_district` is the district setting it up and `known`
    /// tells whether a district code exists. Every problem at once.
    pub fn check(
        f: &StationFields,
        own_district: &str,
        known: impl Fn(&str) -> bool,
        today: NaiveDate,
    ) -> Result<StationInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = text(
            &mut errors,
            "name",
            "服务站名称",
            "Station name",
            &f.name,
            100,
        );
        let partner_kind = PartnerKind::from_code(f.partner_kind.trim());
        if partner_kind.is_none() {
            errors.push(FieldError::new(
                "partner_kind",
                "station.partner_kind",
                format!(
                    "请选择共建单位类型：{}。",
                    PartnerKind::ALL
                        .iter()
                        .map(|k| k.zh())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                "Choose the partner's kind.",
            ));
        }
        let partner_name = text(
            &mut errors,
            "partner_name",
            "共建单位名称",
            "Partner name",
            &f.partner_name,
            100,
        );
        let address = text(&mut errors, "address", "地址", "Address", &f.address, 200);
        let mut area: Vec<String> = f
            .service_area
            .iter()
            .flat_map(|s| s.split([',', '，', ' ']))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if let Some(bad) = area.iter().find(|d| !known(d)) {
            errors.push(FieldError::new(
                "service_area",
                "station.service_area",
                format!("服务区域中的区划代码“{bad}”不存在，请从列表中选择。"),
                "A district of the service area does not exist.",
            ));
        }
        if !area.iter().any(|d| d == own_district) {
            area.insert(0, own_district.to_string());
        }
        area.sort();
        area.dedup();
        let opened_on = match f.opened_on {
            None => {
                errors.push(FieldError::new(
                    "opened_on",
                    "station.opened_on",
                    "请填写设立日期（例如 2026-03-01）。",
                    "The opening date is required (e.g. 2026-03-01).",
                ));
                today
            }
            Some(d) if d > today + Days::new(366) => {
                errors.push(FieldError::new(
                    "opened_on",
                    "station.opened_on",
                    "设立日期不能晚于一年以后。",
                    "The opening date cannot be more than a year ahead.",
                ));
                d
            }
            Some(d) => d,
        };
        let contact_name = text(
            &mut errors,
            "contact_name",
            "联系人",
            "Contact person",
            &f.contact_name,
            50,
        );
        let contact_phone = phone(&mut errors, "contact_phone", &f.contact_phone);
        match partner_kind {
            Some(partner_kind) if errors.is_empty() => Ok(StationInput {
                name,
                partner_kind,
                partner_name,
                address,
                service_area: area,
                opened_on,
                contact_name,
                contact_phone,
            }),
            _ => Err(errors),
        }
    }

    /// Whether the station serves a district.
    pub fn serves(area: &[String], district: &str) -> bool {
        area.iter().any(|d| d == district)
    }
}

/// A visit as entered, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub step: Option<Step>,
    pub visited_on: NaiveDate,
    /// Where (the enterprise's premises, a park office …).
    pub place: String,
    /// Who took part, and by whom from which organisation (free text, e.g. "服务专员王某（南山服务站）、
    /// 客户经理李某（深南银行）").
    pub visitors: String,
    /// What was done.
    pub what: String,
}

/// The raw fields of a visit form or body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct VisitFields {
    #[serde(default)]
    pub step: Option<String>,
    pub visited_on: Option<NaiveDate>,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub visitors: String,
    #[serde(default)]
    pub what: String,
}

/// How far ahead a visit may be planned.
pub const VISIT_AHEAD_DAYS: u64 = 180;

impl Visit {
    /// Checks a visit of a case opened on `opened`: not before the case opened, at most
    /// [`VISIT_AHEAD_DAYS`] ahead (a planned visit). Every problem at once.
    pub fn check(
        f: &VisitFields,
        opened: NaiveDate,
        today: NaiveDate,
    ) -> Result<Visit, Vec<FieldError>> {
        let mut errors = Vec::new();
        let step = match f.step.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => {
                let st = Step::from_code(s);
                if st.is_none() {
                    errors.push(step_error("step"));
                }
                st
            }
        };
        let visited_on = match f.visited_on {
            None => {
                errors.push(FieldError::new(
                    "visited_on",
                    "station.visit_date",
                    "请填写走访日期（例如 2026-03-05）。",
                    "The visit date is required (e.g. 2026-03-05).",
                ));
                today
            }
            Some(d) if d < opened => {
                errors.push(FieldError::new(
                    "visited_on",
                    "station.visit_before_open",
                    format!("走访日期 {d} 早于案件受理日期 {opened}，请核对日期。"),
                    format!("The visit date {d} is before the case opened ({opened})."),
                ));
                d
            }
            Some(d) if d > today + Days::new(VISIT_AHEAD_DAYS) => {
                errors.push(FieldError::new(
                    "visited_on",
                    "station.visit_too_far",
                    format!("走访最多提前 {VISIT_AHEAD_DAYS} 天安排。"),
                    format!("A visit is planned at most {VISIT_AHEAD_DAYS} days ahead."),
                ));
                d
            }
            Some(d) => d,
        };
        let place = text(&mut errors, "place", "走访地点", "Place", &f.place, 200);
        let visitors = text(
            &mut errors,
            "visitors",
            "走访人员及所在单位",
            "Who visited, from which organisation",
            &f.visitors,
            300,
        );
        let what = text(
            &mut errors,
            "what",
            "办理事项",
            "What was done",
            &f.what,
            2000,
        );
        if errors.is_empty() {
            Ok(Visit {
                step,
                visited_on,
                place,
                visitors,
                what,
            })
        } else {
            Err(errors)
        }
    }
}

fn step_error(field: &'static str) -> FieldError {
    FieldError::new(
        field,
        "station.step",
        format!(
            "请选择服务环节：{}。",
            Step::ALL
                .iter()
                .map(|s| format!("{}（{}）", s.zh(), s.code()))
                .collect::<Vec<_>>()
                .join("、")
        ),
        "Choose a step: policy, qualification, valuation, contract, registration, subsidy.",
    )
}

/// A step's new state as entered, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepUpdate {
    pub step: Step,
    pub status: StepStatus,
    pub started_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub responsible: String,
    /// Documents handed over or prepared (names, numbers).
    pub documents: String,
    /// The linked record's id (valuation report, pledge registration, application).
    pub linked_id: Option<i64>,
}

/// The raw fields of a step form or body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StepFields {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub started_on: Option<NaiveDate>,
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
    #[serde(default)]
    pub responsible: String,
    #[serde(default)]
    pub documents: String,
    #[serde(default)]
    pub linked_id: Option<i64>,
}

impl StepUpdate {
    /// Checks a step's new state for a case opened on `opened`: dates within the case and not
    /// in the future, a done step has its done date and, where the step needs one, its linked
    /// record; a started step names who is responsible. Every problem at once. Whether the
    /// linked record exists and belongs to the case's enterprise is the store's check.
    pub fn check(
        step: Step,
        f: &StepFields,
        opened: NaiveDate,
        today: NaiveDate,
    ) -> Result<StepUpdate, Vec<FieldError>> {
        let mut errors = Vec::new();
        let status = StepStatus::from_code(f.status.trim());
        if status.is_none() {
            errors.push(FieldError::new(
                "status",
                "station.step_status",
                "请选择环节状态：未开始、进行中、已完成或无需办理。",
                "Choose not_started, in_progress, done or not_needed.",
            ));
        }
        let status = status.unwrap_or(StepStatus::NotStarted);
        for (field, d) in [("started_on", f.started_on), ("done_on", f.done_on)] {
            if let Some(d) = d {
                if d < opened {
                    errors.push(FieldError::new(
                        field,
                        "station.step_before_open",
                        format!("日期 {d} 早于案件受理日期 {opened}。"),
                        format!("The date {d} is before the case opened ({opened})."),
                    ));
                } else if d > today {
                    errors.push(FieldError::new(
                        field,
                        "station.step_future",
                        format!("日期 {d} 晚于今天（{today}），请填写实际日期。"),
                        "A step's dates cannot be in the future.",
                    ));
                }
            }
        }
        if let (Some(s), Some(d)) = (f.started_on, f.done_on)
            && d < s
        {
            errors.push(FieldError::new(
                "done_on",
                "station.step_order",
                "完成日期不能早于开始日期。",
                "The done date cannot be before the start date.",
            ));
        }
        let responsible = f.responsible.trim().to_string();
        if responsible.chars().count() > 100 {
            errors.push(FieldError::new(
                "responsible",
                "field.too_long",
                "负责人不能超过 100 个字符。",
                "Responsible may have at most 100 characters.",
            ));
        }
        if matches!(status, StepStatus::InProgress | StepStatus::Done) && responsible.is_empty() {
            errors.push(FieldError::new(
                "responsible",
                "station.responsible",
                "进行中或已完成的环节须填写负责人。",
                "A started step names the person responsible.",
            ));
        }
        if status == StepStatus::Done && f.done_on.is_none() {
            errors.push(FieldError::new(
                "done_on",
                "station.done_on",
                "标记为已完成时请填写完成日期。",
                "A done step needs its done date.",
            ));
        }
        if status == StepStatus::Done
            && let Some(link) = step.link()
            && f.linked_id.is_none()
        {
            errors.push(FieldError::new(
                "linked_id",
                "station.link_required",
                format!(
                    "“{}”环节标记为已完成前，须关联{}（填写其编号）。",
                    step.zh(),
                    link.zh()
                ),
                format!(
                    "The {} step needs its {} linked before it is done.",
                    step.en(),
                    link.en()
                ),
            ));
        }
        if f.linked_id.is_some() && step.link().is_none() {
            errors.push(FieldError::new(
                "linked_id",
                "station.no_link",
                format!("“{}”环节无需关联记录。", step.zh()),
                "This step links no record.",
            ));
        }
        let documents = f.documents.trim().to_string();
        if documents.chars().count() > 1000 {
            errors.push(FieldError::new(
                "documents",
                "field.too_long",
                "材料清单不能超过 1000 个字符。",
                "Documents may have at most 1000 characters.",
            ));
        }
        if errors.is_empty() {
            Ok(StepUpdate {
                step,
                status,
                started_on: f
                    .started_on
                    .or((status != StepStatus::NotStarted).then_some(today)),
                done_on: f.done_on,
                responsible,
                documents,
                linked_id: f.linked_id,
            })
        } else {
            Err(errors)
        }
    }
}

/// A trip the enterprise had to make to an office, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trip {
    pub trip_on: NaiveDate,
    pub office: String,
    pub reason: String,
}

impl Trip {
    pub fn check(
        trip_on: Option<NaiveDate>,
        office: &str,
        reason: &str,
        opened: NaiveDate,
        today: NaiveDate,
    ) -> Result<Trip, Vec<FieldError>> {
        let mut errors = Vec::new();
        match trip_on {
            None => errors.push(FieldError::new(
                "trip_on",
                "station.trip_date",
                "请填写跑动日期。",
                "The date of the trip is required.",
            )),
            Some(d) if d < opened || d > today => errors.push(FieldError::new(
                "trip_on",
                "station.trip_date",
                format!("跑动日期须在案件受理日期 {opened} 与今天（{today}）之间。"),
                "The trip's date lies between the case's opening and today.",
            )),
            _ => {}
        }
        let office = text(
            &mut errors,
            "office",
            "前往的办事地点",
            "Office",
            office,
            200,
        );
        let reason = text(&mut errors, "reason", "跑动原因", "Reason", reason, 500);
        match trip_on {
            Some(trip_on) if errors.is_empty() => Ok(Trip {
                trip_on,
                office,
                reason,
            }),
            _ => Err(errors),
        }
    }
}

/// The enterprise's rating of a completed case: 1–5 stars and an optional comment.
pub fn check_rating(stars: i64, comment: &str) -> Result<(i32, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    if !(1..=5).contains(&stars) {
        errors.push(FieldError::new(
            "rating",
            "station.rating",
            "评分须为 1 至 5 星。",
            "The rating is 1 to 5 stars.",
        ));
    }
    if comment.trim().chars().count() > 500 {
        errors.push(FieldError::new(
            "comment",
            "field.too_long",
            "评价不能超过 500 个字符。",
            "The comment may have at most 500 characters.",
        ));
    }
    if errors.is_empty() {
        Ok((stars as i32, comment.trim().to_string()))
    } else {
        Err(errors)
    }
}

/// A booking as entered, checked (the station's service area is the store's check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub enterprise_name: String,
    pub credit_code: crate::CreditCode,
    pub contact_name: String,
    pub contact_phone: String,
    pub district: String,
    pub need: String,
}

/// The raw fields of a booking form or body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BookingFields {
    #[serde(default)]
    pub station_id: Option<i64>,
    #[serde(default)]
    pub enterprise_name: String,
    #[serde(default)]
    pub credit_code: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub need: String,
}

impl Booking {
    /// Checks a booking; `known` tells whether a district code exists. Every problem at once.
    pub fn check(
        f: &BookingFields,
        known: impl Fn(&str) -> bool,
    ) -> Result<Booking, Vec<FieldError>> {
        let mut errors = Vec::new();
        if f.station_id.is_none() {
            errors.push(FieldError::new(
                "station_id",
                "station.booking_station",
                "请选择服务站。",
                "Choose a station.",
            ));
        }
        let enterprise_name = text(
            &mut errors,
            "enterprise_name",
            "企业名称",
            "Enterprise name",
            &f.enterprise_name,
            100,
        );
        let credit_code = match crate::CreditCode::parse(&f.credit_code) {
            Ok(c) => Some(c),
            Err(msg) => {
                errors.push(FieldError {
                    field: "credit_code",
                    msg,
                });
                None
            }
        };
        let contact_name = text(
            &mut errors,
            "contact_name",
            "联系人",
            "Contact person",
            &f.contact_name,
            50,
        );
        let contact_phone = phone(&mut errors, "contact_phone", &f.contact_phone);
        let district = f.district.trim().to_string();
        if district.is_empty() || !known(&district) {
            errors.push(FieldError::new(
                "district",
                "station.booking_district",
                "请选择企业所在区。",
                "Choose the enterprise's district.",
            ));
        }
        let need = f.need.trim().to_string();
        if need.chars().count() > 1000 {
            errors.push(FieldError::new(
                "need",
                "field.too_long",
                "服务需求不能超过 1000 个字符。",
                "The need may have at most 1000 characters.",
            ));
        }
        match credit_code {
            Some(credit_code) if errors.is_empty() => Ok(Booking {
                enterprise_name,
                credit_code,
                contact_name,
                contact_phone,
                district,
                need,
            }),
            _ => Err(errors),
        }
    }
}

/// The error for a booking in a district the station does not serve.
pub fn not_served(station: &str, district: &str, area: &[String]) -> FieldError {
    FieldError::new(
        "district",
        "station.not_served",
        format!(
            "“{station}”的服务区域为 {}，不含企业所在区（{district}），请选择服务该区的服务站。",
            area.join("、")
        ),
        format!("The station does not serve district {district}."),
    )
}

/// A decline needs its reason (4–500 characters).
pub fn check_decline(reason: &str) -> Result<String, FieldError> {
    let r = reason.trim();
    if r.chars().count() < 4 || r.chars().count() > 500 {
        return Err(FieldError::new(
            "reason",
            "station.decline_reason",
            "婉拒预约须写明理由（4 至 500 个字符），理由将告知预约人。",
            "A decline needs its reason (4 to 500 characters).",
        ));
    }
    Ok(r.to_string())
}

/// At most this many files per step of a case.
pub const MAX_STEP_FILES: usize = 20;

/// Checks a file for a step's documents: the same content rules as application materials
/// (not empty, at most 20 MB, PDF, OFD, JPEG, PNG, Excel or Word by content, whatever its
/// name), and room left on the step.
pub fn check_step_file(
    step: Step,
    existing: usize,
    bytes: &[u8],
) -> Result<crate::application::FileType, FieldError> {
    if existing >= MAX_STEP_FILES {
        return Err(FieldError::new(
            "file",
            "station.step_files_full",
            format!(
                "“{}”已有 {MAX_STEP_FILES} 个文件，已达上限；请先删除不再需要的文件。",
                step.zh()
            ),
            format!("The step already holds {MAX_STEP_FILES} files; remove one first."),
        ));
    }
    crate::application::files::check_upload(
        step.zh(),
        crate::policy::materials::FileKinds::Document,
        bytes,
    )
    .map_err(|m| FieldError::new("file", m.code, m.zh, m.en))
}

/// The consent an enterprise gives for an application prepared on its behalf.
pub const CONSENT_TEXT_ZH: &str =
    "本企业同意服务站服务专员代为准备知识产权质押融资资助申报材料，申报由本企业确认并提交。";

/// Checks who gave consent on the enterprise's behalf (a recorded written consent).
pub fn check_consent(given_by: &str, note: &str) -> Result<(String, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let given_by = text(
        &mut errors,
        "given_by",
        "授权人（企业经办人姓名及职务）",
        "Who gave consent",
        given_by,
        100,
    );
    if note.trim().chars().count() > 500 {
        errors.push(FieldError::new(
            "note",
            "field.too_long",
            "说明不能超过 500 个字符。",
            "The note may have at most 500 characters.",
        ));
    }
    if errors.is_empty() {
        Ok((given_by, note.trim().to_string()))
    } else {
        Err(errors)
    }
}

/// The error for an application prepared without recorded consent.
pub fn consent_missing() -> FieldError {
    FieldError::new(
        "consent",
        "station.consent_required",
        "代企业准备申报前，须先在案件中登记企业的书面授权（授权人、日期）。",
        "Record the enterprise's consent on the case before preparing its application.",
    )
}

/// The Monday of the week a date falls in, and the week's seven days.
pub fn week_of(d: NaiveDate) -> [NaiveDate; 7] {
    let monday = d - Days::new(u64::from(d.weekday().num_days_from_monday()));
    std::array::from_fn(|i| monday + Days::new(i as u64))
}

/// One case's facts for the district's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub station_id: i64,
    pub opened_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub trips: i64,
    /// Calendar days per done step (started → done).
    pub step_days: Vec<(Step, i64)>,
    /// Principal of loans obtained through the case, fen.
    pub loan_fen: Fen,
    pub rating: Option<i32>,
}

/// A station's figures over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Activity {
    pub opened: i64,
    pub completed: i64,
    pub open_now: i64,
    /// Completed cases without any trip.
    pub zero_trip: i64,
    pub trips: i64,
    /// Average calendar days per step (done steps only), in the order of [`Step::ALL`].
    pub step_days: Vec<Option<rust_decimal::Decimal>>,
    pub loan_fen: Fen,
    pub loans: i64,
    pub ratings: i64,
    pub rating_sum: i64,
}

impl Activity {
    /// The figures of cases opened or completed within `from..=to`; `MoneyOverflow` when the
    /// loans' total does not fit in fen (never a wrapped or saturated total).
    pub fn of<'a>(
        cases: impl IntoIterator<Item = &'a CaseFacts>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Activity, MoneyOverflow> {
        let mut a = Activity::default();
        let mut sums = [(0i64, 0i64); 6];
        for c in cases {
            let opened = (from..=to).contains(&c.opened_on);
            let completed = c.completed_on.is_some_and(|d| (from..=to).contains(&d));
            if opened {
                a.opened += 1;
            }
            if c.completed_on.is_none() && c.opened_on <= to {
                a.open_now += 1;
            }
            if completed {
                a.completed += 1;
                if c.trips == 0 {
                    a.zero_trip += 1;
                }
                a.loan_fen = a.loan_fen.checked_add(c.loan_fen).ok_or(MoneyOverflow)?;
                if c.loan_fen.is_positive() {
                    a.loans += 1;
                }
                if let Some(r) = c.rating {
                    a.ratings += 1;
                    a.rating_sum += i64::from(r);
                }
                for (s, d) in &c.step_days {
                    let i = s.number() - 1;
                    sums[i].0 += d;
                    sums[i].1 += 1;
                }
            }
            if opened || completed {
                a.trips += c.trips;
            }
        }
        a.step_days = sums
            .iter()
            .map(|(days, n)| {
                (*n > 0).then(|| {
                    (rust_decimal::Decimal::from(*days) / rust_decimal::Decimal::from(*n))
                        .round_dp_with_strategy(
                            1,
                            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                        )
                })
            })
            .collect();
        Ok(a)
    }

    /// Zero-trip share of completed cases, percent to one decimal.
    pub fn zero_trip_pct(&self) -> Option<rust_decimal::Decimal> {
        Stages::pct(self.zero_trip, self.completed)
    }

    /// Average rating to one decimal.
    pub fn rating_avg(&self) -> Option<rust_decimal::Decimal> {
        (self.ratings > 0).then(|| {
            (rust_decimal::Decimal::from(self.rating_sum)
                / rust_decimal::Decimal::from(self.ratings))
            .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        })
    }
}

/// R3.1 in the conformance matrix: passed when the district has at least one station and
/// at least one case was opened in the last twelve months, and at least half of the cases
/// completed in that time needed no trip (none completed yet: the cases opened suffice).
pub fn conformance(stations: i64, a: &Activity) -> (bool, String) {
    let share = a.zero_trip_pct();
    let enough = match share {
        Some(p) => p >= rust_decimal::Decimal::from(50),
        None => true,
    };
    let passed = stations > 0 && a.opened > 0 && enough;
    let mut finding = if stations == 0 {
        "尚未设立服务站".to_string()
    } else {
        format!("服务站 {stations} 个")
    };
    if stations > 0 {
        finding.push_str(&format!(
            "；近 12 个月受理案件 {} 件、办结 {} 件",
            a.opened, a.completed
        ));
        if let Some(p) = share {
            finding.push_str(&format!("，“一次不用跑” {} 件（{p}%）", a.zero_trip));
        }
        if a.opened == 0 {
            finding.push_str("；服务站近 12 个月没有受理案件");
        } else if !enough {
            finding.push_str("；“零跑动”比例低于 50%");
        }
    }
    finding.push('。');
    (passed, finding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(
            Step::ALL.iter().map(|s| s.code()).collect::<Vec<_>>(),
            [
                "policy",
                "qualification",
                "valuation",
                "contract",
                "registration",
                "subsidy"
            ]
        );
        assert_eq!(Step::Subsidy.number(), 6);
        assert_eq!(PartnerKind::ALL.len(), 6);
        assert_eq!(Step::Valuation.link(), Some(Link::ValuationReport));
        assert_eq!(Step::Registration.link(), Some(Link::PledgeRegistration));
        assert_eq!(Step::Subsidy.link(), Some(Link::Application));
        assert_eq!(Step::Contract.link(), None);
    }

    #[test]
    fn a_visit_before_the_case_opened_is_refused() {
        let f = VisitFields {
            step: Some("policy".into()),
            visited_on: Some(day(2026, 3, 1)),
            place: "企业会议室".into(),
            visitors: "服务专员（南山服务站）".into(),
            what: "政策解读".into(),
        };
        let e = Visit::check(&f, day(2026, 3, 2), day(2026, 3, 10)).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].msg.code, "station.visit_before_open");
        assert!(Visit::check(&f, day(2026, 3, 1), day(2026, 3, 10)).is_ok());
        // Planned ahead, but not too far; every problem at once.
        let bad = VisitFields {
            step: Some("magic".into()),
            visited_on: Some(day(2027, 3, 1)),
            ..Default::default()
        };
        let e = Visit::check(&bad, day(2026, 3, 1), day(2026, 3, 10)).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["step", "visited_on", "place", "visitors", "what"]);
    }

    #[test]
    fn a_step_done_needs_its_linked_record() {
        let opened = day(2026, 3, 1);
        let today = day(2026, 3, 20);
        let f = StepFields {
            status: "done".into(),
            started_on: Some(day(2026, 3, 2)),
            done_on: Some(day(2026, 3, 10)),
            responsible: "王专员".into(),
            ..Default::default()
        };
        for step in [Step::Valuation, Step::Registration, Step::Subsidy] {
            let e = StepUpdate::check(step, &f, opened, today).unwrap_err();
            assert_eq!(e[0].msg.code, "station.link_required", "{step:?}");
            let linked = StepFields {
                linked_id: Some(4),
                ..f.clone()
            };
            assert!(StepUpdate::check(step, &linked, opened, today).is_ok());
        }
        assert!(StepUpdate::check(Step::Policy, &f, opened, today).is_ok());
        // In progress does not need it; a done step needs its date; dates inside the case.
        let progress = StepFields {
            status: "in_progress".into(),
            done_on: None,
            ..f.clone()
        };
        assert!(StepUpdate::check(Step::Valuation, &progress, opened, today).is_ok());
        let bad = StepFields {
            status: "done".into(),
            started_on: Some(day(2026, 2, 1)),
            done_on: None,
            responsible: String::new(),
            ..Default::default()
        };
        let e = StepUpdate::check(Step::Policy, &bad, opened, today).unwrap_err();
        let codes: Vec<_> = e.iter().map(|e| e.msg.code).collect();
        assert_eq!(
            codes,
            [
                "station.step_before_open",
                "station.responsible",
                "station.done_on"
            ]
        );
    }

    #[test]
    fn station_and_booking_checks() {
        let known = |d: &str| ["440305", "440304"].contains(&d);
        let f = StationFields {
            name: "南山服务站".into(),
            partner_kind: "industrial_park".into(),
            partner_name: "南山科技园".into(),
            address: "科技园".into(),
            service_area: vec!["440304".into()],
            opened_on: Some(day(2026, 1, 5)),
            contact_name: "张".into(),
            contact_phone: "0755-86001234".into(),
        };
        let s = StationInput::check(&f, "440305", known, day(2026, 3, 1)).expect("valid");
        assert_eq!(s.service_area, ["440304", "440305"]);
        assert!(StationInput::serves(&s.service_area, "440304"));
        assert!(!StationInput::serves(&s.service_area, "440306"));
        let bad = StationFields {
            partner_kind: "x".into(),
            service_area: vec!["999999".into()],
            contact_phone: "abc".into(),
            ..Default::default()
        };
        let e = StationInput::check(&bad, "440305", known, day(2026, 3, 1)).unwrap_err();
        assert_eq!(e.len(), 8, "{e:?}");
        let b = BookingFields {
            station_id: Some(1),
            enterprise_name: "某公司".into(),
            credit_code: "9144030071526726XG".into(),
            contact_name: "李".into(),
            contact_phone: "13800138000".into(),
            district: "440305".into(),
            need: String::new(),
        };
        assert!(Booking::check(&b, known).is_ok());
        let e = Booking::check(&BookingFields::default(), known).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "station_id",
                "enterprise_name",
                "credit_code",
                "contact_name",
                "contact_phone",
                "district"
            ]
        );
        assert_eq!(
            not_served("X", "440306", &["440305".into()]).msg.code,
            "station.not_served"
        );
        assert!(check_decline("太短").is_err() && check_decline("不在服务范围内").is_ok());
        assert!(check_rating(0, "").is_err() && check_rating(5, "好").is_ok());
    }

    #[test]
    fn the_week_starts_on_monday() {
        let w = week_of(day(2026, 3, 5)); // a Thursday
        assert_eq!(w[0], day(2026, 3, 2));
        assert_eq!(w[6], day(2026, 3, 8));
        assert_eq!(week_of(day(2026, 3, 2))[0], day(2026, 3, 2));
    }

    #[test]
    fn activity_and_the_conformance_cell() {
        let c = |opened, completed, trips, loan| CaseFacts {
            station_id: 1,
            opened_on: opened,
            completed_on: completed,
            trips,
            step_days: vec![(Step::Policy, 2), (Step::Valuation, 5)],
            loan_fen: Fen::new(loan),
            rating: completed.map(|_| 5),
        };
        let cases = [
            c(day(2026, 1, 5), Some(day(2026, 2, 1)), 0, 100_000_000),
            c(day(2026, 1, 6), Some(day(2026, 2, 3)), 1, 0),
            c(day(2026, 2, 6), None, 0, 0),
        ];
        let a = Activity::of(&cases, day(2026, 1, 1), day(2026, 3, 31)).expect("fits");
        assert_eq!((a.opened, a.completed, a.open_now), (3, 2, 1));
        assert_eq!(a.loan_fen, 100_000_000);
        let wild = [
            c(day(2026, 1, 5), Some(day(2026, 2, 1)), 0, i64::MAX),
            c(day(2026, 1, 6), Some(day(2026, 2, 3)), 1, 1),
        ];
        assert_eq!(
            Activity::of(&wild, day(2026, 1, 1), day(2026, 3, 31)),
            Err(MoneyOverflow),
            "a loans' total past fen is refused, never saturated"
        );
        assert_eq!((a.zero_trip, a.trips, a.loans), (1, 1, 1));
        assert_eq!(
            a.zero_trip_pct().map(|p| p.to_string()),
            Some("50.0".into())
        );
        assert_eq!(a.step_days[0].map(|d| d.to_string()), Some("2".into()));
        assert_eq!(a.step_days[1], None);
        assert_eq!(a.rating_avg().map(|d| d.to_string()), Some("5".into()));
        let (passed, finding) = conformance(2, &a);
        assert!(passed, "{finding}");
        assert!(finding.contains("服务站 2 个") && finding.contains("（50.0%）"));
        assert!(!conformance(0, &a).0);
        assert!(!conformance(1, &Activity::default()).0);
    }
}
