//! Signed decisions: who decided is proven by an Ed25519 signature, not asserted by a name.
//!
//! A reviewer holds a [`ReviewerKey`]; the queue knows only its [`ReviewerPublicKey`]. To decide, the
//! reviewer signs a [`DecisionStatement`] naming the request id, the request's [`RequestDigest`] (which the
//! queue computed at submission over everything the request carries, so a signature cannot be moved to
//! another request or to a request whose content changed), the verdict, the reviewer's note and the time
//! of signing. The queue checks the signature against the key registered for that reviewer
//! ([`crate::HitlQueue::decide_signed`]) and keeps the exact signed bytes in the [`Decision`]'s
//! [`DecisionSignature`], so anyone can check later who approved what ([`DecisionSignature::verify`]).
//!
//! The statement is JSON with a fixed field order and a domain tag, so the signed bytes are
//! human-readable in an audit trail and cannot be confused with any other signed message of Aegis.
//!
//! [`Decision`]: crate::Decision

use std::fmt;

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::clock::Timestamp;
use crate::decision::Verdict;
use crate::error::HitlError;
use crate::request::{DecisionRequest, RequestId, RequestView};

/// Domain tag of a signed decision statement.
pub const DECISION_DOMAIN: &str = "aegis.hitl.decision.v1";

/// SHA-256 of a request as the queue accepted it: its id, submission time and every field the requester
/// gave (requester, description, JSON context, priority, timeout, workflow).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestDigest([u8; 32]);

impl RequestDigest {
    /// Computes the digest of `request` accepted under `id` at `submitted_at`. O(size of the request).
    #[must_use]
    pub fn of(id: RequestId, request: &DecisionRequest, submitted_at: Timestamp) -> Self {
        // serde_json writes struct fields in declaration order and map keys in the map's order, so the
        // same request always gives the same bytes within one build.
        let body = serde_json::json!({
            "id": id.0,
            "submitted_at_ns": submitted_at.as_nanos(),
            "request": request,
        });
        let mut hasher = Sha256::new();
        hasher.update(b"aegis.hitl.request.v1\n");
        hasher.update(body.to_string().as_bytes());
        Self(hasher.finalize().into())
    }

    /// The 32 digest bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex of the digest.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for RequestDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestDigest({})", self.to_hex())
    }
}

impl Serialize for RequestDigest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for RequestDigest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(&text, &mut bytes).map_err(serde::de::Error::custom)?;
        Ok(Self(bytes))
    }
}

/// What a reviewer signs to decide a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionStatement {
    /// The request decided.
    pub request: RequestId,
    /// Its digest, as shown in [`RequestView::digest`].
    pub digest: RequestDigest,
    /// Approve or reject.
    pub verdict: Verdict,
    /// The reviewer's note or reason.
    pub note: String,
    /// When the reviewer signed, in milliseconds since the Unix epoch by the reviewer's own clock
    /// (recorded, not trusted for ordering: the queue's clock orders decisions).
    pub signed_at_ms: u64,
}

impl DecisionStatement {
    /// A statement deciding the request shown in `view`.
    #[must_use]
    pub fn for_view(
        view: &RequestView,
        verdict: Verdict,
        note: impl Into<String>,
        signed_at_ms: u64,
    ) -> Self {
        Self {
            request: view.id,
            digest: view.digest,
            verdict,
            note: note.into(),
            signed_at_ms,
        }
    }

    /// The exact bytes that are signed: `{"domain":"aegis.hitl.decision.v1", ...the fields...}`.
    #[must_use]
    pub fn signed_text(&self) -> String {
        #[derive(Serialize)]
        struct Tagged<'a> {
            domain: &'static str,
            #[serde(flatten)]
            statement: &'a DecisionStatement,
        }
        serde_json::to_string(&Tagged {
            domain: DECISION_DOMAIN,
            statement: self,
        })
        .unwrap_or_default()
    }
}

/// A reviewer's secret signing key. Keep it with the reviewer, never in the queue or the agent.
pub struct ReviewerKey(SigningKey);

impl fmt::Debug for ReviewerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReviewerKey(public: {})", self.public().to_hex())
    }
}

impl ReviewerKey {
    /// A fresh random key from the OS-seeded thread RNG.
    #[must_use]
    pub fn generate() -> Self {
        let mut secret = [0u8; 32];
        rand::fill(&mut secret);
        Self(SigningKey::from_bytes(&secret))
    }

    /// The key with this 32-byte secret (for keys kept elsewhere, and for reproducible tests).
    #[must_use]
    pub fn from_secret_bytes(secret: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(secret))
    }

    /// The public half, to register with the queue.
    #[must_use]
    pub fn public(&self) -> ReviewerPublicKey {
        ReviewerPublicKey(self.0.verifying_key())
    }

    /// Signs arbitrary bytes (for statements other than decisions, such as reviewer registrations).
    #[must_use]
    pub fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }

    /// Signs `statement` as `reviewer`.
    #[must_use]
    pub fn sign(
        &self,
        reviewer: impl Into<String>,
        statement: DecisionStatement,
    ) -> SignedDecision {
        let signature = self.sign_bytes(statement.signed_text().as_bytes());
        SignedDecision {
            reviewer: reviewer.into(),
            statement,
            signature,
        }
    }

    /// Signs a decision on the request shown in `view`, dated now by the system clock.
    #[must_use]
    pub fn decide(
        &self,
        reviewer: impl Into<String>,
        view: &RequestView,
        verdict: Verdict,
        note: impl Into<String>,
    ) -> SignedDecision {
        self.sign(
            reviewer,
            DecisionStatement::for_view(view, verdict, note, unix_ms()),
        )
    }
}

