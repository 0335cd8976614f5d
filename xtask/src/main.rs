//! `cargo xtask <command>`: code generation and checks for the authapi workspace.

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen          regenerate crates/*/src/generated.rs from spec/openapi.yaml
  codegen --check  fail, naming each stale file, if the generated code is out of date
  conformance      schemathesis against the release-built stub server
  bench [--quick]  the stub server against a bare axum baseline, footprint, data scaling,
                   codegen speed; figures in target/bench/summary.json
  ci               every check CI runs: fmt, codegen --check, clippy, tests, spec validation,
                   conformance";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = xtask::workspace_root();
    let result = match args.as_slice() {
        ["codegen"] => xtask::codegen::run(&root, false),
        ["codegen", "--check"] => xtask::codegen::run(&root, true),
        ["ci"] => xtask::ci::run(&root),
        ["conformance"] => xtask::conformance::run(&root),
        ["bench"] => xtask::bench::run(&root, false),
        ["bench", "--quick"] => xtask::bench::run(&root, true),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
