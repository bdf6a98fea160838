//! The audit chain: each event's hash is SM3 over the previous event's hash and the event's
//! canonical bytes, so altering, removing or reordering any stored event breaks every later link.

use serde_json::Value;
use sm3::{Digest, Sm3};

/// The hash that precedes the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit event as it is hashed and stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// Position in the chain, 1-based, without gaps.
    pub seq: i64,
    /// Unix time in microseconds (UTC).
    pub at_us: i64,
    /// The acting user's id, if a person acted.
    pub actor_user_id: Option<i64>,
    /// Who acted, readable: `user:42 张三`, `token:7`, `system`, `cli`.
    pub actor: String,
    /// What happened, dotted: `org.create`, `user.disable`, `auth.sign_in`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// Before/after values or the inputs of the action.
    pub data: Value,
}

/// Serialises JSON with object keys sorted and no insignificant whitespace, independent of
/// how serde_json's map is configured elsewhere in the build.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                write_canonical(&map[*k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

impl AuditEvent {
    /// The bytes that are hashed: every field, length-prefixed so no two events share bytes.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let fields: [String; 8] = [
            self.seq.to_string(),
            self.at_us.to_string(),
            self.actor_user_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
            self.actor.clone(),
            self.action.clone(),
            self.entity_type.clone(),
            self.entity_id.clone(),
            canonical_json(&self.data),
        ];
        let mut out = Vec::new();
        for f in fields {
            out.extend_from_slice(f.len().to_string().as_bytes());
            out.push(b':');
            out.extend_from_slice(f.as_bytes());
            out.push(b';');
        }
        out
    }

    /// The chain hash of this event after `prev_hash` (hex).
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut h = Sm3::new();
        h.update(prev_hash.as_bytes());
        h.update(self.canonical_bytes());
        hex::encode(h.finalize())
    }
}

/// A stored event with the hashes the store kept.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// Why verification failed, at the first bad event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// Sequence numbers skip: an event is missing.
    Missing { expected_seq: i64, found_seq: i64 },
    /// The stored previous hash does not match the hash of the event before it.
    Relinked { seq: i64 },
    /// The event's content no longer matches its hash.
    Altered { seq: i64 },
    /// The chain head records more events (or another last hash) than the table holds.
    Truncated { head_seq: i64, last_seq: i64 },
    /// The anchor kept outside the database says the chain had reached `anchor_seq`, but it
    /// ends at `last_seq`: events were removed from the end (and the head rewritten to match).
    AnchorAhead { anchor_seq: i64, last_seq: i64 },
    /// The event at the anchor's position no longer has the hash the anchor recorded: the
    /// chain was rewritten from there or before.
    AnchorMismatch { seq: i64 },
}

/// The chain's head as last seen by a verification, kept outside the database (a file beside
/// the data or an object in the object store). A later chain must still contain this event
/// with this hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Anchor {
    /// Number of events (the last `seq`) when the anchor was written.
    pub seq: i64,
    /// The hash of event `seq` (the genesis hash when `seq` is 0).
    pub hash: String,
    /// When it was written (UTC microseconds).
    pub at_us: i64,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Missing {
                expected_seq,
                found_seq,
            } => write!(
                f,
                "审计事件 #{expected_seq} 缺失（下一条为 #{found_seq}） / audit event #{expected_seq} is missing (next is #{found_seq})"
            ),
            ChainBreak::Relinked { seq } => write!(
                f,
                "审计事件 #{seq} 的前序哈希与上一条不符 / audit event #{seq} does not link to its predecessor"
            ),
            ChainBreak::Altered { seq } => write!(
                f,
                "审计事件 #{seq} 的内容已被修改 / audit event #{seq} was altered"
            ),
            ChainBreak::Truncated { head_seq, last_seq } => write!(
                f,
                "审计链头记录至 #{head_seq}，但最后一条事件为 #{last_seq}：链尾被删除或篡改 / chain head says #{head_seq} but the last event is #{last_seq}"
            ),
            ChainBreak::AnchorAhead {
                anchor_seq,
                last_seq,
            } => write!(
                f,
                "库外锚点记录审计链已到 #{anchor_seq}，但最后一条事件为 #{last_seq}：链尾事件被删除 / the anchor kept outside the database says the chain reached #{anchor_seq} but the last event is #{last_seq}: events were removed from the end"
            ),
            ChainBreak::AnchorMismatch { seq } => write!(
                f,
                "审计事件 #{seq} 的哈希与库外锚点不符：审计链被重写 / audit event #{seq} does not have the hash the anchor kept outside the database recorded: the chain was rewritten"
            ),
        }
    }
}

/// Incremental verifier: feed events in sequence order; it reports the first break.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev_hash: String,
    next_seq: i64,
    anchor: Option<Anchor>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            prev_hash: GENESIS_HASH.to_string(),
            next_seq: 1,
            anchor: None,
        }
    }
}

impl ChainVerifier {
    /// A verifier that also checks the chain still holds the anchored event with its hash.
    pub fn with_anchor(anchor: Option<Anchor>) -> ChainVerifier {
        ChainVerifier {
            anchor,
            ..ChainVerifier::default()
        }
    }