/// Milliseconds since the Unix epoch by the system clock (0 if the clock is before it).
fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A reviewer's public key, as registered with the queue.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ReviewerPublicKey(VerifyingKey);

impl fmt::Debug for ReviewerPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReviewerPublicKey({})", self.to_hex())
    }
}

impl ReviewerPublicKey {
    /// Parses 32 bytes.
    ///
    /// # Errors
    /// [`HitlError::MalformedKey`] if the bytes are not a valid Ed25519 point.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, HitlError> {
        VerifyingKey::from_bytes(bytes)
            .map(Self)
            .map_err(|_| HitlError::MalformedKey)
    }

    /// Parses 64 hex digits.
    ///
    /// # Errors
    /// [`HitlError::MalformedKey`] if the text is not 32 hex-encoded bytes of a valid key.
    pub fn from_hex(text: &str) -> Result<Self, HitlError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).map_err(|_| HitlError::MalformedKey)?;
        Self::from_bytes(&bytes)
    }

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

    /// Returns true if and only if `signature` is this key's strict Ed25519 signature of `message`.
    #[must_use]
    pub fn verifies(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.0
            .verify_strict(message, &Signature::from_bytes(signature))
            .is_ok()
    }
}

/// A decision as a reviewer sends it: the statement, who claims to have signed it, and the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedDecision {
    /// The reviewer's registered name.
    pub reviewer: String,
    /// What was signed.
    pub statement: DecisionStatement,
    /// Ed25519 signature of [`DecisionStatement::signed_text`].
    pub signature: [u8; 64],
}

/// The proof kept with a signed [`crate::Decision`]: the reviewer's public key, the signature and the
/// exact signed text. Plain text fields, so it can be written to an audit log as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DecisionSignature {
    /// The signer's public key, hex.
    pub public_key: String,
    /// The Ed25519 signature, hex.
    pub signature: String,
    /// The signed statement ([`DecisionStatement::signed_text`]).
    pub statement: String,
}

impl DecisionSignature {
    /// Checks the signature over the statement with the recorded key.
    ///
    /// # Errors
    /// [`HitlError::MalformedKey`] for a bad key; [`HitlError::BadSignature`] (naming `reviewer`) if the
    /// signature is malformed or does not match.
    pub fn verify(&self, reviewer: &str) -> Result<(), HitlError> {
        let key = ReviewerPublicKey::from_hex(&self.public_key)?;
        let mut signature = [0u8; 64];
        let bad = || HitlError::BadSignature {
            reviewer: reviewer.to_owned(),
        };
        hex::decode_to_slice(&self.signature, &mut signature).map_err(|_| bad())?;
        if key.verifies(self.statement.as_bytes(), &signature) {
            Ok(())
        } else {
            Err(bad())
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::Priority;
    use std::time::Duration;

    fn statement() -> DecisionStatement {
        let request = DecisionRequest::new("agent", "op", Priority::High, Duration::from_secs(1));
        DecisionStatement {
            request: RequestId(1),
            digest: RequestDigest::of(RequestId(1), &request, Timestamp::ZERO),
            verdict: Verdict::Approve,
            note: "ok".into(),
            signed_at_ms: 5,
        }
    }

    #[test]
    fn a_signature_verifies_only_with_its_key_and_text() {
        let key = ReviewerKey::from_secret_bytes(&[7; 32]);
        let signed = key.sign("alice", statement());
        let text = signed.statement.signed_text();
        assert!(text.starts_with(r#"{"domain":"aegis.hitl.decision.v1","request":1,"#));
        assert!(key.public().verifies(text.as_bytes(), &signed.signature));
        let other = ReviewerKey::from_secret_bytes(&[8; 32]);
        assert!(!other.public().verifies(text.as_bytes(), &signed.signature));
        let changed = text.replace("Approve", "Reject");
        assert!(!key.public().verifies(changed.as_bytes(), &signed.signature));
    }

    #[test]
    fn the_digest_covers_every_field() {
        let a = DecisionRequest::new("agent", "op", Priority::High, Duration::from_secs(1));
        let b = a.clone().with_context(serde_json::json!({"bin": "rm"}));
        let at = Timestamp::ZERO;
        assert_ne!(
            RequestDigest::of(RequestId(1), &a, at),
            RequestDigest::of(RequestId(1), &b, at)
        );
        assert_ne!(
            RequestDigest::of(RequestId(1), &a, at),
            RequestDigest::of(RequestId(2), &a, at)
        );
        let json = serde_json::to_string(&RequestDigest::of(RequestId(1), &a, at)).unwrap();
        let back: RequestDigest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, RequestDigest::of(RequestId(1), &a, at));
    }

    #[test]
    fn a_recorded_signature_can_be_checked_later() {
        let key = ReviewerKey::generate();
        let signed = key.sign("alice", statement());
        let record = DecisionSignature {
            public_key: key.public().to_hex(),
            signature: hex::encode(signed.signature),
            statement: signed.statement.signed_text(),
        };
        assert_eq!(record.verify("alice"), Ok(()));
        let forged = DecisionSignature {
            statement: record.statement.replace("\"ok\"", "\"fine\""),
            ..record.clone()
        };
        assert!(matches!(
            forged.verify("alice"),
            Err(HitlError::BadSignature { .. })
        ));
        let junk = DecisionSignature {
            public_key: "zz".into(),
            ..record
        };
        assert_eq!(junk.verify("alice"), Err(HitlError::MalformedKey));
    }
}
