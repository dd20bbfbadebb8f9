//! A Merkle tree in the style of RFC 9162 (Certificate Transparency 2.0), section 2.1:
//! leaf hash `SHA-256(0x00 || leaf)`, node hash `SHA-256(0x01 || left || right)`, the tree of
//! `n` leaves split at the largest power of two smaller than `n`. Inclusion and consistency
//! proofs are generated and verified exactly as the RFC describes, so any RFC 9162 verifier
//! can check Plaza's proofs.

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

fn split(n: usize) -> usize {
    // largest power of two strictly smaller than n (n >= 2)
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// The Merkle tree hash (MTH) of leaves given by their leaf hashes.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The inclusion proof (audit path) of leaf `index` in the tree of `leaves`.
/// `None` if the index is out of range.
pub fn inclusion_proof(index: usize, leaves: &[Hash]) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    let mut proof = Vec::new();
    path(index, leaves, &mut proof);
    Some(proof)
}

fn path(m: usize, d: &[Hash], out: &mut Vec<Hash>) {
    let n = d.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, &d[..k], out);
        out.push(root(&d[k..]));
    } else {
        path(m - k, &d[k..], out);
        out.push(root(&d[..k]));
    }
}

/// Verifies an inclusion proof (RFC 9162 section 2.1.3.2).
pub fn verify_inclusion(
    index: u64,
    tree_size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> bool {
    if index >= tree_size {
        return false;
    }
    let mut fn_ = index;
    let mut sn = tree_size - 1;
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && r == *root
}

/// The consistency proof between the tree of the first `first` leaves and the tree of all
/// `leaves`. `None` unless `0 < first <= leaves.len()`.
pub fn consistency_proof(first: usize, leaves: &[Hash]) -> Option<Vec<Hash>> {
    if first == 0 || first > leaves.len() {
        return None;
    }
    let mut proof = Vec::new();
    subproof(first, leaves, true, &mut proof);
    Some(proof)
}

fn subproof(m: usize, d: &[Hash], whole: bool, out: &mut Vec<Hash>) {
    let n = d.len();
    if m == n {
        if !whole {
            out.push(root(d));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &d[..k], whole, out);
        out.push(root(&d[k..]));
    } else {
        subproof(m - k, &d[k..], false, out);
        out.push(root(&d[..k]));
    }
}

/// Verifies a consistency proof (RFC 9162 section 2.1.4.2).
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Hash,
    second_root: &Hash,
    proof: &[Hash],
) -> bool {
    if first == 0 || first > second {
        return false;
    }
    if first == second {
        return proof.is_empty() && first_root == second_root;
    }
    let mut path: Vec<Hash> = proof.to_vec();
    if first.is_power_of_two() {
        path.insert(0, *first_root);
    }
    let Some((first_hash, rest)) = path.split_first() else {
        return false;
    };
    let mut fn_ = first - 1;
    let mut sn = second - 1;
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let mut fr = *first_hash;
    let mut sr = *first_hash;
    for c in rest {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && fr == *first_root && sr == *second_root
}

/// A streaming accumulator for the root: push leaf hashes in order, ask for the root of what
/// has been pushed at any time. Memory is O(log n): one hash per perfect subtree.
#[derive(Debug, Clone, Default)]
pub struct CompactRange {
    size: u64,
    /// Roots of the perfect subtrees covering the leaves so far, largest (leftmost) first,
    /// with their heights.
    stack: Vec<(u32, Hash)>,
}

impl CompactRange {
    /// An empty range.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves pushed.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = (0u32, leaf);
        while let Some(&(h, left)) = self.stack.last() {
            if h != node.0 {
                break;
            }
            self.stack.pop();
            node = (h + 1, node_hash(&left, &node.1));
        }
        self.stack.push(node);
        self.size += 1;
    }

    /// Serialises the range: the size (8 bytes, big-endian), then per subtree its height
    /// (1 byte) and hash (32 bytes). Stored with each checkpoint so that the next one only
    /// reads the entries added since.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 33 * self.stack.len());
        out.extend_from_slice(&self.size.to_be_bytes());
        for (h, hash) in &self.stack {
            out.push(*h as u8);
            out.extend_from_slice(hash);
        }
        out
    }

    /// Reads a serialised range; `None` if the bytes are not one (wrong length, or heights that
    /// do not add up to the size).
    pub fn from_bytes(bytes: &[u8]) -> Option<CompactRange> {
        if bytes.len() < 8 || !(bytes.len() - 8).is_multiple_of(33) {
            return None;
        }
        let size = u64::from_be_bytes(bytes[..8].try_into().ok()?);
        let mut stack = Vec::new();
        let mut total: u64 = 0;
        let mut last_height = u32::MAX;
        for chunk in bytes[8..].chunks(33) {
            let h = chunk[0] as u32;
            if h >= 64 || h >= last_height {
                return None;
            }
            last_height = h;
            total = total.checked_add(1u64 << h)?;
            stack.push((h, chunk[1..].try_into().ok()?));
        }
        (total == size).then_some(CompactRange { size, stack })
    }

    /// The root of the tree of all leaves pushed so far.
    pub fn root(&self) -> Hash {
        let mut iter = self.stack.iter().rev();
        let Some(&(_, last)) = iter.next() else {
            return empty_root();
        };
        iter.fold(last, |acc, (_, left)| node_hash(left, &acc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("leaf {i}").as_bytes()))
            .collect()
    }

    #[test]
    fn small_trees_match_the_definition() {
        let l = leaves(3);
        assert_eq!(root(&l), node_hash(&node_hash(&l[0], &l[1]), &l[2]));
        assert_eq!(root(&[]), empty_root());
    }

    #[test]
    fn every_inclusion_and_consistency_proof_verifies_up_to_40() {
        for n in 1..=40usize {
            let l = leaves(n);
            let r = root(&l);
            for i in 0..n {
                let p = inclusion_proof(i, &l).unwrap();
                assert!(
                    verify_inclusion(i as u64, n as u64, &l[i], &p, &r),
                    "n={n} i={i}"
                );
                // a wrong leaf or index fails
                assert!(!verify_inclusion(
                    i as u64,
                    n as u64,
                    &leaf_hash(b"other"),
                    &p,
                    &r
                ));
                if n > 1 {
                    assert!(
                        !verify_inclusion(((i + 1) % n) as u64, n as u64, &l[i], &p, &r)
                            || l[i] == l[(i + 1) % n]
                    );
                }
            }
            for m in 1..=n {
                let p = consistency_proof(m, &l).unwrap();
                let rm = root(&l[..m]);
                assert!(
                    verify_consistency(m as u64, n as u64, &rm, &r, &p),
                    "m={m} n={n}"
                );
                if m < n {
                    assert!(!verify_consistency(
                        m as u64,
                        n as u64,
                        &leaf_hash(b"x"),
                        &r,
                        &p
                    ));
                }
            }
        }
    }

    proptest! {
        #[test]
        fn compact_range_matches_root(n in 0usize..300) {
            let l = leaves(n);
            let mut c = CompactRange::new();
            for (i, h) in l.iter().enumerate() {
                c.push(*h);
                if i % 17 == 0 {
                    prop_assert_eq!(c.root(), root(&l[..=i]));
                }
            }
            prop_assert_eq!(c.root(), root(&l));
            prop_assert_eq!(c.size(), n as u64);
            let back = CompactRange::from_bytes(&c.to_bytes()).unwrap();
            prop_assert_eq!(back.root(), c.root());
            prop_assert_eq!(back.size(), c.size());
        }

        #[test]
        fn tampered_proofs_fail(n in 2usize..64, i in 0usize..64, flip in 0usize..32) {
            let i = i % n;
            let l = leaves(n);
            let r = root(&l);
            let mut p = inclusion_proof(i, &l).unwrap();
            if !p.is_empty() {
                let j = flip % p.len();
                p[j][flip % 32] ^= 1;
                prop_assert!(!verify_inclusion(i as u64, n as u64, &l[i], &p, &r));
            }
        }
    }
}
