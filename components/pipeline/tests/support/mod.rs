//! Shared test support: a recording executor (a stand-in for the outside world), a channel observer
//! that hands review requests to reviewer threads, a disk that can be made to fail, and trail readers.

#![allow(dead_code)]

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aegis_pipeline::{ActionRequest, AuditBackend, ExecutionError, Executor, Pipeline, RunId};
use audit_system::{
    AuditError, Entry, Hash, MemoryStore, NodeSource, PublicKey, Query, SignedTreeHead, Store,
    tree_math::NodeId,
};
use hitl_collab::{HitlEvent, Observer, ObserverError, RequestView};
use serde_json::Value;

/// How long a reviewer thread waits for a request to arrive before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Records every action it is asked to execute.
#[derive(Debug, Default)]
pub struct RecordingExecutor {
    calls: Mutex<Vec<ActionRequest>>,
}

impl RecordingExecutor {
    pub fn calls(&self) -> usize {
        self.calls.lock().unwrap().len()
    }

    pub fn action_types(&self) -> Vec<String> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.action_type.clone())
            .collect()
    }
}

impl Executor for RecordingExecutor {
    fn execute(&self, request: &ActionRequest) -> Result<Value, ExecutionError> {
        let mut calls = self.calls.lock().unwrap();
        calls.push(request.clone());
        Ok(serde_json::json!({ "call": calls.len() }))
    }
}

/// Sends every new review request to a channel, so reviewer threads wait on `recv` (no sleeps).
pub struct RequestFeed(Mutex<Sender<RequestView>>);

impl Observer for RequestFeed {
    fn on_event(&self, event: &HitlEvent) -> Result<(), ObserverError> {
        if let HitlEvent::Requested(view) = event {
            // A closed channel means the test stopped listening; not the queue's problem.
            let _ = self.0.lock().unwrap().send(view.clone());
        }
        Ok(())
    }
}

pub fn request_feed() -> (RequestFeed, Receiver<RequestView>) {
    let (tx, rx) = channel();
    (RequestFeed(Mutex::new(tx)), rx)
}

/// A memory store whose commits fail while `fail` is set (a disk that stopped accepting writes), or
/// whenever a commit holds an entry with the action in `fail_action`.
pub struct FlakyDisk {
    inner: MemoryStore,
    pub fail: Arc<AtomicBool>,
    pub fail_action: Mutex<Option<&'static str>>,
}

impl FlakyDisk {
    pub fn new() -> (Self, Arc<AtomicBool>) {
        let fail = Arc::new(AtomicBool::new(false));
        (
            Self {
                inner: MemoryStore::new(),
                fail: Arc::clone(&fail),
                fail_action: Mutex::new(None),
            },
            fail,
        )
    }
}

impl NodeSource for FlakyDisk {
    fn node_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, AuditError> {
        self.inner.node_hashes(ids)
    }
}

impl Store for FlakyDisk {
    fn bind_key(&self, key: &PublicKey) -> Result<(), AuditError> {
        self.inner.bind_key(key)
    }
    fn commit(&self, entries: &[Entry], nodes: &[(NodeId, Hash)]) -> Result<(), AuditError> {
        let action = *self.fail_action.lock().unwrap();
        if self.fail.load(Ordering::SeqCst)
            || entries.iter().any(|e| Some(e.action.as_str()) == action)
        {
            return Err(AuditError::Io(std::io::Error::other("disk full")));
        }
        self.inner.commit(entries, nodes)
    }
    fn last_entry(&self) -> Result<Option<Entry>, AuditError> {
        self.inner.last_entry()
    }
    fn entries(&self, seqs: Range<u64>) -> Result<Vec<Entry>, AuditError> {
        self.inner.entries(seqs)
    }
    fn query(&self, query: &Query) -> Result<Vec<Entry>, AuditError> {
        self.inner.query(query)
    }
    fn save_tree_head(&self, sth: &SignedTreeHead) -> Result<(), AuditError> {
        self.inner.save_tree_head(sth)
    }
    fn latest_tree_head(&self) -> Result<Option<SignedTreeHead>, AuditError> {
        self.inner.latest_tree_head()
    }
}

