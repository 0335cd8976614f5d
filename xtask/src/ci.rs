//! `cargo xtask ci`: every check CI runs, in the order that fails fastest.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::codegen;
use crate::util::{cargo, run_cmd, venv};

pub fn run(root: &Path) -> Result<()> {
    step("cargo fmt --check", || {
        cargo(root, &["fmt", "--all", "--", "--check"])
    })?;
    step("codegen --check", || codegen::run(root, true))?;
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
    eprintln!("ci: all checks passed");
    Ok(())
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
