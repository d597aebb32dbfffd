//! The firewall: validation on the read side, pattern edits on the write side, an atomically swapped matcher
//! in between.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

use arc_swap::ArcSwap;
use parking_lot::Mutex;

use crate::assessment::{Assessment, PatternMatch, Verdict};
use crate::clock::{Clock, MonotonicClock};
use crate::config::FirewallConfig;
use crate::defaults::default_patterns;
use crate::error::FirewallError;
use crate::exec::ExecutableReading;
use crate::intent::extract_canonical;
use crate::matcher::CompiledMatcher;
use crate::pattern::Pattern;
use crate::rate_limit::RateLimiter;
use crate::request::Request;
use aegis_text::normalize_both;

thread_local! {
    /// Per-thread buffer for the matching form, so validation does not allocate it each time.
    static MATCHING_FORM: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The intent firewall. `Send + Sync`: share it (e.g. in an `Arc`) and call [`Firewall::validate`] from any
/// number of threads while others add or remove patterns.
///
/// Readers never wait on writers: the compiled patterns live in an immutable snapshot behind an
/// [`ArcSwap`]; a writer builds a new snapshot and publishes it with one atomic swap, so a validation sees either
/// the old or the new pattern set, whole. Writers are serialised among themselves by a mutex readers never touch.
#[derive(Debug)]
pub struct Firewall {
    matcher: ArcSwap<CompiledMatcher>,
    writer: Mutex<()>,
    config: FirewallConfig,
    limiter: Option<RateLimiter>,
    clock: Arc<dyn Clock>,
}

impl Default for Firewall {
    fn default() -> Self {
        Self::new()
    }
}

impl Firewall {
    /// Returns a firewall with the default configuration and no patterns.
    #[must_use]
    pub fn new() -> Self {
        Self::from_parts(
            FirewallConfig::default(),
            CompiledMatcher::empty(),
            Arc::new(MonotonicClock::new()),
        )
    }

    /// Returns a firewall with the default configuration and the [default pattern set](crate#default-patterns).
    ///
    /// # Panics
    /// Never in practice: the default set is fixed and compiles (a unit test checks it).
    #[must_use]
    pub fn with_default_patterns() -> Self {
        let fw = Self::new();
        // The default set has unique ids and compiles; `expect` guards an invariant, not input.
        fw.add_patterns(default_patterns())
            .expect("the default pattern set compiles");
        fw
    }

    /// Returns a builder for a firewall with a chosen configuration, patterns and clock.
    #[must_use]
    pub fn builder() -> FirewallBuilder {
        FirewallBuilder::default()
    }

    fn from_parts(config: FirewallConfig, matcher: CompiledMatcher, clock: Arc<dyn Clock>) -> Self {
        Self {
            matcher: ArcSwap::from_pointee(matcher),
            writer: Mutex::new(()),
            limiter: config.rate_limit().map(RateLimiter::new),
            config,
            clock,
        }
    }

    /// Validates a request: normalises it, matches every pattern in one pass, scores it, extracts its intent and
    /// charges its source's rate limit. Cost: linear in the content length and independent of the number of
    /// patterns, plus a small cost per pattern occurrence found (ordinary requests have a handful).
    ///
    /// # Errors
    /// [`FirewallError::EmptySource`] for an empty source id; [`FirewallError::EmptyContent`] for content that is
    /// empty or only whitespace and invisible characters; [`FirewallError::ContentTooLarge`] for content over the
    /// configured maximum. A request that errs does not use a rate-limit token.
    ///
    /// Metadata values are screened too (see [`Request::metadata`]): each value as its own text, and all values
    /// joined by spaces (those starting with a program name first, then key order, so a command split over
    /// several values is read whole); their matches and
    /// unreadable parts join the content's, and the verdict is the worst of all.
    pub fn validate(&self, request: &Request) -> Result<Assessment, FirewallError> {
        self.validate_keyed(request, &request.source)
    }

    /// Validates a request as [`Firewall::validate`] does, but charges the rate limit of `rate_key` instead of
    /// the request's self-declared `source`. Pass an identity the caller cannot mint freely (an authenticated
    /// principal, a key fingerprint, a connection's verified peer): see "Rate limits and trust" in the crate
    /// README.
    ///
    /// # Errors
    /// As [`Firewall::validate`]; an empty `rate_key` is [`FirewallError::EmptySource`].
    pub fn validate_keyed(
        &self,
        request: &Request,
        rate_key: &str,
    ) -> Result<Assessment, FirewallError> {
        if request.source.is_empty() || rate_key.is_empty() {
            return Err(FirewallError::EmptySource);
        }
        let mut assessment = self.assess_content(&request.content)?;
        self.screen_metadata(request, &mut assessment)?;
        if let Some(limiter) = &self.limiter
            && !limiter.try_acquire(rate_key, self.clock.now())
        {
            assessment.verdict = Verdict::RateLimited;
        }
        Ok(assessment)
    }

    /// Screens each metadata value, and all of them joined, into `assessment`.
    fn screen_metadata(
        &self,
        request: &Request,
        assessment: &mut Assessment,
    ) -> Result<(), FirewallError> {
        if request.metadata.is_empty() {
            return Ok(());
        }
        // Values that start with a program name go first, so `{"args": "-rf /", "bin": "rm"}` reads `rm -rf /`.
        let (programs, rest): (Vec<&str>, Vec<&str>) = request
            .metadata
            .values()
            .map(String::as_str)
            .partition(|v| ExecutableReading::starts_with_command(v));
        let joined = programs
            .into_iter()
            .chain(rest)
            .collect::<Vec<_>>()
            .join(" ");
        let texts = request
            .metadata
            .values()
            .map(String::as_str)
            .chain((request.metadata.len() > 1).then_some(joined.as_str()));
        for text in texts {
            match self.assess_content(text) {
                Ok(part) => assessment.absorb(part, self.config.thresholds()),
                Err(FirewallError::EmptyContent) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Assesses content without charging any rate limit (for scoring text that is not a request from a source).
    ///
    /// # Errors
    /// [`FirewallError::EmptyContent`] and [`FirewallError::ContentTooLarge`] as for [`Firewall::validate`].
    pub fn assess_content(&self, content: &str) -> Result<Assessment, FirewallError> {
        let max = self.config.max_content_bytes();
        if content.len() > max {
            return Err(FirewallError::ContentTooLarge {
                len: content.len(),
                max,
            });
        }
        let mut canonical = String::with_capacity(content.len());
        let mut matches = Vec::new();
        let mut safety_score = 1.0f64;
        let matcher = self.matcher.load();
        MATCHING_FORM.with_borrow_mut(|matching| {
            normalize_both(content, &mut canonical, matching);
            matcher.for_each_match(matching, |p| {
                safety_score *= 1.0 - p.severity().value();
                matches.push(PatternMatch {
                    id: p.id().clone(),
                    severity: p.severity(),
                    category: p.category(),
                    critical: p.is_critical(),
                });
            });
        });
        if canonical.is_empty() {
            return Err(FirewallError::EmptyContent);
        }
        // Executable content: parse it, resolve what it hides, screen each resolved command line too.
        let executable = ExecutableReading::of(&without_ignorables(content));
        if let Some(reading) = &executable {
            let mut resolved_canonical = String::new();
            MATCHING_FORM.with_borrow_mut(|matching| {
                for line in &reading.resolved {
                    normalize_both(line, &mut resolved_canonical, matching);
                    matcher.for_each_match(matching, |p| {
                        if !matches.iter().any(|m| m.id == *p.id()) {
                            safety_score *= 1.0 - p.severity().value();
                            matches.push(PatternMatch {
                                id: p.id().clone(),
                                severity: p.severity(),
                                category: p.category(),
                                critical: p.is_critical(),
                            });
                        }
                    });
                }
            });
        }
        drop(matcher);
        let unreadable = executable
            .as_ref()
            .is_some_and(|r| !r.unreadable.is_empty());
        let verdict = verdict_for(&matches, safety_score, unreadable, self.config.thresholds());
        let intent = extract_canonical(&canonical);
        Ok(Assessment {
            verdict,
            safety_score,
            matches,
            intent,
            normalized: canonical,
            executable,
        })
    }

    /// Adds one pattern.
    ///
    /// # Errors
    /// [`FirewallError::DuplicatePatternId`] if the id is in use; [`FirewallError::MatcherBuild`] if the matcher
    /// cannot be compiled. On error nothing changes.
    pub fn add_pattern(&self, pattern: Pattern) -> Result<(), FirewallError> {
        self.add_patterns([pattern]).map(|_| ())
    }

    /// Adds many patterns at once, compiling the matcher once; all or nothing. Returns how many were added.
    /// Cost: linear in the total size of all patterns (old and new).
    ///
    /// # Errors
    /// [`FirewallError::DuplicatePatternId`] if an id is in use or repeated in the batch;
    /// [`FirewallError::MatcherBuild`] if the matcher cannot be compiled. On error nothing changes.
    pub fn add_patterns(
        &self,
        patterns: impl IntoIterator<Item = Pattern>,
    ) -> Result<usize, FirewallError> {
        let _writer = self.writer.lock();
        let current = self.matcher.load_full();
        let mut all: Vec<Arc<Pattern>> = current.patterns().to_vec();
        let before = all.len();
        all.extend(patterns.into_iter().map(Arc::new));
        let added = all.len() - before;
        if added == 0 {
            return Ok(0);
        }
        self.matcher.store(Arc::new(CompiledMatcher::build(all)?));
        Ok(added)
    }

    /// Removes the pattern with id `id` and returns it.
    ///
    /// # Errors
    /// [`FirewallError::UnknownPattern`] if no pattern has that id; [`FirewallError::MatcherBuild`] if the matcher
    /// cannot be compiled. On error nothing changes.
    pub fn remove_pattern(&self, id: &str) -> Result<Arc<Pattern>, FirewallError> {
        let _writer = self.writer.lock();
        let current = self.matcher.load_full();
        let removed = current
            .get(id)
            .cloned()
            .ok_or_else(|| FirewallError::UnknownPattern(id.to_owned()))?;
        let rest = current
            .patterns()
            .iter()
            .filter(|p| p.id().as_str() != id)
            .cloned()
            .collect();
        self.matcher.store(Arc::new(CompiledMatcher::build(rest)?));
        Ok(removed)
    }

    /// Removes several patterns at once, compiling the matcher once; all or nothing. Returns how many were
    /// removed.
    ///
    /// # Errors
    /// [`FirewallError::UnknownPattern`] naming the first id the firewall does not hold;
    /// [`FirewallError::MatcherBuild`] if the matcher cannot be compiled. On error nothing changes.
    pub fn remove_patterns<S: AsRef<str>>(
        &self,
        ids: impl IntoIterator<Item = S>,
    ) -> Result<usize, FirewallError> {
        let _writer = self.writer.lock();
        let current = self.matcher.load_full();
        let mut doomed = HashSet::new();
        for id in ids {
            let id = id.as_ref();
            let pattern = current
                .get(id)
                .ok_or_else(|| FirewallError::UnknownPattern(id.to_owned()))?;
            doomed.insert(pattern.id().clone());
        }
        if doomed.is_empty() {
            return Ok(0);
        }
        let rest = current
            .patterns()
            .iter()
            .filter(|p| !doomed.contains(p.id()))
            .cloned()
            .collect();
        self.matcher.store(Arc::new(CompiledMatcher::build(rest)?));
        Ok(doomed.len())
    }

    /// Returns the number of patterns.
    #[must_use]
    pub fn pattern_count(&self) -> usize {
        self.matcher.load().len()
    }

    /// Returns the heap memory of the compiled matcher (the automaton) in bytes.
    #[must_use]
    pub fn matcher_memory_bytes(&self) -> usize {
        self.matcher.load().automaton_bytes()
    }

    /// Returns the pattern with id `id`, if present.
    #[must_use]
    pub fn pattern(&self, id: &str) -> Option<Arc<Pattern>> {
        self.matcher.load().get(id).cloned()
    }

    /// Returns every pattern (a snapshot).
    #[must_use]
    pub fn patterns(&self) -> Vec<Arc<Pattern>> {
        self.matcher.load().patterns().to_vec()
    }

    /// Returns the configuration.
    #[must_use]
    pub fn config(&self) -> &FirewallConfig {
        &self.config
    }

    /// Returns the number of sources the rate limiter tracks now (0 without rate limiting). Never above
    /// [`Firewall::rate_limit_capacity`].
    #[must_use]
    pub fn tracked_sources(&self) -> usize {
        self.limiter
            .as_ref()
            .map_or(0, RateLimiter::tracked_sources)
    }

    /// Returns the most sources the rate limiter will ever track at once (0 without rate limiting).
    #[must_use]
    pub fn rate_limit_capacity(&self) -> usize {
        self.limiter.as_ref().map_or(0, RateLimiter::capacity)
    }

    /// Returns how many sources the rate limiter has dropped to bound its memory.
    #[must_use]
    pub fn evicted_sources(&self) -> u64 {
        self.limiter
            .as_ref()
            .map_or(0, RateLimiter::evicted_sources)
    }
}

/// The verdict for a set of matches and a score: Block on a critical match or a score below the block threshold,
/// Allow at or above the allow threshold unless some executable content could not be read, Review otherwise.
pub(crate) fn verdict_for(
    matches: &[PatternMatch],
    safety_score: f64,
    unreadable: bool,
    thresholds: crate::config::Thresholds,
) -> Verdict {
    let critical = matches.iter().any(|m| m.critical);
    if critical || safety_score < thresholds.block_below() {
        Verdict::Block
    } else if safety_score >= thresholds.allow_at_or_above() && !unreadable {
        Verdict::Allow
    } else {
        Verdict::Review
    }
}

/// `text` without invisible characters (what a shell would otherwise read as part of a word); borrowed when
/// there are none.
fn without_ignorables(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii()
        && !text
            .bytes()
            .any(|b| b < 0x20 && !b.is_ascii_whitespace() || b == 0x7F)
    {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .filter(|&c| !aegis_text::is_ignorable(c))
            .collect(),
    )
}

/// Builds a [`Firewall`] with a chosen configuration, patterns and clock.
#[derive(Debug, Default)]
pub struct FirewallBuilder {
    config: FirewallConfig,
    patterns: Vec<Pattern>,
    clock: Option<Arc<dyn Clock>>,
}

impl FirewallBuilder {
    /// Sets the configuration (default: [`FirewallConfig::default`]).
    #[must_use]
    pub fn config(mut self, config: FirewallConfig) -> Self {
        self.config = config;
        self
    }

    /// Adds the [default pattern set](crate#default-patterns).
    #[must_use]
    pub fn default_patterns(mut self) -> Self {
        self.patterns.extend(default_patterns());
        self
    }

    /// Adds one pattern.
    #[must_use]
    pub fn pattern(mut self, pattern: Pattern) -> Self {
        self.patterns.push(pattern);
        self
    }

    /// Adds patterns.
    #[must_use]
    pub fn patterns(mut self, patterns: impl IntoIterator<Item = Pattern>) -> Self {
        self.patterns.extend(patterns);
        self
    }

    /// Sets the clock the rate limiter reads (default: [`MonotonicClock`]).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Builds the firewall, compiling the patterns once.
    ///
    /// # Errors
    /// [`FirewallError::DuplicatePatternId`] if two patterns share an id; [`FirewallError::MatcherBuild`] if the
    /// matcher cannot be compiled.
    pub fn build(self) -> Result<Firewall, FirewallError> {
        let matcher = CompiledMatcher::build(self.patterns.into_iter().map(Arc::new).collect())?;
        let clock = self
            .clock
            .unwrap_or_else(|| Arc::new(MonotonicClock::new()));
        Ok(Firewall::from_parts(self.config, matcher, clock))
    }
}