/// One audit entry, as the trail assertions read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub seq: u64,
    pub actor: String,
    pub action: String,
    pub payload: Value,
    /// Statements signed by others (reviewers, admins) recorded with the entry.
    pub attestations: Vec<audit_system::Attestation>,
}

/// Every entry of the log, in order (on a shared log, every process's).
pub fn all_entries(log: &AuditBackend) -> Vec<Step> {
    log.entries(0..log.len().unwrap())
        .unwrap()
        .into_iter()
        .map(|e| Step {
            seq: e.seq,
            actor: e.actor,
            action: e.action,
            payload: serde_json::from_str(&e.payload).unwrap(),
            attestations: e.attestations,
        })
        .collect()
}

/// The entries of one run, in order.
pub fn trail(pipeline: &Pipeline, run: RunId) -> Vec<Step> {
    all_entries(pipeline.audit_log())
        .into_iter()
        .filter(|s| s.payload["run"] == run.0)
        .collect()
}

/// `(action, actor)` pairs of a trail.
pub fn shape(trail: &[Step]) -> Vec<(&str, &str)> {
    trail
        .iter()
        .map(|s| (s.action.as_str(), s.actor.as_str()))
        .collect()
}

/// A reviewer: a name and its signing key.
pub struct Reviewer {
    pub name: String,
    pub key: hitl_collab::ReviewerKey,
}

impl Reviewer {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            key: hitl_collab::ReviewerKey::generate(),
        }
    }

    /// Signs and sends a decision on `view`.
    pub fn decide(
        &self,
        desk: &aegis_pipeline::ReviewDesk,
        view: &RequestView,
        verdict: hitl_collab::Verdict,
        note: &str,
    ) -> Result<hitl_collab::Decision, hitl_collab::HitlError> {
        desk.decide(&self.key.decide(&self.name, view, verdict, note))
    }

    pub fn approve(
        &self,
        desk: &aegis_pipeline::ReviewDesk,
        view: &RequestView,
    ) -> Result<hitl_collab::Decision, hitl_collab::HitlError> {
        self.decide(desk, view, hitl_collab::Verdict::Approve, "")
    }

    pub fn reject(
        &self,
        desk: &aegis_pipeline::ReviewDesk,
        view: &RequestView,
        note: &str,
    ) -> Result<hitl_collab::Decision, hitl_collab::HitlError> {
        self.decide(desk, view, hitl_collab::Verdict::Reject, note)
    }

    /// This reviewer (an admin) grants `role` to `other`.
    pub fn grant(&self, pipeline: &Pipeline, other: &Reviewer, role: hitl_collab::Role) {
        let grant =
            aegis_pipeline::ReviewerGrant::new(&other.name, role, other.key.public(), &self.name)
                .sign(&self.key);
        pipeline.register_reviewer(&grant).unwrap();
    }
}

/// A builder whose bootstrap admin is `admin`.
pub fn with_admin(
    builder: aegis_pipeline::PipelineBuilder,
    admin: &Reviewer,
) -> aegis_pipeline::PipelineBuilder {
    builder.bootstrap_admin(&admin.name, admin.key.public())
}

/// The decision signature recorded in a `review.decided` entry, checked: it is in the payload, and
/// the same key, bytes and signature are the entry's one audit attestation (which `verify()` checks).
pub fn recorded_signature(step: &Step) -> hitl_collab::DecisionSignature {
    let signature: hitl_collab::DecisionSignature =
        serde_json::from_value(step.payload["signature"].clone()).unwrap();
    signature
        .verify(step.actor.as_str())
        .expect("the recorded signature verifies");
    assert_eq!(step.attestations.len(), 1, "no attestation on {step:?}");
    let attestation = &step.attestations[0];
    assert!(attestation.verify());
    assert_eq!(hex::encode(attestation.signer), signature.public_key);
    assert_eq!(attestation.statement, signature.statement.as_bytes());
    signature
}
