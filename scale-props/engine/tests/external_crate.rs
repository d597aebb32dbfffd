//! The engine used from another workspace: `tests/external/demo.rs` is built as the test of a crate outside
//! this workspace (the engine a path dependency), and its snapshot must go to that crate's `snapshots/`
//! folder, naming the calling test as its source.
#![cfg(not(loom))]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The target folder this test binary was built into (`<target>/debug/deps/<binary>`), shared with the
/// nested build so the engine's dependencies are not compiled again.
fn target_dir() -> Option<PathBuf> {
    std::env::current_exe()
        .ok()?
        .ancestors()
        .nth(3)
        .map(Path::to_path_buf)
}

#[test]
fn a_crate_outside_the_workspace_snapshots_into_its_own_folder()
-> Result<(), Box<dyn std::error::Error>> {
    let engine = Path::new(env!("CARGO_MANIFEST_DIR"));
    let outside = tempfile::tempdir()?;
    let root = outside.path();
    std::fs::create_dir_all(root.join("tests"))?;
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[package]\nname = \"outside\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dev-dependencies]\nscale-props = {{ path = {:?} }}\n\n[workspace]\n\n\
             [profile.dev]\ndebug = false\n",
            engine.display().to_string()
        ),
    )?;
    std::fs::copy(
        engine.join("tests/external/demo.rs"),
        root.join("tests/demo.rs"),
    )?;
    // The engine workspace's lock file, so the nested build resolves the same versions (and reuses them).
    std::fs::copy(engine.join("../../Cargo.lock"), root.join("Cargo.lock"))?;
    let mut cargo = Command::new(option_env!("CARGO").unwrap_or("cargo"));
    cargo
        .args(["test", "--offline", "--quiet", "--test", "demo"])
        .current_dir(root)
        .env_remove("SCALE_PROPS_SNAPSHOT_DIR")
        .env_remove("CI")
        .env("INSTA_UPDATE", "always");
    if let Some(target) = target_dir() {
        cargo.env("CARGO_TARGET_DIR", target.join("external"));
    }
    let out = cargo.output()?;
    assert!(
        out.status.success(),
        "nested build failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let snap = root.join("snapshots/curve__external.demo.snap");
    let text = std::fs::read_to_string(&snap)
        .map_err(|e| format!("{} not written: {e}", snap.display()))?;
    assert!(
        text.lines().any(|l| l == "source: tests/demo.rs"),
        "the snapshot must name the calling test:\n{text}"
    );
    assert!(text.contains("\"id\": \"external.demo\""), "{text}");
    assert!(
        !engine
            .join("../../snapshots/curve__external.demo.snap")
            .exists(),
        "the snapshot went to the engine's workspace"
    );
    Ok(())
}
