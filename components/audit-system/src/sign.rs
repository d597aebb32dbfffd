//! Ed25519 keys and signatures: the log's signing key (persisted owner-only or supplied), the exported public
//! key, and signed tree heads.
//!
//! An entry's signature is over `"aegis-audit-entry-sig-v1" || leaf_hash`; the leaf hash covers the sequence
//! number, timestamp, previous hash and content, so the signature covers them all. A tree head's signature is
//! over `"aegis-audit-sth-v1" || size || timestamp || root` (integers big-endian).

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::Path;

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::entry::{Entry, Signature, hex_hash, hex_sig};
use crate::error::AuditError;
use crate::hasher::Hash;

const ENTRY_SIG_TAG: &[u8] = b"aegis-audit-entry-sig-v1";
const STH_SIG_TAG: &[u8] = b"aegis-audit-sth-v1";

fn entry_message(hash: &Hash) -> [u8; 56] {
    let mut m = [0u8; 56];
    m[..24].copy_from_slice(ENTRY_SIG_TAG);
    m[24..].copy_from_slice(&hash.0);
    m
}

fn sth_message(size: u64, timestamp_ns: u64, root: &Hash) -> Vec<u8> {
    let mut m = Vec::with_capacity(STH_SIG_TAG.len() + 48);
    m.extend_from_slice(STH_SIG_TAG);
    m.extend_from_slice(&size.to_be_bytes());
    m.extend_from_slice(&timestamp_ns.to_be_bytes());
    m.extend_from_slice(&root.0);
    m
}

/// The log's Ed25519 signing key.
#[derive(Clone)]
pub struct LogKey(SigningKey);

impl std::fmt::Debug for LogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogKey(public: {})", self.public_key().to_hex())
    }
}

impl LogKey {
    /// A fresh random key from the OS-seeded thread RNG.
    #[must_use]
    pub fn generate() -> Self {
        let mut secret = [0u8; 32];
        rand::fill(&mut secret);
        Self(SigningKey::from_bytes(&secret))
    }

    /// The key with this 32-byte secret (for callers that keep keys elsewhere).
    #[must_use]
    pub fn from_secret_bytes(secret: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(secret))
    }

    /// Generates a key and writes its secret (64 hex digits) to a new file created with mode 0600.
    ///
    /// # Errors
    /// [`AuditError::KeyFileExists`] if the file exists (it is never overwritten), [`AuditError::Io`] otherwise.
    pub fn create_file(path: impl AsRef<Path>) -> Result<Self, AuditError> {
        let path = path.as_ref();
        let key = Self::generate();
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut file = opts.open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => AuditError::KeyFileExists {
                path: path.to_owned(),
            },
            _ => AuditError::Io(e),
        })?;
        file.write_all(hex::encode(key.0.to_bytes()).as_bytes())?;
        file.sync_all()?;
        Ok(key)
    }

    /// Loads a key written by [`Self::create_file`].
    ///
    /// # Errors
    /// [`AuditError::KeyFileMissing`], [`AuditError::KeyFilePermissions`] if group or others can read it (unix),
    /// [`AuditError::KeyFileInvalid`] if it is not 64 hex digits.
    pub fn load_file(path: impl AsRef<Path>) -> Result<Self, AuditError> {
        let path = path.as_ref();
        let mut file = std::fs::File::open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => AuditError::KeyFileMissing {
                path: path.to_owned(),
            },
            _ => AuditError::Io(e),
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = file.metadata()?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(AuditError::KeyFilePermissions {
                    path: path.to_owned(),
                    mode,
                });
            }
        }
        let mut text = String::new();
        file.read_to_string(&mut text)?;
        let mut secret = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut secret).map_err(|e| AuditError::KeyFileInvalid {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Self(SigningKey::from_bytes(&secret)))
    }

    /// Loads the key at `path`, or creates it (mode 0600) if there is no file.
    ///
    /// # Errors
    /// As [`Self::load_file`] and [`Self::create_file`].
    pub fn load_or_create_file(path: impl AsRef<Path>) -> Result<Self, AuditError> {
        match Self::load_file(path.as_ref()) {
            Err(AuditError::KeyFileMissing { .. }) => Self::create_file(path),
            other => other,
        }
    }

    /// The public half, for verifiers.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Signs an entry's leaf hash.
    #[must_use]
    pub fn sign_entry_hash(&self, hash: &Hash) -> [u8; 64] {
        self.0.sign(&entry_message(hash)).to_bytes()
    }

    /// Signs a tree head.
    #[must_use]
    pub fn sign_tree_head(&self, size: u64, timestamp_ns: u64, root: Hash) -> SignedTreeHead {
        let signature = Signature(
            self.0
                .sign(&sth_message(size, timestamp_ns, &root))
                .to_bytes(),
        );
        SignedTreeHead {
            size,
            timestamp_ns,
            root,
            signature,
        }
    }
}

