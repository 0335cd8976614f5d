//! One built xtask serves every checkout that shares its target directory, so it must work on
//! the checkout it runs in: these run the built binary in a copy of the workspace and check
//! that only the copy is read and written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use xtask::codegen::{self, SPEC_PATH};
use xtask::util::TempDir;

/// The checkout these tests were built from.
fn original() -> PathBuf {
    xtask::workspace_root().unwrap()
}

/// Copies into `to` what codegen needs: the manifests by which the root is recognised, the
/// spec, and the directories the generated files are written to.
fn copy_workspace(to: &Path) -> PathBuf {
    let from = original();
    let copy = to.join("checkout");
    let mut files: Vec<PathBuf> = ["Cargo.toml", "xtask/Cargo.toml", SPEC_PATH]
        .iter()
        .map(PathBuf::from)
        .collect();
    let outputs = codegen::generate_workspace(&from).unwrap();
    let dirs = outputs
        .iter()
        .map(|o| Path::new(&o.path).parent().unwrap())
        .chain([Path::new(codegen::FIXTURES_DIR)]);
    for dir in dirs {
        for entry in std::fs::read_dir(from.join(dir)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                files.push(dir.join(entry.file_name()));
            }
        }
    }
    for file in files {
        std::fs::create_dir_all(copy.join(&file).parent().unwrap()).unwrap();
        std::fs::copy(from.join(&file), copy.join(&file))
            .unwrap_or_else(|e| panic!("cannot copy {}: {e}", file.display()));
    }
    copy
}

/// Runs `cargo xtask codegen` in `cwd` as cargo would start it for the checkout whose xtask
/// directory is `manifest_dir`, or, with `None`, as a bare binary.
fn codegen_in(cwd: &Path, manifest_dir: Option<&Path>) -> Output {
    xtask_in(cwd, manifest_dir, &["codegen"])
}

/// Runs the built xtask with `args`, as `codegen_in` does.
fn xtask_in(cwd: &Path, manifest_dir: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args(args).current_dir(cwd);
    // This test runs under cargo, whose CARGO_MANIFEST_DIR names the original checkout: the
    // very value that must not leak into a run in the copy.
    match manifest_dir {
        Some(dir) => cmd.env("CARGO_MANIFEST_DIR", dir),
        None => cmd.env_remove("CARGO_MANIFEST_DIR"),
    };
    cmd.output().unwrap()
}

/// Every generated file of `root` and the spec, by path, as bytes.
fn generated_files(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut paths = vec![SPEC_PATH.to_string()];
    paths.extend(
        codegen::generate_workspace(root)
            .unwrap()
            .iter()
            .map(|o| o.path.to_string()),
    );
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(root.join(&p)).unwrap_or_default();
            (p, bytes)
        })
        .collect()
}

#[test]
fn codegen_in_a_copy_rewrites_the_copy_and_leaves_the_original_alone() {
    let tmp = TempDir::new("copy-edit").unwrap();
    let copy = copy_workspace(tmp.path());
    let original_before = generated_files(&original());

    let spec = copy.join(SPEC_PATH);
    let text = std::fs::read_to_string(&spec).unwrap();
    let edited = text.replacen(
        "description: A valid device ID",
        "description: A valid device ID (edited in a copy)",
        1,
    );
    assert_ne!(
        text, edited,
        "the spec no longer has the description this test edits"
    );
    std::fs::write(&spec, edited).unwrap();

    let run = codegen_in(&copy, Some(&copy.join("xtask")));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "codegen in the copy failed:\n{stderr}"
    );
    let written: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("wrote "))
        .collect();
    assert!(!written.is_empty(), "codegen wrote nothing:\n{stderr}");
    for path in &written {
        assert!(
            Path::new(path).is_relative() && copy.join(path).is_file(),
            "{path} is not a file of the copy named from the copy's root:\n{stderr}"
        );
        let contents = std::fs::read_to_string(copy.join(path)).unwrap();
        assert!(contents.contains("(edited in a copy)"), "{path}");
    }
    assert_eq!(
        generated_files(&original()),
        original_before,
        "codegen in the copy changed the original checkout"
    );

    // A second run has nothing to do, and says so in one line; run as a bare binary from a
    // subdirectory, it finds the copy's root above the current directory.
    let again = codegen_in(&copy.join("crates"), None);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("up to date") && stderr.contains("../spec/openapi.yaml"),
        "{stderr}"
    );
}

#[test]
fn codegen_in_a_copy_without_its_spec_fails_naming_that_spec() {
    let tmp = TempDir::new("copy-nospec").unwrap();
    let copy = copy_workspace(tmp.path());
    let spec = copy.join(SPEC_PATH);
    std::fs::rename(&spec, copy.join("spec/moved-away.yaml")).unwrap();

    for cwd in [copy.clone(), copy.join("crates")] {
        for manifest_dir in [Some(copy.join("xtask")), None] {
            let run = codegen_in(&cwd, manifest_dir.as_deref());
            let stderr = String::from_utf8_lossy(&run.stderr);
            assert!(
                !run.status.success(),
                "codegen without a spec succeeded:\n{stderr}"
            );
            assert!(
                stderr.contains(&format!("cannot read {}", spec.display())),
                "the error does not name {}:\n{stderr}",
                spec.display()
            );
        }
    }
}

#[test]
fn codegen_check_names_the_file_that_differs_and_writes_nothing() {
    let tmp = TempDir::new("copy-check").unwrap();
    let copy = copy_workspace(tmp.path());
    let edited = "crates/authapi-client/src/generated.rs";
    let path = copy.join(edited);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("// edited by hand\n");
    std::fs::write(&path, &text).unwrap();

    let run = xtask_in(&copy, Some(&copy.join("xtask")), &["codegen", "--check"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    let named: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .collect();
    assert_eq!(named, [edited], "{stderr}");
    assert!(stderr.contains("run `cargo xtask codegen`"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "--check wrote"
    );

    // The freshness test runs the same check in process, with the same message.
    let message = format!("{:#}", codegen::check(&copy).unwrap_err());
    assert!(message.contains(edited), "{message}");
    assert!(message.contains("run `cargo xtask codegen`"), "{message}");
    assert_eq!(message.lines().count(), 3, "{message}");
}
