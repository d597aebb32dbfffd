//! Snapshotting a digest with insta into the calling workspace's `snapshots/` folder.

use std::path::{Path, PathBuf};

use super::CurveDigest;

/// The folder snapshots live in: `$SCALE_PROPS_SNAPSHOT_DIR` when set, else `snapshots/` at the root of the
/// workspace that holds `manifest_dir` (the nearest ancestor whose `Cargo.toml` has a `[workspace]` table, or
/// `manifest_dir` itself for a crate outside any workspace). [`crate::assert_curve_snapshot!`] passes the
/// calling crate's `CARGO_MANIFEST_DIR`, so a crate that uses the engine as a dependency snapshots into its
/// own workspace.
///
/// ```
/// let dir = scale_props::digest::snapshot_dir_for(env!("CARGO_MANIFEST_DIR"));
/// assert!(dir.ends_with("snapshots"));
/// ```
pub fn snapshot_dir_for(manifest_dir: impl AsRef<Path>) -> PathBuf {
    if let Some(dir) = std::env::var_os("SCALE_PROPS_SNAPSHOT_DIR") {
        return PathBuf::from(dir);
    }
    workspace_root(manifest_dir.as_ref()).join("snapshots")
}

/// The nearest ancestor of `manifest_dir` (itself included) whose `Cargo.toml` declares a `[workspace]`;
/// `manifest_dir` when none does.
fn workspace_root(manifest_dir: &Path) -> PathBuf {
    manifest_dir
        .ancestors()
        .find(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|toml| {
                toml.lines()
                    .any(|l| l.trim_start().starts_with("[workspace]"))
            })
        })
        .unwrap_or(manifest_dir)
        .to_path_buf()
}

/// The folder this crate's own snapshots live in ([`snapshot_dir_for`] this crate's manifest folder).
///
/// ```
/// assert!(scale_props::digest::snapshot_dir().ends_with("snapshots"));
/// ```
pub fn snapshot_dir() -> PathBuf {
    snapshot_dir_for(env!("CARGO_MANIFEST_DIR"))
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

/// The insta settings of a digest snapshot into `dir`: no module prefix, no expression, sorted maps.
#[doc(hidden)]
pub fn snapshot_settings(dir: PathBuf) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_sort_maps(true);
    settings
}

/// Asserts `digest` against `snapshots/curve__<id>.snap` of this crate's workspace. Prefer
/// [`crate::assert_curve_snapshot!`]: it names the calling test as the snapshot's source and uses the calling
/// workspace's folder; this function can only name itself and this crate's workspace.
///
/// # Panics
/// When the snapshot is missing or differs (this is an assertion).
pub fn assert_digest_snapshot(digest: &CurveDigest) {
    let name = snapshot_name(&digest.id);
    snapshot_settings(snapshot_dir()).bind(|| insta::assert_json_snapshot!(name, digest));
}

/// Snapshots a curve's deterministic digest (its stored [`crate::Curve::analysis`]) as
/// `snapshots/curve__<id>.snap` (insta, JSON) in the calling crate's workspace (see
/// [`crate::digest::snapshot_dir_for`]), recording the calling test file as the snapshot's source. With `CI`
/// set, a missing or changed snapshot fails; locally insta writes a `.snap.new` to review (or set
/// `INSTA_UPDATE=always`). `assert_curve_snapshot!(digest = d)` snapshots a digest you adjusted.
///
/// ```no_run
/// use scale_props::{assert_curve_snapshot, Experiment};
/// let curve = Experiment::new("docs.snapshot").op(|_: &(), _| ()).ops(10).run()?;
/// assert_curve_snapshot!(curve);
/// let mut digest = curve.analysis().digest.clone();
/// digest.growth.clear();
/// assert_curve_snapshot!(digest = digest);
/// # Ok::<(), scale_props::RunError>(())
/// ```
#[macro_export]
macro_rules! assert_curve_snapshot {
    (digest = $digest:expr) => {{
        let digest: &$crate::digest::CurveDigest = &$digest;
        let name = $crate::digest::snapshot_name(&digest.id);
        $crate::digest::snapshot_settings($crate::digest::snapshot_dir_for(env!(
            "CARGO_MANIFEST_DIR"
        )))
        .bind(|| $crate::__insta::assert_json_snapshot!(name, digest));
    }};
    ($curve:expr) => {
        $crate::assert_curve_snapshot!(digest = $crate::Curve::analysis(&$curve).digest)
    };
}
