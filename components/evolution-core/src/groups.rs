//! Interned names (action types or pattern keys) with their aggregates.

use std::collections::HashMap;
use std::mem::size_of;
use std::sync::Arc;

use crate::{ActionStats, EvolutionError};

/// Names interned to dense `u32` indexes, each with its [`ActionStats`].
#[derive(Debug, Default)]
pub(crate) struct Groups {
    names: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, u32>,
    stats: Vec<ActionStats>,
}

impl Groups {
    /// Index of `name`, if it was seen. O(1) expected.
    pub(crate) fn find(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// Index of `name`, interning it if new. O(1) expected.
    ///
    /// # Errors
    /// [`EvolutionError::TooManyNames`] after `u32::MAX` distinct names.
    pub(crate) fn intern(&mut self, name: &str, what: &'static str) -> Result<u32, EvolutionError> {
        if let Some(&id) = self.ids.get(name) {
            return Ok(id);
        }
        let id = u32::try_from(self.names.len()).map_err(|_| EvolutionError::TooManyNames(what))?;
        let shared: Arc<str> = Arc::from(name);
        self.names.push(Arc::clone(&shared));
        self.ids.insert(shared, id);
        self.stats.push(ActionStats::default());
        Ok(id)
    }

    pub(crate) fn name(&self, id: u32) -> Option<&Arc<str>> {
        self.names.get(id as usize)
    }

    pub(crate) fn stats(&self, id: u32) -> Option<&ActionStats> {
        self.stats.get(id as usize)
    }

    pub(crate) fn stats_mut(&mut self, id: u32) -> Option<&mut ActionStats> {
        self.stats.get_mut(id as usize)
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// Every name with its stats, in first-seen order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &ActionStats)> {
        self.names.iter().zip(self.stats.iter())
    }

    /// Approximate bytes held: vectors and map by capacity, names by length plus the shared
    /// string header.
    pub(crate) fn memory(&self) -> usize {
        let names: usize = self
            .names
            .iter()
            .map(|n| 2 * size_of::<usize>() + n.len())
            .sum();
        names
            + self.names.capacity() * size_of::<Arc<str>>()
            + self.stats.capacity() * size_of::<ActionStats>()
            + self.ids.capacity() * (size_of::<Arc<str>>() + size_of::<u32>() + 1)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn interning_is_idempotent_and_dense() {
        let mut g = Groups::default();
        assert_eq!(g.intern("a", "action type"), Ok(0));
        assert_eq!(g.intern("b", "action type"), Ok(1));
        assert_eq!(g.intern("a", "action type"), Ok(0));
        assert_eq!(g.len(), 2);
        assert_eq!(g.find("b"), Some(1));
        assert_eq!(g.find("c"), None);
        assert_eq!(g.name(1).map(|n| &**n), Some("b"));
        let names: Vec<&str> = g.iter().map(|(n, _)| &**n).collect();
        assert_eq!(names, vec!["a", "b"]);
    }
}
