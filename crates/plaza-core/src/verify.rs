//! The verifier: re-checks every payload hash, every leaf hash, the chain, the Merkle tree
//! and every checkpoint signature, in one pass over the entries in sequence order, with
//! O(log n) memory. Used by `plaza verify` and the storage tests; anyone holding an export can
//! run the same checks.

use crate::checkpoint::Checkpoint;
use crate::merkle::{CompactRange, Hash};
use crate::record::{HeaderRef, StoredEntry, chain_hash, sha256};

/// Why verification failed, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("record {seq}: {reason}")]
pub struct Failure {
    /// The first bad sequence number (for a checkpoint: the tree size it claims).
    pub seq: i64,
    pub reason: String,
}

/// Streaming verifier. Feed entries in order with [`Verifier::entry`]; after the entry whose
/// sequence number equals a checkpoint's tree size, feed that checkpoint.
#[derive(Debug, Clone)]
pub struct Verifier {
    prev_chain: Hash,
    range: CompactRange,
    public_key: [u8; 32],
    erased: u64,
    checkpoints: u64,
}

/// What a successful verification saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub records: u64,
    pub erased_payloads: u64,
    pub checkpoints: u64,
    pub root: Hash,
}

impl Verifier {
    /// A verifier that trusts checkpoints signed by `public_key`.
    pub fn new(public_key: [u8; 32]) -> Self {
        Verifier {
            prev_chain: [0u8; 32],
            range: CompactRange::new(),
            public_key,
            erased: 0,
            checkpoints: 0,
        }
    }

    /// Entries verified so far.
    pub fn size(&self) -> u64 {
        self.range.size()
    }

    /// Checks the next entry.
    pub fn entry(&mut self, e: &StoredEntry) -> Result<(), Failure> {
        self.entry_ref(
            &e.header.as_ref(),
            &e.leaf_hash,
            &e.chain_hash,
            e.payload.as_deref(),
        )
    }

    /// Checks the next entry, borrowed from wherever it was read.
    pub fn entry_ref(
        &mut self,
        header: &HeaderRef<'_>,
        stored_leaf: &Hash,
        stored_chain: &Hash,
        payload: Option<&str>,
    ) -> Result<(), Failure> {
        let expected = self.range.size() as i64 + 1;
        let seq = header.seq;
        let fail = |reason: String| Failure {
            seq: expected.min(seq),
            reason,
        };
        if seq != expected {
            return Err(if seq > expected {
                fail(format!(
                    "entry {expected} is missing (next entry found is {seq})"
                ))
            } else {
                fail(format!(
                    "entry {seq} appears out of order after {}",
                    expected - 1
                ))
            });
        }
        match payload {
            Some(p) => {
                if sha256(p.as_bytes()) != header.payload_sha256 {
                    return Err(fail("the payload does not match its SHA-256".into()));
                }
            }
            None => self.erased += 1,
        }
        let leaf = header.leaf_hash();
        if leaf != *stored_leaf {
            return Err(fail("the header does not match its leaf hash".into()));
        }
        let chain = chain_hash(&self.prev_chain, &leaf);
        if chain != *stored_chain {
            return Err(fail(
                "the chain hash does not follow from the previous entry".into(),
            ));
        }
        self.prev_chain = chain;
        self.range.push(leaf);
        Ok(())
    }

    /// Checks a checkpoint against the entries fed so far. Its tree size must equal the number
    /// of entries fed.
    pub fn checkpoint(&mut self, cp: &Checkpoint, signature: &[u8]) -> Result<(), Failure> {
        let size = cp.tree_size as i64;
        if cp.tree_size != self.range.size() {
            return Err(Failure {
                seq: self.range.size() as i64 + 1,
                reason: format!(
                    "a checkpoint covers {} records but only {} were found: entry {} is missing",
                    cp.tree_size,
                    self.range.size(),
                    self.range.size() + 1
                ),
            });
        }
        if !cp.verify(&self.public_key, signature) {
            return Err(Failure {
                seq: size,
                reason: format!("the checkpoint at tree size {size} has an invalid signature"),
            });
        }
        if cp.root != self.range.root() {
            return Err(Failure {
                seq: size,
                reason: format!(
                    "the checkpoint at tree size {size} names a root that does not match the entries"
                ),
            });
        }
        self.checkpoints += 1;
        Ok(())
    }