/// The log's Ed25519 public key: all a verifier needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// The 32 key bytes.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Lower-case hex of the key bytes.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    /// Parses 32 key bytes; `None` if they are not a valid Ed25519 point.
    #[must_use]
    pub fn from_bytes(bytes: &[u8; 32]) -> Option<Self> {
        VerifyingKey::from_bytes(bytes).ok().map(Self)
    }

    /// Parses 64 hex digits; `None` if malformed.
    #[must_use]
    pub fn from_hex(s: &str) -> Option<Self> {
        let mut b = [0u8; 32];
        hex::decode_to_slice(s.trim(), &mut b).ok()?;
        Self::from_bytes(&b)
    }

    /// Returns true if and only if `signature` is this key's (strict RFC 8032) signature over the entry hash.
    #[must_use]
    pub fn verify_entry_hash(&self, hash: &Hash, signature: &[u8; 64]) -> bool {
        let sig = ed25519_dalek::Signature::from_bytes(signature);
        self.0.verify_strict(&entry_message(hash), &sig).is_ok()
    }

    /// Returns true if and only if `signature` is this key's strict (RFC 8032) signature over exactly
    /// `message` (no domain tag added: for statements signed outside the log, see [`crate::Attestation`]).
    #[must_use]
    pub fn verify_message(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let sig = ed25519_dalek::Signature::from_bytes(signature);
        self.0.verify_strict(message, &sig).is_ok()
    }

    /// Returns true if and only if the entry's signature verifies over its stored hash.
    #[must_use]
    pub fn verify_entry(&self, entry: &Entry) -> bool {
        self.verify_entry_hash(&entry.hash, &entry.signature.0)
    }

    /// Returns true if every entry's signature verifies, using Ed25519 batch verification (about twice as fast
    /// per signature as one by one). A `false` says only that some signature is bad: check them one by one
    /// with [`Self::verify_entry`] to find which. Batch verification uses the cofactored equation, so it may
    /// accept a signature whose `R` carries a small-order component that the strict check rejects; such a
    /// signature still cannot be made without the secret key and still covers the same entry hash.
    #[must_use]
    pub fn verify_entries_batch(&self, entries: &[Entry]) -> bool {
        if entries.is_empty() {
            return true;
        }
        let messages: Vec<[u8; 56]> = entries.iter().map(|e| entry_message(&e.hash)).collect();
        let message_refs: Vec<&[u8]> = messages.iter().map(|m| &m[..]).collect();
        let signatures: Vec<ed25519_dalek::Signature> = entries
            .iter()
            .map(|e| ed25519_dalek::Signature::from_bytes(&e.signature.0))
            .collect();
        let keys = vec![self.0; entries.len()];
        ed25519_dalek::verify_batch(&message_refs, &signatures, &keys).is_ok()
    }

    /// Returns true if and only if the tree head's signature verifies.
    #[must_use]
    pub fn verify_tree_head(&self, sth: &SignedTreeHead) -> bool {
        let sig = ed25519_dalek::Signature::from_bytes(&sth.signature.0);
        self.0
            .verify_strict(&sth_message(sth.size, sth.timestamp_ns, &sth.root), &sig)
            .is_ok()
    }
}

/// A signed statement "the log had `size` entries with Merkle root `root` at `timestamp_ns`".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTreeHead {
    /// Number of entries covered.
    pub size: u64,
    /// When it was signed (ns since the Unix epoch).
    pub timestamp_ns: u64,
    /// RFC 6962 root of the first `size` entries.
    #[serde(with = "hex_hash")]
    pub root: Hash,
    /// Ed25519 signature by the log key.
    #[serde(with = "hex_sig")]
    pub signature: Signature,
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_owner_only_and_round_trips() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("log.key");
        let k = LogKey::create_file(&path).unwrap_or_else(|e| panic!("{e}"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0);
            assert_eq!(mode, 0o600);
        }
        let again = LogKey::load_file(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(k.public_key(), again.public_key());
        assert!(matches!(
            LogKey::create_file(&path),
            Err(AuditError::KeyFileExists { .. })
        ));
        assert!(matches!(
            LogKey::load_file(dir.path().join("nope")),
            Err(AuditError::KeyFileMissing { .. })
        ));
    }

    #[test]
    fn loose_permissions_and_garbage_are_rejected() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("bad.key");
        std::fs::write(&path, "not hex").unwrap_or_else(|e| panic!("{e}"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(matches!(
                LogKey::load_file(&path),
                Err(AuditError::KeyFilePermissions { mode: 0o644, .. })
            ));
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(matches!(
            LogKey::load_file(&path),
            Err(AuditError::KeyFileInvalid { .. })
        ));
    }

    #[test]
    fn signatures_bind_hash_and_tree_head() {
        let k = LogKey::generate();
        let pk = k.public_key();
        let h = Hash([7; 32]);
        let sig = k.sign_entry_hash(&h);
        assert!(pk.verify_entry_hash(&h, &sig));
        assert!(!pk.verify_entry_hash(&Hash([8; 32]), &sig));
        let mut sth = k.sign_tree_head(3, 9, h);
        assert!(pk.verify_tree_head(&sth));
        sth.size = 4;
        assert!(!pk.verify_tree_head(&sth));
        assert_eq!(PublicKey::from_hex(&pk.to_hex()), Some(pk));
    }

    #[test]
    fn batch_verification_agrees_with_single() {
        use crate::entry::{EntryContent, UnsignedEntry};
        let k = LogKey::generate();
        let pk = k.public_key();
        let mut entries: Vec<Entry> = (0..10u64)
            .map(|i| {
                let u = UnsignedEntry::new(
                    i,
                    i,
                    Hash::default(),
                    EntryContent::unchecked("a", "b", "1"),
                );
                let sig = k.sign_entry_hash(&u.hash);
                u.with_signature(sig)
            })
            .collect();
        assert!(pk.verify_entries_batch(&entries));
        assert!(entries.iter().all(|e| pk.verify_entry(e)));
        entries[6].signature = entries[5].signature;
        assert!(!pk.verify_entries_batch(&entries));
        assert!(!pk.verify_entry(&entries[6]));
        assert!(pk.verify_entries_batch(&[]));
    }
}
