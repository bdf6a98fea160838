//! Loan pages (issue #5): a bank's portfolio and its loan form with pledges, payments, status
//! and contracts; a district's view of its enterprises' loans with totals; an enterprise's own
//! loans; export of any list view to XLSX.

use super::{CsrfForm, FormErrors, PageCtx, flash_key, render, see_other};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::urlencode;
use crate::http::{path_id, write};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use ipfin_domain::financing::{
    ContractKind, LoanStatus, LoanTerms, Payment, PledgeTerms, yuan as fmt_yuan,
};
use ipfin_domain::ip_number::IpKind;
use ipfin_domain::money::parse_amount;
use ipfin_domain::visibility::{Party, Reach, Records};
use ipfin_domain::{CreditCode, Fen, FieldError, Lang, OrgId, Scope};
use ipfin_store::Paged;
use ipfin_store::financing::{
    ContractInput, LoanDetail, LoanFilter, LoanInput, LoanRow, LoanTotals, PledgeInput,
    PledgeItemInput, SaveOutcome, parse_rate,
};
use serde::Deserialize;

/// 元 with two decimals and thousands separators (an amount, or a plain number of fen).
pub fn yuan<F: Copy + Into<Fen>>(fen: &F) -> String {
    fmt_yuan(*fen)
}

fn status_label(lang: Lang, code: &str) -> &'static str {
    LoanStatus::from_code(code)
        .map(|s| s.label(lang))
        .unwrap_or("")
}

fn kinds_label(lang: Lang, codes: &str) -> String {
    codes
        .split(',')
        .filter_map(IpKind::from_code)
        .map(|k| if lang == Lang::En { k.en() } else { k.zh() })
        .collect::<Vec<_>>()
        .join("、")
}

fn rate_label(rate: &str) -> String {
    rate.parse::<rust_decimal::Decimal>()
        .map(|r| format!("{}%", (r * rust_decimal::Decimal::ONE_HUNDRED).normalize()))
        .unwrap_or_else(|_| rate.to_string())
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct LoanListQuery {
    q: Option<String>,
    status: Option<String>,
    first_loan: Option<String>,
    ip_kind: Option<String>,
    year: Option<String>,
    district: Option<String>,
    lender: Option<String>,
    page: Option<String>,
    ok: Option<String>,
}

impl LoanListQuery {
    fn filter(&self) -> LoanFilter {
        LoanFilter {
            q: self.q.clone().filter(|q| !q.trim().is_empty()),
            status: self.status.as_deref().and_then(LoanStatus::from_code),
            first_loan: match self.first_loan.as_deref() {
                Some("yes") => Some(true),
                Some("no") => Some(false),
                _ => None,
            },
            ip_kind: self.ip_kind.as_deref().and_then(IpKind::from_code),
            year: self.year.as_deref().and_then(|y| y.trim().parse().ok()),
            district: self.district.clone().filter(|d| !d.is_empty()),
            lender_org_id: self.lender.as_deref().and_then(|l| l.parse::<OrgId>().ok()),
            ..LoanFilter::default()
        }
    }

    fn query_string(&self) -> String {
        let v = |o: &Option<String>| urlencode(o.as_deref().unwrap_or(""));
        format!(
            "q={}&status={}&first_loan={}&ip_kind={}&year={}&district={}&lender={}",
            v(&self.q),
            v(&self.status),
            v(&self.first_loan),
            v(&self.ip_kind),
            v(&self.year),
            v(&self.district),
            v(&self.lender)
        )
    }
}

#[derive(Template)]
#[template(path = "loans.html")]
struct LoansPage {
    ctx: PageCtx,
    list: Paged<LoanRow>,
    totals: LoanTotals,
    q: LoanListQuery,
    statuses: Vec<(&'static str, &'static str)>,
    ip_kinds: Vec<(&'static str, &'static str)>,
    districts: Vec<(String, String)>,
    /// Lending institutions (id, name) for the lender filter of the city's and districts' views.
    lenders: Vec<(String, String)>,
    show_district: bool,
    show_lender: bool,
    can_report: bool,
    export_link: String,
    prev: Option<String>,
    next: Option<String>,
}

impl LoansPage {
    fn status(&self, code: &str) -> &'static str {
        status_label(self.ctx.lang, code)
    }
    fn kinds(&self, codes: &str) -> String {
        kinds_label(self.ctx.lang, codes)
    }
    fn kind(&self, code: &str) -> &'static str {
        IpKind::from_code(code)
            .map(|k| {
                if self.ctx.lang == Lang::En {
                    k.en()
                } else {
                    k.zh()
                }
            })
            .unwrap_or("")
    }
    fn money(&self, fen: &Fen) -> String {
        yuan(fen)
    }
    fn rate(&self, r: &str) -> String {
        rate_label(r)
    }
    fn sel(&self, v: &Option<String>, code: &str) -> bool {
        v.as_deref() == Some(code)
    }
    /// A share of loans or of an amount: the same arithmetic for counts and fen.
    fn share<N: Copy + Into<i64>>(&self, part: &N, whole: &N) -> String {
        let (part, whole) = (i128::from((*part).into()), i128::from((*whole).into()));
        if whole == 0 {
            "—".into()
        } else {
            // Percent with one decimal, rounded half up, in integers (i128: no overflow for
            // any amount of fen).
            let permille = (part * 1000 * 2 + whole) / (whole * 2);
            format!("{}.{}%", permille / 10, permille % 10)
        }
    }
}