    pub fn feed(&mut self, e: &StoredEvent) -> Result<(), ChainBreak> {
        if e.event.seq != self.next_seq {
            return Err(ChainBreak::Missing {
                expected_seq: self.next_seq,
                found_seq: e.event.seq,
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak::Relinked { seq: e.event.seq });
        }
        if e.event.chain_hash(&e.prev_hash) != e.hash {
            return Err(ChainBreak::Altered { seq: e.event.seq });
        }
        if let Some(a) = &self.anchor
            && a.seq == e.event.seq
            && a.hash != e.hash
        {
            return Err(ChainBreak::AnchorMismatch { seq: a.seq });
        }
        self.prev_hash = e.hash.clone();
        self.next_seq += 1;
        Ok(())
    }

    /// Checks the end of the chain against the recorded head.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        let last = self.next_seq - 1;
        if let Some(a) = &self.anchor {
            if a.seq > last {
                return Err(ChainBreak::AnchorAhead {
                    anchor_seq: a.seq,
                    last_seq: last,
                });
            }
            if a.seq == 0 && a.hash != GENESIS_HASH {
                return Err(ChainBreak::AnchorMismatch { seq: 0 });
            }
        }
        if head_seq != last || head_hash != self.prev_hash {
            return Err(ChainBreak::Truncated {
                head_seq,
                last_seq: last,
            });
        }
        Ok(last)
    }

    pub fn last_hash(&self) -> &str {
        &self.prev_hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(seq: i64, data: Value) -> AuditEvent {
        AuditEvent {
            seq,
            at_us: 1_700_000_000_000_000 + seq,
            actor_user_id: Some(1),
            actor: "user:1".into(),
            action: "org.create".into(),
            entity_type: "organisation".into(),
            entity_id: seq.to_string(),
            data,
        }
    }

    fn chain(n: i64) -> Vec<StoredEvent> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|i| {
                let e = ev(i, json!({"name": format!("机构{i}"), "b": 1, "a": [1, 2]}));
                let hash = e.chain_hash(&prev);
                let s = StoredEvent {
                    event: e,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                s
            })
            .collect()
    }

    #[test]
    fn canonical_json_sorts_keys() {
        assert_eq!(
            canonical_json(&json!({"b": 1, "a": {"d": null, "c": "中"}})),
            r#"{"a":{"c":"中","d":null},"b":1}"#
        );
    }

    #[test]
    fn sm3_matches_standard_vector() {
        // GB/T 32905-2016 example 1: SM3("abc").
        let mut h = Sm3::new();
        h.update(b"abc");
        assert_eq!(
            hex::encode(h.finalize()),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        let mut v = ChainVerifier::default();
        for e in &c {
            v.feed(e).expect("intact");
        }
        assert_eq!(v.finish(5, &c[4].hash), Ok(5));
    }

    #[test]
    fn an_anchor_reports_a_removed_tail_even_with_a_rewritten_head() {
        let c = chain(5);
        let anchor = Anchor {
            seq: 5,
            hash: c[4].hash.clone(),
            at_us: 0,
        };
        // Events 4 and 5 deleted, head rewritten to event 3: consistent without the anchor.
        let mut v = ChainVerifier::default();
        c[..3].iter().try_for_each(|e| v.feed(e)).expect("prefix");
        assert_eq!(v.finish(3, &c[2].hash), Ok(3));
        let mut v = ChainVerifier::with_anchor(Some(anchor.clone()));
        c[..3].iter().try_for_each(|e| v.feed(e)).expect("prefix");
        assert_eq!(
            v.finish(3, &c[2].hash),
            Err(ChainBreak::AnchorAhead {
                anchor_seq: 5,
                last_seq: 3
            })
        );
        // A chain rebuilt from scratch with other events: the anchored hash is gone.
        let mut other = chain(6);
        other[4].event.actor = "user:2".into();
        let mut prev = other[3].hash.clone();
        for e in &mut other[4..] {
            e.prev_hash = prev.clone();
            e.hash = e.event.chain_hash(&prev);
            prev = e.hash.clone();
        }
        let mut v = ChainVerifier::with_anchor(Some(anchor));
        let r: Result<(), ChainBreak> = other.iter().try_for_each(|e| v.feed(e));
        assert_eq!(r, Err(ChainBreak::AnchorMismatch { seq: 5 }));
        // The intact chain, longer than the anchor, passes.
        let longer = chain(7);
        let mut v = ChainVerifier::with_anchor(Some(Anchor {
            seq: 5,
            hash: longer[4].hash.clone(),
            at_us: 0,
        }));
        longer.iter().try_for_each(|e| v.feed(e)).expect("intact");
        assert_eq!(v.finish(7, &longer[6].hash), Ok(7));
    }

    #[test]
    fn altered_missing_and_truncated_are_detected() {
        let mut c = chain(5);
        c[2].event.data = json!({"name": "篡改"});
        let mut v = ChainVerifier::default();
        let r: Result<(), ChainBreak> = c.iter().try_for_each(|e| v.feed(e));
        assert_eq!(r, Err(ChainBreak::Altered { seq: 3 }));

        let mut c = chain(5);
        c.remove(1);
        let mut v = ChainVerifier::default();
        let r: Result<(), ChainBreak> = c.iter().try_for_each(|e| v.feed(e));
        assert_eq!(
            r,
            Err(ChainBreak::Missing {
                expected_seq: 2,
                found_seq: 3
            })
        );

        let c = chain(5);
        let mut v = ChainVerifier::default();
        for e in &c[..4] {
            v.feed(e).expect("intact prefix");
        }
        assert!(matches!(
            v.finish(5, &c[4].hash),
            Err(ChainBreak::Truncated { .. })
        ));
    }
}
