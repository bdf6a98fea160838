//! The coordination mechanism (SPEC §1 R1.1; issue #8): a district's member departments with
//! their contact persons and its data-sharing arrangements, as the page and the API show them.

use crate::AppState;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use ipfin_domain::OrgKind;
use ipfin_store::coordination::Arrangement;
use ipfin_store::org::{ContactPerson, OrgFilter};
use serde::Serialize;
use utoipa::ToSchema;

/// A department of the district with its contact persons.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentDto {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub is_lead: bool,
    #[schema(value_type = Vec<Object>)]
    pub contacts: Vec<ContactPerson>,
}

/// The record the page and the API show: departments with contacts and the arrangements.
pub async fn record(
    state: &AppState,
    actor: &Actor,
    code: &str,
) -> AppResult<(Vec<DepartmentDto>, Vec<Arrangement>)> {
    if !actor.scope.reads_district(code) {
        return Err(AppError::not_found());
    }
    let today = ipfin_store::today_shanghai();
    let lead = ipfin_store::Store::lead_on(state.store.conn(), code, today).await?;
    let orgs = state
        .store
        .organisations(
            &actor.scope,
            &OrgFilter {
                kind: Some(OrgKind::Department),
                district_code: Some(code.to_string()),
                q: None,
            },
            ipfin_store::Page::new(Some(1), Some(200)),
        )
        .await?
        .items;
    let mut departments = Vec::with_capacity(orgs.len());
    for o in orgs {
        departments.push(DepartmentDto {
            contacts: state.store.contacts(&actor.scope, o.id).await?,
            is_lead: lead == Some(o.id),
            id: o.id,
            name: o.name,
            active: o.active,
        });
    }
    let arrangements = state.store.arrangements(&actor.scope, code, today).await?;
    Ok((departments, arrangements))
}
