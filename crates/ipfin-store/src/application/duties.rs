//! Separation of duties (issue #17 item 2): before a review stage, a disbursement or a
//! clawback is signed, the signers of the application and the user-administration events that
//! involve them are read from the audit trail and judged by `ipfin_domain::application::duties`.

use super::ApplicationRow;
use crate::db::fetch_all;
use crate::error::{Result, StoreError};
use crate::{Store, WriteTx};
use ipfin_domain::application::duties::{self, AccountAct, AccountEvent, Duty, Signers};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

#[derive(FromQueryResult)]
struct Signed {
    actor_user_id: i64,
    action: String,
    applicant: bool,
}

#[derive(FromQueryResult)]
struct AccountRow {
    actor_user_id: i64,
    entity_id: String,
    action: String,
}

#[derive(FromQueryResult)]
struct Name {
    id: i64,
    display_name: String,
    username: String,
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The application's signers so far: its applicant's users (who acted on it) and who signed
/// which duty, from the audit trail.
async fn signers<C: ConnectionTrait>(conn: &C, row: &ApplicationRow) -> Result<Signers> {
    let rows: Vec<Signed> = fetch_all(
        conn,
        "SELECT DISTINCT a.actor_user_id, a.action, \
                CASE WHEN u.organisation_id = ? THEN TRUE ELSE FALSE END AS applicant \
         FROM audit_events a LEFT JOIN users u ON u.id = a.actor_user_id \
         WHERE a.entity_type = 'application' AND a.entity_id = ? AND a.actor_user_id IS NOT NULL",
        vec![row.applicant_org_id.into(), row.id.to_string().into()],
    )
    .await?;
    let mut s = Signers::default();
    for r in rows {
        if r.applicant {
            if !s.applicants.contains(&r.actor_user_id) {
                s.applicants.push(r.actor_user_id);
            }
        } else if let Some(d) = Duty::of_audit_action(&r.action) {
            s.signed.push((d, r.actor_user_id));
        }
    }
    Ok(s)
}

/// User-administration events between any of these people.
async fn account_events<C: ConnectionTrait>(conn: &C, people: &[i64]) -> Result<Vec<AccountEvent>> {
    let ids: Vec<Value> = people.iter().map(|p| (*p).into()).collect();
    let id_texts: Vec<Value> = people.iter().map(|p| p.to_string().into()).collect();
    let actions: Vec<Value> = AccountAct::AUDIT_ACTIONS
        .iter()
        .map(|a| (*a).into())
        .collect();
    let sql = format!(
        "SELECT actor_user_id, entity_id, action FROM audit_events \
         WHERE entity_type = 'user' AND actor_user_id IS NOT NULL AND action IN ({}) \
           AND (actor_user_id IN ({}) OR entity_id IN ({}))",
        marks(actions.len()),
        marks(ids.len()),
        marks(id_texts.len())
    );
    let mut values = actions;
    values.extend(ids);
    values.extend(id_texts);
    let rows: Vec<AccountRow> = fetch_all(conn, &sql, values).await?;
    // A user event whose subject is not a user id is a broken record: separation of duties
    // cannot be decided without it, so it surfaces instead of being skipped (issue #16 item 4).
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let of = r.entity_id.parse().map_err(|_| {
            tracing::error!(entity_id = %r.entity_id, action = %r.action, "unreadable user id in the audit trail");
            crate::error::StoreError::Internal(format!(
                "audit event {} names user {:?}, not an id",
                r.action, r.entity_id
            ))
        })?;
        if let Some(act) = AccountAct::of_audit_action(&r.action) {
            out.push(AccountEvent {
                by: r.actor_user_id,
                of,
                act,
            });
        }
    }
    Ok(out)
}

impl Store {
    /// Refuses `user` signing `duty` on the application when separation of duties forbids it,
    /// with a message naming the conflict (and the people by name).
    pub(super) async fn check_duty(
        tx: &WriteTx,
        row: &ApplicationRow,
        user: i64,
        duty: Duty,
    ) -> Result<()> {
        let s = signers(tx.conn(), row).await?;
        let mut people: Vec<i64> = s.applicants.clone();
        people.extend(s.signed.iter().map(|(_, u)| *u));
        people.push(user);
        people.sort_unstable();
        people.dedup();
        let events = account_events(tx.conn(), &people).await?;
        let Err(conflict) = duties::check(user, duty, &s, &events) else {
            return Ok(());
        };
        let names: Vec<Name> = fetch_all(
            tx.conn(),
            &format!(
                "SELECT id, display_name, username FROM users WHERE id IN ({})",
                marks(people.len())
            ),
            people.iter().map(|p| (*p).into()).collect(),
        )
        .await?;
        let name = |id: i64| {
            names
                .iter()
                .find(|n| n.id == id)
                .map(|n| format!("{}（{}）", n.display_name, n.username))
                .unwrap_or_else(|| format!("用户 #{id}"))
        };
        Err(StoreError::Conflict(conflict.msg(duty, &name)))
    }
}
