//! How fast code generation is: the generator alone over the real spec and over synthetic
//! specs ten and a hundred times its size, and the loop a user goes through after editing the
//! spec (`cargo xtask codegen`, then `cargo build`), timed in a copy of the workspace so that
//! an interrupted bench never leaves the checkout's spec or generated files edited.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::plan::{Plan, Summary, median};
use crate::codegen::{self, SPEC_PATH};
use crate::spec;
use crate::util;

/// The real spec with its operations and schemas repeated `copies` times under new names.
fn synthetic_spec(real: &Value, copies: usize) -> Value {
    let mut out = real.clone();
    let mut paths = serde_json::Map::new();
    let mut schemas = serde_json::Map::new();
    for k in 0..copies {
        let prefix = format!("#/components/schemas/C{k}_");
        let rename = |text: &str| text.replace("#/components/schemas/", &prefix);
        let copy: Value = serde_json::from_str(&rename(&real.to_string())).unwrap_or(Value::Null);
        for (path, item) in copy["paths"].as_object().into_iter().flatten() {
            let mut item = item.clone();
            if let Some(ops) = item.as_object_mut() {
                for op in ops.values_mut() {
                    if let Some(id) = op["operationId"].as_str() {
                        op["operationId"] = json!(format!("{id}_{k}"));
                    }
                }
            }
            paths.insert(path.replacen("/api/v1/", &format!("/api/v{k}/"), 1), item);
        }
        for (name, schema) in real["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let renamed: Value =
                serde_json::from_str(&rename(&schema.to_string())).unwrap_or(Value::Null);
            schemas.insert(format!("C{k}_{name}"), renamed);
        }
    }
    out["paths"] = Value::Object(paths);
    out["components"]["schemas"] = Value::Object(schemas);
    let responses = out["components"]["responses"]
        .to_string()
        .replace("#/components/schemas/", "#/components/schemas/C0_");
    out["components"]["responses"] = serde_json::from_str(&responses).unwrap_or(Value::Null);
    out
}

