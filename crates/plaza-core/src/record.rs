//! The record: one append-only log of everything Plaza sees and does.
//!
//! Each entry has a header (sequence number, time, actor, kind, subject, policy version and the
//! SHA-256 of its payload) and a payload (canonical JSON) kept apart from the header, so that a
//! lawful destruction (Gov. Code 34090) can erase a payload while the chain and the Merkle tree
//! still verify. The header's canonical JSON is the Merkle leaf input; the chain hash links each
//! leaf hash to the one before.

use crate::error::{Error, Result};
use crate::merkle::{Hash, leaf_hash};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Record kinds Plaza writes. Kinds are dotted, lower-case, stable: exports and proofs name them.
pub mod kinds {
    pub const INSTANCE_INITIALISED: &str = "instance.initialised";
    pub const POLICY_LOADED: &str = "policy.loaded";
    pub const POLICY_ACKNOWLEDGED: &str = "policy.acknowledged";
    pub const PERSON_CREATED: &str = "person.created";
    pub const PERSON_DISABLED: &str = "person.disabled";
    pub const PERSON_ENABLED: &str = "person.enabled";
    pub const PERSON_PASSWORD_SET: &str = "person.password_set";
    pub const BODY_CREATED: &str = "body.created";
    pub const OFFICIAL_ACCOUNT_ADDED: &str = "official_account.added";
    pub const SITE_PROPOSED: &str = "site.proposed";
    pub const SITE_CONSULTATION: &str = "site.consultation";
    pub const SITE_APPROVED: &str = "site.approved";
    pub const SITE_ACTIVATED: &str = "site.activated";
    pub const SITE_SUSPENDED: &str = "site.suspended";
    pub const SITE_REACTIVATED: &str = "site.reactivated";
    pub const SITE_TERMINATED: &str = "site.terminated";
    pub const AUTHORIZATION_GRANTED: &str = "authorization.granted";
    pub const AUTHORIZATION_REVOKED: &str = "authorization.revoked";
    pub const AUTHORIZATION_ATTESTED: &str = "authorization.attested";
    pub const LOGIN_SUCCEEDED: &str = "login.succeeded";
    pub const LOGIN_FAILED: &str = "login.failed";
    pub const LOGOUT: &str = "logout";
    pub const ACCESS_DENIED: &str = "access.denied";
    pub const CAPTURE_POST: &str = "capture.post";
    pub const CAPTURE_COMMENT: &str = "capture.comment";
    pub const CAPTURE_EDITED: &str = "capture.edited";
    pub const CAPTURE_GONE: &str = "capture.gone";
    pub const CAPTURE_RUN: &str = "capture.run";
    pub const CAPTURE_FAILED: &str = "capture.failed";
    pub const CAPTURE_FOLLOWERS: &str = "capture.followers";
    pub const CAPTURE_WEBHOOK: &str = "capture.webhook";
    /// Who can see a captured item was read anew (an item captured before Plaza read it).
    pub const CAPTURE_AUDIENCE: &str = "capture.audience";
    pub const SITE_ENDPOINT_SET: &str = "site.endpoint_set";
    pub const SITE_WEBHOOK_SET: &str = "site.webhook_set";
    pub const IMPORT_STARTED: &str = "import.started";
    pub const IMPORT_COMPLETED: &str = "import.completed";
    pub const EXPORT: &str = "export";
    pub const CHECKPOINT_SIGNED: &str = "checkpoint.signed";
}

/// Who did something: `person:ID`, `system:COMPONENT`, or `public`.
pub fn person_actor(id: i64) -> String {
    format!("person:{id}")
}

/// A record about to be appended. The store assigns the sequence number, time and hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecord {
    pub actor: String,
    pub kind: String,
    pub subject: String,
    pub payload: Value,
}

impl NewRecord {
    /// A new record.
    pub fn new(
        actor: impl Into<String>,
        kind: &str,
        subject: impl Into<String>,
        payload: Value,
    ) -> Self {
        NewRecord {
            actor: actor.into(),
            kind: kind.to_string(),
            subject: subject.into(),
            payload,
        }
    }
}

/// The header of an entry: everything the Merkle leaf commits to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordHeader {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub kind: String,
    pub subject: String,
    /// The policy version in force when the record was made (A.5, B.16).
    pub policy_version: Option<i64>,
    pub payload_sha256: Hash,
}

impl RecordHeader {
    /// Builds the header of a new entry from its payload, computing the payload hash.
    pub fn seal(
        seq: i64,
        at: Timestamp,
        policy_version: Option<i64>,
        rec: &NewRecord,
    ) -> Result<(RecordHeader, String)> {
        let canonical = canonical_json(&rec.payload)?;
        let header = RecordHeader {
            seq,
            at,
            actor: rec.actor.clone(),
            kind: rec.kind.clone(),
            subject: rec.subject.clone(),
            policy_version,
            payload_sha256: sha256(canonical.as_bytes()),
        };
        Ok((header, canonical))
    }

    /// The Merkle leaf input: the header as canonical JSON, with the payload hash in hex.
    pub fn leaf_input(&self) -> Vec<u8> {
        self.as_ref().leaf_input()
    }

