//! The append-only audit log: appending inside the writer's transaction, listing, and verifying
//! the SM3 chain end to end.

use crate::Store;
use crate::db::{Page, Paged, exec, fetch_all, fetch_one};
use crate::error::Result;
use ipfin_domain::audit::{AuditEvent, ChainBreak, ChainVerifier, StoredEvent};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;

/// Who performs a write, as recorded in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    pub user_id: Option<i64>,
    pub label: String,
}

impl AuditActor {
    pub fn user(id: i64, username: &str) -> AuditActor {
        AuditActor {
            user_id: Some(id),
            label: format!("user:{id} {username}"),
        }
    }
    pub fn token(id: i64) -> AuditActor {
        AuditActor {
            user_id: None,
            label: format!("token:{id}"),
        }
    }
    pub fn system(what: &str) -> AuditActor {
        AuditActor {
            user_id: None,
            label: format!("system:{what}"),
        }
    }
}

#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at_us: i64,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub data: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    fn into_stored(self) -> StoredEvent {
        // Unparseable data cannot reproduce its hash: keep it as a string so the check fails.
        let data = serde_json::from_str(&self.data)
            .unwrap_or_else(|_| serde_json::Value::String(self.data.clone()));
        StoredEvent {
            event: AuditEvent {
                seq: self.seq,
                at_us: self.at_us,
                actor_user_id: self.actor_user_id,
                actor: self.actor,
                action: self.action,
                entity_type: self.entity_type,
                entity_id: self.entity_id,
                data,
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

#[derive(FromQueryResult)]
struct Head {
    seq: i64,
    hash: String,
}

/// Appends one event to the chain within the caller's transaction. The first statement updates
/// the chain head row, which locks it (row lock on PostgreSQL, the write lock on SQLite), so
/// concurrent writers are serialised and the chain has no forks or gaps.
pub async fn append<C: ConnectionTrait>(
    conn: &C,
    actor: &AuditActor,
    action: &str,
    entity_type: &str,
    entity_id: &str,
    data: serde_json::Value,
) -> Result<()> {
    exec(
        conn,
        "UPDATE audit_head SET seq = seq + 1 WHERE id = 1",
        vec![],
    )
    .await?;
    let head: Head = fetch_one(
        conn,
        "SELECT seq, hash FROM audit_head WHERE id = 1",
        vec![],
    )
    .await?;
    let event = AuditEvent {
        seq: head.seq,
        at_us: crate::now_us(),
        actor_user_id: actor.user_id,
        actor: actor.label.clone(),
        action: action.to_string(),
        entity_type: entity_type.to_string(),
        entity_id: entity_id.to_string(),
        data,
    };
    let hash = event.chain_hash(&head.hash);
    exec(
        conn,
        "INSERT INTO audit_events (seq, at_us, actor_user_id, actor, action, entity_type, entity_id, data, prev_hash, hash) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            event.seq.into(),
            event.at_us.into(),
            event.actor_user_id.into(),
            event.actor.clone().into(),
            event.action.clone().into(),
            event.entity_type.clone().into(),
            event.entity_id.clone().into(),
            ipfin_domain::audit::canonical_json(&event.data).into(),
            head.hash.into(),
            hash.clone().into(),
        ],
    )
    .await?;
    exec(
        conn,
        "UPDATE audit_head SET hash = ? WHERE id = 1",
        vec![hash.into()],
    )
    .await?;
    Ok(())
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact { events: i64 },
    Broken(ChainBreak),
}

impl Store {
    /// Walks the whole chain in sequence order, in batches, and reports the first break.
    pub async fn audit_verify(&self) -> Result<Verification> {
        let mut verifier = ChainVerifier::default();
        let mut after = 0i64;
        loop {
            let rows: Vec<AuditRow> = fetch_all(
                self.conn(),
                "SELECT seq, at_us, actor_user_id, actor, action, entity_type, entity_id, data, prev_hash, hash \
                 FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 5000",
                vec![after.into()],
            )
            .await?;
            let Some(last) = rows.last() else { break };
            after = last.seq;
            for row in rows {
                if let Err(b) = verifier.feed(&row.into_stored()) {
                    return Ok(Verification::Broken(b));
                }
            }
        }
        let head: Head = fetch_one(
            self.conn(),
            "SELECT seq, hash FROM audit_head WHERE id = 1",
            vec![],
        )
        .await?;
        Ok(match verifier.finish(head.seq, &head.hash) {
            Ok(n) => Verification::Intact { events: n },
            Err(b) => Verification::Broken(b),
        })
    }

    /// The newest events first, optionally for one entity (city-wide view: callers check the role).
    pub async fn audit_list(
        &self,
        entity: Option<(&str, &str)>,
        page: Page,
    ) -> Result<Paged<AuditRow>> {
        let (filter, values): (&str, Vec<sea_orm::Value>) = match entity {
            Some((t, id)) => (
                "WHERE entity_type = ? AND entity_id = ?",
                vec![t.into(), id.into()],
            ),
            None => ("", vec![]),
        };
        crate::db::fetch_page(
            self.conn(),
            "seq, at_us, actor_user_id, actor, action, entity_type, entity_id, data, prev_hash, hash",
            &format!("FROM audit_events {filter}"),
            "seq DESC",
            values,
            page,
        )
        .await
    }

    /// Number of audit events (tests use it to prove a refused request stored nothing).
    pub async fn audit_count(&self) -> Result<i64> {
        crate::db::fetch_i64(self.conn(), "SELECT COUNT(*) FROM audit_events", vec![]).await
    }
}