/// (code, label) pairs for a select.
type Options = Vec<(&'static str, &'static str)>;

fn lists(lang: Lang) -> (Options, Options) {
    (
        LoanStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label(lang)))
            .collect(),
        IpKind::ALL
            .iter()
            .map(|k| (k.code(), if lang == Lang::En { k.en() } else { k.zh() }))
            .collect(),
    )
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<LoanListQuery>,
) -> AppResult<Response> {
    let filter = q.filter();
    let page = ipfin_store::Page::new(q.page.as_deref().and_then(|p| p.parse().ok()), None);
    let list = state.store.loans(&actor.scope, &filter, page).await?;
    let totals = state.store.loan_totals(&actor.scope, &filter).await?;
    let qs = q.query_string();
    let prev = (list.page > 1).then(|| format!("/loans?{qs}&page={}", list.page - 1));
    let next = (list.page < list.pages()).then(|| format!("/loans?{qs}&page={}", list.page + 1));
    let (statuses, ip_kinds) = lists(actor.lang);
    // The lending institution sees its own loans only: no lender column, but the district.
    let lender = matches!(
        actor.scope.reach(Records::Loans),
        Reach::Party(Party::Lender, _)
    );
    let show_district = actor.scope.is_city() || lender;
    let districts = if show_district {
        state
            .store
            .districts()
            .await?
            .into_iter()
            .map(|d| (d.code, d.name))
            .collect()
    } else {
        Vec::new()
    };
    let lenders = if actor.scope.is_government() {
        state
            .store
            .organisations(
                &Scope::City,
                &ipfin_store::org::OrgFilter {
                    kind: Some(ipfin_domain::OrgKind::FinancialInstitution),
                    ..Default::default()
                },
                ipfin_store::Page::new(Some(1), Some(ipfin_store::Page::MAX_PER_PAGE)),
            )
            .await?
            .items
            .into_iter()
            .filter(|o| o.institution_type.as_deref() == Some("bank"))
            .map(|o| (o.id.to_string(), o.name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(render(
        StatusCode::OK,
        &LoansPage {
            ctx: PageCtx::new(&actor, &state, "/loans").with_flash(flash_key(&q.ok)),
            lenders,
            export_link: format!("/loans/export.xlsx?{qs}"),
            show_lender: !lender,
            can_report: lender,
            list,
            totals,
            q,
            statuses,
            ip_kinds,
            districts,
            show_district,
            prev,
            next,
        },
    ))
}

/// The loans of the current list view (same filters) as an XLSX workbook.
pub async fn export(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<LoanListQuery>,
) -> AppResult<Response> {
    use rust_xlsxwriter::{Format, Workbook};
    const LIMIT: u64 = super::enterprise::EXPORT_LIMIT;
    let rows = state
        .store
        .export_loans(&actor.scope, &q.filter(), LIMIT + 1)
        .await?;
    if rows.len() as u64 > LIMIT {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "export.too_many",
            format!("符合条件的贷款超过 {LIMIT} 笔，请增加筛选条件后再导出。"),
            format!("More than {LIMIT} loans match: narrow the filter and export again."),
        ));
    }
    let lang = actor.lang;
    let t = crate::i18n::T(lang);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let xl = |e: rust_xlsxwriter::XlsxError| AppError::internal(format!("xlsx: {e}"));
    sheet.set_name(t.s("nav.loans")).map_err(xl)?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let headers = [
        t.s("loan.lender"),
        t.s("loan.contract_number"),
        t.s("loan.borrower"),
        t.s("org.credit_code"),
        t.s("district.name"),
        t.s("ent.size"),
        t.s("loan.principal_yuan"),
        t.s("loan.rate"),
        t.s("loan.start"),
        t.s("loan.end"),
        t.s("loan.ip_kinds"),
        t.s("loan.first_loan"),
        t.s("loan.status"),
        t.s("loan.repaid_yuan"),
        t.s("loan.interest_yuan"),
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xl)?;
    }
    let formats = super::export::Formats::new();
    for (i, l) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &l.lender_name).map_err(xl)?;
        sheet.write_string(r, 1, &l.contract_number).map_err(xl)?;
        sheet.write_string(r, 2, &l.enterprise_name).map_err(xl)?;
        sheet.write_string(r, 3, &l.credit_code).map_err(xl)?;
        sheet
            .write_string(r, 4, l.district_code.clone().unwrap_or_default())
            .map_err(xl)?;
        let size = l
            .size_class
            .as_deref()
            .and_then(ipfin_domain::size::SizeClass::from_code)
            .map(|c| c.label(lang))
            .unwrap_or("");
        sheet.write_string(r, 5, size).map_err(xl)?;
        for (col, fen) in [
            (6u16, l.principal_fen),
            (13, l.repaid_fen),
            (14, l.interest_paid_fen),
        ] {
            sheet
                .write_number_with_format(
                    r,
                    col,
                    ipfin_domain::money::fen_to_sheet_number(fen.get()),
                    &money,
                )
                .map_err(xl)?;
        }
        sheet
            .write_string(r, 7, rate_label(&l.annual_rate))
            .map_err(xl)?;
        // Dates as dates (decision 0038), so a sheet can sort and compute with them.
        for (col, d) in [(8u16, l.start_date), (9, l.end_date)] {
            super::export::write_cell(sheet, &formats, r, col, &super::export::Cell::Date(d))
                .map_err(xl)?;
        }
        sheet
            .write_string(r, 10, kinds_label(lang, &l.ip_kinds))
            .map_err(xl)?;
        sheet
            .write_string(
                r,
                11,
                if l.first_loan {
                    t.s("common.yes")
                } else {
                    t.s("common.no")
                },
            )
            .map_err(xl)?;
        sheet
            .write_string(r, 12, status_label(lang, &l.status))
            .map_err(xl)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xl)?;
    sheet.autofit();
    let bytes = book.save_to_buffer().map_err(xl)?;
    Ok(super::import::xlsx(bytes, "loans.xlsx"))
}

