//! Per-source token buckets in sharded maps, with bounded memory (see [`RateLimitConfig`]).

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;

use crate::config::RateLimitConfig;

/// A hasher for keys that are already uniformly random 64-bit hashes.
#[derive(Debug, Default)]
struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; fold anything else in so the hasher stays correct if that changes.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// One source's bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    /// Last time the source was seen (and the bucket refilled), in nanoseconds of the limiter's clock.
    last_nanos: u64,
}

/// One shard: the buckets of the sources whose key falls in it.
type Shard = HashMap<u64, Bucket, BuildHasherDefault<PreHashed>>;

/// The per-source token-bucket limiter.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    config: RateLimitConfig,
    /// Keyed (randomly seeded) hash of the source id: collisions cannot be chosen by an attacker.
    keys: RandomState,
    shards: Box<[Mutex<Shard>]>,
    per_shard_cap: usize,
    evicted: AtomicU64,
}

impl RateLimiter {
    /// Returns a limiter with no tracked sources.
    pub(crate) fn new(config: RateLimitConfig) -> Self {
        let shards = (0..config.shards())
            .map(|_| Mutex::new(Shard::default()))
            .collect();
        Self {
            per_shard_cap: config.max_sources().div_ceil(config.shards()),
            config,
            keys: RandomState::new(),
            shards,
            evicted: AtomicU64::new(0),
        }
    }

    /// Takes one token from `source`'s bucket at time `now`; returns true if and only if there was one.
    /// Cost: O(1) amortised (a shard that fills up is swept once per eighth of its capacity).
    pub(crate) fn try_acquire(&self, source: &str, now: Duration) -> bool {
        let now = u64::try_from(now.as_nanos()).unwrap_or(u64::MAX);
        let key = self.keys.hash_one(source);
        // Shard by bits 32.. so the map inside a shard still sees well-spread low and high bits.
        let index = usize::try_from(key >> 32).unwrap_or(0) & (self.shards.len() - 1);
        let mut shard = self.shards[index].lock();
        if let Some(bucket) = shard.get_mut(&key) {
            let elapsed = now.saturating_sub(bucket.last_nanos);
            // u64 nanoseconds -> f64 seconds: exact to well under a token for any realistic interval.
            let refill = elapsed as f64 * 1e-9 * self.config.refill_per_second();
            bucket.tokens = (bucket.tokens + refill).min(f64::from(self.config.burst()));
            bucket.last_nanos = bucket.last_nanos.max(now);
            if bucket.tokens >= 1.0 {
                bucket.tokens -= 1.0;
                return true;
            }
            return false;
        }
        if shard.len() >= self.per_shard_cap {
            let evicted = self.make_room(&mut shard, now);
            self.evicted.fetch_add(evicted, Ordering::Relaxed);
        }
        shard.insert(
            key,
            Bucket {
                tokens: f64::from(self.config.burst()) - 1.0,
                last_nanos: now,
            },
        );
        true
    }

    /// Frees at least one slot in a full shard: drops idle sources, then if needed the least recently seen eighth.
    /// Returns how many sources were dropped.
    fn make_room(&self, shard: &mut Shard, now: u64) -> u64 {
        let before = shard.len();
        let ttl = u64::try_from(self.config.idle_ttl().as_nanos()).unwrap_or(u64::MAX);
        shard.retain(|_, b| now.saturating_sub(b.last_nanos) < ttl);
        if shard.len() >= self.per_shard_cap {
            let mut seen: Vec<u64> = shard.values().map(|b| b.last_nanos).collect();
            let k = (seen.len() / 8).max(1);
            let (_, &mut cutoff, _) = seen.select_nth_unstable(k - 1);
            shard.retain(|_, b| b.last_nanos > cutoff);
        }
        (before - shard.len()) as u64
    }

