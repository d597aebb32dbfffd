#![cfg(not(loom))]
//! RFC 6962 known-answer tests (vectors from transparency-dev/merkle `testonly/reference_test.go` and the
//! certificate-transparency C++ tests), plus named negative cases for the proof verifiers.

use audit_system::hasher::leaf_hash;
use audit_system::{
    ConsistencyProof, Entry, Frontier, Hash, InclusionProof, MemoryStore, ProofError, Signature,
    Store,
};

const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (size, index, proof)
const INCLUSION: [(u64, u64, &[&str]); 7] = [
    (1, 0, &[]),
    (
        2,
        0,
        &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"],
    ),
    (
        2,
        1,
        &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"],
    ),
    (
        3,
        2,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        5,
        1,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        8,
        0,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        8,
        5,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

/// (old size, new size, proof)
const CONSISTENCY: [(u64, u64, &[&str]); 4] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

fn h(s: &str) -> Hash {
    Hash::from_hex(s).unwrap_or_else(|| panic!("bad hex {s}"))
}

fn leaf(i: usize) -> Hash {
    leaf_hash(&hex::decode(LEAVES[i]).unwrap_or_else(|e| panic!("{e}")))
}

/// A store holding the first `n` vector leaves (as entries whose leaf hash is the vector's) and their nodes.
fn store_with(n: usize) -> MemoryStore {
    let store = MemoryStore::new();
    let mut f = Frontier::new();
    for i in 0..n {
        let e = Entry {
            seq: i as u64,
            timestamp_ns: 0,
            actor: String::new(),
            action: String::new(),
            payload: String::new(),
            prev_hash: Hash::default(),
            hash: leaf(i),
            signature: Signature([0; 64]),
            attestations: Vec::new(),
        };
        let mut nodes = Vec::new();
        f.push_with(e.hash, |id, hash| nodes.push((id, hash)));
        store.commit(&[e], &nodes).unwrap_or_else(|e| panic!("{e}"));
    }
    store
}

#[test]
fn roots_match_rfc6962_vectors() {
    let mut f = Frontier::new();
    assert_eq!(
        f.root().to_hex(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    for (i, want) in ROOTS.iter().enumerate() {
        f.push(leaf(i));
        assert_eq!(f.root(), h(want), "size {}", i + 1);
        assert_eq!(
            audit_system::proof::root_at(&store_with(8), i as u64 + 1).ok(),
            Some(h(want))
        );
    }
}

#[test]
fn inclusion_proofs_match_vectors_and_verify() {
    let store = store_with(8);
    for (size, index, want) in INCLUSION {
        let proof = InclusionProof::build(&store, index, size).unwrap_or_else(|e| panic!("{e}"));
        let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
        assert_eq!(proof.path, want, "size {size} index {index}");
        assert_eq!(
            proof.verify(&leaf(index as usize), &h(ROOTS[size as usize - 1])),
            Ok(())
        );
    }
}

#[test]
fn consistency_proofs_match_vectors_and_verify() {
    let store = store_with(8);
    for (old, new, want) in CONSISTENCY {
        let proof = ConsistencyProof::build(&store, old, new).unwrap_or_else(|e| panic!("{e}"));
        let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
        assert_eq!(proof.path, want, "{old} -> {new}");
        assert_eq!(
            proof.verify(&h(ROOTS[old as usize - 1]), &h(ROOTS[new as usize - 1])),
            Ok(())
        );
    }
}

#[test]
fn every_proof_up_to_eight_leaves_verifies() {
    let store = store_with(8);
    for size in 1..=8u64 {
        let root = h(ROOTS[size as usize - 1]);
        for index in 0..size {
            let p = InclusionProof::build(&store, index, size).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                p.verify(&leaf(index as usize), &root),
                Ok(()),
                "{index} in {size}"
            );
        }
        for old in 1..=size {
            let p = ConsistencyProof::build(&store, old, size).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                p.verify(&h(ROOTS[old as usize - 1]), &root),
                Ok(()),
                "{old} -> {size}"
            );
        }
    }
}

// Named negative cases, after transparency-dev/merkle's testdata.

fn inclusion_5_of_8() -> (InclusionProof, Hash, Hash) {
    let p = InclusionProof::build(&store_with(8), 5, 8).unwrap_or_else(|e| panic!("{e}"));
    (p, leaf(5), h(ROOTS[7]))
}

#[test]
fn inclusion_empty_proof_is_rejected() {
    let (mut p, l, r) = inclusion_5_of_8();
    p.path.clear();
    assert_eq!(
        p.verify(&l, &r),
        Err(ProofError::WrongLength {
            expected: 3,
            found: 0
        })
    );
}

#[test]
fn inclusion_preceding_garbage_is_rejected() {
    let (mut p, l, r) = inclusion_5_of_8();
    p.path.insert(0, Hash([0xaa; 32]));
    assert!(matches!(
        p.verify(&l, &r),
        Err(ProofError::WrongLength { .. })
    ));
}

#[test]
fn inclusion_trailing_garbage_is_rejected() {
    let (mut p, l, r) = inclusion_5_of_8();
    p.path.push(Hash([0xaa; 32]));
    assert!(matches!(
        p.verify(&l, &r),
        Err(ProofError::WrongLength { .. })
    ));
}

#[test]
fn inclusion_truncated_proof_is_rejected() {
    let (mut p, l, r) = inclusion_5_of_8();
    p.path.pop();
    assert!(matches!(
        p.verify(&l, &r),
        Err(ProofError::WrongLength { .. })
    ));
}

#[test]
fn inclusion_modified_hash_wrong_leaf_wrong_index_and_wrong_root_are_rejected() {
    let (p, l, r) = inclusion_5_of_8();
    let mut m = p.clone();
    m.path[1].0[0] ^= 1;
    assert_eq!(m.verify(&l, &r), Err(ProofError::RootMismatch));
    assert_eq!(p.verify(&leaf(4), &r), Err(ProofError::RootMismatch));
    let mut w = p.clone();
    w.index = 4;
    assert_eq!(w.verify(&l, &r), Err(ProofError::RootMismatch));
    assert_eq!(p.verify(&l, &h(ROOTS[6])), Err(ProofError::RootMismatch));
    let mut o = p;
    o.index = 8;
    assert_eq!(
        o.verify(&l, &r),
        Err(ProofError::IndexOutOfRange { index: 8, size: 8 })
    );
}

#[test]
fn consistency_negative_cases_are_rejected() {
    let store = store_with(8);
    let p = ConsistencyProof::build(&store, 6, 8).unwrap_or_else(|e| panic!("{e}"));
    let (old, new) = (h(ROOTS[5]), h(ROOTS[7]));
    let mut empty = p.clone();
    empty.path.clear();
    assert!(
        matches!(
            empty.verify(&old, &new),
            Err(ProofError::WrongLength { .. })
        ),
        "empty-proof"
    );
    let mut garbage = p.clone();
    garbage.path.insert(0, Hash([1; 32]));
    assert!(
        matches!(
            garbage.verify(&old, &new),
            Err(ProofError::WrongLength { .. })
        ),
        "preceding-garbage"
    );
    let mut modified = p.clone();
    modified.path[0].0[3] ^= 4;
    assert!(modified.verify(&old, &new).is_err(), "modified hash");
    assert_eq!(
        p.verify(&h(ROOTS[4]), &new),
        Err(ProofError::OldRootMismatch),
        "wrong old root"
    );
    assert_eq!(
        p.verify(&old, &h(ROOTS[6])),
        Err(ProofError::RootMismatch),
        "wrong new root"
    );
    let mut swapped = p;
    swapped.old_size = 8;
    swapped.new_size = 6;
    assert!(
        matches!(
            swapped.verify(&new, &old),
            Err(ProofError::SizesOutOfOrder { .. })
        ),
        "swapped sizes"
    );
    let same = ConsistencyProof::build(&store, 5, 5).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        same.verify(&h(ROOTS[4]), &h(ROOTS[5])),
        Err(ProofError::RootMismatch),
        "same size, other root"
    );
}
