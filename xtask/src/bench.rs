//! `cargo xtask bench [--quick]`: the stub server against a bare axum baseline measured in the
//! same run, its footprint, how it scales with data, and how fast codegen is. Prints a Markdown
//! table and writes the same figures to `target/bench/summary.json`.
//!
//! The server runs as users start it: access log on, written (stderr) to a file under
//! `target/bench/`; the `--quiet` server is measured beside it. After the load, the default
//! server is stopped with SIGTERM and its log must hold a line for every request answered.
//!
//! Load goes to 127.0.0.1 only, every run is bounded in time, and every process started here
//! is stopped when its measurement ends. This module runs the measurements in order; each
//! lives in a module of its own.

mod codegen;
mod data;
mod load;
mod plan;
mod report;

use std::path::Path;

use anyhow::{Context, Result};

use crate::util;
use plan::{FULL, QUICK, Summary};

pub fn run(root: &Path, quick: bool) -> Result<()> {
    let plan = if quick { QUICK } else { FULL };
    let out = util::target_dir(root).join("bench");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    load::ensure_wrk()?;
    util::cargo(
        root,
        &[
            "build",
            "--release",
            "--locked",
            "-p",
            "authapi-server",
            "--bin",
            "authapi-server",
            "--example",
            "baseline",
            "--example",
            "test_server_startup",
        ],
    )?;
    let release = util::target_dir(root).join("release");
    let mut summary = Summary::new();

    eprintln!("bench: server against baseline");
    load::server_vs_baseline(&release, &out, &plan, &mut summary)?;
    eprintln!("bench: footprint");
    load::footprint(&release, &out, &mut summary)?;
    data::measure(&release, &out, &plan, &mut summary)?;
    eprintln!("bench: codegen");
    codegen::speed(root, &plan, &mut summary)?;
    if plan.edit_loop {
        eprintln!("bench: edit loop");
        codegen::edit_loop(root, &mut summary)?;
    }

    let json = serde_json::to_string_pretty(&summary)? + "\n";
    let summary_path = out.join("summary.json");
    std::fs::write(&summary_path, json)
        .with_context(|| format!("cannot write {}", summary_path.display()))?;
    println!("{}", report::table(&summary, &plan));
    eprintln!("bench: figures written to {}", crate::shown(&summary_path));
    // The figures are kept either way; a lost or dropped request line fails the run.
    load::check_access_log(&summary)
}
