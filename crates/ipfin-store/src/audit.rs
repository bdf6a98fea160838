//! The append-only audit log: appending inside the writer's transaction, listing, and verifying
//! the SM3 chain end to end.

use crate::Store;
use crate::db::{Page, Paged, exec, fetch_all, fetch_one};
use crate::error::Result;
use ipfin_domain::audit::{Anchor, AuditEvent, ChainBreak, ChainVerifier, StoredEvent};
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

/// The name of the anchor record in the file storage (`records/audit-anchor.json`).
pub const ANCHOR_RECORD: &str = "audit-anchor.json";
/// The daily anchor job's name in `periodic_jobs`.
const ANCHOR_JOB: &str = "audit_anchor";
/// How often the anchor is written at least.
pub const ANCHOR_INTERVAL_SECS: i64 = 24 * 3600;

/// A verification with the anchor it was checked against and the one it left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchoredVerification {
    pub verification: Verification,
    /// The anchor found outside the database before this verification, if any.
    pub previous: Option<Anchor>,
    /// The anchor written after an intact verification (none after a break: the last good
    /// anchor is kept as evidence).
    pub written: Option<Anchor>,
}

impl Store {
    /// Walks the whole chain in sequence order, in batches, and reports the first break; the
    /// chain must also still hold the event anchored outside the database (see
    /// [`Store::audit_verify_and_anchor`]). Read-only.
    pub async fn audit_verify(&self) -> Result<Verification> {
        let anchor = self.audit_anchor().await?;
        Ok(self.verify_against(anchor).await?.0)
    }

    /// Verifies the chain against the anchor kept in the file storage and, when it is intact,
    /// writes a new anchor of the chain's head. Used by `ipfin audit verify` and the daily job.
    pub async fn audit_verify_and_anchor(&self) -> Result<AnchoredVerification> {
        let previous = self.audit_anchor().await?;
        let (verification, head) = self.verify_against(previous.clone()).await?;
        let written = match verification {
            Verification::Intact { .. } => {
                let anchor = Anchor {
                    seq: head.seq,
                    hash: head.hash,
                    at_us: crate::now_us(),
                };
                let bytes = serde_json::to_vec(&anchor)
                    .map_err(|e| crate::StoreError::Internal(format!("anchor: {e}")))?;
                self.blobs().put_record(ANCHOR_RECORD, bytes.into()).await?;
                Some(anchor)
            }
            Verification::Broken(_) => None,
        };
        Ok(AnchoredVerification {
            verification,
            previous,
            written,
        })
    }

    /// The anchor last written outside the database, if any. An anchor that cannot be read
    /// is an error, not a missing anchor (replacing it with garbage must not hide a cut tail).
    pub async fn audit_anchor(&self) -> Result<Option<Anchor>> {
        match self.blobs().get_record(ANCHOR_RECORD).await? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                crate::StoreError::Internal(format!("the audit anchor cannot be read: {e}"))
            }),
        }
    }

    /// The daily anchor: when due (claimed through `periodic_jobs`, so one instance runs it),
    /// verifies the chain and writes the anchor. `None` when it was not due.
    pub async fn audit_anchor_if_due(&self) -> Result<Option<AnchoredVerification>> {
        let now = crate::now_s();
        let mut tx = self.write(AuditActor::system("jobs")).await?;
        let claimed = exec(
            tx.conn(),
            "UPDATE periodic_jobs SET due_at = ?, last_run_at = ? WHERE name = ? AND due_at <= ?",
            vec![
                (now + ANCHOR_INTERVAL_SECS).into(),
                now.into(),
                ANCHOR_JOB.into(),
                now.into(),
            ],
        )
        .await?;
        if claimed == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        tx.audit("job.run", "periodic_job", ANCHOR_JOB, serde_json::json!({}))
            .await?;
        tx.commit().await?;
        self.audit_verify_and_anchor().await.map(Some)
    }

    /// Walks the events up to the head as it was when the walk started (events appended
    /// meanwhile are left for the next verification) and returns the result and that head.
    async fn verify_against(&self, anchor: Option<Anchor>) -> Result<(Verification, Head)> {
        let head: Head = fetch_one(
            self.conn(),
            "SELECT seq, hash FROM audit_head WHERE id = 1",
            vec![],
        )
        .await?;
        let mut verifier = ChainVerifier::with_anchor(anchor);
        let mut after = 0i64;
        loop {
            let rows: Vec<AuditRow> = fetch_all(
                self.conn(),
                "SELECT seq, at_us, actor_user_id, actor, action, entity_type, entity_id, data, prev_hash, hash \
                 FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT 5000",
                vec![after.into(), head.seq.into()],
            )
            .await?;
            let Some(last) = rows.last() else { break };
            after = last.seq;
            for row in rows {
                if let Err(b) = verifier.feed(&row.into_stored()) {
                    return Ok((Verification::Broken(b), head));
                }
            }
        }
        let result = match verifier.finish(head.seq, &head.hash) {
            Ok(n) => Verification::Intact { events: n },
            Err(b) => Verification::Broken(b),
        };
        Ok((result, head))
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
