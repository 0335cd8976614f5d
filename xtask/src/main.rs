//! `cargo xtask <command>`: code generation and checks for the authapi workspace.

use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen          regenerate crates/*/src/generated.rs from spec/openapi.yaml
  codegen --check  fail, naming each stale file, if the generated code is out of date
  conformance      schemathesis against the release-built stub server
  contract         Specmatic's contract tests against the release-built stub server
  bench [--quick]  the stub server against a bare axum baseline, footprint, data scaling,
                   codegen speed; figures in target/bench/summary.json
  ci               every check CI runs: fmt, codegen --check, clippy, tests, spec validation,
                   conformance";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let command: fn(&Path) -> anyhow::Result<()> = match args.as_slice() {
        ["codegen"] => |root| xtask::codegen::run(root, false),
        ["codegen", "--check"] => |root| xtask::codegen::run(root, true),
        ["ci"] => xtask::ci::run,
        ["conformance"] => xtask::conformance::run,
        ["contract"] => xtask::contract::run,
        ["bench"] => |root| xtask::bench::run(root, false),
        ["bench", "--quick"] => |root| xtask::bench::run(root, true),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match xtask::workspace_root().and_then(|root| command(&root)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
