//! `cargo xtask ci`: every check CI runs, in the order that fails fastest.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::codegen;
use crate::util::{cargo, run_cmd, target_dir, venv};

pub fn run(root: &Path) -> Result<()> {
    step("cargo fmt --check", || {
        cargo(root, &["fmt", "--all", "--", "--check"])
    })?;
    step("codegen --check", || codegen::run(root, true))?;
    step("spec diff against the merge base", || crate::diff::ci(root))?;
    step("clippy", || {
        cargo(
            root,
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--",
                "-D",
                "warnings",
            ],
        )
    })?;
    step("tests", || {
        cargo(root, &["test", "--workspace", "--locked"])
    })?;
    step("consumer crate (tests/consumer)", || consumer(root))?;
    step("spec validation", || {
        let python = venv(root)?;
        run_cmd(
            Command::new(python)
                .arg("xtask/python/check_spec.py")
                .arg(codegen::SPEC_PATH)
                .current_dir(root),
        )
    })?;
    step("conformance (schemathesis)", || {
        crate::conformance::run(root)
    })?;
    // About 10 s once conformance has built the release server: 4 s to install the npm
    // package on a fresh machine, 5 s to run; Java 17 is already on CI's machine.
    step("contract tests (Specmatic)", || crate::contract::run(root))?;
    // Last, because it mutates the checkout in place (restoring each file) and reuses the
    // test builds above; bounded by `mutants::CI_TIME_LIMIT`.
    step("mutants of the lines changed since the merge base", || {
        crate::mutants::ci(root)
    })?;
    eprintln!("ci: all checks passed");
    Ok(())
}

/// The crate that uses the workspace from outside, as users do.
const CONSUMER: &str = "tests/consumer";

/// Builds and tests the consumer crate with the workspace's versions (a copy of its
/// Cargo.lock), profiles (given as `--config`) and target directory, so that it reuses what
/// the workspace built instead of building everything again.
fn consumer(root: &Path) -> Result<()> {
    let dir = root.join(CONSUMER);
    let lock = dir.join("Cargo.lock");
    std::fs::copy(root.join("Cargo.lock"), &lock)
        .with_context(|| format!("cannot copy Cargo.lock to {}", lock.display()))?;
    let target = target_dir(root);
    let manifest = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("cannot read {}", manifest.display()))?;
    let profiles = target.join("consumer-profiles.toml");
    std::fs::create_dir_all(&target)
        .with_context(|| format!("cannot create {}", target.display()))?;
    std::fs::write(&profiles, profile_tables(&text))
        .with_context(|| format!("cannot write {}", profiles.display()))?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run_cmd(
        Command::new(cargo)
            .arg("test")
            .arg("--manifest-path")
            .arg(dir.join("Cargo.toml"))
            .arg("--config")
            .arg(&profiles)
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(&dir),
    )
}

/// The `[profile...]` tables of a manifest, as written.
fn profile_tables(manifest: &str) -> String {
    let mut out = String::new();
    let mut in_profile = false;
    for line in manifest.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            in_profile = trimmed.starts_with("[profile.");
        }
        if in_profile {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn step(name: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    eprintln!("ci: {name}");
    let started = std::time::Instant::now();
    f().with_context(|| format!("ci step `{name}` failed"))?;
    eprintln!(
        "ci: {name} passed in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_tables_are_taken_whole_and_nothing_else() {
        let manifest = "[package]\nname = \"x\"\n\n[profile.dev]\ndebug = false\n\n[dependencies]\nserde = \"1\"\n[profile.dev.package.\"*\"]\nopt-level = 3\n";
        assert_eq!(
            profile_tables(manifest),
            "[profile.dev]\ndebug = false\n\n[profile.dev.package.\"*\"]\nopt-level = 3\n"
        );
    }
}
