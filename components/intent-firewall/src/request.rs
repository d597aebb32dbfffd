//! The request an agent submits to the firewall.

use std::collections::BTreeMap;

/// A request to validate: who sends it, what it says, and optional free-form metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// The source (agent or client id) the request is rate limited under; must be non-empty.
    pub source: String,
    /// The request text (a command, a natural-language instruction, a query).
    pub content: String,
    /// Optional metadata: each value is screened as a text of its own, and all values joined by spaces in key
    /// order, so a caller can pass the parameter strings of an action here (see [`Firewall::validate`](crate::Firewall::validate)).
    pub metadata: BTreeMap<String, String>,
}

impl Request {
    /// Returns a request from `source` with `content` and no metadata.
    ///
    /// # Example
    /// ```
    /// use intent_firewall::Request;
    /// let req = Request::new("agent-7", "list the files in /srv").with_metadata("session", "42");
    /// assert_eq!(req.metadata.get("session").map(String::as_str), Some("42"));
    /// ```
    #[must_use]
    pub fn new(source: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            content: content.into(),
            metadata: BTreeMap::new(),
        }
    }

    /// Returns the request with one more metadata entry (replacing an entry with the same key).
    #[must_use]
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }
}
