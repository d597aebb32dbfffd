//! The control plane: who may decide reviews, and which patterns the firewall holds. Every change is
//! written to the audit log first and made only if that entry was committed (fail closed).
//!
//! Reviewers are registered by an administrator: a [`ReviewerGrant`] names the reviewer, its role and
//! public key, and is signed by an admin already registered with the review queue. The first admin is
//! registered by the operator when the pipeline is built ([`crate::PipelineBuilder::bootstrap_admin`]),
//! and that registration is audited too, so the trail shows who vouched for every key that ever
//! signed a decision.

use hitl_collab::{ReviewerKey, ReviewerPublicKey, Role};
use intent_firewall::Pattern;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::trail::{actors, steps};
use crate::{Pipeline, PipelineError};

/// Domain tag of a signed reviewer grant.
pub const GRANT_DOMAIN: &str = "aegis.pipeline.reviewer-grant.v1";

/// An administrator's statement that `reviewer` may decide reviews up to `role` with `public_key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewerGrant {
    /// The reviewer's name.
    pub reviewer: String,
    /// Its role.
    pub role: Role,
    /// Its public key, hex.
    pub public_key: String,
    /// The admin who grants it (must be registered with role `Admin` and a key).
    pub granted_by: String,
    /// When the admin signed, milliseconds since the Unix epoch by the admin's clock.
    pub signed_at_ms: u64,
}

impl ReviewerGrant {
    /// A grant of `role` to `reviewer` with `key`, by `admin`, dated now.
    #[must_use]
    pub fn new(
        reviewer: impl Into<String>,
        role: Role,
        key: ReviewerPublicKey,
        admin: impl Into<String>,
    ) -> Self {
        Self {
            reviewer: reviewer.into(),
            role,
            public_key: key.to_hex(),
            granted_by: admin.into(),
            signed_at_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        }
    }

    /// The exact text that is signed: `{"domain":"aegis.pipeline.reviewer-grant.v1", ...the fields...}`.
    #[must_use]
    pub fn signed_text(&self) -> String {
        #[derive(Serialize)]
        struct Tagged<'a> {
            domain: &'static str,
            #[serde(flatten)]
            grant: &'a ReviewerGrant,
        }
        serde_json::to_string(&Tagged {
            domain: GRANT_DOMAIN,
            grant: self,
        })
        .unwrap_or_default()
    }

    /// Signs the grant with the admin's key.
    #[must_use]
    pub fn sign(self, admin_key: &ReviewerKey) -> SignedGrant {
        let signature = admin_key.sign_bytes(self.signed_text().as_bytes());
        SignedGrant {
            grant: self,
            signature,
        }
    }
}

/// A [`ReviewerGrant`] with its admin's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedGrant {
    /// The grant.
    pub grant: ReviewerGrant,
    /// Ed25519 signature of [`ReviewerGrant::signed_text`] by the granting admin.
    pub signature: [u8; 64],
}

/// Why a reviewer registration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    /// Occurs when the granting principal is not a registered admin with a key.
    #[error("{0} is not a registered admin with a key: only an admin may register reviewers")]
    NotAnAdmin(String),
    /// Occurs when the grant's signature does not verify with the admin's registered key.
    #[error("the grant for {reviewer} is not validly signed by {admin}")]
    BadSignature {
        /// The reviewer to be registered.
        reviewer: String,
        /// The admin the grant claims.
        admin: String,
    },
    /// Occurs when the granted public key is not a valid Ed25519 key.
    #[error("the public key granted to {0} is malformed")]
    MalformedKey(String),
    /// Occurs when the reviewer would be the agent the pipeline screens (it would review itself).
    #[error("{0} is the pipeline's agent identity and may not review")]
    AgentCannotReview(String),
}

impl Pipeline {
    /// Registers a reviewer on an admin's signed grant: checks the signature against the admin's
    /// registered key, writes `reviewer.registered` (with the grant and its signature), then registers
    /// the reviewer's key with the review queue. Re-registering a name replaces its role and key.
    ///
    /// # Errors
    /// [`PipelineError::Registration`] if the grant is refused; [`PipelineError::ControlAudit`] if its
    /// audit entry cannot be written (then nothing is registered); [`PipelineError::Review`] if the
    /// queue (in PostgreSQL) cannot be read or written (after the entry: the log then records a grant
    /// that did not take effect, and the reviewer cannot decide).
    pub fn register_reviewer(&self, signed: &SignedGrant) -> Result<(), PipelineError> {
        let grant = &signed.grant;
        let admin_key = match self.queue.reviewer(&grant.granted_by)? {
            Some((Role::Admin, Some(key))) => key,
            _ => return Err(RegistrationError::NotAnAdmin(grant.granted_by.clone()).into()),
        };
        let text = grant.signed_text();
        if !admin_key.verifies(text.as_bytes(), &signed.signature) {
            return Err(RegistrationError::BadSignature {
                reviewer: grant.reviewer.clone(),
                admin: grant.granted_by.clone(),
            }
            .into());
        }
        let key = ReviewerPublicKey::from_hex(&grant.public_key)
            .map_err(|_| RegistrationError::MalformedKey(grant.reviewer.clone()))?;
        if grant.reviewer == self.agent {
            return Err(RegistrationError::AgentCannotReview(grant.reviewer.clone()).into());
        }
        let payload = json!({
            "reviewer": grant.reviewer,
            "role": grant.role,
            "public_key": grant.public_key,
            "granted_by": grant.granted_by,
            "signed_at_ms": grant.signed_at_ms,
            "signer_key": admin_key.to_hex(),
        });
        let attestation = audit_system::Attestation::new(
            admin_key.to_bytes(),
            text.into_bytes(),
            signed.signature,
        );
        self.trail.control_attested(
            &grant.granted_by,
            steps::REVIEWER_REGISTERED,
            &payload,
            attestation,
        )?;
        self.queue
            .register_reviewer_key(&grant.reviewer, grant.role, key)?;
        Ok(())
    }

    /// Adds firewall patterns (all or nothing), after writing `firewall.patterns_added` with their ids,
    /// texts and severities. Returns how many were added.
    ///
    /// # Errors
    /// [`PipelineError::ControlAudit`] if the entry cannot be written (nothing is added);
    /// [`PipelineError::Firewall`] if the firewall refuses the patterns (the entry then records an
    /// attempt that changed nothing).
    pub fn add_patterns(&self, patterns: Vec<Pattern>) -> Result<usize, PipelineError> {
        let listed: Vec<_> = patterns
            .iter()
            .map(|p| json!({"id": p.id().as_str(), "text": p.text(), "severity": p.severity().value()}))
            .collect();
        self.trail.control(
            actors::OPERATOR,
            steps::PATTERNS_ADDED,
            &json!({ "patterns": listed }),
        )?;
        Ok(self.firewall.add_patterns(patterns)?)
    }

    /// Removes firewall patterns by id (all or nothing), after writing `firewall.patterns_removed`.
    /// Returns how many were removed.
    ///
    /// # Errors
    /// As [`Pipeline::add_patterns`] ([`intent_firewall::FirewallError::UnknownPattern`] for an id the
    /// firewall does not hold).
    pub fn remove_patterns(&self, ids: &[&str]) -> Result<usize, PipelineError> {
        self.trail.control(
            actors::OPERATOR,
            steps::PATTERNS_REMOVED,
            &json!({ "patterns": ids }),
        )?;
        Ok(self.firewall.remove_patterns(ids)?)
    }
}
