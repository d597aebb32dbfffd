//! Preloading.
