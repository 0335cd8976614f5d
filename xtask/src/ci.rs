//! `cargo xtask ci`: every check CI runs, in the order that fails fastest.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::codegen;

/// Where CI keeps its Python tools, inside the build directory so `cargo clean` removes it.
const VENV: &str = "target/ci-venv";

/// PyPI packages CI installs, pinned so that a new release cannot break an old commit.
const PYTHON_PACKAGES: &[&str] = &[
    "openapi-spec-validator==0.9.0",
    "openapi-schema-validator==0.9.0",
    "PyYAML==6.0.3",
    "schemathesis==4.32.5",
];

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

pub fn cargo(root: &Path, args: &[&str]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run_cmd(Command::new(cargo).args(args).current_dir(root))
}

fn run_cmd(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} exited with {status}");
    }
    Ok(())
}

/// Makes (once) a virtualenv with the pinned Python tools and returns its interpreter.
pub fn venv(root: &Path) -> Result<std::path::PathBuf> {
    let dir = root.join(VENV);
    let python = dir.join("bin/python");
    let stamp = dir.join("installed.txt");
    let wanted = PYTHON_PACKAGES.join("\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(python);
    }
    eprintln!(
        "installing the pinned Python tools into {}",
        crate::shown(&dir)
    );
    run_cmd(Command::new("python3").args(["-m", "venv"]).arg(&dir))
        .context("cannot make a Python virtualenv; install python3 with its venv module")?;
    run_cmd(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(PYTHON_PACKAGES),
    )?;
    std::fs::write(&stamp, wanted)?;
    Ok(python)
}