    /// The summary after all entries and checkpoints were fed.
    pub fn finish(self) -> Summary {
        Summary {
            records: self.range.size(),
            erased_payloads: self.erased,
            checkpoints: self.checkpoints,
            root: self.range.root(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::SigningKey;
    use crate::record::{NewRecord, RecordHeader};
    use crate::time::Timestamp;
    use serde_json::json;

    fn log(n: i64) -> Vec<StoredEntry> {
        let mut prev = [0u8; 32];
        (1..=n)
            .map(|seq| {
                let rec = NewRecord::new("system", "test", format!("s:{seq}"), json!({"n": seq}));
                let (header, payload) =
                    RecordHeader::seal(seq, Timestamp(seq * 10), Some(1), &rec).unwrap();
                let leaf = header.leaf_hash();
                let chain = chain_hash(&prev, &leaf);
                prev = chain;
                StoredEntry {
                    header,
                    leaf_hash: leaf,
                    chain_hash: chain,
                    payload: Some(payload),
                }
            })
            .collect()
    }

    fn run(
        entries: &[StoredEntry],
        cps: &[(Checkpoint, [u8; 64])],
        pk: [u8; 32],
    ) -> Result<Summary, Failure> {
        let mut v = Verifier::new(pk);
        let mut cps = cps.iter().peekable();
        for e in entries {
            v.entry(e)?;
            while let Some((cp, sig)) = cps.peek() {
                if cp.tree_size as i64 == e.header.seq {
                    v.checkpoint(cp, sig)?;
                    cps.next();
                } else {
                    break;
                }
            }
        }
        for (cp, sig) in cps {
            v.checkpoint(cp, sig)?;
        }
        Ok(v.finish())
    }

    fn signed(entries: &[StoredEntry], size: usize, key: &SigningKey) -> (Checkpoint, [u8; 64]) {
        let leaves: Vec<Hash> = entries[..size].iter().map(|e| e.leaf_hash).collect();
        let cp = Checkpoint {
            origin: "t".into(),
            tree_size: size as u64,
            root: crate::merkle::root(&leaves),
            at: Timestamp(1),
        };
        let sig = cp.sign(key);
        (cp, sig)
    }

    #[test]
    fn clean_log_verifies_and_tampering_is_located() {
        let key = SigningKey::from_seed(&[1u8; 32]);
        let entries = log(20);
        let cps = vec![signed(&entries, 10, &key), signed(&entries, 20, &key)];
        let s = run(&entries, &cps, key.public_key()).unwrap();
        assert_eq!((s.records, s.checkpoints), (20, 2));

        let mut changed = entries.clone();
        changed[6].payload = Some(changed[6].payload.clone().unwrap().replace('7', "8"));
        assert_eq!(run(&changed, &cps, key.public_key()).unwrap_err().seq, 7);

        let mut deleted = entries.clone();
        deleted.remove(4);
        assert_eq!(run(&deleted, &cps, key.public_key()).unwrap_err().seq, 5);

        let mut swapped = entries.clone();
        swapped.swap(2, 3);
        assert_eq!(run(&swapped, &cps, key.public_key()).unwrap_err().seq, 3);

        let mut truncated = entries.clone();
        truncated.truncate(15);
        assert_eq!(run(&truncated, &cps, key.public_key()).unwrap_err().seq, 16);

        let forger = SigningKey::from_seed(&[2u8; 32]);
        let forged = vec![cps[0].clone(), signed(&entries, 20, &forger)];
        assert_eq!(
            run(&entries, &forged, key.public_key()).unwrap_err().seq,
            20
        );

        let mut erased = entries.clone();
        erased[3].payload = None;
        assert_eq!(
            run(&erased, &cps, key.public_key())
                .unwrap()
                .erased_payloads,
            1
        );
    }
}
