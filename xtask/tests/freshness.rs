//! The checked-in generated files must be exactly what the spec generates now.

use std::collections::BTreeSet;

use xtask::codegen::{self, SPEC_PATH};
use xtask::spec;

/// The very check `cargo xtask codegen --check` runs, so that the two cannot disagree; its
/// message names each stale file and the command to run.
#[test]
fn generated_files_match_the_spec() {
    let root = xtask::workspace_root().unwrap();
    if let Err(e) = codegen::check(&root) {
        panic!("{e:#}");
    }
}

#[test]
fn generation_is_byte_stable() {
    let root = xtask::workspace_root().unwrap();
    let first = codegen::generate_workspace(&root).unwrap_or_else(|e| panic!("{e}"));
    let second = codegen::generate_workspace(&root).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first, second);
}

#[test]
fn a_description_edit_changes_only_the_lines_that_carry_it() {
    let root = xtask::workspace_root().unwrap();
    let text = std::fs::read_to_string(root.join(SPEC_PATH)).unwrap();
    let edited = text.replacen(
        "description: A valid device ID",
        "description: A valid device ID (edited)",
        1,
    );
    assert_ne!(
        text, edited,
        "the spec no longer has the description this test edits"
    );

    let before = codegen::generate(&spec::parse(SPEC_PATH, text).unwrap()).unwrap();
    let after = codegen::generate(&spec::parse(SPEC_PATH, edited).unwrap()).unwrap();
    let mut changed = 0;
    for (b, a) in before.iter().zip(&after) {
        let (b, a): (Vec<&str>, Vec<&str>) =
            (b.contents.lines().collect(), a.contents.lines().collect());
        assert_eq!(
            b.len(),
            a.len(),
            "{}: the edit added or removed lines",
            after[0].path
        );
        for (old, new) in b.iter().zip(&a) {
            if old != new {
                assert!(
                    new.contains("(edited)"),
                    "unrelated line changed: {old:?} -> {new:?}"
                );
                changed += 1;
            }
        }
    }
    assert!(
        changed >= 1,
        "the edited description appears nowhere in generated code"
    );
}

/// The fixtures crate's sources are the generator's output and nothing else, so that its
/// freshness is checked file by file: a module per fixture spec, and the crate root naming them.
#[test]
fn the_fixtures_crate_holds_what_the_fixture_specs_generate() {
    let root = xtask::workspace_root().unwrap();
    let outputs = codegen::generate_workspace(&root).unwrap_or_else(|e| panic!("{e}"));
    let prefix = format!("{}/src/", codegen::FIXTURES_CRATE);
    let generated: BTreeSet<String> = outputs
        .iter()
        .filter(|o| o.path.starts_with(&prefix))
        .map(|o| o.path.clone())
        .collect();
    let mut on_disk = BTreeSet::new();
    let mut dirs = vec![root.join(&prefix)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let relative = path.strip_prefix(&root).unwrap();
                on_disk.insert(relative.to_str().unwrap().to_string());
            }
        }
    }
    assert_eq!(generated, on_disk);
    let names = codegen::fixture_names(&root);
    assert!(names.contains(&"rich".to_string()), "{names:?}");
    for name in &names {
        for file in [
            "mod.rs",
            "types.rs",
            "client.rs",
            "stubs.rs",
            "cli.rs",
            "mock.rs",
        ] {
            let path = format!("{prefix}{name}/{file}");
            assert!(generated.contains(&path), "{path} is not generated");
        }
    }
}
