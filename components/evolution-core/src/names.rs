//! Interned names (action types or pattern keys): each distinct name gets a dense `u32` index, shared by
//! every writer shard, so the shards' aggregates line up by index and merge by adding.

use std::collections::HashMap;
use std::mem::size_of;
use std::sync::Arc;

use crate::EvolutionError;

/// Names interned to dense `u32` indexes, in first-seen order.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    names: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, u32>,
}

impl Interner {
    /// Index of `name`, if it was seen. O(1) expected.
    pub(crate) fn find(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// Index and shared text of `name`, interning it if new. O(1) expected.
    ///
    /// # Errors
    /// [`EvolutionError::TooManyNames`] after `u32::MAX` distinct names.
    pub(crate) fn intern(
        &mut self,
        name: &str,
        what: &'static str,
    ) -> Result<(u32, Arc<str>), EvolutionError> {
        if let Some((shared, &id)) = self.ids.get_key_value(name) {
            return Ok((id, Arc::clone(shared)));
        }
        let id = u32::try_from(self.names.len()).map_err(|_| EvolutionError::TooManyNames(what))?;
        let shared: Arc<str> = Arc::from(name);
        self.names.push(Arc::clone(&shared));
        self.ids.insert(Arc::clone(&shared), id);
        Ok((id, shared))
    }

    pub(crate) fn name(&self, id: u32) -> Option<&Arc<str>> {
        self.names.get(id as usize)
    }

    /// Every name, in first-seen order (its index is its position).
    pub(crate) fn names(&self) -> &[Arc<str>] {
        &self.names
    }

    /// Approximate bytes held: the vector and map by capacity, names by length plus the shared string
    /// header.
    pub(crate) fn memory(&self) -> usize {
        let names: usize = self
            .names
            .iter()
            .map(|n| 2 * size_of::<usize>() + n.len())
            .sum();
        names
            + self.names.capacity() * size_of::<Arc<str>>()
            + self.ids.capacity() * (size_of::<Arc<str>>() + size_of::<u32>() + 1)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn interning_is_idempotent_and_dense() -> Result<(), EvolutionError> {
        let mut g = Interner::default();
        assert_eq!(g.intern("a", "action type")?.0, 0);
        assert_eq!(g.intern("b", "action type")?.0, 1);
        assert_eq!(g.intern("a", "action type")?.0, 0);
        assert_eq!(g.names().len(), 2);
        assert_eq!(g.find("b"), Some(1));
        assert_eq!(g.find("c"), None);
        assert_eq!(g.name(1).map(|n| &**n), Some("b"));
        let names: Vec<&str> = g.names().iter().map(|n| &**n).collect();
        assert_eq!(names, vec!["a", "b"]);
        Ok(())
    }
}
