//! `cargo xtask conformance`: schemathesis, an independent fuzzer, against the release-built
//! stub server, with the project's own spec and every check it has.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::ci;
use crate::codegen::SPEC_PATH;

/// Test cases per operation, at most; schemathesis also adds its own coverage cases.
const MAX_EXAMPLES: &str = "600";

/// Who runs which operations: the embedded data keeps the reference session in another
/// account than the reference device and authflow, and each token reads one account.
const RUNS: &[(&str, &[&str])] = &[
    ("dev-token", &["fetch_device", "fetch_authflow"]),
    ("dev-token-b", &["fetch_session"]),
];

/// Stops the server however the run ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run(root: &Path) -> Result<()> {
    let python = ci::venv(root)?;
    ci::cargo(
        root,
        &["build", "--release", "--locked", "-p", "authapi-server"],
    )?;
    let (server, base_url) = start_server(root)?;

    let schemathesis = python.with_file_name("schemathesis");
    // Schemathesis keeps a cache in its working directory; that belongs in the build
    // directory, not in the source tree.
    let workdir = root.join("target/conformance");
    std::fs::create_dir_all(&workdir)
        .with_context(|| format!("cannot create {}", workdir.display()))?;
    eprintln!(
        "conformance: schemathesis runs in {}, where it keeps its cache",
        crate::shown(&workdir)
    );
    let spec = root.join(SPEC_PATH);
    let mut failed = Vec::new();
    for (token, operations) in RUNS {
        let mut cmd = Command::new(&schemathesis);
        cmd.current_dir(&workdir)
            .arg("run")
            .arg(&spec)
            .args(["--url", &base_url, "--checks", "all", "--mode", "all"])
            .args([
                "--max-examples",
                MAX_EXAMPLES,
                "--no-color",
                "--workers",
                "2",
            ])
            .args(["--header", &format!("Authorization: Bearer {token}")]);
        for op in *operations {
            cmd.args(["--include-operation-id", op]);
        }
        let status = cmd.status().context("cannot start schemathesis")?;
        if !status.success() {
            failed.push(operations.join(", "));
        }
    }
    drop(server);
    if !failed.is_empty() {
        bail!("schemathesis found failures in: {}", failed.join("; "));
    }
    Ok(())
}

/// Starts the release server on a free loopback port, checking its own answers, and returns
/// it with its base URL once it listens.
fn start_server(root: &Path) -> Result<(Server, String)> {
    let binary = root.join("target/release/authapi-server");
    let child = Command::new(&binary)
        .args(["--listen", "127.0.0.1:0", "--check-responses"])
        .env("RUST_LOG", "warn")
        .env_remove("AUTHAPI_DATA")
        .env_remove("AUTHAPI_TOKENS")
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let mut server = Server(child);
    let stdout = server
        .0
        .stdout
        .take()
        .context("no stdout from the server")?;
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first)?;
    let base_url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .with_context(|| format!("the server did not say where it listens: {first:?}"))?
        .to_string();
    Ok((server, base_url))
}