    /// Returns the number of sources currently tracked (locks each shard in turn).
    pub(crate) fn tracked_sources(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len()).sum()
    }

    /// Returns the number of sources dropped to bound memory since the limiter was made.
    pub(crate) fn evicted_sources(&self) -> u64 {
        self.evicted.load(Ordering::Relaxed)
    }

    /// Returns the maximum number of sources the limiter can track (`shards × ceil(max_sources / shards)`).
    pub(crate) fn capacity(&self) -> usize {
        self.per_shard_cap * self.shards.len()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    const SEC: Duration = Duration::from_secs(1);

    fn limiter(burst: u32, per_second: f64, max_sources: usize, shards: usize) -> RateLimiter {
        RateLimiter::new(
            RateLimitConfig::new(
                burst,
                per_second,
                Duration::from_secs(100),
                max_sources,
                shards,
            )
            .expect("valid"),
        )
    }

    #[test]
    fn a_fresh_source_gets_exactly_its_burst() {
        let l = limiter(3, 1.0, 64, 4);
        let allowed = (0..10)
            .filter(|_| l.try_acquire("a", Duration::ZERO))
            .count();
        assert_eq!(allowed, 3);
    }

    #[test]
    fn tokens_refill_with_time_and_cap_at_the_burst() {
        let l = limiter(2, 1.0, 64, 4);
        assert!(l.try_acquire("a", Duration::ZERO));
        assert!(l.try_acquire("a", Duration::ZERO));
        assert!(!l.try_acquire("a", Duration::ZERO));
        assert!(!l.try_acquire("a", SEC / 2));
        assert!(l.try_acquire("a", SEC), "one token after one second");
        assert!(!l.try_acquire("a", SEC));
        let later = SEC * 50;
        assert_eq!(
            (0..5).filter(|_| l.try_acquire("a", later)).count(),
            2,
            "refill caps at the burst"
        );
    }

    #[test]
    fn sources_are_independent() {
        let l = limiter(1, 1.0, 64, 4);
        assert!(l.try_acquire("a", Duration::ZERO));
        assert!(!l.try_acquire("a", Duration::ZERO));
        assert!(l.try_acquire("b", Duration::ZERO));
    }

    #[test]
    fn a_clock_going_backwards_grants_nothing() {
        let l = limiter(1, 1.0, 64, 4);
        assert!(l.try_acquire("a", SEC * 10));
        assert!(!l.try_acquire("a", SEC * 5));
    }

    #[test]
    fn memory_stays_bounded_with_many_distinct_sources() {
        let l = limiter(5, 1.0, 1024, 8);
        for i in 0..50_000u32 {
            assert!(l.try_acquire(&format!("source-{i}"), Duration::from_millis(u64::from(i))));
            if i % 1000 == 0 {
                assert!(l.tracked_sources() <= l.capacity());
            }
        }
        assert!(l.tracked_sources() <= l.capacity());
        assert!(l.evicted_sources() >= 50_000 - l.capacity() as u64);
    }

    #[test]
    fn idle_sources_are_dropped_before_active_ones() {
        let l = limiter(5, 1.0, 8, 1);
        for i in 0..7 {
            l.try_acquire(&format!("idle-{i}"), Duration::ZERO);
        }
        l.try_acquire("active", SEC * 150);
        // Drain the active source so a reset of its bucket would be visible.
        while l.try_acquire("active", SEC * 150) {}
        // The shard is full (8); the next new source evicts the 7 idle ones (idle 150 s > ttl 100 s), not "active".
        assert!(l.try_acquire("new", SEC * 150));
        assert_eq!(l.tracked_sources(), 2);
        assert!(
            !l.try_acquire("active", SEC * 150),
            "the active bucket was kept, still empty"
        );
    }

    #[test]
    fn a_full_shard_without_idle_sources_drops_the_least_recently_seen() {
        let l = limiter(5, 1.0, 16, 1);
        for i in 0..16u64 {
            l.try_acquire(&format!("s{i}"), Duration::from_millis(i));
        }
        assert_eq!(l.tracked_sources(), 16);
        l.try_acquire("newcomer", Duration::from_millis(20));
        // 16 / 8 = 2 oldest dropped, newcomer added.
        assert_eq!(l.tracked_sources(), 15);
        assert_eq!(l.evicted_sources(), 2);
    }
}
