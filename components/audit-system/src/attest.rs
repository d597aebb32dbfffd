//! Attestations: statements signed by someone other than the log (a reviewer approving a request, an
//! administrator registering a reviewer), recorded inside an entry so anyone can check later who vouched for
//! what.
//!
//! An attestation keeps the signer's Ed25519 public key, the signature, and the *exact bytes* that were
//! signed, so a verifier needs nothing but the entry: [`Attestation::verify`] checks the signature over those
//! bytes with strict RFC 8032 verification. The entry's leaf hash covers every attestation (see
//! [`crate::entry::entry_hash_with`]), and the log's signature covers the leaf hash, so an attestation cannot
//! be added, removed or swapped without breaking the entry. What the statement *means* (which request, which
//! verdict) is up to the component that made it; the log only guarantees it was signed by `signer` and has
//! not changed since it was logged.

use serde::{Deserialize, Serialize};

use crate::entry::{Signature, hex_sig};
use crate::sign::PublicKey;

/// Most attestations one entry may carry.
pub const MAX_ATTESTATIONS: usize = 16;

/// Largest signed statement, in bytes.
pub const MAX_STATEMENT_BYTES: usize = 4096;

/// A statement signed with someone's Ed25519 key, as recorded in an entry.
///
/// A value may hold a bad signature (it can come from an untrusted store or export); [`Self::verify`] says
/// whether it holds. [`crate::AuditLog::append_attested`] refuses attestations that do not verify.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestation {
    /// The signer's Ed25519 public key (32 bytes, hex in JSON).
    #[serde(with = "hex_key")]
    pub signer: [u8; 32],
    /// The exact bytes that were signed (hex in JSON).
    #[serde(with = "hex_bytes")]
    pub statement: Vec<u8>,
    /// The signer's Ed25519 signature over `statement` (hex in JSON).
    #[serde(with = "hex_sig")]
    pub signature: Signature,
}

impl Attestation {
    /// Wraps a signer's public key, the exact signed bytes and the signature. Nothing is checked here; see
    /// [`Self::verify`].
    #[must_use]
    pub fn new(signer: [u8; 32], statement: Vec<u8>, signature: [u8; 64]) -> Self {
        Self {
            signer,
            statement,
            signature: Signature(signature),
        }
    }

    /// The signer's key, or `None` if the bytes are not a valid Ed25519 point.
    #[must_use]
    pub fn signer_key(&self) -> Option<PublicKey> {
        PublicKey::from_bytes(&self.signer)
    }

    /// Returns true if and only if `signature` is `signer`'s strict (RFC 8032) Ed25519 signature over
    /// `statement`.
    #[must_use]
    pub fn verify(&self) -> bool {
        self.signer_key()
            .is_some_and(|k| k.verify_message(&self.statement, &self.signature.0))
    }

    /// Appends the canonical encoding (covered by the entry hash): signer, signature, u32 big-endian length,
    /// statement.
    pub(crate) fn encode_into(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&self.signer);
        buf.extend_from_slice(&self.signature.0);
        let len = u32::try_from(self.statement.len()).unwrap_or(u32::MAX);
        buf.extend_from_slice(&len.to_be_bytes());
        buf.extend_from_slice(&self.statement);
    }
}

mod hex_key {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(k: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(k))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&s, &mut out)
            .map_err(|_| D::Error::custom("expected 64 hex digits"))?;
        Ok(out)
    }
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(&s).map_err(|_| D::Error::custom("expected hex digits"))
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer as _, SigningKey};

    fn signed(statement: &[u8]) -> Attestation {
        let key = SigningKey::from_bytes(&[7; 32]);
        Attestation::new(
            key.verifying_key().to_bytes(),
            statement.to_vec(),
            key.sign(statement).to_bytes(),
        )
    }

    #[test]
    fn a_signed_statement_verifies_and_any_change_breaks_it() {
        let a = signed(b"request 1 approved");
        assert!(a.verify());
        let mut other = a.clone();
        other.statement[0] ^= 1;
        assert!(!other.verify());
        let mut other = a.clone();
        other.signature.0[3] ^= 1;
        assert!(!other.verify());
        let mut other = a.clone();
        other.signer = SigningKey::from_bytes(&[8; 32]).verifying_key().to_bytes();
        assert!(!other.verify());
    }

    #[test]
    fn json_round_trips_exact_bytes() {
        let a = signed(&[0, 255, 10, 13]);
        let json = serde_json::to_string(&a).unwrap_or_default();
        let back: Attestation = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, a);
    }
}