/// The loan form as typed: amounts in 元, the rate in percent, one pledge registration with
/// its IP items one per line (`专利 202310123456.6 标题`).
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct LoanForm {
    borrower_credit_code: String,
    contract_number: String,
    principal: String,
    rate: String,
    start_date: String,
    end_date: String,
    disbursement_date: String,
    first_loan: Option<String>,
    other_collateral: Option<String>,
    ip_amount: String,
    ip_ratio: String,
    pledge_number: String,
    secured_amount: String,
    registration_date: String,
    items: String,
    related_party: String,
}

fn date(value: &str, field: &'static str) -> Result<Option<NaiveDate>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    ipfin_store::import::parse_date(v).map(Some).ok_or_else(|| {
        FieldError::new(
            field,
            "date.format",
            "日期格式应为 YYYY-MM-DD（如 2026-03-05），也可写 2026年3月5日。",
            "Dates are YYYY-MM-DD, e.g. 2026-03-05.",
        )
    })
}

fn required_date(value: &str, field: &'static str) -> Result<NaiveDate, FieldError> {
    date(value, field)?.ok_or_else(|| {
        FieldError::new(
            field,
            "date.required",
            "请填写日期（YYYY-MM-DD）。",
            "Enter the date (YYYY-MM-DD).",
        )
    })
}

