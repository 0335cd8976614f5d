//! How fast code generation is: the generator alone over the real spec and over synthetic
//! specs ten and a hundred times its size, and the loop a user goes through after editing the
//! spec (`cargo xtask codegen`, then `cargo build`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
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

/// Medians of the generator's time, in process, over the real spec and the synthetic ones.
pub fn speed(root: &Path, plan: &Plan, summary: &mut Summary) -> Result<()> {
    let spec_path = root.join(SPEC_PATH);
    let text = std::fs::read_to_string(&spec_path)
        .with_context(|| format!("cannot read {}", spec_path.display()))?;
    let real = spec::parse(SPEC_PATH, text)?;
    let specs = [
        ("codegen_ms", real.json.clone()),
        ("codegen_30ops_ms", synthetic_spec(&real.json, 10)),
        ("codegen_300ops_ms", synthetic_spec(&real.json, 100)),
    ];
    for (key, json) in specs {
        let parsed = spec::parse(SPEC_PATH, serde_json::to_string(&json)?)?;
        let mut times = Vec::new();
        for _ in 0..plan.codegen_runs {
            let started = Instant::now();
            codegen::generate(&parsed)?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        summary.insert(key.into(), median(times));
    }
    Ok(())
}

/// Restores the spec when the edit-loop measurement ends, however it ends.
struct Restore<'a> {
    path: PathBuf,
    text: &'a str,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.path, self.text);
    }
}

/// Times `cargo xtask codegen && cargo build --workspace` after a one-line description change,
/// on a warm build, restoring the spec and the generated files after.
pub fn edit_loop(root: &Path, summary: &mut Summary) -> Result<()> {
    let spec_path = root.join(SPEC_PATH);
    let original = std::fs::read_to_string(&spec_path)?;
    let edited = original.replacen(
        "description: A valid device ID",
        "description: A valid device ID, edited",
        1,
    );
    let cycle = || -> Result<f64> {
        let started = Instant::now();
        util::cargo(root, &["xtask", "codegen"])?;
        util::cargo(root, &["build", "--workspace", "--quiet"])?;
        Ok(started.elapsed().as_secs_f64())
    };
    // Warm the build so that only the edit's own cost is timed.
    util::cargo(root, &["build", "--workspace", "--quiet"])?;
    let seconds = {
        let _restore = Restore {
            path: spec_path.clone(),
            text: &original,
        };
        std::fs::write(&spec_path, &edited)?;
        cycle()?
    };
    // Back to the checked-in generated code.
    util::cargo(root, &["xtask", "codegen"])?;
    summary.insert("edit_loop_s".into(), seconds);
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
}
