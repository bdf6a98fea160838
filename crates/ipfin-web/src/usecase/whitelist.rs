//! The whitelist (白名单, SPEC §6 R3.2; issue #20 item 1) for the pages and the API alike: the
//! district's list on today's business date with each entry's evidence, its filters, the XLSX
//! rows, and the lead officers' decisions to add an enterprise or take a decision back.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::http::write;
use chrono::NaiveDate;
use ipfin_domain::size::SizeClass;
use ipfin_domain::whitelist::EntrySource;
use ipfin_domain::{CreditCode, FieldError, Lang};
use ipfin_store::whitelist::{Evidence, WhitelistEntry, WhitelistFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn today() -> NaiveDate {
    ipfin_store::today_shanghai()
}

/// Filters of the list (`?district=&q=&tag=&source=tag|decision&size=&page=&per_page=`).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct WhitelistQuery {
    /// The district (the city chooses one or sees all; a district sees its own).
    pub district: Option<String>,
    /// A credit code (or its first characters) or part of the name.
    pub q: Option<String>,
    /// A tag type code: only entries with a valid tag of this type.
    pub tag: Option<String>,
    /// `tag` or `decision`: only entries on the list by that.
    pub source: Option<String>,
    /// `large`, `medium`, `small` or `micro`.
    pub size: Option<String>,
    pub page: Option<String>,
    /// Rows per page (1–200, default 20).
    pub per_page: Option<String>,
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl WhitelistQuery {
    /// The filters; every wrong value at once.
    pub fn filter(&self) -> AppResult<WhitelistFilter> {
        let mut errors = Vec::new();
        let source = match opt(&self.source) {
            None => None,
            Some(s) => {
                let v = EntrySource::from_code(s);
                if v.is_none() {
                    errors.push(FieldError::new(
                        "source",
                        "form.choice",
                        "列入依据应为 tag（有效标签）或 decision（认定决定）。",
                        "Source is tag or decision.",
                    ));
                }
                v
            }
        };
        let size = match opt(&self.size) {
            None => None,
            Some(s) => {
                let v = SizeClass::from_code(s);
                if v.is_none() {
                    errors.push(FieldError::new(
                        "size",
                        "form.choice",
                        "企业规模应为 large、medium、small 或 micro。",
                        "Size is large, medium, small or micro.",
                    ));
                }
                v
            }
        };
        if !errors.is_empty() {
            return Err(AppError::from(ipfin_store::StoreError::fields(errors)));
        }
        Ok(WhitelistFilter {
            district: opt(&self.district).map(str::to_string),
            q: opt(&self.q).map(str::to_string),
            tag: opt(&self.tag).map(str::to_string),
            source,
            size,
        })
    }

    pub fn page(&self) -> ipfin_store::Page {
        ipfin_store::Page::new(
            opt(&self.page).and_then(|p| p.parse().ok()),
            opt(&self.per_page).and_then(|p| p.parse().ok()),
        )
    }

    /// The filters as a query string (paging and export links).
    pub fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("district", opt(&self.district).unwrap_or("")),
            ("q", opt(&self.q).unwrap_or("")),
            ("tag", opt(&self.tag).unwrap_or("")),
            ("source", opt(&self.source).unwrap_or("")),
            ("size", opt(&self.size).unwrap_or("")),
        ])
        .unwrap_or_default()
    }
}

/// One piece of evidence of an entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceDto {
    /// `tag` or `decision`.
    pub source: String,
    /// The tag type code (tags only).
    pub tag_type: Option<String>,
    /// The tag type's name, or 认定决定.
    pub label: String,
    /// The list or import that granted the tag, or the decision's reason.
    pub detail: String,
    pub year: Option<i32>,
    pub valid_from: Option<NaiveDate>,
    /// Last day it counts; absent: open-ended.
    pub valid_to: Option<NaiveDate>,
    /// The decision, to take it back (decisions only).
    pub decision_id: Option<i64>,
    /// Who decided (decisions only).
    pub decided_by: Option<String>,
}

impl From<&Evidence> for EvidenceDto {
    fn from(e: &Evidence) -> EvidenceDto {
        EvidenceDto {
            source: e.source.code().to_string(),
            tag_type: e.tag_type.clone(),
            label: e.label.clone(),
            detail: e.detail.clone(),
            year: e.year,
            valid_from: e.valid_from,
            valid_to: e.valid_to,
            decision_id: e.decision_id,
            decided_by: e.decided_by.clone(),
        }
    }
}

