//! `cargo xtask <command>`: code generation and checks for the authapi workspace.

use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

// Code generation allocates and frees millions of small tokens and strings, where mimalloc is
// several times quicker than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Run Specmatic's contract and generative tests against the release-built stub server
    /// (installs Java 17 and the pinned npm package when missing)
    Contract,
    /// Measure the stub server against a bare axum baseline, its footprint, data scaling and
    /// codegen speed; figures in target/bench/summary.json
    Bench {
        /// Fewer and shorter rounds, without the million-record set and the edit loop
        #[arg(long)]
        quick: bool,
    },
    /// Every check CI runs: fmt, codegen --check, the spec diff, clippy, tests, the consumer
    /// crate, spec validation, conformance, contract tests, mutants of the changed lines
    Ci,
    /// Mutation testing of the hand-written code with cargo-mutants (installs the pinned
    /// version when missing); fails, naming each, when a mutant survives the tests. Mutates
    /// the checkout in place: edit nothing while it runs
    Mutants {
        /// Only the mutants of this file or directory (a path from the workspace root); may be
        /// repeated
        #[arg(long = "file", value_name = "PATH")]
        files: Vec<String>,
        /// Only the mutants in lines changed since the merge base of HEAD and this git ref
        #[arg(long, value_name = "BASE")]
        in_diff: Option<String>,
        /// Stop after this many seconds and report the mutants tested by then
        #[arg(long, value_name = "SECS")]
        time_limit: Option<u64>,
        /// Go on from the earlier runs: skip the mutants they caught or found unviable (moved
        /// with their lines through later edits; those of changed lines are tested again),
        /// test the rest, and count them all
        #[arg(long, conflicts_with = "in_diff")]
        iterate: bool,
        /// Write what is now known caught or unviable in the files run into
        /// .cargo/mutants-ledger.txt, which later `--iterate` runs in any checkout go on from;
        /// the files must be committed
        #[arg(long, requires = "iterate")]
        record: bool,
    },
    /// What a spec edit breaks, for HTTP clients and for Rust code, against a git ref
    /// (`cargo xtask diff --help` for its options)
    #[command(disable_help_flag = true)]
    Diff {
        // The diff reads its own arguments, help included.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        rest: Vec<String>,
    },
}

/// A command that works on the workspace root.
type Run = dyn FnOnce(&Path) -> anyhow::Result<()>;

fn main() -> ExitCode {
    // A usage error exits with 2 and help with 0, as clap decides; a command that fails, 1.
    let cli = Cli::parse();
    let command: Box<Run> = match cli.command {
        // The diff has exit statuses of its own (1: something breaks, 2: usage or spec error).
        Command::Diff { rest } => {
            let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
            return xtask::diff::main(&rest);
        }
        Command::Codegen { check } => Box::new(move |root| xtask::codegen::run(root, check)),
        Command::Conformance => Box::new(xtask::conformance::run),
        Command::Contract => Box::new(xtask::contract::run),
        Command::Bench { quick } => Box::new(move |root| xtask::bench::run(root, quick)),
        Command::Ci => Box::new(xtask::ci::run),
        Command::Mutants {
            files,
            in_diff,
            time_limit,
            iterate,
            record,
        } => {
            let options = xtask::mutants::Options {
                files,
                in_diff,
                time_limit: time_limit.map(std::time::Duration::from_secs),
                iterate,
                record,
            };
            Box::new(move |root| xtask::mutants::run(root, &options))
        }
    };
    let result = xtask::workspace_root().and_then(|root| command(&root));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