fn amount(value: &str, field: &'static str) -> Result<Option<Fen>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    parse_amount(v, 100)
        .map(|f| Some(Fen::new(f)))
        .ok_or_else(|| {
            FieldError::new(
                field,
                "amount.format",
                "金额以元填写，最多两位小数，例如 5000000 或 5,000,000.00。",
                "Amounts in yuan with at most two decimals, e.g. 5000000.00.",
            )
        })
}

/// Reads an IP item line: a kind (Chinese name or code), the number, then an optional title.
fn item_line(line: &str) -> Result<PledgeItemInput, FieldError> {
    let mut parts = line.split_whitespace();
    let kind_text = parts.next().unwrap_or("");
    let kind = IpKind::ALL
        .iter()
        .find(|k| k.code() == kind_text || k.zh() == kind_text || k.en() == kind_text)
        .or(match kind_text {
            "专利" => Some(&IpKind::Patent),
            "软著" | "软件著作权" => Some(&IpKind::SoftwareCopyright),
            "作品" | "作品著作权" => Some(&IpKind::WorksCopyright),
            _ => None,
        })
        .ok_or_else(|| {
            FieldError::new(
                "items",
                "pledge.item_line",
                format!("“{line}”：每行写类型（专利、商标、软件著作权、作品著作权）、号码和名称，以空格分隔。"),
                format!("“{line}”: write the kind, the number and the title on each line, separated by spaces."),
            )
        })?;
    let number = parts.next().unwrap_or("").to_string();
    let title = parts.collect::<Vec<_>>().join(" ");
    Ok(PledgeItemInput {
        kind: kind.code().into(),
        number,
        title: Some(title).filter(|t| !t.is_empty()),
        related_party: None,
    })
}

impl LoanForm {
    /// Reads the whole form: every field is checked even when an earlier one is wrong, so the
    /// bank sees all its problems at once (issue #23 item 1).
    fn to_input(&self) -> Result<LoanInput, Vec<FieldError>> {
        let mut e = ipfin_domain::FieldErrors::default();
        let principal = e.take(amount(&self.principal, "principal"));
        let rate = e.take(parse_rate(&self.rate).ok_or_else(|| {
            FieldError::new(
                "rate",
                "loan.rate",
                "年利率以百分数填写，例如 3.45。",
                "Enter the annual rate as a percentage, e.g. 3.45.",
            )
        }));
        let start = e.take(required_date(&self.start_date, "start_date"));
        let end = e.take(required_date(&self.end_date, "end_date"));
        let disbursed = e.take(date(&self.disbursement_date, "disbursement_date"));
        let ip_ratio = match self.ip_ratio.trim() {
            "" => Some(None),
            r => e.take(
                parse_rate(&format!("{}%", r.trim_end_matches('%')))
                    .map(Some)
                    .ok_or_else(|| {
                        FieldError::new(
                            "ip_ratio",
                            "loan.ip_ratio",
                            "知识产权对应比例以百分数填写，例如 60。",
                            "Enter the IP-attributable share as a percentage, e.g. 60.",
                        )
                    }),
            ),
        };
        let ip_amount = e.take(amount(&self.ip_amount, "ip_amount"));
        let secured = e.take(amount(&self.secured_amount, "secured_amount"));
        let registration_date = e.take(required_date(&self.registration_date, "registration_date"));
        let related = self.related_party.trim().to_string();
        let mut items = Vec::new();
        for line in self.items.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(mut it) = e.take(item_line(line)) {
                if !related.is_empty() {
                    it.related_party = Some(related.clone());
                }
                items.push(it);
            }
        }
        let borrower_credit_code = e.take(CreditCode::parse(&self.borrower_credit_code).map_err(
            |msg| FieldError {
                field: "borrower_credit_code",
                msg,
            },
        ));
        let (
            Some(principal),
            Some(rate),
            Some(start),
            Some(end),
            Some(disbursed),
            Some(ip_ratio),
            Some(ip_amount),
            Some(secured),
            Some(registration_date),
            Some(borrower_credit_code),
        ) = (
            principal,
            rate,
            start,
            end,
            disbursed,
            ip_ratio,
            ip_amount,
            secured,
            registration_date,
            borrower_credit_code,
        )
        else {
            return Err(e.0);
        };
        e.finish()?;
        let principal = principal.unwrap_or_default();
        Ok(LoanInput {
            borrower_credit_code,
            terms: LoanTerms {
                contract_number: self.contract_number.clone(),
                principal_fen: principal,
                annual_rate: rate,
                start,
                end,
                disbursements: disbursed
                    .map(|d| ipfin_domain::financing::Disbursement {
                        date: d,
                        amount_fen: principal,
                    })
                    .into_iter()
                    .collect(),
                other_collateral: self.other_collateral.is_some(),
                ip_amount_fen: ip_amount,
                ip_ratio,
            },
            first_loan: self.first_loan.is_some(),
            status: None,
            pledges: vec![PledgeInput {
                terms: PledgeTerms {
                    number: self.pledge_number.clone(),
                    secured_amount_fen: secured.unwrap_or(principal),
                    registration_date,
                    cancellation_date: None,
                },
                items,
            }],
        })
    }
}

