//! Log entries and their canonical byte encoding (what is hashed and signed).

use serde::{Deserialize, Serialize};

use crate::attest::{Attestation, MAX_ATTESTATIONS, MAX_STATEMENT_BYTES};
use crate::error::AuditError;
use crate::hasher::{Hash, leaf_hash};

/// Domain tag at the start of every entry's canonical encoding.
const ENTRY_TAG: &[u8] = b"aegis-audit-entry-v1\0";
/// Domain tag of an entry that carries attestations (its encoding continues after the payload).
const ATTESTED_ENTRY_TAG: &[u8] = b"aegis-audit-entry-v2\0";

/// Limits applied to entry content before anything is sequenced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest payload in bytes (default 64 KiB).
    pub max_payload_bytes: usize,
    /// Largest actor or action in bytes (default 256).
    pub max_field_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_payload_bytes: 64 * 1024,
            max_field_bytes: 256,
        }
    }
}

/// What a caller logs: who did what, with a JSON payload and optional attestations. A value that exists has
/// passed [`Limits`] (and, for attestations, [`Self::with_attestations`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryContent {
    actor: String,
    action: String,
    payload: String,
    attestations: Vec<Attestation>,
}

impl EntryContent {
    /// Validates and wraps the content; the payload is kept byte for byte as given.
    ///
    /// # Errors
    /// [`AuditError::BadField`] for an empty or too long actor/action, [`AuditError::PayloadTooLarge`],
    /// [`AuditError::InvalidJson`].
    pub fn new(
        actor: &str,
        action: &str,
        payload_json: &str,
        limits: &Limits,
    ) -> Result<Self, AuditError> {
        for (field, v) in [("actor", actor), ("action", action)] {
            if v.is_empty() || v.len() > limits.max_field_bytes {
                return Err(AuditError::BadField {
                    field,
                    len: v.len(),
                    max: limits.max_field_bytes,
                });
            }
        }
        if payload_json.len() > limits.max_payload_bytes {
            return Err(AuditError::PayloadTooLarge {
                len: payload_json.len(),
                max: limits.max_payload_bytes,
            });
        }
        serde_json::from_str::<serde::de::IgnoredAny>(payload_json)
            .map_err(|e| AuditError::InvalidJson(e.to_string()))?;
        Ok(Self {
            actor: actor.to_owned(),
            action: action.to_owned(),
            payload: payload_json.to_owned(),
            attestations: Vec::new(),
        })
    }

    /// Adds attestations (statements signed by others, e.g. a reviewer's decision) to be recorded with the
    /// entry and covered by its hash and signature.
    ///
    /// # Errors
    /// [`AuditError::TooManyAttestations`] beyond [`MAX_ATTESTATIONS`], [`AuditError::StatementTooLarge`]
    /// beyond [`MAX_STATEMENT_BYTES`], [`AuditError::BadAttestation`] for one whose signature does not verify.
    pub fn with_attestations(mut self, attestations: Vec<Attestation>) -> Result<Self, AuditError> {
        if attestations.len() > MAX_ATTESTATIONS {
            return Err(AuditError::TooManyAttestations {
                count: attestations.len(),
                max: MAX_ATTESTATIONS,
            });
        }
        for (index, a) in attestations.iter().enumerate() {
            if a.statement.len() > MAX_STATEMENT_BYTES {
                return Err(AuditError::StatementTooLarge {
                    index,
                    len: a.statement.len(),
                    max: MAX_STATEMENT_BYTES,
                });
            }
            if !a.verify() {
                return Err(AuditError::BadAttestation { index });
            }
        }
        self.attestations = attestations;
        Ok(self)
    }

    /// Content with no validation, for the loom models and tests of the ordering core.
    #[must_use]
    pub fn unchecked(actor: &str, action: &str, payload_json: &str) -> Self {
        Self {
            actor: actor.to_owned(),
            action: action.to_owned(),
            payload: payload_json.to_owned(),
            attestations: Vec::new(),
        }
    }
}

/// An entry that has its place in the chain (sequence number, timestamp, previous hash) but no signature yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsignedEntry {
    /// Position in the log, dense from 0.
    pub seq: u64,
    /// Nanoseconds since the Unix epoch; never less than the previous entry's.
    pub timestamp_ns: u64,
    /// Leaf hash of the previous entry (all zeros for entry 0).
    pub prev_hash: Hash,
    /// The logged content.
    pub content: EntryContent,
    /// This entry's leaf hash, over all the fields above.
    pub hash: Hash,
}

impl UnsignedEntry {
    /// Places `content` at `seq` after `prev_hash`, computing its leaf hash.
    #[must_use]
    pub fn new(seq: u64, timestamp_ns: u64, prev_hash: Hash, content: EntryContent) -> Self {
        let hash = entry_hash_with(
            seq,
            timestamp_ns,
            &prev_hash,
            &content.actor,
            &content.action,
            &content.payload,
            &content.attestations,
        );
        Self {
            seq,
            timestamp_ns,
            prev_hash,
            content,
            hash,
        }
    }

    /// Attaches a signature.
    #[must_use]
    pub fn with_signature(self, signature: [u8; 64]) -> Entry {
        Entry {
            seq: self.seq,
            timestamp_ns: self.timestamp_ns,
            actor: self.content.actor,
            action: self.content.action,
            payload: self.content.payload,
            prev_hash: self.prev_hash,
            hash: self.hash,
            signature: Signature(signature),
            attestations: self.content.attestations,
        }
    }
}

/// A 64-byte Ed25519 signature, hex in JSON.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature(pub [u8; 64]);

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signature({})", hex::encode(self.0))
    }
}

