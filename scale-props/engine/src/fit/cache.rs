//! The data caches of the machine, read from Linux sysfs.

use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// One data (or unified) cache level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheLevel {
    /// Level: 1 for L1, 2 for L2, ...
    pub level: u8,
    /// Capacity in bytes.
    pub bytes: u64,
}

/// The data caches of one CPU, smallest level first; empty where they cannot be read (not Linux, no sysfs).
///
/// ```
/// let caches = scale_props::fit::CacheLevels::of_this_machine();
/// assert!(caches.levels.windows(2).all(|w| w[0].level < w[1].level));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheLevels {
    /// Data and unified caches by level (instruction caches left out).
    pub levels: Vec<CacheLevel>,
}

impl CacheLevels {
    /// The caches of CPU 0 from `/sys/devices/system/cpu/cpu0/cache/index*/{level,type,size}`, read once per
    /// process. Cost: a few small file reads the first time, O(1) after.
    pub fn of_this_machine() -> Self {
        static CACHES: OnceLock<CacheLevels> = OnceLock::new();
        CACHES
            .get_or_init(|| Self::read_sysfs(Path::new("/sys/devices/system/cpu/cpu0/cache")))
            .clone()
    }

    /// Reads the caches from a sysfs-style directory (`index*/level`, `index*/type`, `index*/size`); entries
    /// that cannot be read or parsed are skipped. Cost: O(entries).
    pub fn read_sysfs(dir: &Path) -> Self {
        let mut levels = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Self::default();
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let read = |name: &str| std::fs::read_to_string(path.join(name)).ok();
            let (Some(level), Some(kind), Some(size)) = (read("level"), read("type"), read("size"))
            else {
                continue;
            };
            if kind.trim() == "Instruction" {
                continue;
            }
            if let (Ok(level), Some(bytes)) = (level.trim().parse::<u8>(), parse_size(&size)) {
                levels.push(CacheLevel { level, bytes });
            }
        }
        levels.sort_by_key(|c| c.level);
        levels.dedup_by_key(|c| c.level);
        Self { levels }
    }

    /// Returns true if and only if no cache level is known. Cost: O(1).
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }
}

impl fmt::Display for CacheLevels {
    /// E.g. `L1 32K, L2 1M, L3 32M`, or `unknown`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.levels.is_empty() {
            return f.write_str("unknown");
        }
        for (i, c) in self.levels.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            let (value, unit) = if c.bytes >= 1 << 20 && c.bytes % (1 << 20) == 0 {
                (c.bytes >> 20, "M")
            } else {
                (c.bytes >> 10, "K")
            };
            write!(f, "{sep}L{} {value}{unit}", c.level)?;
        }
        Ok(())
    }
}

/// Parses sysfs sizes such as `32K`, `1024K`, `32M` or `512` (bytes).
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, scale) = match text.as_bytes().last()? {
        b'K' => (&text[..text.len() - 1], 1u64 << 10),
        b'M' => (&text[..text.len() - 1], 1 << 20),
        b'G' => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    digits.parse::<u64>().ok()?.checked_mul(scale)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn parses_sysfs_sizes() {
        assert_eq!(parse_size("32K\n"), Some(32 << 10));
        assert_eq!(parse_size("32768K"), Some(32 << 20));
        assert_eq!(parse_size("2M"), Some(2 << 20));
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size(""), None);
        assert_eq!(parse_size("K"), None);
        assert_eq!(parse_size("12Q"), None);
        assert_eq!(parse_size("99999999999999999999G"), None);
    }

    #[test]
    fn reads_a_sysfs_tree_and_skips_instruction_and_broken_entries()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        for (index, level, kind, size) in [
            ("index0", "1", "Data", "32K"),
            ("index1", "1", "Instruction", "32K"),
            ("index2", "2", "Unified", "1024K"),
            ("index3", "3", "Unified", "32768K"),
            ("index4", "x", "Unified", "1K"),
        ] {
            let d = dir.path().join(index);
            std::fs::create_dir(&d)?;
            std::fs::write(d.join("level"), level)?;
            std::fs::write(d.join("type"), kind)?;
            std::fs::write(d.join("size"), size)?;
        }
        std::fs::create_dir(dir.path().join("index5"))?;
        let caches = CacheLevels::read_sysfs(dir.path());
        assert_eq!(caches.to_string(), "L1 32K, L2 1M, L3 32M");
        assert!(CacheLevels::read_sysfs(&dir.path().join("missing")).is_empty());
        Ok(())
    }
}