/// How the pledge number's example is introduced in the hint.
fn ctx_example_prefix(lang: ipfin_domain::Lang) -> &'static str {
    match lang {
        ipfin_domain::Lang::Zh => "如 ",
        ipfin_domain::Lang::En => "e.g. ",
    }
}

/// Form field names for the store's field names, so the error shows beside the right input.
fn form_field(mut e: AppError) -> AppError {
    e.field = e.field.map(|f| match f {
        "principal_fen" => "principal",
        "annual_rate" => "rate",
        "ip_amount_fen" => "ip_amount",
        "disbursements" => "disbursement_date",
        "secured_amount_fen" => "secured_amount",
        "pledge_items" | "pledges" => "items",
        "pledge_number" => "pledge_number",
        "cancellation_date" => "registration_date",
        other => other,
    });
    e
}

#[derive(Template)]
#[template(path = "loan_new.html")]
struct LoanNewPage {
    ctx: PageCtx,
    form: LoanForm,
    errors: FormErrors,
    pattern: String,
}

fn new_page_of(actor: &Actor, state: &AppState, form: LoanForm, errors: FormErrors) -> LoanNewPage {
    LoanNewPage {
        ctx: PageCtx::new(actor, state, "/loans/new"),
        form,
        errors,
        // An example number, never the pattern itself (issue #23 item 6).
        pattern: ipfin_store::financing::pledge_pattern()
            .map(|p| format!("{}{}", ctx_example_prefix(actor.lang), p.example()))
            .unwrap_or_default(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewLoanQuery {
    /// A loan of the caller's to correct: the form starts with its facts.
    from: Option<String>,
}

/// Percent as typed into a form: 0.0345 → 3.45.
fn percent_plain(fraction: &str) -> String {
    fraction
        .parse::<rust_decimal::Decimal>()
        .map(|r| {
            (r * rust_decimal::Decimal::ONE_HUNDRED)
                .normalize()
                .to_string()
        })
        .unwrap_or_default()
}

impl LoanForm {
    /// The form for correcting a reported loan (same contract number: saving updates it).
    fn from_loan(l: &LoanDetail) -> LoanForm {
        let p = l.pledges.first();
        LoanForm {
            borrower_credit_code: l.loan.credit_code.clone(),
            contract_number: l.loan.contract_number.clone(),
            principal: Fen::plain(l.loan.principal_fen),
            rate: percent_plain(&l.loan.annual_rate),
            start_date: l.loan.start_date.to_string(),
            end_date: l.loan.end_date.to_string(),
            disbursement_date: l.loan.first_disbursed.to_string(),
            first_loan: l.loan.first_loan.then(|| "yes".into()),
            other_collateral: l.loan.other_collateral.then(|| "yes".into()),
            ip_amount: l.loan.ip_amount_fen.map(Fen::plain).unwrap_or_default(),
            ip_ratio: l
                .loan
                .ip_ratio
                .as_deref()
                .map(percent_plain)
                .unwrap_or_default(),
            pledge_number: p.map(|p| p.pledge.number.clone()).unwrap_or_default(),
            secured_amount: p
                .map(|p| Fen::plain(p.pledge.secured_amount_fen))
                .unwrap_or_default(),
            registration_date: p
                .map(|p| p.pledge.registration_date.to_string())
                .unwrap_or_default(),
            items: p
                .map(|p| {
                    p.items
                        .iter()
                        .map(|i| format!("{} {} {}", i.kind, i.number, i.title))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
            related_party: p
                .and_then(|p| p.items.iter().find_map(|i| i.related_party.clone()))
                .unwrap_or_default(),
        }
    }
}

pub async fn new_page(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<NewLoanQuery>,
) -> AppResult<Response> {
    let form = match q.from.as_deref().and_then(|id| id.parse::<i64>().ok()) {
        Some(id) => LoanForm::from_loan(&state.store.loan(&actor.scope, id).await?),
        None => LoanForm::default(),
    };
    Ok(render(
        StatusCode::OK,
        &new_page_of(&actor, &state, form, FormErrors::default()),
    ))
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    form: CsrfForm<LoanForm>,
) -> AppResult<Response> {
    let f = form.data;
    let result = match f.to_input() {
        Ok(input) => async {
            let mut tx = state.store.write(actor.audit_actor()).await?;
            let saved = state.store.save_loan(&mut tx, &actor.scope, &input).await?;
            if saved.outcome == SaveOutcome::Unchanged {
                tx.rollback().await?;
            } else {
                tx.commit().await?;
            }
            Ok::<_, ipfin_store::StoreError>(saved)
        }
        .await
        .map_err(AppError::from),
        Err(problems) => Err(ipfin_store::StoreError::fields(problems).into()),
    };
    match result.map_err(form_field) {
        Ok(saved) => Ok(see_other(
            &format!("/loans/{}", saved.id),
            if saved.outcome == SaveOutcome::Created {
                "created"
            } else {
                "updated"
            },
        )),
        Err(e) if e.field.is_some() || e.problems.is_some() || e.status == StatusCode::CONFLICT => {
            Ok(render(
                e.status,
                &new_page_of(&actor, &state, f, FormErrors::from_error(&e, actor.lang)),
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "loan.html")]
struct LoanPage {
    ctx: PageCtx,
    l: LoanDetail,
    warnings: Vec<String>,
    can_write: bool,
    errors: FormErrors,
    statuses: Vec<(&'static str, &'static str)>,
    contract_kinds: Vec<(&'static str, &'static str)>,
    today: String,
}

impl LoanPage {
    fn status(&self, code: &str) -> &'static str {
        status_label(self.ctx.lang, code)
    }
    fn money(&self, fen: &Fen) -> String {
        yuan(fen)
    }
    fn opt_money(&self, fen: &Option<Fen>) -> String {
        fen.map(|f| yuan(&f)).unwrap_or_else(|| "—".into())
    }
    fn rate(&self, r: &str) -> String {
        rate_label(r)
    }
    fn kind(&self, code: &str) -> &'static str {
        IpKind::from_code(code)
            .map(|k| {
                if self.ctx.lang == Lang::En {
                    k.en()
                } else {
                    k.zh()
                }
            })
            .unwrap_or("")
    }
    fn contract_kind(&self, code: &str) -> &'static str {
        ContractKind::from_code(code)
            .map(|k| k.label(self.ctx.lang))
            .unwrap_or("")
    }
    fn kinds(&self, codes: &str) -> String {
        kinds_label(self.ctx.lang, codes)
    }
}

async fn loan_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    errors: FormErrors,
    flash: Option<&str>,
) -> AppResult<LoanPage> {
    let l = state.store.loan(&actor.scope, id).await?;
    let lang = actor.lang;
    Ok(LoanPage {
        ctx: PageCtx::new(actor, state, &format!("/loans/{id}")).with_flash(flash),
        warnings: l
            .warnings
            .iter()
            .map(|w| w.text(lang).to_string())
            .collect(),
        can_write: actor.scope.reach(Records::Loans)
            == Reach::Party(Party::Lender, l.loan.lender_org_id),
        statuses: lists(lang).0,
        contract_kinds: ContractKind::ALL
            .iter()
            .map(|k| (k.code(), k.label(lang)))
            .collect(),
        today: ipfin_store::today_shanghai().to_string(),
        l,
        errors,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<super::ListQuery>,
) -> AppResult<Response> {
    let page = loan_page(
        &state,
        &actor,
        path_id(&id)?,
        FormErrors::default(),
        flash_key(&q.ok),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

async fn after(state: &AppState, actor: &Actor, id: i64, r: AppResult<()>) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(see_other(&format!("/loans/{id}"), "updated")),
        Err(e) if e.field.is_some() || e.status == StatusCode::CONFLICT => {
            let errors = FormErrors::from_error(&e, actor.lang);
            Ok(render(
                e.status,
                &loan_page(state, actor, id, errors, None).await?,
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PaymentForm {
    date: String,
    /// 元 (the field is named after the store's field, so errors show beside it).
    principal_fen: String,
    interest_fen: String,
}

pub async fn add_payment(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<PaymentForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.loan(&actor.scope, id).await?;
    let f = form.data;
    let parsed = (|| {
        Ok::<_, FieldError>(Payment {
            date: required_date(&f.date, "date")?,
            principal_fen: amount(&f.principal_fen, "principal_fen")?.unwrap_or_default(),
            interest_fen: amount(&f.interest_fen, "interest_fen")?.unwrap_or_default(),
        })
    })();
    let r = match parsed {
        Ok(p) => write!(state, actor, |tx| state
            .store
            .add_payment(&mut tx, &actor.scope, id, p)
            .await?)
        .map(|_| ()),
        Err(fe) => Err(AppError::invalid(fe)),
    };
    after(&state, &actor, id, r).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    date: String,
    note: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<StatusForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.loan(&actor.scope, id).await?;
    let f = form.data;
    let r = match (
        LoanStatus::from_code(&f.status),
        required_date(&f.date, "date"),
    ) {
        (Some(s), Ok(d)) => write!(state, actor, |tx| state
            .store
            .set_loan_status(&mut tx, &actor.scope, id, s, d, &f.note)
            .await?)
        .map(|_| ()),
        (None, _) => Err(AppError::invalid(FieldError::new(
            "status",
            "loan.status",
            "请选择贷款状态。",
            "Choose the status.",
        ))),
        (_, Err(fe)) => Err(AppError::invalid(fe)),
    };
    after(&state, &actor, id, r).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContractForm {
    kind: String,
    provider_name: String,
    contract_number: String,
    /// Amounts in 元, named after the store's fields.
    fee_fen: String,
    invoice_number: String,
    paid_date: String,
    paid_fen: String,
    appraised_value_fen: String,
    report_date: String,
}

pub async fn add_contract(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    form: CsrfForm<ContractForm>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    state.store.loan(&actor.scope, id).await?;
    let f = form.data;
    let parsed = (|| {
        Ok::<_, FieldError>(ContractInput {
            kind: f.kind.clone(),
            provider_name: f.provider_name.clone(),
            contract_number: f.contract_number.clone(),
            fee_fen: amount(&f.fee_fen, "fee_fen")?.unwrap_or_default(),
            invoice_number: Some(f.invoice_number.clone()),
            invoice_date: None,
            paid_date: date(&f.paid_date, "paid_date")?,
            paid_fen: amount(&f.paid_fen, "paid_fen")?,
            appraised_value_fen: amount(&f.appraised_value_fen, "appraised_value_fen")?,
            report_date: date(&f.report_date, "report_date")?,
        })
    })();
    let r = match parsed {
        Ok(c) => write!(state, actor, |tx| state
            .store
            .add_contract(&mut tx, &actor.scope, id, &c)
            .await?)
        .map(|_| ()),
        Err(fe) => Err(AppError::invalid(fe)),
    };
    after(&state, &actor, id, r).await
}