/// A committed, signed log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the log, dense from 0.
    pub seq: u64,
    /// Nanoseconds since the Unix epoch; never less than the previous entry's.
    pub timestamp_ns: u64,
    /// Who acted.
    pub actor: String,
    /// What kind of action.
    pub action: String,
    /// JSON payload, byte for byte as logged.
    pub payload: String,
    /// Leaf hash of the previous entry (all zeros for entry 0).
    #[serde(with = "hex_hash")]
    pub prev_hash: Hash,
    /// This entry's RFC 6962 leaf hash, over every field above.
    #[serde(with = "hex_hash")]
    pub hash: Hash,
    /// Ed25519 signature over `hash` (see [`crate::sign`]).
    #[serde(with = "hex_sig")]
    pub signature: Signature,
    /// Statements signed by others and recorded with this entry (covered by `hash`); usually empty, and then
    /// absent from the JSON.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attestations: Vec<Attestation>,
}

impl Entry {
    /// Recomputes the leaf hash from the fields (ignoring the stored `hash`).
    #[must_use]
    pub fn computed_hash(&self) -> Hash {
        entry_hash_with(
            self.seq,
            self.timestamp_ns,
            &self.prev_hash,
            &self.actor,
            &self.action,
            &self.payload,
            &self.attestations,
        )
    }
}

/// The leaf hash of the canonical encoding of an entry without attestations: tag, seq, timestamp, previous
/// hash, then length-prefixed actor, action and payload. Integers are big-endian; lengths are u32.
#[must_use]
pub fn entry_hash(
    seq: u64,
    ts: u64,
    prev: &Hash,
    actor: &str,
    action: &str,
    payload: &str,
) -> Hash {
    entry_hash_with(seq, ts, prev, actor, action, payload, &[])
}

/// The leaf hash of an entry with `attestations`. With none it is [`entry_hash`] (so logs written before
/// attestations existed verify unchanged); with some, the tag is `aegis-audit-entry-v2` and the encoding
/// continues after the payload with a u32 count and, per attestation, signer key (32 bytes), signature (64
/// bytes), u32 statement length and the statement bytes.
#[must_use]
pub fn entry_hash_with(
    seq: u64,
    ts: u64,
    prev: &Hash,
    actor: &str,
    action: &str,
    payload: &str,
    attestations: &[Attestation],
) -> Hash {
    let extra: usize = attestations.iter().map(|a| 100 + a.statement.len()).sum();
    let mut buf = Vec::with_capacity(
        ENTRY_TAG.len() + 64 + actor.len() + action.len() + payload.len() + extra,
    );
    buf.extend_from_slice(if attestations.is_empty() {
        ENTRY_TAG
    } else {
        ATTESTED_ENTRY_TAG
    });
    buf.extend_from_slice(&seq.to_be_bytes());
    buf.extend_from_slice(&ts.to_be_bytes());
    buf.extend_from_slice(&prev.0);
    for part in [actor, action, payload] {
        let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
        buf.extend_from_slice(&len.to_be_bytes());
        buf.extend_from_slice(part.as_bytes());
    }
    if !attestations.is_empty() {
        let count = u32::try_from(attestations.len()).unwrap_or(u32::MAX);
        buf.extend_from_slice(&count.to_be_bytes());
        for a in attestations {
            a.encode_into(&mut buf);
        }
    }
    leaf_hash(&buf)
}

pub(crate) mod hex_hash {
    use super::Hash;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(h: &Hash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&h.to_hex())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        let s = String::deserialize(d)?;
        Hash::from_hex(&s).ok_or_else(|| D::Error::custom("expected 64 hex digits"))
    }
}

pub(crate) mod hex_sig {
    use super::Signature;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(sig: &Signature, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(sig.0))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Signature, D::Error> {
        let s = String::deserialize(d)?;
        let mut out = [0u8; 64];
        hex::decode_to_slice(&s, &mut out)
            .map_err(|_| D::Error::custom("expected 128 hex digits"))?;
        Ok(Signature(out))
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn bad_content_is_rejected_with_typed_errors() {
        let l = Limits {
            max_payload_bytes: 10,
            max_field_bytes: 4,
        };
        assert!(matches!(
            EntryContent::new("", "a", "{}", &l),
            Err(AuditError::BadField { field: "actor", .. })
        ));
        assert!(matches!(
            EntryContent::new("a", "abcde", "{}", &l),
            Err(AuditError::BadField {
                field: "action",
                ..
            })
        ));
        assert!(matches!(
            EntryContent::new("a", "b", "[1,2,3,4,5,6]", &l),
            Err(AuditError::PayloadTooLarge { len: 13, max: 10 })
        ));
        assert!(matches!(
            EntryContent::new("a", "b", "{x", &l),
            Err(AuditError::InvalidJson(_))
        ));
        assert!(EntryContent::new("a", "b", "{\"k\":1}", &l).is_ok());
    }

    #[test]
    fn every_field_changes_the_hash() {
        let p = Hash::default();
        let base = entry_hash(1, 2, &p, "a", "b", "{}");
        assert_ne!(base, entry_hash(2, 2, &p, "a", "b", "{}"));
        assert_ne!(base, entry_hash(1, 3, &p, "a", "b", "{}"));
        assert_ne!(base, entry_hash(1, 2, &Hash([1; 32]), "a", "b", "{}"));
        assert_ne!(base, entry_hash(1, 2, &p, "ab", "", "{}"));
        assert_ne!(base, entry_hash(1, 2, &p, "a", "b", "[]"));
    }
}
