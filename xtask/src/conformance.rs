//! `cargo xtask conformance`: schemathesis, an independent fuzzer, with every check it has,
//! against the release-built stub server and the project's spec, and against the rich fixture's
//! notes service and its spec, so that the generated router is fuzzed on query, header, body
//! and security shapes the product's spec does not have yet.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::codegen::{FIXTURES_DIR, SPEC_PATH};
use crate::util::{ServerProcess, cargo, target_dir, venv};

/// The seed of schemathesis's data generation.
const SEED: &str = "20261123";

/// A server and the spec it serves, with the runs that cover its operations.
struct Target {
    name: &'static str,
    /// The cargo arguments that build it, and where the binary lands in the build directory.
    build: &'static [&'static str],
    binary: &'static str,
    args: &'static [&'static str],
    spec: String,
    /// Test cases per operation, at most; schemathesis also adds its own coverage cases.
    max_examples: &'static str,
    phases: &'static str,
    workers: &'static str,
    runs: &'static [Run],
}

/// The operations one set of credentials reaches (all of the spec's when none are named).
struct Run {
    /// schemathesis's arguments for the credentials.
    auth: &'static [&'static str],
    operations: &'static [&'static str],
    /// Further schemathesis arguments, each with the reason it is needed.
    extra: &'static [&'static str],
}

fn targets() -> [Target; 2] {
    [
        Target {
            name: "stub server",
            build: &["build", "--release", "--locked", "-p", "authapi-server"],
            binary: "release/authapi-server",
            args: &["--listen", "127.0.0.1:0", "--check-responses", "--quiet"],
            spec: SPEC_PATH.into(),
            max_examples: "600",
            phases: "examples,coverage,fuzzing,stateful",
            workers: "2",
            // One token reads every account of the embedded data, so every operation of the
            // spec is fuzzed, and a new one without being listed here.
            runs: &[Run {
                auth: &["--header", "Authorization: Bearer dev-token-all"],
                operations: &[],
                extra: &[],
            }],
        },
        Target {
            name: "rich fixture",
            build: &[
                "build",
                "--locked",
                "-p",
                "authapi-fixtures",
                "--example",
                "rich_server",
            ],
            binary: "debug/examples/rich_server",
            args: &[],
            spec: format!("{FIXTURES_DIR}/rich.yaml"),
            max_examples: "100",
            // The stateful phase guesses links between operations by parameter name and feeds
            // thing ids ("t21") to the `ids` list of integers, expecting them to be accepted.
            phases: "examples,coverage,fuzzing",
            // With two workers, schemathesis's coverage phase over these schemas builds
            // Python ASTs on two threads at once, which CPython 3.11.7 reports as
            // "SystemError: AST constructor recursion depth mismatch".
            workers: "1",
            runs: &[
                Run {
                    auth: &["--header", "Authorization: Bearer token-ann"],
                    operations: &[
                        "list_things",
                        "create_thing",
                        "thing.get",
                        "update_thing",
                        "put_blob",
                        "retry-thing",
                        "health",
                    ],
                    extra: &[],
                },
                Run {
                    auth: &["--header", "X-Api-Key: key-ann"],
                    operations: &["delete_thing"],
                    extra: &[],
                },
                Run {
                    auth: &["--auth", "ann:sesame"],
                    operations: &["put_note"],
                    // Every byte string is a valid text/plain body of `{type: string}`, but
                    // schemathesis sends `[]` as a "negative" array and expects a rejection.
                    extra: &["--exclude-checks", "negative_data_rejection"],
                },
            ],
        },
    ]
}

pub fn run(root: &Path) -> Result<()> {
    let python = venv(root)?;
    let schemathesis = python.with_file_name("schemathesis");
    // Schemathesis keeps a cache in its working directory; that belongs in the build
    // directory, not in the source tree.
    let workdir = target_dir(root).join("conformance");
    std::fs::create_dir_all(&workdir)
        .with_context(|| format!("cannot create {}", workdir.display()))?;
    eprintln!(
        "conformance: schemathesis runs in {}, where it keeps its cache",
        crate::shown(&workdir)
    );
    let mut failed = Vec::new();
    for target in targets() {
        cargo(root, target.build)?;
        let binary: PathBuf = target_dir(root).join(target.binary);
        let server = ServerProcess::start(&binary, target.args, None, None)?;
        eprintln!("conformance: {} at {}", target.name, server.base_url);
        for run in target.runs {
            let mut cmd = Command::new(&schemathesis);
            cmd.current_dir(&workdir)
                .arg("run")
                .arg(root.join(&target.spec))
                .args([
                    "--url",
                    &server.base_url,
                    "--checks",
                    "all",
                    "--mode",
                    "all",
                ])
                .args(["--max-examples", target.max_examples])
                .args(["--phases", target.phases])
                // One seed, so that CI fuzzes the same cases on every machine and a failure
                // can be replayed; change it to explore further.
                .args(["--seed", SEED])
                .args(["--no-color", "--workers", target.workers])
                .args(run.auth)
                .args(run.extra);
            for op in run.operations {
                cmd.args(["--include-operation-id", op]);
            }
            let status = cmd.status().context("cannot start schemathesis")?;
            if !status.success() {
                failed.push(format!("{}: {}", target.name, run.operations.join(", ")));
            }
        }
    }
    if !failed.is_empty() {
        bail!("schemathesis found failures in: {}", failed.join("; "));
    }
    Ok(())
}
