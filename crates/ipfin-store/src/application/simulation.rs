//! Inputs of the policy simulator: past enterprise fee applications of a policy year.

use super::{ACTIVE, Body, ItemRow, internal};
use crate::Store;
use crate::column::{Code, decode};
use crate::db::fetch_all;
use crate::error::Result;
use ipfin_domain::Fen;
use ipfin_domain::application::Line;
use ipfin_domain::org::Scope;
use ipfin_domain::policy::rules::Item;
use sea_orm::FromQueryResult;

impl Store {
    /// Past enterprise fee applications of a policy year for the simulator: the district's own
    /// for its officers and members, every district's for the city. Drafts and applications
    /// that ended without a grant (withdrawn, not accepted, rejected) are left out.
    pub async fn simulation_inputs(
        &self,
        scope: &Scope,
        year: i32,
    ) -> Result<Vec<ipfin_domain::policy::simulate::PastApplication>> {
        if !scope.is_government() {
            return Ok(vec![]);
        }
        let (cond, mut values) =
            crate::visibility::condition(scope, ipfin_domain::visibility::Records::Applications);
        values.push(year.into());
        #[derive(FromQueryResult)]
        struct P {
            id: i64,
            applicant_org_id: i64,
            district_code: String,
            body: String,
            /// Decoded when loaded: an unknown stored class is an internal error, never `Small`.
            size_class: Option<Code<ipfin_domain::size::SizeClass>>,
            operating_revenue_fen: Option<Fen>,
        }
        let rows: Vec<P> = fetch_all(
            self.conn(),
            &format!(
                "SELECT a.id, a.applicant_org_id, a.district_code, a.body, COALESCE(e.size_override, e.size_class) AS size_class, \
                 e.operating_revenue_fen FROM applications a JOIN enterprises e ON e.id = a.enterprise_id \
                 WHERE {cond} AND a.policy_year = ? AND a.kind = 'enterprise_fee' AND a.state IN {ACTIVE} \
                 ORDER BY a.submitted_at, a.id"
            ),
            values,
        )
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let body: Body = serde_json::from_str(&r.body).map_err(internal)?;
            let items: Vec<ItemRow> = fetch_all(
                self.conn(),
                "SELECT item, computed_fen, approved_fen, reason, granted_fen FROM application_items WHERE application_id = ? ORDER BY item",
                vec![r.id.into()],
            )
            .await?;
            out.push(ipfin_domain::policy::simulate::PastApplication {
                id: r.id,
                applicant: r.applicant_org_id,
                district: r.district_code,
                // An enterprise without a recorded class counts as small (as before).
                class: r
                    .size_class
                    .map_or(ipfin_domain::size::SizeClass::Small, Code::get),
                operating_revenue_fen: r.operating_revenue_fen,
                loans: body.lines.iter().map(Line::to_calc).collect(),
                // An unknown stored item code is an internal error, never skipped.
                current: items
                    .iter()
                    .map(|i| {
                        let item = decode::<Item>("application_items.item", &i.item)?;
                        Ok((
                            item,
                            i.granted_fen.or(i.approved_fen).unwrap_or(i.computed_fen),
                        ))
                    })
                    .collect::<Result<_>>()?,
            });
        }
        Ok(out)
    }
}
