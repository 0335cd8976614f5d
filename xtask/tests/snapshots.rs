//! Snapshots of the generator over small fixture specs, so that a change to the generator or
//! to its dependencies shows up as a reviewable diff of `.snap` files.
//!
//! A fixture named `bad_*` must fail; its snapshot is the error message a user would see.

use std::path::Path;

use xtask::{codegen, spec};

fn render(root: &Path, name: &str) -> Result<String, String> {
    let shown = format!("xtask/tests/fixtures/{name}.yaml");
    let spec = spec::load(&root.join(&shown), &shown).map_err(|e| e.to_string())?;
    let outputs = codegen::generate(&spec).map_err(|e| e.to_string())?;
    Ok(outputs
        .iter()
        .map(|o| format!("=== {} ===\n{}", o.path, o.contents))
        .collect::<Vec<_>>()
        .join("\n"))
}

#[test]
fn generator_output_over_fixture_specs() {
    let root = xtask::workspace_root().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(root.join("xtask/tests/fixtures"))
        .expect("fixtures directory")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".yaml")
                .map(String::from)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 10, "fixtures went missing: {names:?}");

    for name in names {
        let result = render(&root, &name);
        let expect_error = name.starts_with("bad_");
        assert_eq!(result.is_err(), expect_error, "{name}: {result:?}");
        let text = result.unwrap_or_else(|message| message);
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(name.as_str(), text);
        });
    }
}
