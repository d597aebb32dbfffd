//! Snapshotting a digest with insta into the top-level `snapshots/` folder.

use std::path::PathBuf;

use super::CurveDigest;

/// The folder snapshots live in: `$SCALE_PROPS_SNAPSHOT_DIR` (set for every cargo-run process by the
/// workspace `.cargo/config.toml`), else the workspace's `snapshots/` next to this crate.
///
/// ```
/// assert!(scale_props::digest::snapshot_dir().ends_with("snapshots"));
/// ```
pub fn snapshot_dir() -> PathBuf {
    std::env::var_os("SCALE_PROPS_SNAPSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../snapshots")))
}

/// The one file-name-safe form of an experiment id, used for snapshots (`curve__<stem>.snap`), plots
/// (`<stem>.svg`, in reports and failures alike) and report anchors: ASCII letters, digits, `.`, `-` and `_`
/// kept, anything else `_`.
///
/// ```
/// assert_eq!(scale_props::digest::file_stem("audit.append/1 KiB"), "audit.append_1_KiB");
/// ```
pub fn file_stem(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The snapshot name of an experiment id: `curve__<file stem>` (`audit.append` -> `curve__audit.append`).
///
/// ```
/// assert_eq!(scale_props::digest::snapshot_name("a b/c"), "curve__a_b_c");
/// ```
pub fn snapshot_name(id: &str) -> String {
    format!("curve__{}", file_stem(id))
}

/// Asserts the digest against `snapshots/curve__<id>.snap` (insta, JSON). With `CI` set, a missing or changed
/// snapshot fails; locally insta writes a `.snap.new` to review (or set `INSTA_UPDATE=always`).
///
/// # Panics
/// When the snapshot is missing or differs (this is an assertion).
pub fn assert_digest_snapshot(digest: &CurveDigest) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(snapshot_dir());
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_sort_maps(true);
    let name = snapshot_name(&digest.id);
    settings.bind(|| insta::assert_json_snapshot!(name, digest));
}

/// Snapshots a curve's deterministic digest into the top-level `snapshots/` folder, named by its experiment id.
///
/// ```no_run
/// use scale_props::{assert_curve_snapshot, Experiment};
/// let curve = Experiment::new("docs.snapshot").op(|_: &(), _| ()).ops(10).run()?;
/// assert_curve_snapshot!(curve);
/// # Ok::<(), scale_props::RunError>(())
/// ```
#[macro_export]
macro_rules! assert_curve_snapshot {
    ($curve:expr) => {
        $crate::digest::assert_digest_snapshot(&$crate::digest::CurveDigest::of(&$curve))
    };
}
