//! `cargo xtask <command>`: code generation and checks for the authapi workspace.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Project automation for the authapi workspace: code generation from spec/openapi.yaml and
/// the checks CI runs. Works on the checkout it is run in.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
#[command(arg_required_else_help = true, disable_version_flag = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate crates/*/src/generated.rs, the stubs' spec copies and the fixtures crate from
    /// the specs
    Codegen {
        /// Write nothing; fail, naming each stale file, if the generated code is out of date
        #[arg(long)]
        check: bool,
    },
    /// Fuzz the release-built stub server and the rich fixture's service with schemathesis
    Conformance,
    /// Measure the stub server against a bare axum baseline, its footprint, data scaling and
    /// codegen speed; figures in target/bench/summary.json
    Bench {
        /// Fewer and shorter rounds, without the million-record set and the edit loop
        #[arg(long)]
        quick: bool,
    },
    /// Every check CI runs: fmt, codegen --check, clippy, tests, spec validation, conformance
    Ci,
    // A command with options of its own goes here as a variant holding a `clap::Args` struct
    // of its module, e.g. `Diff(xtask::diff::Args)` for `cargo xtask diff` (its flags then
    // show in `cargo xtask diff --help`), plus one arm in `main`. A command that reads its
    // own arguments takes them all instead:
    // `Diff { #[arg(trailing_var_arg = true, allow_hyphen_values = true)] rest: Vec<String> }`.
}

fn main() -> ExitCode {
    // A usage error exits with 2 and help with 0, as clap decides; a command that fails, 1.
    let cli = Cli::parse();
    let result = xtask::workspace_root().and_then(|root| match cli.command {
        Command::Codegen { check } => xtask::codegen::run(&root, check),
        Command::Conformance => xtask::conformance::run(&root),
        Command::Bench { quick } => xtask::bench::run(&root, quick),
        Command::Ci => xtask::ci::run(&root),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
