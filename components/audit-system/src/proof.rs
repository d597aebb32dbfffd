//! Inclusion and consistency proofs: built from node hashes a [`NodeSource`] supplies for the node IDs that
//! [`tree_math`](crate::tree_math) names, and verified with nothing but the proof and the roots
//! (RFC 9162 §2.1.3.2 and §2.1.4.2). Hashes are compared in constant time.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::error::{AuditError, ProofError};
use crate::frontier::fold_right;
use crate::hasher::{Hash, node_hash};
use crate::tree_math::{LeafIdx, NodeId, consistency_ranges, inclusion_ranges, perfect_cover};

/// Anything that can hand out the hashes of committed perfect subtrees (leaves are level 0).
pub trait NodeSource {
    /// Returns the hashes of `ids`, in order.
    ///
    /// # Errors
    /// [`AuditError`] if a node is missing or the storage fails.
    fn node_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, AuditError>;
}

/// Hashes of the RFC 6962 subtrees over `ranges`, fetched in one call to `source`.
///
/// # Errors
/// Whatever `source` returns.
pub fn range_hashes(
    source: &dyn NodeSource,
    ranges: &[Range<u64>],
) -> Result<Vec<Hash>, AuditError> {
    let covers: Vec<Vec<NodeId>> = ranges.iter().map(|r| perfect_cover(r.clone())).collect();
    let ids: Vec<NodeId> = covers.iter().flatten().copied().collect();
    let hashes = source.node_hashes(&ids)?;
    let mut out = Vec::with_capacity(ranges.len());
    let mut at = 0;
    for cover in &covers {
        let part = hashes
            .get(at..at + cover.len())
            .ok_or(AuditError::MissingNodes)?;
        out.push(fold_right(part).ok_or(AuditError::MissingNodes)?);
        at += cover.len();
    }
    Ok(out)
}

/// The root of the tree of the first `size` leaves.
///
/// # Errors
/// Whatever `source` returns.
pub fn root_at(source: &dyn NodeSource, size: u64) -> Result<Hash, AuditError> {
    if size == 0 {
        return Ok(Hash::empty_root());
    }
    let peaks = source.node_hashes(&perfect_cover(0..size))?;
    fold_right(&peaks).ok_or(AuditError::MissingNodes)
}

/// A proof that leaf `index` is in the tree of `size` leaves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// The leaf's index (its sequence number).
    pub index: u64,
    /// The tree size the proof is for.
    pub size: u64,
    /// Sibling hashes, nearest the leaf first.
    pub path: Vec<Hash>,
}

impl InclusionProof {
    /// Builds the proof of `index` in the tree of `size` leaves from `source`.
    ///
    /// # Errors
    /// [`ProofError::IndexOutOfRange`] (wrapped) if `index >= size`; otherwise whatever `source` returns.
    pub fn build(source: &dyn NodeSource, index: u64, size: u64) -> Result<Self, AuditError> {
        if index >= size {
            return Err(ProofError::IndexOutOfRange { index, size }.into());
        }
        let path = range_hashes(source, &inclusion_ranges(LeafIdx(index), size))?;
        Ok(Self { index, size, path })
    }

    /// Checks that `leaf` (a leaf hash) is at `self.index` in the tree whose root is `root`.
    ///
    /// # Errors
    /// [`ProofError`] naming what does not fit.
    pub fn verify(&self, leaf: &Hash, root: &Hash) -> Result<(), ProofError> {
        if self.index >= self.size {
            return Err(ProofError::IndexOutOfRange {
                index: self.index,
                size: self.size,
            });
        }
        let expected = inclusion_ranges(LeafIdx(self.index), self.size).len();
        if self.path.len() != expected {
            return Err(ProofError::WrongLength {
                expected,
                found: self.path.len(),
            });
        }
        let (mut f, mut s) = (self.index, self.size - 1);
        let mut r = *leaf;
        for p in &self.path {
            if f & 1 == 1 || f == s {
                r = node_hash(p, &r);
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            } else {
                r = node_hash(&r, p);
            }
            f >>= 1;
            s >>= 1;
        }
        if s != 0 {
            return Err(ProofError::WrongLength {
                expected,
                found: self.path.len(),
            });
        }
        if r.ct_eq(root) {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        }
    }
}

/// A proof that the tree of `old_size` leaves is a prefix of the tree of `new_size` leaves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    /// The smaller tree size.
    pub old_size: u64,
    /// The larger tree size.
    pub new_size: u64,
    /// Subtree hashes in RFC 6962 order.
    pub path: Vec<Hash>,
}

impl ConsistencyProof {
    /// Builds the proof from `old_size` to `new_size` from `source`.
    ///
    /// # Errors
    /// [`ProofError::SizesOutOfOrder`] (wrapped) if `old_size > new_size`; otherwise whatever `source` returns.
    pub fn build(
        source: &dyn NodeSource,
        old_size: u64,
        new_size: u64,
    ) -> Result<Self, AuditError> {
        if old_size > new_size {
            return Err(ProofError::SizesOutOfOrder { old_size, new_size }.into());
        }
        let path = range_hashes(source, &consistency_ranges(old_size, new_size))?;
        Ok(Self {
            old_size,
            new_size,
            path,
        })
    }

    /// Checks that `old_root` (of `old_size` leaves) and `new_root` (of `new_size` leaves) are consistent.
    ///
    /// # Errors
    /// [`ProofError`] naming what does not fit.
    pub fn verify(&self, old_root: &Hash, new_root: &Hash) -> Result<(), ProofError> {
        let (m, n) = (self.old_size, self.new_size);
        if m > n {
            return Err(ProofError::SizesOutOfOrder {
                old_size: m,
                new_size: n,
            });
        }
        let expected = consistency_ranges(m, n).len();
        if self.path.len() != expected {
            return Err(ProofError::WrongLength {
                expected,
                found: self.path.len(),
            });
        }
        if m == n {
            return if old_root.ct_eq(new_root) {
                Ok(())
            } else {
                Err(ProofError::RootMismatch)
            };
        }
        if m == 0 {
            // Every tree extends the empty tree.
            return if old_root.ct_eq(&Hash::empty_root()) {
                Ok(())
            } else {
                Err(ProofError::RootMismatch)
            };
        }
        let mut path: Vec<Hash> = Vec::with_capacity(self.path.len() + 1);
        if m.is_power_of_two() {
            path.push(*old_root);
        }
        path.extend_from_slice(&self.path);
        let (mut f, mut s) = (m - 1, n - 1);
        while f & 1 == 1 {
            f >>= 1;
            s >>= 1;
        }
        let (first, rest) = path
            .split_first()
            .ok_or(ProofError::WrongLength { expected, found: 0 })?;
        let (mut fr, mut sr) = (*first, *first);
        for c in rest {
            if s == 0 {
                return Err(ProofError::WrongLength {
                    expected,
                    found: self.path.len(),
                });
            }
            if f & 1 == 1 || f == s {
                fr = node_hash(c, &fr);
                sr = node_hash(c, &sr);
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            } else {
                sr = node_hash(&sr, c);
            }
            f >>= 1;
            s >>= 1;
        }
        if s != 0 {
            return Err(ProofError::WrongLength {
                expected,
                found: self.path.len(),
            });
        }
        if !fr.ct_eq(old_root) {
            return Err(ProofError::OldRootMismatch);
        }
        if sr.ct_eq(new_root) {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        }
    }
}
