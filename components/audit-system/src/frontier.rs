//! The compact Merkle frontier: the roots of the perfect subtrees that make up the tree (one per set bit of
//! its size). Appending is O(log n) worst case, O(1) amortised, and the root is a fold over at most 64 hashes.

use crate::hasher::{Hash, node_hash};
use crate::tree_math::NodeId;

/// The frontier of an RFC 6962 tree of `size` leaves.
///
/// Invariant: `peaks.len() == size.count_ones()`, and `peaks[i]` is the hash of the `i`-th node of
/// [`perfect_cover`](crate::tree_math::perfect_cover)`(0..size)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    peaks: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a frontier from the hashes of `perfect_cover(0..size)`; `None` if the count is wrong.
    #[must_use]
    pub fn from_peaks(size: u64, peaks: Vec<Hash>) -> Option<Self> {
        (peaks.len() == size.count_ones() as usize).then_some(Self { size, peaks })
    }

    /// Number of leaves.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The peak hashes, largest subtree first.
    #[must_use]
    pub fn peaks(&self) -> &[Hash] {
        &self.peaks
    }

    /// Appends a leaf hash and calls `created` with every interior node it completes (levels >= 1), in
    /// increasing level order.
    pub fn push_with(&mut self, leaf: Hash, mut created: impl FnMut(NodeId, Hash)) {
        let mut hash = leaf;
        let mut index = self.size;
        let mut level = 0u32;
        while index & 1 == 1 {
            let Some(left) = self.peaks.pop() else { break };
            hash = node_hash(&left, &hash);
            index >>= 1;
            level += 1;
            created(NodeId { level, index }, hash);
        }
        self.peaks.push(hash);
        self.size += 1;
    }

    /// Appends a leaf hash, discarding the completed interior nodes.
    pub fn push(&mut self, leaf: Hash) {
        self.push_with(leaf, |_, _| {});
    }

    /// The tree root (the hash of the empty string for the empty tree).
    #[must_use]
    pub fn root(&self) -> Hash {
        fold_right(&self.peaks).unwrap_or_else(Hash::empty_root)
    }
}

/// Folds perfect-subtree hashes (largest first) into the hash of their union: `H(a, H(b, H(c, d)))`.
/// `None` for an empty slice.
#[must_use]
pub fn fold_right(hashes: &[Hash]) -> Option<Hash> {
    let (last, rest) = hashes.split_last()?;
    Some(rest.iter().rev().fold(*last, |acc, h| node_hash(h, &acc)))
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::hasher::leaf_hash;
    use crate::tree_math::perfect_cover;

    /// The RFC 6962 definition, recursively, for comparison.
    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => Hash::empty_root(),
            1 => leaves[0],
            n => {
                let k = crate::tree_math::split_point(n as u64) as usize;
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    #[test]
    fn root_matches_recursive_definition_at_every_size() {
        let leaves: Vec<Hash> = (0..70u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut f = Frontier::new();
        assert_eq!(f.root(), Hash::empty_root());
        for (i, l) in leaves.iter().enumerate() {
            f.push(*l);
            assert_eq!(f.root(), reference_root(&leaves[..=i]), "size {}", i + 1);
            assert_eq!(f.peaks().len(), perfect_cover(0..f.size()).len());
        }
    }

    #[test]
    fn created_nodes_are_the_completed_perfect_subtrees() {
        let mut f = Frontier::new();
        let mut made = Vec::new();
        for i in 0..8u32 {
            f.push_with(leaf_hash(&i.to_be_bytes()), |id, _| made.push(id));
        }
        // 4 + 2 + 1 interior nodes for 8 leaves.
        assert_eq!(made.len(), 7);
        assert_eq!(made.last(), Some(&NodeId { level: 3, index: 0 }));
    }

    #[test]
    fn from_peaks_rejects_wrong_count() {
        assert!(Frontier::from_peaks(3, vec![Hash::default()]).is_none());
        assert!(Frontier::from_peaks(3, vec![Hash::default(); 2]).is_some());
    }
}