    /// A borrowed view of the header.
    pub fn as_ref(&self) -> HeaderRef<'_> {
        HeaderRef {
            seq: self.seq,
            at: self.at,
            actor: &self.actor,
            kind: &self.kind,
            subject: &self.subject,
            policy_version: self.policy_version,
            payload_sha256: self.payload_sha256,
        }
    }

    /// The RFC 9162 leaf hash of this header.
    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(&self.leaf_input())
    }
}

/// A header borrowed from wherever it was read (the verifier reads pages without copying).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderRef<'a> {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: &'a str,
    pub kind: &'a str,
    pub subject: &'a str,
    pub policy_version: Option<i64>,
    pub payload_sha256: Hash,
}

impl HeaderRef<'_> {
    /// The Merkle leaf input: the header as canonical JSON, with the payload hash in hex.
    pub fn leaf_input(&self) -> Vec<u8> {
        let mut out =
            String::with_capacity(160 + self.actor.len() + self.kind.len() + self.subject.len());
        out.push_str("{\"actor\":");
        push_json_string(&mut out, self.actor);
        out.push_str(",\"at\":");
        out.push_str(&self.at.0.to_string());
        out.push_str(",\"kind\":");
        push_json_string(&mut out, self.kind);
        out.push_str(",\"payload_sha256\":\"");
        out.push_str(&crate::hex(&self.payload_sha256));
        out.push_str("\",\"policy_version\":");
        match self.policy_version {
            Some(v) => out.push_str(&v.to_string()),
            None => out.push_str("null"),
        }
        out.push_str(",\"seq\":");
        out.push_str(&self.seq.to_string());
        out.push_str(",\"subject\":");
        push_json_string(&mut out, self.subject);
        out.push('}');
        out.into_bytes()
    }

    /// The RFC 9162 leaf hash.
    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(&self.leaf_input())
    }
}

/// An entry as stored: header, stored hashes, and the payload unless it was lawfully destroyed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub header: RecordHeader,
    pub leaf_hash: Hash,
    pub chain_hash: Hash,
    pub payload: Option<String>,
}

/// The chain hash of an entry: SHA-256 of the previous chain hash and this leaf hash. The
/// chain of entry 1 starts from 32 zero bytes.
pub fn chain_hash(prev: &Hash, leaf: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(leaf);
    h.finalize().into()
}

/// SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// HMAC-SHA256 (RFC 2104 with SHA-256: 64-byte block, keys longer than a block are hashed
/// first).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        let digest = Sha256::digest(key);
        block[..32].copy_from_slice(&digest);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner);
    let mut out = [0u8; 32];
    out.copy_from_slice(&outer.finalize());
    out
}

/// Canonical JSON: object keys sorted by their UTF-8 bytes, no insignificant white space,
/// strings escaped as `serde_json` escapes them, numbers in their shortest form. The same
/// value always gives the same bytes, so its SHA-256 can be checked by anyone.
pub fn canonical_json(value: &Value) -> Result<String> {
    let mut out = String::new();
    write_canonical(value, &mut out, 0)?;
    Ok(out)
}

fn write_canonical(value: &Value, out: &mut String, depth: usize) -> Result<()> {
    if depth > 64 {
        return Err(Error::invalid(
            "payload",
            "is nested more than 64 levels deep",
        ));
    }
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && !f.is_finite()
            {
                return Err(Error::invalid(
                    "payload",
                    "contains a number that is not finite",
                ));
            }
            out.push_str(&n.to_string());
        }
        Value::String(s) => push_json_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out, depth + 1)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_string(out, k);
                out.push(':');
                if let Some(v) = map.get(k) {
                    write_canonical(v, out, depth + 1)?;
                }
            }
            out.push('}');
        }
    }
    Ok(())
}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231, test cases 1, 2 and 6 (a key longer than the block).
        assert_eq!(
            crate::hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            crate::hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            crate::hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn canonical_sorts_keys_and_strips_space() {
        let v = json!({"b": 1, "a": [true, null, "x\"y"], "c": {"z": 1, "y": 2.5}});
        assert_eq!(
            canonical_json(&v).unwrap(),
            r#"{"a":[true,null,"x\"y"],"b":1,"c":{"y":2.5,"z":1}}"#
        );
    }

    #[test]
    fn leaf_input_is_canonical_json_of_the_header() {
        let rec = NewRecord::new(
            "person:1",
            kinds::SITE_PROPOSED,
            "site:3",
            json!({"name": "Parks \"Bsky\""}),
        );
        let (h, _) = RecordHeader::seal(7, Timestamp(1000), Some(2), &rec).unwrap();
        let parsed: Value = serde_json::from_slice(&h.leaf_input()).unwrap();
        assert_eq!(
            canonical_json(&parsed).unwrap().into_bytes(),
            h.leaf_input()
        );
        assert_eq!(parsed["seq"], 7);
        assert_eq!(parsed["policy_version"], 2);
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            ".*".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(".{0,8}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn canonical_json_round_trips_and_is_stable(v in arb_json()) {
            let c = canonical_json(&v).unwrap();
            let back: Value = serde_json::from_str(&c).unwrap();
            prop_assert_eq!(&back, &v);
            prop_assert_eq!(canonical_json(&back).unwrap(), c);
        }

        #[test]
        fn chain_hash_depends_on_both_inputs(a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
            prop_assume!(a != b);
            prop_assert_ne!(chain_hash(&a, &b), chain_hash(&b, &a));
        }
    }
}
