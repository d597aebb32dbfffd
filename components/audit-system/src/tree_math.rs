//! Pure index arithmetic for RFC 6962 trees: which perfect subtrees make up a range, and which ranges a proof
//! needs. Nothing here hashes or stores anything.

use std::ops::Range;

/// The index of a leaf (an entry's sequence number).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LeafIdx(pub u64);

/// A perfect subtree: the `index`-th run of `2^level` leaves, covering leaves
/// `[index << level, (index + 1) << level)`. Level 0 is a leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId {
    /// Height above the leaves (0 = leaf).
    pub level: u32,
    /// Position among the nodes of that level, from the left.
    pub index: u64,
}

impl NodeId {
    /// The node of leaf `leaf`.
    #[must_use]
    pub fn leaf(leaf: LeafIdx) -> Self {
        Self {
            level: 0,
            index: leaf.0,
        }
    }

    /// The leaves this node covers.
    #[must_use]
    pub fn leaves(&self) -> Range<u64> {
        (self.index << self.level)..((self.index + 1) << self.level)
    }
}

/// The largest power of two strictly less than `n` (the RFC 6962 split point `k`); requires `n >= 2`.
#[must_use]
pub fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The perfect subtrees that make up `range`, left to right, largest first: each is the largest aligned
/// power-of-two block that starts where the previous ended and fits. For the ranges RFC 6962 hashes
/// (`[0, n)` and the right parts of its splits) the sizes strictly decrease, so the range's hash is the fold
/// of these nodes from the right.
#[must_use]
pub fn perfect_cover(range: Range<u64>) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut start = range.start;
    while start < range.end {
        let align = if start == 0 {
            63
        } else {
            start.trailing_zeros()
        };
        let fit = 63 - (range.end - start).leading_zeros();
        let level = align.min(fit);
        out.push(NodeId {
            level,
            index: start >> level,
        });
        start += 1u64 << level;
    }
    out
}

/// The ranges whose hashes form the inclusion proof of `leaf` in a tree of `size` leaves, in proof order
/// (the sibling nearest the leaf first). Empty if `leaf >= size`.
#[must_use]
pub fn inclusion_ranges(leaf: LeafIdx, size: u64) -> Vec<Range<u64>> {
    let mut out = Vec::new();
    if leaf.0 >= size {
        return out;
    }
    // Walk down from the root, then reverse: PATH(m, D[lo:hi]).
    let (mut lo, mut hi, m) = (0u64, size, leaf.0);
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if m < lo + k {
            out.push(lo + k..hi);
            hi = lo + k;
        } else {
            out.push(lo..lo + k);
            lo += k;
        }
    }
    out.reverse();
    out
}

/// The ranges whose hashes form the consistency proof from a tree of `old` leaves to one of `new` leaves, in
/// proof order (RFC 6962 §2.1.2 `PROOF(m, D[n])`). Empty if `old == 0`, `old >= new`.
#[must_use]
pub fn consistency_ranges(old: u64, new: u64) -> Vec<Range<u64>> {
    let mut out = Vec::new();
    if old == 0 || old >= new {
        return out;
    }
    // SUBPROOF(m, D[lo:hi], b), iteratively; nodes are found root-first, so reverse at the end.
    let (mut lo, mut hi, mut m, mut whole) = (0u64, new, old, true);
    loop {
        if m == hi - lo {
            if !whole {
                out.push(lo..hi);
            }
            break;
        }
        let k = split_point(hi - lo);
        if m <= k {
            out.push(lo + k..hi);
            hi = lo + k;
        } else {
            out.push(lo..lo + k);
            lo += k;
            m -= k;
            whole = false;
        }
    }
    out.reverse();
    out
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn split_point_is_largest_power_below() {
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(4), 2);
        assert_eq!(split_point(5), 4);
        assert_eq!(split_point(1 << 40), 1 << 39);
    }

    #[test]
    fn perfect_cover_of_prefix_follows_the_bits_of_size() {
        let cover = perfect_cover(0..13);
        let sizes: Vec<u64> = cover
            .iter()
            .map(|n| n.leaves().end - n.leaves().start)
            .collect();
        assert_eq!(sizes, vec![8, 4, 1]);
        assert_eq!(cover[1], NodeId { level: 2, index: 2 });
        assert!(perfect_cover(5..5).is_empty());
    }

    #[test]
    fn inclusion_ranges_match_rfc_shape() {
        assert_eq!(inclusion_ranges(LeafIdx(0), 1), Vec::<Range<u64>>::new());
        assert_eq!(inclusion_ranges(LeafIdx(5), 8), vec![4..5, 6..8, 0..4]);
        assert_eq!(inclusion_ranges(LeafIdx(2), 3), vec![0..2]);
        assert!(inclusion_ranges(LeafIdx(3), 3).is_empty());
    }

    #[test]
    fn consistency_ranges_match_rfc_shape() {
        assert_eq!(consistency_ranges(1, 8), vec![1..2, 2..4, 4..8]);
        assert_eq!(consistency_ranges(6, 8), vec![4..6, 6..8, 0..4]);
        assert_eq!(consistency_ranges(2, 5), vec![2..4, 4..5]);
        assert!(consistency_ranges(4, 4).is_empty());
    }
}
