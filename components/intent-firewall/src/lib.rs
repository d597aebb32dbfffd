//! Aegis intent firewall: normalises, matches and scores agent requests before anything runs.
//!
//! # Example
//! ```
//! use intent_firewall::{Firewall, Request, Verdict, ActionCategory};
//!
//! # fn main() -> Result<(), intent_firewall::FirewallError> {
//! let firewall = Firewall::with_default_patterns();
//!
//! let safe = firewall.validate(&Request::new("agent-1", "list the files in /srv/reports"))?;
//! assert_eq!(safe.verdict, Verdict::Allow);
//! assert_eq!(safe.intent.action, ActionCategory::Read);
//!
//! // Case changes, a zero-width space and fullwidth characters do not hide a dangerous command.
//! let evasive = firewall.validate(&Request::new("agent-1", "please RM\u{200B} -rf ／"))?;
//! assert_eq!(evasive.verdict, Verdict::Block);
//! assert!(evasive.critical_matched());
//!
//! // Borderline maintenance goes to a human.
//! let borderline = firewall.validate(&Request::new("agent-1", "restart the service nginx"))?;
//! assert_eq!(borderline.verdict, Verdict::Review);
//! # Ok(())
//! # }
//! ```
//!
//! # How a request is judged
//! 1. **Input checks.** An empty source, empty (or invisible-only) content, or content over
//!    [`FirewallConfig::max_content_bytes`] (64 KiB by default) is a typed [`FirewallError`].
//! 2. **Normalisation** ([`normalize`], [`canonicalize`], from the shared `aegis-text` crate the love engine uses too): NFKC/NFKD, case folding, invisible characters
//!    (general category `Cf` and other default-ignorables) stripped, whitespace collapsed, and, for matching,
//!    accents removed and look-alike characters folded (leet digits, Cyrillic/Greek/Armenian homoglyphs, small
//!    capitals). Patterns go through the same function, so `ＲＭ -rf /`, `r\u{200B}m -rf /` and `rm   -RF /`
//!    all read as `rm -rf /`. Both forms are idempotent.
//! 3. **Matching.** Every pattern is found in one pass of an Aho-Corasick automaton (overlapping matches, so no
//!    pattern hides another); each [`Pattern`] then checks its [`Edge`] rules (word boundary, end of token, or
//!    none), so `drop tables_backup` is not `drop table` and `rm -rf /tmp` is not `rm -rf /`.
//!    **Executable content** (shell-looking text, see [`ExecutableReading`]) is parsed with brush-parser and
//!    its obfuscation resolved (`${IFS}`, quote splicing, escapes, substitutions, `eval` of decodable strings,
//!    `sh -c` and interpreter programs); every resolved command line is matched too, and what cannot be read
//!    ([`Unreadable`]) makes the verdict at least Review. Metadata values are screened like the content.
//! 4. **Score.** `safety_score = Π (1 − severity_i)` over the distinct matched patterns: 1 when nothing matches,
//!    always in [0, 1], and never raised by adding a pattern.
//! 5. **Verdict** (with [`Thresholds`], default 0.3 / 0.7): [`Verdict::Block`] if a *critical* pattern (severity
//!    ≥ 0.9) matched or the score is below `block_below`; [`Verdict::Allow`] if the score is at least
//!    `allow_at_or_above`; otherwise [`Verdict::Review`] (borderline: human review).
//! 6. **Intent** ([`Intent`]): action category, targets (paths, URLs, hosts, recipients) and a confidence from
//!    word-boundary evidence; see [`intent`](crate::Intent) for the rules and the formula.
//! 7. **Rate limit.** The source's token bucket is charged ([`Firewall::validate_keyed`] charges an identity the
//!    caller passes instead: see the README's trust model); over budget the verdict becomes
//!    [`Verdict::RateLimited`] (the rest of the assessment is kept). Memory stays bounded however many sources
//!    appear; see [`RateLimitConfig`].
//!
//! # Default patterns
//! [`default_patterns`] (loaded by [`Firewall::with_default_patterns`]) holds:
//!
//! | category | examples | severity |
//! |---|---|---|
//! | destruction | `rm -rf /` (and `-fr`, `-r -f`, `/*`, `~`), `rm -rf` of `/etc` `/usr` `/bin` `/sbin` `/boot` `/lib` `/var` `/home` `/root` `/opt` `/sys` (the directory itself or `/dir/*`), `delete /etc` (and `/usr`, `/bin`, `/boot`), `delete (all\|the) system files`, `wipe the disk`, `format the disk`, `--no-preserve-root`, `mkfs`, `wipefs`, `format c:`, `del /f /s /q c:\`; `system32` and `delete all files` (0.7) | 0.7-1.0 |
//! | raw disk writes | `dd ... of=/dev/sd*`, `/dev/hd*`, `/dev/nvme*`, `/dev/xvd*`, `/dev/vd*`, `/dev/mmcblk*`, `> /dev/sd*`, `shred /dev/...` | 0.95 |
//! | fork bombs | `:(){ :|:& };:` and spaced variants | 1.0 |
//! | remote code execution | `... \| sh`, `\| bash`, `\| zsh`, `\| sudo sh`, `\| python`, `bash <(curl ...)` | 0.9-0.95 |
//! | data destruction | `DROP DATABASE`, `DROP TABLE`, `DROP SCHEMA`, `FLUSHALL`, `db.dropDatabase(` | 0.9-0.95 |
//! | credential access | `/etc/shadow`, `~/.ssh/id_rsa` (and `id_ed25519`, `id_ecdsa`), `~/.aws/credentials`, `aws_secret_access_key`, `aws_access_key_id` (0.8), `mimikatz`, `sekurlsa`, `hklm\sam`, `.kube/config` (0.8), `/etc/passwd` (0.5) | 0.5-0.95 |
//! | exfiltration | `/dev/tcp/`, `nc -e`, `ncat -e`, `--upload-file` (0.6) | 0.6-0.95 |
//! | privilege escalation | `chmod 777 /`, `chmod -R 777 /`, `/etc/sudoers` (0.85), `chmod u+s`, `setenforce 0` (0.8) | 0.8-0.95 |
//! | maintenance (borderline) | `rm -rf` (0.35), `rm -rf /tmp`, `rm -rf /var/log`, `delete the temp ...`, `delete the logs`, `clear the logs`, `restart the service`, `systemctl restart/stop`, `kill -9`, `killall`, `reboot`, `shutdown`, `truncate table` (0.6), `crontab -r`, `git push --force`, `git reset --hard`, `history -c`, `sudo` (0.2) | 0.2-0.6 |
//!
//! Under the default thresholds, any critical match blocks; one maintenance match (0.35-0.6) sends the request to
//! review; `sudo` alone (score 0.8) is allowed.
//!
//! # Matcher size and cost
//! Pattern sets of up to 256 KiB of normalised text (about 15,000 patterns of 17 bytes) compile to an
//! Aho-Corasick DFA: one table step per input byte whatever the number of patterns, at about 3.5 KiB of automaton
//! per such pattern (36 KiB for 10, 3.4 MiB for 1,000, 35 MiB for 10,000) and roughly 40 ms per 1,000 patterns
//! to compile. Larger sets compile to a contiguous NFA (several times smaller, somewhat slower to search).
//! [`Firewall::matcher_memory_bytes`] reports the figure; add patterns in batches ([`Firewall::add_patterns`])
//! so the matcher compiles once.
//!
//! # Concurrency
//! [`Firewall`] is `Send + Sync`. The pattern set is an immutable compiled snapshot published through
//! [`arc_swap::ArcSwap`]: [`Firewall::validate`] loads it without locking and never waits for a writer, and
//! [`Firewall::add_patterns`] / [`Firewall::remove_patterns`] build a new snapshot and swap it in atomically, so a
//! validation sees the old or the new pattern set, never a mix. Batch edits compile once.

#![forbid(unsafe_code)]

mod assessment;
mod clock;
mod config;
mod defaults;
mod error;
mod exec;
mod firewall;
mod intent;
mod matcher;
mod pattern;
mod rate_limit;
mod request;
mod verbs;

pub use aegis_text::{canonicalize, normalize};
pub use assessment::{Assessment, PatternMatch, Verdict};
pub use clock::{Clock, ManualClock, MonotonicClock};
pub use config::{FirewallConfig, RateLimitConfig, Thresholds};
pub use defaults::default_patterns;
pub use error::FirewallError;
pub use exec::{ExecutableReading, Unreadable};
pub use firewall::{Firewall, FirewallBuilder};
pub use intent::{ActionCategory, Evidence, Intent, Target, TargetKind};
pub use pattern::{Edge, Pattern, PatternCategory, PatternId, Severity};
pub use request::Request;