/// An enterprise on the whitelist with its evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WhitelistEntryDto {
    pub enterprise_id: i64,
    pub credit_code: String,
    pub name: String,
    pub district_code: String,
    /// The size class code (the officer's override when set).
    pub size_class: Option<String>,
    /// Whether the enterprise agreed to share its data with banks.
    pub data_sharing_consent: bool,
    /// The last day it stays on the list; absent: some evidence is open-ended.
    pub listed_until: Option<NaiveDate>,
    pub evidence: Vec<EvidenceDto>,
}

impl From<WhitelistEntry> for WhitelistEntryDto {
    fn from(e: WhitelistEntry) -> WhitelistEntryDto {
        WhitelistEntryDto {
            listed_until: e.listed_until(),
            evidence: e.evidence.iter().map(EvidenceDto::from).collect(),
            enterprise_id: e.row.enterprise_id,
            credit_code: e.row.credit_code,
            name: e.row.name,
            district_code: e.row.district_code,
            size_class: e.row.size_class,
            data_sharing_consent: e.row.data_sharing_consent,
        }
    }
}

/// The list's page as the caller may see it.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    q: &WhitelistQuery,
    page: ipfin_store::Page,
) -> AppResult<ipfin_store::Paged<WhitelistEntry>> {
    Ok(state
        .store
        .whitelist(&actor.scope, &q.filter()?, page, today())
        .await?)
}

/// A decision to add an enterprise, as the API and the form take it.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// The enterprise's unified social credit code (18 characters).
    pub credit_code: String,
    /// Why it belongs on the list (4–500 characters).
    pub reason: String,
    /// Last day it counts (after today, at most three years; default one year).
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
}

/// Adds an enterprise of the caller's district by decision; returns the decision's id.
pub async fn decide(state: &AppState, actor: &Actor, b: &DecisionBody) -> AppResult<i64> {
    let code = CreditCode::parse(&b.credit_code).map_err(|msg| {
        AppError::invalid(FieldError {
            field: "credit_code",
            msg,
        })
    })?;
    let id = state.store.whitelist_candidate(&actor.scope, &code).await?;
    write!(state, actor, |tx| state
        .store
        .add_to_whitelist(&mut tx, &actor.scope, id, &b.reason, b.valid_to, today())
        .await?)
}

/// Takes a decision back, with the reason.
pub async fn remove(state: &AppState, actor: &Actor, id: i64, reason: &str) -> AppResult<()> {
    write!(state, actor, |tx| state
        .store
        .remove_from_whitelist(&mut tx, &actor.scope, id, reason)
        .await?)
}

/// The XLSX header and rows.
pub fn xlsx_rows(items: &[WhitelistEntry], lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let t = crate::i18n::T(lang);
    let headers = vec![
        t.s("org.credit_code"),
        t.s("ent.name"),
        t.s("district.name"),
        t.s("ent.size"),
        t.s("wl.consent"),
        t.s("wl.evidence"),
        t.s("wl.listed_until"),
    ];
    let rows = items
        .iter()
        .map(|e| {
            vec![
                e.row.credit_code.clone(),
                e.row.name.clone(),
                e.row.district_code.clone(),
                e.row
                    .size_class
                    .as_deref()
                    .and_then(SizeClass::from_code)
                    .map(|s| s.label(lang).to_string())
                    .unwrap_or_default(),
                if e.row.data_sharing_consent {
                    t.s("wl.yes").to_string()
                } else {
                    t.s("wl.no").to_string()
                },
                e.evidence
                    .iter()
                    .map(|v| evidence_text(v, lang))
                    .collect::<Vec<_>>()
                    .join("；"),
                e.listed_until()
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| t.s("wl.open_ended").to_string()),
            ]
        })
        .collect();
    (headers, rows)
}

/// One line of evidence: 高新技术企业（2025，深圳市高新技术企业认定名单，至 2029-05-25）.
pub fn evidence_text(e: &Evidence, lang: Lang) -> String {
    let until = e
        .valid_to
        .map(|d| d.to_string())
        .unwrap_or_else(|| crate::i18n::T(lang).s("wl.open_ended").to_string());
    match (e.source, e.year, lang) {
        (EntrySource::Tag, Some(y), Lang::Zh) => {
            format!("{}（{y}，{}，至 {until}）", e.label, e.detail)
        }
        (EntrySource::Tag, _, Lang::Zh) => format!("{}（{}，至 {until}）", e.label, e.detail),
        (EntrySource::Decision, _, Lang::Zh) => format!(
            "认定决定（{}{}，至 {until}）",
            e.detail,
            e.decided_by
                .as_deref()
                .map(|p| format!("，{p}"))
                .unwrap_or_default()
        ),
        (_, _, Lang::En) => format!("{} ({}, until {until})", e.label, e.detail),
    }
}