/// Medians of what `cargo xtask codegen` costs after an edit to the spec, in process, over the
/// real spec and the synthetic ones. Each run first changes one description (a new one each
/// run, as an edit would), then reads the spec and generates every file, reading and writing
/// the format cache as the command does, and in the profile the bench runs in (`cargo xtask`
/// builds the dev profile). The cache holds what the run before formatted, as it does for a
/// user after their previous codegen. `codegen_300ops_cold_ms` is the same with no cache: a
/// first run, or the first after the generator changed. Left out, as they do not grow with the
/// spec: the fixtures and comparing or writing the files.
pub fn speed(root: &Path, plan: &Plan, summary: &mut Summary) -> Result<()> {
    let spec_path = root.join(SPEC_PATH);
    let text = std::fs::read_to_string(&spec_path)
        .with_context(|| format!("cannot read {}", spec_path.display()))?;
    let real = spec::parse(SPEC_PATH, text)?;
    let specs = [
        ("codegen", real.json.clone()),
        ("codegen_30ops", synthetic_spec(&real.json, 10)),
        ("codegen_300ops", synthetic_spec(&real.json, 100)),
    ];
    let cache_path = util::target_dir(root).join("bench/codegen-format-cache");
    for (key, json) in specs {
        let text = serde_json::to_string(&json)?;
        let mut run = 0;
        let mut next_edit = || {
            run += 1;
            edited(&text, run)
        };
        let _ = std::fs::remove_file(&cache_path);
        if key == "codegen_300ops" {
            let mut times = Vec::new();
            for _ in 0..plan.codegen_runs {
                let text = next_edit()?;
                let started = Instant::now();
                codegen::generate(&spec::parse(SPEC_PATH, text)?)?;
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            summary.insert(format!("{key}_cold_ms"), median(times));
        }
        // The codegen before the edit.
        regenerate(&next_edit()?, &cache_path)?;
        let mut times = Vec::new();
        for _ in 0..plan.codegen_runs {
            let text = next_edit()?;
            let started = Instant::now();
            regenerate(&text, &cache_path)?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        summary.insert(format!("{key}_ms"), median(times));
    }
    let _ = std::fs::remove_file(&cache_path);
    Ok(())
}

/// `text` (a spec as JSON) with the description the edit loop changes changed for `run`.
fn edited(text: &str, run: usize) -> Result<String> {
    let old = EDIT.0.trim_start_matches("description: ");
    let edited = text.replacen(&format!("\"{old}\""), &format!("\"{old} (edit {run})\""), 1);
    if edited == text {
        bail!("the synthetic spec no longer holds {old:?}, the text each run changes");
    }
    Ok(edited)
}

/// What `cargo xtask codegen` does with a spec, but for the fixtures and the files.
fn regenerate(text: &str, cache_path: &Path) -> Result<()> {
    let cache = codegen::format::Cache::load(cache_path);
    codegen::generate_with(&spec::parse(SPEC_PATH, text.to_string())?, &cache)?;
    cache
        .save(cache_path)
        .with_context(|| format!("cannot write {}", cache_path.display()))
}

/// The edit the loop makes: a one-line description change, which changes a few generated
/// lines and rebuilds every crate that holds them.
const EDIT: (&str, &str) = (
    "description: A valid device ID",
    "description: A valid device ID, edited",
);

/// Times `cargo xtask codegen && cargo build --workspace` after `EDIT`, on a warm build, in a
/// copy of the workspace under the build directory that shares that build directory.
pub fn edit_loop(root: &Path, summary: &mut Summary) -> Result<()> {
    let target = util::target_dir(root);
    let copy = target.join("bench/edit-loop");
    // A copy an interrupted run left behind may be stale.
    if copy.exists() {
        std::fs::remove_dir_all(&copy)
            .with_context(|| format!("cannot remove {}", copy.display()))?;
    }
    let skip: Vec<PathBuf> = [root.join(".git"), root.join("target"), target.clone()]
        .iter()
        .filter_map(|dir| dir.canonicalize().ok())
        .collect();
    copy_tree(root, &copy, &skip)?;
    let seconds = time_edit(root, &copy, &target);
    let _ = std::fs::remove_dir_all(&copy);
    summary.insert("edit_loop_s".into(), seconds?);
    Ok(())
}

fn time_edit(root: &Path, copy: &Path, target: &Path) -> Result<f64> {
    let cargo = |args: &[&str]| {
        util::run_cmd(
            util::cargo_command(copy)
                .args(args)
                .env("CARGO_TARGET_DIR", target),
        )
    };
    // Cargo keys a workspace's own packages by where they are, so the copy's crates and its
    // xtask are new to the build directory: build them first, so that only the edit's own
    // cost is timed.
    cargo(&["build", "--workspace", "--quiet"])?;
    cargo(&["xtask", "codegen"])?;
    let spec_path = copy.join(SPEC_PATH);
    let original = std::fs::read_to_string(&spec_path)
        .with_context(|| format!("cannot read {}", spec_path.display()))?;
    let edited = original.replacen(EDIT.0, EDIT.1, 1);
    if edited == original {
        bail!(
            "{} no longer holds `{}`, the text the edit loop changes",
            crate::shown(&root.join(SPEC_PATH)),
            EDIT.0
        );
    }
    std::fs::write(&spec_path, edited)
        .with_context(|| format!("cannot write {}", spec_path.display()))?;
    let started = Instant::now();
    cargo(&["xtask", "codegen"])?;
    cargo(&["build", "--workspace", "--quiet"])?;
    Ok(started.elapsed().as_secs_f64())
}

/// Copies the directory `from` into `to`, leaving out the directories of `skip` (canonical
/// paths) and anything named `.git`.
fn copy_tree(from: &Path, to: &Path, skip: &[PathBuf]) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    let entries =
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", from.display()))?;
        let path = entry.path();
        if entry.file_name() == ".git" {
            continue;
        }
        if path.is_dir() {
            if path.canonicalize().is_ok_and(|dir| skip.contains(&dir)) {
                continue;
            }
            copy_tree(&path, &to.join(entry.file_name()), skip)?;
        } else {
            let dest = to.join(entry.file_name());
            std::fs::copy(&path, &dest)
                .with_context(|| format!("cannot copy {} to {}", path.display(), dest.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_specs_generate_with_every_operation() {
        let root = crate::workspace_root().unwrap();
        let text = std::fs::read_to_string(root.join(SPEC_PATH)).unwrap();
        let real = spec::parse(SPEC_PATH, text).unwrap();
        let ten = synthetic_spec(&real.json, 10);
        assert_eq!(ten["paths"].as_object().unwrap().len(), 30);
        let parsed = spec::parse(SPEC_PATH, serde_json::to_string(&ten).unwrap()).unwrap();
        let outputs = codegen::generate(&parsed).unwrap();
        assert!(outputs[2].contents.contains("fn fetch_device_9("));
    }

    #[test]
    fn the_edit_loop_finds_its_line_in_the_spec() {
        let root = crate::workspace_root().unwrap();
        let text = std::fs::read_to_string(root.join(SPEC_PATH)).unwrap();
        assert!(text.contains(EDIT.0), "{SPEC_PATH} lacks {:?}", EDIT.0);
    }
}
