//! History queries: time range, action type, limit and order.

/// Sort order of query results (by timestamp, then sequence number).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// Oldest first.
    #[default]
    Ascending,
    /// Newest first.
    Descending,
}

/// A history query. The default matches every entry, oldest first, without limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// Earliest timestamp included (ns since the Unix epoch).
    pub from_ns: u64,
    /// Timestamp bound, exclusive.
    pub until_ns: u64,
    /// Only this action type, if set.
    pub action: Option<String>,
    /// At most this many entries, if set.
    pub limit: Option<usize>,
    /// Result order.
    pub order: Order,
}

impl Default for Query {
    fn default() -> Self {
        Self {
            from_ns: 0,
            until_ns: u64::MAX,
            action: None,
            limit: None,
            order: Order::Ascending,
        }
    }
}

impl Query {
    /// A query matching everything, oldest first.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Restricts to timestamps in `[from_ns, until_ns)`.
    #[must_use]
    pub fn between(mut self, from_ns: u64, until_ns: u64) -> Self {
        self.from_ns = from_ns;
        self.until_ns = until_ns;
        self
    }

    /// Restricts to one action type.
    #[must_use]
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(action.into());
        self
    }

    /// Returns at most `n` entries.
    #[must_use]
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Newest first.
    #[must_use]
    pub fn descending(mut self) -> Self {
        self.order = Order::Descending;
        self
    }

    /// Returns true if and only if `entry` matches the filters (not the limit).
    #[must_use]
    pub fn matches(&self, entry: &crate::entry::Entry) -> bool {
        entry.timestamp_ns >= self.from_ns
            && entry.timestamp_ns < self.until_ns
            && self.action.as_deref().is_none_or(|a| a == entry.action)
    }
}
