#![cfg(not(loom))]
//! Property tests: roots at every size match the recursive RFC 6962 definition, and every inclusion and
//! consistency proof the store builds verifies (and fails against a different root).

use audit_system::hasher::{leaf_hash, node_hash};
use audit_system::tree_math::split_point;
use audit_system::{
    ConsistencyProof, Entry, Frontier, Hash, InclusionProof, MemoryStore, Signature, Store,
};
use proptest::prelude::*;

fn reference_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Hash::empty_root(),
        1 => leaves[0],
        n => {
            let k = split_point(n as u64) as usize;
            node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
        }
    }
}

fn build(n: usize) -> (MemoryStore, Vec<Hash>) {
    let store = MemoryStore::new();
    let mut f = Frontier::new();
    let mut leaves = Vec::new();
    for i in 0..n {
        let hash = leaf_hash(&(i as u64).to_be_bytes());
        leaves.push(hash);
        let e = Entry {
            seq: i as u64,
            timestamp_ns: 0,
            actor: String::new(),
            action: String::new(),
            payload: String::new(),
            prev_hash: Hash::default(),
            hash,
            signature: Signature([0; 64]),
            attestations: Vec::new(),
        };
        let mut nodes = Vec::new();
        f.push_with(hash, |id, h| nodes.push((id, h)));
        store.commit(&[e], &nodes).unwrap_or_else(|e| panic!("{e}"));
    }
    (store, leaves)
}

proptest! {
    #[test]
    fn proofs_verify_at_random_sizes(n in 1usize..300, a in any::<u64>(), b in any::<u64>()) {
        let (store, leaves) = build(n);
        let size = 1 + a % n as u64;
        let old = 1 + b % size;
        let index = b % size;
        let root = reference_root(&leaves[..size as usize]);
        prop_assert_eq!(audit_system::proof::root_at(&store, size).ok(), Some(root));
        let p = InclusionProof::build(&store, index, size).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(p.verify(&leaves[index as usize], &root), Ok(()));
        prop_assert!(p.verify(&leaves[index as usize], &Hash([9; 32])).is_err());
        let c = ConsistencyProof::build(&store, old, size).unwrap_or_else(|e| panic!("{e}"));
        let old_root = reference_root(&leaves[..old as usize]);
        prop_assert_eq!(c.verify(&old_root, &root), Ok(()));
        if old < size {
            prop_assert!(c.verify(&Hash([9; 32]), &root).is_err());
        }
    }
}
